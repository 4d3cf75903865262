//! The public progress page: state and dates only, throttled.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;

both_backends!(progress_page_shows_state_and_dates_only_and_is_throttled,);

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
    let mut last = StatusCode::OK;
    for _ in 0..10 {
        last = b.post("/progress", &[("number", &number), ("last4", "1111"), ("_csrf", &csrf)]).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}
