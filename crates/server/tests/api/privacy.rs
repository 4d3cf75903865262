//! Masking of personal data and the audit entry of every unmasked read.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(front_line_sees_masked_data_and_unmasked_reads_are_logged);

async fn front_line_sees_masked_data_and_unmasked_reads_are_logged(app: TestApp) {
    let mut body = crate::harness::complaint_body("BJ0101", "13812345678");
    body["complainant"]["id_number"] = json!("11010519491231002X");
    let (status, k) = app.post("teller1", "/api/v1/complaints", body).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = k["id"].as_i64().unwrap();
    let cid = k["complainant"]["id"].as_i64().unwrap();
    assert_eq!(k["complainant"]["phone"], "138****5678");

    for user in ["teller1", "lobby1"] {
        let (_, k) = app.get(user, &format!("/api/v1/complaints/{id}")).await;
        assert_eq!(k["complainant"]["phone"], "138****5678");
        assert_eq!(k["complainant"]["id_number"], "110***********002X");
        assert_eq!(k["complainant"]["masked"], true);
    }
    assert!(app.store.access_log_for("complaint", id).await.unwrap().is_empty());

    let (_, k) = app.get("head1", &format!("/api/v1/complaints/{id}")).await;
    assert_eq!(k["complainant"]["phone"], "13812345678");
    assert_eq!(k["complainant"]["id_number"], "11010519491231002X");
    let log = app.store.access_log_for("complaint", id).await.unwrap();
    assert_eq!(log.len(), 1);
    let head1 = app.store.user_for_login("head1").await.unwrap().unwrap().0;
    assert_eq!(log[0].user_id, head1.id);
    assert_eq!(log[0].at, crate::harness::start_time().timestamp_millis());

    // lists are masked for everyone
    let (_, list) = app.get("head1", "/api/v1/complaints").await;
    assert_eq!(list["items"][0]["complainant"]["phone"], "138****5678");
    // the complainant record: masked for a teller, unmasked and logged for the auditor
    let (_, c) = app.get("teller1", &format!("/api/v1/complainants/{cid}")).await;
    assert_eq!(c["phone"], "138****5678");
    let (_, c) = app.get("auditor", &format!("/api/v1/complainants/{cid}")).await;
    assert_eq!(c["phone"], "13812345678");
    assert_eq!(app.store.access_log_for("complainant", cid).await.unwrap().len(), 1);
}
