//! One rule for a complaint's cause everywhere: the decision's cause when the decision gave one, else
//! the one given at registration. The regulator's table, the measures by cause, the ledger, the order
//! list and its export, the reports page and a rebuild of the counters all agree; none says
//! "unclassified" when a cause was given.

use crate::both_backends;
use crate::harness::{TestApp, complaint_body};
use crate::lists::{cell, sheet};
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    a_decisions_cause_replaces_the_registrations_everywhere,
    a_registrations_cause_stands_when_the_decision_gives_none,
    a_complaint_without_any_cause_is_unclassified,
    counters_kept_by_the_old_rule_are_rebuilt_after_the_migration
);

/// A counter complaint at BJ0101 (category 0302) with `cause`, accepted and responded to.
async fn registered(app: &TestApp, cause: Option<&str>) -> i64 {
    let mut body = complaint_body("BJ0101", "13500000001");
    body["cause"] = json!(cause);
    let (status, k) = app.post("cpc", "/api/v1/complaints", body).await;
    assert_eq!(status, StatusCode::CREATED, "{k}");
    let id = k["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", json!({})).await;
    app.act_ok("head1", id, "respond", json!({"text": "已联系客户"})).await;
    id
}

async fn decide(app: &TestApp, id: i64, cause: Option<&str>) {
    let body = json!({"liable": true, "root_cause": "service_fault", "cause": cause, "text": "已处理"});
    app.act_ok("head1", id, "decide", body).await;
}

async fn json_in(app: &TestApp, path: &str, lang: &str) -> Value {
    let (status, _, bytes) = app.get_bytes("cpc", path, lang).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    serde_json::from_slice(&bytes).unwrap()
}

/// Every place that shows the cause shows `code` (named `zh` / `en`; "" for none at all).
async fn everywhere_the_cause_is(app: &TestApp, id: i64, code: &str, zh: &str, en: &str) {
    // the regulator's table, in both languages
    for (lang, name) in [("zh-CN", zh), ("en", en)] {
        let v = json_in(app, "/api/v1/reports/regulatory?org_unit=BJ0101&period=2025-03", lang).await;
        let lines = v["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 1, "{v}");
        assert_eq!((lines[0]["category"].as_str(), lines[0]["cause"].as_str()), (Some("03"), Some(code)), "{v}");
        assert_eq!(lines[0]["cause_name"], name, "{v}");
        assert_eq!(lines[0]["by_channel"]["counter"], 1);
    }
    // the regulator's workbook, named in the reader's language
    for (lang, sheet_name, header, name) in [("zh-CN", "监管统计表", "投诉原因", zh), ("en", "Regulatory", "Cause", en)]
    {
        let (status, _, bytes) =
            app.get_bytes("cpc", "/api/v1/reports/regulatory.xlsx?org_unit=BJ0101&period=2025-03", lang).await;
        assert_eq!(status, StatusCode::OK);
        let s = sheet(bytes, sheet_name);
        assert_eq!(
            (cell(&s, 1, 3), cell(&s, 2, 2), cell(&s, 2, 3)),
            (header.to_string(), code.to_string(), name.to_string())
        );
    }
    // the measures by cause
    let m = json_in(app, "/api/v1/measures?org_unit=BJ0101&from=2025-03-01&to=2025-03-31&by=cause", "zh-CN").await;
    let rows = m["breakdown"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{m}");
    assert_eq!(
        (rows[0]["key"].as_str(), rows[0]["label_zh"].as_str(), rows[0]["label_en"].as_str()),
        (Some(code), Some(zh), Some(en)),
        "{m}"
    );
    assert_eq!(rows[0]["figures"]["received"], 1);
    // the order list and the order
    let (_, list) = app.get("cpc", "/api/v1/complaints?org_unit=BJ0101").await;
    let item = &list["items"][0];
    assert_eq!(item["id"], id);
    let reported = if code.is_empty() { Value::Null } else { json!(code) };
    assert_eq!(item["cause"], reported, "{item}");
    let (_, k) = app.get("cpc", &format!("/api/v1/complaints/{id}")).await;
    assert_eq!(k["cause"], reported);
    // the ledger and the list's export: the code, and its name in the reader's language
    for (path, sheets) in [
        ("/api/v1/reports/ledger.xlsx?org_unit=BJ0101&from=2025-03-01&to=2025-03-31", ["台账", "Ledger"]),
        ("/api/v1/complaints/export.xlsx?org_unit=BJ0101", ["工单", "Orders"]),
    ] {
        for ((lang, name), sheet_name) in [("zh-CN", zh), ("en", en)].into_iter().zip(sheets) {
            let (status, _, bytes) = app.get_bytes("cpc", path, lang).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let s = sheet(bytes, sheet_name);
            assert_eq!(s.height(), 2, "{path}");
            assert_eq!(cell(&s, 1, 7), code, "{path} {lang}");
            let shown_name = if code.is_empty() { "" } else { name };
            assert_eq!(cell(&s, 1, 20), shown_name, "{path} {lang}");
            assert_eq!(
                (cell(&s, 1, 19).as_str(), cell(&s, 1, 21).as_str()),
                (if lang == "en" { "credit cards" } else { "信用卡" }, "0101"),
                "{path} {lang}: the category's and the service channel's names"
            );
        }
    }
    // the reports page
    let mut vp = Browser::new(app);
    vp.login("vp").await;
    let (status, _, html) = vp.get("/reports?org_unit=BJ0101&period=2025-03").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("data-key=\"03|{code}\"")), "{html}");
    assert_eq!(html.contains("未分类"), code.is_empty(), "{html}");
    // the counters kept as events arrived are what a rebuild from the log makes them
    let kept = app.store.rollup_snapshot().await.unwrap();
    let report = app.store.rebuild_rollups().await.unwrap();
    assert_eq!(report.differed, 0);
    assert_eq!(app.store.rollup_snapshot().await.unwrap(), kept);
}

