//! The security suite: each defect found by probing the running server as an attacker with a staff
//! account would, reproduced, and shown to hold now.

use crate::both_backends;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::OnceLock;
use xiaobao_server::import::table::crafted;

both_backends!(
    crafted_spreadsheets_are_refused_and_the_server_stays_up,
    a_complainant_is_visible_only_through_complaints_in_scope,
    a_merge_into_another_units_order_tells_only_who_handles_it,
    an_attachment_of_another_order_is_not_found_on_the_page,
    concurrent_guesses_share_one_budget_and_the_owner_elsewhere_logs_in,
    a_sustained_attack_locks_the_account_everywhere_and_admins_see_it,
    an_unknown_username_answers_in_the_time_of_a_known_one,
    a_progress_number_admits_five_wrong_tries_a_day_whatever_the_cookie,
    personal_data_is_never_cached_and_https_cookies_are_secure
);

/// A client whose requests come from `ip` (any 127.x.y.z reaches the loopback server).
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn login_from(app: &TestApp, client: &reqwest::Client, username: &str, password: &str) -> (StatusCode, Value) {
    let res = client
        .post(format!("{}/api/v1/session", app.base))
        .header("accept-language", "en")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        assert!(res.headers().get("retry-after").is_some(), "a 429 says when to come back");
    }
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn upload(app: &TestApp, user: &str, body: Vec<u8>) -> (StatusCode, Value) {
    crate::statistics::import(app, user, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
        .await
}

/// 1 GiB of one repeated letter in the shared strings, deflated to about 1 MB (built once).
fn gigabyte_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| crafted::bomb_xlsx(1 << 30))
}

async fn crafted_spreadsheets_are_refused_and_the_server_stays_up(app: TestApp) {
    let far = crafted::far_cell_xlsx();
    assert!(far.len() < 16 * 1024, "the far-cell workbook is {} bytes", far.len());
    let (status, p) = upload(&app, "cpc", far).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["field"], "file");
    assert!(p["detail"].as_str().unwrap().contains("XFD1048576"), "{p}");
    assert_eq!(app.call_anon(reqwest::Method::GET, "/healthz", None).await.0, StatusCode::OK);

    let bomb = gigabyte_bomb();
    assert!(bomb.len() < 2 * 1024 * 1024, "the bomb is {} bytes", bomb.len());
    let (status, p) = upload(&app, "cpc", bomb.to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["field"], "file");
    assert!(p["detail"].as_str().unwrap().contains("xl/sharedStrings.xml"), "{p}");
    assert_eq!(app.call_anon(reqwest::Method::GET, "/healthz", None).await.0, StatusCode::OK);
    // nothing was entered
    let (_, v) = app.get("cpc", "/api/v1/period-stats?org_unit=HO&period=2025").await;
    assert!(v.as_array().unwrap().iter().all(|r| r["entered"] == false), "{v}");
}

