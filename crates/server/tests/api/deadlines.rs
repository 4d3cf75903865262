//! The deadline scheduler with an injected clock: warnings, the breach, escalation up the chain,
//! exactly-once firing across restarts and servers, and alert mail to a real SMTP conversation.

use crate::both_backends;
use crate::harness::{TestApp, start_time};
use crate::web::Browser;
use chrono::Duration;
use serde_json::json;
use xiaobao_server::scheduler::run_due;

both_backends!(
    warning_then_breach_then_each_level_of_the_chain,
    responding_stops_the_clock_and_its_alerts,
    a_breach_that_fell_due_while_down_fires_once_after_restart,
    two_schedulers_never_notify_twice,
    alert_mail_reaches_the_smtp_server_in_working_hours,
    lists_of_clocks_due_soon_breached_and_long_unresolved,
    the_policy_may_escalate_the_order_itself
);

fn t(s: &str) -> xiaobao_core::time::Instant {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

async fn inbox(app: &TestApp, user: &str) -> Vec<(String, String, i64)> {
    let id = app.user_id(user).await;
    let mut n: Vec<(String, String, i64)> = app
        .store
        .notifications(id, false, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.kind, n.clock, n.level))
        .collect();
    n.reverse();
    n
}

async fn warning_then_breach_then_each_level_of_the_chain(app: TestApp) {
    // counter complaint, Monday 2025-03-03 09:00: response due 10:00, warnings at 09:30 and 09:48
    let id = app.register("teller1", "BJ0101", "13000000001").await["id"].as_i64().unwrap();
    assert_eq!(run_due(&app.state, t("2025-03-03T09:29:00+08:00")).await.unwrap(), 0);
    assert_eq!(run_due(&app.state, t("2025-03-03T09:30:00+08:00")).await.unwrap(), 1);
    assert_eq!(inbox(&app, "head1").await, [("clock_warning".into(), "response".into(), 50)]);
    assert_eq!(run_due(&app.state, t("2025-03-03T09:30:00+08:00")).await.unwrap(), 0, "a warning fires once");
    assert_eq!(run_due(&app.state, t("2025-03-03T09:50:00+08:00")).await.unwrap(), 1);
    assert_eq!(run_due(&app.state, t("2025-03-03T10:00:00+08:00")).await.unwrap(), 1);
    assert_eq!(inbox(&app, "head1").await.last().unwrap(), &("clock_breach".into(), "response".into(), 1));
    assert!(inbox(&app, "ops").await.is_empty());
    let k = app.store.complaint(id).await.unwrap().unwrap();
    let response = k.order.clock(xiaobao_core::deadline::ClockKind::Response).unwrap();
    assert_eq!(response.breached_at, Some(t("2025-03-03T10:00:00+08:00")));
    // level 2 at the end of the next working day goes to the sub-branch's operations supervisor,
    // level 3 a working day later to the branch's vice president
    assert_eq!(run_due(&app.state, t("2025-03-04T23:59:00+08:00")).await.unwrap(), 0);
    assert_eq!(run_due(&app.state, t("2025-03-05T00:00:00+08:00")).await.unwrap(), 1);
    assert_eq!(inbox(&app, "ops").await, [("clock_breach".into(), "response".into(), 2)]);
    assert_eq!(run_due(&app.state, t("2025-03-06T00:00:00+08:00")).await.unwrap(), 1);
    assert_eq!(inbox(&app, "vp").await, [("clock_breach".into(), "response".into(), 3)]);
    assert!(inbox(&app, "head2").await.is_empty(), "a sibling outlet's head hears nothing");
    let kinds: Vec<String> = app.events(id).await.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["register", "clock_warning", "clock_warning", "clock_breach", "clock_breach", "clock_breach"]);
    let actor = &app.events(id).await[1].actor;
    assert_eq!(actor, "system");
    assert!(app.store.verify_chain().await.unwrap().ok());
}

async fn responding_stops_the_clock_and_its_alerts(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13000000002").await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", json!({})).await;
    app.clock.advance(Duration::minutes(20));
    app.act_ok("head1", id, "respond", json!({"text": "已联系客户"})).await;
    assert_eq!(run_due(&app.state, t("2025-03-03T12:00:00+08:00")).await.unwrap(), 0);
    assert!(inbox(&app, "head1").await.is_empty());
    // the decision clock still warns at half its length: 2025-03-03 09:00 → due 03-19 00:00
    let next = app.store.next_alert_at().await.unwrap().unwrap();
    assert_eq!(next, t("2025-03-11T04:30:00+08:00"));
    // an extension moves the decision's alerts with it
    app.act_ok("head1", id, "extend", json!({"reason": "需调取监控"})).await;
    let next = app.store.next_alert_at().await.unwrap().unwrap();
    assert!(next > t("2025-03-11T04:30:00+08:00"), "{next}");
}

