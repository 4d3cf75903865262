//! Administering users: editing (every field checked at once), disabling and enabling (sessions and
//! tokens end at once), password resets with a forced change, the password rule, the last
//! administrator, scope, and an entry of the sealed access log for every change.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    an_edit_tells_every_bad_field_at_once_and_is_audited,
    a_disabled_user_is_refused_at_the_next_request_and_enabled_logs_in_again,
    a_reset_password_must_be_changed_before_anything_else_works,
    the_password_rule_names_every_violation,
    the_last_administrator_stays,
    a_branch_administrator_does_not_see_users_outside_the_branch
);

/// A call with a bearer token the harness does not hold.
async fn with_token(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let bearer = format!("Bearer {token}");
    let mut headers = vec![("authorization", bearer.as_str())];
    let bytes = match &body {
        Some(b) => {
            headers.push(("content-type", "application/json"));
            serde_json::to_vec(b).unwrap()
        }
        None => Vec::new(),
    };
    let (status, _, bytes) = app.oneshot(method, path, &headers, bytes).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    app.call_anon(Method::POST, "/api/v1/session", Some(json!({"username": username, "password": password}))).await
}

/// The changes recorded on a user, oldest first: (who, what changed).
async fn audited(app: &TestApp, username: &str) -> Vec<(i64, Value)> {
    let id = app.user_id(username).await;
    let log = app.store.access_log_for("user", id).await.unwrap();
    log.iter().map(|e| (e.user_id, serde_json::from_str::<Value>(&e.fields).unwrap())).collect()
}

fn fields(p: &Value) -> Vec<&str> {
    p["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap()).collect()).unwrap_or_default()
}

async fn an_edit_tells_every_bad_field_at_once_and_is_audited(app: TestApp) {
    let bad = json!({"display_name": "", "org_unit": "ZZ99", "email": "not-an-address", "role": "teller"});
    let (status, p) = app.call("admin", Method::PATCH, "/api/v1/users/teller1", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["display_name", "org_unit", "email"], "{p}");
    assert_eq!(p["field"], "display_name");
    assert!(p["errors"].as_array().unwrap().iter().all(|e| !e["detail"].as_str().unwrap().is_empty()));
    let (_, u) = app.get("admin", "/api/v1/users/teller1").await;
    assert_eq!(u["display_name"], "teller1 测试", "nothing was changed");
    assert!(audited(&app, "teller1").await.is_empty(), "nor recorded");
    // in English too
    let token = format!("Bearer {}", app.tokens["admin"]);
    let body = serde_json::to_vec(&json!({"email": "x"})).unwrap();
    let (_, _, bytes) = app
        .oneshot(
            Method::PATCH,
            "/api/v1/users/teller1",
            &[("authorization", &token), ("content-type", "application/json"), ("accept-language", "en")],
            body,
        )
        .await;
    let p: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(p["detail"].as_str().unwrap().contains("e-mail"), "{p}");

    let good =
        json!({"display_name": "王柜员", "role": "lobby_manager", "org_unit": "BJ0102", "email": "wang@bank.test"});
    let (status, u) = app.call("admin", Method::PATCH, "/api/v1/users/teller1", Some(good)).await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!((u["display_name"].as_str(), u["role"].as_str()), (Some("王柜员"), Some("lobby_manager")));
    assert_eq!(u["org_unit"]["code"], "BJ0102");
    // a new role and unit end the sessions
    assert_eq!(app.get("teller1", "/api/v1/session").await.0, StatusCode::UNAUTHORIZED);
    let admin = app.user_id("admin").await;
    let log = audited(&app, "teller1").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].0, admin);
    assert_eq!(log[0].1["change"], "edit");
    assert_eq!(log[0].1["role"], "lobby_manager");
    assert_eq!(log[0].1["org_unit"], "BJ0102");
    // the entry is sealed in the chain audit verify walks
    let report = app.store.verify_chain().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert!(report.access_checked >= 1);
    // creating a user is recorded too
    let new = json!({"username": "newbie", "display_name": "新人", "role": "teller", "org_unit": "BJ0101", "password": "river-stone-42"});
    assert_eq!(app.post("admin", "/api/v1/users", new).await.0, StatusCode::CREATED);
    let log = audited(&app, "newbie").await;
    assert_eq!((log[0].0, log[0].1["change"].as_str()), (admin, Some("create")));
}

