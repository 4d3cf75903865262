//! The service side's notices: an outlet over its overtime-wait target today is told to its head,
//! in the bell and by mail, once a day and only in opening hours; an overdue rectification is
//! escalated on the working-day calendar and told to its owner, from the second level also to the
//! operations supervisor above.

use crate::both_backends;
use crate::harness::TestApp;
use crate::service::{send, token};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaobao_core::role::Role;
use xiaobao_server::service_notices::run;

both_backends!(an_outlet_over_its_overtime_target_is_told_once_a_day_in_opening_hours);
both_backends!(an_overdue_rectification_escalates_and_is_told_to_its_owner_then_the_supervisor);

fn t(s: &str) -> xiaobao_core::time::Instant {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// `n` tickets numbered from `prefix` at BJ0101 on `day` from 08:00, the first `over` of them
/// waiting 25 minutes, the others 5.
fn tickets(prefix: &str, day: &str, n: usize, over: usize) -> Value {
    let rows: Vec<Value> = (0..n)
        .map(|i| {
            let wait = if i < over { 25 } else { 5 };
            json!({"outlet": "BJ0101", "number": format!("{prefix}{i:03}"), "business": "personal",
                "taken_at": format!("{day}T08:{:02}:00+08:00", i),
                "called_at": format!("{day}T{:02}:{:02}:00+08:00", 8 + (i + wait) / 60, (i + wait) % 60), "teller": "teller1"})
        })
        .collect();
    json!({ "tickets": rows })
}

async fn notices(app: &TestApp, user: &str) -> Vec<(String, i64)> {
    let (status, v) = app.get(user, "/api/v1/notifications").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["kind"].as_str().unwrap().to_string(), n["level"].as_i64().unwrap()))
        .collect()
}

async fn an_outlet_over_its_overtime_target_is_told_once_a_day_in_opening_hours(app: TestApp) {
    let (_, queue) = token(&app, "queue", "BJ0101").await;
    // 9 tickets, 2 overtime: too few to say anything yet
    assert_eq!(send(&app, &queue, "/api/v1/queue-tickets", tickets("A", "2025-03-03", 9, 2)).await.0, StatusCode::OK);
    assert_eq!(run(&app.state, t("2025-03-03T10:00:00+08:00")).await.unwrap(), 0);
    // 20 tickets, 2 overtime: 10%, at the target and not over it
    assert_eq!(send(&app, &queue, "/api/v1/queue-tickets", tickets("B", "2025-03-03", 11, 0)).await.0, StatusCode::OK);
    assert_eq!(run(&app.state, t("2025-03-03T10:00:00+08:00")).await.unwrap(), 0);
    // 21 tickets, 3 overtime: 14.28%, over
    assert_eq!(send(&app, &queue, "/api/v1/queue-tickets", tickets("C", "2025-03-03", 1, 1)).await.0, StatusCode::OK);
    // before opening and after closing: nobody is told
    assert_eq!(run(&app.state, t("2025-03-03T08:59:00+08:00")).await.unwrap(), 0);
    assert_eq!(run(&app.state, t("2025-03-03T17:00:00+08:00")).await.unwrap(), 0);
    assert_eq!(run(&app.state, t("2025-03-03T10:01:00+08:00")).await.unwrap(), 1, "the outlet head, once");
    assert_eq!(run(&app.state, t("2025-03-03T11:30:00+08:00")).await.unwrap(), 0, "once a day");
    assert_eq!(notices(&app, "head1").await, [("overtime_day".to_string(), 1_428)]);
    assert!(notices(&app, "head2").await.is_empty(), "another outlet's head is not told");
    assert!(notices(&app, "teller1").await.is_empty());
    // its mail, worded as it was made
    let mail = app.store.mail_to_send(t("2025-03-03T10:02:00+08:00"), 10).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "head1@bank.test");
    assert!(mail[0].subject.contains("超时等候率 14.28%"), "{}", mail[0].subject);
    assert!(mail[0].body.contains("已叫号 21 笔，其中等候超时 3 笔"), "{}", mail[0].body);
    // the bell opens the outlet's service measures
    let (_, list) = app.get("head1", "/api/v1/notifications").await;
    assert_eq!(list["items"][0]["subject_key"], "BJ0101:20250303");
}

async fn an_overdue_rectification_escalates_and_is_told_to_its_owner_then_the_supervisor(mut app: TestApp) {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    let (status, m) = app
        .post(
            "svc",
            "/api/v1/rectifications",
            json!({"source": "hot_issue", "source_ref": "", "org_unit": "BJ0101", "owner": "head1", "title": "叫号机故障", "due_on": "2025-03-07"}),
        )
        .await;
    let id = if status == StatusCode::CREATED {
        m["rectification"]["id"].as_i64().unwrap()
    } else {
        // a hot issue must exist: a liable complaint of the outlet is the source then
        let k = app.register("teller1", "BJ0101", "13900002222").await;
        let (status, m) = app
            .post(
                "svc",
                "/api/v1/rectifications",
                json!({"source": "liable_complaint", "source_ref": k["number"], "org_unit": "BJ0101", "owner": "head1", "title": "叫号机故障", "due_on": "2025-03-07"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        m["rectification"]["id"].as_i64().unwrap()
    };
    // due on Friday 7 March: not overdue that day, level 1 on Monday 10th
    assert_eq!(run(&app.state, t("2025-03-07T20:00:00+08:00")).await.unwrap(), 0);
    assert_eq!(run(&app.state, t("2025-03-08T20:00:00+08:00")).await.unwrap(), 1, "level 1: the owner");
    assert_eq!(run(&app.state, t("2025-03-10T20:00:00+08:00")).await.unwrap(), 0, "still level 1");
    assert_eq!(notices(&app, "head1").await, [("rectification_overdue".to_string(), 1)]);
    assert!(notices(&app, "ops").await.is_empty());
    // after five working days overdue (10–14 March), on the sixth (Monday 17th): level 2, told to
    // the owner and the sub-branch's supervisor
    assert_eq!(run(&app.state, t("2025-03-16T20:00:00+08:00")).await.unwrap(), 0);
    assert_eq!(run(&app.state, t("2025-03-17T09:00:00+08:00")).await.unwrap(), 2);
    assert_eq!(notices(&app, "ops").await, [("rectification_overdue".to_string(), 2)]);
    assert_eq!(notices(&app, "head1").await.len(), 2);
    app.clock.set(t("2025-03-17T09:00:00+08:00"));
    app.login("head1").await;
    let (_, v) = app.get("head1", &format!("/api/v1/rectifications/{id}")).await;
    let actions: Vec<&str> = v["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["open", "escalate", "escalate"]);
    assert_eq!(v["rectification"]["overdue_level"], 2);
    // a second server running the pass as well tells nobody twice
    assert_eq!(run(&app.state, t("2025-03-17T10:00:00+08:00")).await.unwrap(), 0);
}
