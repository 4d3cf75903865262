//! Consumer-protection reviews through the API: submitted, reviewed and re-checked by two different
//! reviewers, answered (a binding opinion cannot be declined), concluded only with the final
//! material; every step out of turn or by the wrong person refused; another unit's staff find none
//! of it; the export read back; the monthly sample drawn once, reproducible from its recorded seed,
//! and a finding turned into a rectification; the figures of reviews concluded, on time, sampled and
//! found wanting.

use crate::both_backends;
use crate::harness::TestApp;
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xiaobao_core::role::Role;

both_backends!(
    a_review_goes_through_both_reviewers_and_concludes_with_its_final_material,
    review_steps_out_of_turn_or_by_the_wrong_people_are_refused_and_change_nothing,
    the_monthly_sample_is_drawn_once_reproducibly_and_a_finding_becomes_a_rectification,
    reviewers_and_periods_are_the_banks_to_set
);

fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Every object of `value` has the properties its schema requires and none it does not name.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) {
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    if let Some(alts) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let fits = alts.iter().any(|a| match a["type"].as_str() {
            Some("null") => value.is_null(),
            _ => !value.is_null(),
        });
        assert!(fits, "{at}: {value} fits none of {schema}");
        if let Some(a) = alts.iter().find(|a| a["type"] != "null" && !value.is_null()) {
            conforms(doc, a, value, at);
        }
        return;
    }
    match value {
        Value::Object(o) => {
            let props = schema["properties"].as_object();
            for r in schema["required"].as_array().into_iter().flatten() {
                assert!(o.contains_key(r.as_str().unwrap()), "{at}: {r} is required by {schema}");
            }
            if let Some(props) = props {
                for (k, v) in o {
                    let p = props.get(k).unwrap_or_else(|| panic!("{at}: {k} is not in {schema}"));
                    conforms(doc, p, v, &format!("{at}.{k}"));
                }
            }
        }
        Value::Array(items) => {
            for (n, v) in items.iter().enumerate() {
                conforms(doc, &schema["items"], v, &format!("{at}[{n}]"));
            }
        }
        _ => {}
    }
}

fn material(unit: &str, title: &str) -> Value {
    json!({"org_unit": unit, "kind": "product", "stage": "design", "title": title,
           "description": "新发行理财产品的产品说明书、风险揭示书与销售文本"})
}

async fn upload(app: &TestApp, user: &str, id: i64, name: &str) -> (StatusCode, Value) {
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(pdf).file_name(name.to_string()));
    let res = app
        .http
        .post(format!("{}/api/v1/cp-reviews/{id}/files", app.base))
        .bearer_auth(&app.tokens[user])
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn submitted(app: &TestApp, user: &str, unit: &str, title: &str) -> i64 {
    let (status, r) = app.post(user, "/api/v1/cp-reviews", material(unit, title)).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    r["review"]["id"].as_i64().unwrap()
}

