//! `tack demo`: a throwaway PostgreSQL, a realistic table, a live workload, and the naive
//! statements side by side with `tack apply` doing the same change.
//!
//! 1. [`cluster`] starts PostgreSQL from the installed server binaries in a fresh temp dir.
//! 2. The dataset (`tack_postgres::server::dataset`) loads `orders` (`rows`, default 1M) into a
//!    template database and copies it into one database per round, so both rounds start from
//!    the same table.
//! 3. Each round runs the workload (`tack_postgres::server::workload`: `clients` connections
//!    doing point reads, updates and inserts at a steady pace), waits a moment, makes the change,
//!    waits a moment, stops the workload and checks the result in the catalog:
//!    * naive: the statements as written ([`NAIVE_STATEMENTS`]) — a volatile default makes the
//!      ADD COLUMN rewrite the table under ACCESS EXCLUSIVE, and CREATE INDEX blocks writes;
//!    * tack: the same statements in a migration file, applied by [`crate::apply`].
//! 4. It returns what both rounds measured; the binary prints them side by side.
//!
//! Everything is removed at the end — database, server, directory — also on failure and on
//! Ctrl-C. Progress lines go to the caller's `say`.

mod cluster;

use crate::apply::{self, ApplyOptions, ApplyOutcome};
use crate::engine::Engine;
use crate::postgres::PgEngine;
use crate::project::{sources, sum};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tack_exec::Events;
use tack_postgres::server::dataset;
use tack_postgres::server::workload::{self, Mix, Stats, Window, Workload};

use cluster::DemoCluster;

/// What one round measured.
#[derive(Debug, Default)]
pub struct Round {
    /// How long the change took, or why it failed.
    pub total: Option<Result<Duration, String>>,
    /// The workload while the change ran.
    pub during: Stats,
    /// The workload before the change started, for comparison.
    pub before: Stats,
    /// Distinct workload errors and their counts.
    pub errors: Vec<(String, usize)>,
    /// What the change left in the catalog, or what is wrong with it.
    pub verified: Option<Result<String, String>>,
}

/// Both rounds.
#[derive(Debug)]
pub struct DemoResult {
    pub naive: Round,
    pub tack: Round,
}

/// How the demo ended.
#[derive(Debug)]
pub enum DemoOutcome {
    Done(Box<DemoResult>),
    /// Ctrl-C: cleaned up.
    Interrupted,
}

/// The demo's size.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub rows: u64,
    pub clients: u32,
}

/// Writes a progress line.
pub type Say<'a> = &'a (dyn Fn(&str) + Sync);

/// The events of tack's round go to subscribers the caller sets up.
pub type MakeEvents<'a> = &'a (dyn Fn() -> Events + Sync);
/// The change, as a team would naturally write it.
pub const NAIVE_STATEMENTS: &[&str] = &[
    "ALTER TABLE orders ADD COLUMN tracking_id uuid NOT NULL DEFAULT gen_random_uuid()",
    "CREATE INDEX orders_tracking_idx ON orders (tracking_id)",
];

/// The workload runs this long before the change starts, and again after it ended.
const WARMUP: Duration = Duration::from_secs(2);
const COOLDOWN: Duration = Duration::from_secs(1);
/// Each client issues one statement per period (200 a second).
const PERIOD: Duration = Duration::from_millis(5);
/// How long clients may take to finish their statement in flight once told to stop.
const GRACE: Duration = Duration::from_secs(30);
/// Upper bound for each round's change.
const CHANGE_LIMIT: Duration = Duration::from_secs(30 * 60);
/// Most workload clients (the server allows 50 connections; tack needs a few).
const MAX_CLIENTS: u32 = 32;

