//! `tack apply`, `tack pause` / `tack resume`: run a plan on a live database and steer the run
//! through the target's `tack` schema (`tack status` is `status_cmd`).
//!
//! `apply` checks the migrations against their `tack.sum`, reads and parses them, takes the run
//! lock, refuses applied migrations that changed and pending ones that sort before applied ones
//! (out of order), skips the migrations recorded as applied (same checksum), plans the others
//! against the live catalog (a migration interrupted earlier continues with the plan it
//! recorded), refuses when the plan has refusals, and runs the steps with `tack-exec`, one
//! migration at a time so that each one's history (version, duration, who, which tack, the
//! schema fingerprint) is recorded when it ends. The executor's events are rendered as progress
//! (bars on a terminal) or JSON lines.
//!
//! Settings come from the flags, then tack.toml's `[apply]`, then the built-in defaults.
//!
//! Exit codes: 0 applied; 1 a step failed, a refusal, another run holds the lock, a changed or
//! out-of-order migration, migrations not matching tack.sum, or an interruption (the run is
//! resumable); 2 usage, I/O or connection problems.

use crate::cli::{ApplyArgs, LogFormat, PlanFormat, TargetArgs};
use crate::config::{defaults, Config, Setting};
use crate::history::{self, Recorded};
use crate::plan_cmd;
use crate::sources::{self, Source};
use crate::{files, sum};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tack_core::plan::{self as planner, PlanOptions};

use tack_exec::{
    Action, Event, Events, ExecError, Executor, Migration, Options, Outcome, StepSpec,
    ThrottleLimits, Timeouts,
};
use tack_postgres::PgTarget;

/// Test hook: the process aborts right after this step is recorded done (crash tests only).
const CRASH_AFTER_STEP: &str = "TACK_TEST_CRASH_AFTER_STEP";

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// The target URL: `--database-url` / DATABASE_URL (or the variable ./tack.toml's
/// `database_url_env` names), or "" for the PG* variables.
pub(crate) fn target_url(database_url: Option<&str>, command: &str) -> Result<String, String> {
    target_url_in(&Config::load(None)?, database_url, command)
}

/// [`target_url`] with a loaded configuration.
pub(crate) fn target_url_in(
    config: &Config,
    database_url: Option<&str>,
    command: &str,
) -> Result<String, String> {
    config.database_url(database_url).ok_or_else(|| {
        format!(
            "{command} needs a database: give {}",
            config.database_url_sources()
        )
    })
}

pub(crate) fn shown(url: &str) -> String {
    if url.is_empty() {
        "the server named by the PG* variables".to_owned()
    } else {
        tack_postgres::redact(url)
    }
}

/// sha256 of a migration's text, hex.
pub fn checksum(text: &str) -> String {
    tack_core::schema::sha256_hex(text.as_bytes())
}

/// A setting: the flag, else tack.toml's `[apply]`, else the built-in default; with where it
/// came from, for messages (`--lock-timeout`, `tack.toml:3:16 ([apply] lock_timeout)`).
fn pick<T: Clone>(
    flag: Option<T>,
    name: &str,
    file: &Option<Setting<T>>,
    default: T,
) -> (T, String) {
    match (flag, file) {
        (Some(v), _) => (v, format!("--{name}")),
        (None, Some(s)) => (s.value.clone(), s.at.clone()),
        (None, None) => (default, format!("--{name} (default)")),
    }
}

fn duration(
    flag: &Option<String>,
    name: &str,
    file: &Option<Setting<String>>,
    default: &str,
) -> Result<(Duration, String), String> {
    let (text, at) = pick(flag.clone(), name, file, default.to_owned());
    tack_exec::parse_duration(&text)
        .map(|d| (d, at.clone()))
        .map_err(|e| format!("{at}: {e}"))
}

