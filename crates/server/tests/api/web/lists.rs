//! The home page's breaches and escalations, and the list page's filters, sorting, paging and export.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;

both_backends!(
    supervisors_see_breaches_and_escalations_in_their_subtree,
    the_list_page_filters_sorts_pages_and_exports,
);

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
