//! Registering at the counter as a teller does it: every mistake shown at once beside its field in
//! words, the limits said and held (never cut), the time the bank received it, the notice of a
//! merge with its new text on the order, and the receipt to hand over.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;

both_backends!(
    three_mistakes_are_shown_at_once_each_beside_its_field_in_words,
    an_over_long_letter_is_refused_never_cut,
    a_letter_received_days_ago_starts_its_clocks_then,
    a_repeat_says_it_was_merged_and_shows_the_new_text,
    the_receipt_has_the_number_deadline_progress_address_and_hotline,
);

fn form<'a>(csrf: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("_csrf", csrf),
        ("channel", "counter"),
        ("name", "李四"),
        ("phone", "13912345678"),
        ("category", "01"),
        ("summary", "排队时间过长"),
        ("description", "排队一个多小时无人引导"),
    ];
    for (k, v) in fields {
        f.retain(|(name, _)| name != k);
        f.push((k, v));
    }
    f
}

/// The words shown beside `field`.
fn beside(html: &str, field: &str) -> String {
    let marker = format!("data-field=\"{field}\">");
    html.split(&marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no error beside {field}: {html}"))
        .split('<')
        .next()
        .unwrap()
        .to_string()
}

async fn three_mistakes_are_shown_at_once_each_beside_its_field_in_words(app: TestApp) {
    let mut b = Browser::new(&app);
    b.login("teller1").await;
    let (_, _, html) = b.get("/").await;
    assert!(html.contains("class=\"required\""), "required fields are marked");
    let csrf = b.csrf();
    let before = app.store.count_complaints().await.unwrap();
    let (status, _, html) = b
        .post("/complaints/new", &form(&csrf, &[("name", ""), ("phone", "12345"), ("summary", ""), ("amount", "abc")]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["complainant.name", "complainant.phone", "summary", "amount"] {
        let words = beside(&html, field);
        assert!(!words.trim().is_empty() && !words.contains(':'), "{field}: in words, no field name: {words}");
        assert!(!words.contains("complainant") && !words.contains("summary"), "{words}");
    }
    assert!(html.contains("有 4 处需要更正"), "the count of mistakes: {html}");
    assert_eq!(app.store.count_complaints().await.unwrap(), before, "nothing written");
    // the API says every fault too, each with its field
    let mut body = crate::harness::complaint_body("BJ0101", "12345");
    body["summary"] = "".into();
    body["amount"] = "-1".into();
    let (status, problem) = app.post("teller1", "/api/v1/complaints", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["complainant.phone", "summary", "amount"], "{problem}");
    // in English, English words
    b.jar.push("xiaobao_lang=en".into());
    let (_, _, html) = b.post("/complaints/new", &form(&csrf, &[("summary", "")])).await;
    assert!(beside(&html, "summary").is_ascii(), "{html}");
}

async fn an_over_long_letter_is_refused_never_cut(app: TestApp) {
    let mut b = Browser::new(&app);
    b.login("teller1").await;
    let (_, _, html) = b.get("/").await;
    let textarea = html.split("id=\"description\"").nth(1).unwrap().split('>').next().unwrap();
    assert!(!textarea.contains("maxlength"), "the browser does not cut what is pasted: {textarea}");
    assert!(textarea.contains("data-max=\"4000\"") && textarea.contains("data-counter"), "{textarea}");
    assert!(html.contains("4,000"), "the limit is said");
    let csrf = b.csrf();
    let letter = "字".repeat(10_000);
    let before = app.store.count_complaints().await.unwrap();
    let (status, _, html) = b.post("/complaints/new", &form(&csrf, &[("description", &letter)])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(beside(&html, "description").contains("4000"), "{}", beside(&html, "description"));
    assert!(html.contains(&letter), "what was typed is kept whole, to shorten");
    assert_eq!(app.store.count_complaints().await.unwrap(), before);
    let (status, _) = app
        .post("teller1", "/api/v1/complaints", {
            let mut body = crate::harness::complaint_body("BJ0101", "13912345678");
            body["description"] = letter.clone().into();
            body
        })
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_letter_received_days_ago_starts_its_clocks_then(app: TestApp) {
    let mut b = Browser::new(&app);
    b.login("teller1").await;
    let now = app.state.clock.now().with_timezone(&xiaobao_core::time::shanghai());
    let (_, _, html) = b.get("/").await;
    let default = now.format("%Y-%m-%dT%H:%M").to_string();
    assert!(html.contains(&format!("value=\"{default}\"")), "now by default: {html}");
    let csrf = b.csrf();
    let three_days_ago = (now - chrono::Duration::days(3)).format("%Y-%m-%dT%H:%M").to_string();
    let (status, h, _) = b
        .post(
            "/complaints/new",
            &form(&csrf, &[("channel", "letter"), ("received_at", &three_days_ago), ("cause", "12")]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id: i64 = h["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let k = app.store.complaint(id).await.unwrap().unwrap();
    assert_eq!(
        k.order.received_at.with_timezone(&xiaobao_core::time::shanghai()).format("%Y-%m-%dT%H:%M").to_string(),
        three_days_ago
    );
    assert!(k.registered_at > k.order.received_at, "registered now, received then");
    assert_eq!(k.cause.as_deref(), Some("12"), "the cause chosen at the counter");
    // a time ahead of now is refused beside the field
    let tomorrow = (now + chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M").to_string();
    let (status, _, html) = b.post("/complaints/new", &form(&csrf, &[("received_at", &tomorrow)])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!beside(&html, "received_at").is_empty());
    let (status, _, html) = b.post("/complaints/new", &form(&csrf, &[("received_at", "yesterday")])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!beside(&html, "received_at").is_empty());
}

async fn a_repeat_says_it_was_merged_and_shows_the_new_text(app: TestApp) {
    let mut b = Browser::new(&app);
    b.login("teller1").await;
    let csrf = b.csrf();
    let (status, h, _) = b.post("/complaints/new", &form(&csrf, &[])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let first = h["location"].to_str().unwrap().to_string();
    let (_, _, html) = b.get(&first).await;
    assert!(html.contains("id=\"print-receipt\""), "a new order offers its receipt: {html}");
    let (status, h, _) = b
        .post(
            "/complaints/new",
            &form(&csrf, &[("summary", "再次来电催办"), ("description", "客户第二次来电，要求尽快增开窗口")]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"].to_str().unwrap(), first, "the same order");
    let (_, _, html) = b.get(&first).await;
    let merged = html.split("id=\"merged\"").nth(1).unwrap_or_else(|| panic!("no merge notice: {html}"));
    assert!(merged.contains("同一事项") && merged.contains("并入"), "it says what and why: {merged}");
    let texts = html.split("id=\"merged-texts\"").nth(1).unwrap().split("</ul>").next().unwrap();
    assert!(texts.contains("再次来电催办") && texts.contains("客户第二次来电，要求尽快增开窗口"), "{texts}");
    assert!(!html.contains("id=\"print-receipt\""), "a merge has no new receipt");
}

async fn the_receipt_has_the_number_deadline_progress_address_and_hotline(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13700000009").await["id"].as_i64().unwrap();
    let k = app.store.complaint(id).await.unwrap().unwrap();
    let mut b = Browser::new(&app);
    b.login("teller1").await;
    let (status, h, html) = b.get(&format!("/complaints/{id}/receipt")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["cache-control"], "no-store");
    assert!(html.contains("受理回执") && html.contains(&k.number), "{html}");
    assert!(html.contains("朝阳门网点"), "the outlet");
    let due = k.order.clock(xiaobao_core::deadline::ClockKind::Decision).unwrap().due_at;
    assert!(html.contains(&xiaobao_core::time::deadline_text(due)), "the decision deadline: {html}");
    assert!(html.contains(&format!("/progress?number={}", k.number)), "the progress address");
    assert!(html.contains("<svg"), "the QR code");
    assert!(!html.contains("13700000009") && !html.contains("张三"), "no personal data on the receipt");
    // another outlet's staff cannot print it
    let mut other = Browser::new(&app);
    other.login("teller2").await;
    assert_eq!(other.get(&format!("/complaints/{id}/receipt")).await.0, StatusCode::NOT_FOUND);
}
