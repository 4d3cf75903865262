//! The measures of DESIGN §5, to the digit, over a constructed sub-branch with known customers,
//! transactions and complaints (mixed channels, an escalation, a repeat, a late response); and the
//! period statistics they divide by.

use crate::both_backends;
use crate::harness::{TestApp, complaint_body};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(app: &TestApp, unit: &str, phone: &str, channel: &str, category: &str, cause: Option<&str>) -> i64 {
    let mut body = complaint_body(unit, phone);
    body["channel"] = json!(channel);
    body["category"] = json!(category);
    body["cause"] = json!(cause);
    let (status, k) = app.post("cpc", "/api/v1/complaints", body).await;
    assert_eq!(status, StatusCode::CREATED, "{k}");
    k["id"].as_i64().unwrap()
}

async fn put_stats(app: &TestApp, unit: &str, period: &str, customers: i64, transactions: i64) {
    let body = json!({"org_unit": unit, "period": period, "customers": customers, "transactions": transactions});
    let (status, v) = app.call("cpc", reqwest::Method::PUT, "/api/v1/period-stats", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

/// a, b, d at BJ0101 and c, e at BJ0102 in March 2025; f at BJ0101 in February. Causes: a registered
/// with 05 and decided with 12, b registered with 08 and decided without one, c none, d, e, f as
/// registered (12, 08, 12).
pub(crate) async fn constructed_bank(app: &TestApp) {
    put_stats(app, "BJ0101", "2025-03", 20_000, 400_000).await;
    put_stats(app, "BJ0102", "2025-03", 10_000, 100_000).await;
    put_stats(app, "BJ01", "2025-Q1", 33_000, 1_500_000).await;
    let mut f = complaint_body("BJ0101", "13300000005");
    f["received_at"] = json!("2025-02-10T10:00:00+08:00");
    assert_eq!(app.post("cpc", "/api/v1/complaints", f).await.0, StatusCode::CREATED);
    // a: answered in time, decided liable with a cause, closed satisfied
    let a = post(app, "BJ0101", "13300000001", "counter", "0302", Some("05")).await;
    app.act_ok("head1", a, "accept", json!({})).await;
    app.act_ok("head1", a, "respond", json!({"text": "已联系客户"})).await;
    // b: from the hotline, answered a day late, decided not liable, closed dissatisfied
    let b = post(app, "BJ0101", "13300000002", "hotline", "04", Some("08")).await;
    app.act_ok("head1", b, "accept", json!({})).await;
    // c: from the regulator (over-level), escalated by the outlet: still counts against BJ0102
    let c = post(app, "BJ0102", "13300000003", "regulator", "01", None).await;
    app.act_ok("head2", c, "accept", json!({})).await;
    app.act_ok("head2", c, "escalate", json!({"reason": "网点无法解决"})).await;
    // e: online, declined
    let e = post(app, "BJ0102", "13300000004", "online", "04", Some("08")).await;
    app.act_ok("head2", e, "decline", json!({"reason": "不属于投诉"})).await;
    app.clock.advance(chrono::Duration::days(1));
    app.act_ok("head1", b, "respond", json!({"text": "已联系客户"})).await;
    let decide = |liable: bool, cause: Option<&str>| json!({"liable": liable, "root_cause": if liable { "service_fault" } else { "misunderstanding" }, "cause": cause, "text": "已处理"});
    app.act_ok("head1", a, "decide", decide(true, Some("12"))).await;
    app.act_ok("head1", b, "decide", decide(false, None)).await;
    app.act_ok("teller1", a, "close", json!({"feedback": "satisfied"})).await;
    app.act_ok("teller1", b, "close", json!({"feedback": "dissatisfied"})).await;
    // d: a's complainant again, after a was closed: a repeat
    let d = app.register("teller1", "BJ0101", "13300000001").await;
    assert_eq!(d["repeat"], true, "{d}");
}

fn rates(v: &Value) -> Vec<(String, String)> {
    v["rates"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, r)| (k.clone(), r["display"].as_str().unwrap().to_string()))
        .collect()
}

fn rate<'a>(v: &'a Value, name: &str) -> &'a str {
    v["rates"][name]["display"].as_str().unwrap()
}

both_backends!(every_measure_of_a_constructed_subtree_is_exact);