async fn a_decisions_cause_replaces_the_registrations_everywhere(app: TestApp) {
    let id = registered(&app, Some("05")).await;
    everywhere_the_cause_is(&app, id, "05", "信息披露", "information disclosure").await;
    decide(&app, id, Some("12")).await;
    everywhere_the_cause_is(&app, id, "12", "定价收费", "pricing and fees").await;
    let (_, k) = app.get("cpc", &format!("/api/v1/complaints/{id}")).await;
    assert_eq!((k["registered_cause"].as_str(), k["decision"]["cause"].as_str()), (Some("05"), Some("12")));
    // closing keeps it where the decision put it
    app.act_ok("teller1", id, "close", json!({"feedback": "satisfied"})).await;
    everywhere_the_cause_is(&app, id, "12", "定价收费", "pricing and fees").await;
}

async fn a_registrations_cause_stands_when_the_decision_gives_none(app: TestApp) {
    let id = registered(&app, Some("05")).await;
    decide(&app, id, None).await;
    everywhere_the_cause_is(&app, id, "05", "信息披露", "information disclosure").await;
}

async fn a_complaint_without_any_cause_is_unclassified(app: TestApp) {
    let id = registered(&app, None).await;
    everywhere_the_cause_is(&app, id, "", "未分类", "unclassified").await;
    decide(&app, id, Some("12")).await;
    everywhere_the_cause_is(&app, id, "12", "定价收费", "pricing and fees").await;
}

/// A database whose counters were kept by the old rule (the decision's cause only): the migration
/// marks them for a rebuild, and the next start counts the complaint under its registration's cause.
async fn counters_kept_by_the_old_rule_are_rebuilt_after_the_migration(app: TestApp) {
    let id = registered(&app, Some("05")).await;
    decide(&app, id, None).await;
    // as the old rule counted it: unclassified
    for table in ["rollup_days", "rollup_months"] {
        app.raw_sql(&format!("UPDATE {table} SET value = '' WHERE dim = 'cause'")).await;
        app.raw_sql(&format!("UPDATE {table} SET value = '03||counter' WHERE dim = 'cross'")).await;
    }
    let v = json_in(&app, "/api/v1/reports/regulatory?org_unit=BJ0101&period=2025-03", "zh-CN").await;
    assert_eq!(v["lines"][0]["cause_name"], "未分类", "the old counters: {v}");
    let migration = match app.db {
        crate::harness::DbHandle::Sqlite(_) => {
            include_str!("../../../store/migrations/sqlite/20261203100000_rollups_by_reported_cause.sql")
        }
        crate::harness::DbHandle::Postgres(_) => {
            include_str!("../../../store/migrations/postgres/20261203100000_rollups_by_reported_cause.sql")
        }
    };
    app.raw_sql(migration).await;
    let _restarted = app.second_server().await;
    everywhere_the_cause_is(&app, id, "05", "信息披露", "information disclosure").await;
}
