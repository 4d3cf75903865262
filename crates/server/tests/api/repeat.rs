//! Repeat detection, the watch list, and merging the same complaint into its open order.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    repeat_within_the_window_is_flagged_and_watch_listed,
    same_matter_while_open_is_merged_not_registered_twice,
    concurrent_registrations_of_one_complainant_are_recognised
);

async fn repeat_within_the_window_is_flagged_and_watch_listed(app: TestApp) {
    // an old complaint, four months ago: outside the 90-day window of the next one
    let mut old = crate::harness::complaint_body("BJ0101", "13600000001");
    old["received_at"] = json!("2024-11-01T10:00:00+08:00");
    old["category"] = json!("01");
    let (status, k0) = app.post("teller1", "/api/v1/complaints", old).await;
    assert_eq!(status, StatusCode::CREATED, "{k0}");
    assert_eq!(k0["repeat"], false);

    let mut first = crate::harness::complaint_body("BJ0101", "13600000001");
    first["received_at"] = json!("2025-02-21T10:00:00+08:00");
    let (_, first) = app.post("teller1", "/api/v1/complaints", first).await;
    assert_eq!(first["repeat"], false, "112 days after the old one is outside the window");
    // the same phone on another matter, 10 days later, at another outlet
    let mut body = crate::harness::complaint_body("BJ0102", "13600000001");
    body["category"] = json!("04");
    let (status, second) = app.post("teller2", "/api/v1/complaints", body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(second["repeat"], true);
    // the earlier order is the sibling outlet's: named to the sub-branch, not to this teller
    assert_eq!(second["repeat_of"], serde_json::Value::Null);
    let (_, seen) = app.get("ops", &format!("/api/v1/complaints/{}", second["id"])).await;
    assert_eq!(seen["repeat_of"], first["id"]);
    assert_eq!(second["complainant"]["watchlist"], true);

    // the same ID number with a new phone is the same complainant
    let mut a = crate::harness::complaint_body("BJ0101", "13600000002");
    a["complainant"]["id_number"] = json!("11010519491231002X");
    a["category"] = json!("01");
    assert_eq!(app.post("teller1", "/api/v1/complaints", a).await.1["repeat"], false);
    let mut b = crate::harness::complaint_body("BJ0101", "13600000003");
    b["complainant"]["id_number"] = json!("11010519491231002X");
    b["category"] = json!("09");
    assert_eq!(app.post("teller1", "/api/v1/complaints", b).await.1["repeat"], true);

    // the watch list of a unit holds those with a complaint in its scope
    let (_, watch) = app.get("ops", "/api/v1/complainants?watchlist=true").await;
    assert_eq!(watch["total"], 2, "{watch}");
    let (_, watch) = app.get("teller2", "/api/v1/complainants?watchlist=true").await;
    assert_eq!(watch["total"], 1, "{watch}");
    assert!(watch["items"].as_array().unwrap().iter().all(|c| c["masked"] == true));
    let (_, found) = app.get("teller2", "/api/v1/complainants?phone=13600000001").await;
    assert_eq!(found["items"][0]["watchlist"], true);
    let (_, repeats) = app.get("cpc", "/api/v1/complaints?repeat=true").await;
    assert_eq!(repeats["total"], 2);
}

async fn same_matter_while_open_is_merged_not_registered_twice(app: TestApp) {
    let first = app.register("teller1", "BJ0101", "13600000010").await;
    let id = first["id"].as_i64().unwrap();
    let (status, again) =
        app.post("teller1", "/api/v1/complaints", crate::harness::complaint_body("BJ0101", "13600000010")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["merged"], true);
    assert_eq!(again["id"], id);
    assert_eq!(again["merge_count"], 1);
    let kinds: Vec<String> = app.events(id).await.iter().map(|e| e.kind.clone()).collect();
    assert_eq!(kinds, ["register", "merge"]);
    assert_eq!(app.get("cpc", "/api/v1/complaints").await.1["total"], 1);
    // once the order is closed, the same matter is a new (repeat) complaint
    for (a, b) in [
        ("accept", json!({})),
        ("respond", json!({"text": "x"})),
        ("decide", json!({"liable": false, "root_cause": "misunderstanding", "text": "已解释"})),
        ("close", json!({"feedback": "satisfied"})),
    ] {
        app.act_ok("head1", id, a, b).await;
    }
    let third = app.register("teller1", "BJ0101", "13600000010").await;
    assert_ne!(third["id"], id);
    assert_eq!(third["repeat"], true);
}

/// Registrations that arrive together are committed together: a complainant who appears twice in
/// one batch must still be one complainant, with one first complaint and repeats after it.
async fn concurrent_registrations_of_one_complainant_are_recognised(app: TestApp) {
    let categories = ["01", "04", "09", "11"];
    let mut calls = Vec::new();
    for p in 0..5 {
        for cat in categories {
            let mut body = crate::harness::complaint_body("BJ0101", &format!("1320000000{p}"));
            body["category"] = json!(cat);
            calls.push(app.post("teller1", "/api/v1/complaints", body));
        }
    }
    // and twelve of the same matter at once: one order, eleven merges (several in one batch)
    for _ in 0..12 {
        calls.push(app.post("teller1", "/api/v1/complaints", crate::harness::complaint_body("BJ0101", "13299999999")));
    }
    let results = futures_join_all(calls).await;
    for p in 0..5 {
        let phone = format!("1320000000{p}");
        let mine: Vec<&serde_json::Value> = results
            .iter()
            .map(|(_, b)| b)
            .filter(|b| b["complainant"]["phone"] == xiaobao_core::mask::mask(&phone))
            .collect();
        assert_eq!(mine.len(), 4, "{phone}");
        assert!(results.iter().all(|(s, _)| s.is_success()));
        assert_eq!(mine.iter().filter(|b| b["repeat"] == false).count(), 1, "{phone}: exactly one first complaint");
        let ids: std::collections::HashSet<i64> =
            mine.iter().map(|b| b["complainant"]["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 1, "{phone} became {} complainants", ids.len());
        let (_, found) = app.get("cpc", &format!("/api/v1/complainants?phone={phone}")).await;
        assert_eq!(found["total"], 1);
        assert_eq!(found["items"][0]["complaint_count"], 4);
        assert_eq!(found["items"][0]["watchlist"], true);
    }
    let same: Vec<&(StatusCode, serde_json::Value)> =
        results.iter().filter(|(_, b)| b["complainant"]["phone"] == "132****9999").collect();
    assert_eq!(same.iter().filter(|(s, _)| *s == StatusCode::CREATED).count(), 1);
    assert_eq!(same.iter().filter(|(s, b)| *s == StatusCode::OK && b["merged"] == true).count(), 11);
    let order_ids: std::collections::HashSet<i64> = same.iter().map(|(_, b)| b["id"].as_i64().unwrap()).collect();
    assert_eq!(order_ids.len(), 1);
    // each merge answers the order as its own merge left it
    let mut counts: Vec<i64> = same.iter().map(|(_, b)| b["merge_count"].as_i64().unwrap()).collect();
    counts.sort();
    assert_eq!(counts, (0..12).collect::<Vec<i64>>());
    let id = *order_ids.iter().next().unwrap();
    assert_eq!(app.get("cpc", &format!("/api/v1/complaints/{id}")).await.1["merge_count"], 11);
    assert_eq!(app.events(id).await.len(), 12);
    assert_eq!(app.get("cpc", "/api/v1/complaints").await.1["total"], 21);
    // the stored orders are what their events replay to
    let report = app.store.verify(&Vec::new()).await.unwrap();
    assert!(report.ok(), "{:?}", report.first_problem);
}

async fn futures_join_all<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    let handles: Vec<_> = futs.into_iter().map(|f| Box::pin(f)).collect();
    let mut out = Vec::with_capacity(handles.len());
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    // poll all concurrently
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for slot in pending.iter_mut() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out.push(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    out
}
