//! Service records through the API: a liable decision proposes accountability for the employees it
//! names, the service department confirms it (a penalty in the record) or dismisses it; entries by
//! hand; who reads whose; the XLSX of a unit's year read back.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaobao_core::role::Role;

both_backends!(
    a_liable_decision_proposes_accountability_which_is_confirmed_or_dismissed,
    records_are_read_by_their_employee_and_managers_and_exported_for_the_year
);

async fn decided(app: &TestApp, phone: &str, staff: Value) -> i64 {
    let id = app.register("teller1", "BJ0101", phone).await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", json!({})).await;
    app.act_ok("head1", id, "respond", json!({"text": "已致电客户"})).await;
    app.act_ok(
        "head1",
        id,
        "decide",
        json!({"liable": true, "root_cause": "service_fault", "text": "经核实，柜员解释不到位，已致歉。", "liable_staff": staff}),
    )
    .await;
    id
}

async fn a_liable_decision_proposes_accountability_which_is_confirmed_or_dismissed(mut app: TestApp) {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    // naming someone when the bank is not liable, or someone unknown, is refused naming the field
    let id = app.register("teller1", "BJ0101", "13900000001").await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", json!({})).await;
    let (status, p) = app
        .act(
            "head1",
            id,
            "decide",
            json!({"liable": false, "root_cause": "misunderstanding", "text": "已解释", "liable_staff": ["teller1"]}),
        )
        .await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("liable_staff")), "{p}");
    let (status, p) = app
        .act(
            "head1",
            id,
            "decide",
            json!({"liable": true, "root_cause": "service_fault", "text": "有责", "liable_staff": ["teller2"]}),
        )
        .await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("liable_staff[0]")), "{p}");

    let first = decided(&app, "13900000002", json!(["teller1", "lobby1"])).await;
    let (status, list) = app.get("svc", "/api/v1/accountability").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let people: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["user"].as_str().unwrap()).collect();
    assert_eq!(people, ["teller1", "lobby1"]);
    assert!(list.as_array().unwrap().iter().all(|a| a["complaint_id"].as_i64() == Some(first)));
    let (t, l) = (list[0]["id"].as_i64().unwrap(), list[1]["id"].as_i64().unwrap());
    // only the service department decides; a bad penalty is refused naming its fields
    assert_eq!(
        app.post("head1", &format!("/api/v1/accountability/{t}/confirm"), json!({"points": 2, "reason": "x"})).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, p) = app
        .post(
            "svc",
            &format!("/api/v1/accountability/{t}/confirm"),
            json!({"points": 101, "amount": "abc", "reason": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["points", "amount", "reason"], "{p}");
    let (status, c) = app
        .post(
            "svc",
            &format!("/api/v1/accountability/{t}/confirm"),
            json!({"points": 2, "amount": "200", "reason": "解释不到位"}),
        )
        .await;
    assert_eq!((status, c["state"].as_str()), (StatusCode::OK, Some("confirmed")), "{c}");
    assert!(c["record_id"].as_i64().is_some());
    assert_eq!(
        app.post("svc", &format!("/api/v1/accountability/{t}/dismiss"), json!({"reason": "again"})).await.0,
        StatusCode::CONFLICT
    );
    let (status, d) =
        app.post("svc", &format!("/api/v1/accountability/{l}/dismiss"), json!({"reason": "大堂经理当时不在岗"})).await;
    assert_eq!((status, d["state"].as_str()), (StatusCode::OK, Some("dismissed")), "{d}");
    // the penalty is in the teller's record, the dismissed one is not in the lobby manager's
    let (_, own) = app.get("teller1", "/api/v1/service-records").await;
    let e = &own["employees"][0];
    assert_eq!(
        (e["user"].as_str(), e["penalties"].as_i64(), e["balance"].as_i64()),
        (Some("teller1"), Some(2), Some(-2)),
        "{own}"
    );
    assert_eq!(
        (e["entries"][0]["source"].as_str(), e["entries"][0]["amount"].as_str()),
        (Some("liable_complaint"), Some("200.00"))
    );
    assert_eq!(e["entries"][0]["source_id"].as_i64(), Some(first));
    let (_, lobby) = app.get("lobby1", "/api/v1/service-records").await;
    assert_eq!(lobby["employees"], json!([]));
    // another outlet's head sees none of it: not the list, not by id
    let (_, other) = app.get("head2", "/api/v1/service-records?org_unit=BJ0102").await;
    assert_eq!(other["employees"], json!([]));
    assert_eq!(app.get("head2", "/api/v1/service-records?user=teller1").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, confirmed) = app.get("svc", "/api/v1/accountability?state=confirmed").await;
    assert_eq!(confirmed.as_array().unwrap().len(), 1);
    let (_, left) = app.get("svc", "/api/v1/accountability").await;
    assert_eq!(left, json!([]), "nothing left to decide");
}

async fn records_are_read_by_their_employee_and_managers_and_exported_for_the_year(mut app: TestApp) {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    let (status, r) = app
        .post(
            "svc",
            "/api/v1/service-records",
            json!({"user": "teller1", "kind": "reward", "points": 3, "reason": "客户表扬信"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    app.post(
        "svc",
        "/api/v1/service-records",
        json!({"user": "teller1", "kind": "penalty", "points": 1, "amount": "50", "reason": "未唱收唱付"}),
    )
    .await;
    app.post(
        "svc",
        "/api/v1/service-records",
        json!({"user": "teller2", "kind": "reward", "points": 5, "reason": "月度服务之星"}),
    )
    .await;
    let (status, p) = app
        .post("svc", "/api/v1/service-records", json!({"user": "nobody", "kind": "gift", "points": 0, "reason": ""}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["user", "kind", "reason"], "{p}");
    // one fault of a form checked whole names its field once
    let (_, p) = app
        .post("svc", "/api/v1/service-records", json!({"user": "nobody", "kind": "reward", "points": 1, "reason": "x"}))
        .await;
    assert_eq!(p["detail"], "user: 没有员工 \"nobody\"（或不在您的管辖范围内）", "{p}");
    assert_eq!(
        app.post(
            "head1",
            "/api/v1/service-records",
            json!({"user": "teller1", "kind": "reward", "points": 1, "reason": "x"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // the sub-branch's supervisor reads both outlets, the outlet head their own
    let (_, ops) = app.get("ops", "/api/v1/service-records").await;
    let rows: Vec<(&str, i64)> = ops["employees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["user"].as_str().unwrap(), e["balance"].as_i64().unwrap()))
        .collect();
    assert_eq!(rows, [("teller1", 2), ("teller2", 5)]);
    let (_, head) = app.get("head1", "/api/v1/service-records").await;
    assert_eq!(head["employees"].as_array().unwrap().len(), 1);
    // a teller reads only their own, whatever they ask
    let (_, t) = app.get("teller2", "/api/v1/service-records").await;
    assert_eq!(t["employees"][0]["user"], "teller2");
    assert_eq!(app.get("teller2", "/api/v1/service-records?user=teller1").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("teller2", "/api/v1/service-records/export").await.0, StatusCode::FORBIDDEN);
    // the year's workbook, read back
    let (status, headers, bytes) =
        app.get_bytes("ops", "/api/v1/service-records/export?org_unit=BJ01&year=2025", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("service-records-BJ01-2025.xlsx"));
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let summary = wb.worksheet_range("汇总").unwrap();
    let cell = |r: u32, c: u32| summary.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(
        (cell(2, 1), cell(2, 3), cell(2, 4), cell(2, 5)),
        ("teller1".into(), "3".into(), "1".into(), "2".into())
    );
    assert_eq!((cell(3, 1), cell(3, 5)), ("teller2".into(), "5".into()));
    let entries = wb.worksheet_range("明细").unwrap();
    assert_eq!(entries.height(), 4);
    assert_eq!(entries.get_value((2, 4)).map(|v| v.to_string()), Some("50".into()));
    assert_eq!(entries.get_value((2, 5)).map(|v| v.to_string()), Some("未唱收唱付".into()));
}
