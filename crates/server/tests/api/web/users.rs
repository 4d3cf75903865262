//! The users' pages: disabling ends a live session at its next page, a reset password sends its
//! user to the password page until they have set their own, every bad field told at once.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;

both_backends!(
    a_disabled_users_next_page_is_the_login,
    a_reset_password_leads_to_the_password_page_until_changed,
    the_user_form_tells_every_bad_field_beside_it
);

async fn a_disabled_users_next_page_is_the_login(app: TestApp) {
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    assert_eq!(teller.get("/").await.0, StatusCode::OK);
    let mut admin = Browser::new(&app);
    admin.login("admin").await;
    let csrf = admin.csrf();
    let (_, _, html) = admin.get("/admin/users").await;
    assert!(html.contains("action=\"/admin/users/teller1/disable\""), "{html}");
    assert!(html.contains("data-confirm=\"停用用户 teller1"), "asked first: {html}");
    let (status, h, _) = admin.post("/admin/users/teller1/disable", &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = h["location"].to_str().unwrap().to_string();
    assert_eq!(to, "/admin/users?done=disabled&user=teller1");
    let (_, _, html) = admin.get(&to).await;
    assert!(html.contains("id=\"notice\"") && html.contains("已停用用户 teller1"), "{html}");
    assert!(html.contains("action=\"/admin/users/teller1/enable\""), "{html}");
    // the teller's very next page
    let (status, h, _) = teller.get("/complaints").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/login");
    // a notice is only told of a user the admin administers
    let (_, _, html) = admin.get("/admin/users?done=disabled&user=somebody-else").await;
    assert!(!html.contains("id=\"notice\""));
    // oneself: no button, and a forged form is refused in words
    assert!(!html.contains("/admin/users/admin/disable"));
    let (status, _, html) = admin.post("/admin/users/admin/disable", &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("不能停用自己的账号"), "{html}");
    let (status, h, _) = admin.post("/admin/users/teller1/enable", &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/admin/users?done=enabled&user=teller1");
    teller.login("teller1").await;
    assert_eq!(teller.get("/").await.0, StatusCode::OK);
}

async fn a_reset_password_leads_to_the_password_page_until_changed(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.login("admin").await;
    let csrf = admin.csrf();
    let (_, _, html) = admin.get("/admin/users/teller1").await;
    assert!(html.contains("id=\"reset-form\"") && html.contains("data-confirm="), "{html}");
    // a typed password that breaks the rule: every reason beside the field
    let (status, _, html) =
        admin.post("/admin/users/teller1/reset-password", &[("_csrf", &csrf), ("password", "abc")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(html.matches("data-field=\"password\"").count(), 2, "too short, no digit: {html}");
    let (status, _, html) =
        admin.post("/admin/users/teller1/reset-password", &[("_csrf", &csrf), ("password", "")]).await;
    assert_eq!(status, StatusCode::OK);
    let temporary = html
        .split("id=\"temporary-password\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or_else(|| panic!("{html}"))
        .to_string();
    assert!(html.contains("只显示这一次"));
    // shown once: not on the next visit
    let (_, _, html) = admin.get("/admin/users/teller1").await;
    assert!(!html.contains(&temporary) && html.contains("须修改密码"));

    let mut teller = Browser::new(&app);
    teller.get("/login").await;
    let c = teller.csrf();
    let (status, h, _) =
        teller.post("/login", &[("username", "teller1"), ("password", &temporary), ("_csrf", &c)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/");
    for path in ["/", "/complaints", "/complaints/new", "/admin"] {
        let (status, h, _) = teller.get(path).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(h["location"], "/password", "{path}");
    }
    let (status, _, html) = teller.get("/password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"must-change\""), "{html}");
    let c = teller.csrf();
    let (status, _, html) = teller
        .post(
            "/password",
            &[
                ("_csrf", &c),
                ("current_password", "wrong"),
                ("new_password", "teller1-abc"),
                ("new_password_again", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["current_password", "new_password", "new_password_again"] {
        assert!(html.contains(&format!("data-field=\"{f}\"")), "{f}: {html}");
    }
    assert!(html.contains("不能包含用户名"), "{html}");
    let (status, h, _) = teller
        .post(
            "/password",
            &[
                ("_csrf", &c),
                ("current_password", &temporary),
                ("new_password", "my-own-pass-77"),
                ("new_password_again", "my-own-pass-77"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/");
    assert_eq!(teller.get("/").await.0, StatusCode::OK);
    assert_eq!(teller.get("/complaints").await.0, StatusCode::OK);
}

async fn the_user_form_tells_every_bad_field_beside_it(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.login("admin").await;
    let csrf = admin.csrf();
    let (status, _, html) = admin
        .post(
            "/admin/users/teller2",
            &[("_csrf", &csrf), ("display_name", ""), ("role", "teller"), ("org_unit", "ZZ99"), ("email", "nope")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["display_name", "org_unit", "email"] {
        assert!(html.contains(&format!("data-field=\"{f}\"")), "{f}: {html}");
    }
    assert!(html.contains("value=\"ZZ99\"") && html.contains("value=\"nope\""), "values kept: {html}");
    let (status, _, html) = admin
        .post(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("username", "X"),
                ("display_name", ""),
                ("role", "teller"),
                ("org_unit", "BJ0101"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["username", "display_name", "password"] {
        assert!(html.contains(&format!("data-field=\"{f}\"")), "{f}: {html}");
    }
}