async fn a_complainant_is_visible_only_through_complaints_in_scope(app: TestApp) {
    let mut body = crate::harness::complaint_body("BJ0101", "13900000001");
    body["complainant"]["id_number"] = json!("11010519491231002X");
    let k = app.register("teller1", "BJ0101", "13900000001").await;
    let (_, k2) = app
        .post("teller1", "/api/v1/complaints", {
            let mut b = body.clone();
            b["category"] = json!("04");
            b
        })
        .await;
    let cid = k["complainant"]["id"].as_i64().unwrap();
    assert_eq!(k2["complainant"]["id"], cid);
    assert_eq!(k2["complainant"]["watchlist"], true);
    let path = format!("/api/v1/complainants/{cid}");
    // who sees the complainant: the outlet, those above it, head office; not the sibling outlet
    for (user, seen) in [
        ("teller1", true),
        ("lobby1", true),
        ("head1", true),
        ("ops", true),
        ("vp", true),
        ("cpc", true),
        ("auditor", true),
        ("head2", false),
        ("teller2", false),
    ] {
        let (status, c) = app.get(user, &path).await;
        assert_eq!(status == StatusCode::OK, seen, "{user}: {status} {c}");
        if !seen {
            assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
        }
        for q in ["phone=13900000001", "id_number=11010519491231002X", "watchlist=true"] {
            let (status, list) = app.get(user, &format!("/api/v1/complainants?{q}")).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(list["total"], i64::from(seen), "{user} {q}: {list}");
        }
    }
    // an id sweep by the sibling outlet's head finds nobody and logs no unmasked read
    for id in 1..=cid + 20 {
        assert_eq!(app.get("head2", &format!("/api/v1/complainants/{id}")).await.0, StatusCode::NOT_FOUND);
    }
    let head2 = app.user_id("head2").await;
    assert!(app.store.access_log_for("complainant", cid).await.unwrap().iter().all(|l| l.user_id != head2));

    // the warning at registration still reaches every outlet, and says nothing more
    let (status, w) = app.get("teller2", "/api/v1/complainants/watchlist-check?phone=13900000001").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(w, json!({"watchlist": true, "complaints": 2}));
    let (_, w) = app.get("teller2", "/api/v1/complainants/watchlist-check?id_number=11010519491231002X").await;
    assert_eq!(w["watchlist"], true);
    let (_, w) = app.get("teller2", "/api/v1/complainants/watchlist-check?phone=13900000009").await;
    assert_eq!(w, json!({"watchlist": false, "complaints": 0}));
    let (status, p) = app.get("teller2", "/api/v1/complainants/watchlist-check").await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("phone")));
    assert_eq!(
        app.get("auditor", "/api/v1/complainants/watchlist-check?phone=13900000001").await.0,
        StatusCode::FORBIDDEN
    );

    // once the sibling outlet has a complaint of the same person, it sees them; the new order is a
    // repeat, but the earlier order it follows is not named to a unit that may not see it
    let mut there = crate::harness::complaint_body("BJ0102", "13900000001");
    there["category"] = json!("09");
    let (status, k3) = app.post("teller2", "/api/v1/complaints", there).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!((k3["repeat"].as_bool(), k3["repeat_of"].as_i64()), (Some(true), None), "{k3}");
    let k3 = k3["id"].as_i64().unwrap();
    assert_eq!(app.get("head2", &format!("/api/v1/complaints/{k3}")).await.1["repeat_of"], Value::Null);
    assert!(
        app.get("ops", &format!("/api/v1/complaints/{k3}")).await.1["repeat_of"].is_i64(),
        "the sub-branch sees both"
    );
    assert_eq!(app.get("head2", &path).await.0, StatusCode::OK);
}

async fn a_merge_into_another_units_order_tells_only_who_handles_it(app: TestApp) {
    let first = app.register("teller1", "BJ0101", "13900000002").await;
    let id = first["id"].as_i64().unwrap();
    let mut same = crate::harness::complaint_body("BJ0102", "13900000002");
    same["description"] = json!("客户再次来电，补充称年费已自动扣款。");
    let (status, answer) = app.post("teller2", "/api/v1/complaints", same).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"merged": true, "handled_by": {"code": "BJ0101", "name": "朝阳门网点"}}));
    // the handling unit sees the new text on its order
    let events = app.events(id).await;
    assert_eq!(events.last().unwrap().kind, "merge");
    let (_, timeline) = app.get("head1", &format!("/api/v1/complaints/{id}/events")).await;
    assert!(timeline.to_string().contains("年费已自动扣款"), "{timeline}");
    // and the registering teller still cannot read it
    assert_eq!(app.get("teller2", &format!("/api/v1/complaints/{id}")).await.0, StatusCode::NOT_FOUND);
    // a merge inside one's own scope answers with the order, as before
    let (status, again) =
        app.post("head1", "/api/v1/complaints", crate::harness::complaint_body("BJ0101", "13900000002")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((again["merged"].as_bool(), again["id"].as_i64()), (Some(true), Some(id)));
}

