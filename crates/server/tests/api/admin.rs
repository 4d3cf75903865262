//! Administration: editing users and org units, and what that does to sessions.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    deactivating_a_user_ends_their_sessions_at_once,
    units_are_renamed_and_admins_cannot_lock_themselves_out,
    units_are_listed_with_siblings_in_code_order
);

/// A unit created later but coded earlier is listed first among its siblings, before its cousins.
async fn units_are_listed_with_siblings_in_code_order(app: TestApp) {
    for (code, parent) in [("AA", "HO"), ("AA01", "AA"), ("BJ0100", "BJ01")] {
        let kind = if parent == "HO" { "branch" } else { "sub_branch" };
        let body = json!({"code": code, "name": code, "kind": kind, "parent": parent});
        let (status, u) = app.post("admin", "/api/v1/org-units", body).await;
        assert_eq!(status, StatusCode::CREATED, "{u}");
    }
    let (_, units) = app.get("admin", "/api/v1/org-units").await;
    let codes: Vec<&str> = units.as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
    let at = |c: &str| codes.iter().position(|x| *x == c).unwrap_or_else(|| panic!("{c} in {codes:?}"));
    assert_eq!(codes[0], "HO");
    assert!(at("AA") < at("AA01") && at("AA01") < at("BJ"), "{codes:?}");
    assert!(at("BJ01") < at("BJ0100") && at("BJ0100") < at("BJ0101"), "{codes:?}");
}

async fn deactivating_a_user_ends_their_sessions_at_once(app: TestApp) {
    assert_eq!(app.get("teller2", "/api/v1/session").await.0, StatusCode::OK);
    let (status, _) = app.call("head2", Method::PATCH, "/api/v1/users/teller2", Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, u) = app.call("admin", Method::PATCH, "/api/v1/users/teller2", Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["active"], false);
    assert_eq!(app.get("teller2", "/api/v1/session").await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .call_anon(Method::POST, "/api/v1/session", Some(json!({"username": "teller2", "password": PASSWORD})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // moved to another outlet and reactivated with a new password, they log in there
    let (status, u) = app
        .call(
            "admin",
            Method::PATCH,
            "/api/v1/users/teller2",
            Some(json!({"active": true, "org_unit": "BJ0101", "password": "another-password-2"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["org_unit"]["code"], "BJ0101");
    let (status, s) = app
        .call_anon(
            Method::POST,
            "/api/v1/session",
            Some(json!({"username": "teller2", "password": "another-password-2"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let (status, p) =
        app.call("admin", Method::PATCH, "/api/v1/users/teller2", Some(json!({"password": "short"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "password");
    assert_eq!(
        app.call("admin", Method::PATCH, "/api/v1/users/nobody", Some(json!({"active": false}))).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn units_are_renamed_and_admins_cannot_lock_themselves_out(app: TestApp) {
    let (status, u) =
        app.call("admin", Method::PATCH, "/api/v1/org-units/BJ0101", Some(json!({"name": "朝阳门营业部"}))).await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["name"], "朝阳门营业部");
    assert_eq!(app.get("head1", "/api/v1/org-units/BJ0101").await.1["name"], "朝阳门营业部");
    let (status, p) = app.call("admin", Method::PATCH, "/api/v1/org-units/BJ0101", Some(json!({"name": ""}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "name");
    assert_eq!(
        app.call("vp", Method::PATCH, "/api/v1/org-units/BJ0101", Some(json!({"name": "x"}))).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = app.call("admin", Method::PATCH, "/api/v1/users/admin", Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.get("admin", "/api/v1/session").await.0, StatusCode::OK);
}
