//! The counter satisfaction sheet and the service measures' inspection figures through the API, and
//! the service pages, to the digit over constructed outlets.

use crate::both_backends;
use crate::harness::TestApp;
use crate::service::{send, token};
use crate::web::Browser;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xiaobao_core::role::Role;

both_backends!(
    the_satisfaction_sheet_counts_each_teller_and_keeps_the_agreed_improvement,
    notes_are_refused_naming_the_field_and_out_of_scope_reads_as_not_found,
    the_service_measures_carry_the_inspection_coverage_and_average_score,
    the_service_page_shows_figures_charts_heat_map_and_drill_down_in_scope,
    the_sheet_page_saves_a_note_with_a_notice_and_keeps_a_refused_one_in_place
);

fn ratings(device: &str, outlet: &str, rows: &[(&str, i64, Option<&str>)]) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(n, (teller, score, reason))| {
            json!({"device": device, "seq": n + 1, "outlet": outlet, "teller": teller,
                "rated_at": format!("2025-02-{:02}T10:{:02}:00+08:00", 10 + n, n), "score": score, "reason": reason})
        })
        .collect();
    json!({ "ratings": rows })
}

/// February at BJ0101: teller1 rated 5, 4, 2 (long wait), 1 (attitude), 2 (long wait); lobby1 5, 5,
/// 3. At BJ0102 teller2 once, very dissatisfied.
async fn february(app: &TestApp) {
    let (_, ev) = token(app, "evaluator", "BJ0101").await;
    let rows = [
        ("teller1", 5, None),
        ("teller1", 4, None),
        ("teller1", 2, Some("01")),
        ("teller1", 1, Some("02")),
        ("teller1", 2, Some("01")),
        ("lobby1", 5, None),
        ("lobby1", 5, None),
        ("lobby1", 3, None),
    ];
    let (status, a) = send(app, &ev, "/api/v1/ratings", ratings("EV1", "BJ0101", &rows)).await;
    assert_eq!((status, a["accepted"].as_i64()), (StatusCode::OK, Some(8)), "{a}");
    let (_, ev2) = token(app, "evaluator", "BJ0102").await;
    let (status, _) = send(app, &ev2, "/api/v1/ratings", ratings("EV2", "BJ0102", &[("teller2", 1, Some("01"))])).await;
    assert_eq!(status, StatusCode::OK);
}

const SHEET: &str = "/api/v1/satisfaction-sheet?org_unit=BJ0101&month=2025-02";

fn note(teller: &str, month: &str, text: &str) -> Value {
    json!({"org_unit": "BJ0101", "month": month, "teller": teller, "note": text})
}

