//! Rollups: the counters kept as events arrive equal those rebuilt from the event log, after random
//! sequences of registrations, actions, time passing and deadline alerts; and they agree with a
//! count of the complaints themselves.

use crate::both_backends;
use crate::harness::{TestApp, complaint_body};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use xiaobao_server::scheduler::run_due;

const ACTORS: [&str; 6] = ["head1", "head2", "ops", "vp", "cpc", "teller1"];
const CHANNELS: [&str; 4] = ["counter", "hotline", "regulator", "online"];

fn action(rng: &mut StdRng) -> (&'static str, Value) {
    let feedback = ["satisfied", "dissatisfied", "unreachable"][rng.gen_range(0..3)];
    let to = ["BJ0101", "BJ0102"][rng.gen_range(0..2)];
    // the steps of a normal life come up more often than the detours and the endings
    const WEIGHTED: [u8; 28] =
        [0, 0, 0, 2, 2, 2, 8, 8, 8, 9, 9, 9, 1, 3, 4, 4, 5, 6, 7, 10, 11, 12, 13, 13, 13, 14, 14, 14];
    match WEIGHTED[rng.gen_range(0..WEIGHTED.len())] {
        0 => ("accept", json!({})),
        1 => ("decline", json!({"reason": "非投诉事项"})),
        2 => ("respond", json!({"text": "已联系客户"})),
        3 => ("transfer", json!({"to_org_unit": to, "reason": "属地处理"})),
        4 => ("escalate", json!({"reason": "客户要求"})),
        5 => ("extend", json!({"reason": "情况复杂"})),
        6 => ("pause", json!({"reason": "司法鉴定"})),
        7 => ("resume", json!({"reason": "鉴定完成"})),
        8 => {
            let cause = ["12", "01"][rng.gen_range(0..2)];
            (
                "decide",
                json!({"liable": rng.gen_bool(0.5), "root_cause": "service_fault", "cause": cause, "text": "已处理"}),
            )
        }
        9 => ("close", json!({ "feedback": feedback })),
        10 => ("reopen", json!({"reason": "同一问题再次发生"})),
        11 => ("request_review", json!({"reason": "不服处理决定"})),
        // an approved appeal takes the complaint out of its unit's figures
        13 => ("appeal", json!({"reason": "非本机构责任"})),
        14 => ("decide_appeal", json!({"approve": rng.gen_bool(0.5), "note": "经核实"})),
        _ => ("withdraw", json!({"reason": "客户撤诉"})),
    }
}

fn next_step(state: &str, rng: &mut StdRng) -> Option<(&'static str, Value)> {
    let pick = |rng: &mut StdRng| loop {
        let a = action(rng);
        if a.0
            == ["accept", "respond", "decide", "close", "decide"][match state {
                "registered" => 0,
                "accepted" => 1,
                "in_progress" => 2,
                "decided" => 3,
                _ => 4,
            }]
        {
            return a;
        }
    };
    matches!(state, "registered" | "accepted" | "in_progress" | "decided" | "under_review").then(|| pick(rng))
}

/// Drives the bank through `steps` random steps; most actions are refused, which must count nothing.
async fn random_history(app: &mut TestApp, rng: &mut StdRng, steps: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    // fresh sessions: an earlier history may have moved the clock most of a session's life on
    for user in ACTORS {
        app.login(user).await;
    }
    let mut since_login = 0;
    for _ in 0..steps {
        match rng.gen_range(0..10) {
            0..=2 => {
                let unit = ["BJ0101", "BJ0102"][rng.gen_range(0..2)];
                // a small pool of phones: repeats and merges happen
                let mut body = complaint_body(unit, &format!("1330000000{}", rng.gen_range(0..6)));
                body["channel"] = json!(CHANNELS[rng.gen_range(0..CHANNELS.len())]);
                body["category"] = json!(["01", "04", "0302"][rng.gen_range(0..3)]);
                let (status, k) = app.post("cpc", "/api/v1/complaints", body).await;
                assert!(status.is_success(), "{k}");
                if !ids.contains(&k["id"].as_i64().unwrap()) {
                    ids.push(k["id"].as_i64().unwrap());
                }
            }
            3..=8 if !ids.is_empty() => {
                let id = ids[rng.gen_range(0..ids.len())];
                let (name, body) = if rng.gen_bool(0.6) {
                    // mostly the next step of a normal life, so histories reach every state
                    let state = app.get("cpc", &format!("/api/v1/complaints/{id}")).await.1["state"].clone();
                    next_step(state.as_str().unwrap_or_default(), rng).unwrap_or_else(|| action(rng))
                } else {
                    action(rng)
                };
                let actor = ACTORS[rng.gen_range(0..ACTORS.len())];
                // head office decides appeals: let it, so approved ones leave the figures
                let actor = if name == "decide_appeal" { "cpc" } else { actor };
                let (status, p) = app.act(actor, id, name, body).await;
                assert!(status.as_u16() < 500, "{name} by {actor}: {p}");
            }
            _ => {
                let hours = rng.gen_range(1..30);
                app.clock.advance(chrono::Duration::hours(hours));
                run_due(&app.state, xiaobao_server::Clock::now(&app.clock)).await.unwrap();
                // sessions last 36 hours
                since_login += hours;
                if since_login > 30 {
                    for user in ACTORS.into_iter().chain(["cpc"]) {
                        app.login(user).await;
                    }
                    since_login = 0;
                }
            }
        }
    }
    ids
}

