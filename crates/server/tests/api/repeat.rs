//! Repeat detection, the watch list, and merging the same complaint into its open order.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    repeat_within_the_window_is_flagged_and_watch_listed,
    same_matter_while_open_is_merged_not_registered_twice
);

async fn repeat_within_the_window_is_flagged_and_watch_listed(app: TestApp) {
    // an old complaint, four months ago: outside the 90-day window of the next one
    let mut old = crate::harness::complaint_body("BJ0101", "13600000001");
    old["received_at"] = json!("2024-11-01T10:00:00+08:00");
    old["category"] = json!("01");
    let (status, k0) = app.post("teller1", "/api/v1/complaints", old).await;
    assert_eq!(status, StatusCode::CREATED, "{k0}");
    assert_eq!(k0["repeat"], false);

    let mut first = crate::harness::complaint_body("BJ0101", "13600000001");
    first["received_at"] = json!("2025-02-21T10:00:00+08:00");
    let (_, first) = app.post("teller1", "/api/v1/complaints", first).await;
    assert_eq!(first["repeat"], false, "112 days after the old one is outside the window");
    // the same phone on another matter, 10 days later, at another outlet
    let mut body = crate::harness::complaint_body("BJ0102", "13600000001");
    body["category"] = json!("04");
    let (status, second) = app.post("teller2", "/api/v1/complaints", body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(second["repeat"], true);
    assert_eq!(second["repeat_of"], first["id"]);
    assert_eq!(second["complainant"]["watchlist"], true);

    // the same ID number with a new phone is the same complainant
    let mut a = crate::harness::complaint_body("BJ0101", "13600000002");
    a["complainant"]["id_number"] = json!("11010519491231002X");
    a["category"] = json!("01");
    assert_eq!(app.post("teller1", "/api/v1/complaints", a).await.1["repeat"], false);
    let mut b = crate::harness::complaint_body("BJ0101", "13600000003");
    b["complainant"]["id_number"] = json!("11010519491231002X");
    b["category"] = json!("09");
    assert_eq!(app.post("teller1", "/api/v1/complaints", b).await.1["repeat"], true);

    let (_, watch) = app.get("teller2", "/api/v1/complainants?watchlist=true").await;
    assert_eq!(watch["total"], 2, "{watch}");
    assert!(watch["items"].as_array().unwrap().iter().all(|c| c["masked"] == true));
    let (_, found) = app.get("teller2", "/api/v1/complainants?phone=13600000001").await;
    assert_eq!(found["items"][0]["watchlist"], true);
    let (_, repeats) = app.get("cpc", "/api/v1/complaints?repeat=true").await;
    assert_eq!(repeats["total"], 2);
}

async fn same_matter_while_open_is_merged_not_registered_twice(app: TestApp) {
    let first = app.register("teller1", "BJ0101", "13600000010").await;
    let id = first["id"].as_i64().unwrap();
    let (status, again) =
        app.post("teller1", "/api/v1/complaints", crate::harness::complaint_body("BJ0101", "13600000010")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["merged"], true);
    assert_eq!(again["id"], id);
    assert_eq!(again["merge_count"], 1);
    let kinds: Vec<String> = app.events(id).await.iter().map(|e| e.kind.clone()).collect();
    assert_eq!(kinds, ["register", "merge"]);
    assert_eq!(app.get("cpc", "/api/v1/complaints").await.1["total"], 1);
    // once the order is closed, the same matter is a new (repeat) complaint
    for (a, b) in [
        ("accept", json!({})),
        ("respond", json!({"text": "x"})),
        ("decide", json!({"liable": false, "root_cause": "misunderstanding", "text": "已解释"})),
        ("close", json!({"feedback": "satisfied"})),
    ] {
        app.act_ok("head1", id, a, b).await;
    }
    let third = app.register("teller1", "BJ0101", "13600000010").await;
    assert_ne!(third["id"], id);
    assert_eq!(third["repeat"], true);
}