/// The executor's options from the command line and tack.toml.
fn options(args: &ApplyArgs, config: &Config) -> Result<Options, String> {
    let file = &config.apply;
    let (lock_timeout, at) = duration(
        &args.lock_timeout,
        "lock-timeout",
        &file.lock_timeout,
        defaults::LOCK_TIMEOUT,
    )?;
    if lock_timeout.is_zero() {
        return Err(format!(
            "{at}: 0 would wait for locks forever; give e.g. 1s"
        ));
    }
    let (statement_timeout, _) = duration(
        &args.statement_timeout,
        "statement-timeout",
        &file.statement_timeout,
        defaults::STATEMENT_TIMEOUT,
    )?;
    let (retry_budget, _) = duration(
        &args.retry_budget,
        "retry-budget",
        &file.retry_budget,
        defaults::RETRY_BUDGET,
    )?;
    let (batch_time, at) = duration(
        &args.batch_time,
        "batch-time",
        &file.batch_time,
        defaults::BATCH_TIME,
    )?;
    if batch_time.is_zero() {
        return Err(format!("{at}: the batch time must be more than 0"));
    }
    let (max_attempts, at) = pick(
        args.max_attempts,
        "max-attempts",
        &file.max_attempts,
        defaults::MAX_ATTEMPTS,
    );
    if max_attempts == 0 {
        return Err(format!("{at}: at least 1 attempt is needed"));
    }
    let (max_lock_waiters, _) = pick(
        args.max_lock_waiters,
        "max-lock-waiters",
        &file.max_lock_waiters,
        defaults::MAX_LOCK_WAITERS,
    );
    // The flags replace the file's list rather than adding to it, like every other setting.
    let lags = if args.max_replication_lag.is_empty() {
        file.max_replication_lag
            .iter()
            .map(|s| tack_exec::parse_lag_limit(&s.value).map_err(|e| format!("{}: {e}", s.at)))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        args.max_replication_lag
            .iter()
            .map(|l| {
                tack_exec::parse_lag_limit(l).map_err(|e| format!("--max-replication-lag: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(Options {
        timeouts: Timeouts {
            lock_timeout,
            statement_timeout,
        },
        max_attempts,
        retry_budget,
        batch_time,
        throttle: ThrottleLimits::from_lag_limits(&lags, max_lock_waiters),
        ..Options::default()
    })
}

/// What `apply` does with one file.
enum Work {
    /// Recorded as applied with the same checksum.
    Skip(String),
    Run(Migration),
}

pub fn apply(args: &ApplyArgs) -> Result<u8, String> {
    let config = Config::load(args.plan.target.config.as_deref())?;
    let options = options(args, &config)?;
    for rule in &args.plan.allow {
        if rule != "all" && tack_core::RuleId::from_name(rule).is_none() {
            return Err(format!("--allow {rule}: no such rule (see `tack rules`)"));
        }
    }
    if args.plan.target.offline && !args.dry_run {
        return Err("tack apply runs on a database: --offline only goes with --dry-run".to_owned());
    }
    if !sum::guard(
        &sources::paths_or_default(&args.plan.paths, &config),
        "tack apply",
    )? {
        return Ok(1);
    }
    if args.dry_run {
        return dry_run(args, &options, &config);
    }
    let url = target_url_in(
        &config,
        args.plan.target.database_url.as_deref(),
        "tack apply",
    )?;
    let sources = sources::load(&args.plan.paths, &config)?;
    let parsed = sources::parse_all(&sources);
    crate::plan_cmd::check_syntax(&sources, &parsed)?;
    let rt = runtime()?;
    rt.block_on(apply_async(args, options, &url, &sources, &parsed))
}

async fn apply_async(
    args: &ApplyArgs,
    options: Options,
    url: &str,
    sources: &[Source],
    parsed: &[tack_sql::ParsedFile],
) -> Result<u8, String> {
    let target = PgTarget::connect(url, &args.replica_url)
        .await
        .map_err(|e| e.to_string())?;
    let mut events = Events::new();
    let renderer = Renderer::new(args.log_format);
    let mut renderer = Some(renderer);
    events.subscribe(move |e| {
        if let Some(r) = renderer.as_mut() {
            r.event(e);
        }
    });
    if let Some(step) = std::env::var(CRASH_AFTER_STEP)
        .ok()
        .filter(|s| !s.is_empty())
    {
        events.subscribe(move |e| {
            if let Event::StepFinished { step: s, .. } = e {
                if *s == step {
                    std::process::abort();
                }
            }
        });
    }
    let mut exec = Executor::new(target, options, events);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    exec.stop_on(stop_rx);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop_tx.send(true);
            eprintln!("tack: stopping after the current batch or step (Ctrl-C again to quit now)");
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });

    match exec.lock().await {
        Ok(()) => {}
        Err(e @ ExecError::Locked(_)) => {
            eprintln!("tack apply: {e}");
            return Ok(1);
        }
        Err(e) => return Err(format!("{} ({})", e, shown(url))),
    }
    let result = plan_and_run(args, url, &mut exec, sources, parsed).await;
    let unlocked = exec.unlock().await;
    let code = result?;
    unlocked.map_err(|e| e.to_string())?;
    Ok(code)
}

/// Refuses to run on a drifted schema (exit code 1), before anything changes. The fast path: the
/// live schema's fingerprint equals the one recorded after the migration applied last, so nothing
/// changed since tack left it. Otherwise the full comparison of `tack drift` decides (replaying
/// the applied migrations on a scratch database, or reading its cached result). A migration left
/// unfinished is resumed, not judged: its partial effects are expected.
async fn drift_guard(
    args: &ApplyArgs,
    url: &str,
    exec: &mut Executor<PgTarget>,
    sources: &[Source],
) -> Result<Option<u8>, String> {
    let major = exec.target().major();
    if major < 13 {
        eprintln!(
            "tack apply: note: the schema is not checked for drift on PostgreSQL {major} \
             (schema comparison needs 13 or later)"
        );
        return Ok(None);
    }
    let control = exec.target().control();
    let state = tack_postgres::state::report(control)
        .await
        .map_err(|e| format!("reading tack's history: {}", tack_postgres::describe(&e)))?;
    if state.migrations.is_empty()
        || state
            .migrations
            .iter()
            .any(|m| m.status != tack_exec::Status::Done)
    {
        return Ok(None);
    }
    let last = state
        .migrations
        .iter()
        .max_by(|a, b| a.finished_at.cmp(&b.finished_at));
    let recorded = last.and_then(|m| m.history.fingerprint.clone());
    let live = crate::schema_cmd::read_schema(control, &shown(url)).await?;
    if recorded.as_deref() == Some(tack_core::schema::fingerprint(&live).as_str()) {
        return Ok(None);
    }
    // The full comparison reuses the schema just read (an introspection is ~1 s at 5,000 tables).
    let report = crate::schema_cmd::check(
        url,
        args.dev.dev_url.as_deref(),
        sources,
        &[],
        true,
        Some(live),
    )
    .await
    .map_err(|e| {
        format!("{e}\n(while checking for drift before applying; --allow-drift skips the check)")
    })?;
    if !report.drift {
        return Ok(None);
    }
    eprintln!(
        "tack apply: nothing was run: the schema has drifted from its migrations\n\n{}\
         Reconcile it (the SQL above, or a new migration that makes the change on purpose), or \
         run with --allow-drift to apply on top of it.",
        crate::schema_cmd::render_drift(&report)
    );
    Ok(Some(1))
}

async fn plan_and_run(
    args: &ApplyArgs,
    url: &str,
    exec: &mut Executor<PgTarget>,
    sources: &[Source],
    parsed: &[tack_sql::ParsedFile],
) -> Result<u8, String> {
    // The catalog as it is now, under the run lock.
    let conn = tack_postgres::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let version = conn.server_version().await.map_err(|e| e.to_string())?;
    let mut catalog = conn.catalog().await.map_err(|e| e.to_string())?;
    drop(conn);
    let plan_options = PlanOptions {
        version,
        allow: args.plan.allow.clone(),
    };

    // What the state store knows of each file, checked before anything is planned or run.
    let names: Vec<String> = sources
        .iter()
        .map(|s| plan_cmd::migration_name(&s.file.name))
        .collect();
    let mut records = HashMap::new();
    for (source, name) in sources.iter().zip(&names) {
        let sum = checksum(&source.file.text);
        if let Some(r) = exec.recorded(name).await.map_err(|e| e.to_string())? {
            if r.checksum != sum {
                eprintln!(
                    "tack apply: nothing was run: {}\n  (`git log -p {}` shows the edit; \
                     `tack status` lists every changed file)",
                    ExecError::Changed {
                        migration: name.clone(),
                        recorded: r.checksum.clone(),
                        now: sum,
                    },
                    source.file.name
                );
                return Ok(1);
            }
            records.insert(name.clone(), r);
        }
    }
    let twins = history::duplicate_versions(&names);
    if !twins.is_empty() {
        for (first, second) in &twins {
            eprintln!(
                "tack apply: nothing was run: {first} and {second} have the same version \
                 (two branches each added one?); give the one that was not applied anywhere the \
                 next free version, then run `tack sum`"
            );
        }
        return Ok(1);
    }
    if !args.allow_out_of_order {
        let late = history::out_of_order(&names, |n| recorded_as(records.get(n)));
        if !late.is_empty() {
            eprintln!("tack apply: {}", history::out_of_order_message(&late));
            return Ok(1);
        }
    }

    let mut work = Vec::new();
    let mut refused = Vec::new();
    for ((source, parsed), name) in sources.iter().zip(parsed).zip(names) {
        let sum = checksum(&source.file.text);
        let recorded = records.remove(&name);
        match &recorded {
            Some(r) if r.status == tack_exec::Status::Done => {
                // Applied: the live catalog has its effects; nothing to plan.
                work.push(Work::Skip(name));
                continue;
            }
            _ => {}
        }
        // Planned against the catalog left by the migrations before it (the planner's catalog
        // learns from each statement).
        let plan = planner::plan(
            &name,
            &crate::plan_cmd::statements(source, parsed),
            &mut catalog,
            &plan_options,
        );
        if recorded.is_none() {
            for r in &plan.refused {
                refused.push((name.clone(), r.clone()));
            }
        }
        // An interrupted migration continues with the steps it recorded (the executor reads
        // them back); its new plan only taught the catalog.
        work.push(Work::Run(Migration::from_plan(&name, &sum, &plan)));
    }
    // After the cheap refusals (changed or out-of-order files), which need no scratch database.
    if !args.allow_drift {
        if let Some(code) = drift_guard(args, url, exec, sources).await? {
            return Ok(code);
        }
    }
    if !refused.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "tack apply: nothing was run: the plan refuses {} statement(s)",
            refused.len()
        );
        for (name, r) in &refused {
            let _ = writeln!(err, "\n{name}: refused [{}]: {}", r.rule, r.statement);
            let _ = writeln!(err, "    {}", r.reason);
            if let Some(recipe) = &r.recipe {
                let _ = writeln!(err, "    manual recipe:");
                for line in recipe.lines() {
                    let _ = writeln!(err, "      {line}");
                }
            }
            let _ = writeln!(err, "    to run it as written anyway: --allow {}", r.rule);
        }
        return Ok(1);
    }

    let mut migrations = Vec::new();
    for w in work {
        match w {
            Work::Skip(name) => exec.emit(Event::MigrationSkipped {
                migration: name,
                reason: "already applied (same checksum)".to_owned(),
            }),
            Work::Run(m) => migrations.push(m),
        }
    }
    // One migration at a time (the same events as `Executor::run`), so that each one's history
    // is recorded as it ends.
    let clock = exec.begin_run(migrations.len());
    let mut outcome = Ok(Outcome::Done);
    for m in &migrations {
        let started = Instant::now();
        outcome = exec.run_migration(m).await;
        if outcome.is_ok() {
            record_run(exec, &m.name, started).await;
        }
        if !matches!(outcome, Ok(Outcome::Done)) {
            break;
        }
        // The migration is done and the next has not started: the schema is the one this
        // migration left. A recorded fingerprint vouches for that schema in the drift guard's
        // fast path, so none is recorded under --allow-drift: the schema the run started from
        // was not checked and may have drifted, and recording what it left would let the next
        // run accept that drift without the flag. The next run makes the full check instead.
        let fingerprint = if args.allow_drift || exec.target().major() < 13 {
            None
        } else {
            match crate::schema_cmd::read_schema(exec.target().control(), &shown(url)).await {
                Ok(model) => Some(tack_core::schema::fingerprint(&model)),
                Err(e) => {
                    eprintln!("tack apply: warning: after {}: {e}", m.name);
                    None
                }
            }
        };
        record_fingerprint(exec, &m.name, fingerprint).await;
    }
    exec.end_run(clock, matches!(outcome, Ok(Outcome::Done)));
    match outcome {
        Ok(Outcome::Done) => Ok(0),
        Ok(Outcome::Failed {
            migration,
            step,
            error,
        }) => {
            eprintln!(
                "tack apply: step {step} of {migration} failed: {error}\n\
                 The database is consistent: the failed step was rolled back (or is cleaned up on the next run). \
                 Run `tack apply` again to resume from this step; `tack status` shows the state."
            );
            Ok(1)
        }
        Ok(Outcome::Interrupted) => {
            eprintln!("tack apply: interrupted; run `tack apply` again to resume");
            Ok(1)
        }
        Err(e @ ExecError::Changed { .. }) => {
            eprintln!("tack apply: {e}");
            Ok(1)
        }
        Err(e) => Err(format!(
            "{e} ({}); run `tack apply` again to resume once it is reachable",
            shown(url)
        )),
    }
}

