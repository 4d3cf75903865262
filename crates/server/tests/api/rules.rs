//! The deadline policy and the working-day calendar as admins edit them, and what new orders do with them.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(an_edited_policy_sets_the_clocks_of_new_orders, a_missing_year_is_reported_until_its_calendar_is_loaded);

async fn an_edited_policy_sets_the_clocks_of_new_orders(app: TestApp) {
    let (status, mut policy) = app.get("teller1", "/api/v1/deadline-policy").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(policy["decision"]["period"], json!({"length": 15, "unit": "calendar_days"}));
    // credit-card complaints must be completed within 3 working days, and hotline orders get 2 business hours to respond
    policy["overrides"].as_array_mut().unwrap().push(json!({"clock": "completion", "channel": null, "category": "03", "rule": {"period": {"length": 3, "unit": "working_days"}, "warn_at": [50]}}));
    policy["overrides"].as_array_mut().unwrap().push(json!({"clock": "response", "channel": "counter", "category": null, "rule": {"period": {"length": 2, "unit": "business_hours"}}}));
    assert_eq!(
        app.call("head1", Method::PUT, "/api/v1/deadline-policy", Some(policy.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, saved) = app.call("admin", Method::PUT, "/api/v1/deadline-policy", Some(policy.clone())).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let k = app.register("teller1", "BJ0101", "13100000001").await; // counter, category 0302, Monday 09:00
    let due =
        |kind: &str| k["clocks"].as_array().unwrap().iter().find(|c| c["kind"] == kind).unwrap()["due_at"].clone();
    assert_eq!(due("response"), "2025-03-03T11:00:00.000+08:00");
    assert_eq!(due("completion"), "2025-03-07T00:00:00.000+08:00");
    assert_eq!(due("decision"), "2025-03-19T00:00:00.000+08:00");

    let mut bad = policy.clone();
    bad["opening_hours"] = json!({"open": "18:00", "close": "09:00"});
    let (status, p) = app.call("admin", Method::PUT, "/api/v1/deadline-policy", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let mut bad = policy.clone();
    bad["decision"]["warn_at"] = json!([90, 10]);
    let (status, p) = app.call("admin", Method::PUT, "/api/v1/deadline-policy", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "decision.warn_at[1]");
    // the refused documents changed nothing
    assert_eq!(app.get("cpc", "/api/v1/deadline-policy").await.1, saved);
}

async fn a_missing_year_is_reported_until_its_calendar_is_loaded(mut app: TestApp) {
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-12-20T10:00:00+08:00").unwrap().to_utc());
    app.login("teller1").await;
    app.login("admin").await;
    let (_, cal) = app.get("teller1", "/api/v1/calendar?year=2026").await;
    assert_eq!(cal["missing_years"], json!([2027]));
    assert!(cal["days"].as_array().unwrap().iter().any(|d| d["date"] == "2026-10-01" && d["kind"] == "rest"));
    // received 2026-12-20: the decision falls in 2027, whose holidays are not loaded yet
    let k = app.register("teller1", "BJ0101", "13100000002").await;
    assert_eq!(k["missing_calendar_years"], json!([2027]));
    assert_eq!(k["clocks"][1]["due_at"], "2027-01-05T00:00:00.000+08:00");

    let csv = "date,kind,holiday_en,holiday_zh\n2027-01-01,rest,New Year's Day,元旦\n2027-01-02,rest,New Year's Day,元旦\n2027-01-03,rest,New Year's Day,元旦\n2027-01-04,rest,New Year's Day,元旦\n2027-01-09,work,New Year's Day,元旦\n";
    let res = app
        .http
        .put(format!("{}/api/v1/calendar", app.base))
        .bearer_auth(&app.tokens["teller1"])
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .http
        .put(format!("{}/api/v1/calendar", app.base))
        .bearer_auth(&app.tokens["admin"])
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body, json!({"years": [2027], "days": 5}));
    let (_, cal) = app.get("teller1", "/api/v1/calendar?year=2027").await;
    assert_eq!(cal["missing_years"], json!([]));
    assert_eq!(cal["days"].as_array().unwrap().len(), 5);
    // a new order now counts the 2027 holiday: 15 days from 2026-12-20 is 2027-01-04, a rest day
    let k = app.register("teller1", "BJ0101", "13100000003").await;
    assert_eq!(k["missing_calendar_years"], json!([]));
    assert_eq!(k["clocks"][1]["due_at"], "2027-01-06T00:00:00.000+08:00");
    // a bad line names itself and loads nothing
    let (status, p) = app
        .call("admin", Method::PUT, "/api/v1/calendar", Some(json!({"csv": "2028-01-01,rest\n2028-01-05,work\n"})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p["detail"].as_str().unwrap().contains('2'), "{p}");
    assert_eq!(app.get("teller1", "/api/v1/calendar?year=2028").await.1["days"], json!([]));
}
