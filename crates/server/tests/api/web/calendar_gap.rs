//! The warning that a year's holiday arrangement is missing: on every page of admins and the
//! consumer-protection centre while deadlines reach the year, on each order whose clocks run into it,
//! and nowhere once the year is loaded.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;

both_backends!(a_year_without_its_arrangement_is_warned_of_where_deadlines_reach_it);

fn at(s: &str) -> xiaobao_core::time::Instant {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

async fn page(app: &TestApp, user: &str, lang: &str, path: &str) -> String {
    let mut b = Browser::new(app);
    b.jar.push(format!("xiaobao_lang={lang}"));
    b.login(user).await;
    let (status, _, html) = b.get(path).await;
    assert!(status.is_success(), "{user} {path}: {status}");
    html
}

async fn a_year_without_its_arrangement_is_warned_of_where_deadlines_reach_it(mut app: TestApp) {
    // received 3 December 2026: every clock ends in 2026
    app.clock.set(at("2026-12-03T10:00:00+08:00"));
    app.login("teller1").await;
    let inside = app.register("teller1", "BJ0101", "13100000001").await["id"].as_i64().unwrap();
    // received 20 December 2026: the decision falls due on 5 January 2027, a year not loaded
    app.clock.set(at("2026-12-20T10:00:00+08:00"));
    app.login("teller1").await;
    let across = app.register("teller1", "BJ0101", "13100000002").await;
    assert_eq!(across["missing_calendar_years"], serde_json::json!([2027]), "{across}");
    let across = across["id"].as_i64().unwrap();
    let (inside, across) = (format!("/complaints/{inside}"), format!("/complaints/{across}"));
    let warned = |html: &str| html.contains("id=\"calendar-gap\"") && html.contains("data-years=\"2027\"");

    for (lang, bank, order, load) in [
        ("zh", "2027 年的节假日安排尚未导入", "本工单的时限延伸到 2027 年", "去导入节假日安排"),
        (
            "en",
            "The holiday arrangement for 2027 is not loaded",
            "This order's deadlines run into 2027",
            "Load the holiday arrangement",
        ),
    ] {
        // admins: every page, with the way to load it
        for path in ["/", "/complaints", "/admin/org", "/admin/calendar", inside.as_str()] {
            let html = page(&app, "admin", lang, path).await;
            assert!(warned(&html) && html.contains(bank), "admin {lang} {path}: {html}");
            assert!(
                html.contains("id=\"calendar-gap-load\" href=\"/admin/calendar?year=2027\""),
                "admin {lang} {path}"
            );
        }
        // the centre: every page, told whom to ask
        for path in ["/", "/complaints", "/measures", "/hot-issues", inside.as_str()] {
            let html = page(&app, "cpc", lang, path).await;
            assert!(warned(&html) && html.contains(bank), "cpc {lang} {path}: {html}");
            assert!(!html.contains("calendar-gap-load"), "cpc {lang} {path}: only admins load calendars");
        }
        // a teller's and an outlet head's ordinary pages say nothing, nor an order that stays in 2026
        for user in ["teller1", "head1"] {
            for path in ["/", "/complaints", inside.as_str()] {
                let html = page(&app, user, lang, path).await;
                assert!(!html.contains("calendar-gap"), "{user} {lang} {path}: {html}");
            }
        }
        // the order whose deadlines run into 2027 warns whoever reads it, once
        for user in ["teller1", "head1", "cpc", "admin"] {
            let html = page(&app, user, lang, &across).await;
            assert!(warned(&html) && html.contains(order), "{user} {lang} {across}: {html}");
            assert_eq!(html.matches("id=\"calendar-gap\"").count(), 1, "{user} {lang}: one warning");
            assert_eq!(html.contains(load), user == "admin", "{user} {lang}");
        }
    }

    // the arrangement loaded: no page warns any more
    let csv = "2027-01-01,rest,New Year's Day,元旦\n2027-01-02,rest,New Year's Day,元旦\n2027-01-03,rest,New Year's Day,元旦\n";
    app.store.import_calendar(&xiaobao_core::calendar::parse_entries(csv).unwrap()).await.unwrap();
    for user in ["admin", "cpc", "teller1", "head1"] {
        for lang in ["zh", "en"] {
            for path in ["/", "/complaints", inside.as_str(), across.as_str()] {
                let html = page(&app, user, lang, path).await;
                assert!(!html.contains("calendar-gap"), "{user} {lang} {path} after loading 2027: {html}");
            }
        }
    }
}
