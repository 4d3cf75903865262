//! Permission (and scope) before the body: a caller who may not use an endpoint is told 403 (or 404
//! where the resource is out of their scope) whatever they send, never what is wrong with the body.
//! Every endpoint of the OpenAPI document that takes a body is walked, so a new one is covered.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    a_teller_gets_403_for_any_policy_body_and_an_admin_422_for_a_bad_one,
    every_body_taking_endpoint_checks_permission_before_the_body
);

async fn a_teller_gets_403_for_any_policy_body_and_an_admin_422_for_a_bad_one(app: TestApp) {
    let (_, good) = app.get("teller1", "/api/v1/deadline-policy").await;
    let bad = json!({"clocks": "not a list"});
    for body in [good.clone(), bad.clone()] {
        let (status, p) = app.call("teller1", Method::PUT, "/api/v1/deadline-policy", Some(body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{p}");
    }
    let (status, p) = app.call("admin", Method::PUT, "/api/v1/deadline-policy", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (status, p) = app.call("admin", Method::PUT, "/api/v1/deadline-policy", Some(good)).await;
    assert_eq!(status, StatusCode::OK, "{p}");
}

/// The operations of the document with a request body: (method, path template).
fn body_taking(doc: &Value) -> Vec<(Method, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("requestBody").is_none() {
                continue;
            }
            ops.push((Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), path.clone()));
        }
    }
    ops
}

/// Bodies that the endpoint, were the caller allowed, would refuse as 400, 413 or 422.
fn bad_bodies() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("application/json", b"{not json".to_vec()),
        ("application/json", br#"{"no_such_field": [1, 2, 3]}"#.to_vec()),
        ("application/json", b"[]".to_vec()),
        ("text/plain", b"hello".to_vec()),
        ("application/json", vec![b' '; 200 * 1024]),
    ]
}

async fn every_body_taking_endpoint_checks_permission_before_the_body(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13800000001").await["id"].as_i64().unwrap();
    let (_, doc) = app.call_anon(Method::GET, "/api/openapi.json", None).await;
    let ops = body_taking(&doc);
    // logging in and changing one's own password are for everyone
    let everyone = ["/api/v1/session", "/api/v1/session/password"];
    let ops: Vec<_> = ops.into_iter().filter(|(_, p)| !everyone.contains(&p.as_str())).collect();
    assert!(ops.len() >= 25, "the document lists the body-taking endpoints: {ops:?}");
    let fill = |template: &str| {
        template
            .replace("{id}", &id.to_string())
            .replace("{complaint_id}", &id.to_string())
            .replace("{username}", "teller1")
            .replace("{code}", "BJ0101")
    };
    let send = |user: &'static str, method: Method, path: String, ct: &'static str, body: Vec<u8>| {
        let app = &app;
        async move {
            let bearer = format!("Bearer {}", app.tokens[user]);
            let (status, _, bytes) =
                app.oneshot(method, &path, &[("authorization", &bearer), ("content-type", ct)], body).await;
            (status, String::from_utf8_lossy(&bytes).to_string())
        }
    };
    // the auditor sees everything and may change nothing: 403 everywhere
    for (method, template) in &ops {
        for (ct, body) in bad_bodies() {
            let (status, text) = send("auditor", method.clone(), fill(template), ct, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "auditor {method} {template} ({ct}): {text}");
            assert!(text.contains("\"status\":403"), "a problem document: {text}");
        }
    }
    // a teller of another outlet: the order and the user are out of scope (404), the rest is not
    // theirs to do (403); registering a complaint and recording a fraud interception are theirs, so
    // those bodies' checks are for them to hear
    let theirs = ["/api/v1/complaints", "/api/v1/fraud-interceptions"];
    for (method, template) in ops.iter().filter(|(m, p)| !(m == Method::POST && theirs.contains(&p.as_str()))) {
        let scoped = template.contains("/complaints/{id}");
        for (ct, body) in bad_bodies() {
            let (status, text) = send("teller2", method.clone(), fill(template), ct, body).await;
            if scoped {
                assert_eq!(status, StatusCode::NOT_FOUND, "teller2 {method} {template} ({ct}): {text}");
            } else {
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "teller2 {method} {template} ({ct}): {status} {text}"
                );
            }
        }
    }
}
