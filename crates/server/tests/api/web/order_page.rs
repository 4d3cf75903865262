//! The order page as its readers need it: the facts in words, the complainant masked or (for those
//! who may, logged) not, what was told and decided, one panel per action with the main step first,
//! heavy actions confirmed, a word after each action, and a unit picker for transfers.

use crate::both_backends;
use crate::harness::TestApp;
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    the_order_page_shows_the_facts_by_name_and_masks_for_those_who_may_not_see,
    each_action_is_its_own_panel_the_main_step_first_and_each_done_action_is_said,
    a_transfer_picks_the_unit_by_name_or_code,
    a_decision_with_three_mistakes_shows_all_three,
);

/// The text of the element with this id (up to its closing tag's start).
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    let rest = html.split(&marker).nth(1).unwrap_or_else(|| panic!("no #{id} in {html}"));
    rest.split_once('>').map_or(rest, |(_, r)| r).split("</d").next().unwrap()
}

/// The opening tag that carries this id: `<details class="panel" id="panel-x" open>`.
fn tag_of<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in {html}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

async fn the_order_page_shows_the_facts_by_name_and_masks_for_those_who_may_not_see(app: TestApp) {
    let mut body = crate::harness::complaint_body("BJ0101", "13700000001");
    body["complainant"]["id_number"] = json!("110101195001011239");
    let (status, k) = app.post("teller1", "/api/v1/complaints", body).await;
    assert_eq!(status, StatusCode::CREATED, "{k}");
    let id = k["id"].as_i64().unwrap();
    let stored = app.store.complaint(id).await.unwrap().unwrap();

    let mut teller = Browser::new(&app);
    teller.login("teller1").await;
    let (_, _, html) = teller.get(&format!("/complaints/{id}")).await;
    assert!(by_id(&html, "fact-channel").contains("现场"), "{html}");
    assert!(by_id(&html, "fact-category").contains("0302 信用卡"), "category by name: {html}");
    assert!(by_id(&html, "fact-service-channel").starts_with("0101 "), "{html}");
    assert!(!by_id(&html, "fact-cause").contains("—") && by_id(&html, "fact-cause").starts_with("12 "), "{html}");
    assert!(by_id(&html, "fact-amount").contains("300.00"), "{html}");
    assert!(by_id(&html, "fact-received").contains(&xiaobao_core::time::local_minute(stored.order.received_at)));
    // every clock reads as the end of its day, with the year
    for c in &stored.order.clocks {
        let due = format!("截止 {}", xiaobao_core::time::deadline_text(c.due_at));
        assert!(html.contains(&due), "{due} in {html}");
    }
    assert!(!html.contains("T0") && !html.contains("+08:00 "), "no machine times");
    // the description stands above the actions
    let description = html.find("客户称办卡时承诺免年费").unwrap();
    assert!(description < html.find("id=\"actions\"").unwrap_or(usize::MAX), "description above the actions");
    // a teller sees the ID number and phone masked; nothing is logged for it
    assert!(by_id(&html, "complainant-phone").contains("137****0001"), "{html}");
    assert!(!html.contains("110101195001011239"), "the teller does not see the ID number");
    assert!(by_id(&html, "complainant-tags").contains("老年人"), "{html}");
    let logged = app.store.access_log_for("complaint", id).await.unwrap().len();
    assert_eq!(logged, 0, "a masked read is not an unmasked read");

    // the outlet head may see it whole, and the read is logged
    let mut head = Browser::new(&app);
    head.login("head1").await;
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(by_id(&html, "complainant-id").contains("110101195001011239"), "{html}");
    assert!(by_id(&html, "complainant-id").contains("已记录查看"), "the reader is told it is logged");
    assert_eq!(app.store.access_log_for("complaint", id).await.unwrap().len(), 1);

    // what was told and decided shows in its own card; the decision's cause replaces the registration's
    assert!(!html.contains("id=\"outcome\""), "nothing told yet, no outcome card");
    app.act_ok("head1", id, "accept", json!({})).await;
    app.act_ok("head1", id, "respond", json!({"text": "已致电说明年费政策"})).await;
    app.act_ok(
        "head1",
        id,
        "decide",
        json!({"liable": true, "root_cause": "service_fault", "cause": "11", "remedy": "退还年费",
               "amount": "1234.5", "text": "退还年费 300 元并致歉"}),
    )
    .await;
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(by_id(&html, "outcome-response").contains("已致电说明年费政策"), "{html}");
    assert!(by_id(&html, "outcome-liable").contains("我行有责"));
    assert!(by_id(&html, "outcome-root-cause").contains("服务过错"));
    assert!(by_id(&html, "outcome-cause").starts_with("11 "), "{html}");
    assert!(by_id(&html, "outcome-remedy").contains("退还年费"));
    assert!(by_id(&html, "outcome-amount").contains("1,234.50"), "money grouped: {html}");
    assert!(by_id(&html, "outcome-text").contains("退还年费 300 元并致歉"));
    assert!(by_id(&html, "fact-cause").starts_with("11 "), "the decision's cause is the complaint's cause");

    // in English, the same facts in English words
    head.jar.push("xiaobao_lang=en".into());
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(by_id(&html, "fact-channel").contains("At the counter"), "{html}");
    assert!(by_id(&html, "outcome-liable").contains("liable"));
    assert!(html.contains("due "), "{html}");
    assert!(!html.contains("截止"), "no Chinese deadline words in English");
}

