//! The workbook's registers through the API: a fraud interception recorded, listed in scope and
//! filtered, read by id, corrected (a reason after the grace period, the earlier version kept, a
//! stale version refused), a file attached, exported and read back; another unit's staff find none
//! of it; every change in the chained history `audit verify` checks; the figures from the counters.

use crate::both_backends;
use crate::harness::TestApp;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaobao_core::role::Role;

both_backends!(
    a_fraud_interception_is_recorded_listed_corrected_and_exported_in_scope,
    bad_interceptions_are_refused_field_by_field_and_nothing_is_written,
    the_workbook_figures_and_the_staff_list_add_up,
    a_workbook_record_altered_outside_the_product_fails_audit_verify
);

fn interception(unit: &str, at: &str, amount: &str, staff: &[&str]) -> Value {
    json!({
        "org_unit": unit,
        "occurred_at": at,
        "scenario": "posing_as_authorities",
        "where": "outlet",
        "customer_groups": ["elderly"],
        "amount_protected": amount,
        "staff": staff,
        "police_called": true,
        "description": "客户称接到“公安”电话要求转账至安全账户，柜员劝阻并报警"
    })
}

fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

async fn a_fraud_interception_is_recorded_listed_corrected_and_exported_in_scope(app: TestApp) {
    let (status, made) = app
        .post(
            "teller1",
            "/api/v1/fraud-interceptions",
            interception("BJ0101", "2025-03-03T08:30:00+08:00", "50000", &["teller1", "lobby1"]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let i = &made["interception"];
    let id = i["id"].as_i64().unwrap();
    assert_eq!(
        (i["amount_protected"].as_str(), i["scenario"].as_str(), i["where"].as_str(), i["version"].as_i64()),
        (Some("50000.00"), Some("posing_as_authorities"), Some("outlet"), Some(1))
    );
    let staff: Vec<&str> = i["staff"].as_array().unwrap().iter().map(|s| s["username"].as_str().unwrap()).collect();
    assert_eq!(staff, ["teller1", "lobby1"]);
    assert_eq!((i["recorded_by"].as_str(), made["may_edit"].as_bool()), (Some("teller1"), Some(true)));
    app.post(
        "head2",
        "/api/v1/fraud-interceptions",
        json!({"org_unit": "BJ0102", "occurred_at": "2025-03-02T15:00:00+08:00", "scenario": "investment", "where": "online",
               "amount_protected": "8000.5", "staff": ["teller2"], "description": "拦截投资理财诈骗转账"}),
    )
    .await;

    // each outlet lists its own; the sub-branch both; filters by scenario and by staff
    let (_, own) = app.get("head1", "/api/v1/fraud-interceptions").await;
    assert_eq!((own["total"].as_i64(), own["items"][0]["id"].as_i64()), (Some(1), Some(id)), "{own}");
    let (_, both) = app.get("ops", "/api/v1/fraud-interceptions?org_unit=BJ01").await;
    let amounts: Vec<&str> =
        both["items"].as_array().unwrap().iter().map(|x| x["amount_protected"].as_str().unwrap()).collect();
    assert_eq!(amounts, ["50000.00", "8000.50"], "newest first");
    let (_, oldest) = app.get("ops", "/api/v1/fraud-interceptions?org_unit=BJ01&sort=oldest&per_page=1").await;
    assert_eq!((oldest["items"][0]["amount_protected"].as_str(), oldest["total"].as_i64()), (Some("8000.50"), Some(2)));
    let (_, inv) = app.get("ops", "/api/v1/fraud-interceptions?org_unit=BJ01&scenario=investment").await;
    assert_eq!(inv["total"].as_i64(), Some(1));
    let (_, by) = app.get("ops", "/api/v1/fraud-interceptions?org_unit=BJ01&staff=lobby1").await;
    assert_eq!(by["items"][0]["id"].as_i64(), Some(id));
    let (_, day) = app.get("ops", "/api/v1/fraud-interceptions?org_unit=BJ01&from=2025-03-03&to=2025-03-03").await;
    assert_eq!(day["total"].as_i64(), Some(1));

    // another outlet's staff: not by id, not in a list, not by naming the unit, not in an export
    assert_eq!(app.get("teller2", &format!("/api/v1/fraud-interceptions/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get("head2", &format!("/api/v1/fraud-interceptions/{id}")).await.0, StatusCode::NOT_FOUND);
    let (_, theirs) = app.get("head2", "/api/v1/fraud-interceptions").await;
    assert!(theirs["items"].as_array().unwrap().iter().all(|x| x["id"].as_i64() != Some(id)));
    let (status, p) = app.get("head2", "/api/v1/fraud-interceptions?org_unit=BJ0101").await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("org_unit")));
    assert_eq!(
        app.get("head2", "/api/v1/fraud-interceptions/export?org_unit=BJ0101").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, p) =
        app.call("head2", reqwest::Method::PATCH, &format!("/api/v1/fraud-interceptions/{id}"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{p}");
    // a colleague who did not record it may not correct it; the outlet head may
    let edit = |version: i64, reason: Option<&str>, amount: &str| {
        json!({"version": version, "reason": reason,
               "record": interception("BJ0101", "2025-03-03T08:30:00+08:00", amount, &["teller1", "lobby1"])})
    };
    let path = format!("/api/v1/fraud-interceptions/{id}");
    assert_eq!(
        app.call("lobby1", reqwest::Method::PATCH, &path, Some(edit(1, None, "5000"))).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, e) = app.call("teller1", reqwest::Method::PATCH, &path, Some(edit(1, None, "5000"))).await;
    assert_eq!((status, e["interception"]["version"].as_i64()), (StatusCode::OK, Some(2)), "{e}");
    assert_eq!(e["versions"][0]["record"]["amount_protected"], "50000.00");
    assert_eq!(
        app.call("teller1", reqwest::Method::PATCH, &path, Some(edit(1, None, "6000"))).await.0,
        StatusCode::CONFLICT,
        "an edit of a replaced version"
    );
    // after the grace period an edit needs a reason
    app.clock.advance(Duration::hours(25));
    let (status, p) = app.call("head1", reqwest::Method::PATCH, &path, Some(edit(2, Some(" "), "5500"))).await;
    assert_eq!((status, fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]), "{p}");
    let (status, e) =
        app.call("head1", reqwest::Method::PATCH, &path, Some(edit(2, Some("柜员录入金额有误"), "5500"))).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let versions: Vec<(i64, Option<&str>)> = e["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version"].as_i64().unwrap(), v["reason"].as_str()))
        .collect();
    assert_eq!(versions, [(1, None), (2, Some("柜员录入金额有误"))]);
    assert_eq!(e["interception"]["amount_protected"], "5500.00");

    // a photo attached, read back; another outlet cannot fetch it
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(png.to_vec()).file_name("现场照片.png"));
    let res = app
        .http
        .post(format!("{}/api/v1/fraud-interceptions/{id}/files", app.base))
        .bearer_auth(&app.tokens["teller1"])
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let file: Value = res.json().await.unwrap();
    // a part besides the file is refused naming it, and nothing is attached
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(png.to_vec()).file_name("again.png"))
        .text("note", "x");
    let res = app
        .http
        .post(format!("{}/api/v1/fraud-interceptions/{id}/files", app.base))
        .bearer_auth(&app.tokens["teller1"])
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "note");
    let url = file["url"].as_str().unwrap().to_string();
    let (status, _, bytes) = app.get_bytes("head1", &url, "zh-CN").await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, png.as_slice()));
    assert_eq!(app.get_bytes("head2", &url, "zh-CN").await.0, StatusCode::NOT_FOUND);
    let (_, d) = app.get("head1", &path).await;
    assert_eq!(d["files"][0]["name"], "现场照片.png");

    // the export, read back in each language
    let (status, headers, bytes) =
        app.get_bytes("ops", "/api/v1/fraud-interceptions/export?org_unit=BJ01", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("fraud-interceptions-BJ01.xlsx"));
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("诈骗堵截登记").unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(sheet.height(), 4, "title, header and two records");
    assert_eq!((cell(1, 0), cell(1, 6)), ("堵截时间".to_string(), "避免损失金额（元）".to_string()));
    assert_eq!((cell(2, 0), cell(2, 1), cell(2, 3)), ("2025-03-03 08:30".into(), "BJ0101".into(), "冒充公检法".into()));
    assert_eq!((cell(2, 6), cell(2, 8), cell(2, 11)), ("5500".into(), "是".into(), "3".into()));
    let (_, _, bytes) = app.get_bytes("ops", "/api/v1/fraud-interceptions/export?org_unit=BJ01", "en").await;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("Fraud interceptions").unwrap();
    assert_eq!(sheet.get_value((3, 3)).map(|v| v.to_string()), Some("Investment scam".into()));

    // the record's whole history is in the chain, and verify agrees with what is stored
    let log = app.store.access_log_for("workbook", id).await.unwrap();
    assert_eq!(log.len(), 3, "made and corrected twice");
    assert_eq!(app.store.access_log_for("workbook_file", id).await.unwrap().len(), 1);
    let report = app.store.verify_chain().await.unwrap();
    assert!(report.ok(), "{:?}", report.first_problem);
}

