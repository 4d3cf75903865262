//! League tables over the constructed sub-branch of the measures tests: outlets and employees ranked
//! for a month, best and worst, with the minimum volume taken from the settings or the request.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    outlets_and_employees_are_ranked_for_a_month,
    league_checks_role_scope_and_input,
    the_league_page_shows_best_worst_and_sets_the_minimum
);

fn keys(v: &Value, list: &str) -> Vec<(String, Value, String)> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["key"].as_str().unwrap().to_string(), e["rank"].clone(), e["display"].as_str().unwrap().to_string())
        })
        .collect()
}

async fn outlets_and_employees_are_ranked_for_a_month(app: TestApp) {
    crate::measures::constructed_bank(&app).await;
    // BJ0101: 3 complaints, 20,000 customers (1.5 per 10,000); BJ0102: 2 over 10,000 (2.0)
    let (status, v) = app.get("cpc", "/api/v1/league?org_unit=BJ01&month=2025-03&measure=per_10k_customers").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["of"], "outlets");
    assert_eq!(v["higher_is_better"], false);
    assert_eq!(v["min_volume"], 5, "the default");
    assert_eq!(
        keys(&v, "best"),
        vec![("BJ0101".into(), json!(1), "1.5".into()), ("BJ0102".into(), json!(2), "2.0".into())]
    );
    assert_eq!(keys(&v, "worst")[0].0, "BJ0102");
    assert_eq!(v["best"][0]["received"], 3);
    // the whole bank ranks the same two outlets (SH's have no figures and stay unranked)
    let (_, bank) = app.get("cpc", "/api/v1/league?month=2025-03&measure=per_10k_customers").await;
    assert_eq!(bank["ranked_count"], 2, "{bank}");
    assert_eq!(bank["org_unit"]["code"], "HO");

    // a rate over complaints: too few responses for the default minimum; ranked with min_volume=1
    let q = "/api/v1/league?org_unit=BJ01&month=2025-03&measure=timely_response_rate";
    let (_, v) = app.get("cpc", q).await;
    assert_eq!(v["ranked_count"], 0);
    assert_eq!(v["unranked_count"], 2);
    let (_, v) = app.get("cpc", &format!("{q}&min_volume=1")).await;
    assert_eq!(keys(&v, "best")[0], ("BJ0101".into(), json!(1), "50.00%".into()), "{v}");
    assert_eq!(v["best"][0]["volume"], 2, "a answered in time, b a day late");
    // the configured minimum applies when the request names none
    let (status, _) =
        app.call("cpc", reqwest::Method::PUT, "/api/v1/league/settings", Some(json!({"min_volume": 1}))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, v) = app.get("cpc", q).await;
    assert_eq!((v["min_volume"].as_i64(), keys(&v, "best")[0].0.as_str()), (Some(1), "BJ0101"));

    // employees: the first responders of the subtree's March complaints, fewest received first
    let (_, v) = app.get("cpc", "/api/v1/league?org_unit=BJ01&month=2025-03&of=employees&measure=received").await;
    let best = keys(&v, "best");
    assert_eq!(best, vec![("teller1".into(), json!(1), "1".into()), ("cpc".into(), json!(2), "4".into())], "{v}");
    assert_eq!(v["best"][0]["org_unit"], "BJ0101");
    // employees have no customers: nobody is ranked per 10,000 customers
    let (_, v) =
        app.get("cpc", "/api/v1/league?org_unit=BJ01&month=2025-03&of=employees&measure=per_10k_customers").await;
    assert_eq!((v["ranked_count"].as_i64(), v["unranked_count"].as_i64()), (Some(0), Some(2)));
    // February: only f, first received by cpc
    let (_, v) = app.get("cpc", "/api/v1/league?org_unit=BJ01&month=2025-02&of=employees&measure=received").await;
    assert_eq!(keys(&v, "best"), vec![("cpc".into(), json!(1), "1".into())]);
}

async fn league_checks_role_scope_and_input(app: TestApp) {
    let (status, _) = app.get("teller1", "/api/v1/league").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (q, field) in [
        ("org_unit=BJ0102", "org_unit"),
        ("month=2025-Q1", "month"),
        ("month=March", "month"),
        ("of=tellers", "of"),
        ("measure=speed", "measure"),
        ("min_volume=-1", "min_volume"),
        ("limit=0", "limit"),
    ] {
        let (status, p) = app.get("head1", &format!("/api/v1/league?{q}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {p}");
        assert_eq!(p["field"], field, "{q}");
    }
    // an outlet head sees its own outlet's table
    let (status, v) = app.get("head1", "/api/v1/league?month=2025-03").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["unranked"][0]["key"], "BJ0101");
    // only the centre (or an administrator) sets the minimum
    let (status, _) =
        app.call("vp", reqwest::Method::PUT, "/api/v1/league/settings", Some(json!({"min_volume": 3}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, p) =
        app.call("cpc", reqwest::Method::PUT, "/api/v1/league/settings", Some(json!({"min_volume": 20000}))).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("min_volume")));
    let (_, v) = app.get("vp", "/api/v1/league/settings").await;
    assert_eq!(v["min_volume"], 5);
}

async fn the_league_page_shows_best_worst_and_sets_the_minimum(app: TestApp) {
    crate::measures::constructed_bank(&app).await;
    let mut cpc = Browser::new(&app);
    cpc.login("cpc").await;
    let (status, _, html) = cpc.get("/league?org_unit=BJ01&month=2025-03&measure=per_10k_customers").await;
    assert_eq!(status, StatusCode::OK);
    let best = html.split("id=\"league-best\"").nth(1).unwrap().split("</table>").next().unwrap();
    let first = best.find("data-key=\"BJ0101\"").unwrap();
    assert!(first < best.find("data-key=\"BJ0102\"").unwrap(), "BJ0101 is first: {best}");
    assert!(best.contains("1.5") && best.contains("2.0"));
    let worst = html.split("id=\"league-worst\"").nth(1).unwrap();
    assert!(worst.find("BJ0102").unwrap() < worst.find("BJ0101").unwrap());
    assert!(html.contains("id=\"measures-tabs\"") && html.contains("万人投诉率"));
    // a rate with too few cases leaves both outlets unranked, and says so
    let (_, _, html) = cpc.get("/league?org_unit=BJ01&month=2025-03&measure=timely_response_rate").await;
    assert!(html.contains("id=\"league-unranked\"") && html.contains("参与排名 0 个，未参与 2 个"), "{html}");
    // a wrong month is shown beside its field
    let (status, _, html) = cpc.get("/league?month=2025-13").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"month\""));
    // the centre sets the minimum; a bad value is shown at the form
    let csrf = cpc.csrf();
    let (status, _, html) = cpc.post("/league/settings", &[("_csrf", &csrf), ("min_volume", "many")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"min_volume\""));
    let (status, _, _) = cpc.post("/league/settings", &[("_csrf", &csrf), ("min_volume", "1")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = cpc.get("/league?org_unit=BJ01&month=2025-03&measure=timely_response_rate").await;
    assert!(html.contains("参与排名 1 个"), "{html}");
    // a vice president reads the table but is not offered the setting; a teller may not open it
    let mut vp = Browser::new(&app);
    vp.login("vp").await;
    let (status, _, html) = vp.get("/league?month=2025-03").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("id=\"league-settings\""));
    let csrf = vp.csrf();
    let (status, _, _) = vp.post("/league/settings", &[("_csrf", &csrf), ("min_volume", "3")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    assert_eq!(teller.get("/league").await.0, StatusCode::FORBIDDEN);
}
