//! `tack demo`: a throwaway PostgreSQL, a realistic table, a live workload, and the naive
//! statements side by side with `tack apply` doing the same change.
//!
//! 1. [`cluster`] starts PostgreSQL from the installed server binaries in a fresh temp dir.
//! 2. [`dataset`] loads `orders` (`--rows`, default 1M) into a template database and copies it
//!    into one database per round, so both rounds start from the same table.
//! 3. Each round runs [`workload`] (`--clients` connections doing point reads, updates and
//!    inserts at a steady pace), waits a moment, makes the change, waits a moment, stops the
//!    workload and checks the result in the catalog:
//!    * naive: the statements as written ([`NAIVE_STATEMENTS`]) — a volatile default makes the
//!      ADD COLUMN rewrite the table under ACCESS EXCLUSIVE, and CREATE INDEX blocks writes;
//!    * tack: the same statements in a migration file, run by `tack apply` ([`run_tack`]).
//! 4. [`report`] prints the two rounds side by side: total time, longest stall, latencies,
//!    statements completed, errors.
//!
//! Everything is removed at the end — database, server, directory — also on failure and on
//! Ctrl-C.

mod cluster;
mod dataset;
mod report;
mod workload;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cli::DemoArgs;
use cluster::DemoCluster;
use report::{duration, Round};
use workload::{Mix, Window, Workload};

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

/// Exit code after Ctrl-C, as shells report SIGINT.
const INTERRUPTED: u8 = 130;

