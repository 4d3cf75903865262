//! The `xiaobao` command: serve the web API, create the demo bank, add users, verify the audit chain,
//! and run the benchmarks.

mod bench;
mod demo;
mod demo_service;
mod demo_workbook;

/// Many small allocations per request row (parsed JSON, bound SQL values): mimalloc serves them
/// from per-thread pages where the system allocator spends a quarter of the ingest CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use xiaobao_core::org::OrgCode;
use xiaobao_core::role::Role;
use xiaobao_server::{AppState, SystemClock};
use xiaobao_store::{DatabaseUrl, NewUser, Store};

#[derive(Parser)]
#[command(name = "xiaobao", version, about = "消保 Xiaobao — consumer protection and complaint handling for banks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives: SQLite in the data dir unless a postgres:// URL is given.
#[derive(Args, Clone)]
struct DataArgs {
    /// Directory for the SQLite database and other files.
    #[arg(long, env = "XIAOBAO_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// postgres://user:password@host/db to use PostgreSQL instead of SQLite.
    #[arg(long, env = "XIAOBAO_DATABASE_URL")]
    database_url: Option<String>,
    /// Where checkpoints of the history are appended (best on another disk or host than the
    /// database); defaults to <data-dir>/checkpoints.
    #[arg(long, env = "XIAOBAO_CHECKPOINT_DIR")]
    checkpoint_dir: Option<PathBuf>,
}

/// The environment variable that may hold the chain key (64 hex digits) instead of the key file.
const CHAIN_KEY_ENV: &str = "XIAOBAO_CHAIN_KEY";

impl DataArgs {
    /// Opens the store with the chain key: from XIAOBAO_CHAIN_KEY, else from <data-dir>/chain.key,
    /// made there on first start.
    async fn open(&self) -> Result<Store> {
        let url = DatabaseUrl::choose(&self.data_dir, self.database_url.as_deref())?;
        let key_file = self.data_dir.join(xiaobao_store::KEY_FILE);
        let (key, made) = match std::env::var(CHAIN_KEY_ENV) {
            Ok(hex) => {
                (xiaobao_store::ChainKey::from_hex(&hex).map_err(|e| anyhow::anyhow!("{CHAIN_KEY_ENV}: {e}"))?, false)
            }
            Err(_) => {
                xiaobao_store::load_or_create_key(&key_file).map_err(|e| anyhow::anyhow!("the chain key: {e}"))?
            }
        };
        match Store::open(&url, key).await {
            Ok(store) => {
                if made {
                    eprintln!(
                        "Made a new chain key in {}: it seals the history. Back it up apart from the database.",
                        key_file.display()
                    );
                }
                Ok(store)
            }
            Err(e) => {
                if made {
                    // a key made for a database sealed with another one is of no use
                    drop(std::fs::remove_file(&key_file));
                }
                Err(anyhow::Error::new(e).context(format!("opening the database {url}")))
            }
        }
    }

