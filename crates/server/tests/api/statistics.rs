//! Customers and transactions per unit and period: imported from CSV and XLSX tables through the API
//! and the statistics page (all rows or none), entered and cleared with the page's forms, and within
//! the caller's scope.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp};
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaobao_core::role::Role;

both_backends!(a_table_of_figures_is_imported_whole_or_not_at_all, the_statistics_page_enters_imports_and_clears);

/// Posts a table to the figures import as `user`.
pub(crate) async fn import(app: &TestApp, user: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let res = app
        .http
        .post(format!("{}/api/v1/period-stats/import", app.base))
        .bearer_auth(&app.tokens[user])
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn figures(app: &TestApp, unit: &str, period: &str) -> Vec<(String, Option<i64>, Option<i64>, bool)> {
    let (status, v) = app.get("cpc", &format!("/api/v1/period-stats?org_unit={unit}&period={period}")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["org_unit"].as_str().unwrap().to_string(),
                r["customers"].as_i64(),
                r["transactions"].as_i64(),
                r["entered"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn xlsx(rows: &[(&str, &str, f64, f64)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["org_unit", "period", "customers", "transactions"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (unit, period, c, t)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *unit).unwrap();
        ws.write_string(r, 1, *period).unwrap();
        ws.write_number(r, 2, *c).unwrap();
        ws.write_number(r, 3, *t).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

async fn a_table_of_figures_is_imported_whole_or_not_at_all(app: TestApp) {
    // a CSV with Chinese headers in its own order: both outlets for March, and BJ01's quarter
    let csv = "机构代码,期间,交易笔数,客户数\nBJ0101,2025-03,400000,20000\nBJ0102,2025-03,100000,10000\nBJ01,2025-Q1,1500000,33000\n";
    let (status, v) = import(&app, "cpc", "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v, json!({"rows": 3, "units": 3, "periods": ["2025-Q1", "2025-03"]}));
    let march = figures(&app, "BJ01", "2025-03").await;
    assert_eq!(march[0], ("BJ01".into(), Some(30_000), Some(500_000), false), "BJ01 sums its outlets");
    assert_eq!(march[1], ("BJ0101".into(), Some(20_000), Some(400_000), true));
    assert_eq!(figures(&app, "BJ", "2025-Q1").await[0].1, Some(33_000), "BJ sums BJ01's quarter");
    // the measures divide by the imported figures
    let (_, m) = app.get("cpc", "/api/v1/measures?org_unit=BJ01&from=2025-03-01&to=2025-03-31").await;
    assert_eq!(
        (m["figures"]["customers"].as_i64(), m["figures"]["transactions"].as_i64()),
        (Some(30_000), Some(500_000))
    );

    // an XLSX replaces what it names; figures typed in Excel arrive as numbers
    let (status, v) = import(
        &app,
        "cpc",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        xlsx(&[("BJ0101", "2025-03", 21_000.0, 410_000.0)]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(figures(&app, "BJ01", "2025-03").await[0].1, Some(31_000));

    // one bad row and nothing is entered: the error names the row and the column
    let bad = "org_unit,period,customers,transactions\nBJ0102,2025-04,5,6\nBJ0101,2025-04,many,6\n";
    let (status, p) = import(&app, "cpc", "text/csv", bad.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "file");
    assert!(p["detail"].as_str().unwrap().contains("第 3 行“客户数”"), "{p}");
    let unknown = "org_unit,period,customers,transactions\nBJ0102,2025-04,5,6\nNOPE,2025-04,1,1\n";
    let (status, p) = import(&app, "cpc", "text/csv", unknown.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p["detail"].as_str().unwrap().contains("第 3 行") && p["detail"].as_str().unwrap().contains("NOPE"), "{p}");
    assert!(figures(&app, "BJ01", "2025-04").await.iter().all(|r| r.1.is_none()), "nothing of April was entered");

    // who may import: not an outlet head; a service department only within its own subtree
    let (status, _) = import(&app, "head1", "text/csv", b"BJ0101,2025-05,1,1".to_vec()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let unit = app.store.org_unit_by_code("BJ0101").await.unwrap().unwrap();
    app.store
        .create_user(&xiaobao_store::NewUser {
            username: "service1".into(),
            display_name: "网点服务".into(),
            role: Role::ServiceDept,
            org_unit_id: unit.id,
            password_hash: xiaobao_server::hash_password(PASSWORD).unwrap(),
            email: None,
        })
        .await
        .unwrap();
    let mut app = app;
    app.login("service1").await;
    let (status, p) = import(&app, "service1", "text/csv", b"BJ0101,2025-05,1,1\nBJ0102,2025-05,1,1".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p["detail"].as_str().unwrap().contains("第 2 行") && p["detail"].as_str().unwrap().contains("BJ0102"),
        "{p}"
    );
    let (status, _) = import(&app, "service1", "text/csv", b"BJ0101,2025-05,1,1".to_vec()).await;
    assert_eq!(status, StatusCode::OK);
    // a file that is neither
    let (status, p) = import(&app, "cpc", "text/csv", b"\xff\xfe\x00B\x00J".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p["detail"].as_str().unwrap().contains("UTF-8"), "{p}");
}

async fn the_statistics_page_enters_imports_and_clears(app: TestApp) {
    let mut cpc = Browser::new(&app);
    cpc.login("cpc").await;
    let (status, _, html) = cpc.get("/statistics?org_unit=BJ01&period=2025-03").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"empty\""), "no figures yet: {html}");
    assert!(html.contains("data-unit=\"BJ0101\"") && html.contains("data-unit=\"BJ0102\""));
    let csrf = cpc.csrf();
    // entering one unit from the form; a bad figure is shown at the form and changes nothing
    let form = |c: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("back", "BJ01".to_string()),
            ("org_unit", "BJ0101".into()),
            ("period", "2025-03".into()),
            ("customers", c.to_string()),
            ("transactions", "400,000".into()),
        ]
    };
    let pairs = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let bad = pairs(&form("lots"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = cpc.post("/statistics", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-form=\"enter\" data-field=\"customers\""), "{html}");
    let good = pairs(&form("20000"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, h, _) = cpc.post("/statistics", &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = cpc.get(h["location"].to_str().unwrap()).await;
    assert!(html.contains("id=\"notice\""));
    assert!(!html.contains("data-unit=\"SH\""), "{h:?}");
    let row = |html: &str, unit: &str| {
        let at = html.find(&format!("data-unit=\"{unit}\"")).unwrap();
        html[at..at + html[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row(&html, "BJ0101").contains("20000") && row(&html, "BJ0101").contains("400000"));
    assert!(row(&html, "BJ01").contains("下级合计"), "{}", row(&html, "BJ01"));

    // the template lists the units, with what was entered, and imports back after filling in
    let (status, h, csv) = cpc.get("/statistics/template.csv?org_unit=BJ01&period=2025-03").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.contains("BJ0101,2025-03,20000,400000,") && csv.contains("BJ0102,2025-03,,,"), "{csv}");
    let filled = csv.replace("BJ0102,2025-03,,,", "BJ0102,2025-03,10000,100000,");
    let (status, h, _) = cpc.upload("/statistics/import", "模板.csv", filled.into_bytes()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(h["location"].to_str().unwrap().contains("imported=2"), "{h:?}");
    let (_, _, html) = cpc.get("/statistics?org_unit=BJ01&period=2025-03").await;
    assert!(row(&html, "BJ01").contains("30000"), "{}", row(&html, "BJ01"));
    // clearing asks first
    assert!(row(&html, "BJ0101").contains("data-confirm"));
    // a bad upload is shown at the import form
    let (status, _, html) = cpc.upload("/statistics/import", "x.csv", b"BJ0101,2025-03,1".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-form=\"import\" data-field=\"file\""), "{html}");

    // clearing sums the children again
    let (status, _, _) = cpc
        .post("/statistics/clear", &[("_csrf", &csrf), ("org_unit", "BJ0101"), ("period", "2025-03"), ("back", "BJ01")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(figures(&app, "BJ01", "2025-03").await[0].1, Some(10_000));
    // without the token nothing changes
    let (status, _, _) =
        cpc.post("/statistics/clear", &[("_csrf", "x"), ("org_unit", "BJ0102"), ("period", "2025-03")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // an operations supervisor reads the figures but is offered no forms; a teller may not open it
    let mut ops = Browser::new(&app);
    ops.login("ops").await;
    let (status, _, html) = ops.get("/statistics?period=2025-03").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-unit=\"BJ0102\"") && !html.contains("id=\"stats-form\""));
    let csrf = ops.csrf();
    let (status, _, _) = ops
        .post(
            "/statistics",
            &[
                ("_csrf", &csrf),
                ("org_unit", "BJ0101"),
                ("period", "2025-03"),
                ("customers", "1"),
                ("transactions", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    let (status, _, _) = teller.get("/statistics").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