async fn every_measure_of_a_constructed_subtree_is_exact(app: TestApp) {
    constructed_bank(&app).await;
    let (status, m) = app.get("cpc", "/api/v1/measures?org_unit=BJ01&from=2025-03-01&to=2025-03-31").await;
    assert_eq!(status, StatusCode::OK, "{m}");
    let f = &m["figures"];
    assert_eq!(
        (f["customers"].as_i64(), f["transactions"].as_i64()),
        (Some(30_000), Some(500_000)),
        "sum of the outlets"
    );
    let counts: Vec<(String, i64)> =
        f["counts"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_i64().unwrap())).collect();
    let expected = [
        ("closed", 2),
        ("closed_at_outlet", 2),
        ("decided", 2),
        ("decided_on_time", 2),
        ("declined", 1),
        ("dissatisfied", 1),
        ("escalated", 1),
        ("excluded", 0),
        ("liable", 1),
        ("open", 2),
        ("over_level", 1),
        ("received", 5),
        ("repeat", 1),
        ("response_ended", 2),
        ("response_timely", 1),
        ("satisfied", 1),
        ("transferred", 0),
        ("unreachable", 0),
        ("withdrawn", 0),
    ];
    assert_eq!(counts, expected.map(|(k, v)| (k.to_string(), v)));
    let expected_rates = [
        ("escalation_rate", "20.00%"),
        ("liable_share", "50.00%"),
        ("on_time_resolution_rate", "100.00%"),
        ("over_level_rate", "20.00%"),
        ("per_10k_customers", "1.7"),
        ("per_10k_transactions", "0.1"),
        ("repeat_rate", "20.00%"),
        ("resolved_at_outlet_rate", "100.00%"),
        ("satisfaction", "50.00%"),
        ("timely_response_rate", "50.00%"),
    ];
    assert_eq!(rates(f), expected_rates.map(|(k, v)| (k.to_string(), v.to_string())));
    assert_eq!(f["rates"]["timely_response_rate"]["numerator"], 1);
    assert_eq!(f["rates"]["timely_response_rate"]["denominator"], 2);
    assert_eq!(f["rates"]["per_10k_customers"]["value"].as_f64().unwrap(), 5.0 * 10_000.0 / 30_000.0);
    let ch = &m["by_channel"];
    assert_eq!(
        [
            ch["counter"].as_i64(),
            ch["hotline"].as_i64(),
            ch["regulator"].as_i64(),
            ch["online"].as_i64(),
            ch["letter"].as_i64()
        ],
        [Some(2), Some(1), Some(1), Some(1), Some(0)]
    );

    // by child unit: the escalated c still counts against BJ0102
    let (_, m) = app.get("cpc", "/api/v1/measures?org_unit=BJ01&from=2025-03-01&to=2025-03-31&by=unit").await;
    let rows = m["breakdown"].as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["key"].as_str().unwrap()).collect::<Vec<_>>(), ["BJ0101", "BJ0102"]);
    assert_eq!(rows[0]["figures"]["received"], 3);
    assert_eq!(rate(&rows[0]["figures"], "per_10k_customers"), "1.5");
    assert_eq!(rate(&rows[0]["figures"], "per_10k_transactions"), "0.1");
    assert_eq!(rate(&rows[0]["figures"], "timely_response_rate"), "50.00%");
    assert_eq!(rate(&rows[0]["figures"], "repeat_rate"), "33.33%");
    assert_eq!(rows[1]["figures"]["received"], 2);
    assert_eq!(rate(&rows[1]["figures"], "per_10k_customers"), "2.0");
    assert_eq!(rate(&rows[1]["figures"], "escalation_rate"), "50.00%");
    assert_eq!(rate(&rows[1]["figures"], "timely_response_rate"), "—", "no response clock ended at BJ0102");

    // by category (large classes) and by reported cause (the decision's, else the registration's)
    let keyed = |m: &Value| -> Vec<(String, i64)> {
        m["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["key"].as_str().unwrap().to_string(), r["figures"]["received"].as_i64().unwrap()))
            .collect()
    };
    let (_, m) = app.get("cpc", "/api/v1/measures?org_unit=BJ01&from=2025-03-01&to=2025-03-31&by=category").await;
    assert_eq!(keyed(&m), [("01".into(), 1), ("03".into(), 2), ("04".into(), 2)]);
    let (_, m) = app.get("cpc", "/api/v1/measures?org_unit=BJ01&from=2025-03-01&to=2025-03-31&by=cause").await;
    assert_eq!(keyed(&m), [("".into(), 1), ("08".into(), 2), ("12".into(), 2)]);
    assert_eq!(m["breakdown"][0]["label_zh"], "未分类");
    // by month over the quarter: February's f, then March; the quarter's own figures divide
    let (_, m) = app.get("cpc", "/api/v1/measures?org_unit=BJ01&from=2025-01-01&to=2025-03-31&by=month").await;
    assert_eq!(keyed(&m), [("2025-02".into(), 1), ("2025-03".into(), 5)]);
    assert_eq!((m["figures"]["customers"].as_i64(), m["figures"]["received"].as_i64()), (Some(33_000), Some(6)));
    assert_eq!(rate(&m["figures"], "per_10k_customers"), "1.8");
    assert_eq!(m["breakdown"][1]["figures"]["customers"], 30_000, "March's own figures");
    assert_eq!(m["breakdown"][0]["figures"]["customers"], Value::Null, "none entered for February");
    // a range of partial months: f on 10 February, a, b, c, e on 3 March (d came on the 4th)
    let (_, m) = app.get("cpc", "/api/v1/measures?org_unit=BJ01&from=2025-02-10&to=2025-03-03&by=month").await;
    assert_eq!(keyed(&m), [("2025-02".into(), 1), ("2025-03".into(), 4)]);
    let (_, m) = app.get("cpc", "/api/v1/measures?org_unit=BJ01&from=2025-02-11&to=2025-03-04").await;
    assert_eq!(m["figures"]["received"], 5);
    // an outlet sees its own measures; the head office the whole bank
    let (_, m) = app.get("head1", "/api/v1/measures?from=2025-03-01&to=2025-03-31").await;
    assert_eq!((m["org_unit"]["code"].as_str(), m["figures"]["received"].as_i64()), (Some("BJ0101"), Some(3)));
    let (_, m) = app.get("cpc", "/api/v1/measures?from=2025-01-01&to=2025-12-31").await;
    assert_eq!((m["org_unit"]["code"].as_str(), m["figures"]["received"].as_i64()), (Some("HO"), Some(6)));
}

