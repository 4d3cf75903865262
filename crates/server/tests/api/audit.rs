//! The hash chain: tampering with one event row, or removing one, is caught.

use crate::both_backends;
use crate::harness::TestApp;
use serde_json::json;

both_backends!(an_altered_event_is_caught, a_missing_event_is_caught);

async fn story(app: &TestApp) -> i64 {
    let id = app.register("teller1", "BJ0101", "13500000001").await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", json!({})).await;
    app.act_ok("head1", id, "respond", json!({"text": "已联系"})).await;
    app.register("teller1", "BJ0101", "13500000002").await;
    let report = app.store.verify_chain().await.unwrap();
    assert!(report.ok());
    assert_eq!(report.checked, 4);
    id
}

async fn an_altered_event_is_caught(app: TestApp) {
    story(&app).await;
    // someone rewrites who responded
    app.raw_sql("UPDATE events SET payload = '{\"kind\":\"respond\",\"text\":\"未联系\"}' WHERE seq = 3").await;
    let report = app.store.verify_chain().await.unwrap();
    let (seq, why) = report.first_problem.expect("tampering detected");
    assert_eq!(seq, 3);
    assert!(why.contains("altered"), "{why}");
    assert_eq!(report.checked, 2);
}

async fn a_missing_event_is_caught(app: TestApp) {
    story(&app).await;
    app.raw_sql("DELETE FROM events WHERE seq = 2").await;
    let (seq, why) = app.store.verify_chain().await.unwrap().first_problem.expect("deletion detected");
    assert_eq!(seq, 2);
    assert!(why.contains("missing"), "{why}");
}
