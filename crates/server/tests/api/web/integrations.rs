//! The integration tokens' page: a token made through the form shows its secret once and works on
//! the device's endpoint until it is revoked through the page; every bad field is told beside it;
//! only administrators reach it, and only their own subtree's tokens.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp};
use crate::web::Browser;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    a_token_made_on_the_page_is_shown_once_works_and_is_revoked_there,
    the_token_form_tells_every_bad_field_beside_it,
    only_administrators_reach_the_tokens_and_only_of_their_subtree
);

/// The CSRF token of the form `form_id` on `html`.
fn form_csrf(html: &str, form_id: &str) -> String {
    let form = html.split(&format!("id=\"{form_id}\"")).nth(1).unwrap_or_else(|| panic!("no form {form_id}: {html}"));
    form.split("name=\"_csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string()
}

fn ratings(seq: i64) -> serde_json::Value {
    json!({"ratings": [{"device": "EV3", "seq": seq, "outlet": "BJ0101", "teller": "teller1",
        "rated_at": "2025-03-03T08:30:00+08:00", "score": 5, "reason": null}]})
}

async fn a_token_made_on_the_page_is_shown_once_works_and_is_revoked_there(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.login("admin").await;
    let (status, _, html) = admin.get("/admin/integrations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"no-integrations\"") && html.contains("尚无集成令牌"), "the empty list says so: {html}");
    assert!(html.contains("href=\"/admin/integrations\""), "a section of the admin navigation: {html}");
    assert!(html.contains("<datalist id=\"integration-units\">") && html.contains("<option value=\"BJ0101\">"));
    assert!(html.contains("只能绑定到网点"), "the unit's hint: {html}");
    let csrf = form_csrf(&html, "add-integration");

    // made: the secret this once, on the answer itself, never kept by the browser
    let (status, h, html) = admin
        .post(
            "/admin/integrations",
            &[("_csrf", &csrf), ("kind", "evaluator"), ("name", "3号窗口评价器"), ("org_unit", "BJ0101")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h.get("location").is_none() && h.get("set-cookie").is_none_or(|c| !c.to_str().unwrap().contains("xbi_")));
    let secret = html
        .split("id=\"integration-secret\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or_else(|| panic!("{html}"))
        .to_string();
    assert!(secret.starts_with("xbi_") && secret.len() == 68, "{secret}");
    assert!(html.contains("只显示这一次") && html.contains("Authorization: Bearer "), "{html}");
    assert!(html.contains("POST /api/v1/ratings") && html.contains("href=\"/admin/integrations\""), "{html}");

    // the list names it, without its secret
    let (_, _, html) = admin.get("/admin/integrations").await;
    assert!(!html.contains(&secret) && !html.contains("integration-secret"), "shown once: {html}");
    let row = html.split("data-integration=\"").nth(1).unwrap_or_else(|| panic!("{html}"));
    let id: i64 = row.split('"').next().unwrap().parse().unwrap();
    let row = row.split("</tr>").next().unwrap();
    for words in ["3号窗口评价器", "服务评价器", "朝阳门网点 (BJ0101)", "admin", "2025-03-03 09:00", "使用中"]
    {
        assert!(row.contains(words), "{words}: {row}");
    }
    assert!(row.contains(&format!("action=\"/admin/integrations/{id}/revoke\"")), "{row}");
    assert!(row.contains("data-confirm=\"吊销令牌“3号窗口评价器”"), "asked first: {row}");

    // it works for the device
    let (status, v) = app.call_with_token(&secret, Method::POST, "/api/v1/ratings", Some(ratings(1))).await;
    assert_eq!(status, StatusCode::OK, "{v}");

    // revoked through the page: told, shown as revoked, and its next request refused
    let csrf = admin.csrf();
    assert!(row.contains(&format!("name=\"_csrf\" value=\"{csrf}\"")), "the revoke form carries the token: {row}");
    let (status, h, _) = admin.post(&format!("/admin/integrations/{id}/revoke"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = h["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/admin/integrations?done=revoked&id={id}"));
    let (_, _, html) = admin.get(&to).await;
    assert!(html.contains("id=\"notice\"") && html.contains("已吊销令牌“3号窗口评价器”"), "{html}");
    assert!(html.contains("已吊销（2025-03-03 09:00）"), "{html}");
    assert!(!html.contains(&format!("/admin/integrations/{id}/revoke")), "no button on a revoked token: {html}");
    let (status, _) = app.call_with_token(&secret, Method::POST, "/api/v1/ratings", Some(ratings(2))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // revoking it again is refused in words on the list
    let (status, _, html) = admin.post(&format!("/admin/integrations/{id}/revoke"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("此令牌已被吊销"), "{html}");

    // a queue system's answer names its own endpoint
    let (_, _, html) = admin
        .post("/admin/integrations", &[("_csrf", &csrf), ("kind", "queue"), ("name", "叫号机"), ("org_unit", "BJ0102")])
        .await;
    assert!(html.contains("POST /api/v1/queue-tickets") && !html.contains("POST /api/v1/ratings"), "{html}");

    // in English: every word in the catalogue
    admin.jar.push("xiaobao_lang=en".to_string());
    let (_, _, html) = admin.get("/admin/integrations").await;
    assert!(html.contains("Integration tokens") && html.contains("Counter evaluator") && html.contains("revoked"));
    assert!(!html.contains('⟦'), "{html}");
    let (_, _, html) = admin
        .post("/admin/integrations", &[("_csrf", &csrf), ("kind", "hotline"), ("name", "Hotline"), ("org_unit", "BJ")])
        .await;
    assert!(html.contains("shown this once") && html.contains("/api/openapi.json"), "{html}");
    assert!(!html.contains('⟦'), "{html}");
    let (_, _, html) =
        admin.post("/admin/integrations", &[("_csrf", &csrf), ("kind", "fax"), ("name", ""), ("org_unit", "BJ")]).await;
    assert!(html.contains("data-field=\"kind\"") && !html.contains('⟦'), "{html}");
}

async fn the_token_form_tells_every_bad_field_beside_it(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.login("admin").await;
    let (_, _, html) = admin.get("/admin/integrations").await;
    let csrf = form_csrf(&html, "add-integration");
    // a kind that is none, a blank name, a unit that is none: all three at once
    let (status, _, html) = admin
        .post("/admin/integrations", &[("_csrf", &csrf), ("kind", "fax"), ("name", " "), ("org_unit", "ZZ99")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["kind", "name", "org_unit"] {
        assert!(html.contains(&format!("field-error\" data-field=\"{f}\"")), "{f}: {html}");
    }
    assert!(html.contains("value=\"ZZ99\""), "values kept: {html}");
    assert!(!html.contains("integration-secret"));
    // an evaluator at a sub-branch: told beside the unit, the rest kept
    let (status, _, html) = admin
        .post(
            "/admin/integrations",
            &[("_csrf", &csrf), ("kind", "evaluator"), ("name", "大厅评价器"), ("org_unit", "BJ01")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let unit_error = html.split("field-error\" data-field=\"org_unit\"").nth(1).unwrap_or_else(|| panic!("{html}"));
    assert!(unit_error.split("</span>").next().unwrap().contains("BJ01 不是网点"), "{html}");
    assert!(html.contains("value=\"大厅评价器\"") && html.contains("value=\"BJ01\""), "{html}");
    assert!(html.contains("<option value=\"evaluator\" selected>"), "{html}");
    assert!(!html.contains("data-field=\"name\"") && !html.contains("data-field=\"kind\""), "{html}");
    let (_, list) = app.get("admin", "/api/v1/integrations").await;
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing made: {list}");
}

async fn only_administrators_reach_the_tokens_and_only_of_their_subtree(app: TestApp) {
    let (status, made) = app
        .post("admin", "/api/v1/integrations", json!({"kind": "hotline", "name": "上海热线", "org_unit": "SH"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let sh_id = made["id"].as_i64().unwrap();

    // the consumer-protection centre is no administrator: the page and both forms are forbidden
    let mut cpc = Browser::new(&app);
    cpc.login("cpc").await;
    let (status, _, html) = cpc.get("/admin/integrations").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("您的角色无权访问此页面") && !html.contains("上海热线"), "{html}");
    let (_, _, html) = cpc.get("/").await;
    assert!(!html.contains("/admin/integrations"));
    let csrf = cpc.csrf();
    let (status, _, html) = cpc
        .post("/admin/integrations", &[("_csrf", &csrf), ("kind", "evaluator"), ("name", "x"), ("org_unit", "BJ0101")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("xbi_"), "{html}");
    let (status, _, _) = cpc.post(&format!("/admin/integrations/{sh_id}/revoke"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "permission first");
    let (status, _, _) = cpc.post("/admin/integrations/999999/revoke", &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "permission first, whatever the id");
    let (_, list) = app.get("admin", "/api/v1/integrations").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert!(list[0]["revoked_at"].is_null());

    // Beijing's administrator sees neither Shanghai's token nor may revoke it: not found
    let (status, v) = app
        .post(
            "admin",
            "/api/v1/users",
            json!({"username": "bjadmin", "display_name": "北京分行管理员", "role": "admin", "org_unit": "BJ", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let mut bj = Browser::new(&app);
    bj.login("bjadmin").await;
    let (status, _, html) = bj.get("/admin/integrations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("上海热线") && html.contains("id=\"no-integrations\""), "{html}");
    assert!(!html.contains("<option value=\"SH\">"), "the picker offers the subtree's units only: {html}");
    let csrf = bj.csrf();
    for id in [sh_id.to_string(), "999999".to_string(), "abc".to_string()] {
        let (status, _, html) = bj.post(&format!("/admin/integrations/{id}/revoke"), &[("_csrf", &csrf)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert!(html.contains("id=\"not-found\""), "{html}");
    }
    // nor tell of it by a crafted address
    let (_, _, html) = bj.get(&format!("/admin/integrations?done=revoked&id={sh_id}")).await;
    assert!(!html.contains("id=\"notice\"") && !html.contains("上海热线"), "{html}");
    let (status, _, html) = bj
        .post("/admin/integrations", &[("_csrf", &csrf), ("kind", "hotline"), ("name", "x"), ("org_unit", "SH")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("field-error\" data-field=\"org_unit\""), "{html}");
    let (_, list) = app.get("admin", "/api/v1/integrations").await;
    assert!(list[0]["revoked_at"].is_null(), "still live: {list}");
}