/// How a state-store record counts for the out-of-order check.
fn recorded_as(r: Option<&tack_exec::MigrationRecord>) -> Recorded {
    match r {
        None => Recorded::Never,
        Some(r) if r.status == tack_exec::Status::Done => Recorded::Applied,
        Some(_) => Recorded::Unfinished,
    }
}

/// Records the history of a migration a run worked on (whatever the outcome: a failed or
/// interrupted migration's time counts too). A failure to record is reported, not fatal: the
/// migration's effect and its status are already recorded.
async fn record_run(exec: &mut Executor<PgTarget>, name: &str, started: Instant) {
    let host = history::client_host();
    let version = files::version(name);
    let run = tack_postgres::state::RunRecord {
        name,
        version: &version,
        run_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        client_host: &host,
        tack_version: history::TACK_VERSION,
    };
    if let Err(e) = tack_postgres::state::record_run(exec.target().control(), &run).await {
        eprintln!("tack apply: warning: could not record the history of {name}: {e}");
    }
}

/// Records the schema fingerprint a finished migration left, when one was computed.
async fn record_fingerprint(
    exec: &mut Executor<PgTarget>,
    name: &str,
    fingerprint: Option<String>,
) {
    let Some(fingerprint) = fingerprint else {
        return;
    };
    if let Err(e) =
        tack_postgres::state::record_fingerprint(exec.target().control(), name, Some(&fingerprint))
            .await
    {
        eprintln!("tack apply: warning: could not record the schema fingerprint after {name}: {e}");
    }
}

