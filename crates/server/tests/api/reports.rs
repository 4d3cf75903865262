//! The reports that leave the bank, read back with calamine cell by cell: a unit's ledger (台账) with
//! appealed complaints marked, and the regulator's category × cause × channel table.

use crate::both_backends;
use crate::harness::TestApp;
use crate::lists::{cell, sheet};
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    the_ledger_and_the_regulatory_table_are_exported_and_read_back,
    reports_check_role_scope_and_input,
    the_reports_page_shows_the_table_and_downloads_both
);

/// The hotline complaint b of the constructed bank, excluded by an approved appeal.
async fn exclude_b(app: &TestApp) -> i64 {
    let (_, list) = app.get("cpc", "/api/v1/complaints?channel=hotline").await;
    let b = list["items"][0]["id"].as_i64().unwrap();
    app.act_ok("head1", b, "appeal", json!({"reason": "恶意重复投诉，已核实"})).await;
    app.act_ok("cpc", b, "decide_appeal", json!({"approve": true, "note": "同意剔除"})).await;
    b
}

fn line<'a>(v: &'a Value, category: &str, cause: &str) -> &'a Value {
    v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["category"] == category && l["cause"] == cause)
        .unwrap_or_else(|| panic!("no line {category}/{cause} in {v}"))
}