/// A review taken through every step without opinions, concluded by its submitter.
async fn concluded(app: &TestApp, user: &str, unit: &str, title: &str) -> i64 {
    let id = submitted(app, user, unit, title).await;
    let (s, r) = app.post("bjcpc", &format!("/api/v1/cp-reviews/{id}/review"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) = app.post("cpc", &format!("/api/v1/cp-reviews/{id}/recheck"), json!({"opinions": []})).await;
    assert_eq!((s, r["review"]["state"].as_str()), (StatusCode::OK, Some("responded")), "{r}");
    let (_, f) = upload(app, user, id, "final.pdf").await;
    let (s, r) = app.post(user, &format!("/api/v1/cp-reviews/{id}/conclude"), json!({"final_material": f["id"]})).await;
    assert_eq!((s, r["review"]["state"].as_str()), (StatusCode::OK, Some("concluded")), "{r}");
    id
}

async fn a_review_goes_through_both_reviewers_and_concludes_with_its_final_material(mut app: TestApp) {
    app.add_user("bjcpc", Role::CpCentre, "BJ").await;
    let (status, made) = app.post("ops", "/api/v1/cp-reviews", material("BJ01", "稳享理财 2号")).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let r = &made["review"];
    let id = r["id"].as_i64().unwrap();
    assert_eq!((r["state"].as_str(), r["waiting_for"].as_str()), (Some("submitted"), Some("review")));
    // Monday 3 March 2025, 09:00: five working days on is the end of Monday the 10th
    assert_eq!(r["due_at"], "2025-03-11T00:00:00.000+08:00", "{r}");
    assert_eq!(made["actions"], json!(["edit", "attach"]));
    let (_, f) = upload(&app, "ops", id, "产品说明书.pdf").await;
    assert!(f["id"].as_i64().is_some(), "{f}");

    // the first reviewer gives a binding and an advisory opinion
    let (_, seen) = app.get("bjcpc", &format!("/api/v1/cp-reviews/{id}")).await;
    assert_eq!(seen["actions"], json!(["review"]));
    let (status, r) = app
        .post(
            "bjcpc",
            &format!("/api/v1/cp-reviews/{id}/review"),
            json!({"opinions": [{"text": "风险等级表述须与监管口径一致", "binding": true}, {"text": "建议增加收益示例", "binding": false}]}),
        )
        .await;
    assert_eq!((status, r["review"]["state"].as_str()), (StatusCode::OK, Some("reviewed")), "{r}");
    assert_eq!(r["review"]["reviewer"], "bjcpc");
    // the first reviewer may not re-check their own review; another reviewer adds one
    let (status, p) = app.post("bjcpc", &format!("/api/v1/cp-reviews/{id}/recheck"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{p}");
    app.clock.advance(Duration::hours(2));
    let (status, r) = app
        .post("cpc", &format!("/api/v1/cp-reviews/{id}/recheck"), json!({"opinions": [{"text": "收费条款字体应加粗"}]}))
        .await;
    assert_eq!((status, r["review"]["state"].as_str()), (StatusCode::OK, Some("rechecked")), "{r}");
    let ids: Vec<(i64, bool, &str)> = r["review"]["opinions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["id"].as_i64().unwrap(), o["binding"].as_bool().unwrap(), o["step"].as_str().unwrap()))
        .collect();
    assert_eq!(ids, [(1, true, "review"), (2, false, "review"), (3, false, "recheck")]);

    // the submitter answers: a binding opinion cannot be declined, a declined one needs its reason,
    // every opinion needs its answer — all told at once, nothing written
    let (status, p) = app
        .post(
            "ops",
            &format!("/api/v1/cp-reviews/{id}/respond"),
            json!({"answers": [{"opinion": 1, "adopted": false, "reason": "不同意"}, {"opinion": 2, "adopted": false}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["answers[0].adopted", "answers[1].reason", "answers"], "{p}");
    let (_, still) = app.get("ops", &format!("/api/v1/cp-reviews/{id}")).await;
    assert_eq!(still["review"]["state"], "rechecked");
    let (status, r) = app
        .post(
            "ops",
            &format!("/api/v1/cp-reviews/{id}/respond"),
            json!({"answers": [{"opinion": 1, "adopted": true}, {"opinion": 2, "adopted": false, "reason": "篇幅所限，另附说明"},
                               {"opinion": 3, "adopted": true}]}),
        )
        .await;
    assert_eq!((status, r["review"]["state"].as_str()), (StatusCode::OK, Some("responded")), "{r}");
    assert_eq!(r["review"]["opinions"][1]["answer"]["reason"], "篇幅所限，另附说明");

    // concluding needs the final material, a file of this review
    let (status, p) = app.post("ops", &format!("/api/v1/cp-reviews/{id}/conclude"), json!({})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("final_material")), "{p}");
    let (status, p) =
        app.post("ops", &format!("/api/v1/cp-reviews/{id}/conclude"), json!({"final_material": 99999})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("final_material")), "{p}");
    let (_, last) = upload(&app, "ops", id, "上线版产品说明书.pdf").await;
    let (status, r) =
        app.post("ops", &format!("/api/v1/cp-reviews/{id}/conclude"), json!({"final_material": last["id"]})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let v = &r["review"];
    assert_eq!((v["state"].as_str(), v["on_time"].as_bool()), (Some("concluded"), Some(true)), "{v}");
    assert_eq!(v["final_material"], last["id"]);
    let steps: Vec<&str> = v["clocks"].as_array().unwrap().iter().map(|c| c["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["review", "recheck", "respond", "conclude"]);
    // a concluded review's files are final
    assert_eq!(upload(&app, "ops", id, "again.pdf").await.0, StatusCode::CONFLICT);

    // in scope: the sub-branch and above list it; an outlet of it does not, nor another unit by id
    let (_, list) = app.get("vp", "/api/v1/cp-reviews?state=concluded&kind=product").await;
    assert_eq!(list["items"][0]["id"].as_i64(), Some(id), "{list}");
    let (_, none) = app.get("vp", "/api/v1/cp-reviews?state=submitted").await;
    assert_eq!(none["total"].as_i64(), Some(0));
    assert_eq!(app.get("head2", &format!("/api/v1/cp-reviews/{id}")).await.0, StatusCode::NOT_FOUND);
    let (_, theirs) = app.get("head2", "/api/v1/cp-reviews").await;
    assert_eq!(theirs["total"].as_i64(), Some(0));
    assert_eq!(app.get("head2", "/api/v1/cp-reviews?org_unit=BJ01").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post("head2", &format!("/api/v1/cp-reviews/{id}/respond"), json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    let file_url = format!("/api/v1/service-files/{}", last["id"]);
    assert_eq!(app.get_bytes("head2", &file_url, "zh-CN").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get_bytes("vp", &file_url, "zh-CN").await.0, StatusCode::OK);

    // the export, read back
    let (status, _, bytes) = app.get_bytes("vp", "/api/v1/cp-reviews/export?org_unit=BJ01", "zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("消保审查").unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(sheet.height(), 3, "title, header and the review");
    assert_eq!(
        (cell(2, 5), cell(2, 6), cell(2, 8), cell(2, 9)),
        ("稳享理财 2号".into(), "已办结".into(), "bjcpc".into(), "cpc".into())
    );
    assert_eq!((cell(2, 10), cell(2, 11), cell(2, 12), cell(2, 14)), ("3".into(), "1".into(), "1".into(), "是".into()));

    // the answer is what the OpenAPI document says it is (its schemas named apart from others')
    let (_, doc) = app.call_anon(Method::GET, "/api/openapi.json", None).await;
    let documented =
        |path: &str| doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"].clone();
    let (_, d) = app.get("ops", &format!("/api/v1/cp-reviews/{id}")).await;
    conforms(&doc, &documented("/api/v1/cp-reviews/{id}"), &d, "review");
    // and a complaint's, whose clocks are another schema of a like name
    let k = app.register("teller1", "BJ0101", "13900002222").await;
    let (_, c) = app.get("teller1", &format!("/api/v1/complaints/{}", k["id"])).await;
    conforms(&doc, &documented("/api/v1/complaints/{id}"), &c, "complaint");

    // every step is in the chain, and verify agrees
    let log = app.store.access_log_for("workbook", id).await.unwrap();
    assert_eq!(log.len(), 5, "submitted, reviewed, re-checked, answered, concluded");
    assert!(app.store.verify_chain().await.unwrap().ok());
}

async fn review_steps_out_of_turn_or_by_the_wrong_people_are_refused_and_change_nothing(mut app: TestApp) {
    app.add_user("bjcpc", Role::CpCentre, "BJ").await;
    // bad material, every field named
    let (status, p) = app
        .post(
            "ops",
            "/api/v1/cp-reviews",
            json!({"org_unit": "SH", "kind": "poem", "stage": "", "title": " ", "description": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["org_unit", "kind", "stage", "title", "description"], "{p}");
    assert_eq!(app.post("auditor", "/api/v1/cp-reviews", material("HO", "x")).await.0, StatusCode::FORBIDDEN);
    let (_, list) = app.get("cpc", "/api/v1/cp-reviews?org_unit=HO").await;
    assert_eq!(list["total"].as_i64(), Some(0), "nothing was written");

    let id = submitted(&app, "ops", "BJ01", "信用卡分期手续费调整").await;
    let step = |name: &str| format!("/api/v1/cp-reviews/{id}/{name}");
    // out of turn: 409 naming the state
    let (status, p) = app.post("cpc", &step("recheck"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("待初审"), "{p}");
    assert_eq!(app.post("ops", &step("respond"), json!({"answers": []})).await.0, StatusCode::CONFLICT);
    assert_eq!(app.post("ops", &step("conclude"), json!({})).await.0, StatusCode::CONFLICT);
    // not a reviewer; a reviewer who cannot see it; the submitter's side cannot review
    assert_eq!(app.post("vp", &step("review"), json!({})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.post("head1", &step("review"), json!({})).await.0, StatusCode::FORBIDDEN);
    app.add_user("shcpc", Role::CpCentre, "SH").await;
    assert_eq!(app.post("shcpc", &step("review"), json!({})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post("teller1", "/api/v1/cp-reviews", material("BJ0101", "柜员不提交审查")).await.0,
        StatusCode::FORBIDDEN
    );
    // a blank opinion is named by its place
    let (status, p) = app.post("bjcpc", &step("review"), json!({"opinions": [{"text": "可以"}, {"text": " "}]})).await;
    assert_eq!((status, fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["opinions[1].text".to_string()]), "{p}");
    // the material may be corrected until the first review; not moved to another unit
    let (status, p) = app
        .call(
            "ops",
            Method::PATCH,
            &format!("/api/v1/cp-reviews/{id}"),
            Some(json!({"version": 1, "record": material("BJ0101", "信用卡分期手续费调整")})),
        )
        .await;
    assert_eq!((status, fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["record.org_unit".to_string()]), "{p}");
    let mut fee = material("BJ01", "信用卡分期手续费调整（修订）");
    fee["kind"] = json!("fee");
    fee["stage"] = json!("pricing");
    let (status, e) = app
        .call("ops", Method::PATCH, &format!("/api/v1/cp-reviews/{id}"), Some(json!({"version": 1, "record": fee})))
        .await;
    assert_eq!((status, e["review"]["kind"].as_str()), (StatusCode::OK, Some("fee")), "{e}");
    assert_eq!(e["versions"][0]["record"]["kind"], "product");
    let (_, d) = app.get("ops", &format!("/api/v1/cp-reviews/{id}")).await;
    assert_eq!(d["review"]["version"].as_i64(), Some(2));
    app.post("bjcpc", &step("review"), json!({"opinions": [{"text": "费率须在首页显著位置公示", "binding": true}]}))
        .await;
    let (status, p) = app
        .call(
            "ops",
            Method::PATCH,
            &format!("/api/v1/cp-reviews/{id}"),
            Some(json!({"version": 3, "record": fee_again()})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "no correction once reviewed: {p}");
    app.post("cpc", &step("recheck"), json!({})).await;
    // the submitter's side answers; the head of an outlet below cannot see it
    assert_eq!(app.post("head1", &step("respond"), json!({"answers": []})).await.0, StatusCode::NOT_FOUND);
    let (status, p) = app
        .post("ops", &step("respond"), json!({"answers": [{"opinion": 1, "adopted": false, "reason": "成本原因"}]}))
        .await;
    assert_eq!((status, fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["answers[0].adopted".to_string()]), "{p}");
    let (status, p) = app
        .post(
            "ops",
            &step("respond"),
            json!({"answers": [{"opinion": 1, "adopted": true}, {"opinion": 1, "adopted": true}]}),
        )
        .await;
    assert_eq!((status, fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["answers[1].opinion".to_string()]), "{p}");
    let (_, d) = app.get("ops", &format!("/api/v1/cp-reviews/{id}")).await;
    assert_eq!((d["review"]["state"].as_str(), d["review"]["version"].as_i64()), (Some("rechecked"), Some(4)), "{d}");
    // late steps are shown overdue
    app.clock.advance(Duration::days(20));
    app.login("ops").await;
    let (_, d) = app.get("ops", &format!("/api/v1/cp-reviews/{id}")).await;
    assert_eq!(d["review"]["overdue"].as_bool(), Some(true), "{d}");
    assert!(app.store.verify_chain().await.unwrap().ok());
}

fn fee_again() -> Value {
    let mut fee = material("BJ01", "再改");
    fee["kind"] = json!("fee");
    fee
}

async fn the_monthly_sample_is_drawn_once_reproducibly_and_a_finding_becomes_a_rectification(mut app: TestApp) {
    app.add_user("bjcpc", Role::CpCentre, "BJ").await;
    let mut made = Vec::new();
    for n in 0..12 {
        made.push(concluded(&app, "ops", "BJ01", &format!("BJ01 产品 {n}")).await);
    }
    for n in 0..3 {
        made.push(concluded(&app, "head1", "BJ0101", &format!("网点宣传单 {n}")).await);
    }
    let open = submitted(&app, "ops", "BJ01", "未办结").await;
    // a draw is the centre's
    assert_eq!(
        app.post("vp", "/api/v1/cp-reviews/samples", json!({"month": "2025-03"})).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, p) = app.post("cpc", "/api/v1/cp-reviews/samples", json!({"month": "2025-13"})).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("month")), "{p}");
    let (status, s) = app.post("cpc", "/api/v1/cp-reviews/samples", json!({"month": "2025-03"})).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    // 10 % of BJ01's 12 rounds up to 2; of BJ0101's 3 to 1
    let drawn: Vec<i64> = s["drawn"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert_eq!(drawn.len(), 3, "{s}");
    assert_eq!(s["candidates"].as_array().unwrap().len(), 15, "the open review is not a candidate");
    assert!(!drawn.contains(&open));
    // the draw again from what it recorded
    let seed: u64 = s["seed"].as_str().unwrap().parse().unwrap();
    let candidates: Vec<(i64, i64)> = serde_json::from_value(s["candidates"].clone()).unwrap();
    let mut again = xiaobao_core::workbook::review::draw(seed, &candidates, s["percent"].as_u64().unwrap() as u32);
    let mut shown = drawn.clone();
    again.sort_unstable();
    shown.sort_unstable();
    assert_eq!(again, shown);
    // once per unit and month
    assert_eq!(
        app.post("cpc", "/api/v1/cp-reviews/samples", json!({"month": "2025-03"})).await.0,
        StatusCode::CONFLICT
    );
    let (_, listed) = app.get("vp", "/api/v1/cp-reviews/samples?month=2025-03").await;
    assert_eq!(listed[0]["seed"], s["seed"], "{listed}");
    let (_, outlet) = app.get("head2", "/api/v1/cp-reviews/samples?month=2025-03").await;
    assert_eq!(outlet.as_array().map(Vec::len), Some(0), "an outlet does not see the head office's draw: {outlet}");

    // the check: a finding needs its words, then opens a rectification for the submitter
    let first = drawn[0];
    let (_, d) = app.get("cpc", &format!("/api/v1/cp-reviews/{first}")).await;
    assert_eq!(d["actions"], json!(["check"]), "{d}");
    assert_eq!(d["review"]["sampled_in"], "2025-03");
    let (status, p) = app.post("cpc", &format!("/api/v1/cp-reviews/{first}/check"), json!({"wanting": true})).await;
    assert_eq!((status, fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["finding".to_string()]), "{p}");
    assert_eq!(
        app.post("bjcpc", &format!("/api/v1/cp-reviews/{open}/check"), json!({"wanting": false})).await.0,
        StatusCode::CONFLICT
    );
    let (status, c) = app
        .post(
            "cpc",
            &format!("/api/v1/cp-reviews/{first}/check"),
            json!({"wanting": true, "finding": "最终材料未体现刚性意见的修改"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let rect = c["review"]["check"]["rectification"].as_i64().expect("a rectification is opened");
    let (status, r) = app.get("cpc", &format!("/api/v1/rectifications/{rect}")).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["rectification"]["source"], "review", "{r}");
    assert_eq!(
        (r["rectification"]["owner"].as_str(), r["rectification"]["source_id"].as_i64()),
        (Some("ops"), Some(first))
    );
    assert_eq!(
        app.post("cpc", &format!("/api/v1/cp-reviews/{first}/check"), json!({"wanting": false})).await.0,
        StatusCode::CONFLICT
    );
    let (status, _) =
        app.post("cpc", &format!("/api/v1/cp-reviews/{}/check", drawn[1]), json!({"wanting": false})).await;
    assert_eq!(status, StatusCode::OK);

    // the figures: submitted, concluded, on time, sampled, found wanting
    let (_, f) = app.get("vp", "/api/v1/workbook/figures?org_unit=BJ01&from=2025-03&to=2025-03").await;
    assert_eq!(
        f["total"]["reviews"],
        json!({"submitted": 16, "concluded": 15, "on_time": 15, "sampled": 3, "wanting": 1}),
        "{f}"
    );
    let reviews =
        f["total"]["registers"].as_array().unwrap().iter().find(|r| r["register"] == "cp_review").unwrap().clone();
    assert_eq!(reviews["records"].as_i64(), Some(16), "marks are not counted as records");
    let outlet = f["units"].as_array().unwrap().iter().find(|u| u["org_unit"]["code"] == "BJ0101").unwrap().clone();
    assert_eq!((outlet["reviews"]["submitted"].as_i64(), outlet["reviews"]["sampled"].as_i64()), (Some(3), Some(1)));
    assert!(app.store.verify_chain().await.unwrap().ok());
    // the counters are checked too
    app.raw_sql("UPDATE workbook_months SET records = records + 1 WHERE code = '+sampled'").await;
    assert!(app.store.verify_chain().await.unwrap().first_problem.is_some());
}

async fn reviewers_and_periods_are_the_banks_to_set(mut app: TestApp) {
    app.add_user("law1", Role::OperationsSupervisor, "BJ01").await;
    let (_, rules) = app.get("cpc", "/api/v1/workbook/rules").await;
    assert_eq!(rules["reviews"]["reviewer_roles"], json!(["cp_centre"]), "{rules}");
    let mut bad = rules.clone();
    bad["reviews"]["reviewer_roles"] = json!([]);
    bad["reviews"]["sample_percent"] = json!(0);
    bad["reviews"]["recheck_period"] = json!({"length": 0, "unit": "working_days"});
    let (status, p) = app.call("cpc", Method::PUT, "/api/v1/workbook/rules", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(
        fields(&p),
        ["reviews.reviewer_roles", "reviews.recheck_period.length", "reviews.sample_percent"],
        "{p}"
    );
    // a named person reviews; the re-check period is two hours
    let mut good = rules.clone();
    good["reviews"]["reviewers"] = json!(["law1"]);
    good["reviews"]["recheck_period"] = json!({"length": 2, "unit": "hours"});
    let (status, p) = app.call("cpc", Method::PUT, "/api/v1/workbook/rules", Some(good)).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let id = submitted(&app, "head1", "BJ0101", "网点海报").await;
    let (status, r) = app.post("law1", &format!("/api/v1/cp-reviews/{id}/review"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["review"]["due_at"], "2025-03-03T11:00:00.000+08:00", "{r}");
    assert_eq!(app.post("ops", &format!("/api/v1/cp-reviews/{id}/recheck"), json!({})).await.0, StatusCode::FORBIDDEN);
    app.clock.advance(Duration::hours(3));
    app.login("cpc").await;
    let (_, r) = app.post("cpc", &format!("/api/v1/cp-reviews/{id}/recheck"), json!({})).await;
    let clocks = r["review"]["clocks"].as_array().unwrap();
    assert_eq!(clocks[1]["overdue"].as_bool(), Some(true), "re-checked after its two hours: {r}");
    assert_eq!(r["review"]["state"], "responded");
}
