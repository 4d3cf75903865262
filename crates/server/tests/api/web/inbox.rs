//! The bell on every page and the inbox: the unread count, the alerts linked to their orders, and
//! marking them read one at a time or all at once — only one's own.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;
use xiaobao_server::scheduler::run_due;

both_backends!(the_bell_counts_unread_alerts_and_the_inbox_opens_and_marks_them);

fn t(s: &str) -> xiaobao_core::time::Instant {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// The bell's count on a page, if it shows one.
fn bell(html: &str) -> Option<String> {
    html.split("id=\"bell-count\">").nth(1).map(|r| r.split('<').next().unwrap().to_string())
}

async fn the_bell_counts_unread_alerts_and_the_inbox_opens_and_marks_them(app: TestApp) {
    let mut head = Browser::new(&app);
    head.login("head1").await;
    let (_, _, html) = head.get("/").await;
    assert!(html.contains("id=\"bell\"") && bell(&html).is_none(), "a bell with no count: {html}");
    let (_, _, html) = head.get("/inbox").await;
    assert!(html.contains("id=\"inbox-empty\""), "{html}");
    // a counter complaint at 09:00: its response clock warns at 09:30 and 09:48 and passes at 10:00
    let id = app.register("teller1", "BJ0101", "13000000001").await["id"].as_i64().unwrap();
    for at in ["2025-03-03T09:30:00+08:00", "2025-03-03T09:50:00+08:00", "2025-03-03T10:00:00+08:00"] {
        run_due(&app.state, t(at)).await.unwrap();
    }
    for page in ["/", "/complaints", &format!("/complaints/{id}")] {
        let (_, _, html) = head.get(page).await;
        assert_eq!(bell(&html).as_deref(), Some("3"), "{page}");
    }
    let (_, _, html) = head.get("/inbox").await;
    let table = html.split("id=\"notifications\"").nth(1).unwrap();
    assert_eq!(table.matches("class=\"unread\"").count(), 3);
    assert!(table.contains("响应时限已超时"), "{table}");
    assert!(table.contains("已用 50%"), "{table}");
    let ids: Vec<i64> = app
        .store
        .notifications(app.user_id("head1").await, false, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.id)
        .collect();
    // opening one goes to its order and marks it read
    let (status, h, _) = head.get(&format!("/inbox/{}/open", ids[0])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("/complaints/{id}").as_str());
    let (_, _, html) = head.get("/").await;
    assert_eq!(bell(&html).as_deref(), Some("2"));
    // another user cannot open, read or see it
    let mut other = Browser::new(&app);
    other.login("head2").await;
    assert_eq!(other.get(&format!("/inbox/{}/open", ids[1])).await.0, StatusCode::NOT_FOUND);
    let csrf = other.csrf();
    assert_eq!(other.post(&format!("/inbox/{}/read", ids[1]), &[("_csrf", &csrf)]).await.0, StatusCode::NOT_FOUND);
    let (_, _, html) = other.get("/inbox").await;
    assert!(html.contains("id=\"inbox-empty\""));
    let (_, _, html) = head.get("/").await;
    assert_eq!(bell(&html).as_deref(), Some("2"), "unchanged by the other's tries");
    // one marked read, then all; the form asks first
    let csrf = head.csrf();
    assert_eq!(head.post(&format!("/inbox/{}/read", ids[1]), &[("_csrf", &csrf)]).await.0, StatusCode::SEE_OTHER);
    let (_, _, html) = head.get("/inbox").await;
    assert_eq!(bell(&html).as_deref(), Some("1"));
    assert!(html.split("id=\"read-all\"").next().unwrap().rsplit("<form").next().unwrap().contains("data-confirm"));
    assert_eq!(head.post("/inbox/read-all", &[("_csrf", "wrong")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(head.post("/inbox/read-all", &[("_csrf", &csrf)]).await.0, StatusCode::SEE_OTHER);
    let (_, _, html) = head.get("/inbox?unread=true").await;
    assert!(bell(&html).is_none() && html.contains("id=\"inbox-empty\""), "{html}");
    // in English
    head.jar.push("xiaobao_lang=en".into());
    let (_, _, html) = head.get("/inbox").await;
    assert!(html.contains("Alerts") && html.contains("Past the response deadline"), "{html}");
}
