//! Bad input gets a 4xx problem naming the field, and writes nothing.

use crate::both_backends;
use crate::harness::{TestApp, complaint_body};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(bad_registrations_name_the_field_and_write_nothing, bad_action_bodies_name_the_field_and_change_nothing);

async fn counts(app: &TestApp) -> (i64, i64) {
    (app.store.count_complaints().await.unwrap(), app.store.verify_chain().await.unwrap().checked)
}

async fn bad_registrations_name_the_field_and_write_nothing(app: TestApp) {
    let before = counts(&app).await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = complaint_body("BJ0101", "13812340000");
        f(&mut b);
        b
    };
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (with(&|b| drop(b.as_object_mut().unwrap().remove("summary"))), StatusCode::UNPROCESSABLE_ENTITY, "summary"),
        (with(&|b| b["summary"] = json!("长".repeat(201))), StatusCode::UNPROCESSABLE_ENTITY, "summary"),
        (with(&|b| b["summary"] = json!("   ")), StatusCode::UNPROCESSABLE_ENTITY, "summary"),
        (with(&|b| b["description"] = json!("x".repeat(4001))), StatusCode::UNPROCESSABLE_ENTITY, "description"),
        (with(&|b| b["channel"] = json!("pigeon")), StatusCode::UNPROCESSABLE_ENTITY, "channel"),
        (with(&|b| b["category"] = json!("77")), StatusCode::UNPROCESSABLE_ENTITY, "category"),
        (with(&|b| b["cause"] = json!("0000000")), StatusCode::UNPROCESSABLE_ENTITY, "cause"),
        (with(&|b| b["org_unit"] = json!("NOPE")), StatusCode::UNPROCESSABLE_ENTITY, "org_unit"),
        (with(&|b| b["amount"] = json!("-5")), StatusCode::UNPROCESSABLE_ENTITY, "amount"),
        (with(&|b| b["received_at"] = json!("yesterday")), StatusCode::UNPROCESSABLE_ENTITY, "received_at"),
        (
            with(&|b| b["received_at"] = json!("2030-01-01T00:00:00+08:00")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "received_at",
        ),
        (with(&|b| b["complainant"]["phone"] = json!("12345")), StatusCode::UNPROCESSABLE_ENTITY, "complainant.phone"),
        (
            with(&|b| b["complainant"]["id_number"] = json!("110105194912310021")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "complainant.id_number",
        ),
        (
            with(&|b| b["complainant"]["name"] = json!("名".repeat(51))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "complainant.name",
        ),
        (
            with(&|b| drop(b["complainant"].as_object_mut().unwrap().remove("name"))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "complainant.name",
        ),
        (
            with(&|b| b["complainant"]["tags"] = json!(["alien"])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "complainant.tags[0]",
        ),
        (with(&|b| b["extra"] = json!(1)), StatusCode::UNPROCESSABLE_ENTITY, "extra"),
        (with(&|b| b["summary"] = json!(42)), StatusCode::UNPROCESSABLE_ENTITY, "summary"),
    ];
    for (body, status, field) in cases {
        let (got, p) = app.post("teller1", "/api/v1/complaints", body).await;
        assert_eq!(got, status, "{field}: {p}");
        assert_eq!(p["field"], field, "{p}");
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // malformed JSON
    let res = app
        .http
        .post(format!("{}/api/v1/complaints", app.base))
        .bearer_auth(&app.tokens["teller1"])
        .header("content-type", "application/json")
        .body("{\"channel\": \"counter\",")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["field"], "body");
    // English on request
    let res = app
        .http
        .post(format!("{}/api/v1/complaints", app.base))
        .bearer_auth(&app.tokens["teller1"])
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&with(&|b| b["channel"] = json!("pigeon")))
        .send()
        .await
        .unwrap();
    let p: Value = res.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("invalid value"), "{p}");
    assert_eq!(counts(&app).await, before, "a refused registration wrote something");
}

async fn bad_action_bodies_name_the_field_and_change_nothing(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13812349999").await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", json!({})).await;
    app.act_ok("head1", id, "respond", json!({"text": "ok"})).await;
    let before = app.get("head1", &format!("/api/v1/complaints/{id}")).await.1;
    let cases = [
        ("extend", json!({}), "reason"),
        ("extend", json!({"reason": ""}), "reason"),
        ("extend", json!({"reason": "长".repeat(501)}), "reason"),
        ("transfer", json!({"to_org_unit": "NOWHERE", "reason": "x"}), "to_org_unit"),
        ("decide", json!({"liable": "yes", "root_cause": "service_fault", "text": "x"}), "liable"),
        ("decide", json!({"liable": true, "root_cause": "bad_luck", "text": "x"}), "root_cause"),
        ("decide", json!({"liable": true, "root_cause": "service_fault", "cause": "55", "text": "x"}), "cause"),
        ("decide", json!({"liable": true, "root_cause": "service_fault", "amount": "1.234", "text": "x"}), "amount"),
        ("decide", json!({"liable": true, "root_cause": "service_fault"}), "text"),
    ];
    for (action, body, field) in cases {
        let (status, p) = app.act("head1", id, action, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{action}: {p}");
        assert_eq!(p["field"], field, "{action}: {p}");
    }
    assert_eq!(app.get("head1", &format!("/api/v1/complaints/{id}")).await.1, before);
    assert_eq!(app.events(id).await.len(), 3);
    // an unknown action and a non-numeric id are not found / bad
    assert_eq!(app.act("head1", id, "approve", json!({})).await.0, StatusCode::NOT_FOUND);
    assert!(app.call("head1", Method::GET, "/api/v1/complaints/abc", None).await.0.is_client_error());
    assert_eq!(app.get("head1", "/api/v1/complaints/999999").await.0, StatusCode::NOT_FOUND);
}