async fn an_attachment_of_another_order_is_not_found_on_the_page(app: TestApp) {
    let mine = app.register("teller1", "BJ0101", "13900000003").await["id"].as_i64().unwrap();
    let theirs = app.register("teller2", "BJ0102", "13900000004").await["id"].as_i64().unwrap();
    let att = app.upload_attachment("teller2", theirs, "r.pdf", b"%PDF-1.4 receipt").await;
    let att_id = att["id"].as_i64().unwrap();
    let cookie = format!("xiaobao_session={}", app.tokens["teller1"]);
    for path in
        [format!("/complaints/{mine}/attachments/{att_id}"), format!("/complaints/{theirs}/attachments/{att_id}")]
    {
        let res = app.http.get(format!("{}{path}", app.base)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let text = res.text().await.unwrap();
        assert!(text.contains("id=\"not-found\""), "{path}");
        assert!(!text.contains("%PDF-1.4 receipt") && !text.contains("r.pdf"), "{path}");
    }
    // a body that is no upload form is told as a form that cannot be read, not as a missing token
    let res = app
        .http
        .post(format!("{}/complaints/{mine}/attachments", app.base))
        .header("cookie", &cookie)
        .header("content-type", "text/plain")
        .body("not a form")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("id=\"bad-form\""));
}

