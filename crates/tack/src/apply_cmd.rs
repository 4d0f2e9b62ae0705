//! `tack apply`, `tack status`, `tack pause` / `tack resume`: run a plan on a live database and
//! inspect or steer the run through the target's `tack` schema.
//!
//! `apply` reads and parses the migrations, takes the run lock, skips the migrations recorded as
//! applied (same checksum), plans the others against the live catalog (a migration interrupted
//! earlier continues with the plan it recorded), refuses when the plan has refusals, and runs
//! the steps with `tack-exec`. The executor's events are rendered as progress (bars on a
//! terminal) or JSON lines.
//!
//! Exit codes: 0 applied; 1 a step failed, a refusal, another run holds the lock, a changed
//! migration, or an interruption (the run is resumable); 2 usage, I/O or connection problems.

use crate::cli::{ApplyArgs, LogFormat, PlanFormat, TargetArgs};
use crate::config::Config;
use crate::plan_cmd;
use crate::sources::{self, Source};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use sha2::{Digest, Sha256};
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

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// The target URL: `--database-url` / DATABASE_URL, or "" for the PG* variables.
fn target_url(database_url: Option<&str>, command: &str) -> Result<String, String> {
    match database_url {
        Some(u) if !u.is_empty() => Ok(u.to_owned()),
        _ if crate::target::PG_VARS
            .iter()
            .any(|v| std::env::var_os(v).is_some()) =>
        {
            Ok(String::new())
        }
        _ => Err(format!(
            "{command} needs a database: give --database-url (or DATABASE_URL, or PG* variables)"
        )),
    }
}

fn shown(url: &str) -> String {
    if url.is_empty() {
        "the server named by the PG* variables".to_owned()
    } else {
        tack_postgres::redact(url)
    }
}

