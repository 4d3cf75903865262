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

/// The error page as a person sees it: the site's page in the language asked for, with words of the
/// catalogue (never the framework's), the id of what went wrong and a way home.
fn assert_error_page(html: &str, lang: &str, id: &str, what: &str) {
    let html_lang = if lang == "en" { "lang=\"en\"" } else { "lang=\"zh-CN\"" };
    assert!(html.contains(html_lang), "{what}: not in {lang}: {html}");
    assert!(html.contains(&format!("id=\"{id}\"")), "{what}: not the {id} page: {html}");
    assert!(html.contains("id=\"error-home\""), "{what}: no way home: {html}");
    assert!(html.contains("<header>"), "{what}: not the site's page: {html}");
    for developer in
        ["Failed to", "CSRF token", "Cannot parse", "Invalid URL", "deserialize", "problem+json", "\"status\""]
    {
        assert!(!html.contains(developer), "{what}: says {developer:?}: {html}");
    }
    let text = html.split("id=\"error-text\">").nth(1).and_then(|t| t.split("</p>").next()).unwrap_or("");
    let chinese = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    assert_eq!(chinese, lang == "zh", "{what}: words of the other language: {html}");
}

both_backends!(every_refusal_of_a_page_is_a_page_in_the_readers_language);

/// Every refusal a person can reach on a page route — an id that does not parse, a missing or wrong
/// CSRF token, a form the framework cannot read, a body over the limit, an unknown address, a wrong
/// method, a failure of the server — answers with the site's page in their language and a way back.
async fn every_refusal_of_a_page_is_a_page_in_the_readers_language(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13812345678").await["id"].as_i64().unwrap();
    let order = format!("/complaints/{id}");
    let act = format!("{order}/act/accept");
    let respond = format!("{order}/act/respond");
    for lang in ["zh", "en"] {
        let mut head = Browser::new(&app);
        head.jar.push(format!("xiaobao_lang={lang}"));
        head.login("head1").await;
        let csrf = head.csrf();
        let big = "长".repeat(40_000); // 120 KB, over the 64 KB a form may send
        // (method, status, path, form, the error page's id)
        type Case<'a> = (&'a str, StatusCode, &'a str, Vec<(&'a str, &'a str)>, &'a str);
        let cases: Vec<Case> = vec![
            ("GET", StatusCode::NOT_FOUND, "/complaints/abc", vec![], "not-found"),
            ("POST", StatusCode::NOT_FOUND, "/complaints/abc/act/accept", vec![("_csrf", &csrf)], "not-found"),
            ("GET", StatusCode::NOT_FOUND, "/no/such/page", vec![], "not-found"),
            ("POST", StatusCode::FORBIDDEN, &act, vec![], "csrf"),
            ("POST", StatusCode::FORBIDDEN, &act, vec![("_csrf", "0000")], "csrf"),
            ("POST", StatusCode::FORBIDDEN, "/lang", vec![("to", "en")], "csrf"),
            ("POST", StatusCode::FORBIDDEN, "/progress", vec![("number", "TS1"), ("last4", "1234")], "csrf"),
            ("POST", StatusCode::UNPROCESSABLE_ENTITY, "/lang", vec![("_csrf", &csrf)], "bad-form"),
            ("POST", StatusCode::PAYLOAD_TOO_LARGE, &respond, vec![("_csrf", &csrf), ("text", &big)], "too-large"),
            (
                "POST",
                StatusCode::PAYLOAD_TOO_LARGE,
                "/progress",
                vec![("_csrf", &csrf), ("number", &big), ("last4", "1")],
                "too-large",
            ),
            ("GET", StatusCode::METHOD_NOT_ALLOWED, "/logout", vec![], "method"),
            ("GET", StatusCode::METHOD_NOT_ALLOWED, &act, vec![], "method"),
        ];
        for (method, status, path, form, id) in cases {
            let what = format!("{lang} {method} {path}");
            let (got, headers, html) =
                if method == "GET" { head.get(path).await } else { head.post(path, &form).await };
            assert_eq!(got, status, "{what}: {html}");
            assert_error_page(&html, lang, id, &what);
            assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"), "{what}");
            if status == StatusCode::METHOD_NOT_ALLOWED {
                assert!(headers.get("allow").is_some(), "{what}: the methods it takes");
            }
        }
        // a form that is no form at all
        let res = head
            .http
            .post(format!("{}/lang", head.base))
            .header("cookie", head.jar.join("; "))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_error_page(&res.text().await.unwrap(), lang, "bad-form", "json to /lang");
        // the way back leads to the page the form was on
        let (_, _, html) = {
            let res = head
                .http
                .post(format!("{}{act}", head.base))
                .header("cookie", head.jar.join("; "))
                .header("referer", format!("{}{order}", head.base))
                .form(&[("_csrf", "0000")])
                .send()
                .await
                .unwrap();
            (res.status(), (), res.text().await.unwrap())
        };
        assert!(html.contains(&format!("id=\"error-back\" href=\"{order}\"")), "{html}");
        // the public progress page's way home is itself
        let mut public = Browser::new(&app);
        public.jar.push(format!("xiaobao_lang={lang}"));
        let (_, _, html) = public.post("/progress", &[("number", "TS1"), ("last4", "1234")]).await;
        assert_error_page(&html, lang, "csrf", "progress without a token");
        assert!(html.contains("id=\"error-home\" href=\"/progress\""), "{html}");
        // nothing was done by any of them
        let (_, k) = app.get("head1", &format!("/api/v1/complaints/{id}")).await;
        assert_eq!(k["state"], "registered", "{k}");
        assert!(app.store.events(id).await.unwrap().len() == 1);
    }
    // a failure of the server: its page, in the language asked for, and the API's problem
    app.raw_sql("ALTER TABLE complaints RENAME TO complaints_away").await;
    for lang in ["zh", "en"] {
        let mut head = Browser::new(&app);
        head.jar.push(format!("xiaobao_lang={lang}"));
        head.login("head1").await;
        let (status, _, html) = head.get("/").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{html}");
        assert_error_page(&html, lang, "internal", "the home page without its table");
    }
    let (status, p) = app.get("head1", "/api/v1/complaints").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(p["status"], 500, "{p}");
    app.raw_sql("ALTER TABLE complaints_away RENAME TO complaints").await;
}