async fn each_action_is_its_own_panel_the_main_step_first_and_each_done_action_is_said(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13700000002").await["id"].as_i64().unwrap();
    let mut head = Browser::new(&app);
    head.login("head1").await;
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    let actions = html.split("id=\"actions\"").nth(1).unwrap();
    // the main next step comes first and open; the others are folded panels of their own
    let main = actions.find("id=\"panel-accept\"").unwrap();
    let tag = tag_of(actions, "panel-accept");
    assert!(tag.starts_with("<section") && tag.contains("main"), "accept is the main step, open: {tag}");
    for other in ["decline", "transfer"] {
        let at = actions.find(&format!("id=\"panel-{other}\"")).unwrap_or_else(|| panic!("panel-{other}: {actions}"));
        assert!(at > main, "{other} after the main step");
        let tag = tag_of(actions, &format!("panel-{other}"));
        assert!(tag.starts_with("<details") && !tag.contains(" open"), "{other} folded: {tag}");
    }
    // a heavy action is marked and asks first; a light one does not
    assert!(tag_of(actions, "panel-decline").contains("heavy"), "decline is marked");
    assert!(!tag_of(actions, "panel-transfer").contains("heavy"), "transfer is not");
    assert!(tag_of(actions, "action-decline").contains("data-confirm"), "declining asks first");
    assert!(!tag_of(actions, "action-accept").contains("data-confirm"), "accepting does not ask");

    let csrf = head.csrf();
    let (status, h, _) = head.post(&format!("/complaints/{id}/act/accept"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("/complaints/{id}").as_str());
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(by_id(&html, "done").contains("已受理"), "the action is said: {html}");
    // the main step is now the response; the decision is not offered before it
    let actions = html.split("id=\"actions\"").nth(1).unwrap();
    assert!(actions.find("id=\"panel-respond\"").unwrap() < actions.find("id=\"panel-escalate\"").unwrap());
    // said once: a reload does not repeat it
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(!html.contains("id=\"done\""), "{html}");
    // a refused form opens its panel and says why beside the field; no word of success
    let (status, _, html) =
        head.post(&format!("/complaints/{id}/act/escalate"), &[("_csrf", &csrf), ("reason", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!html.contains("id=\"done\""));
    let panel = tag_of(&html, "panel-escalate");
    assert!(panel.contains(" open"), "the refused panel is open: {panel}");
    assert!(html.split("id=\"action-escalate\"").nth(1).unwrap().contains("data-field=\"reason\""));
    // English words for the same
    head.jar.push("xiaobao_lang=en".into());
    head.post(&format!("/complaints/{id}/act/respond"), &[("_csrf", &csrf), ("text", "called back")]).await;
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    assert!(by_id(&html, "done").contains("Response recorded"), "{html}");
    assert!(by_id(&html, "panel-decide").contains("Next step"), "{html}");
}

async fn a_transfer_picks_the_unit_by_name_or_code(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13700000003").await["id"].as_i64().unwrap();
    let mut head = Browser::new(&app);
    head.login("head1").await;
    let (_, _, html) = head.get(&format!("/complaints/{id}")).await;
    let picker = html.split("id=\"transfer-units\"").nth(1).unwrap().split("</datalist>").next().unwrap();
    assert!(picker.contains("value=\"BJ0102\"") && picker.contains("建国门网点"), "by code and name: {picker}");
    assert!(!picker.contains("value=\"BJ0101\""), "not the unit that has it");
    let (bj, sh) = (picker.find("value=\"BJ\"").unwrap(), picker.find("value=\"SH\"").unwrap_or(usize::MAX));
    assert!(bj < sh, "siblings by code");
    // the picker's whole "code name" is taken as the code
    let csrf = head.csrf();
    let (status, _, html) = head
        .post(
            &format!("/complaints/{id}/act/transfer"),
            &[("_csrf", &csrf), ("to_org_unit", "XX99 无此机构"), ("reason", "属地")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.split("id=\"action-transfer\"").nth(1).unwrap().contains("data-field=\"to_org_unit\""), "{html}");
    let (status, _, _) = head
        .post(
            &format!("/complaints/{id}/act/transfer"),
            &[("_csrf", &csrf), ("to_org_unit", "BJ0102 建国门网点"), ("reason", "属地处理")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let k = app.store.complaint(id).await.unwrap().unwrap();
    assert_eq!(k.org_code, "BJ0102");
}

async fn a_decision_with_three_mistakes_shows_all_three(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13700000004").await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", json!({})).await;
    app.act_ok("head1", id, "respond", json!({"text": "已联系"})).await;
    let mut head = Browser::new(&app);
    head.login("head1").await;
    let csrf = head.csrf();
    let form =
        [("_csrf", csrf.as_str()), ("root_cause", "service_fault"), ("cause", "98"), ("amount", "abc"), ("text", "")];
    let (status, _, html) = head.post(&format!("/complaints/{id}/act/decide"), &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let decide = html.split("id=\"action-decide\"").nth(1).unwrap().split("</form>").next().unwrap();
    for field in ["cause", "amount", "text"] {
        let words =
            decide.split(&format!("data-field=\"{field}\"")).nth(1).unwrap_or_else(|| panic!("{field}: {decide}"));
        let words = words.split_once('>').unwrap().1.split('<').next().unwrap();
        assert!(!words.is_empty() && !words.contains(&format!("{field}:")), "{field} in words: {words}");
    }
    assert!(decide.contains("value=\"abc\""), "typed values kept");
    assert_eq!(app.events(id).await.len(), 3, "nothing written");
    // the API says all three too
    let (status, problem) = app
        .act(
            "head1",
            id,
            "decide",
            json!({"liable": false, "root_cause": "service_fault", "cause": "98", "amount": "abc", "text": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["cause", "amount", "text"], "{problem}");
}