async fn the_satisfaction_sheet_counts_each_teller_and_keeps_the_agreed_improvement(mut app: TestApp) {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    february(&app).await;
    let (status, s) = app.get("head1", SHEET).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!((s["org_unit"]["code"].as_str(), s["month"].as_str()), (Some("BJ0101"), Some("2025-02")));
    assert_eq!(s["may_write"], true);
    let tellers = s["tellers"].as_array().unwrap();
    assert_eq!(tellers.iter().map(|t| t["teller"].as_str().unwrap()).collect::<Vec<_>>(), ["lobby1", "teller1"]);
    let t1 = &tellers[1];
    assert_eq!(t1["ratings"], 5);
    assert_eq!(t1["scores"], json!({"1": 1, "2": 2, "3": 0, "4": 1, "5": 1}));
    assert_eq!((t1["satisfied"].as_i64(), t1["dissatisfied"].as_i64()), (Some(2), Some(3)));
    assert_eq!(t1["counter_satisfaction_rate"]["display"], "40.00%");
    assert_eq!(t1["dissatisfied_by_reason"], json!({"01": 2, "02": 1}));
    assert_eq!(t1["note"], Value::Null);
    let l1 = &tellers[0];
    assert_eq!(
        (l1["ratings"].as_i64(), l1["counter_satisfaction_rate"]["display"].as_str()),
        (Some(3), Some("66.67%"))
    );
    assert_eq!(l1["dissatisfied_by_reason"], json!({}));
    // the outlet: 8 ratings, 4 satisfied
    assert_eq!(
        (s["total"]["ratings"].as_i64(), s["total"]["counter_satisfaction_rate"]["display"].as_str()),
        (Some(8), Some("50.00%"))
    );
    assert!(s["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "01"), "{s}");

    // the outlet head writes the improvement agreed with teller1
    let text = "高峰时段提前开放弹性窗口；业务不熟部分由营运主管每周带教一次";
    let (status, n) = app
        .call("head1", Method::PUT, "/api/v1/satisfaction-sheet/notes", Some(note("teller1", "2025-02", text)))
        .await;
    assert_eq!(status, StatusCode::OK, "{n}");
    assert_eq!((n["teller"].as_str(), n["note"].as_str()), (Some("teller1"), Some(text)));
    let (_, s) = app.get("vp", SHEET).await;
    let t1 = &s["tellers"][1];
    assert_eq!(t1["note"], text);
    assert!(t1["note_by"].is_string() && t1["note_at"].as_str().unwrap().starts_with("2025-03-03"), "{t1}");
    // the service department may rewrite it; the other teller's line is untouched
    let (status, _) = app
        .call(
            "svc",
            Method::PUT,
            "/api/v1/satisfaction-sheet/notes",
            Some(note("teller1", "2025-02", "  服务部门复核：同意  ")),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, s) = app.get("head1", SHEET).await;
    assert_eq!(
        (s["tellers"][1]["note"].as_str(), s["tellers"][0]["note"].as_str()),
        (Some("服务部门复核：同意"), None)
    );
    // another month keeps its own
    let (_, march) = app.get("head1", "/api/v1/satisfaction-sheet?org_unit=BJ0101&month=2025-03").await;
    assert_eq!(march["tellers"], json!([]));

    // as a workbook, read back
    let (status, headers, bytes) =
        app.get_bytes("head1", &SHEET.replace("satisfaction-sheet?", "satisfaction-sheet/export?"), "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("满意度评价表").unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
    assert!(cell(0, 0).contains("网点柜员服务客户满意度评价表") && cell(0, 0).contains("2025-02"), "{}", cell(0, 0));
    assert_eq!((cell(1, 0), cell(1, 3), cell(1, 8)), ("柜员".into(), "5 分".into(), "满意率".into()));
    // teller1: 5 ratings; scores 5 … 1 are 1, 1, 0, 2, 1; 40.00 %
    assert_eq!(
        (cell(3, 1), cell(3, 2), cell(3, 3), cell(3, 4), cell(3, 5), cell(3, 6), cell(3, 7), cell(3, 8)),
        ("teller1".into(), "5".into(), "1".into(), "1".into(), "0".into(), "2".into(), "1".into(), "40.00%".into())
    );
    let reasons = s["reasons"].as_array().unwrap();
    let at = |code: &str| 9 + reasons.iter().position(|r| r["code"] == code).unwrap() as u32;
    assert_eq!((cell(3, at("01")), cell(3, at("02"))), ("2".into(), "1".into()));
    let last = 9 + reasons.len() as u32;
    assert_eq!((cell(1, last), cell(3, last)), ("改进措施".into(), "服务部门复核：同意".into()));
    assert_eq!((cell(4, 0), cell(4, 2), cell(4, 8)), ("网点合计".into(), "8".into(), "50.00%".into()));
}

async fn notes_are_refused_naming_the_field_and_out_of_scope_reads_as_not_found(mut app: TestApp) {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    february(&app).await;
    let put = |who: &'static str, body: Value| {
        let app = &app;
        async move { app.call(who, Method::PUT, "/api/v1/satisfaction-sheet/notes", Some(body)).await }
    };
    let (status, _) = put("head1", note("teller1", "2025-02", "先写一条")).await;
    assert_eq!(status, StatusCode::OK);
    let long = "字".repeat(501);
    for (body, field) in [
        (note("teller1", "2025-02", &long), "note"),
        (note("teller1", "2025-02", "   "), "note"),
        (note("teller1", "2025-13", "改进"), "month"),
        (note("teller1", "2025-04", "改进"), "month"),
        (note("teller1", "", "改进"), "month"),
        (note("teller2", "2025-02", "改进"), "teller"),
        (note("nobody", "2025-02", "改进"), "teller"),
        (note("", "2025-02", "改进"), "teller"),
    ] {
        let (status, p) = put("head1", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} {p}");
        assert_eq!(p["field"], field, "{body} {p}");
    }
    // the sheet is kept per outlet: a sub-branch is refused (to one who sees it)
    let (status, p) =
        put("svc", json!({"org_unit": "BJ01", "month": "2025-02", "teller": "teller1", "note": "改进"})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("org_unit")), "{p}");
    // exactly 500 characters is taken
    let (status, _) = put("svc", note("lobby1", "2025-02", &"字".repeat(500))).await;
    assert_eq!(status, StatusCode::OK);
    // nothing refused was written
    let (_, s) = app.get("head1", SHEET).await;
    assert_eq!(s["tellers"][1]["note"], "先写一条");
    // another outlet's head: the sheet and its notes are not found
    assert_eq!(app.get("head2", SHEET).await.0, StatusCode::NOT_FOUND);
    assert_eq!(put("head2", note("teller1", "2025-02", "越权")).await.0, StatusCode::NOT_FOUND);
    let (status, _, _) =
        app.get_bytes("head2", "/api/v1/satisfaction-sheet/export?org_unit=BJ0101&month=2025-02", "zh-CN").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // an outlet that does not exist reads the same
    assert_eq!(
        app.get("head1", "/api/v1/satisfaction-sheet?org_unit=XX99&month=2025-02").await.0,
        StatusCode::NOT_FOUND
    );
    // a teller reads no sheet; the auditor reads it and writes nothing — permission before the body
    assert_eq!(app.get("teller1", SHEET).await.0, StatusCode::FORBIDDEN);
    let (status, s) = app.get("auditor", SHEET).await;
    assert_eq!((status, s["may_write"].as_bool()), (StatusCode::OK, Some(false)));
    assert_eq!(put("auditor", note("teller1", "2025-02", "审计")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(put("teller1", json!({"nonsense": true})).await.0, StatusCode::FORBIDDEN);
    let (_, s) = app.get("head1", SHEET).await;
    assert_eq!(s["tellers"][1]["note"], "先写一条");
    // a bad month or no outlet on the read
    let (status, p) = app.get("head1", "/api/v1/satisfaction-sheet?org_unit=BJ0101&month=Feb").await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("month")));
    let (status, p) = app.get("head1", "/api/v1/satisfaction-sheet?month=2025-02").await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("org_unit")));
}