    fn checkpoint_dir(&self) -> PathBuf {
        self.checkpoint_dir.clone().unwrap_or_else(|| self.data_dir.join("checkpoints"))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and, with --demo, create the demo bank first if the database is empty).
    Serve {
        #[arg(long, env = "XIAOBAO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Create the demo bank in an empty database before serving.
        #[arg(long)]
        demo: bool,
        /// SMTP relay for deadline alert mail, e.g. smtp://mail.bank.local:25 (no mail without it).
        #[arg(long, env = "XIAOBAO_SMTP_URL")]
        smtp_url: Option<String>,
        /// Sender of alert mail.
        #[arg(long, env = "XIAOBAO_MAIL_FROM", default_value = "Xiaobao <xiaobao@localhost>")]
        mail_from: String,
        /// The address browsers use, e.g. https://xiaobao.bank.local: when it is https, cookies
        /// are marked Secure and every answer carries HSTS.
        #[arg(long, env = "XIAOBAO_PUBLIC_URL")]
        public_url: Option<String>,
        /// The bank's customer hotline, printed on complaint receipts, e.g. 400-000-0000.
        #[arg(long, env = "XIAOBAO_HOTLINE")]
        hotline: Option<String>,
        /// Trust the proxy in front for X-Forwarded-Proto and X-Forwarded-For (only behind one).
        #[arg(long, env = "XIAOBAO_TRUST_PROXY")]
        trust_proxy: bool,
        /// Minutes between checkpoints of the history (1 to 60).
        #[arg(long, env = "XIAOBAO_CHECKPOINT_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=60))]
        checkpoint_minutes: u64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Create a realistic demo bank (org tree, a user of every role, a year of complaints) and print the logins.
    Demo {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The tamper-evident history.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The counters the measures are read from.
    Rollup {
        #[command(subcommand)]
        command: RollupCommand,
    },
    /// Load data from a file.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Benchmarks that print figures.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        /// Login name.
        name: String,
        #[arg(long)]
        role: String,
        /// Code of the user's home org unit (a fresh database has only `HO`).
        #[arg(long)]
        org: String,
        /// Name shown in the interface (defaults to the login name).
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// A year's holiday arrangement: lines `date,rest|work,holiday_en,holiday_zh`. Every year in the
    /// file replaces that year's days.
    Calendar {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Customers and transactions per unit and period, from an XLSX or UTF-8 CSV table with the
    /// columns 机构代码/org_unit, 期间/period (2025, 2025-Q1, 2025-03), 客户数/customers,
    /// 交易笔数/transactions. All rows are entered, or none when any is wrong.
    PeriodStats {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Counter ratings kept elsewhere, from an XLSX or UTF-8 CSV table (the columns of
    /// POST /api/v1/ratings/import). Every row is checked as a device's would be; all are stored,
    /// or none when any is wrong. Entered in the name of a service-department user.
    Ratings {
        file: PathBuf,
        /// The username the ratings are imported by (one of the service department).
        #[arg(long = "as", value_name = "USERNAME")]
        by: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum RollupCommand {
    /// Recompute every counter from the event log and report how many differed from those kept as
    /// events arrived (0 on a healthy database). Writes wait while it runs.
    Rebuild {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole history: the seal of every event and access log entry, the checkpoints,
    /// and every order, complainant, attachment and counter against its events. Exits 2 at the
    /// first problem, naming it.
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Append a checkpoint of the history to the checkpoint file now (the server writes one every
    /// hour by itself).
    Checkpoint {
        #[command(flatten)]
        data: DataArgs,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("XIAOBAO_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    match cli.command {
        Command::Serve {
            listen,
            demo,
            smtp_url,
            mail_from,
            public_url,
            hotline,
            trust_proxy,
            checkpoint_minutes,
            data,
        } => {
            let https = match public_url.as_deref().map(str::trim) {
                None | Some("") => false,
                Some(u) if u.starts_with("https://") => true,
                Some(u) if u.starts_with("http://") => false,
                Some(u) => bail!("--public-url: \"{u}\" must start with https:// or http://"),
            };
            let smtp = smtp_url
                .as_deref()
                .map(|u| xiaobao_server::mailer::SmtpConfig::parse(u, &mail_from))
                .transpose()
                .map_err(|e| anyhow::anyhow!("--smtp-url / --mail-from: {e}"))?;
            let store = data.open().await?;
            if demo {
                if store.count_users().await? == 0 {
                    let summary = demo::create(&store).await?;
                    summary.print();
                } else {
                    eprintln!("The database already has users; not creating the demo bank again.");
                    demo::print_logins();
                }
            }
            let listener =
                tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("listening on {listen}"))?;
            eprintln!(
                "Xiaobao is serving on http://{} (API under /api/v1, OpenAPI at /api/openapi.json)",
                listener.local_addr()?
            );
            let state =
                AppState::new(store.clone(), Arc::new(SystemClock)).with_deployment(xiaobao_server::Deployment {
                    https,
                    trust_proxy,
                    public_url: public_url
                        .map(|u| u.trim().trim_end_matches('/').to_string())
                        .filter(|u| !u.is_empty()),
                    // the demo bank prints a placeholder number so its receipts look as a bank's do
                    hotline: hotline
                        .filter(|h| !h.trim().is_empty())
                        .or_else(|| demo.then(|| demo::HOTLINE.to_string())),
                });
            let scheduler = xiaobao_server::scheduler::spawn(state.clone());
            let checkpoint_dir = data.checkpoint_dir();
            let checkpoints = xiaobao_server::checkpoints::spawn(
                store.clone(),
                checkpoint_dir.clone(),
                std::time::Duration::from_secs(checkpoint_minutes * 60),
            );
            let mailer =
                smtp.map(|s| xiaobao_server::mailer::spawn(state.clone(), s, std::time::Duration::from_secs(15)));
            let reload = {
                // Another server may change the policy or the calendar: read them again now and then.
                let store = store.clone();
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                        if let Err(e) = store.reload_rules().await {
                            tracing::warn!(error = %e, "reloading the deadline rules failed");
                        }
                    }
                })
            };
            xiaobao_server::serve(listener, state).await?;
            scheduler.abort();
            checkpoints.abort();
            if let Err(e) = xiaobao_server::checkpoints::write(&store, &checkpoint_dir).await {
                tracing::error!(error = %e, "writing the last checkpoint failed");
            }
            reload.abort();
            if let Some(m) = mailer {
                m.abort();
            }
            store.close().await;
        }
        Command::Demo { data } => {
            let store = data.open().await?;
            if store.count_users().await? > 0 {
                bail!(
                    "the database already has users; the demo bank goes into an empty database (use a new --data-dir)"
                );
            }
            let summary = demo::create(&store).await?;
            summary.print();
            store.close().await;
        }
        Command::User { command: UserCommand::Add { name, role, org, display_name, data } } => {
            let role = Role::parse("role", &role)
                .map_err(|e| anyhow::anyhow!("{}", xiaobao_server::i18n::Lang::En.invalid(&e)))?;
            let username = xiaobao_server::api::users::parse_username(&name)
                .map_err(|e| anyhow::anyhow!("{}", xiaobao_server::i18n::Lang::En.invalid(&e)))?;
            let code = OrgCode::parse("org", &org)
                .map_err(|e| anyhow::anyhow!("{}", xiaobao_server::i18n::Lang::En.invalid(&e)))?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let problems = xiaobao_server::api::users::check_password(&password, &username);
            if !problems.is_empty() {
                let words: Vec<String> = problems.iter().map(|e| xiaobao_server::i18n::Lang::En.invalid(e)).collect();
                bail!("{}", words.join("; "));
            }
            let store = data.open().await?;
            let Some(unit) = store.org_unit_by_code(code.as_str()).await? else {
                bail!("org unit {code} does not exist");
            };
            let password_hash =
                xiaobao_server::hash_password(&password).map_err(|_| anyhow::anyhow!("cannot hash the password"))?;
            let display_name = display_name.unwrap_or_else(|| username.clone());
            let user = match store
                .create_user(&NewUser {
                    username: username.clone(),
                    display_name,
                    role,
                    org_unit_id: unit.id,
                    password_hash,
                    email: None,
                })
                .await
            {
                Ok(u) => u,
                Err(xiaobao_store::StoreError::Duplicate(_)) => {
                    bail!("user {username} already exists")
                }
                Err(e) => return Err(e.into()),
            };
            println!("added user {} ({}) at {} {}", user.username, user.role, user.org_code, user.org_name);
            store.close().await;
        }
        Command::Audit { command: AuditCommand::Verify { data } } => {
            let dir = data.checkpoint_dir();
            let checkpoints = xiaobao_store::read_checkpoints(&dir).map_err(|e| anyhow::anyhow!("{e}"))?;
            let store = data.open().await?;
            let started = std::time::Instant::now();
            let r = store.verify(&checkpoints).await?;
            store.close().await;
            let last = match &r.last_checkpoint {
                Some(at) => format!("{} checkpoints in {}, the last of {at}", r.checkpoints, dir.display()),
                None => format!("no checkpoints yet in {}", dir.display()),
            };
            match r.first_problem {
                None => {
                    println!(
                        "audit chain intact: {} events verified ({} of them from before the chain was keyed), \
                         {} access log entries, {} complainant records; {last}; {:.1} s",
                        r.checked,
                        r.unkeyed,
                        r.access_checked,
                        r.complainants_checked,
                        started.elapsed().as_secs_f64()
                    );
                    if r.access_unchained > 0 {
                        println!(
                            "{} access log entries are from before the access log was chained",
                            r.access_unchained
                        );
                    }
                }
                Some((seq, why)) => {
                    println!(
                        "audit chain BROKEN at event {seq}: {why} ({} events verified before it; {last})",
                        r.checked
                    );
                    return Ok(std::process::ExitCode::from(2));
                }
            }
        }
        Command::Audit { command: AuditCommand::Checkpoint { data } } => {
            let store = data.open().await?;
            let dir = data.checkpoint_dir();
            let c = xiaobao_server::checkpoints::write(&store, &dir).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            println!(
                "checkpoint of {} written to {}: {} events, {} access log entries",
                c.at,
                dir.join(xiaobao_store::CHECKPOINT_FILE).display(),
                c.events.seq,
                c.access.seq
            );
        }
        Command::Rollup { command: RollupCommand::Rebuild { data } } => {
            let store = data.open().await?;
            let started = std::time::Instant::now();
            let r = store.rebuild_rollups().await?;
            store.close().await;
            println!(
                "rollups rebuilt from {} events of {} complaints in {:.1} s: {} counter rows, {} differed from the kept counters",
                r.events,
                r.orders,
                started.elapsed().as_secs_f64(),
                r.rows,
                r.differed
            );
        }
        Command::Import { command: ImportCommand::Calendar { file, data } } => {
            let bytes = read_bounded(&file, MAX_CALENDAR_BYTES)?;
            let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", file.display()))?;
            let entries =
                xiaobao_core::calendar::parse_entries(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            if entries.is_empty() {
                bail!("{}: no dates to import", file.display());
            }
            let store = data.open().await?;
            let years = store.import_calendar(&entries).await?;
            store.close().await;
            let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            println!("imported {} days; replaced the calendar of {}", entries.len(), years.join(", "));
        }
        Command::Import { command: ImportCommand::Ratings { file, by, data } } => {
            let bytes = read_bounded(&file, xiaobao_server::import::TableLimits::IMPORT.max_bytes)?;
            let store = data.open().await?;
            let user = store.user_by_username(by.trim()).await?.filter(|u| u.active);
            let Some(user) = user else {
                store.close().await;
                bail!("--as {by}: no active user of that name");
            };
            let state = xiaobao_server::AppState::new(store.clone(), Arc::new(SystemClock));
            let caller = xiaobao_server::auth::Caller { user, token_hash: String::new() };
            let result =
                xiaobao_server::api::ratings::import(&state, &caller, xiaobao_server::i18n::Lang::En, &bytes).await;
            store.close().await;
            let answer = result.map_err(|e| {
                let p = e.problem(true);
                let rows: Vec<String> = p.errors.iter().map(|f| format!("  {}: {}", f.field, f.detail)).collect();
                anyhow::anyhow!("{}: {}\n{}", file.display(), p.detail, rows.join("\n"))
            })?;
            println!(
                "imported {} ratings from {}; {} already stored, {} flagged as bursts",
                answer.accepted,
                file.display(),
                answer.duplicates,
                answer.flagged
            );
        }
        Command::Import { command: ImportCommand::PeriodStats { file, data } } => {
            let bytes = read_bounded(&file, xiaobao_server::import::TableLimits::IMPORT.max_bytes)?;
            let store = data.open().await?;
            let now = chrono::Utc::now().timestamp_millis();
            let result = xiaobao_server::api::period_stats::enter_figures(&store, &bytes, |_| true, None, now).await;
            store.close().await;
            let imported = result.map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.problem(true).detail))?;
            println!(
                "entered {} rows for {} unit{}; periods {}; {} new, {} unchanged, {} replacing figures entered before",
                imported.rows,
                imported.units,
                if imported.units == 1 { "" } else { "s" },
                imported.periods.join(", "),
                imported.added,
                imported.unchanged,
                imported.replaced_count
            );
            for c in &imported.replaced {
                println!(
                    "  replaced {} {}: customers {} -> {}, transactions {} -> {}",
                    c.org_unit, c.period, c.old.customers, c.new.customers, c.old.transactions, c.new.transactions
                );
            }
        }
        Command::Bench { command } => bench::run(command).await?,
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// A calendar file holds a few years of dates: far below this.
const MAX_CALENDAR_BYTES: usize = 1024 * 1024;

/// Reads a file of at most `max` bytes, refusing a larger one before reading it.
fn read_bounded(path: &std::path::Path, max: usize) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1).read_to_end(&mut bytes).with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() > max {
        bail!("{}: the file is too large (more than {max} bytes)", path.display());
    }
    Ok(bytes)
}