async fn concurrent_guesses_share_one_budget_and_the_owner_elsewhere_logs_in(app: TestApp) {
    let attacker = client_from([127, 0, 0, 2]);
    let results = futures_join(
        (0..40).map(|i| login_from(&app, &attacker, "head2", if i % 2 == 0 { "guess-a" } else { "guess-b" })).collect(),
    )
    .await;
    let checked = results.iter().filter(|(s, _)| *s == StatusCode::UNPROCESSABLE_ENTITY).count();
    let refused = results.iter().filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(checked <= 5, "{checked} of 40 concurrent guesses were checked; the budget is 5");
    assert_eq!(checked + refused, 40, "{results:?}");
    // the owner, at their own desk, is not held back by the attacker
    let owner = client_from([127, 0, 0, 3]);
    let (status, body) = login_from(&app, &owner, "head2", crate::harness::PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // the attacker is slowed: one try a second, then two, doubling
    assert_eq!(login_from(&app, &attacker, "head2", "guess-c").await.0, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(login_from(&app, &attacker, "head2", "guess-c").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(login_from(&app, &attacker, "head2", "guess-d").await.0, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(chrono::Duration::seconds(1));
    // after the wait even the attacker's address may log in with the right password
    assert_eq!(login_from(&app, &attacker, "head2", crate::harness::PASSWORD).await.0, StatusCode::OK);
}

async fn futures_join<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    let mut set = Vec::with_capacity(futs.len());
    for f in futs {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}

/// Guesses at `username` from ever new addresses, waiting out each backoff, until it is locked;
/// returns the failures it took.
async fn attack_until_locked(app: &TestApp, username: &str) -> usize {
    for i in 0..200u32 {
        let ip = [127, 1, (i / 250) as u8, (i % 250 + 1) as u8];
        loop {
            let (status, p) = login_from(app, &client_from(ip), username, "guess-xyz").await;
            match status {
                StatusCode::UNPROCESSABLE_ENTITY => break,
                StatusCode::TOO_MANY_REQUESTS if p["detail"].as_str().unwrap_or("").contains("locked") => {
                    return i as usize + 1;
                }
                StatusCode::TOO_MANY_REQUESTS => app.clock.advance(chrono::Duration::seconds(60)),
                other => panic!("{other}: {p}"),
            }
        }
    }
    panic!("{username} was never locked")
}

async fn a_sustained_attack_locks_the_account_everywhere_and_admins_see_it(app: TestApp) {
    let failures = attack_until_locked(&app, "head2").await;
    assert_eq!(failures, xiaobao_server::auth::login::LOCK_AFTER as usize);
    // the owner is told why, from any address and on another server too
    let (status, p) = login_from(&app, &client_from([127, 0, 0, 9]), "head2", crate::harness::PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p["detail"].as_str().unwrap().contains("list of login locks"), "{p}");
    let other = app.second_server().await;
    let e =
        xiaobao_server::auth::login::authenticate(&other, "head2", crate::harness::PASSWORD, [127, 0, 0, 10].into())
            .await
            .unwrap_err();
    assert_eq!(e.problem(true).status, 429);
    // the administrators' list; an outlet head may not read it
    let (status, locks) = app.get("admin", "/api/v1/login-locks").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(locks[0]["username"], "head2");
    assert_eq!(locks[0]["known_user"], true);
    assert_eq!(locks[0]["failures"], xiaobao_server::auth::login::LOCK_AFTER);
    assert!(locks[0]["addresses"].as_array().unwrap().len() > 1);
    assert_eq!(app.get("head1", "/api/v1/login-locks").await.0, StatusCode::FORBIDDEN);
    // a name that is no user is locked alike, so a lock does not tell which names exist
    attack_until_locked(&app, "no-such-user").await;
    let (_, locks) = app.get("admin", "/api/v1/login-locks").await;
    assert_eq!(locks.as_array().unwrap().len(), 2);
    // an administrator lifts the lock; the owner logs in
    assert_eq!(
        app.call("admin", reqwest::Method::DELETE, "/api/v1/login-locks/head2", None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.call("admin", reqwest::Method::DELETE, "/api/v1/login-locks/head2", None).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, p) = login_from(&app, &client_from([127, 0, 0, 11]), "head2", crate::harness::PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{p}");
}

async fn an_unknown_username_answers_in_the_time_of_a_known_one(app: TestApp) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    // 19 of each (the account's free allowance is 20), from new addresses, in alternating order so
    // neither is always the first to run
    for i in 0..19u8 {
        let c = client_from([127, 2, 0, i + 1]);
        let mut pair = [("head1", true), ("nobody-here", false)];
        if i % 2 == 1 {
            pair.reverse();
        }
        for (name, is_known) in pair {
            let started = std::time::Instant::now();
            let (status, _) = login_from(&app, &c, name, "wrong-password").await;
            if is_known {
                known.push(started.elapsed())
            } else {
                unknown.push(started.elapsed())
            }
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    // each pair ran back to back, under the same load: compare within pairs, then take the median
    let mut ratios: Vec<f64> = known.iter().zip(&unknown).map(|(k, u)| u.as_secs_f64() / k.as_secs_f64()).collect();
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let median = |v: &[std::time::Duration]| {
        let mut v = v.to_vec();
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    eprintln!(
        "median login time: known user {:.4} s, unknown {:.4} s; median ratio unknown/known {ratio:.3}",
        median(&known),
        median(&unknown)
    );
    assert!((0.8..=1.25).contains(&ratio), "unknown/known login time {ratio:.3}: {ratios:?}");
}

async fn progress_lookup(app: &TestApp, from: [u8; 4], number: &str, last4: &str) -> (StatusCode, String) {
    // a fresh cookie every time: the key is the number and the address, not the browser
    let csrf = hex::encode(rand::random::<[u8; 32]>());
    let res = client_from(from)
        .post(format!("{}/progress", app.base))
        .header("cookie", format!("xiaobao_csrf={csrf}"))
        .form(&[("number", number), ("last4", last4), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn a_progress_number_admits_five_wrong_tries_a_day_whatever_the_cookie(app: TestApp) {
    let k = app.register("teller1", "BJ0101", "13812345678").await;
    let number = k["number"].as_str().unwrap().to_string();
    let id = k["id"].as_i64().unwrap();
    let budget = xiaobao_server::web::progress::DAILY_TRIES_PER_NUMBER;
    for i in 0..budget {
        let (status, html) = progress_lookup(&app, [127, 3, 0, i as u8 + 1], &number, &format!("{:04}", i)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("未查到该投诉"), "{html}");
    }
    // the right digits, from a new address with a new cookie: the number answers nothing today
    let (_, html) = progress_lookup(&app, [127, 3, 1, 1], &number, "5678").await;
    assert!(html.contains("未查到该投诉") && !html.contains("已登记"), "{html}");
    // the handling unit sees it on the order
    let cookie = format!("xiaobao_session={}", app.tokens["head1"]);
    let page = app.http.get(format!("{}/complaints/{id}", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("id=\"progress-stopped\""));
    // tomorrow the complainant finds it
    app.clock.advance(chrono::Duration::days(1));
    let (_, html) = progress_lookup(&app, [127, 3, 1, 2], &number, "5678").await;
    assert!(html.contains("已登记"), "{html}");
    // and one address guessing many numbers is slowed once it has spent its budget of wrong tries
    let mut last = StatusCode::OK;
    for i in 0..xiaobao_server::web::progress::ADDRESS_RULE.free + 2 {
        last = progress_lookup(&app, [127, 3, 2, 1], &format!("TS20250303{i:06}"), "0000").await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

async fn personal_data_is_never_cached_and_https_cookies_are_secure(app: TestApp) {
    let id = app.register("teller1", "BJ0101", "13812345678").await["id"].as_i64().unwrap();
    let token = &app.tokens["head1"];
    for path in
        [format!("/api/v1/complaints/{id}"), "/api/v1/complaints".into(), format!("/complaints/{id}"), "/".into()]
    {
        let res = app
            .http
            .get(format!("{}{path}", app.base))
            .bearer_auth(token)
            .header("cookie", format!("xiaobao_session={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
        assert!(res.headers().get("strict-transport-security").is_none(), "plain HTTP has no HSTS");
    }
    // served as https://, or behind a trusted proxy that says so
    for (d, proto) in [
        (xiaobao_server::Deployment { https: true, trust_proxy: false, ..Default::default() }, None),
        (xiaobao_server::Deployment { https: false, trust_proxy: true, ..Default::default() }, Some("https")),
    ] {
        let state = app.state.clone().with_deployment(d);
        let (base, server) = crate::harness::serve(state).await;
        let mut req = app
            .http
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"username": "head1", "password": crate::harness::PASSWORD}));
        if let Some(p) = proto {
            req = req.header("x-forwarded-proto", p).header("x-forwarded-for", "10.1.2.3");
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
        let cookie = res.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
        let mut page = app.http.get(format!("{base}/login"));
        if let Some(p) = proto {
            page = page.header("x-forwarded-proto", p);
        }
        let page = page.send().await.unwrap();
        assert!(page.headers().get("set-cookie").is_some());
        for c in page.headers().get_all("set-cookie") {
            assert!(c.to_str().unwrap().contains("; Secure"), "{c:?}");
        }
        server.abort();
    }
    // an untrusted client's own X-Forwarded-Proto changes nothing
    let res = app
        .http
        .post(format!("{}/api/v1/session", app.base))
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "head1", "password": crate::harness::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(!res.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
}

/// A TCP relay to the database that a test can cut and mend: a lost database, without stopping
/// the server every other test shares.
struct Relay {
    addr: std::net::SocketAddr,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    links: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    _accept: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn to(upstream: String) -> Relay {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let links: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>> = Default::default();
        let (o, l) = (open.clone(), links.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !o.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let up = upstream.clone();
                l.lock().unwrap().push(tokio::spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(up).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                }));
            }
        });
        Relay { addr, open, links, _accept: accept }
    }

    fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        for l in self.links.lock().unwrap().drain(..) {
            l.abort();
        }
    }

    fn mend(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_is_a_503_with_retry_after_and_the_server_recovers() {
    let app = TestApp::spawn(crate::harness::Backend::Postgres).await;
    let id = app.register("teller1", "BJ0101", "13900000005").await["id"].as_i64().unwrap();
    let crate::harness::DbHandle::Postgres(url) = &app.db else { unreachable!() };
    // postgres://user@host:port/db → the same through the relay
    let (head, rest) = url.split_once('@').unwrap();
    let (hostport, db) = rest.split_once('/').unwrap();
    let relay = Relay::to(hostport.to_string()).await;
    let relayed = format!("{head}@{}/{db}", relay.addr);
    let store =
        xiaobao_store::Store::open(&xiaobao_store::DatabaseUrl::Postgres(relayed), app.key.clone()).await.unwrap();
    let state = xiaobao_server::AppState::new(store, std::sync::Arc::new(app.clock.clone()));
    let (base, server) = crate::harness::serve(state).await;
    let token = app.tokens["head1"].clone();
    let get = |path: String| {
        let (http, base, token) = (app.http.clone(), base.clone(), token.clone());
        async move { http.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap() }
    };
    assert_eq!(get(format!("/api/v1/complaints/{id}")).await.status(), StatusCode::OK);

    relay.cut();
    for path in [format!("/api/v1/complaints/{id}"), "/api/v1/complaints".to_string(), "/healthz".to_string()] {
        let res = get(path.clone()).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(res.headers().get("retry-after").is_some(), "{path}");
        let p: Value = res.json().await.unwrap();
        assert!(p["type"].as_str().unwrap().ends_with("/unavailable"), "{p}");
    }
    let res = app
        .http
        .post(format!("{base}/api/v1/complaints"))
        .bearer_auth(&app.tokens["teller1"])
        .json(&crate::harness::complaint_body("BJ0101", "13900000006"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "a registration is refused, not half-written");

    relay.mend();
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..3 {
        status = get(format!("/api/v1/complaints/{id}")).await.status();
        if status == StatusCode::OK {
            break;
        }
    }
    assert_eq!(status, StatusCode::OK, "the server recovers when the database returns");
    assert_eq!(app.get("cpc", "/api/v1/complaints").await.1["total"], 1, "nothing was registered while it was gone");
    server.abort();
}

/// Polls `check` until it holds, for at most two seconds (announcements arrive in milliseconds; a
/// cache without them would hold for ten seconds). Returns how long it took.
async fn within_two_seconds(what: &str, mut check: impl AsyncFnMut() -> bool) -> std::time::Duration {
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(2) {
        if check().await {
            return started.elapsed();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{what}: still not so after two seconds");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_and_rule_changes_reach_every_server_at_once() {
    let app = TestApp::spawn(crate::harness::Backend::Postgres).await;
    let other = app.second_server().await;
    let other_store = other.store.clone();
    let (base, server) = crate::harness::serve(other).await;
    let on_other = |token: String| {
        let (http, base) = (app.http.clone(), base.clone());
        async move { http.get(format!("{base}/api/v1/session")).bearer_auth(token).send().await.unwrap().status() }
    };
    // each token is read once on the other server, so it sits in that server's cache
    for user in ["teller1", "teller2", "head2", "lobby1"] {
        assert_eq!(on_other(app.tokens[user].clone()).await, StatusCode::OK, "{user}");
    }
    // logout on this server
    let res = app
        .http
        .delete(format!("{}/api/v1/session", app.base))
        .bearer_auth(&app.tokens["teller1"])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let t = app.tokens["teller1"].clone();
    let took = within_two_seconds("logout", async || on_other(t.clone()).await == StatusCode::UNAUTHORIZED).await;
    eprintln!("logout reached the other server in {took:?}");
    // deactivation, a new password, a new role
    for (user, change) in [
        ("teller2", json!({"active": false})),
        ("lobby1", json!({"password": "a-new-long-password-1"})),
        ("head2", json!({"role": "teller"})),
    ] {
        let (status, body) =
            app.call("admin", reqwest::Method::PATCH, &format!("/api/v1/users/{user}"), Some(change)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let t = app.tokens[user].clone();
        within_two_seconds(user, async || on_other(t.clone()).await == StatusCode::UNAUTHORIZED).await;
    }
    // a policy edit
    let (_, mut policy) = app.get("admin", "/api/v1/deadline-policy").await;
    let before = other_store.rules().policy.extension_days;
    policy["extension_days"] = json!([before[0] - 1, before[1]]);
    let (status, body) = app.call("admin", reqwest::Method::PUT, "/api/v1/deadline-policy", Some(policy)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    within_two_seconds("policy", async || other_store.rules().policy.extension_days[0] == before[0] - 1).await;
    server.abort();
}
