//! Hot issues: alike complaints across units suggested as one group; linked as one issue with an
//! event on each order (all or none, within scope); one decision applied to each open order.

use crate::both_backends;
use crate::harness::{TestApp, complaint_body};
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    alike_complaints_are_suggested_linked_and_decided_together,
    hot_issues_check_role_scope_and_input,
    an_order_taken_out_of_a_hot_issue_is_suggested_again_and_may_join_another,
    the_hot_issue_pages_link_a_group_decide_its_orders_and_take_one_out
);

async fn file(app: &TestApp, unit: &str, phone: &str, category: &str, summary: &str, description: &str) -> i64 {
    let mut body = complaint_body(unit, phone);
    body["category"] = json!(category);
    body["summary"] = json!(summary);
    body["description"] = json!(description);
    let (status, k) = app.post("cpc", "/api/v1/complaints", body).await;
    assert_eq!(status, StatusCode::CREATED, "{k}");
    k["id"].as_i64().unwrap()
}

/// Three complaints about credit-card annual fees at two outlets, and two about other matters.
async fn fee_complaints(app: &TestApp) -> Vec<i64> {
    vec![
        file(app, "BJ0101", "13500000001", "0302", "信用卡年费争议", "办卡时承诺免年费，现被收取信用卡年费 300 元")
            .await,
        file(app, "BJ0102", "13500000002", "0302", "被收取信用卡年费", "信用卡年费被扣，办卡时说免年费").await,
        file(app, "BJ0101", "13500000003", "0302", "信用卡年费不合理", "承诺免年费却收取信用卡年费").await,
        file(app, "BJ0102", "13500000004", "01", "排队时间过长", "网点只开两个窗口，等候一小时").await,
        file(app, "BJ0101", "13500000005", "04", "手机银行转账失败", "转账显示成功但资金未到账").await,
    ]
}

fn ids(v: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = v.as_array().unwrap().iter().map(|k| k["id"].as_i64().unwrap()).collect();
    ids.sort();
    ids
}