fn items() -> Value {
    json!([
        {"code": "A01", "group": "环境与设施", "text": "大堂整洁，标识清楚", "weight": 10},
        {"code": "B01", "group": "服务规范", "text": "柜员起身迎客、唱收唱付", "weight": 30},
        {"code": "C01", "group": "适老服务", "text": "备有老花镜、轮椅，爱心窗口开放", "weight": 60},
    ])
}

async fn inspect(app: &TestApp, unit: &str, on: &str, s: [u32; 3]) {
    let finding = |got: u32, of: u32| if got < of { json!("未达标") } else { Value::Null };
    let scores = json!([
        {"item": "A01", "score": s[0], "finding": finding(s[0], 10)},
        {"item": "B01", "score": s[1], "finding": finding(s[1], 30)},
        {"item": "C01", "score": s[2], "finding": finding(s[2], 60)},
    ]);
    let (status, v) = app
        .post("svc", "/api/v1/inspections", json!({"org_unit": unit, "kind": "on_site", "template": "SQ", "inspected_on": on, "summary": "例行检查", "scores": scores}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
}

async fn the_service_measures_carry_the_inspection_coverage_and_average_score(mut app: TestApp) {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    let (status, t) = app
        .post("svc", "/api/v1/inspection-templates", json!({"code": "SQ", "name": "网点服务检查表", "items": items()}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    inspect(&app, "BJ0101", "2025-03-01", [10, 30, 60]).await;
    inspect(&app, "BJ0101", "2025-03-03", [10, 20, 55]).await;
    inspect(&app, "BJ0102", "2025-02-27", [10, 30, 50]).await;
    let (status, m) = app.get("svc", "/api/v1/service-measures?org_unit=BJ01&from=2025-03-01&to=2025-03-03").await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        (m["outlets"].as_i64(), m["outlets_inspected"].as_i64(), m["inspections"].as_i64()),
        (Some(2), Some(1), Some(2))
    );
    assert_eq!(m["inspection_coverage"]["display"], "50.00%");
    assert_eq!(
        (m["inspection_coverage"]["numerator"].as_i64(), m["inspection_coverage"]["denominator"].as_i64()),
        (Some(1), Some(2))
    );
    // (100.00 + 85.00) / 2
    assert_eq!(m["average_inspection_score"]["display"], "92.50%");
    // with February: both outlets, (100 + 85 + 90) / 3
    let (_, m) = app.get("svc", "/api/v1/service-measures?org_unit=BJ01&from=2025-02-01&to=2025-03-03").await;
    assert_eq!((m["outlets_inspected"].as_i64(), m["inspections"].as_i64()), (Some(2), Some(3)));
    assert_eq!(m["inspection_coverage"]["display"], "100.00%");
    assert_eq!(m["average_inspection_score"]["display"], "91.67%");
    // one outlet, nothing inspected in January: no score to average
    let (_, m) = app.get("head1", "/api/v1/service-measures?org_unit=BJ0101&from=2025-01-01&to=2025-01-31").await;
    assert_eq!((m["outlets"].as_i64(), m["outlets_inspected"].as_i64()), (Some(1), Some(0)));
    assert_eq!(
        (m["inspection_coverage"]["display"].as_str(), m["average_inspection_score"]["display"].as_str()),
        (Some("0.00%"), Some("—"))
    );
}

async fn the_service_page_shows_figures_charts_heat_map_and_drill_down_in_scope(mut app: TestApp) {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    february(&app).await;
    let (_, queue) = token(&app, "queue", "BJ0101").await;
    let ticket = |n: &str, taken: &str, called: &str| {
        json!({"outlet": "BJ0101", "number": n, "business": "personal", "taken_at": format!("2025-02-10T{taken}+08:00"),
               "called_at": format!("2025-02-10T{called}+08:00"), "teller": "teller1"})
    };
    let tickets = json!({"tickets": [ticket("A1", "09:00:00", "09:05:00"), ticket("A2", "09:10:00", "09:40:00"), ticket("A3", "14:00:00", "14:02:00")]});
    assert_eq!(send(&app, &queue, "/api/v1/queue-tickets", tickets).await.0, StatusCode::OK);
    let mut svc = Browser::new(&app);
    svc.login("svc").await;
    let (status, _, html) = svc.get("/service?org_unit=BJ0101&from=2025-02-01&to=2025-02-28&by=teller").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"nav-service\""));
    // 8 ratings, 4 satisfied; 3 tickets, one over 20 minutes; waits 5, 30 and 2 minutes
    let kpi = |id: &str| {
        let at = html.find(&format!("id=\"{id}\"")).unwrap();
        html[at..at + html[at..].find("</div>").unwrap()].to_string()
    };
    assert!(kpi("svc-rate").contains("50.00%") && kpi("svc-rate").contains("4 / 8"), "{}", kpi("svc-rate"));
    assert!(kpi("svc-overtime").contains("33.33%") && kpi("svc-overtime").contains("1 / 3"));
    assert!(kpi("svc-average-wait").contains("12.3 分钟"), "{}", kpi("svc-average-wait"));
    assert!(html.contains("柜面服务满意率") && html.contains("不满意原因"));
    // the charts: images with titles; the heat map's cells name their day and hour
    for id in ["score-chart", "service-rates-chart", "service-ratings-chart", "heat-map"] {
        assert!(html.contains(&format!("id=\"{id}\" role=\"img\"")), "{id}");
    }
    assert!(html.contains("data-day=\"02-10\" data-hour=\"09\""), "{html}");
    assert!(html.contains("<title>2025-02-10 09时：叫号 2 笔，平均等候 17.5 分钟，超时 1 笔</title>"), "{html}");
    // by teller at an outlet, each line opens the month's sheet
    assert!(
        html.contains("data-key=\"teller1\"")
            && html.contains("href=\"/service/sheet?org_unit=BJ0101&amp;month=2025-02\"")
    );
    // by child unit: an outlet opens by teller, a sub-branch by unit
    let (_, _, html) = svc.get("/service?org_unit=BJ01&from=2025-02-01&to=2025-02-28&by=unit").await;
    assert!(
        html.contains("href=\"/service?org_unit=BJ0101&amp;from=2025-02-01&amp;to=2025-02-28&amp;by=teller\""),
        "{html}"
    );
    let (_, _, html) = svc.get("/service?org_unit=BJ&from=2025-02-01&to=2025-02-28&by=unit").await;
    assert!(
        html.contains("href=\"/service?org_unit=BJ01&amp;from=2025-02-01&amp;to=2025-02-28&amp;by=unit\""),
        "{html}"
    );
    // by month: a month opens its days
    let (_, _, html) = svc.get("/service?org_unit=BJ0101&from=2025-01-01&to=2025-02-28&by=month").await;
    assert!(
        html.contains("href=\"/service?org_unit=BJ0101&amp;from=2025-02-01&amp;to=2025-02-28&amp;by=day\""),
        "{html}"
    );
    // nothing in January
    let (_, _, html) = svc.get("/service?org_unit=BJ0101&from=2025-01-01&to=2025-01-31").await;
    assert!(html.contains("id=\"empty\""));
    // a wrong date beside its field
    let (status, _, html) = svc.get("/service?from=Feb").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"from\""));
    // in English
    svc.jar.push("xiaobao_lang=en".into());
    let (_, _, html) = svc.get("/service?org_unit=BJ0101&from=2025-02-01&to=2025-02-28").await;
    assert!(html.contains("Counter satisfaction rate") && html.contains("Waiting heat map") && !html.contains('⟦'));
    // another outlet's head: not found; a teller: not offered, forbidden
    let mut head2 = Browser::new(&app);
    head2.login("head2").await;
    assert_eq!(head2.get("/service?org_unit=BJ0101").await.0, StatusCode::NOT_FOUND);
    assert_eq!(head2.get("/service").await.0, StatusCode::OK);
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    assert!(!teller.get("/").await.2.contains("nav-service"));
    assert_eq!(teller.get("/service").await.0, StatusCode::FORBIDDEN);
    assert_eq!(teller.get("/service/sheet?org_unit=BJ0101&month=2025-02").await.0, StatusCode::FORBIDDEN);
}