both_backends!(every_refusal_of_the_api_is_a_problem_in_the_callers_language);

/// The API's refusals made before any handler ran are problem documents worded in the caller's
/// language, never the framework's plain text.
async fn every_refusal_of_the_api_is_a_problem_in_the_callers_language(app: TestApp) {
    let token = format!("Bearer {}", app.tokens["head1"]);
    let big = serde_json::json!({ "summary": "长".repeat(40_000) }).to_string();
    // (method, path, content type, body, status, the field named)
    type Case<'a> = (&'a str, &'a str, &'a str, Vec<u8>, StatusCode, Option<&'a str>);
    let cases: Vec<Case> = vec![
        ("GET", "/api/v1/complaints/abc", "", vec![], StatusCode::BAD_REQUEST, Some("request")),
        ("GET", "/api/v1/no-such-thing", "", vec![], StatusCode::NOT_FOUND, None),
        ("DELETE", "/api/v1/complaints", "", vec![], StatusCode::METHOD_NOT_ALLOWED, Some("method")),
        ("POST", "/api/v1/complaints", "application/json", big.into_bytes(), StatusCode::PAYLOAD_TOO_LARGE, None),
        ("POST", "/api/v1/complaints", "application/json", b"{not json".to_vec(), StatusCode::BAD_REQUEST, None),
    ];
    for (method, path, content_type, body, status, field) in cases {
        for lang in ["zh-CN", "en"] {
            let what = format!("{lang} {method} {path}");
            let mut headers = vec![("authorization", token.as_str()), ("accept-language", lang)];
            if !content_type.is_empty() {
                headers.push(("content-type", content_type));
            }
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let (got, h, bytes) = app.oneshot(method, path, &headers, body.clone()).await;
            assert_eq!(got, status, "{what}: {}", String::from_utf8_lossy(&bytes));
            assert_eq!(h["content-type"], "application/problem+json", "{what}");
            let p: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(p["status"], status.as_u16(), "{what}: {p}");
            if let Some(f) = field {
                assert_eq!(p["field"], f, "{what}: {p}");
            }
            let detail = p["detail"].as_str().unwrap();
            let chinese = detail.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert_eq!(chinese, lang == "zh-CN", "{what}: {p}");
        }
    }
}
