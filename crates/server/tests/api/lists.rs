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
    // nearest ticking deadline first: c's response clock ran out first, a's was met
    assert_eq!(ids(&app.get("cpc", &q("sort=due")).await.1), [c, b, a]);
    let due_pages = || async {
        let p1 = ids(&app.get("cpc", &q("sort=due&per_page=2&page=1")).await.1);
        let p2 = ids(&app.get("cpc", &q("sort=due&per_page=2&page=2")).await.1);
        [p1, p2]
    };
    assert_eq!(due_pages().await, [vec![c, b], vec![a]]);
    // a paused order's clocks do not tick: it is neither overdue nor near its deadline
    app.act_ok("head1", c, "accept", json!({})).await;
    app.act_ok("head1", c, "pause", json!({"reason": "司法鉴定"})).await;
    assert_eq!(ids(&app.get("cpc", &q("sort=due")).await.1), [b, a, c]);
    assert_eq!(due_pages().await, [vec![b, a], vec![c]], "the paused order pages after the ticking ones");
    assert_eq!(ids(&app.get("cpc", &q("overdue=true")).await.1), [b]);
    app.act_ok("head1", c, "resume", json!({"reason": "鉴定完成"})).await;
    assert_eq!(ids(&app.get("cpc", &q("overdue=true")).await.1), [b, c]);
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

pub(crate) fn cell(range: &calamine::Range<calamine::Data>, row: u32, col: u32) -> String {
    range.get_value((row, col)).map(|d| d.to_string()).unwrap_or_default()
}

