//! Login, tokens and cookies, logout, throttling, and what needs no login.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    every_api_call_needs_a_login_except_health_and_openapi,
    cookie_and_bearer_both_work_and_logout_revokes,
    wrong_passwords_are_throttled
);

async fn every_api_call_needs_a_login_except_health_and_openapi(app: TestApp) {
    assert_eq!(app.call_anon(Method::GET, "/healthz", None).await.0, StatusCode::OK);
    let (status, doc) = app.call_anon(Method::GET, "/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let roles: Vec<&str> =
        doc["components"]["schemas"]["Role"]["enum"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(roles, xiaobao_core::role::Role::ALL.map(|r| r.as_str()), "the system's role is no one's to give");
    let paths = doc["paths"].as_object().unwrap();
    for action in xiaobao_core::complaint::ActionKind::ALL.map(|a| a.as_str()) {
        assert!(paths.contains_key(&format!("/api/v1/complaints/{{id}}/{action}")), "{action} missing from OpenAPI");
    }
    for p in [
        "/api/v1/complaints",
        "/api/v1/session",
        "/api/v1/org-units",
        "/api/v1/users",
        "/api/v1/categories",
        "/api/v1/complainants",
    ] {
        assert!(paths.contains_key(p), "{p} missing from OpenAPI");
    }
    for (m, p) in [
        (Method::GET, "/api/v1/complaints"),
        (Method::POST, "/api/v1/complaints"),
        (Method::GET, "/api/v1/org-units"),
        (Method::GET, "/api/v1/complaints/1"),
        (Method::POST, "/api/v1/complaints/1/accept"),
    ] {
        let (status, body) = app.call_anon(m.clone(), p, Some(json!({}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{m} {p}");
        assert_eq!(body["status"], 401);
    }
    let res = app.http.get(format!("{}/api/v1/complaints", app.base)).bearer_auth("0".repeat(64)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn cookie_and_bearer_both_work_and_logout_revokes(app: TestApp) {
    let res = app
        .http
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"username": "teller1", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let token = pair.split('=').nth(1).unwrap().to_string();
    let res = app.http.get(format!("{}/api/v1/session", app.base)).header("cookie", &pair).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let me: serde_json::Value = res.json().await.unwrap();
    assert_eq!(me["username"], "teller1");
    assert_eq!(me["org_unit"]["code"], "BJ0101");
    let res = app.http.delete(format!("{}/api/v1/session", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.http.get(format!("{}/api/v1/session", app.base)).header("cookie", &pair).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // other sessions of the same user are untouched
    assert_eq!(app.get("teller1", "/api/v1/session").await.0, StatusCode::OK);
}

async fn wrong_passwords_are_throttled(app: TestApp) {
    for _ in 0..5 {
        let (status, p) = app
            .call_anon(
                Method::POST,
                "/api/v1/session",
                Some(json!({"username": "head2", "password": "wrong-password"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    }
    let (status, _) =
        app.call_anon(Method::POST, "/api/v1/session", Some(json!({"username": "head2", "password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) =
        app.call_anon(Method::POST, "/api/v1/session", Some(json!({"username": "nobody", "password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
