//! List filters and paging.

use crate::both_backends;
use crate::harness::{TestApp, complaint_body};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(filters_select_the_right_orders_and_pages_cover_them_all);

async fn filters_select_the_right_orders_and_pages_cover_them_all(app: TestApp) {
    let a = app.register("teller1", "BJ0101", "13300000001").await["id"].as_i64().unwrap();
    let mut hot = complaint_body("BJ0102", "13300000002");
    hot["channel"] = json!("hotline");
    hot["category"] = json!("04");
    let (_, b) = app.post("cpc", "/api/v1/complaints", hot).await;
    let b = b["id"].as_i64().unwrap();
    let mut old = complaint_body("BJ0101", "13300000003");
    old["received_at"] = json!("2025-02-01T10:00:00+08:00");
    let (_, c) = app.post("teller1", "/api/v1/complaints", old).await;
    let c = c["id"].as_i64().unwrap();
    app.act_ok("head1", a, "accept", json!({})).await;
    app.act_ok("head1", a, "respond", json!({"text": "ok"})).await;

    let ids = |v: &serde_json::Value| -> Vec<i64> {
        v["items"].as_array().unwrap().iter().map(|k| k["id"].as_i64().unwrap()).collect()
    };
    let q = |s: &str| format!("/api/v1/complaints?{s}");
    assert_eq!(ids(&app.get("cpc", &q("")).await.1), [b, a, c], "newest received first");
    assert_eq!(ids(&app.get("cpc", &q("state=in_progress")).await.1), [a]);
    assert_eq!(ids(&app.get("cpc", &q("channel=hotline")).await.1), [b]);
    assert_eq!(ids(&app.get("cpc", &q("category=04")).await.1), [b]);
    assert_eq!(ids(&app.get("cpc", &q("category=03")).await.1), [a, c], "a class includes its subclasses");
    assert_eq!(ids(&app.get("cpc", &q("org_unit=BJ0101")).await.1), [a, c]);
    assert_eq!(ids(&app.get("cpc", &q("received_from=2025-03-01&received_to=2025-03-04")).await.1), [b, a]);
    assert_eq!(ids(&app.get("cpc", &q("received_to=2025-03-01")).await.1), [c]);
    assert_eq!(ids(&app.get("teller1", &q("mine=true")).await.1), [a, c]);
    // two hours on, the response clocks of b and c (never responded) have run out; a responded in time
    app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(ids(&app.get("cpc", &q("overdue=true")).await.1), [b, c]);
    assert_eq!(ids(&app.get("cpc", &q("overdue=false")).await.1), [a]);
    // paging
    let p1 = app.get("cpc", &q("per_page=2&page=1")).await.1;
    let p2 = app.get("cpc", &q("per_page=2&page=2")).await.1;
    assert_eq!(p1["total"], 3);
    assert_eq!([ids(&p1), ids(&p2)].concat(), [b, a, c]);
    // bad filters name the parameter
    for (s, field) in [
        ("state=lost", "state"),
        ("channel=fax", "channel"),
        ("overdue=maybe", "overdue"),
        ("per_page=1000", "per_page"),
        ("page=0", "page"),
        ("received_from=03/01/2025", "received_from"),
        ("category=abc", "category"),
    ] {
        let (status, p) = app.get("cpc", &q(s)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{s}");
        assert_eq!(p["field"], field, "{s}");
    }
}

both_backends!(the_filtered_list_exports_to_xlsx_masked_in_the_readers_language);

fn cell(range: &calamine::Range<calamine::Data>, row: u32, col: u32) -> String {
    range.get_value((row, col)).map(|d| d.to_string()).unwrap_or_default()
}

fn sheet(bytes: Vec<u8>, name: &str) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx file");
    wb.worksheet_range(name).expect("the sheet")
}

async fn the_filtered_list_exports_to_xlsx_masked_in_the_readers_language(app: TestApp) {
    let a = app.register("teller1", "BJ0101", "13300000001").await;
    let mut hot = complaint_body("BJ0102", "13300000002");
    hot["channel"] = json!("hotline");
    app.post("cpc", "/api/v1/complaints", hot).await;
    app.act_ok("head1", a["id"].as_i64().unwrap(), "accept", json!({})).await;

    let (status, h, bytes) = app.get_bytes("cpc", "/api/v1/complaints/export.xlsx?org_unit=BJ0101", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(h["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"complaints-2025"));
    let r = sheet(bytes, "工单");
    assert_eq!(r.height(), 2, "a header row and the one order of BJ0101");
    assert_eq!(cell(&r, 0, 0), "工单号");
    assert_eq!(cell(&r, 1, 0), a["number"].as_str().unwrap());
    assert_eq!(cell(&r, 1, 1), "2025-03-03 09:00");
    assert_eq!(cell(&r, 1, 2), "现场");
    assert_eq!(cell(&r, 1, 3), "BJ0101");
    assert_eq!(cell(&r, 1, 5), "已受理");
    assert_eq!(cell(&r, 1, 6), "0302");
    assert_eq!(cell(&r, 1, 10), "133****0001", "personal data is masked in exports");
    assert_eq!(cell(&r, 1, 12), "否");

    // the whole scope, in English
    let (_, _, bytes) = app.get_bytes("cpc", "/api/v1/complaints/export.xlsx", "en").await;
    let r = sheet(bytes, "Orders");
    assert_eq!(r.height(), 3);
    assert_eq!(cell(&r, 0, 2), "Channel");
    assert_eq!(cell(&r, 1, 2), "hotline", "newest first");

    // the outlet's scope only
    let (_, _, bytes) = app.get_bytes("head2", "/api/v1/complaints/export.xlsx", "zh").await;
    let r = sheet(bytes, "工单");
    assert_eq!(r.height(), 2);
    assert_eq!(cell(&r, 1, 3), "BJ0102");

    // a wrong filter is refused with its field named, and nothing is exported
    let (status, p) = app.get("cpc", "/api/v1/complaints/export.xlsx?channel=fax").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "channel");
    let (status, _) = app.call_anon(reqwest::Method::GET, "/api/v1/complaints/export.xlsx", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
