//! Every page, as every role, in both languages: it answers (shown, forbidden or not found — never an
//! error), speaks the language asked for, and names no text key the catalogue lacks.

use crate::both_backends;
use crate::harness::{TestApp, USERS};
use crate::web::Browser;
use reqwest::StatusCode;

both_backends!(every_page_as_every_role_in_both_languages);

async fn every_page_as_every_role_in_both_languages(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13600000001").await["id"].as_i64().unwrap();
    app.act_ok("head1", id, "accept", serde_json::json!({})).await;
    let order = format!("/complaints/{id}");
    let pages = [
        "/",
        "/complaints",
        "/complaints?overdue=true",
        order.as_str(),
        "/hot-issues",
        "/league",
        "/measures",
        "/measures?by=unit",
        "/reports",
        "/statistics",
        "/progress",
        "/inbox",
        "/service",
        "/service?by=day_hour",
        "/service/sheet",
        "/inspections",
        "/inspections/new",
        "/inspections/templates",
        "/rectifications",
        "/bulletins",
        "/service-records",
        "/admin/calendar",
        "/admin/categories",
        "/admin/integrations",
        "/admin/org",
        "/admin/policy",
        "/admin/users",
        "/admin/users/teller1",
    ];
    for (user, _, _) in USERS {
        let mut b = Browser::new(&app);
        b.login(user).await;
        for (cookie, html_lang) in [("xiaobao_lang=zh", "lang=\"zh-CN\""), ("xiaobao_lang=en", "lang=\"en\"")] {
            b.jar.retain(|c| !c.starts_with("xiaobao_lang="));
            b.jar.push(cookie.to_string());
            for path in pages {
                let (status, _, html) = b.get(path).await;
                assert!(
                    [StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
                    "{user} {cookie} {path}: {status}"
                );
                assert!(html.contains(html_lang), "{user} {cookie} {path} is not in its language");
                assert!(!html.contains('⟦'), "{user} {cookie} {path} names a missing key: {html}");
                let expected = match (*user, path) {
                    ("admin", p) if p.starts_with("/admin") => Some(StatusCode::OK),
                    (_, p) if p.starts_with("/admin") => Some(StatusCode::FORBIDDEN),
                    ("cpc" | "vp" | "ops" | "head1" | "teller1", p) if p == order => Some(StatusCode::OK),
                    ("head2" | "teller2", p) if p == order => Some(StatusCode::NOT_FOUND),
                    (_, "/" | "/complaints" | "/progress" | "/inbox" | "/rectifications" | "/service-records") => {
                        Some(StatusCode::OK)
                    }
                    _ => None,
                };
                if let Some(expected) = expected {
                    assert_eq!(status, expected, "{user} {cookie} {path}");
                }
            }
        }
    }
}

both_backends!(in_english_no_page_shows_a_role_code_or_a_chinese_class_name);

/// The text a reader sees: the page without its scripts, styles, tags (and so attribute values) and
/// with the common entities decoded.
pub(crate) fn visible_text(html: &str) -> String {
    let mut s = html.to_string();
    for tag in ["script", "style"] {
        while let Some(start) = s.find(&format!("<{tag}")) {
            let end = s[start..].find(&format!("</{tag}>")).map_or(s.len(), |e| start + e + tag.len() + 3);
            s.replace_range(start..end, " ");
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}

/// In English, no page shows a role as its code (`outlet_head`) or a category, service channel or
/// cause by its Chinese name where the table has an English one — as any role, with orders that
/// carry every classification, decided, escalated and appealed, and figures to show.
async fn in_english_no_page_shows_a_role_code_or_a_chinese_class_name(app: TestApp) {
    use serde_json::json;
    let classified = |phone: &str| {
        let mut body = crate::harness::complaint_body("BJ0101", phone);
        // the summary must not itself hold a class's Chinese name (信用卡)
        body["summary"] = json!("年费争议");
        body
    };
    let (_, a) = app.post("cpc", "/api/v1/complaints", classified("13600000001")).await;
    let a = a["id"].as_i64().unwrap();
    app.act_ok("head1", a, "accept", json!({})).await;
    app.act_ok("head1", a, "respond", json!({"text": "已联系"})).await;
    app.act_ok(
        "head1",
        a,
        "decide",
        json!({"liable": true, "root_cause": "service_fault", "cause": "05", "text": "已处理"}),
    )
    .await;
    app.act_ok("head1", a, "appeal", json!({"reason": "非本机构责任"})).await;
    let (_, b) = app.post("cpc", "/api/v1/complaints", classified("13600000002")).await;
    let b = b["id"].as_i64().unwrap();
    app.act_ok("head1", b, "accept", json!({})).await;
    app.act_ok("head1", b, "escalate", json!({"reason": "客户要求"})).await;
    let body = json!({"org_unit": "BJ0101", "period": "2025-03", "customers": 151_193_041, "transactions": 2_000_000});
    assert_eq!(app.call("cpc", reqwest::Method::PUT, "/api/v1/period-stats", Some(body)).await.0, StatusCode::OK);
    let classes = app.store.classes(None).await.unwrap();
    let chinese: Vec<&str> = classes
        .iter()
        .filter(|c| c.name_zh != c.name_en && !c.name_en.trim().is_empty())
        .map(|c| c.name_zh.as_str())
        .collect();
    let role_codes: Vec<&str> =
        xiaobao_core::role::Role::ALL.iter().map(|r| r.as_str()).filter(|c| c.contains('_')).collect();
    let (order_a, order_b) = (format!("/complaints/{a}"), format!("/complaints/{b}"));
    let receipt = format!("/complaints/{a}/receipt");
    let pages = [
        "/",
        "/complaints",
        "/complaints?category=0302",
        order_a.as_str(),
        order_b.as_str(),
        receipt.as_str(),
        "/hot-issues",
        "/league?month=2025-03",
        "/league?month=2025-03&of=employees",
        "/measures?from=2025-03-01&to=2025-03-31",
        "/measures?from=2025-03-01&to=2025-03-31&by=unit",
        "/measures?from=2025-03-01&to=2025-03-31&by=category",
        "/measures?from=2025-03-01&to=2025-03-31&by=cause",
        "/reports?period=2025-03",
        "/statistics",
        "/progress",
        "/admin/integrations",
        "/admin/org",
        "/admin/policy",
        "/admin/users",
        "/admin/users/head1",
    ];
    let mut seen_class = 0;
    for (user, _, _) in USERS {
        let mut b = Browser::new(&app);
        b.login(user).await;
        b.jar.retain(|c| !c.starts_with("xiaobao_lang="));
        b.jar.push("xiaobao_lang=en".to_string());
        for path in pages {
            let (status, _, html) = b.get(path).await;
            assert!(html.contains("lang=\"en\""), "{user} {path} is not in English");
            if status != StatusCode::OK {
                continue;
            }
            let text = visible_text(&html);
            for code in &role_codes {
                assert!(!text.contains(code), "{user} {path} shows the role code {code}: {text}");
            }
            for zh in &chinese {
                assert!(!text.contains(zh), "{user} {path} shows the class name {zh} in Chinese: {text}");
            }
            if ["credit cards", "outlet premises", "information disclosure"].iter().any(|en| text.contains(en)) {
                seen_class += 1;
            }
        }
    }
    assert!(seen_class > 0, "the pages name the classes in English somewhere");
}