async fn a_disabled_user_is_refused_at_the_next_request_and_enabled_logs_in_again(app: TestApp) {
    assert_eq!(app.get("teller2", "/api/v1/complaints").await.0, StatusCode::OK);
    // a second token of the same user (an API client)
    let (_, s) = login(&app, "teller2", PASSWORD).await;
    let other = s["token"].as_str().unwrap().to_string();
    for who in ["head2", "auditor", "teller1"] {
        let (status, _) = app.call(who, Method::POST, "/api/v1/users/teller2/disable", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let (status, u) = app.call("admin", Method::POST, "/api/v1/users/teller2/disable", None).await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["active"], false);
    // the very next request of either is refused
    assert_eq!(app.get("teller2", "/api/v1/complaints").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(with_token(&app, &other, Method::GET, "/api/v1/session", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "teller2", PASSWORD).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, list) = app.get("admin", "/api/v1/users?per_page=100").await;
    let row = list["items"].as_array().unwrap().iter().find(|u| u["username"] == "teller2").unwrap().clone();
    assert_eq!(row["active"], false);
    // nobody disables themselves
    let (status, p) = app.call("admin", Method::POST, "/api/v1/users/admin/disable", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert_eq!(app.call("admin", Method::POST, "/api/v1/users/nobody/disable", None).await.0, StatusCode::NOT_FOUND);
    let (status, u) = app.call("admin", Method::POST, "/api/v1/users/teller2/enable", None).await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["active"], true);
    assert_eq!(login(&app, "teller2", PASSWORD).await.0, StatusCode::OK);
    let changes: Vec<Value> = audited(&app, "teller2").await.into_iter().map(|(_, w)| w["change"].clone()).collect();
    assert_eq!(changes, [json!("disable"), json!("enable")]);
}

async fn a_reset_password_must_be_changed_before_anything_else_works(app: TestApp) {
    assert_eq!(
        app.call("head1", Method::POST, "/api/v1/users/teller1/reset-password", Some(json!({}))).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, r) = app.call("admin", Method::POST, "/api/v1/users/teller1/reset-password", Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let temporary = r["password"].as_str().unwrap().to_string();
    assert!(temporary.len() >= 10 && r["must_change_password"] == true && r["user"]["must_change_password"] == true);
    // the old session ended, the old password is gone
    assert_eq!(app.get("teller1", "/api/v1/session").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "teller1", PASSWORD).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, s) = login(&app, "teller1", &temporary).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let token = s["token"].as_str().unwrap().to_string();
    // nothing works but reading the session and changing the password
    for (method, path) in
        [(Method::GET, "/api/v1/complaints"), (Method::GET, "/api/v1/users"), (Method::GET, "/api/v1/board")]
    {
        let (status, p) = with_token(&app, &token, method, path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {p}");
    }
    let (status, p) = with_token(&app, &token, Method::POST, "/api/v1/complaints", Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{p}");
    let (status, me) = with_token(&app, &token, Method::GET, "/api/v1/session", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["must_change_password"], true, "{me}");
    // every error at once: the current password wrong, the new one short and without digits
    let (status, p) = with_token(
        &app,
        &token,
        Method::PUT,
        "/api/v1/session/password",
        Some(json!({"current_password": "wrong", "new_password": "short"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["current_password", "new_password", "new_password"], "{p}");
    // not the one it replaces
    let (status, p) = with_token(
        &app,
        &token,
        Method::PUT,
        "/api/v1/session/password",
        Some(json!({"current_password": temporary, "new_password": temporary})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("当前密码相同"), "{p}");
    let (status, u) = with_token(
        &app,
        &token,
        Method::PUT,
        "/api/v1/session/password",
        Some(json!({"current_password": temporary, "new_password": "my-own-pass-77"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["must_change_password"], false);
    // this session goes on and now works; the new password logs in
    assert_eq!(with_token(&app, &token, Method::GET, "/api/v1/complaints", None).await.0, StatusCode::OK);
    assert_eq!(login(&app, "teller1", "my-own-pass-77").await.0, StatusCode::OK);
    // a typed temporary password meets the rule
    let (status, p) = app
        .call("admin", Method::POST, "/api/v1/users/teller1/reset-password", Some(json!({"password": "teller1abc"})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["field"], "password");
    let changes: Vec<Value> = audited(&app, "teller1").await.into_iter().map(|(_, w)| w["change"].clone()).collect();
    assert_eq!(changes, [json!("reset_password"), json!("change_password")]);
    assert!(app.store.verify_chain().await.unwrap().ok());
}

async fn the_password_rule_names_every_violation(app: TestApp) {
    let body =
        json!({"username": "abc9", "display_name": "", "role": "teller", "org_unit": "BJ0101", "password": "abc9"});
    let (status, p) = app.post("admin", "/api/v1/users", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["display_name", "password", "password"], "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("10") && detail.contains("用户名"), "{detail}");
    for (pw, says) in [("abcdefghijkl", "数字"), ("123456789012", "字母")] {
        let body =
            json!({"username": "abc9", "display_name": "x", "role": "teller", "org_unit": "BJ0101", "password": pw});
        let (status, p) = app.post("admin", "/api/v1/users", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(p["detail"].as_str().unwrap().contains(says), "{pw}: {p}");
    }
    // a password an admin sets through PATCH is held to the rule too
    let (status, p) =
        app.call("admin", Method::PATCH, "/api/v1/users/teller2", Some(json!({"password": "teller2teller2"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["field"], "password");
}

async fn the_last_administrator_stays(app: TestApp) {
    // the store refuses a change that leaves no active administrator, whoever asks
    let admin = app.user_id("admin").await;
    let audit = xiaobao_store::Audit { by: admin, at_ms: 0, subject: "user", what: "{}".into() };
    for changes in [
        xiaobao_store::UserChanges { active: Some(false), ..Default::default() },
        xiaobao_store::UserChanges { role: Some(xiaobao_core::role::Role::Auditor), ..Default::default() },
    ] {
        let r = app.store.update_user(admin, &changes, &audit, None).await;
        assert!(matches!(r, Err(xiaobao_store::StoreError::Refused("problem.last_admin"))), "{r:?}");
    }
    assert!(app.store.access_log_for("user", admin).await.unwrap().is_empty(), "a refused change leaves no entry");
    // two administrators disabling each other at once: one of them stays
    let body = json!({"username": "admin2", "display_name": "二号", "role": "admin", "org_unit": "HO", "password": "second-admin-2"});
    assert_eq!(app.post("admin", "/api/v1/users", body).await.0, StatusCode::CREATED);
    let (_, s) = login(&app, "admin2", "second-admin-2").await;
    let admin2 = s["token"].as_str().unwrap().to_string();
    let (a, b) = tokio::join!(
        app.call("admin", Method::POST, "/api/v1/users/admin2/disable", None),
        with_token(&app, &admin2, Method::POST, "/api/v1/users/admin/disable", None),
    );
    assert!(!(a.0 == StatusCode::OK && b.0 == StatusCode::OK), "{a:?} {b:?}");
    let active = [app.store.user_by_username("admin").await, app.store.user_by_username("admin2").await]
        .into_iter()
        .filter(|u| u.as_ref().unwrap().as_ref().unwrap().active)
        .count();
    assert!(active >= 1);
    // the last one is not demoted either (through the API: not oneself)
    let (status, _) = app.call("admin", Method::PATCH, "/api/v1/users/admin", Some(json!({"role": "auditor"}))).await;
    assert!(status == StatusCode::CONFLICT || status == StatusCode::UNAUTHORIZED);
}

async fn a_branch_administrator_does_not_see_users_outside_the_branch(app: TestApp) {
    let body = json!({"username": "bjadmin", "display_name": "北京管理员", "role": "admin", "org_unit": "BJ", "password": "branch-admin-1"});
    assert_eq!(app.post("admin", "/api/v1/users", body).await.0, StatusCode::CREATED);
    let (_, s) = login(&app, "bjadmin", "branch-admin-1").await;
    let t = s["token"].as_str().unwrap().to_string();
    for (method, path, body) in [
        (Method::GET, "/api/v1/users/auditor", None),
        (Method::PATCH, "/api/v1/users/auditor", Some(json!({"display_name": "x"}))),
        (Method::PATCH, "/api/v1/users/auditor", Some(json!("malformed"))),
        (Method::POST, "/api/v1/users/auditor/disable", None),
        (Method::POST, "/api/v1/users/auditor/enable", None),
        (Method::POST, "/api/v1/users/auditor/reset-password", Some(json!({}))),
    ] {
        let (status, p) = with_token(&app, &t, method.clone(), path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {p}");
    }
    let (_, list) = with_token(&app, &t, Method::GET, "/api/v1/users?per_page=100", None).await;
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert!(names.contains(&"teller2") && !names.contains(&"auditor") && !names.contains(&"admin"), "{names:?}");
    // inside the branch they administer
    let (status, _) = with_token(&app, &t, Method::POST, "/api/v1/users/teller2/disable", None).await;
    assert_eq!(status, StatusCode::OK);
    // and they cannot move anyone out of it
    let (status, p) =
        with_token(&app, &t, Method::PATCH, "/api/v1/users/teller2", Some(json!({"org_unit": "SH"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "org_unit");
}