async fn the_ledger_and_the_regulatory_table_are_exported_and_read_back(app: TestApp) {
    crate::measures::constructed_bank(&app).await;
    // March at BJ01: a (counter, 03, registered with cause 05, decided with 12), d (counter, 03, 12),
    // b (hotline, 04, registered with 08, decided without a cause), e (online, 04, 08, declined),
    // c (regulator, 01, no cause)
    let (status, v) = app.get("cpc", "/api/v1/reports/regulatory?org_unit=BJ01&period=2025-03").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 5);
    assert_eq!(v["lines"].as_array().unwrap().len(), 3, "{v}");
    assert_eq!(line(&v, "03", "12")["by_channel"]["counter"], 2, "a by its decision's cause, d by its registration's");
    assert_eq!(line(&v, "03", "12")["cause_name"], "定价收费");
    assert_eq!(line(&v, "04", "08")["total"], 2);
    assert_eq!(
        (line(&v, "04", "08")["by_channel"]["hotline"].as_i64(), line(&v, "04", "08")["by_channel"]["online"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(line(&v, "01", "")["by_channel"]["regulator"], 1);
    assert_eq!(line(&v, "01", "")["cause_name"], "未分类", "c was given no cause");
    assert_eq!((v["totals"]["counter"].as_i64(), v["totals"]["media"].as_i64()), (Some(2), Some(0)));
    // the quarter adds February's f; the year is the same here
    let (_, q) = app.get("cpc", "/api/v1/reports/regulatory?org_unit=BJ01&period=2025-Q1").await;
    assert_eq!(q["total"], 6);

    // an approved appeal leaves the table, and stays in the ledger marked
    let b = exclude_b(&app).await;
    let (_, v) = app.get("cpc", "/api/v1/reports/regulatory?org_unit=BJ01&period=2025-03").await;
    assert_eq!((v["total"].as_i64(), line(&v, "04", "08")["by_channel"]["hotline"].as_i64()), (Some(4), Some(0)));

    let (status, h, bytes) =
        app.get_bytes("cpc", "/api/v1/reports/regulatory.xlsx?org_unit=BJ01&period=2025-03", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-disposition"].to_str().unwrap().contains("regulatory-BJ01-2025-03.xlsx"));
    let s = sheet(bytes, "监管统计表");
    assert!(cell(&s, 0, 0).contains("BJ01") && cell(&s, 0, 0).contains("2025-03"));
    assert_eq!((cell(&s, 1, 0), cell(&s, 1, 3)), ("业务类别代码".to_string(), "投诉原因".to_string()));
    let channels: Vec<String> =
        (4..4 + xiaobao_core::channel::Channel::ALL.len() as u32).map(|c| cell(&s, 1, c)).collect();
    let col = |label: &str| 4 + channels.iter().position(|c| c == label).unwrap() as u32;
    let total_col = 4 + channels.len() as u32;
    assert_eq!(cell(&s, 1, total_col), "合计");
    // lines in code order: 01/"", 03/12, 04/08
    assert_eq!((cell(&s, 2, 0), cell(&s, 2, 2), cell(&s, 2, col("监管转办"))), ("01".into(), "".into(), "1".into()));
    assert_eq!((cell(&s, 3, 0), cell(&s, 3, 2), cell(&s, 3, col("现场"))), ("03".into(), "12".into(), "2".into()));
    assert_eq!(cell(&s, 3, 3), "定价收费");
    assert_eq!(
        (cell(&s, 4, 0), cell(&s, 4, 2), cell(&s, 4, col("网上/手机银行")), cell(&s, 4, total_col)),
        ("04".into(), "08".into(), "1".into(), "1".into())
    );
    assert_eq!((cell(&s, 5, 0), cell(&s, 5, total_col)), ("合计".into(), "4".into()));

    // the ledger of BJ01 for March: five complaints, b marked as not counted
    let (status, h, bytes) =
        app.get_bytes("cpc", "/api/v1/reports/ledger.xlsx?org_unit=BJ01&from=2025-03-01&to=2025-03-31", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-disposition"].to_str().unwrap().contains("ledger-BJ01-2025-03-01-2025-03-31.xlsx"));
    let s = sheet(bytes, "台账");
    assert_eq!((cell(&s, 0, 17), cell(&s, 0, 18)), ("申诉".to_string(), "计入统计".to_string()));
    assert_eq!(s.height(), 6, "a header and five complaints");
    let (_, k) = app.get("cpc", &format!("/api/v1/complaints/{b}")).await;
    let row = (1..6).find(|r| cell(&s, *r, 0) == k["number"].as_str().unwrap()).unwrap();
    assert_eq!((cell(&s, row, 17), cell(&s, row, 18)), ("申诉已批准（剔除）".to_string(), "否".to_string()));
    assert_eq!((1..6).filter(|r| cell(&s, *r, 18) == "是").count(), 4);
    assert!(cell(&s, row, 10).contains("****"), "phones masked: {}", cell(&s, row, 10));
    // in English on request; BJ0102 alone holds c and e
    let (_, _, bytes) =
        app.get_bytes("cpc", "/api/v1/reports/ledger.xlsx?org_unit=BJ0102&from=2025-03-01&to=2025-03-31", "en").await;
    let s = sheet(bytes, "Ledger");
    assert_eq!((cell(&s, 0, 18), s.height()), ("Counted".to_string(), 3));
}

async fn reports_check_role_scope_and_input(app: TestApp) {
    assert_eq!(app.get("teller1", "/api/v1/reports/regulatory").await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get_bytes("teller1", "/api/v1/reports/ledger.xlsx", "zh-CN").await.0, StatusCode::FORBIDDEN);
    for (path, field) in [
        ("/api/v1/reports/regulatory?period=2025-13", "period"),
        ("/api/v1/reports/regulatory?org_unit=BJ0102", "org_unit"),
        ("/api/v1/reports/regulatory.xlsx?period=Q1", "period"),
        ("/api/v1/reports/ledger.xlsx?from=2025-03-31&to=2025-03-01", "to"),
        ("/api/v1/reports/ledger.xlsx?org_unit=BJ0102", "org_unit"),
    ] {
        let (status, p) = app.get("head1", path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {p}");
        assert_eq!(p["field"], field, "{path}");
    }
    // an empty period is an empty table
    let (status, v) = app.get("head1", "/api/v1/reports/regulatory?period=2024").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((v["total"].as_i64(), v["lines"].as_array().unwrap().len()), (Some(0), 0));
}

async fn the_reports_page_shows_the_table_and_downloads_both(app: TestApp) {
    crate::measures::constructed_bank(&app).await;
    let mut vp = Browser::new(&app);
    vp.login("vp").await;
    let (status, _, html) = vp.get("/reports?org_unit=BJ01&period=2025-03").await;
    assert_eq!(status, StatusCode::OK);
    let row = |key: &str| {
        let at = html.find(&format!("data-key=\"{key}\"")).unwrap_or_else(|| panic!("{key}: {html}"));
        html[at..at + html[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row("04|08").contains("<td class=\"num\">2</td>"), "{}", row("04|08"));
    let total = html.split("id=\"regulatory-total\"").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(total.contains("<th class=\"num\">5</th>"), "{total}");
    assert!(html.contains("href=\"/reports/regulatory.xlsx?org_unit=BJ01&amp;period=2025-03\""));
    let (status, h, _) = vp.get("/reports/regulatory.xlsx?org_unit=BJ01&period=2025-03").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let (status, h, _) = vp.get("/reports/ledger.xlsx?org_unit=BJ01&from=2025-03-01&to=2025-03-31").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-disposition"].to_str().unwrap().contains("ledger-BJ01"));
    // a wrong range comes back to the page with the field named
    let (status, _, html) = vp.get("/reports/ledger.xlsx?from=2025-03-31&to=2025-03-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"to\""), "{html}");
    let (_, _, html) = vp.get("/reports?org_unit=BJ01&period=2024").await;
    assert!(html.contains("id=\"empty\""));
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    assert_eq!(teller.get("/reports").await.0, StatusCode::FORBIDDEN);
}
