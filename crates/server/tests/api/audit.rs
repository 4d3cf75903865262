//! The hash chain: tampering with one event row, or removing one, is caught.

use crate::both_backends;
use crate::harness::TestApp;
use serde_json::json;

both_backends!(
    an_altered_event_is_caught,
    a_missing_event_is_caught,
    replaced_attachment_bytes_are_caught,
    an_edited_order_state_is_caught
);

async fn an_edited_order_state_is_caught(app: TestApp) {
    let id = story(&app).await;
    // someone marks the order closed in its own row, leaving the events alone
    app.raw_sql(&format!("UPDATE complaints SET state = 'closed' WHERE id = {id}")).await;
    let report = app.store.verify_chain().await.unwrap();
    let (seq, why) = report.first_problem.expect("the edit is caught");
    assert_eq!(seq, 3, "named at the order's last event");
    assert!(why.contains(&format!("complaint {id} was altered")) && why.contains("stored state closed"), "{why}");
}

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

async fn replaced_attachment_bytes_are_caught(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13500000003").await["id"].as_i64().unwrap();
    let att = app.upload_attachment("teller1", id, "r.pdf", b"%PDF-1.4 the signed receipt").await;
    let seq = att["event_seq"].as_i64().unwrap();
    assert!(app.store.verify_chain().await.unwrap().ok());
    // other bytes, and the row's own checksum rewritten to match them: the chained event still holds
    // the original's SHA-256
    let forged = "%PDF-1.4 another receipt";
    let forged_sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(forged.as_bytes()))
    };
    let blob = hex::encode(forged.as_bytes());
    let set_data = match app.db {
        crate::harness::DbHandle::Sqlite(_) => format!("X'{blob}'"),
        crate::harness::DbHandle::Postgres(_) => format!("'\\x{blob}'::bytea"),
    };
    app.raw_sql(&format!("UPDATE attachments SET data = {set_data}, sha256 = '{forged_sha}' WHERE id = {}", att["id"]))
        .await;
    let report = app.store.verify_chain().await.unwrap();
    let (at, why) = report.first_problem.expect("replaced bytes detected");
    assert_eq!(at, seq);
    assert!(why.contains("attachment") && why.contains("altered"), "{why}");
}
