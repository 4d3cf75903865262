//! The administration pages: units, users, classes, the policy and the calendar.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;

both_backends!(admin_pages_manage_units_users_classes_policy_and_calendar,);

async fn admin_pages_manage_units_users_classes_policy_and_calendar(app: TestApp) {
    // only administrators reach the admin pages
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    let (_, _, html) = teller.get("/").await;
    assert!(!html.contains("id=\"nav-admin\""));
    for path in ["/admin", "/admin/org", "/admin/users", "/admin/categories", "/admin/policy", "/admin/calendar"] {
        let (status, _, _) = teller.get(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let csrf = teller.csrf();
    let (status, _, _) = teller
        .post(
            "/admin/org",
            &[("_csrf", &csrf), ("code", "BJ0199"), ("name", "x"), ("kind", "outlet"), ("parent", "BJ01")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(app.store.org_unit_by_code("BJ0199").await.unwrap().is_none());

    let mut admin = Browser::new(&app);
    admin.login("admin").await;
    let (_, _, html) = admin.get("/").await;
    assert!(html.contains("id=\"nav-admin\""));
    let (status, h, _) = admin.get("/admin").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/admin/org");
    let csrf = admin.csrf();

    // org tree: add a unit, a bad code shown beside its field, rename
    let (_, _, html) = admin.get("/admin/org").await;
    assert!(html.contains("data-unit=\"BJ0101\"") && html.contains("data-unit=\"SH\""), "{html}");
    let (status, _, _) = admin
        .post(
            "/admin/org",
            &[("_csrf", &csrf), ("code", "BJ0103"), ("name", "东直门网点"), ("kind", "outlet"), ("parent", "BJ01")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.org_unit_by_code("BJ0103").await.unwrap().unwrap().name, "东直门网点");
    let (status, _, html) = admin
        .post(
            "/admin/org",
            &[("_csrf", &csrf), ("code", "bad code!"), ("name", "某网点"), ("kind", "outlet"), ("parent", "BJ01")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"code\"") && html.contains("value=\"某网点\""), "{html}");
    let (status, _, _) =
        admin.post("/admin/org/BJ0103/rename", &[("_csrf", &csrf), ("name", "东直门支行营业部")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.org_unit_by_code("BJ0103").await.unwrap().unwrap().name, "东直门支行营业部");
    let (status, _, html) = admin.post("/admin/org/BJ0103/rename", &[("_csrf", &csrf), ("name", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"name\""), "{html}");

    // users: add one, a taken username refused in place, change the role, deactivate
    let (_, _, html) = admin.get("/admin/users").await;
    assert!(html.contains("data-user=\"teller1\""));
    let add = |username: &'static str| {
        [
            ("_csrf", csrf.clone()),
            ("username", username.into()),
            ("display_name", "王五".into()),
            ("role", "teller".into()),
            ("org_unit", "BJ0103".into()),
            ("password", "long-enough-9".into()),
            ("email", "".into()),
        ]
    };
    let form = add("wangwu");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, h, html) = admin.post("/admin/users", &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (_, _, html) = admin.get(h["location"].to_str().unwrap()).await;
    assert!(html.contains("已添加用户 wangwu"), "the addition is told: {html}");
    let (status, _, html) = admin.post("/admin/users", &pairs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"username\"") && html.contains("value=\"王五\""), "{html}");
    assert!(!html.contains("long-enough-9"), "a password is never shown again");
    let (status, _, html) = admin.get("/admin/users/wangwu").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-confirm=") && html.contains("/admin/users/wangwu/disable"), "disabling asks first");
    let (status, h, _) = admin
        .post(
            "/admin/users/wangwu",
            &[
                ("_csrf", &csrf),
                ("display_name", "王五"),
                ("role", "lobby_manager"),
                ("org_unit", "BJ0103"),
                ("email", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/admin/users?done=saved&user=wangwu");
    let (u, _) = app.store.user_for_login("wangwu").await.unwrap().unwrap();
    assert_eq!(u.role, xiaobao_core::role::Role::LobbyManager);
    assert!(u.active, "editing leaves the access as it is");
    let (status, _, html) = admin
        .post(
            "/admin/users/wangwu",
            &[("_csrf", &csrf), ("display_name", "王五"), ("role", "teller"), ("org_unit", "ZZ99"), ("active", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"org_unit\""), "{html}");
    let (status, _, _) = admin.get("/admin/users/nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // classification: add a cause code, retire it
    let (status, _, _) = admin
        .post(
            "/admin/categories",
            &[
                ("_csrf", &csrf),
                ("dimension", "cause"),
                ("code", "99"),
                ("name_zh", "其他原因"),
                ("name_en", "Other"),
                ("active", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = admin.get("/admin/categories?dimension=cause").await;
    assert!(html.contains("data-code=\"99\"") && html.contains("其他原因"), "{html}");
    let (status, _, html) = admin
        .post(
            "/admin/categories",
            &[("_csrf", &csrf), ("dimension", "cause"), ("code", "9x"), ("name_zh", "坏"), ("name_en", "bad")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"code\""), "{html}");
    admin
        .post(
            "/admin/categories",
            &[
                ("_csrf", &csrf),
                ("dimension", "cause"),
                ("code", "99"),
                ("name_zh", "其他原因"),
                ("name_en", "Other"),
                ("active", "false"),
                ("_form", "toggle"),
            ],
        )
        .await;
    let classes = app.store.classes(Some(xiaobao_core::classification::Dimension::Cause)).await.unwrap();
    assert!(!classes.iter().find(|c| c.code == "99").unwrap().active);

    // the deadline policy: a form; its own test is web/policy.rs
    let (_, _, html) = admin.get("/admin/policy").await;
    assert!(html.contains("id=\"policy-form\"") && html.contains("name=\"repeat_window_days\""), "{html}");

    // the calendar: a year's days, an import, a bad line refused with its number
    let (_, _, html) = admin.get("/admin/calendar?year=2025").await;
    assert!(html.contains("2025-10-01") && html.contains("国庆节"), "{html}");
    let (status, _, html) = admin
        .post(
            "/admin/calendar",
            &[("_csrf", &csrf), ("csv", "2030-01-01,rest,New Year's Day,元旦\n2030-13-01,rest,x,y")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("第 2 行") && html.contains("data-field=\"csv\""), "{html}");
    let (status, h, _) =
        admin.post("/admin/calendar", &[("_csrf", &csrf), ("csv", "2030-01-01,rest,New Year's Day,元旦")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/admin/calendar?year=2030");
    let (_, _, html) = admin.get("/admin/calendar?year=2030").await;
    assert!(html.contains("2030-01-01"));

    // a browser that lost its CSRF cookie gets one token, in the cookie and in every form of the page
    admin.jar.retain(|c| !c.starts_with("xiaobao_csrf="));
    let (_, _, html) = admin.get("/admin/org").await;
    let token = admin.csrf();
    let hidden: Vec<&str> =
        html.split("name=\"_csrf\" value=\"").skip(1).map(|rest| rest.split('"').next().unwrap()).collect();
    assert!(hidden.len() > 2, "{html}");
    assert!(hidden.iter().all(|t| *t == token), "{hidden:?} vs {token}");
}
