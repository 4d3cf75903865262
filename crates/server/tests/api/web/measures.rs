//! The measures page.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;

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
