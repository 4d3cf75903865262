//! Registering with the form, and handling an order through the order page's forms.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;

both_backends!(
    a_teller_registers_with_the_form_and_sees_errors_in_place,
    the_outlet_head_handles_an_order_through_its_forms,
);

async fn a_teller_registers_with_the_form_and_sees_errors_in_place(app: TestApp) {
    let mut b = Browser::new(&app);
    b.login("teller1").await;
    let (_, _, html) = b.get("/").await;
    assert!(html.contains("id=\"register\""), "the teller's home has the form");
    let csrf = b.csrf();
    let form = |summary: &'static str, phone: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("channel", "counter".to_string()),
            ("name", "李四".to_string()),
            ("phone", phone.to_string()),
            ("elderly", "1".to_string()),
            ("category", "01".to_string()),
            ("summary", summary.to_string()),
            ("description", "排队一个多小时无人引导".to_string()),
        ]
    };
    let owned = form("", "13912345678");
    let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let before = app.store.count_complaints().await.unwrap();
    let (status, _, html) = b.post("/complaints/new", &refs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"summary\""), "{html}");
    assert!(html.contains("排队一个多小时无人引导"), "typed values are kept");
    let owned = form("排队时间过长", "12345");
    let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = b.post("/complaints/new", &refs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"complainant.phone\""), "{html}");
    assert_eq!(app.store.count_complaints().await.unwrap(), before, "refused forms write nothing");
    let owned = form("排队时间过长", "13912345678");
    let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, h, _) = b.post("/complaints/new", &refs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = h["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/complaints/"), "{location}");
    let (_, _, html) = b.get(&location).await;
    assert!(html.contains("排队时间过长") && html.contains("139****5678"), "{html}");
    let (status, h, body) = b.get("/static/app.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(body.contains("watchlist"));
}

