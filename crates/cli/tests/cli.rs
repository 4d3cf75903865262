#![allow(clippy::unwrap_used)]
//! The `xiaobao` binary as an operator uses it: bootstrap the first admin, create the demo bank,
//! verify the audit chain, and catch tampering with a non-zero exit.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn xiaobao(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xiaobao"))
        .args(args)
        .env("XIAOBAO_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run xiaobao");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn user_add_bootstraps_the_first_admin_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let ok = xiaobao(
        &["user", "add", "root", "--role", "admin", "--org", "HO", "--data-dir", d],
        Some("a-long-password-1\n"),
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("added user root (admin) at HO"));

    let again = xiaobao(
        &["user", "add", "root", "--role", "admin", "--org", "HO", "--data-dir", d],
        Some("a-long-password-1\n"),
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));

    for (args, expect) in [
        (vec!["user", "add", "x1y", "--role", "wizard", "--org", "HO"], "unknown role"),
        (vec!["user", "add", "x1y", "--role", "teller", "--org", "NOPE"], "does not exist"),
        (vec!["user", "add", "X", "--role", "teller", "--org", "HO"], "username must be"),
    ] {
        let mut args = args.clone();
        args.extend(["--data-dir", d]);
        let out = xiaobao(&args, Some("a-long-password-1\n"));
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out).contains(expect), "{args:?}: {}", text(&out));
    }
    let short =
        xiaobao(&["user", "add", "shorty", "--role", "teller", "--org", "HO", "--data-dir", d], Some("short\n"));
    assert!(!short.status.success());
    assert!(text(&short).contains("password must be"));
}

#[test]
fn demo_bank_verifies_and_tampering_fails_audit_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let demo = xiaobao(&["demo", "--data-dir", d], None);
    assert!(demo.status.success(), "{}", text(&demo));
    let out = text(&demo);
    assert!(out.contains("24 outlets"), "{out}");
    for state in ["registered", "accepted", "in_progress", "decided", "under_review", "closed", "declined", "withdrawn"]
    {
        assert!(out.contains(&format!("{state} ")), "no {state} complaints: {out}");
    }
    let count: usize =
        out.split(" complaints.").next().and_then(|s| s.rsplit(' ').next()).and_then(|n| n.parse().ok()).unwrap();
    assert!(count >= 2000, "{count} complaints");
    for role in [
        "teller",
        "lobby_manager",
        "relationship_manager",
        "outlet_head",
        "operations_supervisor",
        "vice_president",
        "president",
        "cp_centre",
        "service_dept",
        "auditor",
        "admin",
    ] {
        assert!(out.contains(role), "no {role} login printed");
    }
    // a year of service came with it
    let service = out.lines().find(|l| l.starts_with("A year of service:")).unwrap_or_default().to_string();
    let n = |what: &str| -> usize {
        service
            .split(what)
            .next()
            .and_then(|s| s.rsplit(' ').find(|w| !w.is_empty()))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    assert!(n(" counter ratings") > 100_000 && n(" queue tickets") > 100_000 && n(" inspections") == 96, "{service}");
    // a second demo into the same database is refused
    assert!(!xiaobao(&["demo", "--data-dir", d], None).status.success());

    // ratings kept elsewhere, imported on the command line: all or none, by the service department
    let file = dir.path().join("ratings.csv");
    std::fs::write(
        &file,
        "设备号,序号,网点代码,柜员号,评价时间,评分,不满意原因\nEV-CLI,1,BJ0101,bj0101.teller,2026-01-05 10:00,5,\nEV-CLI,2,BJ0101,bj0101.teller,2026-01-05 10:05,1,\nEV-CLI,3,BJ0101,nobody,2026-01-05 10:10,4,\n",
    )
    .unwrap();
    let out = xiaobao(&["import", "ratings", file.to_str().unwrap(), "--as", "bj.service", "--data-dir", d], None);
    assert!(!out.status.success());
    for row in ["row 3", "reason", "row 4", "nobody"] {
        assert!(text(&out).contains(row), "{row}: {}", text(&out));
    }
    std::fs::write(
        &file,
        "设备号,序号,网点代码,柜员号,评价时间,评分,不满意原因\nEV-CLI,1,BJ0101,bj0101.teller,2026-01-05 10:00,5,\nEV-CLI,2,BJ0101,bj0101.teller,2026-01-05 10:05,1,02\n",
    )
    .unwrap();
    let teller =
        xiaobao(&["import", "ratings", file.to_str().unwrap(), "--as", "bj0101.teller", "--data-dir", d], None);
    assert!(!teller.status.success(), "a teller imports nothing: {}", text(&teller));
    let nobody = xiaobao(&["import", "ratings", file.to_str().unwrap(), "--as", "ghost", "--data-dir", d], None);
    assert!(text(&nobody).contains("no active user"), "{}", text(&nobody));
    let out = xiaobao(&["import", "ratings", file.to_str().unwrap(), "--as", "bj.service", "--data-dir", d], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("imported 2 ratings"), "{}", text(&out));
    let again = xiaobao(&["import", "ratings", file.to_str().unwrap(), "--as", "bj.service", "--data-dir", d], None);
    assert!(
        text(&again).contains("imported 0 ratings") && text(&again).contains("2 already stored"),
        "{}",
        text(&again)
    );

    let verify = xiaobao(&["audit", "verify", "--data-dir", d], None);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("intact") && text(&verify).contains("no checkpoints yet"), "{}", text(&verify));

    // the key was made on first start, readable by its owner only
    let key_file = dir.path().join("chain.key");
    let key = std::fs::read_to_string(&key_file).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let cp = xiaobao(&["audit", "checkpoint", "--data-dir", d], None);
    assert!(cp.status.success(), "{}", text(&cp));
    assert!(text(&cp).contains("checkpoint of"), "{}", text(&cp));
    let verify = xiaobao(&["audit", "verify", "--data-dir", d], None);
    assert!(text(&verify).contains("1 checkpoints in"), "{}", text(&verify));

    // without its key the database is not opened, and no stray key is left behind
    std::fs::remove_file(&key_file).unwrap();
    let keyless = xiaobao(&["audit", "verify", "--data-dir", d], None);
    assert!(!keyless.status.success());
    assert!(text(&keyless).contains("sealed with the chain key"), "{}", text(&keyless));
    assert!(!key_file.exists());
    // the key from the environment instead of the file
    let hex: String = key.lines().filter(|l| !l.starts_with('#')).collect();
    let from_env = Command::new(env!("CARGO_BIN_EXE_xiaobao"))
        .args(["audit", "verify", "--data-dir", d])
        .env("XIAOBAO_CHAIN_KEY", hex.trim())
        .output()
        .unwrap();
    assert!(from_env.status.success(), "{}", text(&from_env));
    std::fs::write(&key_file, &key).unwrap();

    let db = dir.path().join("xiaobao.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::query("UPDATE events SET actor_id = actor_id + 1 WHERE seq = 1000").execute(&mut conn).await.unwrap();
    });
    let verify = xiaobao(&["audit", "verify", "--data-dir", d], None);
    assert_eq!(verify.status.code(), Some(2), "{}", text(&verify));
    assert!(text(&verify).contains("BROKEN at event 1000"), "{}", text(&verify));
}

