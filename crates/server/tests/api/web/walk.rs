//! Every page, as every role, in both languages: it answers (shown, forbidden or not found — never an
//! error), speaks the language asked for, and names no text key the catalogue lacks.

use crate::both_backends;
use crate::harness::{TestApp, USERS};
use crate::web::Browser;
use reqwest::StatusCode;

both_backends!(every_page_as_every_role_in_both_languages);

async fn every_page_as_every_role_in_both_languages(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13600000001").await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", serde_json::json!({})).await;
    let order = format!("/complaints/{id}");
    let pages = [
        "/",
        "/complaints",
        "/complaints?overdue=true",
        order.as_str(),
        "/hot-issues",
        "/league",
        "/measures",
        "/measures?by=unit",
        "/reports",
        "/statistics",
        "/progress",
        "/admin/calendar",
        "/admin/categories",
        "/admin/org",
        "/admin/policy",
        "/admin/users",
        "/admin/users/teller1",
    ];
    for (user, _, _) in USERS {
        let mut b = Browser::new(&app);
        b.login(user).await;
        for (cookie, html_lang) in [("xiaobao_lang=zh", "lang=\"zh-CN\""), ("xiaobao_lang=en", "lang=\"en\"")] {
            b.jar.retain(|c| !c.starts_with("xiaobao_lang="));
            b.jar.push(cookie.to_string());
            for path in pages {
                let (status, _, html) = b.get(path).await;
                assert!(
                    [StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
                    "{user} {cookie} {path}: {status}"
                );
                assert!(html.contains(html_lang), "{user} {cookie} {path} is not in its language");
                assert!(!html.contains('⟦'), "{user} {cookie} {path} names a missing key: {html}");
                let expected = match (*user, path) {
                    ("admin", p) if p.starts_with("/admin") => Some(StatusCode::OK),
                    (_, p) if p.starts_with("/admin") => Some(StatusCode::FORBIDDEN),
                    ("cpc" | "vp" | "ops" | "head1" | "teller1", p) if p == order => Some(StatusCode::OK),
                    ("head2" | "teller2", p) if p == order => Some(StatusCode::NOT_FOUND),
                    (_, "/" | "/complaints" | "/progress") => Some(StatusCode::OK),
                    _ => None,
                };
                if let Some(expected) = expected {
                    assert_eq!(status, expected, "{user} {cookie} {path}");
                }
            }
        }
    }
}