async fn the_outlet_head_handles_an_order_through_its_forms(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13700000001").await["id"].as_i64().unwrap();
    let mut head = Browser::new(&app);
    head.login("head1").await;
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(html.contains("id=\"action-accept\"") && html.contains("id=\"action-decline\""), "{html}");
    assert!(!html.contains("id=\"action-decide\""), "only the actions allowed now are offered");
    assert!(html.contains("data-confirm"), "declining asks first");
    let csrf = head.csrf();
    let path = |a: &str| format!("/complaints/{id}/act/{a}");
    assert_eq!(head.post(&path("accept"), &[("_csrf", &csrf)]).await.0, StatusCode::SEE_OTHER);
    // accepting twice is refused with the reason, and changes nothing
    let (status, _, html) = head.post(&path("accept"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("id=\"action-error\""), "{html}");
    assert_eq!(
        head.post(&path("respond"), &[("_csrf", &csrf), ("text", "已电话联系客户")]).await.0,
        StatusCode::SEE_OTHER
    );
    let (status, _, html) =
        head.post(&path("decide"), &[("_csrf", &csrf), ("root_cause", "service_fault"), ("text", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let decide_form = html.split("id=\"action-decide\"").nth(1).unwrap().split("</form>").next().unwrap();
    assert!(decide_form.contains("data-field=\"text\""), "the error sits beside its field: {html}");
    assert!(decide_form.contains("<option value=\"service_fault\" selected"), "typed values are kept");
    assert!(
        decide_form.contains("name=\"cause\"") && decide_form.contains("value=\"12\""),
        "the cause codes are offered"
    );
    let (status, _, html) = head
        .post(&path("decide"), &[("_csrf", &csrf), ("root_cause", "service_fault"), ("text", "x"), ("amount", "abc")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"amount\""), "{html}");
    assert!(html.contains("value=\"abc\""), "{html}");

    // attachments: upload through the page's form (CSRF checked), listed, downloaded
    let upload = |token: String, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", token)
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        head.http
            .post(format!("{}/complaints/{id}/attachments", head.base))
            .header("cookie", head.jar.join("; "))
            .multipart(form)
    };
    let res = upload("wrong".into(), "a.pdf", b"%PDF-1.4 x".to_vec()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = upload(csrf.clone(), "a.pdf", b"MZ not a pdf".to_vec()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    let card = html.split("id=\"attachments\"").nth(1).unwrap();
    assert!(card.contains("data-field=\"file\"") && card.contains("id=\"no-attachments\""), "{html}");
    let res = upload(csrf.clone(), "来电记录.txt", "客户来电要求退费".as_bytes().to_vec()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    let aid = app.store.attachments(id).await.unwrap()[0].id;
    let link = format!("/complaints/{id}/attachments/{aid}");
    assert!(html.contains(&link) && html.contains("来电记录.txt"), "{html}");
    // the timeline names each event and state in words
    let timeline = html.split("id=\"timeline\"").nth(1).unwrap().split("</table>").next().unwrap();
    let row = |kind: &str| {
        timeline.split(&format!("data-kind=\"{kind}\"")).nth(1).unwrap().split("</tr>").next().unwrap().to_string()
    };
    assert!(row("register").contains("登记") && row("register").contains("已登记"), "{timeline}");
    assert!(row("accept").contains("受理") && row("accept").contains("已登记 → 已受理"), "{timeline}");
    assert!(row("attach").contains("上传附件"), "{timeline}");
    assert!(!timeline.contains("registered"), "no stored names: {timeline}");
    let (status, h, body) = head.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(body, "客户来电要求退费");
    let mut other = Browser::new(&app);
    other.login("head2").await;
    let (status, _, html) = other.get(&link).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");
    let decide = [
        ("_csrf", csrf.as_str()),
        ("liable", "true"),
        ("root_cause", "service_fault"),
        ("amount", "300"),
        ("text", "退还年费并致歉"),
        ("cause", ""),
    ];
    assert_eq!(head.post(&path("decide"), &decide).await.0, StatusCode::SEE_OTHER);
    let k = app.store.complaint(id).await.unwrap().unwrap();
    assert_eq!(k.order.state, xiaobao_core::complaint::State::Decided);
    assert!(k.order.decision.as_ref().unwrap().liable);
    // the teller sees it decided and records the complainant's response
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    let (_, _, html) = teller.get(&format!("/complaints/{id}")).await;
    assert!(html.contains("已作出处理决定") && html.contains("id=\"action-close\""), "{html}");
    let csrf = teller.csrf();
    assert_eq!(
        teller.post(&path("close"), &[("_csrf", &csrf), ("feedback", "satisfied")]).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.store.complaint(id).await.unwrap().unwrap().order.state, xiaobao_core::complaint::State::Closed);
    // the timeline says what each step said: the response, the decision, the complainant's response
    let row = |html: &str, kind: &str| {
        let timeline = html.split("id=\"timeline\"").nth(1).unwrap().split("</table>").next().unwrap();
        timeline.split(&format!("data-kind=\"{kind}\"")).nth(1).unwrap().split("</tr>").next().unwrap().to_string()
    };
    let (_, _, html) = teller.get(&format!("/complaints/{id}")).await;
    assert!(row(&html, "respond").contains("已电话联系客户"), "{html}");
    let decided = row(&html, "decide");
    for said in ["我行有责", "服务过错", "金额 300.00 元", "退还年费并致歉"] {
        assert!(decided.contains(said), "{said} in {decided}");
    }
    assert!(row(&html, "close").contains("满意"), "{html}");
    teller.jar.push("xiaobao_lang=en".to_string());
    let (_, _, html) = teller.get(&format!("/complaints/{id}")).await;
    let decided = row(&html, "decide");
    assert!(decided.contains("the bank is liable") && decided.contains("amount 300.00 yuan"), "{decided}");
    assert!(row(&html, "close").contains("Satisfied"), "{html}");
    // a sibling outlet cannot act by URL
    let csrf = other.csrf();
    assert_eq!(other.post(&path("reopen"), &[("_csrf", &csrf), ("reason", "x")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.events(id).await.len(), 6, "register, accept, respond, attach, decide, close");
}