both_backends!(counters_kept_as_events_arrive_equal_counters_rebuilt_from_the_log);

async fn counters_kept_as_events_arrive_equal_counters_rebuilt_from_the_log(mut app: TestApp) {
    for seed in 0..4u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        random_history(&mut app, &mut rng, 60).await;
        let incremental = app.store.rollup_snapshot().await.unwrap();
        assert!(!incremental.days.is_empty());
        let report = app.store.rebuild_rollups().await.unwrap();
        let rebuilt = app.store.rollup_snapshot().await.unwrap();
        assert_eq!(incremental, rebuilt, "seed {seed}");
        assert_eq!(report.differed, 0, "seed {seed}");
        assert!(report.orders > 0 && report.events >= report.orders);
    }
}

both_backends!(counters_agree_with_a_count_of_the_complaints);

async fn counters_agree_with_a_count_of_the_complaints(mut app: TestApp) {
    let mut rng = StdRng::seed_from_u64(42);
    random_history(&mut app, &mut rng, 300).await;
    let snap = app.store.rollup_snapshot().await.unwrap();
    let ho = app.store.org_unit_by_code("HO").await.unwrap().unwrap().id;
    let outlet = app.store.org_unit_by_code("BJ0102").await.unwrap().unwrap().id;
    let sum = |unit: i64, f: fn(&xiaobao_core::measure::Counts) -> i64| -> i64 {
        snap.days.iter().filter(|r| r.0 == unit && r.2 == "all").map(|r| f(&r.4)).sum()
    };
    let open = "state NOT IN ('closed', 'declined', 'withdrawn')";
    // an approved appeal takes a complaint out of the figures (the live work counts it still)
    let counted = |condition: &str| format!("({condition}) AND (appeal IS NULL OR appeal <> 'approved')");
    assert_eq!(sum(ho, |c| c.received), app.count_complaints_where(&counted("1 = 1")).await);
    assert_eq!(sum(ho, |c| c.escalated), app.count_complaints_where(&counted("escalation_count > 0")).await);
    assert_eq!(sum(ho, |c| c.repeat), app.count_complaints_where(&counted("repeat = 1")).await);
    assert_eq!(sum(ho, |c| c.over_level), app.count_complaints_where(&counted("channel = 'regulator'")).await);
    assert_eq!(sum(ho, |c| c.decided), app.count_complaints_where(&counted("decided_at IS NOT NULL")).await);
    assert_eq!(sum(ho, |c| c.closed), app.count_complaints_where(&counted("state = 'closed'")).await);
    assert_eq!(sum(ho, |c| c.open), app.count_complaints_where(&counted(open)).await);
    assert_eq!(sum(ho, |c| c.excluded), app.count_complaints_where("appeal = 'approved'").await);
    let reached = (sum(ho, |c| c.closed), sum(ho, |c| c.escalated), sum(ho, |c| c.decided), sum(ho, |c| c.excluded));
    assert!(reached.0 > 0 && reached.1 > 0 && reached.2 > 0 && reached.3 > 0, "the history reached these: {reached:?}");
    let live = |unit: i64| snap.live.iter().find(|l| l.0 == unit).map(|l| l.1).unwrap_or_default();
    assert_eq!(live(ho).open, app.count_complaints_where(open).await);
    let in_outlet = "org_path = (SELECT path FROM org_units WHERE code = 'BJ0102')";
    assert_eq!(live(outlet).open, app.count_complaints_where(&format!("{open} AND {in_outlet}")).await);
    // a complaint counts against its responsible unit, wherever its handling went
    let against_outlet = "responsible_unit_id = (SELECT id FROM org_units WHERE code = 'BJ0102')";
    assert_eq!(sum(outlet, |c| c.received), app.count_complaints_where(&counted(against_outlet)).await);
    assert_eq!(live(ho).escalated_open, app.count_complaints_where(&format!("{open} AND escalation_count > 0")).await);
}

both_backends!(instants_finer_than_a_millisecond_replay_to_the_same_counters);

/// The clock reads nanoseconds, the database keeps milliseconds: an order responded to in the same
/// millisecond as its due time must count the same way when kept and when replayed from its events.
async fn instants_finer_than_a_millisecond_replay_to_the_same_counters(app: TestApp) {
    let t = crate::harness::start_time() + chrono::Duration::nanoseconds(312_870_724);
    app.clock.set(t);
    let k = app.register("teller1", "BJ0101", "13300000009").await;
    let id = k["id"].as_i64().unwrap();
    let due = k["clocks"].as_array().unwrap().iter().find(|c| c["kind"] == "response").unwrap()["due_at"].clone();
    let due = chrono::DateTime::parse_from_rfc3339(due.as_str().unwrap()).unwrap().with_timezone(&chrono::Utc);
    app.act_ok("head1", id, "accept", json!({})).await;
    app.clock.set(due + chrono::Duration::nanoseconds(900_000));
    app.act_ok("head1", id, "respond", json!({"text": "已联系客户"})).await;
    let kept = app.store.rollup_snapshot().await.unwrap();
    let report = app.store.rebuild_rollups().await.unwrap();
    assert_eq!(report.differed, 0);
    assert_eq!(kept, app.store.rollup_snapshot().await.unwrap());
}