/// A duration the way people read them: `0.42 ms`, `12 ms`, `5.31 s`, `2 min 05 s`.
pub fn duration(d: Duration) -> String {
    let us = d.as_micros();
    if us == 0 {
        "0 ms".to_string()
    } else if us < 10_000 {
        format!("{:.2} ms", us as f64 / 1000.0)
    } else if us < 1_000_000 {
        format!("{} ms", (us + 500) / 1000)
    } else if us < 60_000_000 {
        format!("{:.2} s", us as f64 / 1_000_000.0)
    } else {
        let s = d.as_secs();
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

/// A count with thousands separators: `1,000,000`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && i % 3 == digits.len() % 3 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Runs the demo on its own runtime.
pub fn run(options: DemoOptions, say: Say, make_events: MakeEvents) -> Result<DemoOutcome, String> {
    if options.rows == 0 {
        return Err("--rows must be at least 1".to_string());
    }
    if options.clients == 0 || options.clients > MAX_CLIENTS {
        return Err(format!("--clients must be between 1 and {MAX_CLIENTS}"));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let result = runtime.block_on(run_async(options, say, make_events));
    // Anything still running (a cancelled client) is abandoned, not waited for.
    runtime.shutdown_background();
    result
}

/// Resolves on Ctrl-C; never, if the handler cannot be installed.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn run_async(
    options: DemoOptions,
    say: Say<'_>,
    make_events: MakeEvents<'_>,
) -> Result<DemoOutcome, String> {
    let mut interrupt = std::pin::pin!(interrupted());
    say("tack demo: starting a throwaway PostgreSQL from the installed server binaries…");
    let mut starting = tokio::task::spawn_blocking(DemoCluster::start);
    let demo = tokio::select! {
        started = &mut starting => {
            started.map_err(|e| format!("starting the demo cluster failed: {e}"))??
        }
        () = &mut interrupt => {
            say("tack demo: interrupted; cleaning up once the server has started…");
            if let Ok(Ok(demo)) = starting.await {
                demo.cleanup()?;
            }
            return Ok(DemoOutcome::Interrupted);
        }
    };
    say(&format!("  {}", demo.describe()?));
    say("  (a disposable server: fsync is off, so absolute times are lower than on a real one)");

    let outcome = tokio::select! {
        outcome = rounds(&demo, options, say, make_events) => outcome.map(Some),
        () = &mut interrupt => {
            say("tack demo: interrupted");
            Ok(None)
        }
    };
    let base = demo.base().to_path_buf();
    let cleanup = demo.cleanup();
    match &cleanup {
        Ok(()) => say(&format!(
            "tack demo: stopped the server and removed {}",
            base.display()
        )),
        Err(e) => say(&format!("tack demo: cleanup failed: {e}")),
    }
    let outcome = match outcome? {
        None => DemoOutcome::Interrupted,
        Some(result) => DemoOutcome::Done(Box::new(result)),
    };
    cleanup?;
    Ok(outcome)
}

/// Loads the data and runs both rounds.
async fn rounds(
    demo: &DemoCluster,
    options: DemoOptions,
    say: Say<'_>,
    make_events: MakeEvents<'_>,
) -> Result<DemoResult, String> {
    let admin = demo.url("postgres")?;
    say(&format!(
        "tack demo: loading {} rows into orders…",
        count(usize::try_from(options.rows).unwrap_or(usize::MAX))
    ));
    let took = dataset::load(&admin, &demo.url(dataset::TEMPLATE_DB)?, options.rows).await?;
    say(&format!(
        "  loaded, indexed and analyzed in {}",
        duration(took)
    ));
    for db in ["demo_naive", "demo_tack"] {
        dataset::copy(&admin, db).await?;
    }
    let migrations = write_migration(demo.base())?;
    let mix = Mix {
        max_id: dataset::max_id(options.rows),
        period: PERIOD,
    };

    say(&format!(
        "\nround 1 — naive: the statements as written, under {}",
        clients(options.clients)
    ));
    let naive = round(
        &demo.url("demo_naive")?,
        options.clients,
        mix,
        Change::Naive,
        say,
        make_events,
    )
    .await?;

    say(&format!(
        "\nround 2 — tack apply: the same statements, under {}",
        clients(options.clients)
    ));
    let tack = round(
        &demo.url("demo_tack")?,
        options.clients,
        mix,
        Change::Tack(migrations),
        say,
        make_events,
    )
    .await?;
    Ok(DemoResult { naive, tack })
}

/// How a round makes the change.
enum Change {
    Naive,
    Tack(PathBuf),
}

/// Runs the workload around one change and measures it.
async fn round(
    url: &str,
    clients: u32,
    mix: Mix,
    change: Change,
    say: Say<'_>,
    make_events: MakeEvents<'_>,
) -> Result<Round, String> {
    let workload = Workload::start(url, clients, mix).await?;
    tokio::time::sleep(WARMUP).await;
    let start_us = workload.now_us();
    let total = match change {
        Change::Naive => run_naive(url, say).await,
        Change::Tack(dir) => run_tack_in_thread(url, dir, make_events()).await,
    };
    let end_us = workload.now_us();
    tokio::time::sleep(COOLDOWN).await;
    let record = workload.finish(GRACE).await;

    let during = workload::stats(&record.samples, Window { start_us, end_us }, record.end_us);
    let before_samples: Vec<_> = record
        .samples
        .iter()
        .copied()
        .filter(|s| s.end_us <= start_us)
        .collect();
    let before = workload::stats(
        &before_samples,
        Window {
            start_us: 0,
            end_us: start_us,
        },
        start_us,
    );
    match &total {
        Ok(d) => say(&format!("  the change took {}", duration(*d))),
        Err(e) => say(&format!("  the change failed: {e}")),
    }
    let verified = match &total {
        Ok(_) => Some(dataset::verify(url).await),
        Err(_) => None,
    };
    Ok(Round {
        total: Some(total),
        during,
        before,
        errors: record.errors,
        verified,
    })
}

/// Runs [`NAIVE_STATEMENTS`] one after the other, each in its own transaction, as a migration
/// tool without tack would.
async fn run_naive(url: &str, say: Say<'_>) -> Result<Duration, String> {
    let started = Instant::now();
    let took = dataset::run_statements(url, NAIVE_STATEMENTS, CHANGE_LIMIT).await?;
    for (sql, t) in NAIVE_STATEMENTS.iter().zip(took) {
        say(&format!("  {sql};  -- {}", duration(t)));
    }
    Ok(started.elapsed())
}

/// Writes the change as a migration file into `<base>/migrations`, with its tack.sum (as `tack
/// init` projects have).
fn write_migration(base: &Path) -> Result<PathBuf, String> {
    let dir = base.join("migrations");
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let mut sql = String::from("-- The change of `tack demo`, as a team would write it.\n");
    for s in NAIVE_STATEMENTS {
        sql.push_str(s);
        sql.push_str(";\n");
    }
    let file = dir.join("0001_add_tracking_id.sql");
    std::fs::write(&file, sql).map_err(|e| format!("could not write {}: {e}", file.display()))?;
    sum::write(&dir)?;
    Ok(dir)
}

/// Runs [`run_tack`] on a thread of its own, with its own runtime (so the executor never
/// delays the workload's clocks), and waits for it without blocking the workload, for at most
/// [`CHANGE_LIMIT`].
async fn run_tack_in_thread(url: &str, dir: PathBuf, events: Events) -> Result<Duration, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let url = url.to_string();
    std::thread::Builder::new()
        .name("tack-apply".to_string())
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime: {e}"))
                .and_then(|rt| rt.block_on(run_tack(&url, &dir, events)));
            let _ = tx.send(result);
        })
        .map_err(|e| format!("could not start a thread for tack apply: {e}"))?;
    match tokio::time::timeout(CHANGE_LIMIT, rx).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("tack apply panicked".to_string()),
        Err(_) => Err(format!(
            "tack apply did not finish within {}",
            duration(CHANGE_LIMIT)
        )),
    }
}

/// Applies the migrations in `dir` to `url` with tack's default settings; returns how long it
/// took.
pub async fn run_tack(url: &str, dir: &Path, events: Events) -> Result<Duration, String> {
    let engine = PgEngine;
    let sources = sources::load(&[dir.display().to_string()])?;
    let parsed = sources::parse_all(engine.dialect(), &sources);
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let outcome = apply::apply(
        &engine,
        url,
        &sources,
        &parsed,
        &[],
        ApplyOptions::default(),
        events,
        stop_rx,
    )
    .await
    .map_err(|e| e.to_string())?;
    match outcome {
        ApplyOutcome::Done { .. } => Ok(started.elapsed()),
        other => Err(format!("tack apply did not apply the migration: {other:?}")),
    }
}

/// "1 client", "4 clients".
fn clients(n: u32) -> String {
    if n == 1 {
        "1 client".to_string()
    } else {
        format!("{n} clients")
    }
}
