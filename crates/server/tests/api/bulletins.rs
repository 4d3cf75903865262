//! The monthly bulletin through the API, to the digit over constructed outlets: ties share a rank,
//! an outlet under the minimum volume is listed and not ranked, the best and worst take the tied;
//! publishing freezes it and records the rewards and penalties; later data never changes it.

use crate::both_backends;
use crate::harness::TestApp;
use crate::service::{send, token};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xiaobao_core::role::Role;

both_backends!(a_bulletin_ranks_with_ties_and_a_minimum_and_once_published_never_changes);

fn ratings(outlet: &str, teller: &str, scores: &[i64]) -> Value {
    let rows: Vec<Value> = scores
        .iter()
        .enumerate()
        .map(|(n, s)| {
            json!({"device": format!("EV-{outlet}"), "seq": n + 1, "outlet": outlet, "teller": teller,
                "rated_at": format!("2025-02-10T09:{:02}:00+08:00", n), "score": s, "reason": (*s <= 2).then_some("01")})
        })
        .collect();
    json!({ "ratings": rows })
}

async fn a_bulletin_ranks_with_ties_and_a_minimum_and_once_published_never_changes(mut app: TestApp) {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    for code in ["BJ0103", "BJ0104"] {
        let (status, u) = app
            .post(
                "admin",
                "/api/v1/org-units",
                json!({"code": code, "name": format!("{code}网点"), "kind": "outlet", "parent": "BJ01"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{u}");
    }
    app.add_user("teller3", Role::Teller, "BJ0103").await;
    app.add_user("teller4", Role::Teller, "BJ0104").await;
    let rules = json!({"min_rating_interval_seconds": 20, "overtime": {"default_minutes": 20, "by_business": {}}, "overtime_target_percent": 10,
        "bulletin": {"weight_satisfaction": 60, "weight_waiting": 40, "weight_inspection": 0, "weight_complaints": 0, "complaint_penalty": 10,
            "min_ratings_outlet": 4, "min_ratings_employee": 2, "named": 1, "best_employee_points": 2, "worst_employee_points": 1}});
    let (status, r) = app.call("svc", Method::PUT, "/api/v1/service-rules", Some(rules)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    for (outlet, teller, scores) in [
        ("BJ0101", "teller1", vec![5, 5, 4, 1]),
        ("BJ0102", "teller2", vec![5, 5, 4, 2]),
        ("BJ0103", "teller3", vec![5, 5, 5, 5]),
        ("BJ0104", "teller4", vec![5, 5]),
    ] {
        let (_, ev) = token(&app, "evaluator", outlet).await;
        let (status, a) = send(&app, &ev, "/api/v1/ratings", ratings(outlet, teller, &scores)).await;
        assert_eq!((status, a["accepted"].as_u64()), (StatusCode::OK, Some(scores.len() as u64)), "{a}");
    }
    // at BJ0103 one wait of two is overtime: waiting scores 50
    let (_, queue) = token(&app, "queue", "BJ0103").await;
    let tickets = json!({"tickets": [
        {"outlet": "BJ0103", "number": "A1", "business": "personal", "taken_at": "2025-02-10T09:00:00+08:00", "called_at": "2025-02-10T09:25:00+08:00", "teller": "teller3"},
        {"outlet": "BJ0103", "number": "A2", "business": "personal", "taken_at": "2025-02-10T09:30:00+08:00", "called_at": "2025-02-10T09:35:00+08:00", "teller": "teller3"}]});
    assert_eq!(send(&app, &queue, "/api/v1/queue-tickets", tickets).await.0, StatusCode::OK);

    let (status, d) = app.get("svc", "/api/v1/bulletins/draft?org_unit=BJ01&month=2025-02").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let line = |v: &Value| {
        (
            v["candidate"]["key"].as_str().unwrap().to_string(),
            v["rank"].as_i64().unwrap(),
            v["score_bp"].as_i64().unwrap(),
        )
    };
    let outlets: Vec<_> = d["outlets"]["ranked"].as_array().unwrap().iter().map(line).collect();
    // BJ0103: 60×100% + 40×50% = 80.00; BJ0101 and BJ0102: 75% satisfied, no waits, so 75.00
    assert_eq!(outlets, [("BJ0103".into(), 1, 8_000), ("BJ0101".into(), 2, 7_500), ("BJ0102".into(), 2, 7_500)]);
    assert_eq!(d["outlets"]["unranked"][0]["key"], "BJ0104", "two ratings are under the minimum of four");
    assert_eq!(
        (d["best_outlets"].clone(), d["worst_outlets"].clone()),
        (json!(["BJ0103"]), json!(["BJ0102", "BJ0101"]))
    );
    let employees: Vec<_> = d["employees"]["ranked"].as_array().unwrap().iter().map(line).collect();
    assert_eq!(
        employees,
        [
            ("teller4".into(), 1, 10_000),
            ("teller3".into(), 2, 8_000),
            ("teller1".into(), 3, 7_500),
            ("teller2".into(), 3, 7_500)
        ]
    );
    assert_eq!(d["id"], Value::Null, "a draft");

    // only the service department publishes, and only a month that is over
    assert_eq!(
        app.post("head1", "/api/v1/bulletins", json!({"org_unit": "BJ01", "month": "2025-02"})).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, p) = app.post("svc", "/api/v1/bulletins", json!({"org_unit": "BJ01", "month": "2025-03"})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("month")), "{p}");
    let (status, p) = app.post("svc", "/api/v1/bulletins", json!({"org_unit": "BJ01", "month": "2025-13"})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("month")), "{p}");
    let (status, b) = app.post("svc", "/api/v1/bulletins", json!({"org_unit": "BJ01", "month": "2025-02"})).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let id = b["id"].as_i64().unwrap();
    assert_eq!(
        app.post("svc", "/api/v1/bulletins", json!({"org_unit": "BJ01", "month": "2025-02"})).await.0,
        StatusCode::CONFLICT
    );
    // the rewards and penalties its rules attach
    let (_, rec) = app.get("ops", "/api/v1/service-records?year=2025").await;
    let balances: Vec<(&str, i64)> = rec["employees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["user"].as_str().unwrap(), e["balance"].as_i64().unwrap()))
        .collect();
    assert_eq!(balances, [("teller1", -1), ("teller2", -1), ("teller4", 2)]);
    assert_eq!(rec["employees"][2]["entries"][0]["source"], "bulletin");
    // later data does not change what was published
    let (_, ev) = token(&app, "evaluator", "BJ0102").await;
    let late = json!({"ratings": [{"device": "EV-late", "seq": 1, "outlet": "BJ0102", "teller": "teller2", "rated_at": "2025-02-20T10:00:00+08:00", "score": 5}]});
    send(&app, &ev, "/api/v1/ratings", late).await;
    let (_, again) = app.get("head2", &format!("/api/v1/bulletins/{id}")).await;
    assert_eq!(again["outlets"], b["outlets"]);
    assert_eq!(again["published_by"], "svc");
    let (_, d2) = app.get("svc", "/api/v1/bulletins/draft?org_unit=BJ01&month=2025-02").await;
    assert_eq!(d2["id"].as_i64(), Some(id), "the month reads as published");
    // a teller reads no bulletin
    assert_eq!(app.get("teller1", &format!("/api/v1/bulletins/{id}")).await.0, StatusCode::FORBIDDEN);
    let (_, list) = app.get("head1", "/api/v1/bulletins").await;
    assert_eq!(list[0]["id"].as_i64(), Some(id));
    // the published month as a workbook, read back
    let (status, headers, bytes) =
        app.get_bytes("svc", "/api/v1/bulletins/export?org_unit=BJ01&month=2025-02", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("bulletin-BJ01-2025-02.xlsx"));
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("网点").unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(
        (cell(2, 0), cell(2, 1), cell(2, 8), cell(2, 9)),
        ("1".into(), "BJ0103".into(), "80".into(), "优秀".into())
    );
    assert_eq!((cell(3, 0), cell(3, 4), cell(3, 9)), ("2".into(), "75".into(), "待改进".into()));
    assert_eq!((cell(5, 0), cell(5, 1)), ("不足最低笔数，不参与排名".into(), "BJ0104".into()));
    let people = wb.worksheet_range("员工").unwrap();
    assert_eq!(people.get_value((2, 1)).map(|v| v.to_string()), Some("teller4".into()));
    assert_eq!(
        app.get("teller1", "/api/v1/bulletins/export?org_unit=BJ01&month=2025-02").await.0,
        StatusCode::FORBIDDEN
    );
}