async fn alike_complaints_are_suggested_linked_and_decided_together(app: TestApp) {
    let k = fee_complaints(&app).await;
    let (status, v) = app.get("cpc", "/api/v1/hot-issues/suggestions?org_unit=BJ01").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["candidates"], 5);
    assert_eq!(v["groups"].as_array().unwrap().len(), 1, "{v}");
    let g = &v["groups"][0];
    assert_eq!((g["size"].as_i64(), g["units"].as_i64()), (Some(3), Some(2)));
    assert_eq!(ids(&g["complaints"]), k[..3].to_vec());
    assert!(g["keywords"].as_array().unwrap().contains(&json!("年费")), "{g}");
    assert_eq!(g["category"], "0302");

    // the operations supervisor of the sub-branch links the group as one hot issue
    let (status, h) =
        app.post("ops", "/api/v1/hot-issues", json!({"title": "信用卡年费争议", "complaints": &k[..3]})).await;
    assert_eq!(status, StatusCode::CREATED, "{h}");
    let id = h["id"].as_i64().unwrap();
    assert_eq!((h["members"].as_i64(), h["open_members"].as_i64()), (Some(3), Some(3)));
    assert!(h["keywords"].as_array().unwrap().contains(&json!("年费")));
    for c in &k[..3] {
        let events = app.events(*c).await;
        assert_eq!(events.last().unwrap().kind, "hot_issue", "an event on each order");
    }
    assert_eq!(app.events(k[3]).await.last().unwrap().kind, "register");
    // linked orders are no longer suggested, and cannot join a second issue
    let (_, v) = app.get("cpc", "/api/v1/hot-issues/suggestions?org_unit=BJ01").await;
    assert_eq!((v["candidates"].as_i64(), v["groups"].as_array().unwrap().len()), (Some(2), 0));
    let (status, p) = app.post("ops", "/api/v1/hot-issues", json!({"title": "重复", "complaints": [k[0], k[3]]})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert_eq!(app.events(k[3]).await.last().unwrap().kind, "register", "nothing linked when one is refused");
    let (_, list) = app.get("ops", "/api/v1/hot-issues").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    // the list of orders filters by hot issue
    let (_, page) = app.get("ops", &format!("/api/v1/complaints?hot_issue={id}")).await;
    assert_eq!(ids(&page["items"]), k[..3].to_vec());

    // the outlet head of BJ0102 sees the issue (made above it) with its own order only
    let (status, d) = app.get("head2", &format!("/api/v1/hot-issues/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&d["complaints"]), vec![k[1]]);

    // one decision for each: two are being handled, one still waits to be accepted
    for c in [k[0], k[2]] {
        app.act_ok("head1", c, "accept", json!({})).await;
        app.act_ok("head1", c, "respond", json!({"text": "已联系客户"})).await;
    }
    // what the decision would reach: the two being handled, at one outlet; k[1] not, and why
    let (status, plan) = app.get("ops", &format!("/api/v1/hot-issues/{id}/decide")).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!((plan["orders"].as_i64(), plan["units"].as_i64()), (Some(2), Some(1)), "{plan}");
    assert_eq!(ids(&plan["complaints"]), vec![k[0], k[2]]);
    assert_eq!(plan["not_decidable"][0]["id"], k[1]);
    assert!(plan["not_decidable"][0]["problem"]["detail"].as_str().unwrap().contains("已登记"), "{plan}");
    // head2 sees only k[1], which it cannot decide yet
    let (_, plan2) = app.get("head2", &format!("/api/v1/hot-issues/{id}/decide")).await;
    assert_eq!((plan2["orders"].as_i64(), plan2["not_decidable"].as_array().unwrap().len()), (Some(0), 1), "{plan2}");
    assert_eq!(app.get("teller1", &format!("/api/v1/hot-issues/{id}/decide")).await.0, StatusCode::FORBIDDEN);
    let decision = json!({"liable": true, "root_cause": "service_fault", "cause": "12", "text": "退还年费并致歉"});
    // a confirmation that no longer matches decides nothing
    let (status, p) = app.post("ops", &format!("/api/v1/hot-issues/{id}/decide?confirm=3"), decision.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert!(p["detail"].as_str().unwrap().contains('3') && p["detail"].as_str().unwrap().contains('2'), "{p}");
    for c in [k[0], k[2]] {
        assert_eq!(app.events(c).await.last().unwrap().kind, "respond", "nothing decided");
    }
    let (status, p) = app.post("ops", &format!("/api/v1/hot-issues/{id}/decide?confirm=x"), decision.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["field"], "confirm");
    let (status, r) = app.post("ops", &format!("/api/v1/hot-issues/{id}/decide?confirm=2"), decision.clone()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!((r["decided"].as_i64(), r["units"].as_i64(), r["refused"].as_i64()), (Some(2), Some(1), Some(1)), "{r}");
    let refused = r["results"].as_array().unwrap().iter().find(|x| x["ok"] == false).unwrap();
    assert_eq!(refused["id"], k[1]);
    assert_eq!(refused["problem"]["status"], 409, "{refused}");
    assert!(
        refused["problem"]["detail"].as_str().unwrap().contains("已登记"),
        "worded in Chinese by default: {refused}"
    );
    let english = app
        .http
        .post(format!("{}/api/v1/hot-issues/{id}/decide", app.base))
        .bearer_auth(&app.tokens["ops"])
        .header("accept-language", "en")
        .json(&decision)
        .send()
        .await
        .unwrap();
    let r: serde_json::Value = english.json().await.unwrap();
    let refused = r["results"].as_array().unwrap().iter().find(|x| x["id"] == k[1]).unwrap();
    assert!(refused["problem"]["detail"].as_str().unwrap().contains("registered"), "{refused}");
    for c in [k[0], k[2]] {
        let events = app.events(c).await;
        assert_eq!(events.last().unwrap().kind, "decide", "each decided with its own event");
    }
    let (_, d) = app.get("ops", &format!("/api/v1/hot-issues/{id}")).await;
    let states: Vec<&str> = d["complaints"].as_array().unwrap().iter().map(|c| c["state"].as_str().unwrap()).collect();
    assert_eq!(states.iter().filter(|s| **s == "decided").count(), 2, "{d}");

    // more orders join an existing issue
    let (status, d) =
        app.post("ops", &format!("/api/v1/hot-issues/{id}/complaints"), json!({"complaints": [k[3]]})).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["members"], 4);
}

async fn an_order_taken_out_of_a_hot_issue_is_suggested_again_and_may_join_another(app: TestApp) {
    use reqwest::Method;
    let k = fee_complaints(&app).await;
    let (_, h) = app.post("ops", "/api/v1/hot-issues", json!({"title": "信用卡年费", "complaints": &k[..3]})).await;
    let id = h["id"].as_i64().unwrap();
    let out = |c: i64| format!("/api/v1/hot-issues/{id}/complaints/{c}");

    // refused: a teller, an outlet head outside the order's outlet, an order not in the issue
    assert_eq!(app.call("teller1", Method::DELETE, &out(k[0]), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.call("head2", Method::DELETE, &out(k[0]), None).await.0, StatusCode::NOT_FOUND);
    let (status, p) = app.call("ops", Method::DELETE, &out(k[3]), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert!(p["detail"].as_str().unwrap().contains(&k[3].to_string()), "{p}");
    assert_eq!(
        app.call("ops", Method::DELETE, &format!("/api/v1/hot-issues/999999/complaints/{}", k[0]), None).await.0,
        StatusCode::NOT_FOUND
    );
    for c in &k[..4] {
        assert!(app.events(*c).await.iter().all(|e| e.kind != "hot_issue_left"), "nothing taken out");
    }

    // the head of its outlet takes k[0] out: an event on it, the issue has two orders left
    let (status, d) = app.call("head1", Method::DELETE, &out(k[0]), None).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(ids(&d["complaints"]), vec![k[2]], "the outlet head sees its own order left");
    let ev = app.events(k[0]).await;
    assert_eq!(ev.last().unwrap().kind, "hot_issue_left");
    assert_eq!(ev.last().unwrap().from_state, ev.last().unwrap().to_state, "its state is unchanged");
    let (_, d) = app.get("ops", &format!("/api/v1/hot-issues/{id}")).await;
    assert_eq!((d["members"].as_i64(), ids(&d["complaints"])), (Some(2), vec![k[1], k[2]]));
    let (_, page) = app.get("ops", &format!("/api/v1/complaints?hot_issue={id}")).await;
    assert_eq!(ids(&page["items"]), vec![k[1], k[2]]);
    // a second time it is no longer in the issue
    assert_eq!(app.call("head1", Method::DELETE, &out(k[0]), None).await.0, StatusCode::CONFLICT);
    assert_eq!(app.events(k[0]).await.iter().filter(|e| e.kind == "hot_issue_left").count(), 1);

    // it is a candidate again, and may join another issue
    let (_, v) = app.get("cpc", "/api/v1/hot-issues/suggestions?org_unit=BJ01").await;
    assert_eq!(v["candidates"], 3, "{v}");
    let (status, h2) =
        app.post("ops", "/api/v1/hot-issues", json!({"title": "其他", "complaints": [k[0], k[3]]})).await;
    assert_eq!(status, StatusCode::CREATED, "{h2}");
    assert_eq!(app.events(k[0]).await.last().unwrap().kind, "hot_issue");
}

async fn hot_issues_check_role_scope_and_input(app: TestApp) {
    let k = fee_complaints(&app).await;
    let (status, _) = app.get("teller1", "/api/v1/hot-issues/suggestions").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (q, field) in
        [("days=0", "days"), ("days=400", "days"), ("min_size=1", "min_size"), ("org_unit=SH", "org_unit")]
    {
        let (status, p) = app.get("vp", &format!("/api/v1/hot-issues/suggestions?{q}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {p}");
        assert_eq!(p["field"], field);
    }
    // a teller may not link; an outlet head may not link another outlet's order
    let (status, _) =
        app.post("teller1", "/api/v1/hot-issues", json!({"title": "x", "complaints": [k[0], k[2]]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, p) =
        app.post("head1", "/api/v1/hot-issues", json!({"title": "年费", "complaints": [k[0], k[1]]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "complaints");
    assert!(p["detail"].as_str().unwrap().contains(&k[1].to_string()), "{p}");
    for (body, field) in [
        (json!({"title": " ", "complaints": [k[0], k[2]]}), "title"),
        (json!({"title": "年费", "complaints": [k[0]]}), "complaints"),
        (json!({"title": "年费", "complaints": [k[0], k[0]]}), "complaints"),
        (json!({"title": "年费", "complaints": [k[0], 999999]}), "complaints"),
    ] {
        let (status, p) = app.post("head1", "/api/v1/hot-issues", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {p}");
        assert_eq!(p["field"], field, "{body}");
    }
    assert!(app.events(k[0]).await.iter().all(|e| e.kind != "hot_issue"), "nothing was linked");
    // an issue made at one outlet is not seen by the other
    let (status, h) =
        app.post("head1", "/api/v1/hot-issues", json!({"title": "年费", "complaints": [k[0], k[2]]})).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = h["id"].as_i64().unwrap();
    assert_eq!(app.get("head2", &format!("/api/v1/hot-issues/{id}")).await.0, StatusCode::NOT_FOUND);
    assert!(app.get("head2", "/api/v1/hot-issues").await.1.as_array().unwrap().is_empty());
    assert_eq!(app.get("vp", &format!("/api/v1/hot-issues/{id}")).await.0, StatusCode::OK);
    // a bad decision is refused whole
    let (status, p) = app
        .post(
            "head1",
            &format!("/api/v1/hot-issues/{id}/decide"),
            json!({"liable": true, "root_cause": "service_fault", "text": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(
        app.post(
            "head2",
            &format!("/api/v1/hot-issues/{id}/decide"),
            json!({"liable": true, "root_cause": "service_fault", "text": "x"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}

async fn the_hot_issue_pages_link_a_group_decide_its_orders_and_take_one_out(app: TestApp) {
    let k = fee_complaints(&app).await;
    let mut ops = Browser::new(&app);
    ops.login("ops").await;
    let (status, _, html) = ops.get("/hot-issues").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"no-issues\"") && html.contains("id=\"group-0\""), "{html}");
    assert!(!html.contains("id=\"group-1\""));
    let group = html.split("id=\"group-0\"").nth(1).unwrap();
    for c in &k[..3] {
        assert!(group.contains(&format!("name=\"c\" value=\"{c}\" checked")), "{c} ticked");
    }
    // untick one and link the other two
    let csrf = ops.csrf();
    let (a, b) = (k[0].to_string(), k[1].to_string());
    let form =
        [("_csrf", csrf.as_str()), ("group", "0"), ("title", "信用卡年费争议"), ("c", a.as_str()), ("c", b.as_str())];
    let (status, h, _) = ops.post("/hot-issues", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let at = h["location"].to_str().unwrap().to_string();
    let (_, _, page) = ops.get(&at).await;
    assert!(page.contains("id=\"issue-title\">信用卡年费争议"), "{page}");
    assert!(page.contains(&format!("data-id=\"{}\"", k[0])) && !page.contains(&format!("data-id=\"{}\"", k[2])));
    // the one left out is alone, and a group needs three: nothing is suggested now
    let (_, _, html) = ops.get("/hot-issues").await;
    assert!(html.contains("id=\"no-groups\"") && html.contains("信用卡年费争议"));
    // linking an order twice is refused beside its group
    let (status, _, html) = ops.post("/hot-issues", &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("field-error"), "{html}");

    // no order can be decided yet: no form, a word saying why
    assert!(page.contains("id=\"nothing-to-decide\"") && !page.contains("id=\"action-decide\""), "{page}");
    // one decision for both: k[0] is being handled, k[1] still registered
    app.act_ok("head1", k[0], "accept", json!({})).await;
    app.act_ok("head1", k[0], "respond", json!({"text": "已联系客户"})).await;
    let (_, _, page) = ops.get(&at).await;
    let action = format!("{at}/decide");
    assert!(page.contains(&format!("action=\"{action}\"")), "the decision form posts to the issue");
    // the form asks with the count of orders and units it will decide, and sends it when agreed
    let form = page.split("id=\"action-decide\"").next().unwrap();
    let form = &form[form.rfind("<form").unwrap()..];
    assert!(form.contains("data-confirm=\"将对 1 笔工单（1 个机构）"), "{form}");
    assert!(page.contains("name=\"confirm\" value=\"\" data-confirmed-value=\"1\""), "{page}");
    // the order it cannot decide is listed with why, linked
    let not = page.split("id=\"not-decidable\"").nth(1).unwrap();
    assert!(not.contains(&format!("href=\"/complaints/{}\"", k[1])) && not.contains("已登记"), "{not}");
    let (status, _, html) = ops
        .post(
            &action,
            &[("_csrf", &csrf), ("liable", "true"), ("root_cause", "service_fault"), ("cause", ""), ("text", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an empty text is refused at the form");
    assert!(html.contains("data-field=\"text\""), "{html}");
    let (status, _, html) = ops
        .post(
            &action,
            &[
                ("_csrf", &csrf),
                ("liable", "true"),
                ("root_cause", "service_fault"),
                ("cause", "12"),
                ("text", "退还年费"),
            ],
        )
        .await;
    // without the confirmation (no JavaScript), a step of its own asks first and nothing is decided
    assert_eq!(status, StatusCode::OK);
    let step = html.split("id=\"confirm-batch\"").nth(1).expect("a confirmation step");
    let step = step.split("id=\"issue-title\"").next().unwrap();
    assert!(step.contains("确认对 1 笔工单（1 个机构）"), "{step}");
    assert!(step.contains(&format!("data-id=\"{}\"", k[0])) && !step.contains(&format!("data-id=\"{}\"", k[1])));
    assert!(
        step.contains("name=\"confirm\" value=\"1\"") && step.contains("name=\"text\" value=\"退还年费\""),
        "{step}"
    );
    assert!(!html.contains("id=\"outcome\""));
    assert_eq!(app.events(k[0]).await.last().unwrap().kind, "respond", "nothing decided yet");
    let decision = |confirm: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("liable", "true".to_string()),
            ("root_cause", "service_fault".into()),
            ("cause", "12".into()),
            ("text", "退还年费".into()),
            ("confirm", confirm.to_string()),
        ]
    };
    // a count that no longer matches asks again, saying so
    let stale = decision("2");
    let stale: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = ops.post(&action, &stale).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"batch-changed\"") && html.contains("id=\"confirm-batch\""), "{html}");
    assert_eq!(app.events(k[0]).await.last().unwrap().kind, "respond", "nothing decided yet");
    let ok = decision("1");
    let ok: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = ops.post(&action, &ok).await;
    assert_eq!(status, StatusCode::OK);
    // the outcome comes first on the page: decided, and the refused one linked with why
    let outcome = html.find("id=\"outcome\"").expect("the outcome");
    assert!(outcome < html.find("id=\"issue-title\"").unwrap(), "at the top");
    assert!(html.contains("已对 1 笔工单（1 个机构）作出决定，1 笔未作决定"), "{html}");
    assert!(html.contains(&format!("data-id=\"{}\" data-ok=\"true\"", k[0])), "{html}");
    let refused = html.split(&format!("data-id=\"{}\" data-ok=\"false\"", k[1])).nth(1).unwrap();
    assert!(refused.contains(&format!("href=\"/complaints/{}\"", k[1])) && refused.contains("已登记"), "{refused}");
    assert_eq!(app.events(k[0]).await.last().unwrap().kind, "decide");
    // sent again (a reload): nothing left to decide, nothing done twice
    let (status, _, html) = ops.post(&action, &ok).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert_eq!(app.events(k[0]).await.iter().filter(|e| e.kind == "decide").count(), 1);
    // k[1] is taken out of the issue from its page (the button asks first), and only k[0] stays
    let remove = format!("{at}/remove");
    assert!(html.contains(&format!("action=\"{remove}\"")) && html.contains("data-confirm"), "{html}");
    let (status, h, _) = ops.post(&remove, &[("_csrf", csrf.as_str()), ("c", b.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"].to_str().unwrap(), at);
    let (_, _, page) = ops.get(&at).await;
    assert!(page.contains(&format!("data-id=\"{}\"", k[0])) && !page.contains(&format!("data-id=\"{}\"", k[1])));
    assert_eq!(app.events(k[1]).await.last().unwrap().kind, "hot_issue_left");
    let (status, _, html) = ops.post(&remove, &[("_csrf", csrf.as_str()), ("c", b.as_str())]).await;
    assert_eq!(status, StatusCode::CONFLICT, "not in the issue any more");
    assert!(html.contains("id=\"remove-error\""), "{html}");

    // a teller is not offered the pages
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    assert_eq!(teller.get("/hot-issues").await.0, StatusCode::FORBIDDEN);
}
