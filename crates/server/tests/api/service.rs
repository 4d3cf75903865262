//! Service quality through the API: integration tokens, ratings and queue tickets from devices, and
//! the service measures over a constructed outlet, to the digit.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    ratings_and_tickets_are_taken_once_and_measured_to_the_digit,
    integration_tokens_are_made_by_admins_bound_to_an_outlet_and_revocable,
    devices_may_send_only_for_their_outlet_and_bad_rows_are_told,
    service_counters_kept_as_rows_arrive_equal_counters_rebuilt_from_the_rows,
    flagged_ratings_are_listed_in_scope_and_excluded_by_the_service_department,
    service_rules_are_set_by_the_service_department_and_followed,
    ratings_kept_elsewhere_are_imported_whole_or_not_at_all
);

/// An integration token of `kind` for `unit`, made by the admin.
pub(crate) async fn token(app: &TestApp, kind: &str, unit: &str) -> (i64, String) {
    let (status, v) = app
        .post(
            "admin",
            "/api/v1/integrations",
            json!({"kind": kind, "name": format!("{kind} of {unit}"), "org_unit": unit}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    (v["id"].as_i64().unwrap(), v["token"].as_str().unwrap().to_string())
}

fn rating(device: &str, seq: i64, teller: &str, at: &str, score: i64, reason: Option<&str>) -> Value {
    json!({"device": device, "seq": seq, "outlet": "BJ0101", "teller": teller, "rated_at": at, "score": score, "reason": reason})
}

pub(crate) async fn send(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.call_with_token(token, Method::POST, path, Some(body)).await
}

fn figure(v: &Value, name: &str) -> Value {
    v["figures"][name].clone()
}

async fn ratings_and_tickets_are_taken_once_and_measured_to_the_digit(app: TestApp) {
    let (_, ev) = token(&app, "evaluator", "BJ0101").await;
    let (_, ev2) = token(&app, "evaluator", "BJ0102").await;
    let (_, queue) = token(&app, "queue", "BJ0101").await;
    // teller1 on EV1 one Sunday morning, five minutes apart, then a press ten seconds after the last
    let t = |m: i64| format!("2025-03-02T09:{m:02}:00+08:00");
    let mut rows = vec![
        rating("EV1", 1, "teller1", &t(0), 5, None),
        rating("EV1", 2, "teller1", &t(5), 5, None),
        rating("EV1", 3, "teller1", &t(10), 4, None),
        rating("EV1", 4, "teller1", &t(15), 3, None),
        rating("EV1", 5, "teller1", &t(20), 2, Some("01")),
        rating("EV1", 6, "teller1", &t(25), 1, Some("02")),
        rating("EV1", 9, "teller1", "2025-03-02T09:25:10+08:00", 5, None),
    ];
    // the lobby manager served two customers the Friday before, on another evaluator
    rows.push(rating("EV2", 1, "lobby1", "2025-02-28T14:00:00+08:00", 5, None));
    rows.push(rating("EV2", 2, "lobby1", "2025-02-28T14:10:00+08:00", 4, None));
    // given twice in the request
    rows.push(rating("EV1", 2, "teller1", &t(5), 5, None));
    let (status, a) = send(&app, &ev, "/api/v1/ratings", json!({ "ratings": rows })).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(
        (a["accepted"].as_i64(), a["duplicates"].as_i64(), a["flagged"].as_i64()),
        (Some(9), Some(1), Some(1)),
        "{a}"
    );
    assert_eq!(a["rejected"], json!([]));
    // the device re-sends what it was not sure arrived: counted once
    let (_, again) =
        send(&app, &ev, "/api/v1/ratings", json!({ "ratings": [rating("EV1", 1, "teller1", &t(0), 5, None)] })).await;
    assert_eq!((again["accepted"].as_i64(), again["duplicates"].as_i64()), (Some(0), Some(1)), "{again}");
    let other = |seq, score, reason: Option<&str>| json!({"device": "EV9", "seq": seq, "outlet": "BJ0102", "teller": "teller2", "rated_at": "2025-03-01T10:00:00+08:00", "score": score, "reason": reason});
    let (status, b) =
        send(&app, &ev2, "/api/v1/ratings", json!({"ratings": [other(1, 4, None), other(2, 1, Some("01"))]})).await;
    assert_eq!((status, b["accepted"].as_i64()), (StatusCode::OK, Some(2)), "{b}");

    // queue tickets: 5, 20 (in time), 20m01s (overtime) and 6 minutes; one not called yet
    let ticket = |n: &str, taken: &str, called: Option<&str>, business: &str| {
        json!({"outlet": "BJ0101", "number": n, "business": business, "taken_at": format!("2025-03-02T{taken}+08:00"),
               "called_at": called.map(|c| format!("2025-03-02T{c}+08:00")), "teller": "teller1"})
    };
    let tickets = json!({"tickets": [
        ticket("A001", "09:00:00", Some("09:05:00"), "personal"),
        ticket("A002", "09:00:00", Some("09:20:00"), "personal"),
        ticket("A003", "09:10:00", Some("09:30:01"), "personal"),
        ticket("A004", "10:00:00", None, "personal"),
        ticket("V001", "10:00:00", Some("10:06:00"), "vip"),
    ]});
    let (status, q) = send(&app, &queue, "/api/v1/queue-tickets", tickets).await;
    assert_eq!((status, q["accepted"].as_i64()), (StatusCode::OK, Some(5)), "{q}");
    // A004 is called after 45 minutes; A002 is sent again as it was; A001 with another call time is refused
    let later = json!({"tickets": [
        ticket("A004", "10:00:00", Some("10:45:00"), "personal"),
        ticket("A002", "09:00:00", Some("09:20:00"), "personal"),
        ticket("A001", "09:00:00", Some("09:06:00"), "personal"),
    ]});
    let (_, q) = send(&app, &queue, "/api/v1/queue-tickets", later).await;
    assert_eq!((q["accepted"].as_i64(), q["duplicates"].as_i64()), (Some(1), Some(1)), "{q}");
    assert_eq!(
        (q["rejected"][0]["index"].as_i64(), q["rejected"][0]["field"].as_str()),
        (Some(2), Some("called_at")),
        "{q}"
    );

    let (status, m) = app.get("head1", "/api/v1/service-measures?org_unit=BJ0101&from=2025-02-01&to=2025-03-03").await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(figure(&m, "ratings"), 9);
    assert_eq!(figure(&m, "scores"), json!({"1": 1, "2": 1, "3": 1, "4": 2, "5": 4}));
    assert_eq!(figure(&m, "counter_satisfaction_rate")["display"], "66.67%");
    assert_eq!(
        (figure(&m, "satisfied"), figure(&m, "dissatisfied"), figure(&m, "flagged")),
        (json!(6), json!(2), json!(1))
    );
    assert_eq!(figure(&m, "dissatisfied_by_reason"), json!({"01": 1, "02": 1}));
    assert_eq!((figure(&m, "tickets"), figure(&m, "tickets_taken")), (json!(5), json!(5)));
    // waits 300 + 1200 + 1201 + 360 + 2700 = 5761 s over 5; overtime A003 and A004
    assert_eq!(figure(&m, "average_wait_seconds"), 1152);
    assert_eq!(
        (figure(&m, "overtime_waits"), figure(&m, "overtime_wait_ratio")["display"].clone()),
        (json!(2), json!("40.00%"))
    );
    // minutes 5, 6, 20, 20, 45: 90 % of five is reached only in the 45th minute
    assert_eq!(figure(&m, "p90_wait_seconds"), 46 * 60);
    assert_eq!(m["outlets"], 1);

    let (_, by_month) =
        app.get("head1", "/api/v1/service-measures?org_unit=BJ0101&from=2025-02-01&to=2025-03-31&by=month").await;
    let months: Vec<(String, i64)> = by_month["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), r["figures"]["ratings"].as_i64().unwrap()))
        .collect();
    assert_eq!(months, [("2025-02".to_string(), 2), ("2025-03".to_string(), 7)]);
    let (_, by_teller) =
        app.get("head1", "/api/v1/service-measures?org_unit=BJ0101&from=2025-03-01&to=2025-03-03&by=teller").await;
    let teller1 = &by_teller["breakdown"][0];
    assert_eq!(teller1["key"], "teller1", "{by_teller}");
    assert_eq!(
        (teller1["figures"]["ratings"].as_i64(), teller1["figures"]["counter_satisfaction_rate"]["display"].as_str()),
        (Some(7), Some("57.14%"))
    );
    assert_eq!(teller1["figures"]["dissatisfied_by_reason"], json!({"01": 1, "02": 1}));
    let (_, by_hour) =
        app.get("head1", "/api/v1/service-measures?org_unit=BJ0101&from=2025-03-02&to=2025-03-02&by=hour").await;
    let hours: Vec<(String, i64)> = by_hour["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), r["figures"]["tickets_taken"].as_i64().unwrap()))
        .collect();
    assert_eq!(hours, [("09".to_string(), 3), ("10".to_string(), 2)]);
    let (_, heat) =
        app.get("head1", "/api/v1/service-measures?org_unit=BJ0101&from=2025-03-01&to=2025-03-02&by=day_hour").await;
    assert_eq!(heat["breakdown"][0]["key"], "2025-03-02 09", "{heat}");

    // the sub-branch sums its outlets
    let (_, sub) = app.get("ops", "/api/v1/service-measures?org_unit=BJ01&from=2025-02-01&to=2025-03-03&by=unit").await;
    assert_eq!(
        (figure(&sub, "ratings"), figure(&sub, "counter_satisfaction_rate")["display"].clone()),
        (json!(11), json!("63.64%"))
    );
    let units: Vec<(String, i64)> = sub["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), r["figures"]["ratings"].as_i64().unwrap()))
        .collect();
    assert_eq!(units, [("BJ0101".to_string(), 9), ("BJ0102".to_string(), 2)]);

    // who may read: not a teller; not another outlet's head
    assert_eq!(app.get("teller1", "/api/v1/service-measures").await.0, StatusCode::FORBIDDEN);
    let (status, p) = app.get("head2", "/api/v1/service-measures?org_unit=BJ0101").await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("org_unit")), "{p}");
    assert_eq!(app.get("head1", "/api/v1/service-measures?by=week").await.0, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn integration_tokens_are_made_by_admins_bound_to_an_outlet_and_revocable(app: TestApp) {
    let (status, _) =
        app.post("cpc", "/api/v1/integrations", json!({"kind": "evaluator", "name": "x", "org_unit": "BJ0101"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // every fault at once: a kind that is none, a blank name; a device at a sub-branch
    let (status, p) =
        app.post("admin", "/api/v1/integrations", json!({"kind": "fax", "name": " ", "org_unit": "BJ0101"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["kind", "name"], "{p}");
    let (status, p) =
        app.post("admin", "/api/v1/integrations", json!({"kind": "queue", "name": "q", "org_unit": "BJ01"})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("org_unit")), "{p}");
    let (id, secret) = token(&app, "evaluator", "BJ0101").await;
    assert!(secret.starts_with("xbi_") && secret.len() == 68);
    let (_, list) = app.get("admin", "/api/v1/integrations").await;
    assert_eq!(list[0]["id"], id);
    assert!(list[0].get("token").is_none(), "the secret is shown once: {list}");
    // a token is not a person: it opens no other endpoint
    assert_eq!(app.call_with_token(&secret, Method::GET, "/api/v1/complaints", None).await.0, StatusCode::UNAUTHORIZED);
    // a person is not a device, nor a queue system an evaluator
    let one = json!({"ratings": [rating("EV1", 1, "teller1", "2025-03-02T09:00:00+08:00", 5, None)]});
    assert_eq!(app.post("head1", "/api/v1/ratings", one.clone()).await.0, StatusCode::FORBIDDEN);
    let (_, queue) = token(&app, "queue", "BJ0101").await;
    assert_eq!(send(&app, &queue, "/api/v1/ratings", one.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.call_anon(Method::POST, "/api/v1/ratings", Some(one.clone())).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&app, &secret, "/api/v1/ratings", one.clone()).await.0, StatusCode::OK);
    // revoked: refused at its next request; revoking again is a conflict; another branch's admin scope
    let (status, r) = app.post("admin", &format!("/api/v1/integrations/{id}/revoke"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert!(r["revoked_at"].is_string());
    assert_eq!(send(&app, &secret, "/api/v1/ratings", one).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.post("admin", &format!("/api/v1/integrations/{id}/revoke"), json!({})).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(app.post("admin", "/api/v1/integrations/999999/revoke", json!({})).await.0, StatusCode::NOT_FOUND);
}

async fn devices_may_send_only_for_their_outlet_and_bad_rows_are_told(app: TestApp) {
    let (_, ev) = token(&app, "evaluator", "BJ0101").await;
    let at = "2025-03-02T09:00:00+08:00";
    // one row for another outlet refuses the whole request
    let mut stray = rating("EV1", 2, "teller2", at, 5, None);
    stray["outlet"] = json!("BJ0102");
    let (status, p) =
        send(&app, &ev, "/api/v1/ratings", json!({"ratings": [rating("EV1", 1, "teller1", at, 5, None), stray]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("ratings[1].outlet"), "{p}");
    let (_, m) = app.get("head1", "/api/v1/service-measures?org_unit=BJ0101&from=2025-03-01&to=2025-03-03").await;
    assert_eq!(figure(&m, "ratings"), 0, "nothing of a refused request is stored");

    // bad rows are told by index and field; the good ones are kept
    let mut wrong_type = rating("EV1", 7, "teller1", at, 5, None);
    wrong_type["score"] = json!("five");
    let rows = json!({"ratings": [
        rating("EV1", 1, "teller1", at, 5, None),
        rating("EV1", 2, "teller1", at, 6, None),
        rating("EV1", 3, "teller1", at, 2, None),
        rating("EV1", 4, "head2", at, 5, None),
        rating("EV1", 5, "teller1", "2025-03-03T09:06:00+08:00", 5, None),
        rating("EV1", 6, "teller1", at, 1, Some("77")),
        wrong_type,
    ]});
    let (status, a) = send(&app, &ev, "/api/v1/ratings", rows).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["accepted"], 1);
    let told: Vec<(i64, &str)> = a["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_i64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(told, [(1, "score"), (2, "reason"), (3, "teller"), (4, "rated_at"), (5, "reason"), (6, "score")], "{a}");
    assert!(
        a["rejected"].as_array().unwrap().iter().all(|r| !r["message"].as_str().unwrap().contains("field.")),
        "{a}"
    );

    // the body: more than a batch, not JSON, no list
    let many: Vec<Value> = (0..5001).map(|i| rating("EV3", i, "teller1", at, 5, None)).collect();
    let (status, p) = send(&app, &ev, "/api/v1/ratings", json!({ "ratings": many })).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("ratings")), "{p}");
    let (status, _, _) = app
        .oneshot(
            Method::POST,
            "/api/v1/ratings",
            &[("authorization", &format!("Bearer {ev}")), ("content-type", "application/json")],
            b"{\"ratings\": [".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(send(&app, &ev, "/api/v1/ratings", json!({"rows": []})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // tickets with times out of order
    let (_, queue) = token(&app, "queue", "BJ0101").await;
    let bad = json!({"tickets": [{"outlet": "BJ0101", "number": "A1", "taken_at": at, "called_at": "2025-03-02T08:00:00+08:00"}]});
    let (_, q) = send(&app, &queue, "/api/v1/queue-tickets", bad).await;
    assert_eq!((q["accepted"].as_i64(), q["rejected"][0]["field"].as_str()), (Some(0), Some("called_at")), "{q}");
}

/// Random ratings and tickets at two outlets, with re-sends, bursts, completions and conflicting
/// sends, over three months: the counters kept as they arrive equal those recounted from the rows.
async fn service_counters_kept_as_rows_arrive_equal_counters_rebuilt_from_the_rows(app: TestApp) {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    let outlets = [
        ("BJ0101", "teller1", token(&app, "evaluator", "BJ0101").await.1, token(&app, "queue", "BJ0101").await.1),
        ("BJ0102", "teller2", token(&app, "evaluator", "BJ0102").await.1, token(&app, "queue", "BJ0102").await.1),
    ];
    let base = chrono::DateTime::parse_from_rfc3339("2024-12-01T08:30:00+08:00").unwrap();
    for seed in 0..3u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..12 {
            let (outlet, teller, ev, queue) = &outlets[rng.gen_range(0..2)];
            let ratings: Vec<Value> = (0..rng.gen_range(1..40))
                .map(|_| {
                    let score = rng.gen_range(1..=5);
                    let at = base + chrono::Duration::seconds(rng.gen_range(0..90 * 86_400));
                    let reason = (score <= 2).then(|| ["01", "02", "99"][rng.gen_range(0..3)]);
                    json!({"device": format!("{outlet}-{}", rng.gen_range(0..3)), "seq": rng.gen_range(0..200),
                        "outlet": outlet, "teller": teller, "rated_at": at.to_rfc3339(), "score": score, "reason": reason})
                })
                .collect();
            let (status, a) = send(&app, ev, "/api/v1/ratings", json!({ "ratings": ratings })).await;
            assert_eq!(status, StatusCode::OK, "{a}");
            let tickets: Vec<Value> = (0..rng.gen_range(1..30))
                .map(|_| {
                    // a few days and numbers, so that tickets are sent again and completed; a ticket's times
                    // follow from its day and number, each send giving the call or not
                    let (day, number) = (rng.gen_range(0..4i64), rng.gen_range(0..25i64));
                    let taken = base + chrono::Duration::days(day * 20) + chrono::Duration::minutes(number * 7);
                    let called = rng
                        .gen_bool(0.6)
                        .then(|| (taken + chrono::Duration::seconds(number * 149 % 3_000)).to_rfc3339());
                    let business = ["personal", "corporate"][(number % 2) as usize];
                    json!({"outlet": outlet, "number": format!("A{number}"), "taken_at": taken.to_rfc3339(),
                        "called_at": called, "business": business,
                        "teller": rng.gen_bool(0.5).then_some(teller)})
                })
                .collect();
            let (status, q) = send(&app, queue, "/api/v1/queue-tickets", json!({ "tickets": tickets })).await;
            assert_eq!(status, StatusCode::OK, "{q}");
        }
        let path = "/api/v1/service-measures?org_unit=BJ01&from=2024-12-01&to=2025-03-03&by=unit";
        let (_, kept) = app.get("ops", path).await;
        assert!(kept["figures"]["ratings"].as_i64().unwrap() > 0 && kept["figures"]["tickets"].as_i64().unwrap() > 0);
        let report = app.store.rebuild_rollups().await.unwrap();
        assert_eq!(report.differed, 0, "seed {seed}");
        let (_, rebuilt) = app.get("ops", path).await;
        assert_eq!(kept, rebuilt, "seed {seed}");
    }
}

async fn flagged_ratings_are_listed_in_scope_and_excluded_by_the_service_department(mut app: TestApp) {
    app.add_user("svc", xiaobao_core::role::Role::ServiceDept, "HO").await;
    app.add_user("svc.sh", xiaobao_core::role::Role::ServiceDept, "SH").await;
    let (_, ev) = token(&app, "evaluator", "BJ0101").await;
    // the second comes five seconds after the first: a burst
    let rows = json!({"ratings": [
        rating("EV1", 1, "teller1", "2025-03-02T09:00:00+08:00", 4, None),
        rating("EV1", 2, "teller1", "2025-03-02T09:00:05+08:00", 5, None),
    ]});
    let (_, a) = send(&app, &ev, "/api/v1/ratings", rows).await;
    assert_eq!(a["flagged"], 1, "{a}");
    let (status, list) = app.get("head1", "/api/v1/ratings/flagged?from=2025-03-01&to=2025-03-03").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!((list["total"].as_i64(), list["items"][0]["seq"].as_i64()), (Some(1), Some(2)), "{list}");
    assert_eq!(list["items"][0]["teller"], "teller1");
    // another outlet's head sees none of it, and may not name this outlet
    let (_, other) = app.get("head2", "/api/v1/ratings/flagged?from=2025-03-01&to=2025-03-03").await;
    assert_eq!(other["total"], 0);
    assert_eq!(app.get("head2", "/api/v1/ratings/flagged?org_unit=BJ0101").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("teller1", "/api/v1/ratings/flagged").await.0, StatusCode::FORBIDDEN);

    let exclude = json!({"device": "EV1", "seq": 2, "reason": "录像显示柜员代按评价器"});
    assert_eq!(app.post("head1", "/api/v1/ratings/exclude", exclude.clone()).await.0, StatusCode::FORBIDDEN);
    // the service department of another branch does not find it
    assert_eq!(app.post("svc.sh", "/api/v1/ratings/exclude", exclude.clone()).await.0, StatusCode::NOT_FOUND);
    let (status, p) =
        app.post("svc", "/api/v1/ratings/exclude", json!({"device": "EV1", "seq": 2, "reason": " "})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let measures = "/api/v1/service-measures?org_unit=BJ0101&from=2025-03-01&to=2025-03-03";
    let (_, before) = app.get("head1", measures).await;
    assert_eq!((figure(&before, "ratings"), figure(&before, "flagged")), (json!(2), json!(1)));
    let (status, x) = app.post("svc", "/api/v1/ratings/exclude", exclude.clone()).await;
    assert_eq!(status, StatusCode::OK, "{x}");
    let (_, after) = app.get("head1", measures).await;
    assert_eq!((figure(&after, "ratings"), figure(&after, "flagged")), (json!(1), json!(0)));
    assert_eq!(figure(&after, "scores"), json!({"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}));
    assert_eq!(app.post("svc", "/api/v1/ratings/exclude", exclude).await.0, StatusCode::CONFLICT);
    assert_eq!(
        app.post("svc", "/api/v1/ratings/exclude", json!({"device": "EV1", "seq": 99, "reason": "x"})).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = app.get("head1", "/api/v1/ratings/flagged?from=2025-03-01&to=2025-03-03").await;
    assert_eq!(
        (list["items"][0]["excluded"].as_bool(), list["items"][0]["exclude_reason"].as_str()),
        (Some(true), Some("录像显示柜员代按评价器"))
    );
    // a rebuild leaves it out too
    assert_eq!(app.store.rebuild_rollups().await.unwrap().differed, 0);
}

async fn service_rules_are_set_by_the_service_department_and_followed(mut app: TestApp) {
    app.add_user("svc", xiaobao_core::role::Role::ServiceDept, "HO").await;
    let (_, rules) = app.get("teller1", "/api/v1/service-rules").await;
    assert_eq!(
        (rules["min_rating_interval_seconds"].as_i64(), rules["overtime"]["default_minutes"].as_i64()),
        (Some(20), Some(20))
    );
    let bad = json!({"min_rating_interval_seconds": -5, "overtime": {"default_minutes": 0, "by_business": {"vip": 999}}, "overtime_target_percent": 10});
    let (status, p) = app.call("svc", Method::PUT, "/api/v1/service-rules", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"].as_array().unwrap().len(), 3, "{p}");
    let good = json!({"min_rating_interval_seconds": 0, "overtime": {"default_minutes": 20, "by_business": {"vip": 5}}, "overtime_target_percent": 10});
    assert_eq!(
        app.call("head1", Method::PUT, "/api/v1/service-rules", Some(good.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, set) = app.call("svc", Method::PUT, "/api/v1/service-rules", Some(good)).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    // a VIP waiting six minutes is now overtime; ratings a second apart are no longer bursts
    let (_, queue) = token(&app, "queue", "BJ0101").await;
    let vip = json!({"tickets": [{"outlet": "BJ0101", "number": "V1", "business": "vip", "taken_at": "2025-03-02T10:00:00+08:00", "called_at": "2025-03-02T10:06:00+08:00"}]});
    send(&app, &queue, "/api/v1/queue-tickets", vip).await;
    let (_, ev) = token(&app, "evaluator", "BJ0101").await;
    let rows = json!({"ratings": [rating("EV1", 1, "teller1", "2025-03-02T09:00:00+08:00", 5, None), rating("EV1", 2, "teller1", "2025-03-02T09:00:01+08:00", 5, None)]});
    let (_, a) = send(&app, &ev, "/api/v1/ratings", rows).await;
    assert_eq!(a["flagged"], 0, "{a}");
    let (_, m) = app.get("head1", "/api/v1/service-measures?org_unit=BJ0101&from=2025-03-01&to=2025-03-03").await;
    assert_eq!(figure(&m, "overtime_waits"), 1);
}

async fn import(app: &TestApp, user: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    crate::statistics::import_to(app, user, "/api/v1/ratings/import", content_type, body).await
}

async fn ratings_kept_elsewhere_are_imported_whole_or_not_at_all(mut app: TestApp) {
    app.add_user("svc", xiaobao_core::role::Role::ServiceDept, "HO").await;
    app.add_user("svc.sh", xiaobao_core::role::Role::ServiceDept, "SH").await;
    let header = "设备号,序号,网点代码,柜员号,评价时间,评分,不满意原因\n";
    let bad = format!(
        "{header}V1,1,BJ0101,teller1,2025-03-01 09:00,5,\nV1,2,BJ0101,teller1,2025-03-01 09:10,9,\nV1,3,BJ0101,nobody,2025-03-01 09:20,2,01\n"
    );
    let (status, p) = import(&app, "svc", "text/csv", bad.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let details: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["detail"].as_str().unwrap()).collect();
    // rows 3 and 4 of the file: the score, then the teller and the missing reason
    assert_eq!(details.len(), 2, "{p}");
    assert!(details[0].starts_with("第 3 行“评分”"), "{p}");
    assert!(details[1].starts_with("第 4 行“柜员号”"), "{p}");
    let measures = "/api/v1/service-measures?org_unit=BJ0101&from=2025-03-01&to=2025-03-03";
    assert_eq!(figure(&app.get("head1", measures).await.1, "ratings"), 0, "nothing of a refused file is stored");
    // an XLSX with the English names and the columns in another order
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["score", "rated_at", "teller", "outlet", "seq", "device", "reason"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (score, reason)) in [(5, ""), (4, ""), (1, "02")].iter().enumerate() {
        let row = r as u32 + 1;
        sheet.write_number(row, 0, f64::from(*score)).unwrap();
        sheet.write_string(row, 1, format!("2025-03-01 10:{:02}", r * 5)).unwrap();
        sheet.write_string(row, 2, "teller1").unwrap();
        sheet.write_string(row, 3, "BJ0101").unwrap();
        sheet.write_number(row, 4, f64::from(row)).unwrap();
        sheet.write_string(row, 5, "V2").unwrap();
        sheet.write_string(row, 6, *reason).unwrap();
    }
    let xlsx = book.save_to_buffer().unwrap();
    assert_eq!(import(&app, "head1", "application/octet-stream", xlsx.clone()).await.0, StatusCode::FORBIDDEN);
    let (status, p) = import(&app, "svc.sh", "application/octet-stream", xlsx.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another branch's outlet is unknown to it: {p}");
    let (status, a) = import(&app, "svc", "application/octet-stream", xlsx.clone()).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!((a["accepted"].as_i64(), a["duplicates"].as_i64()), (Some(3), Some(0)));
    let (_, m) = app.get("head1", measures).await;
    assert_eq!((figure(&m, "ratings"), figure(&m, "dissatisfied_by_reason")), (json!(3), json!({"02": 1})));
    // the same file again adds nothing
    let (_, again) = import(&app, "svc", "application/octet-stream", xlsx).await;
    assert_eq!((again["accepted"].as_i64(), again["duplicates"].as_i64()), (Some(0), Some(3)));
}
