//! The public progress page: state and dates only, in large type and plain words, found however the
//! number is typed; throttled per number and, apart, per address.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;
use xiaobao_server::web::progress::{ADDRESS_RULE, DAILY_TRIES_PER_NUMBER};

both_backends!(
    progress_page_shows_state_and_dates_only_and_is_throttled,
    a_number_is_found_however_it_is_typed_and_told_in_plain_words,
    one_persons_guesses_leave_the_right_lookups_of_a_shared_address_alone,
);

async fn progress_page_shows_state_and_dates_only_and_is_throttled(app: TestApp) {
    let k = app.register("teller1", "BJ0101", "13812345678").await;
    let number = k["number"].as_str().unwrap().to_string();
    let mut b = Browser::new(&app);
    let (status, _, html) = b.get("/progress").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("投诉进度查询"));
    let csrf = b.csrf();
    let (_, _, html) = b.post("/progress", &[("number", &number), ("last4", "5678"), ("_csrf", &csrf)]).await;
    assert!(html.contains("id=\"progress-result\""), "{html}");
    assert!(html.contains("已登记"), "{html}");
    assert!(!html.contains("张三") && !html.contains("年费"), "no name, no content: {html}");
    let (_, _, html) = b.post("/progress", &[("number", &number), ("last4", "0000"), ("_csrf", &csrf)]).await;
    assert!(html.contains("未查到该投诉"));
    // one address guessing at many numbers is slowed once it has spent its (large) budget
    let mut last = StatusCode::OK;
    for i in 0..ADDRESS_RULE.free {
        let other = format!("TS20250303{i:08}");
        last = b.post("/progress", &[("number", &other), ("last4", "1111"), ("_csrf", &csrf)]).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// What an elderly complainant types: small letters, spaces, the full-width forms of a Chinese input
/// method; what they read: large type and the plain words of their language, not the bank's.
async fn a_number_is_found_however_it_is_typed_and_told_in_plain_words(app: TestApp) {
    let k = app.register("teller1", "BJ0101", "13812345678").await;
    let number = k["number"].as_str().unwrap().to_string();
    let lower = number.to_lowercase();
    let spaced = format!("  {} {} ", &lower[..10], &lower[10..]);
    let wide: String = format!("\u{3000}{lower}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
        .collect();
    for (lang, state, plain, jargon) in [
        ("xiaobao_lang=zh", "已登记", "银行最晚在这天告诉您处理结果", "限时办结"),
        ("xiaobao_lang=en", ">registered<", "The bank will tell you its answer by", ">Completion<"),
    ] {
        let mut b = Browser::new(&app);
        b.jar.push(lang.to_string());
        let (_, _, form) = b.get("/progress").await;
        // large type: the page's own style, inputs and button sized for it
        assert!(form.contains("#progress-page{") && form.contains("font-size:20px"), "{form}");
        assert!(form.contains("#progress-page input{") && form.contains("min-height:2.7em"), "{form}");
        let csrf = b.csrf();
        for typed in [lower.as_str(), spaced.as_str(), wide.as_str()] {
            let (status, _, html) =
                b.post("/progress", &[("number", typed), ("last4", " 5678 "), ("_csrf", &csrf)]).await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains("id=\"progress-state\""), "{typed:?} is not found: {html}");
            assert!(html.contains(state), "{lang} {typed:?}: {html}");
            assert!(html.contains(&number), "the number as the bank writes it");
            assert!(html.contains(plain), "{lang}: {html}");
            assert!(!html.contains(jargon), "{lang} uses the bank's jargon: {html}");
        }
    }
}

async fn lookup(
    app: &TestApp,
    from: [u8; 4],
    number: &str,
    last4: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let csrf = hex::encode(rand::random::<[u8; 32]>());
    let res = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(from))
        .build()
        .unwrap()
        .post(format!("{}/progress", app.base))
        .header("cookie", format!("xiaobao_csrf={csrf}"))
        .form(&[("number", number), ("last4", last4), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.text().await.unwrap())
}

/// A branch's customers share one address: one of them guessing at a number stops that number for
/// the day and spends a little of the address's budget; everyone else's right lookups go on until
/// the address has really guessed too much.
async fn one_persons_guesses_leave_the_right_lookups_of_a_shared_address_alone(app: TestApp) {
    let guessed = app.register("teller1", "BJ0101", "13812345678").await["number"].as_str().unwrap().to_string();
    let mine = app.register("teller1", "BJ0101", "13900001111").await["number"].as_str().unwrap().to_string();
    let branch = [127, 4, 0, 1];
    let found = |html: &str| html.contains("id=\"progress-state\"");
    // one person: every wrong try the number admits, then a dozen mistyped numbers
    let mut wrong = 0;
    for i in 0..DAILY_TRIES_PER_NUMBER {
        let (status, _, html) = lookup(&app, branch, &guessed, &format!("{i:04}")).await;
        assert!(status == StatusCode::OK && !found(&html));
        wrong += 1;
    }
    for i in 0..12 {
        let (status, _, _) = lookup(&app, branch, &format!("TS2025030399{i:06}"), "1111").await;
        assert_eq!(status, StatusCode::OK, "wrong try {wrong} is not refused");
        wrong += 1;
    }
    // the guessed number answers nothing today, even with its digits
    let (_, _, html) = lookup(&app, branch, &guessed, "5678").await;
    assert!(!found(&html), "{html}");
    wrong += 1;
    // another customer at the same address finds theirs, as often as they look
    for _ in 0..3 {
        let (status, _, html) = lookup(&app, branch, &mine, "1111").await;
        assert_eq!(status, StatusCode::OK);
        assert!(found(&html), "a right lookup after {wrong} wrong ones from the address: {html}");
    }
    // until the address has spent its budget of wrong lookups: then it waits, right or wrong
    while wrong < ADDRESS_RULE.free as i64 {
        let (status, _, _) = lookup(&app, branch, "TS0000", "1111").await;
        assert_eq!(status, StatusCode::OK, "wrong try {wrong}");
        wrong += 1;
    }
    let (status, headers, html) = lookup(&app, branch, &mine, "1111").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.get("retry-after").is_some() && html.contains("查询过于频繁"), "{html}");
    // elsewhere nothing changed
    let (_, _, html) = lookup(&app, [127, 4, 0, 2], &mine, "1111").await;
    assert!(found(&html));
}
