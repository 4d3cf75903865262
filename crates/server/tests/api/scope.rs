//! The scope matrix: a user acts only inside their unit's subtree; out of scope reads as 404.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    sibling_outlet_cannot_see_or_act_on_an_order,
    branch_and_head_office_see_their_subtree,
    permissions_are_checked_per_role
);

async fn sibling_outlet_cannot_see_or_act_on_an_order(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13811112222").await["id"].as_i64().unwrap();
    for user in ["head2", "teller2"] {
        assert_eq!(app.get(user, &format!("/api/v1/complaints/{id}")).await.0, StatusCode::NOT_FOUND, "{user}");
        assert_eq!(app.get(user, &format!("/api/v1/complaints/{id}/events")).await.0, StatusCode::NOT_FOUND, "{user}");
        let (_, list) = app.get(user, "/api/v1/complaints").await;
        assert_eq!(list["total"], 0, "{user} lists a sibling's order");
    }
    let (status, _) = app.act("head2", id, "accept", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.events(id).await.len(), 1);
    // and may not register into a sibling outlet
    let (status, p) =
        app.post("teller2", "/api/v1/complaints", crate::harness::complaint_body("BJ0101", "13811113333")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "org_unit");
    // nor filter by it
    let (status, p) = app.get("head2", "/api/v1/complaints?org_unit=BJ0101").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "org_unit");
}

async fn branch_and_head_office_see_their_subtree(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13811114444").await["id"].as_i64().unwrap();
    for user in ["head1", "ops", "vp", "cpc", "auditor"] {
        assert_eq!(app.get(user, &format!("/api/v1/complaints/{id}")).await.0, StatusCode::OK, "{user}");
        assert_eq!(app.get(user, "/api/v1/complaints").await.1["total"], 1, "{user}");
    }
    // the sub-branch supervisor acts on its outlet's order
    app.act_ok("ops", id, "accept", json!({})).await;
    // and the order is listed under its outlet, its sub-branch and its branch, not under the sibling
    for (unit, n) in [("BJ0101", 1), ("BJ01", 1), ("BJ", 1), ("BJ0102", 0)] {
        assert_eq!(app.get("cpc", &format!("/api/v1/complaints?org_unit={unit}")).await.1["total"], n, "{unit}");
    }
    // org units: an outlet sees itself only; the branch sees its tree
    let (_, units) = app.get("head2", "/api/v1/org-units").await;
    assert_eq!(units.as_array().unwrap().len(), 1);
    let (_, units) = app.get("vp", "/api/v1/org-units").await;
    let codes: Vec<&str> = units.as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["BJ", "BJ01", "BJ0101", "BJ0102"]);
    assert_eq!(app.get("head2", "/api/v1/org-units/BJ0101").await.0, StatusCode::NOT_FOUND);
}

async fn permissions_are_checked_per_role(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13811115555").await["id"].as_i64().unwrap();
    // a teller registers but does not handle
    let (status, p) = app.act("teller1", id, "accept", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{p}");
    // an auditor reads but never writes
    assert_eq!(
        app.post("auditor", "/api/v1/complaints", crate::harness::complaint_body("BJ0101", "13811116666")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.act("auditor", id, "withdraw", json!({"reason": "x"})).await.0, StatusCode::FORBIDDEN);
    // only admins manage users and org units
    let new_user = json!({"username": "newteller", "display_name": "新柜员", "role": "teller", "org_unit": "BJ0101", "password": "long-enough-pw-1"});
    assert_eq!(app.post("head1", "/api/v1/users", new_user.clone()).await.0, StatusCode::FORBIDDEN);
    let (status, u) = app.post("admin", "/api/v1/users", new_user.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{u}");
    assert_eq!(u["org_unit"]["code"], "BJ0101");
    let (status, p) = app.post("admin", "/api/v1/users", new_user).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "username");
    // nobody can be given the system's role, by creating or by editing
    let system = json!({"username": "robot", "display_name": "机器人", "role": "system", "org_unit": "HO", "password": "long-enough-pw-1"});
    let (status, p) = app.post("admin", "/api/v1/users", system.clone()).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role")), "{p}");
    let (status, p) =
        app.call("admin", reqwest::Method::PATCH, "/api/v1/users/newteller", Some(json!({"role": "system"}))).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role")), "{p}");
    let unit = json!({"code": "BJ0103", "name": "望京网点", "kind": "outlet", "parent": "BJ01"});
    assert_eq!(app.post("vp", "/api/v1/org-units", unit.clone()).await.0, StatusCode::FORBIDDEN);
    let (status, u) = app.post("admin", "/api/v1/org-units", unit).await;
    assert_eq!(status, StatusCode::CREATED, "{u}");
    assert_eq!(u["parent"], "BJ01");
    let (status, p) = app
        .post("admin", "/api/v1/org-units", json!({"code": "X1", "name": "x", "kind": "branch", "parent": "BJ0101"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "kind");
}
