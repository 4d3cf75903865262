//! Logging in with CSRF, each role's home page, scope on the order page, the language switch and security headers.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp};
use crate::web::Browser;
use crate::web::browser::{cookie_pair, cookies};
use reqwest::StatusCode;

both_backends!(pages_log_in_show_each_role_its_orders_and_keep_scope,);

async fn pages_log_in_show_each_role_its_orders_and_keep_scope(app: TestApp) {
    let k = app.register("teller1", "BJ0101", "13812345678").await;
    let (id, number) = (k["id"].as_i64().unwrap(), k["number"].as_str().unwrap().to_string());

    let mut b = Browser::new(&app);
    let (status, h, _) = b.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/login");
    let (status, h, html) = b.get("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(html.contains("name=\"_csrf\""), "{html}");
    let set = cookies(&h);
    assert!(
        set.iter().any(|c| c.starts_with("xiaobao_csrf=") && c.contains("HttpOnly") && c.contains("SameSite=Strict"))
    );
    // a form without the token is refused
    let (status, _, _) = b.post("/login", &[("username", "teller1"), ("password", PASSWORD), ("_csrf", "x")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = b.csrf();
    let (status, _, html) =
        b.post("/login", &[("username", "teller1"), ("password", "wrong-one"), ("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("用户名或密码错误"));
    let (status, h, _) = b.post("/login", &[("username", "teller1"), ("password", PASSWORD), ("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = cookie_pair(&cookies(&h), "xiaobao_session").unwrap();
    assert!(
        cookies(&h)
            .iter()
            .any(|c| c.starts_with("xiaobao_session=") && c.contains("HttpOnly") && c.contains("SameSite=Strict")),
        "{session}"
    );

    // the teller's home: their first-responder orders, masked
    let (_, _, html) = b.get("/").await;
    assert!(html.contains("我首问的工单"), "{html}");
    assert!(html.contains(&number));
    assert!(html.contains("朝阳门网点 (BJ0101)"), "unit always visible");
    let (_, _, html) = b.get(&format!("/complaints/{id}")).await;
    assert!(html.contains("138****5678") && !html.contains("13812345678"));

    // English
    let (status, _, _) = b.post("/lang", &[("to", "en"), ("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = b.get("/").await;
    assert!(html.contains("My first-responder orders"), "{html}");
    assert!(html.contains("lang=\"en\""));

    // the outlet head's queue, and the unmasked, logged read
    let mut head = Browser::new(&app);
    head.login("head1").await;
    let (_, _, html) = head.get("/").await;
    assert!(html.contains("待办工单") && html.contains(&number), "{html}");
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(html.contains("13812345678"));
    assert_eq!(app.store.access_log_for("complaint", id).await.unwrap().len(), 1);

    // a sibling outlet's head: not found, and the queue is empty
    let mut other = Browser::new(&app);
    other.login("head2").await;
    let (status, _, html) = other.get(&format!("/complaints/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("未找到"));
    let (_, _, html) = other.get("/").await;
    assert!(html.contains("没有待办工单") && !html.contains(&number));

    // logging out ends the session
    let csrf = b.csrf();
    let (status, _, _) = b.post("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/session", app.base))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