async fn a_breach_that_fell_due_while_down_fires_once_after_restart(app: TestApp) {
    app.register("teller1", "BJ0101", "13000000003").await;
    // the server was down all morning; a new one starts at 11:00
    let restarted = app.second_server().await;
    assert_eq!(run_due(&restarted, t("2025-03-03T11:00:00+08:00")).await.unwrap(), 3, "both warnings and the breach");
    assert_eq!(run_due(&restarted, t("2025-03-03T11:00:00+08:00")).await.unwrap(), 0);
    assert_eq!(run_due(&app.state, t("2025-03-03T11:00:00+08:00")).await.unwrap(), 0);
    assert_eq!(inbox(&app, "head1").await.len(), 3);
}

async fn two_schedulers_never_notify_twice(app: TestApp) {
    for n in 0..30 {
        app.register("teller1", "BJ0101", &format!("1300000{n:04}")).await;
    }
    let other = app.second_server().await;
    let now = t("2025-03-03T10:30:00+08:00");
    let (a, b) = tokio::join!(run_due(&app.state, now), run_due(&other, now));
    assert_eq!(a.unwrap() + b.unwrap(), 90, "30 orders × (two warnings and a breach), each once");
    assert_eq!(inbox(&app, "head1").await.len(), 90);
    // and only one of them leads
    let lead = app.store.try_lead().await.unwrap().expect("the first asks and leads");
    if app.store.backend() == xiaobao_store::Backend::Postgres {
        assert!(other.store.try_lead().await.unwrap().is_none(), "the advisory lock admits one leader");
        lead.release().await.unwrap();
        assert!(other.store.try_lead().await.unwrap().is_some());
    }
}

/// A minimal SMTP server: accepts everything and records each message's recipients and text.
async fn smtp_sink() -> (u16, tokio::sync::mpsc::UnboundedReceiver<(Vec<String>, String)>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        w.write_all(b"250 sink\r\n").await.unwrap();
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                        w.write_all(b"250 ok\r\n").await.unwrap();
                    } else if upper.starts_with("DATA") {
                        w.write_all(b"354 go on\r\n").await.unwrap();
                        let mut text = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            text.push_str(&l);
                            text.push('\n');
                        }
                        tx.send((std::mem::take(&mut rcpt), text)).unwrap();
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else if upper.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        w.write_all(b"250 ok\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    (port, rx)
}

async fn alert_mail_reaches_the_smtp_server_in_working_hours(app: TestApp) {
    use xiaobao_server::mailer::{SmtpConfig, send_due};
    let (port, mut received) = smtp_sink().await;
    let smtp = SmtpConfig::parse(&format!("smtp://127.0.0.1:{port}"), "Xiaobao <alerts@bank.test>").unwrap();
    // registered Monday 16:20: response due 17:20, warnings at 16:50 and 17:08; the bank closes at 17:00
    app.clock.set(start_time() + Duration::minutes(7 * 60 + 20));
    let number = app.register("teller1", "BJ0101", "13000000004").await["number"].as_str().unwrap().to_string();
    assert_eq!(run_due(&app.state, t("2025-03-03T16:50:00+08:00")).await.unwrap(), 1);
    assert_eq!(
        send_due(&app.state, &smtp, t("2025-03-03T16:50:00+08:00")).await.unwrap(),
        1,
        "the 50% warning, in opening hours"
    );
    let (to, text) = received.recv().await.unwrap();
    assert_eq!(to, ["head1@bank.test"]);
    assert!(text.contains("Subject:"), "{text}");
    assert!(text.contains(&number), "{text}");
    let body = quoted_printable(&text);
    assert!(body.contains("响应时限已过 50%"), "worded from the notice: {body}");
    assert!(body.contains("the response clock has run 50% of its time"), "and in English: {body}");
    assert!(text.contains("alerts@bank.test"));
    // the 80% warning (17:08) and the breach (17:20) fall after closing: their mail waits for Tuesday 09:00
    assert_eq!(run_due(&app.state, t("2025-03-03T23:00:00+08:00")).await.unwrap(), 2);
    assert_eq!(send_due(&app.state, &smtp, t("2025-03-03T23:00:00+08:00")).await.unwrap(), 0);
    assert_eq!(
        send_due(&app.state, &smtp, t("2025-03-04T09:00:00+08:00")).await.unwrap(),
        2,
        "the 80% warning and the breach"
    );
    let (to, _) = received.recv().await.unwrap();
    assert_eq!(to, ["head1@bank.test"]);
    // sent mail is not sent again
    assert_eq!(send_due(&app.state, &smtp, t("2025-03-04T10:00:00+08:00")).await.unwrap(), 0);
}

