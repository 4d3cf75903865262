//! The test story's stage: the application over a fresh database — a temporary SQLite file, or a
//! copy of the migrated template on the PostgreSQL server the test command started — with a small
//! bank (HO → BJ → BJ01 → outlets BJ0101, BJ0102) and a logged-in user of each role. API calls drive
//! the router in process (`oneshot`); the same router also listens on a random port, for the page
//! tests' browser client and the stories that need a real socket.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use xiaobao_core::org::{OrgCode, OrgUnitKind};
use xiaobao_core::role::Role;
use xiaobao_core::time::Instant;
use xiaobao_server::{AppState, ManualClock};
use xiaobao_store::{DatabaseUrl, NewOrgUnit, NewUser, Store};

pub const PASSWORD: &str = "correct-horse-1";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub state: AppState,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub tokens: HashMap<&'static str, String>,
    pub db: DbHandle,
    /// The key this test's history is sealed with.
    pub key: xiaobao_store::ChainKey,
    /// The application's router, built once: API calls go through it in process.
    router: axum::Router,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

/// How to reach the test's database directly, to tamper with it.
pub enum DbHandle {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// 2025-03-03 09:00 in Shanghai: a Monday.
pub fn start_time() -> Instant {
    chrono::DateTime::parse_from_rfc3339("2025-03-03T09:00:00+08:00").unwrap().to_utc()
}

fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| xiaobao_server::hash_password(PASSWORD).unwrap()).clone()
}

/// The users every test has: (username, role, unit).
pub const USERS: &[(&str, Role, &str)] = &[
    ("admin", Role::Admin, "HO"),
    ("auditor", Role::Auditor, "HO"),
    ("cpc", Role::CpCentre, "HO"),
    ("vp", Role::VicePresident, "BJ"),
    ("ops", Role::OperationsSupervisor, "BJ01"),
    ("head1", Role::OutletHead, "BJ0101"),
    ("teller1", Role::Teller, "BJ0101"),
    ("lobby1", Role::LobbyManager, "BJ0101"),
    ("head2", Role::OutletHead, "BJ0102"),
    ("teller2", Role::Teller, "BJ0102"),
];

pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> (DatabaseUrl, DbHandle) {
    match backend {
        Backend::Sqlite => {
            let path = dir.join("xiaobao.db");
            (DatabaseUrl::SqliteFile(path.clone()), DbHandle::Sqlite(path))
        }
        Backend::Postgres => {
            let admin_url = pg_admin_url();
            use sqlx::Connection;
            let mut conn =
                sqlx::PgConnection::connect(&admin_url).await.expect("connect to the test PostgreSQL server");
            let template = pg_template(&admin_url, &mut conn).await;
            let name = format!("xb_test_{}", hex::encode(rand::random::<[u8; 8]>()));
            sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let url = format!("{}/{name}", pg_base(&admin_url));
            (DatabaseUrl::Postgres(url.clone()), DbHandle::Postgres(url))
        }
    }
}

/// The PostgreSQL server's administrative URL. PostgreSQL is never skipped: without it the PostgreSQL
/// half fails (run only the SQLite half by asking for it by name: `cargo nextest run sqlite`).
fn pg_admin_url() -> String {
    std::env::var("XIAOBAO_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "PostgreSQL tests need XIAOBAO_TEST_PG_URL (the README's test command, scripts/test, starts a server and sets it); \
             to run only the SQLite half, name it: cargo nextest run sqlite"
        )
    })
}

fn pg_base(admin_url: &str) -> String {
    admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin_url.to_string())
}

/// The migrated, seeded database every PostgreSQL test is cloned from. Its name carries a hash of
/// the migrations and of the seeding code, so a change makes a new one; it is made once, under an
/// advisory lock (tests run in parallel processes), under a temporary name renamed when complete.
async fn pg_template(admin_url: &str, conn: &mut sqlx::PgConnection) -> String {
    use std::hash::{Hash, Hasher};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store");
    let mut files: Vec<std::path::PathBuf> =
        std::fs::read_dir(root.join("migrations/postgres")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.push(root.join("src/db.rs"));
    let mut h = std::hash::DefaultHasher::new();
    for f in &files {
        f.file_name().hash(&mut h);
        std::fs::read(f).unwrap().hash(&mut h);
    }
    let name = format!("xb_template_{:016x}", h.finish());
    sqlx::query("SELECT pg_advisory_lock(726200113)").execute(&mut *conn).await.unwrap();
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut *conn)
        .await
        .unwrap();
    if exists.is_none() {
        let building = format!("{name}_building");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).execute(&mut *conn).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {building}")).execute(&mut *conn).await.unwrap();
        Store::prepare(&DatabaseUrl::Postgres(format!("{}/{building}", pg_base(admin_url))))
            .await
            .expect("migrate the template");
        sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {name}")).execute(&mut *conn).await.unwrap();
    }
    sqlx::query("SELECT pg_advisory_unlock(726200113)").execute(&mut *conn).await.unwrap();
    name
}

