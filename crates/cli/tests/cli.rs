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
    let ok =
        xiaobao(&["user", "add", "root", "--role", "admin", "--org", "HO", "--data-dir", d], Some("a-long-password\n"));
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("added user root (admin) at HO"));

    let again =
        xiaobao(&["user", "add", "root", "--role", "admin", "--org", "HO", "--data-dir", d], Some("a-long-password\n"));
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));

    for (args, expect) in [
        (vec!["user", "add", "x1y", "--role", "wizard", "--org", "HO"], "unknown role"),
        (vec!["user", "add", "x1y", "--role", "teller", "--org", "NOPE"], "does not exist"),
        (vec!["user", "add", "X", "--role", "teller", "--org", "HO"], "username must be"),
    ] {
        let mut args = args.clone();
        args.extend(["--data-dir", d]);
        let out = xiaobao(&args, Some("a-long-password\n"));
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
    // a second demo into the same database is refused
    assert!(!xiaobao(&["demo", "--data-dir", d], None).status.success());

    let verify = xiaobao(&["audit", "verify", "--data-dir", d], None);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("intact"));

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
}
