//! List filters and paging.

use crate::both_backends;
use crate::harness::{TestApp, complaint_body};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(filters_select_the_right_orders_and_pages_cover_them_all);

async fn filters_select_the_right_orders_and_pages_cover_them_all(app: TestApp) {
    let a = app.register("teller1", "BJ0101", "13300000001").await["id"].as_i64().unwrap();
    let mut hot = complaint_body("BJ0102", "13300000002");
    hot["channel"] = json!("hotline");
    hot["category"] = json!("04");
    let (_, b) = app.post("cpc", "/api/v1/complaints", hot).await;
    let b = b["id"].as_i64().unwrap();
    let mut old = complaint_body("BJ0101", "13300000003");
    old["received_at"] = json!("2025-02-01T10:00:00+08:00");
    let (_, c) = app.post("teller1", "/api/v1/complaints", old).await;
    let c = c["id"].as_i64().unwrap();
    app.act_ok("head1", a, "accept", json!({})).await;
    app.act_ok("head1", a, "respond", json!({"text": "ok"})).await;

    let ids = |v: &serde_json::Value| -> Vec<i64> {
        v["items"].as_array().unwrap().iter().map(|k| k["id"].as_i64().unwrap()).collect()
    };
    let q = |s: &str| format!("/api/v1/complaints?{s}");
    assert_eq!(ids(&app.get("cpc", &q("")).await.1), [b, a, c], "newest received first");
    assert_eq!(ids(&app.get("cpc", &q("state=in_progress")).await.1), [a]);
    assert_eq!(ids(&app.get("cpc", &q("channel=hotline")).await.1), [b]);
    assert_eq!(ids(&app.get("cpc", &q("category=04")).await.1), [b]);
    assert_eq!(ids(&app.get("cpc", &q("category=03")).await.1), [a, c], "a class includes its subclasses");
    assert_eq!(ids(&app.get("cpc", &q("org_unit=BJ0101")).await.1), [a, c]);
    assert_eq!(ids(&app.get("cpc", &q("received_from=2025-03-01&received_to=2025-03-04")).await.1), [b, a]);
    assert_eq!(ids(&app.get("cpc", &q("received_to=2025-03-01")).await.1), [c]);
    assert_eq!(ids(&app.get("teller1", &q("mine=true")).await.1), [a, c]);
    // two hours on, the response clocks of b and c (never responded) have run out; a responded in time
    app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(ids(&app.get("cpc", &q("overdue=true")).await.1), [b, c]);
    assert_eq!(ids(&app.get("cpc", &q("overdue=false")).await.1), [a]);
    // paging
    let p1 = app.get("cpc", &q("per_page=2&page=1")).await.1;
    let p2 = app.get("cpc", &q("per_page=2&page=2")).await.1;
    assert_eq!(p1["total"], 3);
    assert_eq!([ids(&p1), ids(&p2)].concat(), [b, a, c]);
    // bad filters name the parameter
    for (s, field) in [
        ("state=lost", "state"),
        ("channel=fax", "channel"),
        ("overdue=maybe", "overdue"),
        ("per_page=1000", "per_page"),
        ("page=0", "page"),
        ("received_from=03/01/2025", "received_from"),
        ("category=abc", "category"),
    ] {
        let (status, p) = app.get("cpc", &q(s)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{s}");
        assert_eq!(p["field"], field, "{s}");
    }
}
