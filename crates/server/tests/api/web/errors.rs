//! Addresses that do not parse, and the language of a first visit.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;

both_backends!(an_address_whose_id_does_not_parse_is_the_not_found_page);

async fn an_address_whose_id_does_not_parse_is_the_not_found_page(app: TestApp) {
    let mut head = Browser::new(&app);
    head.login("head1").await;
    for path in ["/complaints/abc", "/complaints/1/attachments/abc", "/complaints/99999999999999999999"] {
        let (status, _, html) = head.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("id=\"not-found\"") && !html.contains("Invalid URL"), "{path}: {html}");
    }
    // the API keeps answering with a problem document naming the request
    let (status, p) = app.get("head1", "/api/v1/complaints/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(p["field"], "request");
}

both_backends!(a_first_visit_speaks_the_browsers_language_until_the_user_chooses);

/// Pages follow `Accept-Language` as the API does, until the user picks a language with the switch.
async fn a_first_visit_speaks_the_browsers_language_until_the_user_chooses(app: TestApp) {
    let http = reqwest::Client::new();
    let page = |lang: &'static str, cookie: Option<&'static str>| {
        let (http, base) = (http.clone(), app.base.clone());
        async move {
            let mut req = http.get(format!("{base}/login")).header("accept-language", lang);
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            req.send().await.unwrap().text().await.unwrap()
        }
    };
    assert!(page("en-US,en;q=0.9", None).await.contains("lang=\"en\""));
    assert!(page("zh-CN,zh;q=0.9,en;q=0.5", None).await.contains("lang=\"zh-CN\""));
    assert!(page("en-GB", Some("xiaobao_lang=zh")).await.contains("lang=\"zh-CN\""), "the user's choice wins");
    assert!(page("zh-CN", Some("xiaobao_lang=en")).await.contains("lang=\"en\""));
    // the API's problems follow the same rule
    let res = http
        .get(format!("{}/api/v1/complaints/1", app.base))
        .header("accept-language", "zh-CN")
        .header("cookie", "xiaobao_lang=en")
        .send()
        .await
        .unwrap();
    let problem: serde_json::Value = res.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().is_ascii(), "{problem}");
}