pub(crate) fn sheet(bytes: Vec<u8>, name: &str) -> calamine::Range<calamine::Data> {
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
    assert_eq!(cell(&r, 1, 2), "Service hotline", "newest first, the channel named in English");

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

both_backends!(the_board_counts_each_child_unit_and_the_whole_subtree);

async fn the_board_counts_each_child_unit_and_the_whole_subtree(app: TestApp) {
    let id = |v: &serde_json::Value| v["id"].as_i64().unwrap();
    // a: answered, then escalated out of the outlet to BJ01
    let a = id(&app.register("teller1", "BJ0101", "13300000001").await);
    app.act_ok("head1", a, "accept", json!({})).await;
    app.act_ok("head1", a, "respond", json!({"text": "已答复"})).await;
    app.act_ok("head1", a, "escalate", json!({"reason": "网点无法解决"})).await;
    // b: from the regulator, at the other outlet
    let mut body = complaint_body("BJ0102", "13300000002");
    body["channel"] = json!("regulator");
    let (_, b) = app.post("cpc", "/api/v1/complaints", body).await;
    assert!(b["id"].is_i64(), "{b}");
    // c: received last month, still open
    let mut old = complaint_body("BJ0101", "13300000003");
    old["received_at"] = json!("2025-02-03T10:00:00+08:00");
    let (status, _) = app.post("teller1", "/api/v1/complaints", old).await;
    assert_eq!(status, StatusCode::CREATED);
    // d: declined (ended); e: the same complainant again, a repeat
    let d = id(&app.register("teller1", "BJ0101", "13300000004").await);
    app.act_ok("head1", d, "decline", json!({"reason": "不属于投诉"})).await;
    let e = app.register("teller1", "BJ0101", "13300000004").await;
    assert_eq!(e["repeat"], true, "{e}");
    app.clock.advance(chrono::Duration::hours(2));

    let row = |v: &serde_json::Value| -> [i64; 6] {
        ["open", "overdue", "escalated", "received_this_month", "regulator_this_month", "repeat_this_month"]
            .map(|k| v[k].as_i64().unwrap())
    };
    let (status, board) = app.get("ops", "/api/v1/board").await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(board["month_start"], "2025-03-01T00:00:00.000+08:00");
    let children = board["children"].as_array().unwrap();
    assert_eq!(children.iter().map(|c| c["code"].as_str().unwrap()).collect::<Vec<_>>(), ["BJ0101", "BJ0102"]);
    assert_eq!(
        row(&children[0]),
        [2, 2, 0, 3, 0, 1],
        "BJ0101: c and e open and overdue; a, d and e received this month (a counts against BJ0101 though BJ01 handles it)"
    );
    assert_eq!(row(&children[1]), [1, 1, 0, 1, 1, 0], "BJ0102: b");
    assert_eq!(row(&board["total"]), [4, 3, 1, 4, 1, 1], "BJ01 also holds the escalated a");
    assert_eq!(row(&board["at_unit"]), [1, 0, 1, 0, 0, 0], "BJ01 itself holds a: the 本级 row");
    let sums: Vec<i64> =
        (0..6).map(|i| children.iter().map(|c| row(c)[i]).sum::<i64>() + row(&board["at_unit"])[i]).collect();
    assert_eq!(sums, row(&board["total"]), "the rows add up to the total");
    let (_, l) = app.get("ops", "/api/v1/complaints?org_unit=BJ01&here=true&open=true").await;
    assert_eq!(
        l["items"].as_array().unwrap().iter().map(|k| k["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        [a],
        "{l}"
    );
    let (_, l) = app.get("ops", "/api/v1/complaints?responsible_unit=BJ01&here=true&received_from=2025-03-01").await;
    assert_eq!(l["total"], 0, "nothing counts against BJ01 itself");
    // the page shows the same row, its figures linking to what it counts
    let mut page = crate::web::Browser::new(&app);
    page.login("ops").await;
    let (_, _, html) = page.get("/").await;
    let own = html.split("data-own=\"true\"").nth(1).expect("the 本级 row").split("</tr>").next().unwrap().to_string();
    assert!(own.contains("本级") && own.contains("org_unit=BJ01&amp;open=true&amp;here=true"), "{own}");

    let (_, board) = app.get("cpc", "/api/v1/board").await;
    let children = board["children"].as_array().unwrap();
    assert_eq!(children.iter().map(|c| c["code"].as_str().unwrap()).collect::<Vec<_>>(), ["BJ", "SH"]);
    assert_eq!(row(&children[0]), [4, 3, 1, 4, 1, 1]);
    assert_eq!(row(&children[1]), [0; 6]);
    assert_eq!(row(&board["total"]), [4, 3, 1, 4, 1, 1]);
    let (_, board) = app.get("cpc", "/api/v1/board?org_unit=BJ0101").await;
    assert_eq!(board["children"].as_array().unwrap().len(), 0, "an outlet has no children");
    assert!(board["at_unit"].is_null(), "nor a row repeating its total");
    assert_eq!(row(&board["total"]), [2, 2, 0, 3, 0, 1]);

    // the list behind each figure agrees with it
    let (_, l) = app.get("ops", "/api/v1/complaints?org_unit=BJ0101&open=true").await;
    assert_eq!(l["total"], 2);
    let (_, l) = app.get("ops", "/api/v1/complaints?open=false").await;
    assert_eq!(l["total"], 1);
    let (_, l) = app.get("ops", "/api/v1/complaints?escalated=true&sort=due").await;
    assert_eq!(l["items"].as_array().unwrap().iter().map(|k| k["id"].as_i64().unwrap()).collect::<Vec<_>>(), [a]);
    let (_, l) = app.get("cpc", "/api/v1/complaints?escalated=true&open=true&sort=due").await;
    assert_eq!(l["total"], 1, "head office sees it too: {l}");
    let (_, l) = app.get("ops", "/api/v1/complaints?responsible_unit=BJ0101&received_from=2025-03-01").await;
    assert_eq!(l["total"], 3, "the received figure's list: {l}");
    let (_, l) = app.get("ops", "/api/v1/complaints?org_unit=BJ0101&received_from=2025-03-01").await;
    assert_eq!(l["total"], 2, "the escalated a is handled at BJ01 now");
    // outside the scope
    let (status, p) = app.get("head1", "/api/v1/board?org_unit=BJ0102").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "org_unit");
    let (status, _) = app.get("head1", "/api/v1/board").await;
    assert_eq!(status, StatusCode::OK);
}