pub fn run(args: &DemoArgs) -> Result<u8, String> {
    if args.rows == 0 {
        return Err("--rows must be at least 1".to_string());
    }
    if args.clients == 0 || args.clients > MAX_CLIENTS {
        return Err(format!("--clients must be between 1 and {MAX_CLIENTS}"));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let result = runtime.block_on(run_async(args));
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

async fn run_async(args: &DemoArgs) -> Result<u8, String> {
    let mut interrupt = std::pin::pin!(interrupted());
    say("tack demo: starting a throwaway PostgreSQL from the installed server binaries…");
    let mut starting = tokio::task::spawn_blocking(DemoCluster::start);
    let demo = tokio::select! {
        started = &mut starting => {
            started.map_err(|e| format!("starting the demo cluster failed: {e}"))??
        }
        () = &mut interrupt => {
            eprintln!("tack demo: interrupted; cleaning up once the server has started…");
            if let Ok(Ok(demo)) = starting.await {
                demo.cleanup()?;
            }
            return Ok(INTERRUPTED);
        }
    };
    say(&format!("  {}", demo.describe()?));
    say("  (a disposable server: fsync is off, so absolute times are lower than on a real one)");

    let outcome = tokio::select! {
        outcome = rounds(&demo, args) => outcome.map(Some),
        () = &mut interrupt => {
            eprintln!("tack demo: interrupted");
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
        Err(e) => eprintln!("tack demo: cleanup failed: {e}"),
    }
    let code = match outcome? {
        None => INTERRUPTED,
        Some(code) => code,
    };
    cleanup?;
    Ok(code)
}

/// Loads the data, runs both rounds and prints the comparison.
async fn rounds(demo: &DemoCluster, args: &DemoArgs) -> Result<u8, String> {
    let admin = demo.url("postgres")?;
    say(&format!(
        "tack demo: loading {} rows into orders…",
        report::count(usize::try_from(args.rows).unwrap_or(usize::MAX))
    ));
    let took = dataset::load(&admin, &demo.url(dataset::TEMPLATE_DB)?, args.rows).await?;
    say(&format!(
        "  loaded, indexed and analyzed in {}",
        duration(took)
    ));
    for db in ["demo_naive", "demo_tack"] {
        dataset::copy(&admin, db).await?;
    }
    let migrations = write_migration(demo.base())?;
    let mix = Mix {
        max_id: dataset::max_id(args.rows),
        period: PERIOD,
    };

    say(&format!(
        "\nround 1 — naive: the statements as written, under {}",
        clients(args.clients)
    ));
    let naive = round(&demo.url("demo_naive")?, args.clients, mix, Change::Naive).await?;

    say(&format!(
        "\nround 2 — tack apply: the same statements, under {}",
        clients(args.clients)
    ));
    let tack = round(
        &demo.url("demo_tack")?,
        args.clients,
        mix,
        Change::Tack(migrations),
    )
    .await?;

    say("\nthe workload while each change ran (statements that overlapped it):");
    say(&report::table(&naive, &tack));
    if let (Some(Ok(n)), Some(Ok(t))) = (&naive.total, &tack.total) {
        say(&format!(
            "the longest stall: {} with tack, {} with the naive statements; tack took {} \
             instead of {}.\n",
            duration(tack.during.longest_stall),
            duration(naive.during.longest_stall),
            duration(*t),
            duration(*n)
        ));
    }
    for (name, r) in [("naive", &naive), ("tack", &tack)] {
        match &r.verified {
            Some(Ok(what)) => say(&format!("{name}: {what}")),
            Some(Err(e)) => say(&format!("{name}: the result is wrong: {e}")),
            None => {}
        }
        for (message, n) in &r.errors {
            match n {
                0 => say(&format!("{name}: workload: {message}")),
                n => say(&format!("{name}: workload error ×{n}: {message}")),
            }
        }
    }
    if let Some(Err(e)) = &tack.total {
        return Err(format!("round 2: tack apply failed: {e}"));
    }
    if let Some(Err(e)) = &naive.total {
        return Err(format!("round 1: the naive statements failed: {e}"));
    }
    let wrong = [&naive, &tack]
        .iter()
        .any(|r| matches!(r.verified, Some(Err(_))));
    Ok(if wrong { 1 } else { 0 })
}

/// How a round makes the change.
enum Change {
    Naive,
    Tack(PathBuf),
}

/// Runs the workload around one change and measures it.
async fn round(url: &str, clients: u32, mix: Mix, change: Change) -> Result<Round, String> {
    let workload = Workload::start(url, clients, mix).await?;
    tokio::time::sleep(WARMUP).await;
    let start_us = workload.now_us();
    let total = match change {
        Change::Naive => run_naive(url).await,
        Change::Tack(dir) => run_tack_in_thread(url, dir).await,
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
async fn run_naive(url: &str) -> Result<Duration, String> {
    let conn = dataset::connect(url).await?;
    conn.client()
        .batch_execute(&format!(
            "SET statement_timeout = '{}s'",
            CHANGE_LIMIT.as_secs()
        ))
        .await
        .map_err(|e| workload::db_message(&e))?;
    let started = Instant::now();
    for sql in NAIVE_STATEMENTS {
        let t = Instant::now();
        conn.client()
            .batch_execute(sql)
            .await
            .map_err(|e| format!("{sql}: {}", workload::db_message(&e)))?;
        say(&format!("  {sql};  -- {}", duration(t.elapsed())));
    }
    Ok(started.elapsed())
}

/// Writes the change as a migration file (and an empty `tack.toml`, so that a `tack.toml` in
/// the current directory does not apply) into `<base>/migrations`.
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
    let config = dir.join("tack.toml");
    std::fs::write(&config, "# tack demo: defaults only\n")
        .map_err(|e| format!("could not write {}: {e}", config.display()))?;
    // As `tack init` projects have (else apply warns that the files are unprotected).
    crate::sum::write(&dir)?;
    Ok(dir)
}

/// Runs [`run_tack`] on a thread of its own (the apply command runs its own runtime) and waits
/// for it without blocking the workload, for at most [`CHANGE_LIMIT`].
async fn run_tack_in_thread(url: &str, dir: PathBuf) -> Result<Duration, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let url = url.to_string();
    std::thread::Builder::new()
        .name("tack-apply".to_string())
        .spawn(move || {
            let _ = tx.send(run_tack(&url, &dir));
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

/// Applies the migrations in `migration_dir` to `url` with `tack apply`, in process, with its
/// default settings; returns how long it took.
pub fn run_tack(url: &str, migration_dir: &Path) -> Result<Duration, String> {
    use clap::Parser as _;
    let mut argv = vec![
        "tack".to_string(),
        "apply".to_string(),
        migration_dir.display().to_string(),
        "--database-url".to_string(),
        url.to_string(),
    ];
    let config = migration_dir.join("tack.toml");
    if config.is_file() {
        argv.push("--config".to_string());
        argv.push(config.display().to_string());
    }
    let cli = crate::cli::Cli::try_parse_from(&argv)
        .map_err(|e| format!("could not build the tack apply arguments: {e}"))?;
    let crate::cli::Command::Apply(apply) = cli.command else {
        return Err("could not build the tack apply arguments".to_string());
    };
    let started = Instant::now();
    match crate::apply_cmd::apply(&apply)? {
        0 => Ok(started.elapsed()),
        code => Err(format!("tack apply exited with {code}")),
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

/// Prints a progress line now (stdout is shared with tack apply's own output).
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