async fn the_sheet_page_saves_a_note_with_a_notice_and_keeps_a_refused_one_in_place(app: TestApp) {
    february(&app).await;
    let mut head = Browser::new(&app);
    head.login("head1").await;
    // the outlet head's own outlet, this month by default: nothing rated yet in March
    let (status, _, html) = head.get("/service/sheet").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"empty\"") && html.contains("value=\"BJ0101\""), "{html}");
    let (status, _, html) = head.get("/service/sheet?org_unit=BJ0101&month=2025-02").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("网点柜员服务客户满意度评价表") && html.contains("data-teller=\"teller1\""));
    assert!(
        html.contains("id=\"note-teller1\"")
            && html.contains("href=\"/api/v1/satisfaction-sheet/export?org_unit=BJ0101&amp;month=2025-02\"")
    );
    let csrf = head.csrf();
    let form = |note: &str| -> Vec<(&'static str, String)> {
        vec![
            ("_csrf", csrf.clone()),
            ("org_unit", "BJ0101".into()),
            ("month", "2025-02".into()),
            ("teller", "teller1".into()),
            ("note", note.into()),
        ]
    };
    let pairs = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let f = pairs(&form("下月起高峰时段增开窗口"));
    let borrowed: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, h, _) = head.post("/service/sheet", &borrowed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = h["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/service/sheet?org_unit=BJ0101&month=2025-02&saved="), "{to}");
    let (_, _, html) = head.get(&to).await;
    assert!(html.contains("id=\"notice\"") && html.contains("已保存"), "{html}");
    assert!(html.contains("下月起高峰时段增开窗口"));
    // too long: refused beside the note, the text kept, nothing written
    let long = "长".repeat(501);
    let f = pairs(&form(&long));
    let borrowed: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = head.post("/service/sheet", &borrowed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"note\"") && html.contains(&long), "{html}");
    let (_, s) = app.get("head1", SHEET).await;
    assert_eq!(s["tellers"][1]["note"], "下月起高峰时段增开窗口");
    // without the CSRF token: refused
    let (status, _, _) = head
        .post("/service/sheet", &[("org_unit", "BJ0101"), ("month", "2025-02"), ("teller", "teller1"), ("note", "x")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // another outlet's head: not found, by page and by form
    let mut head2 = Browser::new(&app);
    head2.login("head2").await;
    assert_eq!(head2.get("/service/sheet?org_unit=BJ0101&month=2025-02").await.0, StatusCode::NOT_FOUND);
    let c2 = head2.csrf();
    let (status, _, _) = head2
        .post(
            "/service/sheet",
            &[
                ("_csrf", c2.as_str()),
                ("org_unit", "BJ0101"),
                ("month", "2025-02"),
                ("teller", "teller1"),
                ("note", "越权"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // the print view: the sheet and its notes, no forms
    let (_, _, html) = head.get("/service/sheet?org_unit=BJ0101&month=2025-02&print=1").await;
    assert!(
        html.contains("class=\"signatures\"")
            && html.contains("data-print")
            && !html.contains("id=\"note-teller1\"")
            && html.contains("下月起高峰时段增开窗口")
    );
    // in English
    head.jar.push("xiaobao_lang=en".into());
    let (_, _, html) = head.get("/service/sheet?org_unit=BJ0101&month=2025-02").await;
    assert!(html.contains("Agreed improvement") && !html.contains('⟦'));
}
