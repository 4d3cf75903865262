use crate::both_backends;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    whole_life_of_an_order,
    escalation_climbs_to_head_office_and_no_further,
    pause_and_extension_move_the_decision_clock
);

async fn whole_life_of_an_order(app: TestApp) {
    let k = app.register("teller1", "BJ0101", "13812345678").await;
    let id = k["id"].as_i64().unwrap();
    assert_eq!(k["state"], "registered");
    assert_eq!(k["first_responder"]["username"], "teller1");
    assert_eq!(k["merged"], false);
    assert!(k["number"].as_str().unwrap().starts_with("TS20250303"));
    let kinds: Vec<&str> = k["clocks"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["response", "decision", "completion"]);
    // ten working days for the bank's own completion target: Monday 2025-03-17
    assert_eq!(k["clocks"][2]["due_at"], "2025-03-18T00:00:00.000+08:00");
    // 2025-03-03 + 15 days = 2025-03-18 (Tuesday): due at its 24:00
    assert_eq!(k["clocks"][1]["due_at"], "2025-03-19T00:00:00.000+08:00");
    assert_eq!(k["clocks"][0]["due_at"], "2025-03-03T10:00:00.000+08:00");

    let k = app.act_ok("head1", id, "accept", json!({})).await;
    assert_eq!(k["state"], "accepted");
    app.clock.advance(chrono::Duration::minutes(20));
    let k = app.act_ok("head1", id, "respond", json!({"text": "已致电客户说明处理方案"})).await;
    assert_eq!(k["state"], "in_progress");
    assert_eq!(k["clocks"][0]["status"], "met");
    let k = app
        .act_ok("head1", id, "decide", json!({"liable": true, "root_cause": "service_fault", "cause": "12", "remedy": "退还年费", "amount": "300", "text": "经核实，已退还年费并致歉。"}))
        .await;
    assert_eq!(k["state"], "decided");
    assert_eq!(k["decision"]["amount"], "300.00");
    assert_eq!(k["clocks"][1]["status"], "met");
    // the first responder sees it decided and records the complainant's response
    let (status, seen) = app.get("teller1", &format!("/api/v1/complaints/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["state"], "decided");
    let k = app.act_ok("teller1", id, "close", json!({"feedback": "dissatisfied"})).await;
    assert_eq!(k["state"], "closed");
    assert_eq!(k["clocks"][2]["kind"], "completion");
    assert_eq!(k["clocks"][2]["status"], "met");
    assert_eq!(k["feedback"], "dissatisfied");
    let k = app.act_ok("teller1", id, "request_review", json!({"reason": "客户不服处理决定"})).await;
    assert_eq!(k["state"], "under_review");
    assert!(k["clocks"].as_array().unwrap().iter().any(|c| c["kind"] == "review" && c["status"] == "running"));
    let k = app
        .act_ok(
            "ops",
            id,
            "decide",
            json!({"liable": true, "root_cause": "service_fault", "text": "维持原处理决定并补偿。"}),
        )
        .await;
    assert_eq!(k["state"], "decided");
    let k = app.act_ok("teller1", id, "close", json!({"feedback": "satisfied"})).await;
    assert_eq!(k["state"], "closed");
    let k = app.act_ok("teller1", id, "reopen", json!({"reason": "同一问题再次发生"})).await;
    assert_eq!(k["state"], "accepted");
    assert_eq!(k["repeat"], true);
    assert_eq!(k["reopen_count"], 1);
    app.act_ok("teller1", id, "withdraw", json!({"reason": "客户撤回"})).await;

    let (status, events) = app.get("teller1", &format!("/api/v1/complaints/{id}/events")).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["register", "accept", "respond", "decide", "close", "request_review", "decide", "close", "reopen", "withdraw"]
    );
    assert_eq!(events[1]["from_state"], "registered");
    assert_eq!(events[1]["to_state"], "accepted");
    assert_eq!(events[1]["actor"]["username"], "head1");
    assert!(app.store.verify_chain().await.unwrap().ok());
}

async fn escalation_climbs_to_head_office_and_no_further(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13900001111").await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", json!({})).await;
    let k = app.act_ok("head1", id, "escalate", json!({"reason": "网点无法解决"})).await;
    assert_eq!(k["org_unit"]["code"], "BJ01");
    // the outlet head no longer owns it; the first responder still sees it
    assert_eq!(app.get("head1", &format!("/api/v1/complaints/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get("teller1", &format!("/api/v1/complaints/{id}")).await.0, StatusCode::OK);
    let k = app.act_ok("ops", id, "escalate", json!({"reason": "提请分行处理"})).await;
    assert_eq!(k["org_unit"]["code"], "BJ");
    let k = app.act_ok("vp", id, "escalate", json!({"reason": "提请总行处理"})).await;
    assert_eq!(k["org_unit"]["code"], "HO");
    assert_eq!(k["escalation_count"], 3);
    let before = app.events(id).await.len();
    let (status, p) = app.act("cpc", id, "escalate", json!({"reason": "再上报"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("总行"));
    assert_eq!(app.events(id).await.len(), before);
}

async fn pause_and_extension_move_the_decision_clock(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13900002222").await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", json!({})).await;
    let k = app.act_ok("head1", id, "extend", json!({"reason": "需调取监控录像"})).await;
    // 2025-03-03 + 30 = 2025-04-02 (Wednesday)
    assert_eq!(k["clocks"][1]["due_at"], "2025-04-03T00:00:00.000+08:00");
    assert_eq!(k["extension_tier"], 1);
    // the second extension needs approval: an outlet head may not
    let (status, _) = app.act("head1", id, "extend", json!({"reason": "仍需核实"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let k = app.act_ok("ops", id, "extend", json!({"reason": "特别复杂，经批准再延期"})).await;
    assert_eq!(k["extension_tier"], 2);
    let (status, _) = app.act("ops", id, "extend", json!({"reason": "再延"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let due = k["clocks"][1]["due_at"].as_str().unwrap().to_string();
    app.act_ok("head1", id, "pause", json!({"reason": "外部鉴定"})).await;
    app.clock.advance(chrono::Duration::hours(24));
    let k = app.act_ok("head1", id, "resume", json!({"reason": "鉴定完成"})).await;
    let moved = chrono::DateTime::parse_from_rfc3339(k["clocks"][1]["due_at"].as_str().unwrap()).unwrap();
    let before = chrono::DateTime::parse_from_rfc3339(&due).unwrap();
    assert_eq!(moved - before, chrono::Duration::hours(24));
}

both_backends!(attachments_are_checked_kept_in_the_timeline_and_scoped);

async fn upload(app: &TestApp, user: &str, id: i64, name: &str, bytes: Vec<u8>) -> (StatusCode, serde_json::Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    let token = &app.tokens[user];
    let res = app
        .http
        .post(format!("{}/api/v1/complaints/{id}/attachments", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

async fn attachments_are_checked_kept_in_the_timeline_and_scoped(app: TestApp) {
    use sha2::Digest;
    let id = app.register("teller1", "BJ0101", "13812345678").await["id"].as_i64().unwrap();
    let pdf = b"%PDF-1.7\n\xe4\xb8\xad receipt".to_vec();
    let (status, a) = upload(&app, "teller1", id, "回单.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["name"], "回单.pdf");
    assert_eq!(a["content_type"], "application/pdf");
    assert_eq!(a["size"], pdf.len());
    assert_eq!(a["sha256"], hex::encode(sha2::Sha256::digest(&pdf)));

    // the upload is an event on the timeline, carrying the hash, and the chain still verifies
    let events = app.events(id).await;
    let last = events.last().unwrap();
    assert_eq!(last.kind, "attach");
    assert_eq!(last.seq, a["event_seq"].as_i64().unwrap());
    assert_eq!(last.payload["sha256"], a["sha256"], "{}", last.payload);
    assert!(app.store.verify_chain().await.unwrap().ok());

    // download: the same bytes, as an attachment, by anyone who sees the order
    let (status, h, bytes) = app.get_bytes("head1", a["url"].as_str().unwrap(), "zh").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, pdf);
    assert_eq!(h["content-type"], "application/pdf");
    let cd = h["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''%E5%9B%9E%E5%8D%95.pdf"), "{cd}");
    let (_, list) = app.get("head1", &format!("/api/v1/complaints/{id}/attachments")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["uploaded_by"], "teller1 测试");

    // another outlet sees nothing of it
    let (status, _, _) = app.get_bytes("head2", a["url"].as_str().unwrap(), "zh").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get("head2", &format!("/api/v1/complaints/{id}/attachments")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = upload(&app, "head2", id, "x.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // an auditor reads but does not work on orders
    let (status, _) = upload(&app, "auditor", id, "x.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // wrong content, wrong extension, empty, too large: refused, naming the field, nothing stored
    for (name, bytes) in
        [("invoice.pdf", b"MZ\x90\x00 program".to_vec()), ("photo.png", pdf.clone()), ("empty.txt", Vec::new())]
    {
        let (status, p) = upload(&app, "teller1", id, name, bytes).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {p}");
        assert_eq!(p["field"], "file", "{name}");
    }
    let (status, p) = upload(&app, "teller1", id, "big.txt", vec![b'a'; 10 * 1024 * 1024 + 1]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("10 MB"), "{p}");
    // Over the body limit the server answers 413 and closes the connection without reading the
    // rest, so the client sees the 413 or, if it was still sending, the connection closed.
    // (its own client, so the closed connection is not handed back to the shared pool)
    let part = reqwest::multipart::Part::bytes(vec![b'a'; 12 * 1024 * 1024]).file_name("huge.txt");
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/complaints/{id}/attachments", app.base))
        .bearer_auth(&app.tokens["teller1"])
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await;
    match res {
        Ok(r) => assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    let (status, _) = upload(&app, "teller1", id, "ok.txt", vec![b'a'; 5 * 1024 * 1024]).await;
    assert_eq!(status, StatusCode::CREATED, "5 MB is within the limit");
    let (status, p) = app.post("teller1", &format!("/api/v1/complaints/{id}/attachments"), serde_json::json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");
    assert_eq!(p["field"], "file");
    let (_, list) = app.get("head1", &format!("/api/v1/complaints/{id}/attachments")).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "only the two good files were kept");
}

both_backends!(the_order_names_the_actions_its_reader_may_take_now);

/// `GET /complaints/{id}` lists what the caller may do now, and each listed action is accepted.
async fn the_order_names_the_actions_its_reader_may_take_now(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13812345670").await["id"].as_i64().unwrap();
    let actions = |user: &'static str| {
        let app = &app;
        async move {
            let (status, k) = app.get(user, &format!("/api/v1/complaints/{id}")).await;
            assert_eq!(status, StatusCode::OK, "{k}");
            k["actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(actions("head1").await, ["accept", "decline", "transfer", "escalate", "withdraw", "appeal"]);
    // the teller records what the complainant asks; head office alone decides appeals
    assert_eq!(actions("teller1").await, ["withdraw"]);
    assert_eq!(actions("cpc").await, ["accept", "decline", "transfer", "escalate", "withdraw", "appeal"]);
    app.act_ok("head1", id, "accept", json!({})).await;
    assert_eq!(actions("head1").await, ["respond", "transfer", "escalate", "extend", "pause", "withdraw", "appeal"]);
    app.act_ok("head1", id, "pause", json!({"reason": "等待客户提供材料"})).await;
    assert_eq!(actions("head1").await, ["transfer", "escalate", "resume", "withdraw", "appeal"]);
    app.act_ok("head1", id, "appeal", json!({"reason": "非本网点责任"})).await;
    assert_eq!(actions("cpc").await, ["transfer", "escalate", "resume", "withdraw", "decide_appeal"]);
    // a list does not carry them
    let (_, list) = app.get("head1", "/api/v1/complaints").await;
    assert!(list["items"][0].get("actions").is_none(), "{list}");
}