#[test]
fn import_calendar_replaces_the_years_in_the_file_and_refuses_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let file = dir.path().join("2027.csv");
    std::fs::write(
        &file,
        "date,kind,holiday_en,holiday_zh\n2027-01-01,rest,New Year's Day,元旦\n2027-02-06,work,Spring Festival,春节\n",
    )
    .unwrap();
    let out = xiaobao(&["import", "calendar", file.to_str().unwrap(), "--data-dir", d], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("imported 2 days; replaced the calendar of 2027"), "{}", text(&out));

    std::fs::write(&file, "2027-01-01,rest\n2027-01-05,work\n").unwrap();
    let out = xiaobao(&["import", "calendar", file.to_str().unwrap(), "--data-dir", d], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("line 2"), "{}", text(&out));
}

#[test]
fn import_period_stats_enters_every_row_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let file = dir.path().join("figures.csv");
    std::fs::write(&file, "机构代码,期间,客户数,交易笔数\nHO,2025-03,1200000,45000000\nHO,2025-Q1,1250000,130000000\n")
        .unwrap();
    let out = xiaobao(&["import", "period-stats", file.to_str().unwrap(), "--data-dir", d], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("entered 2 rows for 1 unit; periods 2025-Q1, 2025-03"), "{}", text(&out));

    std::fs::write(&file, "机构代码,期间,客户数,交易笔数\nHO,2025-04,1,2\nXX99,2025-04,1,2\n").unwrap();
    let out = xiaobao(&["import", "period-stats", file.to_str().unwrap(), "--data-dir", d], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("row 3: org unit XX99 does not exist"), "{}", text(&out));
    // every bad row is told at once
    std::fs::write(&file, "机构代码,期间,客户数,交易笔数\nHO,2025-13,1,2\nXX99,2025-04,1,2\nHO,2025-05,x,2\n").unwrap();
    let out = xiaobao(&["import", "period-stats", file.to_str().unwrap(), "--data-dir", d], None);
    assert!(!out.status.success());
    for row in ["row 2, period", "row 3: org unit XX99", "row 4, customers"] {
        assert!(text(&out).contains(row), "{row}: {}", text(&out));
    }

    let rows: Vec<(String, i64, i64)> = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let db = dir.path().join("xiaobao.db");
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::query_as("SELECT period, customers, transactions FROM period_stats ORDER BY period")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    });
    assert_eq!(
        rows,
        vec![("2025-03".to_string(), 1_200_000, 45_000_000), ("2025-Q1".to_string(), 1_250_000, 130_000_000)],
        "April's good row was not entered either"
    );
    // a replacement is told, old -> new
    std::fs::write(&file, "机构代码,期间,客户数,交易笔数\nHO,2025-03,1300000,45000000\n").unwrap();
    let out = xiaobao(&["import", "period-stats", file.to_str().unwrap(), "--data-dir", d], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1 replacing figures entered before"), "{}", text(&out));
    assert!(text(&out).contains("replaced HO 2025-03: customers 1200000 -> 1300000"), "{}", text(&out));
}