/// Drops a test's PostgreSQL database when the test is done with it.
impl Drop for DbHandle {
    fn drop(&mut self) {
        let DbHandle::Postgres(url) = self else { return };
        let Some((_, name)) = url.rsplit_once('/') else { return };
        let (name, admin) = (name.to_string(), pg_admin_url());
        // a runtime of its own: this may run inside the test's runtime, which cannot be blocked on
        let db = name.clone();
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).execute(&mut conn).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("test database {name} was not dropped");
        }
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let (url, db) = fresh_database(backend, dir.path()).await;
        let key = xiaobao_store::ChainKey::from_bytes(rand::random());
        let store = Store::open(&url, key.clone()).await.expect("open store");
        for (code, name, kind, parent) in [
            ("BJ", "北京分行", OrgUnitKind::Branch, "HO"),
            ("BJ01", "北京朝阳支行", OrgUnitKind::SubBranch, "BJ"),
            ("BJ0101", "朝阳门网点", OrgUnitKind::Outlet, "BJ01"),
            ("BJ0102", "建国门网点", OrgUnitKind::Outlet, "BJ01"),
            ("SH", "上海分行", OrgUnitKind::Branch, "HO"),
        ] {
            store
                .create_org_unit(&NewOrgUnit {
                    code: OrgCode::parse("code", code).unwrap(),
                    name: name.into(),
                    kind,
                    parent: OrgCode::parse("parent", parent).unwrap(),
                })
                .await
                .unwrap();
        }
        for (username, role, unit) in USERS {
            let unit = store.org_unit_by_code(unit).await.unwrap().unwrap();
            store
                .create_user(&NewUser {
                    username: (*username).into(),
                    display_name: format!("{username} 测试"),
                    role: *role,
                    org_unit_id: unit.id,
                    password_hash: password_hash(),
                    email: Some(format!("{username}@bank.test")),
                })
                .await
                .unwrap();
        }
        let clock = ManualClock::new(start_time());
        let state = AppState::new(store.clone(), Arc::new(clock.clone()));
        let server_state = state.clone();
        let (base, server) = serve(server_state).await;
        let http = reqwest::Client::new();
        let router = xiaobao_server::router(state.clone());
        let mut app =
            TestApp { base, store, state, clock, http, tokens: HashMap::new(), db, key, router, _dir: dir, server };
        for (username, ..) in USERS {
            let (status, body) = app
                .call_anon(Method::POST, "/api/v1/session", Some(json!({"username": username, "password": PASSWORD})))
                .await;
            assert_eq!(status, StatusCode::OK, "login {username}: {body}");
            app.tokens.insert(username, body["token"].as_str().unwrap().to_string());
        }
        app
    }

    /// Another server over the same database, with the same clock (a restart, or a second instance).
    pub async fn second_server(&self) -> AppState {
        let url = match &self.db {
            DbHandle::Sqlite(p) => DatabaseUrl::SqliteFile(p.clone()),
            DbHandle::Postgres(u) => DatabaseUrl::Postgres(u.clone()),
        };
        AppState::new(
            Store::open(&url, self.key.clone()).await.expect("open store again"),
            Arc::new(self.clock.clone()),
        )
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        self.store.user_for_login(username).await.unwrap().unwrap().0.id
    }

    /// Adds a user of `role` at `unit` (with the test password) and logs them in.
    pub async fn add_user(&mut self, username: &'static str, role: Role, unit: &str) {
        let unit = self.store.org_unit_by_code(unit).await.unwrap().unwrap();
        self.store
            .create_user(&NewUser {
                username: username.into(),
                display_name: format!("{username} 测试"),
                role,
                org_unit_id: unit.id,
                password_hash: password_hash(),
                email: None,
            })
            .await
            .unwrap();
        self.login(username).await;
    }

    /// Logs `user` in again (after the clock moved past their session).
    pub async fn login(&mut self, user: &'static str) {
        let (status, body) = self
            .call_anon(Method::POST, "/api/v1/session", Some(json!({"username": user, "password": PASSWORD})))
            .await;
        assert_eq!(status, StatusCode::OK, "login {user}: {body}");
        self.tokens.insert(user, body["token"].as_str().unwrap().to_string());
    }

    /// Sends a request through the router in process, as from 127.0.0.1, and reads the answer.
    pub async fn oneshot(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        use tower::ServiceExt;
        let mut req = axum::http::Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = req.body(axum::body::Body::from(body)).unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 49152))));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, headers, bytes.to_vec())
    }

    async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = Vec::new();
        if let Some(b) = &bearer {
            headers.push(("authorization", b.as_str()));
        }
        let bytes = match body {
            Some(b) => {
                headers.push(("content-type", "application/json"));
                serde_json::to_vec(&b).unwrap()
            }
            None => Vec::new(),
        };
        let (status, _, bytes) = self.oneshot(method, path, &headers, bytes).await;
        let text = String::from_utf8_lossy(&bytes).to_string();
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    /// A call with a bearer token of its own (an integration's).
    pub async fn call_with_token(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.send(method, path, Some(token), body).await
    }

    pub async fn call_anon(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.send(method, path, None, body).await
    }

    /// A call as `user` (bearer token).
    pub async fn call(&self, user: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let token = self.tokens.get(user).unwrap_or_else(|| panic!("no user {user}"));
        self.send(method, path, Some(token), body).await
    }

    /// A GET as `user` answered with bytes (downloads), with the response headers.
    pub async fn get_bytes(
        &self,
        user: &str,
        path: &str,
        lang: &str,
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let token = self.tokens.get(user).unwrap_or_else(|| panic!("no user {user}"));
        let bearer = format!("Bearer {token}");
        self.oneshot(Method::GET, path, &[("authorization", &bearer), ("accept-language", lang)], Vec::new()).await
    }

    pub async fn get(&self, user: &str, path: &str) -> (StatusCode, Value) {
        self.call(user, Method::GET, path, None).await
    }

    pub async fn post(&self, user: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(user, Method::POST, path, Some(body)).await
    }

    /// Registers a complaint at `unit` as `user` and returns its JSON (asserting 201).
    pub async fn register(&self, user: &str, unit: &str, phone: &str) -> Value {
        let (status, body) = self.post(user, "/api/v1/complaints", complaint_body(unit, phone)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    pub async fn act(&self, user: &str, id: i64, action: &str, body: Value) -> (StatusCode, Value) {
        self.post(user, &format!("/api/v1/complaints/{id}/{action}"), body).await
    }

    /// Acts and asserts success.
    pub async fn act_ok(&self, user: &str, id: i64, action: &str, body: Value) -> Value {
        let (status, res) = self.act(user, id, action, body).await;
        assert_eq!(status, StatusCode::OK, "{action} by {user}: {res}");
        res
    }

    pub async fn events(&self, id: i64) -> Vec<xiaobao_store::EventRow> {
        self.store.events(id).await.unwrap()
    }

    pub async fn raw_connection(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        use sqlx::Connection;
        let url = match &self.db {
            DbHandle::Sqlite(p) => format!("sqlite://{}", p.display()),
            DbHandle::Postgres(u) => u.clone(),
        };
        sqlx::AnyConnection::connect(&url).await.unwrap()
    }

    /// Runs one SQL statement directly against the database (for tampering tests).
    pub async fn raw_sql(&self, sql: &str) {
        sqlx::query(sql).execute(&mut self.raw_connection().await).await.unwrap();
    }

    /// Counts complaints matching `condition`, straight from the table (to check derived figures).
    pub async fn count_complaints_where(&self, condition: &str) -> i64 {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM complaints WHERE {condition}");
        let (n,): (i64,) = sqlx::query_as(&sql).fetch_one(&mut self.raw_connection().await).await.unwrap();
        n
    }
}

pub fn complaint_body(unit: &str, phone: &str) -> Value {
    json!({
        "channel": "counter",
        "org_unit": unit,
        "complainant": {"name": "张三", "phone": phone, "tags": ["elderly"]},
        "category": "0302",
        "cause": "12",
        "service_channel": "0101",
        "summary": "信用卡年费争议",
        "description": "客户称办卡时承诺免年费，现被收取年费 300 元。",
        "amount": "300.00"
    })
}

/// Serves `state` on a random local port, as `xiaobao serve` does (each request knows its client's
/// address): the base URL and the server's task.
pub async fn serve(state: AppState) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            xiaobao_server::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    (base, server)
}

impl TestApp {
    /// Uploads `bytes` as `name` to order `id` as `user` and returns the attachment (asserting 201).
    pub async fn upload_attachment(&self, user: &str, id: i64, name: &str, bytes: &[u8]) -> Value {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()));
        let res = self
            .http
            .post(format!("{}/api/v1/complaints/{id}/attachments", self.base))
            .bearer_auth(&self.tokens[user])
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }
}

/// Runs a test story against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::harness::TestApp::spawn($crate::harness::Backend::Sqlite).await).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::harness::TestApp::spawn($crate::harness::Backend::Postgres).await).await;
                }
            }
        )*
    };
}