/// sha256 of a migration's text, hex.
pub fn checksum(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The executor's options from the command line.
fn options(args: &ApplyArgs) -> Result<Options, String> {
    let flag = |name: &str, r: Result<Duration, String>| r.map_err(|e| format!("--{name}: {e}"));
    let lock_timeout = flag(
        "lock-timeout",
        tack_exec::parse_duration(&args.lock_timeout),
    )?;
    if lock_timeout.is_zero() {
        return Err("--lock-timeout: 0 would wait for locks forever; give e.g. 1s".to_owned());
    }
    let statement_timeout = flag(
        "statement-timeout",
        tack_exec::parse_duration(&args.statement_timeout),
    )?;
    let retry_budget = flag(
        "retry-budget",
        tack_exec::parse_duration(&args.retry_budget),
    )?;
    let batch_time = flag("batch-time", tack_exec::parse_duration(&args.batch_time))?;
    if batch_time.is_zero() {
        return Err("--batch-time must be more than 0".to_owned());
    }
    if args.max_attempts == 0 {
        return Err("--max-attempts must be at least 1".to_owned());
    }
    let lags = args
        .max_replication_lag
        .iter()
        .map(|l| tack_exec::parse_lag_limit(l).map_err(|e| format!("--max-replication-lag: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Options {
        timeouts: Timeouts {
            lock_timeout,
            statement_timeout,
        },
        max_attempts: args.max_attempts,
        retry_budget,
        batch_time,
        throttle: ThrottleLimits::from_lag_limits(&lags, args.max_lock_waiters),
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
    let options = options(args)?;
    for rule in &args.plan.allow {
        if rule != "all" && tack_core::RuleId::from_name(rule).is_none() {
            return Err(format!("--allow {rule}: no such rule (see `tack rules`)"));
        }
    }
    if args.dry_run {
        return dry_run(args, &options);
    }
    if args.plan.target.offline {
        return Err("tack apply runs on a database: --offline only goes with --dry-run".to_owned());
    }
    let url = target_url(args.plan.target.database_url.as_deref(), "tack apply")?;
    let config = Config::load(args.plan.target.config.as_deref())?;
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

    let mut work = Vec::new();
    let mut refused = Vec::new();
    for (source, parsed) in sources.iter().zip(parsed) {
        let name = plan_cmd::migration_name(&source.file.name);
        let sum = checksum(&source.file.text);
        let recorded = exec.recorded(&name).await.map_err(|e| e.to_string())?;
        match &recorded {
            Some(r) if r.checksum != sum => {
                eprintln!(
                    "tack apply: {}",
                    ExecError::Changed {
                        migration: name,
                        recorded: r.checksum.clone(),
                        now: sum,
                    }
                );
                return Ok(1);
            }
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
    match exec.run(&migrations).await {
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

/// `--dry-run`: every statement that would run, in order, with its settings; nothing is run.
fn dry_run(args: &ApplyArgs, options: &Options) -> Result<u8, String> {
    let planned = plan_cmd::prepare(&args.plan)?;
    let major = planned.target.info.version.major;
    // Connected: leave out what the state store says is applied.
    let mut applied: HashMap<String, String> = HashMap::new();
    if planned.target.info.connected {
        let url = target_url(args.plan.target.database_url.as_deref(), "tack apply")?;
        let rt = runtime()?;
        applied = rt.block_on(async {
            let conn = tack_postgres::connect(&url)
                .await
                .map_err(|e| e.to_string())?;
            let report = tack_postgres::state::report(conn.client())
                .await
                .map_err(|e| format!("reading the tack schema: {e}"))?;
            Ok::<_, String>(
                report
                    .migrations
                    .into_iter()
                    .filter(|m| m.status == tack_exec::Status::Done)
                    .map(|m| (m.name, m.checksum))
                    .collect(),
            )
        })?;
    }
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

/// `tack status`: the migrations and steps recorded in the target.
pub fn status(args: &TargetArgs) -> Result<u8, String> {
    let url = target_url(args.database_url.as_deref(), "tack status")?;
    let rt = runtime()?;
    let report = rt.block_on(async {
        let conn = tack_postgres::connect(&url)
            .await
            .map_err(|e| e.to_string())?;
        tack_postgres::state::report(conn.client())
            .await
            .map_err(|e| format!("reading the tack schema on {}: {e}", shown(&url)))
    })?;
    match args.format {
        PlanFormat::Json => {
            let mut v = serde_json::to_value(&report).map_err(|e| e.to_string())?;
            if let Some(o) = v.as_object_mut() {
                o.insert("database".to_owned(), json!(shown(&url)));
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
            );
        }
        PlanFormat::Human => print!("{}", render_status(&report, &shown(&url))),
    }
    Ok(0)
}

fn render_status(r: &tack_postgres::state::StateReport, target: &str) -> String {
    let mut out = format!("tack state in {target}\n");
    match &r.running {
        Some(h) => out.push_str(&format!("run: in progress ({h})\n")),
        None => out.push_str("run: none in progress\n"),
    }
    if !r.initialized {
        out.push_str("no tack schema: nothing has been applied here by tack\n");
        return out;
    }
    if r.paused {
        out.push_str("paused: yes (backfills wait; `tack resume` continues)\n");
    }
    if r.migrations.is_empty() {
        out.push_str("no migrations recorded\n");
        return out;
    }
    let width = r
        .migrations
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    out.push_str(&format!(
        "\n{:<width$}  {:<8}  {:<20}  {:<20}  steps\n",
        "migration", "status", "started", "finished"
    ));
    for m in &r.migrations {
        let done = m
            .steps
            .iter()
            .filter(|s| s.status == tack_exec::Status::Done)
            .count();
        let status = if m.status == tack_exec::Status::Running && r.running.is_none() {
            "stopped".to_owned()
        } else {
            m.status.as_str().to_owned()
        };
        out.push_str(&format!(
            "{:<width$}  {:<8}  {:<20}  {:<20}  {done}/{}\n",
            m.name,
            status,
            m.started_at.as_deref().unwrap_or("-"),
            m.finished_at.as_deref().unwrap_or("-"),
            m.steps.len()
        ));
        if m.status == tack_exec::Status::Done {
            continue;
        }
        for s in &m.steps {
            let mut line = format!(
                "    {:<8} {:<8} {}",
                s.status.as_str(),
                s.kind,
                s.sql.lines().next().unwrap_or("")
            );
            if s.attempts > 1 {
                line.push_str(&format!("  ({} attempts)", s.attempts));
            }
            if let Some(rows) = s.rows_done {
                line.push_str(&format!("  [{rows} rows written]"));
            }
            out.push_str(&format!("  {}: {line}\n", s.id));
            if let Some(err) = &s.last_error {
                if s.status != tack_exec::Status::Done {
                    out.push_str(&format!("      last error: {err}\n"));
                }
            }
        }
    }
    out
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