/// `--dry-run`: every statement that would run, in order, with its settings; nothing is run.
fn dry_run(args: &ApplyArgs, options: &Options, config: &Config) -> Result<u8, String> {
    // Connected: leave out what the state store says is applied, as apply does (not planned
    // either: the live catalog already has their effects).
    let mut applied: HashMap<String, String> = HashMap::new();
    let mut started: HashMap<String, bool> = HashMap::new();
    let url = if args.plan.target.offline {
        None
    } else {
        target_url_in(
            config,
            args.plan.target.database_url.as_deref(),
            "tack apply",
        )
        .ok()
    };
    if let Some(url) = url {
        let rt = runtime()?;
        let recorded = rt.block_on(async {
            let conn = tack_postgres::connect(&url)
                .await
                .map_err(|e| e.to_string())?;
            let report = tack_postgres::state::report(conn.client())
                .await
                .map_err(|e| format!("reading the tack schema: {e}"))?;
            Ok::<_, String>(report.migrations)
        })?;
        for m in recorded {
            let done = m.status == tack_exec::Status::Done;
            started.insert(m.name.clone(), done);
            if done {
                applied.insert(m.name, m.checksum);
            }
        }
    }
    let planned = plan_cmd::prepare_skipping(&args.plan, &|name, text| {
        applied.get(name) == Some(&checksum(text))
    })?;
    let major = planned.target.info.version.major;
    let lock_ms = options.timeouts.lock_timeout.as_millis();
    let stmt_ms = options.timeouts.statement_timeout.as_millis();
    let mut out = String::new();
    out.push_str("-- tack apply --dry-run: what would run, in order; nothing was run.\n");
    out.push_str(&format!(
        "-- lock timeouts are retried {} times at most within {} s, with jittered exponential backoff.\n",
        options.max_attempts,
        options.retry_budget.as_secs()
    ));
    let mut refused = false;
    if !args.allow_out_of_order {
        let names: Vec<String> = planned.migrations.iter().map(|m| m.name.clone()).collect();
        let late = history::out_of_order(&names, |n| match started.get(n) {
            None => Recorded::Never,
            Some(true) => Recorded::Applied,
            Some(false) => Recorded::Unfinished,
        });
        for l in &late {
            refused = true;
            out.push_str(&format!(
                "-- REFUSED: {} is pending but sorts before {}, which ran here (out of order; \
                 rename it to sort last, or --allow-out-of-order)\n",
                l.pending, l.after
            ));
        }
    }
    for m in &planned.migrations {
        let sum = checksum(&m.text);
        out.push_str(&format!(
            "\n-- migration {} (sha256 {})\n",
            m.name,
            &sum[..12]
        ));
        if applied.get(&m.name) == Some(&sum) {
            out.push_str("-- already applied (same checksum): skipped\n");
            continue;
        }
        for r in &m.plan.refused {
            refused = true;
            out.push_str(&format!(
                "-- REFUSED [{}]: {}\n--   {}\n--   (allow with --allow {})\n",
                r.rule, r.statement, r.reason, r.rule
            ));
        }
        for step in &m.plan.steps {
            let spec = StepSpec::from(step);
            out.push_str(&format!(
                "\n-- step {} [{}]{}\n",
                spec.id,
                spec.phase,
                match (&spec.lock, &spec.table) {
                    (Some(l), Some(t)) => format!(" {l} on {}", t.sql()),
                    _ => String::new(),
                }
            ));
            if let Some(p) = &spec.done_probe {
                out.push_str(&format!("-- skipped when: {p}\n"));
            }
            match &spec.action {
                Action::Sql { sql } if spec.transactional => out.push_str(&format!(
                    "BEGIN;\nSET LOCAL lock_timeout = '{lock_ms}ms'; SET LOCAL statement_timeout = '{stmt_ms}ms';\n{sql};\nCOMMIT;\n"
                )),
                Action::Sql { sql } => {
                    out.push_str(&format!(
                        "SET lock_timeout = '{lock_ms}ms'; SET statement_timeout = '{stmt_ms}ms';\n"
                    ));
                    if let Some(c) = &spec.cleanup {
                        out.push_str(&format!("-- before a retry or resume: {c};\n"));
                    }
                    out.push_str(&format!(
                        "{sql};\nRESET lock_timeout; RESET statement_timeout;\n"
                    ));
                }
                Action::Backfill(b) => {
                    for s in tack_postgres::backfill::describe(
                        &m.name, &spec.id, b, major, lock_ms, stmt_ms,
                    ) {
                        out.push_str(&s);
                        out.push('\n');
                    }
                }
            }
        }
    }
    print!("{out}");
    Ok(if refused { 1 } else { 0 })
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Turns events into output: JSON lines on stdout, or human progress on stderr (bars on a
/// terminal, plain lines otherwise).
struct Renderer {
    format: LogFormat,
    bars: Option<MultiProgress>,
    backfills: HashMap<String, Backfill>,
}

struct Backfill {
    bar: Option<ProgressBar>,
    started: Instant,
    rows_at_start: u64,
    rows_done: u64,
    unit: String,
    last_line: Instant,
}

impl Renderer {
    fn new(format: LogFormat) -> Self {
        let bars = (format == LogFormat::Human && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Renderer {
            format,
            bars,
            backfills: HashMap::new(),
        }
    }

    fn line(&self, text: &str) {
        match &self.bars {
            Some(mp) => {
                let _ = mp.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    fn event(&mut self, e: &Event) {
        if self.format == LogFormat::Json {
            let mut v = serde_json::to_value(e).unwrap_or_else(|_| json!({}));
            if let Some(o) = v.as_object_mut() {
                o.insert("ts".to_owned(), json!(now_secs()));
            }
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{v}");
            let _ = out.flush();
            return;
        }
        self.human(e);
    }

    fn human(&mut self, e: &Event) {
        match e {
            Event::RunStarted { migrations } => {
                self.line(&format!("tack apply: {migrations} migration(s) to run"))
            }
            Event::MigrationSkipped { migration, reason } => {
                self.line(&format!("· {migration}: {reason}"))
            }
            Event::MigrationStarted {
                migration,
                steps,
                resumed,
            } => self.line(&format!(
                "▸ {migration}: {steps} step(s){}",
                if *resumed { ", resuming" } else { "" }
            )),
            Event::MigrationFinished { migration, seconds } => {
                self.line(&format!("✓ {migration} applied in {seconds:.1} s"))
            }
            Event::StepStarted { step, phase, sql, .. } => {
                let first = sql.lines().next().unwrap_or("");
                self.line(&format!("  ▸ {step} [{phase}] {first}"))
            }
            Event::StepSkipped { step, reason, .. } => {
                self.line(&format!("  · {step} skipped: {reason}"))
            }
            Event::CleanupRan { step, sql, .. } => {
                self.line(&format!("  · {step} cleanup: {sql}"))
            }
            Event::LockRetry {
                step,
                attempt,
                max_attempts,
                wait_ms,
                error,
                ..
            } => self.line(&format!(
                "  ! {step}: attempt {attempt}/{max_attempts} did not get its lock ({error}); retrying in {:.1} s",
                *wait_ms as f64 / 1000.0
            )),
            Event::StepFinished {
                step,
                attempts,
                seconds,
                ..
            } => self.line(&format!(
                "  ✓ {step} done in {seconds:.2} s{}",
                if *attempts > 1 {
                    format!(" ({attempts} attempts)")
                } else {
                    String::new()
                }
            )),
            Event::StepFailed {
                step,
                attempts,
                error,
                ..
            } => self.line(&format!("  ✗ {step} failed after {attempts} attempt(s): {error}")),
            Event::BackfillStarted {
                step,
                table,
                unit,
                position,
                total,
                rows_done,
                resumed,
                ..
            } => {
                if *resumed {
                    self.line(&format!(
                        "    backfill of {table} resumes from its cursor ({rows_done} rows already written)"
                    ));
                }
                let bar = self.bars.as_ref().map(|mp| {
                    let bar = match total {
                        Some(t) => ProgressBar::new(*t),
                        None => ProgressBar::new_spinner(),
                    };
                    let style = ProgressStyle::with_template(
                        "    {bar:30.cyan/blue} {pos}/{len} {prefix} · {elapsed_precise} · ETA {eta} · {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
                    let bar = mp.add(bar);
                    bar.set_style(style);
                    bar.set_prefix(unit.clone());
                    bar.set_position(*position);
                    bar.enable_steady_tick(Duration::from_millis(200));
                    bar
                });
                self.backfills.insert(
                    step.clone(),
                    Backfill {
                        bar,
                        started: Instant::now(),
                        rows_at_start: *rows_done,
                        rows_done: *rows_done,
                        unit: unit.clone(),
                        last_line: Instant::now(),
                    },
                );
            }
            Event::BatchDone {
                step,
                rows_done,
                position,
                total,
                ..
            } => {
                let mut line = None;
                if let Some(b) = self.backfills.get_mut(step) {
                    b.rows_done = *rows_done;
                    let secs = b.started.elapsed().as_secs_f64().max(0.001);
                    let rate = (rows_done - b.rows_at_start.min(*rows_done)) as f64 / secs;
                    let msg = format!("{rows_done} rows written, {rate:.0} rows/s");
                    match &b.bar {
                        Some(bar) => {
                            if let Some(t) = total {
                                bar.set_length(*t);
                            }
                            bar.set_position(*position);
                            bar.set_message(msg);
                        }
                        None if b.last_line.elapsed() >= Duration::from_secs(2) => {
                            b.last_line = Instant::now();
                            let of = total.map(|t| format!("/{t}")).unwrap_or_default();
                            line = Some(format!("    {step}: {position}{of} {} · {msg}", b.unit));
                        }
                        None => {}
                    }
                }
                if let Some(l) = line {
                    self.line(&l);
                }
            }
            Event::Throttled { step, reason, .. } => {
                self.waiting(step, &format!("waiting: {reason}"))
            }
            Event::Paused { step, .. } => {
                self.waiting(step, "paused: run `tack resume` to continue")
            }
            Event::ThrottleCleared {
                step, waited_ms, ..
            } => self.waiting(
                step,
                &format!("continuing after {:.1} s of waiting", *waited_ms as f64 / 1000.0),
            ),
            Event::BackfillFinished {
                step,
                rows_done,
                seconds,
                ..
            } => {
                if let Some(b) = self.backfills.remove(step) {
                    if let Some(bar) = b.bar {
                        bar.finish_and_clear();
                    }
                }
                self.line(&format!(
                    "    backfill done: {rows_done} rows written in {seconds:.1} s"
                ));
            }
            Event::Interrupted { step, .. } => {
                for (_, b) in self.backfills.drain() {
                    if let Some(bar) = b.bar {
                        bar.abandon();
                    }
                }
                self.line(&format!(
                    "  ■ interrupted{}: run `tack apply` again to resume",
                    step.as_ref().map(|s| format!(" at {s}")).unwrap_or_default()
                ))
            }
            Event::RunFinished { ok, seconds } => {
                for (_, b) in self.backfills.drain() {
                    if let Some(bar) = b.bar {
                        bar.abandon();
                    }
                }
                if *ok {
                    self.line(&format!("tack apply: done in {seconds:.1} s"));
                }
            }
        }
    }

    fn waiting(&mut self, step: &str, msg: &str) {
        let plain = match self.backfills.get(step) {
            Some(Backfill { bar: Some(bar), .. }) => {
                bar.set_message(msg.to_owned());
                false
            }
            _ => true,
        };
        if plain {
            self.line(&format!("    {step}: {msg}"));
        }
    }
}

/// `tack pause` / `tack resume`: sets the pause flag running backfills check between batches.
pub fn pause(args: &TargetArgs, paused: bool) -> Result<u8, String> {
    let url = target_url(
        args.database_url.as_deref(),
        if paused { "tack pause" } else { "tack resume" },
    )?;
    let rt = runtime()?;
    rt.block_on(async {
        let conn = tack_postgres::connect(&url)
            .await
            .map_err(|e| e.to_string())?;
        tack_postgres::state::set_paused(conn.client(), paused)
            .await
            .map_err(|e| format!("setting the pause flag on {}: {e}", shown(&url)))
    })?;
    match (args.format, paused) {
        (PlanFormat::Json, _) => println!("{}", json!({ "paused": paused })),
        (PlanFormat::Human, true) => println!(
            "paused: running backfills finish their current batch and wait; `tack resume` continues"
        ),
        (PlanFormat::Human, false) => println!("resumed: backfills continue"),
    }
    Ok(0)
}
