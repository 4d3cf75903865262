//! Inspections and rectifications through the API: templates in versions, scores to the digit,
//! coverage and the planner, a rectification's life with its evidence, overdue levels on the
//! working-day calendar, the scope attack and bad input.

use crate::both_backends;
use crate::harness::TestApp;
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xiaobao_core::role::Role;

both_backends!(
    templates_are_versioned_and_an_edit_never_changes_a_finished_inspection,
    coverage_counts_outlets_inspected_and_the_planner_lists_the_rest,
    a_rectification_is_submitted_with_evidence_sent_back_and_verified_by_another,
    overdue_rectifications_rise_a_level_every_five_working_days,
    another_outlet_reads_nothing_and_bad_input_writes_nothing
);

fn items(weights: [u32; 3]) -> Value {
    json!([
        {"code": "A01", "group": "环境与设施", "text": "大堂整洁，标识清楚", "weight": weights[0]},
        {"code": "B01", "group": "服务规范", "text": "柜员起身迎客、唱收唱付", "weight": weights[1]},
        {"code": "C01", "group": "适老服务", "text": "备有老花镜、轮椅，爱心窗口开放", "weight": weights[2]},
    ])
}

async fn service_app(mut app: TestApp) -> TestApp {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    let (status, t) = app
        .post(
            "svc",
            "/api/v1/inspection-templates",
            json!({"code": "SQ", "name": "网点服务检查表", "items": items([10, 30, 60])}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    app
}

fn scores(a: u32, b: u32, c: u32) -> Value {
    let finding = |s: u32, w: u32, text: &str| if s < w { json!(text) } else { Value::Null };
    json!([
        {"item": "A01", "score": a, "finding": finding(a, 10, "大堂宣传折页摆放凌乱")},
        {"item": "B01", "score": b, "finding": finding(b, 30, "未唱收唱付")},
        {"item": "C01", "score": c, "finding": finding(c, 60, "爱心窗口未开放"), "rectify": c < 60},
    ])
}

async fn inspect(app: &TestApp, who: &str, unit: &str, on: &str, s: Value) -> Value {
    let (status, v) = app
        .post(who, "/api/v1/inspections", json!({"org_unit": unit, "kind": "on_site", "template": "SQ", "inspected_on": on, "summary": "例行检查", "scores": s}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

async fn templates_are_versioned_and_an_edit_never_changes_a_finished_inspection(app: TestApp) {
    let app = service_app(app).await;
    let first = inspect(&app, "svc", "BJ0101", "2025-03-03", scores(10, 30, 45)).await;
    let i = &first["inspection"];
    assert_eq!((i["earned"].as_i64(), i["possible"].as_i64()), (Some(85), Some(100)));
    assert_eq!(i["score"]["display"], "85.00%");
    assert_eq!(i["template_version"], 1);
    // the finding to be put right opened a rectification for the outlet head, ten working days on
    let r = &first["rectifications"][0];
    assert_eq!(first["rectifications"].as_array().unwrap().len(), 1);
    assert_eq!(
        (r["owner"].as_str(), r["state"].as_str(), r["due_on"].as_str()),
        (Some("head1"), Some("open"), Some("2025-03-17"))
    );
    assert_eq!(r["source"], "inspection_finding");
    assert_eq!(r["detail"], "爱心窗口未开放");
    // the template is edited: C01 weighs less now
    let (status, t) = app.get("svc", "/api/v1/inspection-templates").await;
    assert_eq!(status, StatusCode::OK);
    let id = t[0]["id"].as_i64().unwrap();
    let (status, v2) = app
        .call(
            "svc",
            Method::PUT,
            &format!("/api/v1/inspection-templates/{id}"),
            Some(json!({"name": "网点服务检查表（2025版）", "items": items([20, 40, 40])})),
        )
        .await;
    assert_eq!((status, v2["version"].as_i64(), v2["possible"].as_i64()), (StatusCode::OK, Some(2), Some(100)), "{v2}");
    // the finished inspection still reads on version 1
    let (_, again) = app.get("svc", &format!("/api/v1/inspections/{}", i["id"])).await;
    assert_eq!(again["inspection"]["score"]["display"], "85.00%");
    assert_eq!(again["items"][2]["weight"], 60);
    assert_eq!(
        again["items"].as_array().unwrap().iter().map(|x| x["score"].as_i64().unwrap()).collect::<Vec<_>>(),
        [10, 30, 45]
    );
    let (_, v1) = app.get("svc", &format!("/api/v1/inspection-templates/{id}?version=1")).await;
    assert_eq!((v1["name"].as_str(), v1["items"][2]["weight"].as_i64()), (Some("网点服务检查表"), Some(60)));
    // a new inspection is scored on version 2: 20 + 40 + 30 of 100
    let second = inspect(
        &app,
        "ops",
        "BJ0102",
        "2025-03-03",
        json!([{"item": "A01", "score": 20}, {"item": "B01", "score": 40}, {"item": "C01", "score": 30, "finding": "无轮椅"}]),
    )
    .await;
    assert_eq!(
        (second["inspection"]["template_version"].as_i64(), second["inspection"]["score"]["display"].as_str()),
        (Some(2), Some("90.00%"))
    );
    assert_eq!(second["rectifications"], json!([]));
}

async fn coverage_counts_outlets_inspected_and_the_planner_lists_the_rest(app: TestApp) {
    let app = service_app(app).await;
    inspect(&app, "svc", "BJ0101", "2025-03-01", scores(10, 30, 60)).await;
    inspect(&app, "svc", "BJ0101", "2025-03-03", json!([{"item": "A01", "score": 10}, {"item": "B01", "score": 20, "finding": "未唱收唱付"}, {"item": "C01", "score": 55, "finding": "老花镜缺失"}])).await;
    // last month's does not count this month
    inspect(&app, "svc", "BJ0102", "2025-02-27", scores(10, 30, 60)).await;
    let (status, c) = app.get("svc", "/api/v1/inspection-coverage?org_unit=BJ01").await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!((c["from"].as_str(), c["to"].as_str()), (Some("2025-03-01"), Some("2025-03-03")));
    let t = &c["total"];
    assert_eq!(
        (t["outlets"].as_i64(), t["inspected"].as_i64(), t["inspections"].as_i64()),
        (Some(2), Some(1), Some(2))
    );
    assert_eq!(t["coverage"]["display"], "50.00%");
    // (100.00 + 85.00) / 2
    assert_eq!(t["average_score"]["display"], "92.50%");
    assert_eq!(c["not_inspected"], json!([{"code": "BJ0102", "name": "建国门网点"}]));
    // the bank: BJ's one sub-branch, and Shanghai with no outlets
    let (_, ho) = app.get("svc", "/api/v1/inspection-coverage?from=2025-02-01").await;
    assert_eq!((ho["total"]["outlets"].as_i64(), ho["total"]["inspected"].as_i64()), (Some(2), Some(2)));
    let children: Vec<(&str, &str)> = ho["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["org_unit"]["code"].as_str().unwrap(), r["coverage"]["display"].as_str().unwrap()))
        .collect();
    assert_eq!(children, [("BJ", "100.00%"), ("SH", "—")]);
    assert_eq!(ho["not_inspected"], json!([]));
    // the outlet head reads their own outlet's, the list of inspections in it
    let (_, own) = app.get("head1", "/api/v1/inspections").await;
    assert_eq!(own["items"].as_array().unwrap().len(), 2);
    assert_eq!(own["items"][0]["inspected_on"], "2025-03-03");
    let (status, _) = app.get("head1", "/api/v1/inspection-coverage?org_unit=BJ0102").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn upload(app: &TestApp, user: &str, id: i64, name: &str, bytes: &[u8]) -> StatusCode {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    app.http
        .post(format!("{}/api/v1/rectifications/{id}/evidence", app.base))
        .bearer_auth(&app.tokens[user])
        .multipart(form)
        .send()
        .await
        .unwrap()
        .status()
}

async fn act(app: &TestApp, user: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.post(user, &format!("/api/v1/rectifications/{id}/actions"), body).await
}

async fn a_rectification_is_submitted_with_evidence_sent_back_and_verified_by_another(app: TestApp) {
    let app = service_app(app).await;
    let made = inspect(&app, "svc", "BJ0101", "2025-03-03", scores(10, 30, 45)).await;
    let id = made["rectifications"][0]["id"].as_i64().unwrap();
    let (_, mine) = app.get("head1", "/api/v1/rectifications?mine=true").await;
    assert_eq!(mine["items"][0]["id"].as_i64(), Some(id));
    let (_, d) = app.get("head1", &format!("/api/v1/rectifications/{id}")).await;
    assert_eq!(d["actions"], json!(["submit"]));
    assert_eq!(upload(&app, "head1", id, "爱心窗口.png", PNG).await, StatusCode::CREATED);
    assert_eq!(
        upload(&app, "head1", id, "fake.png", b"MZ\x90\0 not a picture").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, s) =
        act(&app, "head1", id, json!({"action": "submit", "note": "已开放爱心窗口并张贴告示", "seq": 1})).await;
    assert_eq!((status, s["rectification"]["state"].as_str()), (StatusCode::OK, Some("submitted")), "{s}");
    // the owner does not check their own work
    assert_eq!(act(&app, "head1", id, json!({"action": "verify"})).await.0, StatusCode::FORBIDDEN);
    // sending back needs a reason
    let (status, p) = act(&app, "ops", id, json!({"action": "send_back", "note": "  "})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")), "{p}");
    let (status, b) = act(&app, "ops", id, json!({"action": "send_back", "note": "照片看不清窗口标识"})).await;
    assert_eq!((status, b["rectification"]["state"].as_str()), (StatusCode::OK, Some("sent_back")), "{b}");
    // a stale page's submit is refused
    assert_eq!(act(&app, "head1", id, json!({"action": "submit", "seq": 2})).await.0, StatusCode::CONFLICT);
    act(&app, "head1", id, json!({"action": "submit", "note": "重新拍照上传"})).await;
    let (status, v) = act(&app, "svc", id, json!({"action": "verify", "note": "现场复核通过"})).await;
    assert_eq!((status, v["rectification"]["state"].as_str()), (StatusCode::OK, Some("verified")), "{v}");
    assert_eq!(act(&app, "head1", id, json!({"action": "submit"})).await.0, StatusCode::CONFLICT);
    assert_eq!(upload(&app, "head1", id, "late.png", PNG).await, StatusCode::CONFLICT);
    let actions: Vec<&str> = v["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["open", "submit", "send_back", "submit", "verify"]);
    assert_eq!(v["history"][2]["note"], "照片看不清窗口标识");
    assert_eq!(v["evidence"].as_array().unwrap().len(), 1);
    let url = v["evidence"][0]["url"].as_str().unwrap().to_string();
    let (status, _, bytes) = app.get_bytes("head1", &url, "zh-CN").await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PNG));
    let (status, _, _) = app.get_bytes("teller2", &url, "zh-CN").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // a manual one, from a hot issue that does not exist, then from a complaint of the outlet
    let (status, p) = app
        .post(
            "svc",
            "/api/v1/rectifications",
            json!({"source": "hot_issue", "source_ref": "999", "org_unit": "BJ0101", "title": "ATM 吞卡"}),
        )
        .await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("source_ref")), "{p}");
    let k = app.register("teller1", "BJ0101", "13900001111").await;
    let (status, m) = app
        .post(
            "svc",
            "/api/v1/rectifications",
            json!({"source": "liable_complaint", "source_ref": k["number"], "org_unit": "BJ0101", "owner": "teller1", "title": "解释不到位", "due_on": "2025-03-10"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!(
        (m["rectification"]["owner"].as_str(), m["rectification"]["due_on"].as_str()),
        (Some("teller1"), Some("2025-03-10"))
    );
    // the teller sees only their own
    let (_, t) = app.get("teller1", "/api/v1/rectifications").await;
    assert_eq!(t["items"].as_array().unwrap().len(), 1);
}

async fn overdue_rectifications_rise_a_level_every_five_working_days(app: TestApp) {
    let mut app = service_app(app).await;
    let made = inspect(&app, "svc", "BJ0101", "2025-03-03", scores(10, 30, 45)).await;
    let id = made["rectifications"][0]["id"].as_i64().unwrap();
    let (_, none) = app.get("head1", "/api/v1/rectifications?overdue=true").await;
    assert_eq!(none["items"], json!([]));
    // due 2025-03-17 (Monday); on the 18th it is overdue
    app.clock.advance(Duration::days(15));
    app.login("head1").await;
    app.login("vp").await;
    let (_, d) = app.get("head1", &format!("/api/v1/rectifications/{id}")).await;
    assert_eq!(d["rectification"]["overdue_level"], 1);
    let (_, over) = app.get("vp", "/api/v1/rectifications?overdue=true").await;
    assert_eq!(over["items"][0]["id"].as_i64(), Some(id));
    // five working days later (18–21, 24 March): level 2
    app.clock.advance(Duration::days(7));
    app.login("head1").await;
    let (_, d) = app.get("head1", &format!("/api/v1/rectifications/{id}")).await;
    assert_eq!(d["rectification"]["overdue_level"], 2);
}

async fn another_outlet_reads_nothing_and_bad_input_writes_nothing(app: TestApp) {
    let app = service_app(app).await;
    let made = inspect(&app, "svc", "BJ0101", "2025-03-03", scores(10, 30, 45)).await;
    let (iid, rid) = (made["inspection"]["id"].as_i64().unwrap(), made["rectifications"][0]["id"].as_i64().unwrap());
    // another outlet's head: by id, by list, by coverage, by action, by upload
    assert_eq!(app.get("head2", &format!("/api/v1/inspections/{iid}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get("head2", &format!("/api/v1/rectifications/{rid}")).await.0, StatusCode::NOT_FOUND);
    let (_, list) = app.get("head2", "/api/v1/inspections?from=2025-01-01").await;
    assert_eq!(list["items"], json!([]));
    let (_, list) = app.get("head2", "/api/v1/rectifications").await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(act(&app, "head2", rid, json!({"action": "submit"})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(upload(&app, "head2", rid, "x.png", PNG).await, StatusCode::NOT_FOUND);
    // who may not: a teller makes no template, an outlet head inspects nothing
    assert_eq!(
        app.post(
            "teller1",
            "/api/v1/inspection-templates",
            json!({"code": "X", "name": "x", "items": items([1, 1, 1])})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "head1",
            "/api/v1/inspections",
            json!({"org_unit": "BJ0101", "kind": "on_site", "template": "SQ", "scores": []})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get("teller1", "/api/v1/inspections").await.0, StatusCode::FORBIDDEN);
    // every fault at once, each named
    let (status, p) = app
        .post(
            "svc",
            "/api/v1/inspections",
            json!({"org_unit": "BJ01", "kind": "walk_in", "template": "NOPE", "inspected_on": "2025-03-04", "scores": []}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["org_unit", "kind", "template", "inspected_on"], "{p}");
    let (status, p) = app
        .post(
            "svc",
            "/api/v1/inspections",
            json!({"org_unit": "BJ0101", "kind": "on_site", "template": "SQ", "scores": [
                {"item": "A01", "score": 11}, {"item": "B01", "score": 20}, {"item": "C01", "score": 10, "finding": "x", "rectify": true, "owner": "teller2", "due_on": "2025-03-01"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["scores[0].score", "scores[1].finding", "scores[2].owner", "scores[2].due_on"], "{p}");
    let (status, p) = app
        .post(
            "svc",
            "/api/v1/inspection-templates",
            json!({"code": "SQ", "name": "", "items": [{"code": "A", "group": "g", "text": "t", "weight": 0}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "items[0].weight"], "{p}");
    let (status, p) = app
        .post("svc", "/api/v1/inspection-templates", json!({"code": "SQ", "name": "again", "items": items([1, 1, 1])}))
        .await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{p}");
    let (status, p) = app.post("svc", "/api/v1/inspections", json!({"org_unit": "BJ0101", "bogus": 1})).await;
    assert!(status.is_client_error(), "{p}");
    assert_eq!(p["field"], "bogus", "{p}");
    let (status, p) = app.get("svc", "/api/v1/rectifications?state=done").await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("state")));
    // nothing of the refused requests was written
    let (_, list) = app.get("svc", "/api/v1/inspections?from=2025-01-01").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, t) = app.get("svc", "/api/v1/inspection-templates").await;
    assert_eq!(t.as_array().unwrap().len(), 1);
}
