//! Weekly lobby reports through the API: written by the lobby manager with the outlet's figures of
//! the week, one per outlet and week; sent back with a reason and written again (the earlier
//! version kept); signed off by the outlet head and not changed after; another outlet finds none of
//! it; `missing` to the digit before and after the deadline; the head reminded once; the export
//! read back; the figures' compliance.

use crate::both_backends;
use crate::harness::TestApp;
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xiaobao_core::role::Role;

both_backends!(
    a_weekly_report_is_written_sent_back_written_again_and_signed_off,
    missing_reports_are_listed_after_the_deadline_and_each_head_is_reminded_once
);

fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn report(unit: &str, week: &str) -> Value {
    json!({"org_unit": unit, "week": week, "consumer_protection": "开展反诈宣传两次，张贴风险提示",
           "service_quality": "周二午间排队较长，已增开一个窗口", "complaints": "受理投诉一件，已当场化解"})
}

async fn a_weekly_report_is_written_sent_back_written_again_and_signed_off(mut app: TestApp) {
    // a complaint of this week at the outlet: the report's figures count it
    app.register("teller1", "BJ0101", "13900001111").await;
    let (_, pre) = app.get("lobby1", "/api/v1/weekly-reports/prefill?org_unit=BJ0101&week=2025-W10").await;
    assert_eq!(pre["complaints_received"].as_i64(), Some(1), "{pre}");
    let (status, made) = app.post("lobby1", "/api/v1/weekly-reports", report("BJ0101", "2025-W10")).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let r = &made["report"];
    let id = r["id"].as_i64().unwrap();
    assert_eq!((r["state"].as_str(), r["week"].as_str()), (Some("submitted"), Some("2025-W10")));
    assert_eq!(r["figures"]["complaints_received"].as_i64(), Some(1));
    // due by the end of the first working day after the week: Monday 10 March
    assert_eq!(r["due_at"], "2025-03-11T00:00:00.000+08:00");
    assert_eq!(made["actions"], json!(["rewrite", "attach"]));

    // one per outlet and week; bad fields each named; who may not write
    let (status, p) = app.post("lobby1", "/api/v1/weekly-reports", report("BJ0101", "2025-W10")).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("week")), "{p}");
    let (status, p) = app
        .post(
            "lobby1",
            "/api/v1/weekly-reports",
            json!({"org_unit": "BJ0102", "week": "2025-W99", "consumer_protection": "",
              "service_quality": " ", "complaints": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["org_unit", "week", "consumer_protection", "service_quality"], "{p}");
    let (_, p) = app.post("lobby1", "/api/v1/weekly-reports", report("BJ0101", "2025-W12")).await;
    assert_eq!(p["errors"][0]["field"], "week", "a week not begun: {p}");
    assert_eq!(
        app.post("teller1", "/api/v1/weekly-reports", report("BJ0101", "2025-W09")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.post("ops", "/api/v1/weekly-reports", report("BJ0101", "2025-W09")).await.0, StatusCode::FORBIDDEN);
    app.add_user("lobby9", Role::LobbyManager, "BJ01").await;
    let (_, p) = app.post("lobby9", "/api/v1/weekly-reports", report("BJ01", "2025-W09")).await;
    assert_eq!(p["errors"][0]["field"], "org_unit", "a sub-branch writes none: {p}");

    // the writer cannot sign it; the head sends it back with a reason
    let path = format!("/api/v1/weekly-reports/{id}");
    assert_eq!(app.post("lobby1", &format!("{path}/sign_off"), json!({})).await.0, StatusCode::FORBIDDEN);
    let (_, seen) = app.get("head1", &path).await;
    assert_eq!(seen["actions"], json!(["rewrite", "attach", "sign_off", "send_back"]));
    let (status, p) = app.post("head1", &format!("{path}/send_back"), json!({"reason": "  "})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{p}");
    app.clock.advance(Duration::minutes(30));
    let (status, b) = app.post("head1", &format!("{path}/send_back"), json!({"reason": "投诉处理情况请写具体"})).await;
    assert_eq!((status, b["report"]["state"].as_str()), (StatusCode::OK, Some("sent_back")), "{b}");
    assert_eq!(app.post("head1", &format!("{path}/sign_off"), json!({})).await.0, StatusCode::CONFLICT);
    // written again: the week and outlet stay, the earlier version is kept
    let mut again = report("BJ0101", "2025-W09");
    let (_, p) = app.call("lobby1", Method::PATCH, &path, Some(json!({"version": 2, "record": again}))).await;
    assert_eq!(fields(&p), ["record.week"], "{p}");
    again = report("BJ0101", "2025-W10");
    again["complaints"] = json!("受理投诉一件（存款利率咨询引发），当场解释并致歉，客户满意");
    app.clock.advance(Duration::minutes(30));
    let (status, w) = app.call("lobby1", Method::PATCH, &path, Some(json!({"version": 2, "record": again}))).await;
    assert_eq!((status, w["report"]["state"].as_str()), (StatusCode::OK, Some("submitted")), "{w}");
    assert_eq!(w["versions"][0]["record"]["complaints"], "受理投诉一件，已当场化解");
    // another outlet sees none of it
    assert_eq!(app.get("head2", &path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.post("head2", &format!("{path}/sign_off"), json!({})).await.0, StatusCode::NOT_FOUND);
    let (_, theirs) = app.get("head2", "/api/v1/weekly-reports").await;
    assert_eq!(theirs["total"].as_i64(), Some(0));
    let (status, s) = app.post("head1", &format!("{path}/sign_off"), json!({})).await;
    assert_eq!(
        (status, s["report"]["state"].as_str(), s["report"]["signed_by"].as_str()),
        (StatusCode::OK, Some("signed"), Some("head1")),
        "{s}"
    );
    // signed: it reaches the centre, and is not changed any more
    let (_, central) = app.get("cpc", "/api/v1/weekly-reports?org_unit=HO&state=signed&week=2025-W10").await;
    assert_eq!(central["items"][0]["id"].as_i64(), Some(id), "{central}");
    assert_eq!(
        app.call("lobby1", Method::PATCH, &path, Some(json!({"version": 4, "record": again}))).await.0,
        StatusCode::CONFLICT
    );

    // the export, read back
    let (status, _, bytes) = app.get_bytes("ops", "/api/v1/weekly-reports/export?org_unit=BJ01", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("大堂周报").unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(
        (cell(2, 0), cell(2, 1), cell(2, 3), cell(2, 5), cell(2, 6)),
        ("2025-W10".into(), "BJ0101".into(), "已签批".into(), "head1".into(), "1".into())
    );
    assert_eq!(
        app.store.access_log_for("workbook", id).await.unwrap().len(),
        4,
        "written, sent back, written again, signed"
    );
    assert!(app.store.verify_chain().await.unwrap().ok());
}

async fn missing_reports_are_listed_after_the_deadline_and_each_head_is_reminded_once(app: TestApp) {
    // last week (2025-W09): BJ0101 signed, BJ0102 written but not signed
    let (_, a) = app.post("lobby1", "/api/v1/weekly-reports", report("BJ0101", "2025-W09")).await;
    let a = a["report"]["id"].as_i64().unwrap();
    assert_eq!(app.post("head1", &format!("/api/v1/weekly-reports/{a}/sign_off"), json!({})).await.0, StatusCode::OK);
    let (_, b) = app.post("head2", "/api/v1/weekly-reports", report("BJ0102", "2025-W09")).await;
    let b = b["report"]["id"].as_i64().unwrap();
    let (status, m) = app.get("ops", "/api/v1/weekly-reports/missing?week=2025-W09").await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        (m["outlets"].as_i64(), m["signed"].as_i64(), m["past_due"].as_bool()),
        (Some(2), Some(1), Some(false)),
        "{m}"
    );
    assert_eq!(
        m["missing"],
        json!([{"org_unit": {"code": "BJ0102", "name": "建国门网点"}, "report": b, "state": "submitted"}])
    );
    let (_, whole) = app.get("cpc", "/api/v1/weekly-reports/missing?week=2025-W09&org_unit=HO").await;
    assert_eq!(whole["outlets"].as_i64(), Some(2), "the bank's outlets: {whole}");
    let (_, one) = app.get("head1", "/api/v1/weekly-reports/missing?week=2025-W09").await;
    assert_eq!((one["outlets"].as_i64(), one["missing"].as_array().map(Vec::len)), (Some(1), Some(0)), "{one}");
    assert_eq!(app.get("lobby1", "/api/v1/weekly-reports/missing").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("head2", "/api/v1/weekly-reports/missing?org_unit=BJ0101").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, p) = app.get("ops", "/api/v1/weekly-reports/missing?week=2025-53").await;
    assert_eq!(p["field"], "week", "{p}");

    // before the deadline (end of Monday 3 March) nobody is reminded; after it the head of BJ0102, once
    use xiaobao_server::service_notices::remind_weekly;
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    let earlier = remind_weekly(&app.state, t("2025-03-03T18:00:00+08:00")).await.unwrap();
    assert_eq!(earlier, 2, "the week before (2025-W08) had no reports at all: both heads");
    assert_eq!(remind_weekly(&app.state, t("2025-03-04T09:00:00+08:00")).await.unwrap(), 1, "W09: BJ0102's head");
    assert_eq!(remind_weekly(&app.state, t("2025-03-04T10:00:00+08:00")).await.unwrap(), 0, "once");
    app.clock.advance(Duration::days(1));
    let (_, m) = app.get("ops", "/api/v1/weekly-reports/missing?week=2025-W09").await;
    assert_eq!(m["past_due"].as_bool(), Some(true));
    let (_, bell) = app.get("head2", "/api/v1/notifications").await;
    let kinds: Vec<&str> =
        bell["items"].as_array().map(|a| a.iter().filter_map(|n| n["kind"].as_str()).collect()).unwrap_or_default();
    assert_eq!(kinds.iter().filter(|k| **k == "weekly_report_missing").count(), 2, "{bell}");
    let (_, calm) = app.get("head1", "/api/v1/notifications").await;
    let n = calm["items"]
        .as_array()
        .map(|a| a.iter().filter(|n| n["kind"] == "weekly_report_missing").count())
        .unwrap_or(0);
    assert_eq!(n, 1, "head1 only for the week without a report: {calm}");

    // the figures: reports due (outlets × weeks past their deadline) and signed, by the Monday's month
    let (_, f) = app.get("ops", "/api/v1/workbook/figures?org_unit=BJ01&from=2025-02&to=2025-02").await;
    assert_eq!(f["total"]["weekly"], json!({"due": 8, "signed": 1}), "four weeks of February, two outlets: {f}");
}
