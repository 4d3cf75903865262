//! The sealed history: each way of tampering with the database file that the chain must catch —
//! an edited or removed event, a removed tail with the head rewound, every seal recomputed, edited
//! current-state rows (an order, a complainant), a removed access log, replaced attachment bytes.

use crate::both_backends;
use crate::harness::TestApp;
use serde_json::json;

both_backends!(
    an_altered_event_is_caught,
    a_missing_event_is_caught,
    replaced_attachment_bytes_are_caught,
    an_edited_order_state_is_caught,
    a_removed_tail_with_the_head_rewound_is_caught_by_the_checkpoint,
    recomputed_hashes_do_not_make_the_seals_match,
    a_chain_passed_off_as_from_before_keying_is_caught,
    an_edited_complainant_phone_is_caught,
    a_removed_access_log_is_caught,
    an_edited_checkpoint_file_is_named,
    a_server_with_another_key_is_refused,
    the_server_appends_checkpoints_by_itself
);

async fn the_server_appends_checkpoints_by_itself(app: TestApp) {
    story(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let task = xiaobao_server::checkpoints::spawn(
        app.store.clone(),
        dir.path().to_path_buf(),
        std::time::Duration::from_millis(50),
    );
    let mut lines = Vec::new();
    for _ in 0..200 {
        lines = xiaobao_store::read_checkpoints(dir.path()).unwrap();
        if lines.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    task.abort();
    assert!(lines.len() >= 2, "{} checkpoints", lines.len());
    let first = lines[0].1.as_ref().unwrap();
    assert_eq!((first.events.seq, first.access.seq, first.keyed_from), (4, 0, 1));
    assert!(first.holds(&app.key));
    // the history goes on after them and still verifies against them
    app.register("teller1", "BJ0101", "13500000041").await;
    let report = app.store.verify(&lines).await.unwrap();
    assert!(report.ok(), "{:?}", report.first_problem);
    assert_eq!((report.checked, report.checkpoints), (5, lines.len()));
}

/// Writes a checkpoint into a new directory and reads the file back, as `audit verify` does.
async fn checkpointed(app: &TestApp) -> (tempfile::TempDir, xiaobao_store::CheckpointLines) {
    let dir = tempfile::tempdir().unwrap();
    xiaobao_server::checkpoints::write(&app.store, dir.path()).await.unwrap();
    let lines = xiaobao_store::read_checkpoints(dir.path()).unwrap();
    assert_eq!(lines.len(), 1);
    (dir, lines)
}

async fn head_hash(app: &TestApp, seq: i64) -> String {
    let (h,): (String,) = sqlx::query_as(&format!("SELECT hash FROM events WHERE seq = {seq}"))
        .fetch_one(&mut app.raw_connection().await)
        .await
        .unwrap();
    h
}

async fn a_removed_tail_with_the_head_rewound_is_caught_by_the_checkpoint(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13500000011").await["id"].as_i64().unwrap();
    let att = app.upload_attachment("teller1", id, "r.pdf", b"%PDF-1.4 receipt").await;
    assert_eq!(att["event_seq"], 2);
    let (_dir, lines) = checkpointed(&app).await;
    assert!(app.store.verify(&lines).await.unwrap().ok());
    // the upload is removed with its event, and the head is set back to the event before it
    let prev = head_hash(&app, 1).await;
    app.raw_sql("DELETE FROM attachments").await;
    app.raw_sql("DELETE FROM events WHERE seq = 2").await;
    app.raw_sql(&format!("UPDATE chain_head SET seq = 1, hash = '{prev}' WHERE id = 1")).await;
    // the chain alone cannot tell: it is a valid chain one event shorter
    assert!(app.store.verify_chain().await.unwrap().ok());
    let report = app.store.verify(&lines).await.unwrap();
    let (seq, why) = report.first_problem.expect("the truncation is caught");
    assert_eq!(seq, 2);
    assert!(
        why.contains("truncated") && why.contains("event 1") && why.contains(&report.last_checkpoint.unwrap()),
        "{why}"
    );
}

/// Rewrites every event from `from` on, sealing each with `seal` over the previous one, and moves
/// the head: what someone who can write the database would do to hide an edit.
async fn rechain(app: &TestApp, from: i64, seal: impl Fn(&str, xiaobao_core::complaint::event::Hashed<'_>) -> String) {
    use sqlx::Row;
    let mut c = app.raw_connection().await;
    let rows = sqlx::query(
        "SELECT seq, complaint_id, kind, actor_id, at, from_state, to_state, payload FROM events WHERE seq >= $1 ORDER BY seq",
    )
    .bind(from)
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut prev = if from == 1 {
        xiaobao_core::complaint::event::GENESIS_HASH.to_string()
    } else {
        head_hash(app, from - 1).await
    };
    for r in &rows {
        let seq: i64 = r.get("seq");
        let (kind, from_state, to_state, payload): (String, String, String, String) =
            (r.get("kind"), r.get("from_state"), r.get("to_state"), r.get("payload"));
        let hashed = xiaobao_core::complaint::event::Hashed {
            seq,
            complaint_id: r.get("complaint_id"),
            kind: &kind,
            actor_id: r.get("actor_id"),
            at_ms: r.get("at"),
            from_state: &from_state,
            to_state: &to_state,
            payload: &payload,
        };
        let hash = seal(&prev, hashed);
        sqlx::query("UPDATE events SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(seq)
            .execute(&mut c)
            .await
            .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE chain_head SET hash = $1 WHERE id = 1").bind(&prev).execute(&mut c).await.unwrap();
}

async fn recomputed_hashes_do_not_make_the_seals_match(app: TestApp) {
    story(&app).await;
    app.raw_sql("UPDATE events SET payload = '{\"kind\":\"respond\",\"text\":\"未联系\"}' WHERE seq = 3").await;
    // every hash after the edit recomputed the way an unkeyed chain is made
    rechain(&app, 3, xiaobao_core::complaint::event::chain_hash).await;
    let (seq, why) = app.store.verify_chain().await.unwrap().first_problem.expect("plain hashes are caught");
    assert_eq!(seq, 3);
    assert!(why.contains("event 3 was altered"), "{why}");
    // and sealed with a key of one's own
    let guess = xiaobao_store::ChainKey::from_bytes([9; 32]);
    rechain(&app, 3, |prev, e| xiaobao_core::complaint::event::chain_mac(&guess, prev, e)).await;
    let (seq, why) = app.store.verify_chain().await.unwrap().first_problem.expect("another key is caught");
    assert_eq!(seq, 3);
    assert!(why.contains("altered"), "{why}");
    // only the real key makes it whole again: what failed above was the seal, nothing else
    let key = app.key.clone();
    rechain(&app, 3, |prev, e| xiaobao_core::complaint::event::chain_mac(&key, prev, e)).await;
    assert!(app.store.verify_chain().await.unwrap().ok());
}

async fn a_chain_passed_off_as_from_before_keying_is_caught(app: TestApp) {
    story(&app).await;
    let (_dir, lines) = checkpointed(&app).await;
    // the whole chain rewritten with plain hashes, and the record of keying moved past its end
    rechain(&app, 1, xiaobao_core::complaint::event::chain_hash).await;
    app.raw_sql("UPDATE chain_seal SET keyed_from = 5").await;
    let (seq, why) = app.store.verify_chain().await.unwrap().first_problem.expect("the anchor does not match");
    assert_eq!(seq, 5);
    assert!(why.contains("rewritten"), "{why}");
    // the record removed so that a restart keys the chain afresh from here
    app.raw_sql("DELETE FROM chain_seal").await;
    let restarted = app.second_server().await;
    // the database alone now looks like a chain from before keying...
    assert!(restarted.store.verify_chain().await.unwrap().ok());
    assert_eq!(restarted.store.verify_chain().await.unwrap().unkeyed, 4);
    // ...the checkpoint says otherwise
    let (_, why) = restarted.store.verify(&lines).await.unwrap().first_problem.expect("the checkpoint catches it");
    assert!(why.contains("keyed from event 1") && why.contains("replaced"), "{why}");
}

async fn an_edited_complainant_phone_is_caught(app: TestApp) {
    let k = app.register("teller1", "BJ0101", "13500000021").await;
    let cid = k["complainant"]["id"].as_i64().unwrap();
    // a second registration of the same person (another matter) rewrites the record with an ID
    // number; the last registration's seal is the one that counts
    let mut body = crate::harness::complaint_body("BJ0101", "13500000021");
    body["category"] = json!("0201");
    body["complainant"]["id_number"] = json!("11010519491231002X");
    let (status, second) = app.post("teller1", "/api/v1/complaints", body).await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["complainant"]["id"], cid);
    let report = app.store.verify_chain().await.unwrap();
    assert!(report.ok(), "{:?}", report.first_problem);
    assert!(report.complainants_checked >= 1);
    app.raw_sql(&format!("UPDATE complainants SET phone = '13900000000' WHERE id = {cid}")).await;
    let (seq, why) = app.store.verify_chain().await.unwrap().first_problem.expect("the edited phone is caught");
    assert!(seq >= 2);
    assert!(why.contains(&format!("complainant {cid} was altered")), "{why}");
}

async fn a_removed_access_log_is_caught(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13500000031").await["id"].as_i64().unwrap();
    for _ in 0..3 {
        let (status, _) = app.get("head1", &format!("/api/v1/complaints/{id}")).await;
        assert_eq!(status, 200);
    }
    let report = app.store.verify_chain().await.unwrap();
    assert_eq!((report.access_checked, report.first_problem), (3, None));
    let (_dir, lines) = checkpointed(&app).await;
    // one entry removed from the middle
    app.raw_sql("DELETE FROM access_log WHERE seq = 2").await;
    let (seq, why) = app.store.verify_chain().await.unwrap().first_problem.expect("a gap is caught");
    assert_eq!(seq, 2);
    assert!(why.contains("access log entry 2 is missing"), "{why}");
    // all of it removed and its head set back to the start
    app.raw_sql("DELETE FROM access_log").await;
    app.raw_sql(&format!(
        "UPDATE access_head SET seq = 0, hash = '{}' WHERE id = 1",
        xiaobao_core::complaint::event::GENESIS_HASH
    ))
    .await;
    assert!(app.store.verify_chain().await.unwrap().ok());
    let (seq, why) = app.store.verify(&lines).await.unwrap().first_problem.expect("the checkpoint catches it");
    assert_eq!(seq, 1);
    assert!(why.contains("access log entr") && why.contains("truncated"), "{why}");
}

async fn an_edited_checkpoint_file_is_named(app: TestApp) {
    story(&app).await;
    let (dir, _) = checkpointed(&app).await;
    let path = dir.path().join(xiaobao_store::CHECKPOINT_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    // the recorded count lowered, to make a later truncation look checkpointed
    std::fs::write(&path, text.replacen("\"seq\":4", "\"seq\":3", 1)).unwrap();
    let lines = xiaobao_store::read_checkpoints(dir.path()).unwrap();
    let (_, why) = app.store.verify(&lines).await.unwrap().first_problem.expect("the edit is named");
    assert!(why.contains("checkpoint line 1") && why.contains("altered"), "{why}");
    std::fs::write(&path, "{not json\n").unwrap();
    let lines = xiaobao_store::read_checkpoints(dir.path()).unwrap();
    let (_, why) = app.store.verify(&lines).await.unwrap().first_problem.unwrap();
    assert!(why.contains("cannot be read"), "{why}");
}

async fn a_server_with_another_key_is_refused(app: TestApp) {
    story(&app).await;
    let url = match &app.db {
        crate::harness::DbHandle::Sqlite(p) => xiaobao_store::DatabaseUrl::SqliteFile(p.clone()),
        crate::harness::DbHandle::Postgres(u) => xiaobao_store::DatabaseUrl::Postgres(u.clone()),
    };
    let other = xiaobao_store::ChainKey::from_bytes([1; 32]);
    let err = xiaobao_store::Store::open(&url, other).await.err().expect("refused");
    let msg = err.to_string();
    assert!(msg.contains(&app.key.id()) && msg.contains("chain key"), "{msg}");
    // nothing was written with it
    assert!(app.store.verify_chain().await.unwrap().ok());
}

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
