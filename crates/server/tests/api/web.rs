//! The web pages over HTTP: login with CSRF, per-role home pages, the order page and its scope,
//! the language switch, security headers, and the public progress page.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};

both_backends!(
    pages_log_in_show_each_role_its_orders_and_keep_scope,
    progress_page_shows_state_and_dates_only_and_is_throttled,
    a_teller_registers_with_the_form_and_sees_errors_in_place,
    the_outlet_head_handles_an_order_through_its_forms,
    supervisors_see_breaches_and_escalations_in_their_subtree,
    the_list_page_filters_sorts_pages_and_exports,
    admin_pages_manage_units_users_classes_policy_and_calendar
);

fn cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(|s| s.to_string()).collect()
}

fn cookie_pair(set: &[String], name: &str) -> Option<String> {
    set.iter().find(|c| c.starts_with(&format!("{name}="))).map(|c| c.split(';').next().unwrap().to_string())
}

/// A browser-like client: no redirects followed, cookies carried by hand.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
    pub jar: Vec<String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            base: app.base.clone(),
            jar: Vec::new(),
        }
    }

    fn keep(&mut self, h: &HeaderMap) {
        for c in cookies(h) {
            let pair = c.split(';').next().unwrap().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            self.jar.retain(|p| !p.starts_with(&format!("{name}=")));
            if !pair.ends_with('=') {
                self.jar.push(pair);
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, HeaderMap, String) {
        let res =
            self.http.get(format!("{}{path}", self.base)).header("cookie", self.jar.join("; ")).send().await.unwrap();
        let (s, h) = (res.status(), res.headers().clone());
        self.keep(&h);
        (s, h, res.text().await.unwrap())
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.jar.join("; "))
            .form(form)
            .send()
            .await
            .unwrap();
        let (s, h) = (res.status(), res.headers().clone());
        self.keep(&h);
        (s, h, res.text().await.unwrap())
    }

    /// Posts a multipart form: the CSRF token and one file.
    pub async fn upload(&mut self, path: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, HeaderMap, String) {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", self.csrf())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.jar.join("; "))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (s, h) = (res.status(), res.headers().clone());
        self.keep(&h);
        (s, h, res.text().await.unwrap())
    }

    pub fn csrf(&self) -> String {
        self.jar.iter().find_map(|p| p.strip_prefix("xiaobao_csrf=")).unwrap().to_string()
    }

    pub async fn login(&mut self, user: &str) {
        self.get("/login").await;
        let csrf = self.csrf();
        let (status, h, _) = self.post("/login", &[("username", user), ("password", PASSWORD), ("_csrf", &csrf)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "login {user}");
        assert_eq!(h["location"], "/");
    }
}

async fn pages_log_in_show_each_role_its_orders_and_keep_scope(app: TestApp) {
    let k = app.register("teller1", "BJ0101", "13812345678").await;
    let (id, number) = (k["id"].as_i64().unwrap(), k["number"].as_str().unwrap().to_string());

    let mut b = Browser::new(&app);
    let (status, h, _) = b.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/login");
    let (status, h, html) = b.get("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(html.contains("name=\"_csrf\""), "{html}");
    let set = cookies(&h);
    assert!(
        set.iter().any(|c| c.starts_with("xiaobao_csrf=") && c.contains("HttpOnly") && c.contains("SameSite=Strict"))
    );
    // a form without the token is refused
    let (status, _, _) = b.post("/login", &[("username", "teller1"), ("password", PASSWORD), ("_csrf", "x")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = b.csrf();
    let (status, _, html) =
        b.post("/login", &[("username", "teller1"), ("password", "wrong-one"), ("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("用户名或密码错误"));
    let (status, h, _) = b.post("/login", &[("username", "teller1"), ("password", PASSWORD), ("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = cookie_pair(&cookies(&h), "xiaobao_session").unwrap();
    assert!(
        cookies(&h)
            .iter()
            .any(|c| c.starts_with("xiaobao_session=") && c.contains("HttpOnly") && c.contains("SameSite=Strict")),
        "{session}"
    );

    // the teller's home: their first-responder orders, masked
    let (_, _, html) = b.get("/").await;
    assert!(html.contains("我首问的工单"), "{html}");
    assert!(html.contains(&number));
    assert!(html.contains("朝阳门网点 (BJ0101)"), "unit always visible");
    let (_, _, html) = b.get(&format!("/complaints/{id}")).await;
    assert!(html.contains("138****5678") && !html.contains("13812345678"));

    // English
    let (status, _, _) = b.post("/lang", &[("to", "en"), ("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = b.get("/").await;
    assert!(html.contains("My first-responder orders"), "{html}");
    assert!(html.contains("lang=\"en\""));

    // the outlet head's queue, and the unmasked, logged read
    let mut head = Browser::new(&app);
    head.login("head1").await;
    let (_, _, html) = head.get("/").await;
    assert!(html.contains("待办工单") && html.contains(&number), "{html}");
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(html.contains("13812345678"));
    assert_eq!(app.store.access_log_for("complaint", id).await.unwrap().len(), 1);

    // a sibling outlet's head: not found, and the queue is empty
    let mut other = Browser::new(&app);
    other.login("head2").await;
    let (status, _, html) = other.get(&format!("/complaints/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("未找到"));
    let (_, _, html) = other.get("/").await;
    assert!(html.contains("没有待办工单") && !html.contains(&number));

    // logging out ends the session
    let csrf = b.csrf();
    let (status, _, _) = b.post("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/session", app.base))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn progress_page_shows_state_and_dates_only_and_is_throttled(app: TestApp) {
    let k = app.register("teller1", "BJ0101", "13812345678").await;
    let number = k["number"].as_str().unwrap().to_string();
    let mut b = Browser::new(&app);
    let (status, _, html) = b.get("/progress").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("投诉进度查询"));
    let csrf = b.csrf();
    let (_, _, html) = b.post("/progress", &[("number", &number), ("last4", "5678"), ("_csrf", &csrf)]).await;
    assert!(html.contains("id=\"progress-result\""), "{html}");
    assert!(html.contains("已登记"), "{html}");
    assert!(!html.contains("张三") && !html.contains("年费"), "no name, no content: {html}");
    let (_, _, html) = b.post("/progress", &[("number", &number), ("last4", "0000"), ("_csrf", &csrf)]).await;
    assert!(html.contains("未查到该投诉"));
    let mut last = StatusCode::OK;
    for _ in 0..10 {
        last = b.post("/progress", &[("number", &number), ("last4", "1111"), ("_csrf", &csrf)]).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

async fn a_teller_registers_with_the_form_and_sees_errors_in_place(app: TestApp) {
    let mut b = Browser::new(&app);
    b.login("teller1").await;
    let (_, _, html) = b.get("/").await;
    assert!(html.contains("id=\"register\""), "the teller's home has the form");
    let csrf = b.csrf();
    let form = |summary: &'static str, phone: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("channel", "counter".to_string()),
            ("name", "李四".to_string()),
            ("phone", phone.to_string()),
            ("elderly", "1".to_string()),
            ("category", "01".to_string()),
            ("summary", summary.to_string()),
            ("description", "排队一个多小时无人引导".to_string()),
        ]
    };
    let owned = form("", "13912345678");
    let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let before = app.store.count_complaints().await.unwrap();
    let (status, _, html) = b.post("/complaints/new", &refs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"summary\""), "{html}");
    assert!(html.contains("排队一个多小时无人引导"), "typed values are kept");
    let owned = form("排队时间过长", "12345");
    let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = b.post("/complaints/new", &refs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"complainant.phone\""), "{html}");
    assert_eq!(app.store.count_complaints().await.unwrap(), before, "refused forms write nothing");
    let owned = form("排队时间过长", "13912345678");
    let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, h, _) = b.post("/complaints/new", &refs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = h["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/complaints/"), "{location}");
    let (_, _, html) = b.get(&location).await;
    assert!(html.contains("排队时间过长") && html.contains("139****5678"), "{html}");
    let (status, h, body) = b.get("/static/app.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(body.contains("watchlist"));
}

async fn the_outlet_head_handles_an_order_through_its_forms(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13700000001").await["id"].as_i64().unwrap();
    let mut head = Browser::new(&app);
    head.login("head1").await;
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(html.contains("id=\"action-accept\"") && html.contains("id=\"action-decline\""), "{html}");
    assert!(!html.contains("id=\"action-decide\""), "only the actions allowed now are offered");
    assert!(html.contains("data-confirm"), "declining asks first");
    let csrf = head.csrf();
    let path = |a: &str| format!("/complaints/{id}/act/{a}");
    assert_eq!(head.post(&path("accept"), &[("_csrf", &csrf)]).await.0, StatusCode::SEE_OTHER);
    // accepting twice is refused with the reason, and changes nothing
    let (status, _, html) = head.post(&path("accept"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"action-error\""), "{html}");
    assert_eq!(
        head.post(&path("respond"), &[("_csrf", &csrf), ("text", "已电话联系客户")]).await.0,
        StatusCode::SEE_OTHER
    );
    let (status, _, html) =
        head.post(&path("decide"), &[("_csrf", &csrf), ("root_cause", "service_fault"), ("text", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let decide_form = html.split("id=\"action-decide\"").nth(1).unwrap().split("</form>").next().unwrap();
    assert!(decide_form.contains("data-field=\"text\""), "the error sits beside its field: {html}");
    assert!(decide_form.contains("<option value=\"service_fault\" selected"), "typed values are kept");
    assert!(
        decide_form.contains("name=\"cause\"") && decide_form.contains("value=\"12\""),
        "the cause codes are offered"
    );
    let (status, _, html) = head
        .post(&path("decide"), &[("_csrf", &csrf), ("root_cause", "service_fault"), ("text", "x"), ("amount", "abc")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"amount\""), "{html}");
    assert!(html.contains("value=\"abc\""), "{html}");

    // attachments: upload through the page's form (CSRF checked), listed, downloaded
    let upload = |token: String, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", token)
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        head.http
            .post(format!("{}/complaints/{id}/attachments", head.base))
            .header("cookie", head.jar.join("; "))
            .multipart(form)
    };
    let res = upload("wrong".into(), "a.pdf", b"%PDF-1.4 x".to_vec()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = upload(csrf.clone(), "a.pdf", b"MZ not a pdf".to_vec()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    let card = html.split("id=\"attachments\"").nth(1).unwrap();
    assert!(card.contains("data-field=\"file\"") && card.contains("id=\"no-attachments\""), "{html}");
    let res = upload(csrf.clone(), "来电记录.txt", "客户来电要求退费".as_bytes().to_vec()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    let aid = app.store.attachments(id).await.unwrap()[0].id;
    let link = format!("/complaints/{id}/attachments/{aid}");
    assert!(html.contains(&link) && html.contains("来电记录.txt"), "{html}");
    // the timeline names each event and state in words
    let timeline = html.split("id=\"timeline\"").nth(1).unwrap().split("</table>").next().unwrap();
    let row = |kind: &str| {
        timeline.split(&format!("data-kind=\"{kind}\"")).nth(1).unwrap().split("</tr>").next().unwrap().to_string()
    };
    assert!(row("register").contains("登记") && row("register").contains("已登记"), "{timeline}");
    assert!(row("accept").contains("受理") && row("accept").contains("已登记 → 已受理"), "{timeline}");
    assert!(row("attach").contains("上传附件"), "{timeline}");
    assert!(!timeline.contains("registered"), "no stored names: {timeline}");
    let (status, h, body) = head.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(body, "客户来电要求退费");
    let mut other = Browser::new(&app);
    other.login("head2").await;
    let (status, _, html) = other.get(&link).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");
    let decide = [
        ("_csrf", csrf.as_str()),
        ("liable", "true"),
        ("root_cause", "service_fault"),
        ("amount", "300"),
        ("text", "退还年费并致歉"),
        ("cause", ""),
    ];
    assert_eq!(head.post(&path("decide"), &decide).await.0, StatusCode::SEE_OTHER);
    let k = app.store.complaint(id).await.unwrap().unwrap();
    assert_eq!(k.order.state, xiaobao_core::complaint::State::Decided);
    assert!(k.order.decision.as_ref().unwrap().liable);
    // the teller sees it decided and records the complainant's response
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    let (_, _, html) = teller.get(&format!("/complaints/{id}")).await;
    assert!(html.contains("已作出处理决定") && html.contains("id=\"action-close\""), "{html}");
    let csrf = teller.csrf();
    assert_eq!(
        teller.post(&path("close"), &[("_csrf", &csrf), ("feedback", "satisfied")]).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.store.complaint(id).await.unwrap().unwrap().order.state, xiaobao_core::complaint::State::Closed);
    // a sibling outlet cannot act by URL
    let csrf = other.csrf();
    assert_eq!(other.post(&path("reopen"), &[("_csrf", &csrf), ("reason", "x")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.events(id).await.len(), 6, "register, accept, respond, attach, decide, close");
}

async fn supervisors_see_breaches_and_escalations_in_their_subtree(app: TestApp) {
    let k = app.register("teller1", "BJ0101", "13700000002").await;
    let (id, number) = (k["id"].as_i64().unwrap(), k["number"].as_str().unwrap().to_string());
    let mut vp = Browser::new(&app);
    vp.login("vp").await;
    let (_, _, html) = vp.get("/").await;
    assert!(html.contains("辖内没有超时工单") && html.contains("辖内没有升级工单"), "{html}");
    app.clock.advance(chrono::Duration::hours(2));
    let (_, _, html) = vp.get("/").await;
    let breaches = html.split("id=\"breaches\"").nth(1).unwrap().split("id=\"escalations\"").next().unwrap();
    assert!(breaches.contains(&number), "the response clock ran out: {html}");
    app.act_ok("head1", id, "accept", serde_json::json!({})).await;
    app.act_ok("head1", id, "escalate", serde_json::json!({"reason": "网点无法解决"})).await;
    let (_, _, html) = vp.get("/").await;
    let escalations = html.split("id=\"escalations\"").nth(1).unwrap();
    assert!(escalations.contains(&number), "{html}");
    let (_, list) = app.get("vp", "/api/v1/complaints?escalated=true").await;
    assert_eq!(list["total"], 1);
    // a teller's home has neither card
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    let (_, _, html) = teller.get("/").await;
    assert!(!html.contains("id=\"breaches\""));
}

async fn the_list_page_filters_sorts_pages_and_exports(app: TestApp) {
    let mut numbers = Vec::new();
    for i in 0..3 {
        app.clock.advance(chrono::Duration::minutes(1));
        numbers.push(
            app.register("teller1", "BJ0101", &format!("1330000000{i}")).await["number"].as_str().unwrap().to_string(),
        );
    }
    let mut hot = crate::harness::complaint_body("BJ0102", "13300000009");
    hot["channel"] = serde_json::json!("hotline");
    let (_, k) = app.post("cpc", "/api/v1/complaints", hot).await;
    let hotline = k["number"].as_str().unwrap().to_string();

    let mut b = Browser::new(&app);
    let (status, h, _) = b.get("/complaints").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "login first");
    assert_eq!(h["location"], "/login");
    b.login("ops").await;
    let (status, _, html) = b.get("/complaints").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("共计 4"), "{html}");
    for n in numbers.iter().chain([&hotline]) {
        assert!(html.contains(n.as_str()));
    }
    // filter by channel
    let (_, _, html) = b.get("/complaints?channel=hotline").await;
    assert!(html.contains("共计 1") && html.contains(&hotline) && !html.contains(&numbers[0]));
    assert!(html.contains("<option value=\"hotline\" selected"), "the chosen filter stays chosen");
    // paging keeps the filter; newest first
    let (_, _, html) = b.get("/complaints?org_unit=BJ0101&per_page=20&page=1").await;
    assert!(html.contains("共计 3"));
    let pos: Vec<usize> = numbers.iter().map(|n| html.find(n.as_str()).unwrap()).collect();
    assert!(pos[2] < pos[1] && pos[1] < pos[0], "newest received first");
    let (_, _, html) = b.get("/complaints?org_unit=BJ0101&per_page=20&sort=due").await;
    assert!(html.contains("<option value=\"due\" selected"));
    // more than one page: a next link that keeps the filter
    let (_, _, html) = b.get("/complaints?per_page=20&page=1&channel=counter").await;
    assert!(!html.contains("id=\"next\""), "3 orders fit one page");
    // a wrong filter is shown beside its field and lists nothing
    let (status, _, html) = b.get("/complaints?received_from=yesterday").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"received_from\""), "{html}");
    assert!(!html.contains(&numbers[0]));
    // a unit outside the scope is refused as not found, beside the unit field
    let (status, _, html) = b.get("/complaints?org_unit=SH01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"org_unit\""), "{html}");
    // the outlet head of BJ0102 sees only the hotline order
    let mut head2 = Browser::new(&app);
    head2.login("head2").await;
    let (_, _, html) = head2.get("/complaints").await;
    assert!(html.contains("共计 1") && html.contains(&hotline) && !html.contains(&numbers[0]));
    // the export link carries the filter; the download is an xlsx of what the page lists
    let (_, _, html) = b.get("/complaints?channel=hotline").await;
    assert!(html.contains("href=\"/complaints/export.xlsx?channel=hotline\""), "{html}");
    let res = b
        .http
        .get(format!("{}/complaints/export.xlsx?channel=hotline", b.base))
        .header("cookie", b.jar.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let r = wb.worksheet_range("工单").unwrap();
    assert_eq!(r.height(), 2);
    assert_eq!(r.get_value((1, 0)).unwrap().to_string(), hotline);

    // the consumer-protection centre's home: the bank-wide board, each figure opening its list
    let mut cpc = Browser::new(&app);
    cpc.login("cpc").await;
    let (_, _, html) = cpc.get("/").await;
    assert!(
        html.contains("id=\"board\"") && html.contains("data-unit=\"BJ\"") && html.contains("data-unit=\"SH\""),
        "{html}"
    );
    assert!(html.contains("href=\"/complaints?org_unit=BJ&amp;open=true\">4</a>"), "{html}");
    let (_, _, html) = cpc.get("/complaints?org_unit=BJ&open=true").await;
    assert!(html.contains("共计 4"));
    // a teller has no board
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    let (_, _, html) = teller.get("/").await;
    assert!(!html.contains("id=\"board\""));
}

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
    let (status, _, html) = admin.post("/admin/users", &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (status, _, html) = admin.post("/admin/users", &pairs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"username\"") && html.contains("value=\"王五\""), "{html}");
    assert!(!html.contains("long-enough-9"), "a password is never shown again");
    let (status, _, html) = admin.get("/admin/users/wangwu").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-confirm-if-unchecked=\"active\""), "deactivating asks first");
    let (status, _, _) = admin
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
    let (u, _) = app.store.user_for_login("wangwu").await.unwrap().unwrap();
    assert_eq!(u.role, xiaobao_core::role::Role::LobbyManager);
    assert!(!u.active, "unchecked: deactivated");
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

    // the deadline policy: shown as JSON; a bad value names its field and changes nothing
    let (_, _, html) = admin.get("/admin/policy").await;
    assert!(html.contains("id=\"policy-summary\"") && html.contains("repeat_window_days"), "{html}");
    let mut policy = serde_json::to_value(&app.store.rules().policy).unwrap();
    policy["repeat_window_days"] = serde_json::json!(0);
    let text = policy.to_string();
    let (status, _, html) = admin.post("/admin/policy", &[("_csrf", &csrf), ("policy", &text)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("repeat_window_days"), "{html}");
    assert_ne!(app.store.rules().policy.repeat_window_days, 0);
    let (status, _, html) = admin.post("/admin/policy", &[("_csrf", &csrf), ("policy", "{not json")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("JSON"), "{html}");
    policy["repeat_window_days"] = serde_json::json!(90);
    let (status, _, _) = admin.post("/admin/policy", &[("_csrf", &csrf), ("policy", &policy.to_string())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.rules().policy.repeat_window_days, 90);

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

both_backends!(the_measures_page_shows_figures_drill_down_and_trend_to_those_who_may_read_them);

async fn the_measures_page_shows_figures_drill_down_and_trend_to_those_who_may_read_them(app: TestApp) {
    crate::measures::constructed_bank(&app).await;
    let mut cpc = Browser::new(&app);
    cpc.login("cpc").await;
    let (status, _, html) = cpc.get("/measures?org_unit=BJ01&from=2025-03-01&to=2025-03-31&by=unit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"nav-measures\""));
    assert!(html.contains("<td class=\"num\" id=\"received\">5</td>"), "{html}");
    let row = |name: &str| {
        let at = html.find(&format!("data-rate=\"{name}\"")).unwrap();
        let end = at + html[at..].find("</tr>").unwrap();
        html[at..end].to_string()
    };
    assert!(row("timely_response_rate").contains("50.00%") && row("timely_response_rate").contains("1 / 2"));
    assert!(row("per_10k_customers").contains("1.7"));
    assert!(row("satisfaction").contains("50.00%"));
    // the drill-down by child unit, each a link to its own drill-down
    assert!(html.contains("data-key=\"BJ0101\"") && html.contains("data-key=\"BJ0102\""));
    assert!(html.contains("href=\"/measures?org_unit=BJ0101&amp;from=2025-03-01&amp;to=2025-03-31&amp;by=unit\""));
    // the monthly trend: one bar for March, with the count
    assert!(html.contains("id=\"volume-chart\"") && html.contains("data-month=\"2025-03\""));
    assert!(html.contains("<title>2025-03: 5</title>"), "{html}");
    assert!(html.contains("data-rate=\"timely_response_rate\" points=\""));
    // a range without complaints says so
    let (_, _, html) = cpc.get("/measures?org_unit=BJ01&from=2024-01-01&to=2024-01-31").await;
    assert!(html.contains("id=\"empty\""));
    // a wrong date is shown beside its field
    let (status, _, html) = cpc.get("/measures?from=March").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"from\""));
    // in Chinese by default, in English on request
    let (_, _, html) = cpc.get("/measures?org_unit=BJ01&from=2025-03-01&to=2025-03-31").await;
    assert!(html.contains("及时响应率") && html.contains("万人投诉率"));
    cpc.jar.push("xiaobao_lang=en".into());
    let (_, _, html) = cpc.get("/measures?org_unit=BJ01&from=2025-03-01&to=2025-03-31").await;
    assert!(html.contains("Timely response rate") && html.contains("Per 10,000 customers"));
    // a teller may not read the measures and is not offered the page
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    let (_, _, home) = teller.get("/").await;
    assert!(!home.contains("nav-measures"));
    let (status, _, _) = teller.get("/measures").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

both_backends!(an_address_whose_id_does_not_parse_is_the_not_found_page);

async fn an_address_whose_id_does_not_parse_is_the_not_found_page(app: TestApp) {
    let mut head = Browser::new(&app);
    head.login("head1").await;
    for path in ["/complaints/abc", "/complaints/1/attachments/abc", "/complaints/99999999999999999999"] {
        let (status, _, html) = head.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("id=\"not-found\"") && !html.contains("Invalid URL"), "{path}: {html}");
    }
    // the API keeps answering with a problem document naming the request
    let (status, p) = app.get("head1", "/api/v1/complaints/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(p["field"], "request");
}

both_backends!(a_first_visit_speaks_the_browsers_language_until_the_user_chooses);

/// Pages follow `Accept-Language` as the API does, until the user picks a language with the switch.
async fn a_first_visit_speaks_the_browsers_language_until_the_user_chooses(app: TestApp) {
    let http = reqwest::Client::new();
    let page = |lang: &'static str, cookie: Option<&'static str>| {
        let (http, base) = (http.clone(), app.base.clone());
        async move {
            let mut req = http.get(format!("{base}/login")).header("accept-language", lang);
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            req.send().await.unwrap().text().await.unwrap()
        }
    };
    assert!(page("en-US,en;q=0.9", None).await.contains("lang=\"en\""));
    assert!(page("zh-CN,zh;q=0.9,en;q=0.5", None).await.contains("lang=\"zh-CN\""));
    assert!(page("en-GB", Some("xiaobao_lang=zh")).await.contains("lang=\"zh-CN\""), "the user's choice wins");
    assert!(page("zh-CN", Some("xiaobao_lang=en")).await.contains("lang=\"en\""));
    // the API's problems follow the same rule
    let res = http
        .get(format!("{}/api/v1/complaints/1", app.base))
        .header("accept-language", "zh-CN")
        .header("cookie", "xiaobao_lang=en")
        .send()
        .await
        .unwrap();
    let problem: serde_json::Value = res.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().is_ascii(), "{problem}");
}