#[test]
fn import_refuses_crafted_spreadsheets_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let far = dir.path().join("far.xlsx");
    std::fs::write(&far, xiaobao_server::import::table::crafted::far_cell_xlsx()).unwrap();
    let out = xiaobao(&["import", "period-stats", far.to_str().unwrap(), "--data-dir", d], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("XFD1048576"), "{}", text(&out));
    let bomb = dir.path().join("bomb.xlsx");
    std::fs::write(&bomb, xiaobao_server::import::table::crafted::bomb_xlsx(256 << 20)).unwrap();
    let out = xiaobao(&["import", "period-stats", bomb.to_str().unwrap(), "--data-dir", d], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("xl/sharedStrings.xml"), "{}", text(&out));
    // a file far larger than any table is refused before it is read
    let huge = dir.path().join("huge.csv");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(64 << 20).unwrap();
    let out = xiaobao(&["import", "period-stats", huge.to_str().unwrap(), "--data-dir", d], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("too large"), "{}", text(&out));
}

/// The largest resident size the process has had, in bytes (VmHWM).
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

#[test]
fn a_burst_of_concurrent_logins_keeps_the_server_small() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let add = xiaobao(
        &["user", "add", "root", "--role", "admin", "--org", "HO", "--data-dir", d],
        Some("a-long-password-1\n"),
    );
    assert!(add.status.success(), "{}", text(&add));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_xiaobao"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir", d])
        .env("XIAOBAO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let counts = rt.block_on(async {
        let plain = reqwest::Client::new();
        for _ in 0..100 {
            if plain.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let mut counts = std::collections::BTreeMap::<u16, usize>::new();
        // three bursts of 500 logins at once, each from its own address: no throttle stands
        // between them and the password check, so the check itself must hold the memory
        for wave in 0..3u32 {
            let mut calls = Vec::new();
            for i in 0..500u32 {
                let ip = std::net::IpAddr::from([127, 10 + wave as u8, (i / 250) as u8, (i % 250 + 1) as u8]);
                let client = reqwest::Client::builder().local_address(ip).build().unwrap();
                let url = format!("{base}/api/v1/session");
                let name = if i % 2 == 0 { "root".to_string() } else { format!("nobody{wave}x{i}") };
                calls.push(tokio::spawn(async move {
                    client
                        .post(url)
                        .json(&serde_json::json!({"username": name, "password": "wrong-password"}))
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                }));
            }
            for c in calls {
                *counts.entry(c.await.unwrap().unwrap_or(0)).or_default() += 1;
            }
        }
        assert!(plain.get(format!("{base}/healthz")).send().await.unwrap().status().is_success(), "the server is up");
        counts
    });
    let peak = peak_rss(server.id());
    let _ = server.kill();
    let _ = server.wait();
    eprintln!("1,500 logins in bursts of 500: answers {counts:?}; peak RSS {:.1} MB", peak as f64 / 1e6);
    assert!(counts.keys().all(|s| [422, 429, 503].contains(s)), "{counts:?}");
    assert!(counts.get(&422).copied().unwrap_or(0) > 0, "some were checked: {counts:?}");
    assert!(peak < 150 * 1024 * 1024, "peak RSS {} MB", peak / (1024 * 1024));
}
