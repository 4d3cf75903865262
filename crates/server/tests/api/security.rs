//! The security suite: each defect found by probing the running server as an attacker with a staff
//! account would, reproduced, and shown to hold now.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::OnceLock;
use xiaobao_server::import::table::crafted;

both_backends!(
    crafted_spreadsheets_are_refused_and_the_server_stays_up,
    a_complainant_is_visible_only_through_complaints_in_scope,
    a_merge_into_another_units_order_tells_only_who_handles_it,
    an_attachment_of_another_order_is_not_found_on_the_page
);

async fn upload(app: &TestApp, user: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let res = app
        .http
        .post(format!("{}/api/v1/period-stats/import", app.base))
        .bearer_auth(&app.tokens[user])
        .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// 1 GiB of one repeated letter in the shared strings, deflated to about 1 MB (built once).
fn gigabyte_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| crafted::bomb_xlsx(1 << 30))
}

async fn crafted_spreadsheets_are_refused_and_the_server_stays_up(app: TestApp) {
    let far = crafted::far_cell_xlsx();
    assert!(far.len() < 16 * 1024, "the far-cell workbook is {} bytes", far.len());
    let (status, p) = upload(&app, "cpc", far).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["field"], "file");
    assert!(p["detail"].as_str().unwrap().contains("XFD1048576"), "{p}");
    assert_eq!(app.call_anon(reqwest::Method::GET, "/healthz", None).await.0, StatusCode::OK);

    let bomb = gigabyte_bomb();
    assert!(bomb.len() < 2 * 1024 * 1024, "the bomb is {} bytes", bomb.len());
    let (status, p) = upload(&app, "cpc", bomb.to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["field"], "file");
    assert!(p["detail"].as_str().unwrap().contains("xl/sharedStrings.xml"), "{p}");
    assert_eq!(app.call_anon(reqwest::Method::GET, "/healthz", None).await.0, StatusCode::OK);
    // nothing was entered
    let (_, v) = app.get("cpc", "/api/v1/period-stats?org_unit=HO&period=2025").await;
    assert!(v.as_array().unwrap().iter().all(|r| r["entered"] == false), "{v}");
}

async fn a_complainant_is_visible_only_through_complaints_in_scope(app: TestApp) {
    let mut body = crate::harness::complaint_body("BJ0101", "13900000001");
    body["complainant"]["id_number"] = json!("11010519491231002X");
    let k = app.register("teller1", "BJ0101", "13900000001").await;
    let (_, k2) = app.post("teller1", "/api/v1/complaints", {
        let mut b = body.clone();
        b["category"] = json!("04");
        b
    }).await;
    let cid = k["complainant"]["id"].as_i64().unwrap();
    assert_eq!(k2["complainant"]["id"], cid);
    assert_eq!(k2["complainant"]["watchlist"], true);
    let path = format!("/api/v1/complainants/{cid}");
    // who sees the complainant: the outlet, those above it, head office; not the sibling outlet
    for (user, seen) in [
        ("teller1", true),
        ("lobby1", true),
        ("head1", true),
        ("ops", true),
        ("vp", true),
        ("cpc", true),
        ("auditor", true),
        ("head2", false),
        ("teller2", false),
    ] {
        let (status, c) = app.get(user, &path).await;
        assert_eq!(status == StatusCode::OK, seen, "{user}: {status} {c}");
        if !seen {
            assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
        }
        for q in ["phone=13900000001", "id_number=11010519491231002X", "watchlist=true"] {
            let (status, list) = app.get(user, &format!("/api/v1/complainants?{q}")).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(list["total"], i64::from(seen), "{user} {q}: {list}");
        }
    }
    // an id sweep by the sibling outlet's head finds nobody and logs no unmasked read
    for id in 1..=cid + 20 {
        assert_eq!(app.get("head2", &format!("/api/v1/complainants/{id}")).await.0, StatusCode::NOT_FOUND);
    }
    let head2 = app.user_id("head2").await;
    assert!(app.store.access_log_for("complainant", cid).await.unwrap().iter().all(|l| l.user_id != head2));

    // the warning at registration still reaches every outlet, and says nothing more
    let (status, w) = app.get("teller2", "/api/v1/complainants/watchlist-check?phone=13900000001").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(w, json!({"watchlist": true, "complaints": 2}));
    let (_, w) = app.get("teller2", "/api/v1/complainants/watchlist-check?id_number=11010519491231002X").await;
    assert_eq!(w["watchlist"], true);
    let (_, w) = app.get("teller2", "/api/v1/complainants/watchlist-check?phone=13900000009").await;
    assert_eq!(w, json!({"watchlist": false, "complaints": 0}));
    let (status, p) = app.get("teller2", "/api/v1/complainants/watchlist-check").await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("phone")));
    assert_eq!(app.get("auditor", "/api/v1/complainants/watchlist-check?phone=13900000001").await.0, StatusCode::FORBIDDEN);

    // once the sibling outlet has a complaint of the same person, it sees them
    let mut there = crate::harness::complaint_body("BJ0102", "13900000001");
    there["category"] = json!("09");
    assert_eq!(app.post("teller2", "/api/v1/complaints", there).await.0, StatusCode::CREATED);
    assert_eq!(app.get("head2", &path).await.0, StatusCode::OK);
}

async fn a_merge_into_another_units_order_tells_only_who_handles_it(app: TestApp) {
    let first = app.register("teller1", "BJ0101", "13900000002").await;
    let id = first["id"].as_i64().unwrap();
    let mut same = crate::harness::complaint_body("BJ0102", "13900000002");
    same["description"] = json!("客户再次来电，补充称年费已自动扣款。");
    let (status, answer) = app.post("teller2", "/api/v1/complaints", same).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"merged": true, "handled_by": {"code": "BJ0101", "name": "朝阳门网点"}}));
    // the handling unit sees the new text on its order
    let events = app.events(id).await;
    assert_eq!(events.last().unwrap().kind, "merge");
    let (_, timeline) = app.get("head1", &format!("/api/v1/complaints/{id}/events")).await;
    assert!(timeline.to_string().contains("年费已自动扣款"), "{timeline}");
    // and the registering teller still cannot read it
    assert_eq!(app.get("teller2", &format!("/api/v1/complaints/{id}")).await.0, StatusCode::NOT_FOUND);
    // a merge inside one's own scope answers with the order, as before
    let (status, again) =
        app.post("head1", "/api/v1/complaints", crate::harness::complaint_body("BJ0101", "13900000002")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((again["merged"].as_bool(), again["id"].as_i64()), (Some(true), Some(id)));
}

async fn an_attachment_of_another_order_is_not_found_on_the_page(app: TestApp) {
    let mine = app.register("teller1", "BJ0101", "13900000003").await["id"].as_i64().unwrap();
    let theirs = app.register("teller2", "BJ0102", "13900000004").await["id"].as_i64().unwrap();
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4 receipt".to_vec()).file_name("r.pdf"));
    let res = app
        .http
        .post(format!("{}/api/v1/complaints/{theirs}/attachments", app.base))
        .bearer_auth(&app.tokens["teller2"])
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let att: Value = res.json().await.unwrap();
    let att_id = att["id"].as_i64().unwrap();
    let cookie = format!("xiaobao_session={}", app.tokens["teller1"]);
    for path in [format!("/complaints/{mine}/attachments/{att_id}"), format!("/complaints/{theirs}/attachments/{att_id}")] {
        let res = app.http.get(format!("{}{path}", app.base)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let text = res.text().await.unwrap();
        assert!(text.contains("id=\"not-found\""), "{path}");
        assert!(!text.contains("receipt"), "{path}");
    }
}
