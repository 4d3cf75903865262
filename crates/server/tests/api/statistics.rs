//! Customers and transactions per unit and period: imported from CSV and XLSX tables through the API
//! and the statistics page (all rows or none), entered and cleared with the page's forms, and within
//! the caller's scope.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaobao_core::role::Role;

both_backends!(
    a_table_of_figures_is_imported_whole_or_not_at_all,
    the_statistics_page_enters_imports_and_clears,
    an_import_tells_every_bad_row_at_once_and_what_it_replaces,
    the_statistics_page_lists_every_bad_row_and_asks_before_replacing
);

/// Posts a table to the figures import as `user`.
pub(crate) async fn import(app: &TestApp, user: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    import_to(app, user, "/api/v1/period-stats/import", content_type, body).await
}

pub(crate) async fn import_to(
    app: &TestApp,
    user: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let res = app
        .http
        .post(format!("{}{path}", app.base))
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
    assert_eq!(
        v,
        json!({"rows": 3, "units": 3, "periods": ["2025-Q1", "2025-03"], "written": true, "added": 3, "unchanged": 0,
            "replaced_count": 0, "replaced": []})
    );
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
    let mut app = app;
    app.add_user("service1", Role::ServiceDept, "BJ0101").await;
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
    assert!(row(&html, "BJ0101").contains("20,000") && row(&html, "BJ0101").contains("400,000"));
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
    assert!(row(&html, "BJ01").contains("30,000"), "{}", row(&html, "BJ01"));
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

async fn an_import_tells_every_bad_row_at_once_and_what_it_replaces(app: TestApp) {
    let csv = |s: &str| s.as_bytes().to_vec();
    let (status, _) =
        import(&app, "cpc", "text/csv", csv("BJ0101,2025-03,20000,400000\nBJ0102,2025-03,10000,100000")).await;
    assert_eq!(status, StatusCode::OK);

    // every problem of every row, in row order, each naming its row and column; nothing written
    let bad = "org_unit,period,customers,transactions\nBJ0101,2025-04,5,6\nBJ0101,2025-13,x,6\nNOPE,2025-04,1,1\n\
               BJ0102,2025-04,1,-2\nBJ0101,2025-04,7,8\n";
    let (status, p) = import(&app, "cpc", "text/csv", csv(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let errors: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["detail"].as_str().unwrap()).collect();
    assert_eq!(errors.len(), 5, "{p}");
    assert!(p["errors"].as_array().unwrap().iter().all(|e| e["field"] == "file"));
    assert!(errors[0].contains("第 3 行“期间”"), "{errors:?}");
    assert!(errors[1].contains("第 3 行“客户数”"), "{errors:?}");
    assert!(errors[2].contains("第 4 行") && errors[2].contains("NOPE"), "{errors:?}");
    assert!(errors[3].contains("第 5 行“交易笔数”"), "{errors:?}");
    assert!(errors[4].contains("第 6 行") && errors[4].contains("BJ0101"), "{errors:?}");
    assert!(figures(&app, "BJ01", "2025-04").await.iter().all(|r| r.1.is_none()), "nothing of April was entered");
    // in English too
    let res = app
        .http
        .post(format!("{}/api/v1/period-stats/import", app.base))
        .bearer_auth(&app.tokens["cpc"])
        .header("accept-language", "en")
        .header("content-type", "text/csv")
        .body(csv(bad))
        .send()
        .await
        .unwrap();
    let p: Value = res.json().await.unwrap();
    assert!(p["errors"][1]["detail"].as_str().unwrap().contains("row 3, customers: must be a whole number"), "{p}");

    // a dry run tells what would be added, kept and replaced (old → new), and writes nothing
    let next = "BJ0101,2025-03,21000,400000\nBJ0102,2025-03,10000,100000\nBJ0101,2025-04,1,2\n";
    let (status, v) = import_to(&app, "cpc", "/api/v1/period-stats/import?dry_run=true", "text/csv", csv(next)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!((v["written"].as_bool(), v["added"].as_i64(), v["unchanged"].as_i64()), (Some(false), Some(1), Some(1)));
    assert_eq!(v["replaced_count"], 1);
    let change = &v["replaced"][0];
    assert_eq!((change["org_unit"].as_str(), change["period"].as_str()), (Some("BJ0101"), Some("2025-03")), "{v}");
    assert!(!change["name"].as_str().unwrap().is_empty());
    assert_eq!(change["old"], json!({"customers": 20000, "transactions": 400000}));
    assert_eq!(change["new"], json!({"customers": 21000, "transactions": 400000}));
    assert_eq!(figures(&app, "BJ01", "2025-03").await[1].1, Some(20_000), "a dry run writes nothing");
    assert!(figures(&app, "BJ01", "2025-04").await.iter().all(|r| r.1.is_none()));
    // a dry run of a bad file tells the same problems
    let (status, p) = import_to(&app, "cpc", "/api/v1/period-stats/import?dry_run=true", "text/csv", csv(bad)).await;
    assert_eq!((status, p["errors"].as_array().unwrap().len()), (StatusCode::UNPROCESSABLE_ENTITY, 5));
    let (status, p) = import_to(&app, "cpc", "/api/v1/period-stats/import?dry_run=maybe", "text/csv", csv(next)).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("dry_run")), "{p}");
    // written, the answer tells what it replaced
    let (status, v) = import(&app, "cpc", "text/csv", csv(next)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!((v["written"].as_bool(), v["replaced_count"].as_i64()), (Some(true), Some(1)));
    assert_eq!(v["replaced"][0]["old"]["customers"], 20000);
    assert_eq!(figures(&app, "BJ01", "2025-03").await[1].1, Some(21_000));
    assert_eq!(figures(&app, "BJ01", "2025-04").await[1].1, Some(1));
}

async fn the_statistics_page_lists_every_bad_row_and_asks_before_replacing(app: TestApp) {
    let mut cpc = Browser::new(&app);
    cpc.login("cpc").await;
    let _ = cpc.get("/statistics?org_unit=BJ01&period=2025-03").await;
    let csrf = cpc.csrf();
    // every bad row at the import form, nothing written
    let bad = "org_unit,period,customers,transactions\nBJ0101,2025-03,x,1\nBJ0102,2025-3x,1,1\nNOPE,2025-03,1,1\n";
    let (status, _, html) = cpc.upload("/statistics/import", "bad.csv", bad.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let list = html.split("id=\"import-problems\"").nth(1).expect("the list of problems");
    let list = &list[..list.find("</ul>").unwrap()];
    assert_eq!(list.matches("<li>").count(), 3, "{list}");
    assert!(list.contains("第 2 行“客户数”") && list.contains("第 3 行“期间”") && list.contains("NOPE"), "{list}");
    assert!(html.contains("文件中有 3 处问题，未导入任何数据"), "{html}");
    assert!(figures(&app, "BJ01", "2025-03").await.iter().all(|r| r.1.is_none()));

    // nothing entered before: written at once, and the notice says what it did
    let (status, h, _) = cpc.upload("/statistics/import", "a.csv", b"BJ0101,2025-03,20000,400000".to_vec()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = cpc.get(h["location"].to_str().unwrap()).await;
    assert!(html.contains("已导入 1 行：新录入 1 行，与原数据相同 0 行，替换原数据 0 行"), "{html}");

    // replacing figures: a preview first, old → new, nothing written
    let (status, _, html) =
        cpc.upload("/statistics/import", "b.csv", b"BJ0101,2025-03,21000,400000\nBJ0102,2025-03,5,6".to_vec()).await;
    assert_eq!(status, StatusCode::OK);
    let preview = html.split("id=\"import-preview\"").nth(1).expect("a preview");
    assert!(preview.contains("本次导入将替换 1 项已录入的数据"), "{preview}");
    let row = preview.split("data-unit=\"BJ0101\" data-period=\"2025-03\"").nth(1).unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("20,000") && row.contains("21,000") && row.contains("400,000"), "{row}");
    assert!(!preview.contains("data-unit=\"BJ0102\""), "a new figure is not a replacement");
    assert_eq!(figures(&app, "BJ01", "2025-03").await[1].1, Some(20_000), "not written before confirming");
    assert!(figures(&app, "BJ01", "2025-03").await[2].1.is_none());
    let token_of = |html: &str| {
        let at = html.find("name=\"token\" value=\"").unwrap() + 20;
        html[at..at + html[at..].find('"').unwrap()].to_string()
    };
    let token = token_of(&html);
    // confirmed: written, and said so
    let form = [("_csrf", csrf.as_str()), ("token", token.as_str()), ("back", "BJ01")];
    let (status, h, _) = cpc.post("/statistics/import/confirm", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let at = h["location"].to_str().unwrap().to_string();
    assert!(at.contains("imported=2&added=1&unchanged=0&replaced=1"), "{at}");
    let (_, _, html) = cpc.get(&at).await;
    assert!(html.contains("替换原数据 1 行"), "{html}");
    let march = figures(&app, "BJ01", "2025-03").await;
    assert_eq!((march[1].1, march[2].1), (Some(21_000), Some(5)));
    // a preview is confirmed once
    let (status, _, html) = cpc.post("/statistics/import/confirm", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-form=\"import\" data-field=\"file\""), "{html}");

    // figures changed after the preview: shown again as they are now, nothing written
    let (_, _, html) = cpc.upload("/statistics/import", "c.csv", b"BJ0101,2025-03,22000,400000".to_vec()).await;
    let token = token_of(&html);
    let (status, v) = app
        .call(
            "cpc",
            reqwest::Method::PUT,
            "/api/v1/period-stats",
            Some(json!({"org_unit": "BJ0101", "period": "2025-03", "customers": 25000, "transactions": 400000})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, _, html) =
        cpc.post("/statistics/import/confirm", &[("_csrf", csrf.as_str()), ("token", token.as_str())]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"preview-changed\"") && html.contains("25,000"), "{html}");
    assert_eq!(figures(&app, "BJ01", "2025-03").await[1].1, Some(25_000));
    let token = token_of(&html);
    let (status, _, _) =
        cpc.post("/statistics/import/confirm", &[("_csrf", csrf.as_str()), ("token", token.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(figures(&app, "BJ01", "2025-03").await[1].1, Some(22_000));
    // another user's token confirms nothing, nor does a missing CSRF token
    let (_, _, html) = cpc.upload("/statistics/import", "d.csv", b"BJ0101,2025-03,1,1".to_vec()).await;
    let token = token_of(&html);
    let (status, _, _) = cpc.post("/statistics/import/confirm", &[("_csrf", "x"), ("token", token.as_str())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut ops = Browser::new(&app);
    ops.login("ops").await;
    let _ = ops.get("/statistics").await;
    let ops_csrf = ops.csrf();
    let (status, _, _) =
        ops.post("/statistics/import/confirm", &[("_csrf", ops_csrf.as_str()), ("token", token.as_str())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // a user who may enter figures cannot confirm another's preview either; its owner still can
    let mut app = app;
    app.add_user("service2", Role::ServiceDept, "BJ01").await;
    let mut other = Browser::new(&app);
    other.login("service2").await;
    let _ = other.get("/statistics").await;
    let other_csrf = other.csrf();
    let (status, _, html) =
        other.post("/statistics/import/confirm", &[("_csrf", other_csrf.as_str()), ("token", token.as_str())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-form=\"import\""), "{html}");
    assert_eq!(figures(&app, "BJ01", "2025-03").await[1].1, Some(22_000));
    let (status, _, _) =
        cpc.post("/statistics/import/confirm", &[("_csrf", csrf.as_str()), ("token", token.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(figures(&app, "BJ01", "2025-03").await[1].1, Some(1));
}
