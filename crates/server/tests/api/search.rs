//! Finding an order by what the staff have in hand, and refusing what the API does not take.

use crate::both_backends;
use crate::harness::{TestApp, complaint_body};
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::Value;

both_backends!(
    an_order_is_found_by_number_name_or_phone_within_the_readers_scope,
    unknown_query_parameters_are_refused_not_ignored,
);

/// A query value percent-encoded.
fn encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn ids(v: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = v["items"].as_array().unwrap().iter().map(|k| k["id"].as_i64().unwrap()).collect();
    ids.sort();
    ids
}

async fn an_order_is_found_by_number_name_or_phone_within_the_readers_scope(app: TestApp) {
    let mine = app.register("teller1", "BJ0101", "13912345678").await;
    let mut other = complaint_body("BJ0101", "13987655678");
    other["complainant"]["name"] = "王建国".into();
    let (_, other) = app.post("teller1", "/api/v1/complaints", other).await;
    // the same person at another outlet, on another matter
    let mut elsewhere = complaint_body("BJ0102", "13912345678");
    elsewhere["category"] = "01".into();
    elsewhere["summary"] = "排队时间过长".into();
    let (status, elsewhere) = app.post("teller2", "/api/v1/complaints", elsewhere).await;
    assert_eq!(status, StatusCode::CREATED, "{elsewhere}");
    let (mine_id, other_id, elsewhere_id) =
        (mine["id"].as_i64().unwrap(), other["id"].as_i64().unwrap(), elsewhere["id"].as_i64().unwrap());
    let number = mine["number"].as_str().unwrap().to_lowercase();
    let find = |user: &'static str, q: &str| {
        let q = encode(q);
        let app = &app;
        async move {
            let (status, body) = app.get(user, &format!("/api/v1/complaints?q={q}")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            ids(&body)
        }
    };
    assert_eq!(find("head1", &number).await, vec![mine_id], "a number in lower case");
    assert_eq!(find("head1", "王建国").await, vec![other_id], "the exact name");
    assert_eq!(find("head1", "王建").await, Vec::<i64>::new(), "not a part of it");
    assert_eq!(find("head1", "139 1234 5678").await, vec![mine_id], "a phone, spaced as it was said");
    // the teller sees phones masked, and finds by what they see: both phones end in 5678
    assert_eq!(find("teller1", "139****5678").await, vec![mine_id, other_id]);
    assert_eq!(find("teller1", "138****5678").await, Vec::<i64>::new());
    // the centre finds both outlets' orders; another outlet finds only its own
    assert_eq!(find("cpc", "13912345678").await, {
        let mut v = vec![mine_id, elsewhere_id];
        v.sort();
        v
    });
    assert_eq!(find("teller2", "13912345678").await, vec![elsewhere_id], "out of scope is not found");
    assert_eq!(find("teller2", &number).await, Vec::<i64>::new());
    // too long a query is refused, naming it
    let (status, problem) = app.get("head1", &format!("/api/v1/complaints?q={}", "a".repeat(51))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "q");
    // the list page finds the same
    let mut b = Browser::new(&app);
    b.login("teller1").await;
    let (_, _, html) = b.get("/complaints?q=139****5678").await;
    assert!(html.contains(&format!("/complaints/{mine_id}\"")) && html.contains(&format!("/complaints/{other_id}\"")));
    assert!(html.contains("id=\"f-q\"") && html.contains("value=\"139****5678\""), "the query is kept");
    let (_, _, html) = b.get(&format!("/complaints?q={}", encode("王建国"))).await;
    assert!(!html.contains(&format!("/complaints/{mine_id}\"")), "{html}");
}

async fn unknown_query_parameters_are_refused_not_ignored(app: TestApp) {
    for path in [
        "/api/v1/complaints?limit=5",
        "/api/v1/complaints?state=registered&sate=closed",
        "/api/v1/org-units?foo=1",
        "/api/v1/complaints/export.xlsx?x=1",
    ] {
        let (status, problem) = app.get("cpc", path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {problem}");
        let named = problem["field"].as_str().unwrap();
        assert!(path.contains(&format!("{named}=")), "{path}: names {named}");
        assert!(
            problem["detail"].as_str().unwrap().contains("per_page") || !path.contains("limit"),
            "the known ones are listed"
        );
    }
    // a number or a yes/no given empty is refused, naming it; an empty text is taken as none
    for path in ["/api/v1/login-locks?days=", "/api/v1/complaints?page=", "/api/v1/complaints?overdue="] {
        let (status, problem) = app.get("admin", path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {problem}");
        assert!(path.contains(&format!("{}=", problem["field"].as_str().unwrap())), "{path}: {problem}");
    }
    // what is declared is taken
    let (status, _) = app.get("cpc", "/api/v1/complaints?per_page=5&page=1&q=").await;
    assert_eq!(status, StatusCode::OK);
}
