//! Every action in every state: allowed ones succeed, the rest are refused with 409 and change nothing.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(every_illegal_transition_is_refused_and_changes_nothing);

fn actions() -> impl Iterator<Item = &'static str> {
    xiaobao_core::complaint::ActionKind::ALL.into_iter().map(|a| a.as_str())
}

fn body(action: &str) -> Value {
    match action {
        "accept" => json!({}),
        "respond" => json!({"text": "已联系客户"}),
        "transfer" => json!({"to_org_unit": "BJ0102", "reason": "归属其他网点"}),
        "decide" => json!({"liable": false, "root_cause": "misunderstanding", "text": "已解释"}),
        "close" => json!({"feedback": "satisfied"}),
        "decide_appeal" => json!({"approve": true, "note": "测试"}),
        _ => json!({"reason": "测试"}),
    }
}

/// The path from registration to each state.
fn path_to(state: &str) -> &'static [&'static str] {
    match state {
        "registered" => &[],
        "accepted" => &["accept"],
        "in_progress" => &["accept", "respond"],
        "decided" => &["accept", "respond", "decide"],
        "under_review" => &["accept", "respond", "decide", "request_review"],
        "closed" => &["accept", "respond", "decide", "close"],
        "declined" => &["decline"],
        "withdrawn" => &["withdraw"],
        _ => unreachable!(),
    }
}

/// An appeal concerns the figures, not the handling: it may be made in every state; deciding one
/// needs one pending, which none of these orders has.
fn allowed(state: &str) -> &'static [&'static str] {
    match state {
        "registered" => &["accept", "decline", "transfer", "escalate", "withdraw", "appeal"],
        "accepted" => &["respond", "transfer", "escalate", "extend", "pause", "withdraw", "appeal"],
        "in_progress" => &["transfer", "escalate", "extend", "pause", "decide", "withdraw", "appeal"],
        "decided" => &["close", "request_review", "withdraw", "appeal"],
        "under_review" => &["escalate", "pause", "decide", "withdraw", "appeal"],
        "closed" => &["reopen", "request_review", "appeal"],
        _ => &["appeal"],
    }
}

async fn every_illegal_transition_is_refused_and_changes_nothing(app: TestApp) {
    let mut phone = 13_700_000_000i64;
    for state in ["registered", "accepted", "in_progress", "decided", "under_review", "closed", "declined", "withdrawn"]
    {
        for action in actions() {
            phone += 1;
            // The consumer-protection centre at head office may do everything a role can.
            let id = app.register("cpc", "BJ0101", &phone.to_string()).await["id"].as_i64().unwrap();
            for step in path_to(state) {
                app.act_ok("cpc", id, step, body(step)).await;
            }
            let before = app.get("cpc", &format!("/api/v1/complaints/{id}")).await.1;
            assert_eq!(before["state"], state);
            let events_before = app.events(id).await.len();
            let (status, res) = app.act("cpc", id, action, body(action)).await;
            if allowed(state).contains(&action) {
                assert_eq!(status, StatusCode::OK, "{action} in {state}: {res}");
                assert_eq!(app.events(id).await.len(), events_before + 1);
            } else {
                assert_eq!(status, StatusCode::CONFLICT, "{action} in {state} should be refused: {res}");
                assert!(!res["detail"].as_str().unwrap().is_empty());
                let after = app.get("cpc", &format!("/api/v1/complaints/{id}")).await.1;
                assert_eq!(after, before, "{action} in {state} changed the order");
                assert_eq!(app.events(id).await.len(), events_before);
            }
        }
    }
    assert!(app.store.verify_chain().await.unwrap().ok());
}