async fn bad_interceptions_are_refused_field_by_field_and_nothing_is_written(app: TestApp) {
    let (status, p) = app
        .post(
            "teller1",
            "/api/v1/fraud-interceptions",
            json!({"org_unit": "BJ0102", "occurred_at": "2025-03-04T10:00:00+08:00", "scenario": "aliens", "where": "other",
                   "customer_groups": ["elderly", "nobody"], "amount_protected": "-1", "staff": ["teller1", "teller2", "ghost"],
                   "description": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(
        fields(&p),
        ["org_unit", "occurred_at", "scenario", "where_other", "customer_groups[1]", "amount_protected", "description"],
        "{p}"
    );
    // the staff are checked once the record itself is right: another outlet's teller, an unknown name
    let (_, p) = app
        .post(
            "teller1",
            "/api/v1/fraud-interceptions",
            interception("BJ0101", "2025-03-03T08:00:00+08:00", "10", &["teller1", "teller2", "ghost"]),
        )
        .await;
    assert_eq!(fields(&p), ["staff[1]", "staff[2]"], "{p}");
    // an unknown field, a wrong type and an unknown filter are named too
    let mut extra = interception("BJ0101", "2025-03-03T08:00:00+08:00", "10", &["teller1"]);
    extra["victim_phone"] = json!("13900000000");
    let (status, p) = app.post("teller1", "/api/v1/fraud-interceptions", extra).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("victim_phone"), "{p}");
    let (status, p) =
        app.get("head1", "/api/v1/fraud-interceptions?scenario=aliens&sort=sideways&from=2025-13-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["from", "sort", "scenario"], "{p}");
    // who may not record: the auditor
    assert_eq!(
        app.post(
            "auditor",
            "/api/v1/fraud-interceptions",
            interception("BJ0101", "2025-03-03T08:00:00+08:00", "1", &["teller1"])
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (_, list) = app.get("ops", "/api/v1/fraud-interceptions?org_unit=BJ01").await;
    assert_eq!(list["total"].as_i64(), Some(0), "nothing was written");
    assert!(app.store.access_log_for("workbook", 1).await.unwrap().is_empty());
}

async fn the_workbook_figures_and_the_staff_list_add_up(mut app: TestApp) {
    app.add_user("svc", Role::ServiceDept, "HO").await;
    for (user, unit, at, amount, staff, scenario) in [
        ("teller1", "BJ0101", "2025-01-10T10:00:00+08:00", "1000", vec!["teller1"], "loan"),
        ("teller1", "BJ0101", "2025-02-11T10:00:00+08:00", "2000.50", vec!["teller1", "lobby1"], "investment"),
        ("head1", "BJ0101", "2025-03-01T10:00:00+08:00", "300", vec!["lobby1"], "investment"),
        ("teller2", "BJ0102", "2025-02-20T10:00:00+08:00", "40000", vec!["teller2"], "posing_as_authorities"),
    ] {
        let mut body = interception(unit, at, amount, &staff);
        body["scenario"] = json!(scenario);
        let (status, r) = app.post(user, "/api/v1/fraud-interceptions", body).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
    }
    let (status, f) = app.get("ops", "/api/v1/workbook/figures?org_unit=BJ01&from=2025-01&to=2025-03").await;
    assert_eq!(status, StatusCode::OK, "{f}");
    assert_eq!(f["total"]["registers"][0], json!({"register": "fraud_interception", "records": 4}));
    assert_eq!(f["total"]["amount_protected"], "43300.50");
    let months: Vec<(&str, i64)> = f["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["month"].as_str().unwrap(), m["registers"][0]["records"].as_i64().unwrap()))
        .collect();
    assert_eq!(months, [("2025-01", 1), ("2025-02", 2), ("2025-03", 1)]);
    let units: Vec<(&str, &str)> = f["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["org_unit"]["code"].as_str().unwrap(), u["amount_protected"].as_str().unwrap()))
        .collect();
    assert_eq!(units, [("BJ0101", "3300.50"), ("BJ0102", "40000.00")]);
    let inv = f["fraud_by_scenario"].as_array().unwrap().iter().find(|s| s["scenario"] == "investment").unwrap();
    assert_eq!((inv["interceptions"].as_i64(), inv["amount_protected"].as_str()), (Some(2), Some("2300.50")));
    // a correction moves the counters: the January case was BJ0102's, at a different amount
    let (_, list) = app.get("ops", "/api/v1/fraud-interceptions?org_unit=BJ01&scenario=loan").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let mut moved = interception("BJ0102", "2025-01-10T10:00:00+08:00", "1500", &["teller2"]);
    moved["scenario"] = json!("loan");
    let (status, e) = app
        .call(
            "ops",
            reqwest::Method::PATCH,
            &format!("/api/v1/fraud-interceptions/{id}"),
            Some(json!({"version": 1, "reason": "登记机构有误", "record": moved})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let (_, f) = app.get("ops", "/api/v1/workbook/figures?org_unit=BJ01&from=2025-01-01&to=2025-03-31").await;
    let units: Vec<&str> =
        f["units"].as_array().unwrap().iter().map(|u| u["amount_protected"].as_str().unwrap()).collect();
    assert_eq!(units, ["2300.50", "41500.00"]);
    assert_eq!(f["total"]["amount_protected"], "43800.50");
    let (_, head) = app.get("head1", "/api/v1/workbook/figures?from=2025-01&to=2025-03").await;
    assert_eq!(head["total"]["registers"][0]["records"].as_i64(), Some(2), "{head}");
    // figures are for managers; out of scope is refused naming the unit; a bad month named
    assert_eq!(app.get("teller1", "/api/v1/workbook/figures").await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get("head2", "/api/v1/workbook/figures?org_unit=BJ0101").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, p) = app.get("ops", "/api/v1/workbook/figures?from=2025-3&to=2024-01").await;
    assert_eq!(p["field"], "from", "{p}");

    // the staff who stopped fraud in February, most first
    let (status, s) = app.get("svc", "/api/v1/fraud-interceptions/staff?org_unit=BJ01&month=2025-02").await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let rows: Vec<(&str, i64, &str)> = s
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["user"].as_str().unwrap(), r["interceptions"].as_i64().unwrap(), r["amount_protected"].as_str().unwrap())
        })
        .collect();
    assert_eq!(rows, [("teller2", 1, "40000.00"), ("lobby1", 1, "2000.50"), ("teller1", 1, "2000.50")]);
    let (_, mine) = app.get("head1", "/api/v1/fraud-interceptions/staff?month=2025-03").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(app.get("teller1", "/api/v1/fraud-interceptions/staff").await.0, StatusCode::FORBIDDEN);
    assert!(app.store.verify_chain().await.unwrap().ok());
}

async fn a_workbook_record_altered_outside_the_product_fails_audit_verify(app: TestApp) {
    let (_, made) = app
        .post(
            "teller1",
            "/api/v1/fraud-interceptions",
            interception("BJ0101", "2025-03-03T08:30:00+08:00", "900", &["teller1"]),
        )
        .await;
    let id = made["interception"]["id"].as_i64().unwrap();
    assert!(app.store.verify_chain().await.unwrap().ok());
    app.raw_sql(&format!("UPDATE workbook_entries SET amount_fen = 9000000 WHERE id = {id}")).await;
    let report = app.store.verify_chain().await.unwrap();
    let (_, problem) = report.first_problem.expect("the altered amount is caught");
    assert!(problem.contains(&format!("workbook record {id}")), "{problem}");
    // put back, and the counters altered instead
    app.raw_sql(&format!("UPDATE workbook_entries SET amount_fen = 90000 WHERE id = {id}")).await;
    assert!(app.store.verify_chain().await.unwrap().ok());
    app.raw_sql("UPDATE workbook_months SET records = records + 1").await;
    let (_, problem) = app.store.verify_chain().await.unwrap().first_problem.expect("the counters are caught");
    assert!(problem.contains("counters"), "{problem}");
}