/// The text of a quoted-printable message as its reader sees it: soft line breaks joined, `=XX` bytes
/// decoded as UTF-8.
fn quoted_printable(wire: &str) -> String {
    let joined = wire.replace("=\n", "");
    let mut bytes = Vec::with_capacity(joined.len());
    let mut rest = joined.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        match (b, tail.get(..2).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())) {
            (b'=', Some(v)) => {
                bytes.push(v);
                rest = &tail[2..];
            }
            _ => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).unwrap()
}

async fn lists_of_clocks_due_soon_breached_and_long_unresolved(app: TestApp) {
    let a = app.register("teller1", "BJ0101", "13000000005").await["id"].as_i64().unwrap();
    let mut old = crate::harness::complaint_body("BJ0101", "13000000006");
    old["received_at"] = json!("2025-01-22T10:00:00+08:00");
    let (_, b) = app.post("teller1", "/api/v1/complaints", old).await;
    let b = b["id"].as_i64().unwrap();
    let ids = |v: &serde_json::Value| -> Vec<i64> {
        v["items"].as_array().unwrap().iter().map(|k| k["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(ids(&app.get("head1", "/api/v1/complaints?due_within=2").await.1), [a]);
    assert_eq!(ids(&app.get("head1", "/api/v1/complaints?breached=response").await.1), [b]);
    assert_eq!(ids(&app.get("head1", "/api/v1/complaints?breached=decision").await.1), [b]);
    assert_eq!(ids(&app.get("head1", "/api/v1/complaints?open_longer_than=30").await.1), [b]);
    let (status, p) = app.get("head1", "/api/v1/complaints?breached=lunch").await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "breached");
    let (_, list) = app.get("vp", "/api/v1/long-unresolved?days=30").await;
    assert_eq!(list, json!([{"org_unit": {"code": "BJ0101", "name": "朝阳门网点"}, "count": 1}]));
    assert_eq!(app.get("head2", "/api/v1/long-unresolved").await.1, json!([]));
    // once it is decided and closed, it is no longer long-unresolved
    for (action, body) in [
        ("accept", json!({})),
        ("respond", json!({"text": "x"})),
        ("decide", json!({"liable": false, "root_cause": "misunderstanding", "text": "已解释"})),
        ("close", json!({"feedback": "satisfied"})),
    ] {
        app.act_ok("head1", b, action, body).await;
    }
    assert_eq!(app.get("vp", "/api/v1/long-unresolved?days=30").await.1, json!([]));
}

async fn the_policy_may_escalate_the_order_itself(app: TestApp) {
    let (_, mut policy) = app.get("admin", "/api/v1/deadline-policy").await;
    policy["escalation"]["auto_escalate"] = json!(true);
    assert_eq!(
        app.call("admin", reqwest::Method::PUT, "/api/v1/deadline-policy", Some(policy)).await.0,
        reqwest::StatusCode::OK
    );
    let id = app.register("teller1", "BJ0101", "13000000007").await["id"].as_i64().unwrap();
    run_due(&app.state, t("2025-03-03T10:00:00+08:00")).await.unwrap();
    assert_eq!(app.store.complaint(id).await.unwrap().unwrap().org_code, "BJ0101", "level 1 only notifies");
    run_due(&app.state, t("2025-03-05T00:00:00+08:00")).await.unwrap();
    let k = app.store.complaint(id).await.unwrap().unwrap();
    assert_eq!(k.org_code, "BJ01");
    assert_eq!(k.order.escalation_count, 1);
    let last: Vec<(String, String)> =
        app.events(id).await.into_iter().rev().take(2).map(|e| (e.kind, e.actor)).collect();
    assert_eq!(
        last,
        [("escalate".to_string(), "system".to_string()), ("clock_breach".to_string(), "system".to_string())]
    );
    // the history keeps the breached clock as a code, and the page words it in the reader's language
    let escalation = app.events(id).await.into_iter().rev().find(|e| e.kind == "escalate").unwrap();
    assert_eq!(escalation.payload["overdue"], "response", "{}", escalation.payload);
    assert_eq!(escalation.payload["reason"], "");
    let mut cpc = Browser::new(&app);
    cpc.login("cpc").await;
    let (_, _, zh) = cpc.get(&format!("/complaints/{id}")).await;
    assert!(zh.contains("响应时限已超时，系统自动升级") && zh.contains("→ BJ01"), "{zh}");
    cpc.jar.push("xiaobao_lang=en".to_string());
    let (_, _, en) = cpc.get(&format!("/complaints/{id}")).await;
    assert!(en.contains("The response clock ran out: escalated by the system"), "{en}");
    assert!(!en.contains("系统自动升级"));
    assert!(app.store.verify_chain().await.unwrap().ok());
}
