//! Figures as people read them on the measures, league, reports and board pages: counts with
//! thousands separators (1,234; 151,193,041), figures per 10,000 and percentages grouped the same way,
//! in both languages; the workbooks keep counts as numbers.

use crate::both_backends;
use crate::harness::{TestApp, start_time};
use crate::lists::{cell, sheet};
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::json;
use xiaobao_core::channel::Channel;
use xiaobao_core::complaint::Order;

both_backends!(the_pages_group_large_figures_by_thousands);

/// The text of the element that opens at `marker` up to its row's end.
fn row_at<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html.find(marker).unwrap_or_else(|| panic!("no {marker}: {html}"));
    &html[at..at + html[at..].find("</tr>").unwrap()]
}

async fn the_pages_group_large_figures_by_thousands(app: TestApp) {
    // 151,193,041 customers and a single transaction at BJ0101 in March 2025
    let body = json!({"org_unit": "BJ0101", "period": "2025-03", "customers": 151_193_041, "transactions": 1});
    assert_eq!(app.call("cpc", reqwest::Method::PUT, "/api/v1/period-stats", Some(body)).await.0, StatusCode::OK);
    // 1,234 complaints received there on 3 March: one registered, 1,233 counted straight into the rollups
    app.register("teller1", "BJ0101", "13700000001").await;
    let unit = app.store.org_unit_by_code("BJ0101").await.unwrap().unwrap();
    let teller = app.user_id("teller1").await;
    let many: Vec<(String, Order)> = (0..1233)
        .map(|n| {
            let o = Order::registered(
                1_000_000 + n,
                unit.id,
                start_time(),
                teller,
                Channel::Counter,
                Some("0302".into()),
                Some("12".into()),
                vec![],
                false,
            );
            (unit.path.clone(), o)
        })
        .collect();
    app.store.bench_count_into_rollups(&many).await.unwrap();

    for lang in ["zh", "en"] {
        let mut cpc = Browser::new(&app);
        cpc.login("cpc").await;
        cpc.jar.push(format!("xiaobao_lang={lang}"));
        // the measures
        let (status, _, html) = cpc.get("/measures?org_unit=BJ0101&from=2025-03-01&to=2025-03-31&by=cause").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<td class=\"num\" id=\"received\">1,234</td>"), "{lang}: {html}");
        assert!(html.contains("<td class=\"num\" id=\"customers\">151,193,041</td>"), "{lang}: {html}");
        let per_transaction = row_at(&html, "data-rate=\"per_10k_transactions\"");
        assert!(per_transaction.contains("12,340,000.0") && per_transaction.contains("1,234 / 1"), "{per_transaction}");
        assert!(row_at(&html, "data-key=\"12\"").contains("<td class=\"num\">1,234</td>"), "{html}");
        assert!(html.contains("<title>2025-03: 1,234</title>"), "{html}");
        assert!(!html.contains(">1234<") && !html.contains("151193041"), "{lang}: an ungrouped figure: {html}");
        // the league of outlets, by volume and per 10,000 transactions
        let (_, _, html) = cpc.get("/league?org_unit=BJ01&month=2025-03&measure=received").await;
        assert!(row_at(&html, "data-key=\"BJ0101\"").contains("<td class=\"num\">1,234</td>"), "{html}");
        let (_, _, html) = cpc.get("/league?org_unit=BJ01&month=2025-03&measure=per_10k_transactions").await;
        assert!(row_at(&html, "data-key=\"BJ0101\"").contains("12,340,000.0"), "{html}");
        // the regulator's table
        let (_, _, html) = cpc.get("/reports?org_unit=BJ0101&period=2025-03").await;
        assert!(row_at(&html, "data-key=\"03|12\"").contains("<td class=\"num\">1,234</td>"), "{html}");
        assert!(row_at(&html, "id=\"regulatory-total\"").contains("<th class=\"num\">1,234</th>"), "{html}");
        // the board of the sub-branch: BJ0101's open work and the month's complaints
        let mut ops = Browser::new(&app);
        ops.login("ops").await;
        ops.jar.push(format!("xiaobao_lang={lang}"));
        let (_, _, html) = ops.get("/").await;
        let board = row_at(&html, "data-unit=\"BJ0101\"");
        assert!(board.matches(">1,234</a>").count() >= 2, "open and received this month: {board}");
    }
    // the workbook keeps the count a number (shown grouped by its number format)
    let (_, _, bytes) =
        app.get_bytes("cpc", "/api/v1/reports/regulatory.xlsx?org_unit=BJ0101&period=2025-03", "en").await;
    let s = sheet(bytes, "Regulatory");
    assert_eq!(s.get_value((2, 4 + Channel::ALL.len() as u32)), Some(&calamine::Data::Float(1234.0)));
    assert_eq!(cell(&s, 2, 2), "12");
}