both_backends!(measures_check_role_scope_and_input);

async fn measures_check_role_scope_and_input(app: TestApp) {
    let (status, _) = app.get("teller1", "/api/v1/measures").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (q, field) in [
        ("org_unit=BJ0102", "org_unit"),
        ("from=2025/03/01", "from"),
        ("from=2025-03-02&to=2025-03-01", "to"),
        ("from=2000-01-01&to=2025-01-01", "to"),
        ("by=week", "by"),
    ] {
        let (status, p) = app.get("head1", &format!("/api/v1/measures?{q}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(p["field"], field, "{q}");
    }
    // entering figures: the centre may, an outlet head may not; bad figures name their field
    let body = json!({"org_unit": "BJ0101", "period": "2025-03", "customers": 1, "transactions": 1});
    let (status, _) = app.call("head1", reqwest::Method::PUT, "/api/v1/period-stats", Some(body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (body, field) in [
        (json!({"org_unit": "BJ0101", "period": "2025-13", "customers": 1, "transactions": 1}), "period"),
        (json!({"org_unit": "BJ0101", "period": "2025-03", "customers": -1, "transactions": 1}), "customers"),
        (json!({"org_unit": "NOPE", "period": "2025-03", "customers": 1, "transactions": 1}), "org_unit"),
    ] {
        let (status, p) = app.call("cpc", reqwest::Method::PUT, "/api/v1/period-stats", Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["field"], field);
    }
    let (status, v) = app.get("cpc", "/api/v1/period-stats?org_unit=BJ01&period=2025-03").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v[0]["customers"], Value::Null, "nothing entered yet: {v}");
    // a parent sums its children unless entered directly; deleting the direct figure sums again
    put_stats(&app, "BJ0101", "2025-03", 20_000, 400_000).await;
    put_stats(&app, "BJ0102", "2025-03", 10_000, 100_000).await;
    let (_, v) = app.get("cpc", "/api/v1/period-stats?org_unit=BJ01&period=2025-03").await;
    assert_eq!((v[0]["customers"].as_i64(), v[0]["entered"].as_bool()), (Some(30_000), Some(false)));
    assert_eq!(v.as_array().unwrap().len(), 3, "the unit and its two children");
    put_stats(&app, "BJ01", "2025-03", 31_000, 500_000).await;
    let (_, v) = app.get("cpc", "/api/v1/period-stats?org_unit=BJ&period=2025-03").await;
    assert_eq!(v[0]["customers"], 31_000, "BJ sums BJ01's own figure: {v}");
    let (status, _) =
        app.call("cpc", reqwest::Method::DELETE, "/api/v1/period-stats?org_unit=BJ01&period=2025-03", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, v) = app.get("cpc", "/api/v1/period-stats?org_unit=BJ&period=2025-03").await;
    assert_eq!(v[0]["customers"], 30_000);
    let (status, _) =
        app.call("cpc", reqwest::Method::DELETE, "/api/v1/period-stats?org_unit=BJ01&period=2025-03", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

both_backends!(an_approved_appeal_leaves_the_figures_but_stays_in_the_ledger_marked);

async fn an_approved_appeal_leaves_the_figures_but_stays_in_the_ledger_marked(app: TestApp) {
    constructed_bank(&app).await;
    let q = "/api/v1/measures?org_unit=BJ01&from=2025-03-01&to=2025-03-31";
    let (_, list) = app.get("cpc", "/api/v1/complaints?channel=hotline").await;
    let b = list["items"][0]["id"].as_i64().unwrap();
    // the outlet appeals the hotline complaint b; a second appeal while it is pending is refused
    let k = app.act_ok("head1", b, "appeal", json!({"reason": "同一客户恶意重复投诉，已核实"})).await;
    assert_eq!(k["appeal"], "pending");
    let (status, p) = app.act("head1", b, "appeal", json!({"reason": "再次申诉"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert_eq!(app.get("cpc", q).await.1["figures"]["received"], 5, "pending: still counted");
    let (_, pending) = app.get("cpc", "/api/v1/complaints?appeal=pending").await;
    assert_eq!(pending["total"], 1);
    // only head office decides: not the outlet, not the sub-branch's supervisor
    let decide = json!({"approve": true, "note": "核实属实，予以剔除"});
    assert_eq!(app.act("head1", b, "decide_appeal", decide.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.act("ops", b, "decide_appeal", decide.clone()).await.0, StatusCode::FORBIDDEN);
    let k = app.act_ok("cpc", b, "decide_appeal", decide).await;
    assert_eq!((k["appeal"].as_str(), k["state"].as_str()), (Some("approved"), Some("closed")));
    // out of the figures of BJ0101, BJ01 and above; counted apart
    let (_, m) = app.get("cpc", q).await;
    let f = &m["figures"];
    assert_eq!((f["received"].as_i64(), f["counts"]["excluded"].as_i64()), (Some(4), Some(1)));
    assert_eq!(f["rates"]["timely_response_rate"]["display"], "100.00%", "b's late response no longer counts");
    assert_eq!(f["rates"]["satisfaction"]["display"], "100.00%");
    assert_eq!(m["by_channel"]["hotline"], 0);
    let (_, ho) = app.get("cpc", "/api/v1/measures?from=2025-03-01&to=2025-03-31").await;
    assert_eq!(ho["figures"]["received"], 4);
    // but in the ledger, marked
    let (_, ledger) = app.get("cpc", "/api/v1/complaints?org_unit=BJ0101&received_from=2025-03-01").await;
    assert!(ledger["items"].as_array().unwrap().iter().any(|k| k["id"] == b && k["appeal"] == "approved"));
    let (_, approved) = app.get("cpc", "/api/v1/complaints?appeal=approved").await;
    assert_eq!(approved["total"], 1);
    let (status, p) = app.get("cpc", "/api/v1/complaints?appeal=maybe").await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("appeal")));
    // no appeal pending any more
    let (status, _) = app.act("cpc", b, "decide_appeal", json!({"approve": false, "note": "x"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // the counters rebuilt from the events agree
    let kept = app.store.rollup_snapshot().await.unwrap();
    assert_eq!(app.store.rebuild_rollups().await.unwrap().differed, 0);
    assert_eq!(kept, app.store.rollup_snapshot().await.unwrap());
}
