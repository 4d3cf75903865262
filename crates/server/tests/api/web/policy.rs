//! The deadline policy's form: what it shows, every bad field told beside it with the values kept,
//! an override added and removed, the policy saved as typed.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;
use std::collections::BTreeMap;

both_backends!(the_policy_form_shows_every_error_beside_its_field_and_saves);

/// The form's fields as the page fills them in: (name, value) of inputs with a value, checked
/// boxes and selected options.
fn form_of(html: &str) -> BTreeMap<String, String> {
    let form = &html[html.find("id=\"policy-form\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    let mut out = BTreeMap::new();
    let attr = |tag: &str, a: &str| {
        tag.split(&format!(" {a}=\"")).nth(1).and_then(|r| r.split('"').next()).map(|v| v.replace("&amp;", "&"))
    };
    for part in form.split('<').skip(1) {
        let tag = part.split('>').next().unwrap();
        if tag.starts_with("input") {
            let Some(name) = attr(tag, "name") else { continue };
            let checkbox = tag.contains("type=\"checkbox\"");
            if checkbox && !tag.contains(" checked") {
                continue;
            }
            out.insert(name, attr(tag, "value").unwrap_or_default());
        } else if tag.starts_with("select") {
            out.insert(attr(tag, "name").unwrap(), String::new());
        }
    }
    // selected options: the last select opened before each selected option
    let mut current = None;
    for part in form.split('<').skip(1) {
        let tag = part.split('>').next().unwrap();
        if tag.starts_with("select") {
            current = attr(tag, "name");
        } else if tag.starts_with("option")
            && tag.contains(" selected")
            && let Some(n) = &current
        {
            out.insert(n.clone(), attr(tag, "value").unwrap_or_default());
        }
    }
    out
}

async fn the_policy_form_shows_every_error_beside_its_field_and_saves(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.login("admin").await;
    let csrf = admin.csrf();
    let (status, _, html) = admin.get("/admin/policy").await;
    assert_eq!(status, StatusCode::OK);
    let mut form = form_of(&html);
    assert_eq!(form["decision.period.length"], "15");
    assert_eq!(form["decision.period.unit"], "calendar_days");
    assert_eq!(form["response.warn_at"], "50, 80");
    assert_eq!(form["overrides[0].channel"], "regulator");
    assert_eq!(form["escalation.chain.0"], "outlet_head");
    assert!(!html.contains("<textarea"), "no JSON to edit");
    let before = app.store.rules().policy.clone();

    // several mistakes at once: each beside its field, the values typed kept, nothing saved
    let mut bad = form.clone();
    bad.insert("decision.period.length".into(), "0".into());
    bad.insert("review.warn_at".into(), "80, 50".into());
    bad.insert("completion.period.length".into(), "ten".into());
    bad.insert("opening_hours.close".into(), "08:00".into());
    bad.insert("overrides[1].clock".into(), "completion".into());
    bad.insert("overrides[1].category".into(), "x!".into());
    bad.insert("repeat_window_days".into(), "0".into());
    bad.insert("_csrf".into(), csrf.clone());
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, html) = admin.post("/admin/policy", &pairs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in [
        "decision.period.length",
        "review.warn_at",
        "completion.period.length",
        "opening_hours.close",
        "overrides[1].category",
        "repeat_window_days",
    ] {
        assert!(html.contains(&format!("data-field=\"{f}\"")), "{f} beside its field: {html}");
    }
    assert!(
        html.contains("value=\"ten\"") && html.contains("value=\"80, 50\"") && html.contains("value=\"x!\""),
        "{html}"
    );
    assert!(html.contains("id=\"policy-errors\""));
    assert_eq!(app.store.rules().policy, before, "nothing saved");

    // an override added in the empty row, the regulator's removed, a clock turned off
    form.insert("overrides[1].clock".into(), "response".into());
    form.insert("overrides[1].channel".into(), "counter".into());
    form.insert("overrides[1].off".into(), "true".into());
    form.insert("overrides[0].remove".into(), "true".into());
    form.remove("completion.on");
    form.insert("decision.period.length".into(), "14".into());
    form.insert("review.warn_at".into(), "60".into());
    form.insert("escalation.chain.3".into(), "".into());
    form.insert("_csrf".into(), csrf.clone());
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, h, html) = admin.post("/admin/policy", &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(h["location"], "/admin/policy?saved=1");
    let p = app.store.rules().policy.clone();
    assert_eq!(p.decision.period.length, 14);
    assert_eq!(p.review.warn_at, vec![60]);
    assert!(p.completion.is_none());
    assert_eq!(p.overrides.len(), 1);
    assert_eq!(p.overrides[0].channel, Some(xiaobao_core::channel::Channel::Counter));
    assert!(p.overrides[0].rule.is_none());
    assert_eq!(p.escalation.chain.len(), 3);
    assert_eq!(
        (p.opening_hours, p.extension_days, p.repeat_window_days),
        (before.opening_hours, before.extension_days, before.repeat_window_days)
    );
    assert_eq!(p.extension_approvers, before.extension_approvers);
    let (_, _, html) = admin.get("/admin/policy?saved=1").await;
    assert!(html.contains("id=\"notice\"") && html.contains("时限规则已保存"), "{html}");
    // the change is on the record
    let log = app.store.access_log_for("deadline_policy", 0).await.unwrap();
    assert_eq!(log.len(), 1);
    // the API reads what the form saved
    let (_, api) = app.get("teller1", "/api/v1/deadline-policy").await;
    assert_eq!(api["decision"]["period"]["length"], 14);
}
