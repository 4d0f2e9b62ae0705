//! `tack apply`, `tack pause` / `tack resume`: run the plan on a live database
//! (`tack_ops::apply`) and steer the run through the target's state store.
//!
//! Settings come from the flags, then tack.toml's `[apply]`, then the built-in defaults. The
//! executor's events are rendered as progress (bars on a terminal) or JSON lines
//! (`--log-format json`); `--format` is the output of `--dry-run` (the SQL script, or JSON), and
//! is refused without it so nobody waits for JSON that a real run never prints.
//!
//! Exit codes: 0 applied; 1 a step failed, a refusal, another run holds the lock, a changed or
//! out-of-order migration, migrations not matching tack.sum, or an interruption (the run is
//! resumable); 2 usage, I/O or connection problems.

use super::{layout_notes, paths_or_default, read_migrations, runtime, target_url, Outcome};
use crate::cli::{ApplyArgs, PlanFormat, TargetArgs};
use crate::config::{defaults, Config, Setting};
use crate::render;
use serde_json::json;
use std::time::Duration;
use tack_exec::{Event, ExecError, Options, StateStore, ThrottleLimits, Timeouts};
use tack_ops::apply::{ApplyOptions, ApplyOutcome, Blocked};
use tack_ops::engine::Engine;
use tack_ops::project::history;
use tack_ops::project::{sources, Tool};
use tack_ops::{Error, PgEngine};

/// Test hook: the process aborts right after this step is recorded done (crash tests only).
const CRASH_AFTER_STEP: &str = "TACK_TEST_CRASH_AFTER_STEP";

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
) -> Result<(Duration, String), Error> {
    let (text, at) = pick(flag.clone(), name, file, default.to_owned());
    tack_exec::parse_duration(&text)
        .map(|d| (d, at.clone()))
        .map_err(|e| Error::usage(e).at(at))
}

/// The executor's options from the command line and tack.toml.
pub fn exec_options(args: &ApplyArgs, config: &Config) -> Result<Options, Error> {
    let file = &config.apply;
    let (lock_timeout, at) = duration(
        &args.lock_timeout,
        "lock-timeout",
        &file.lock_timeout,
        defaults::LOCK_TIMEOUT,
    )?;
    if lock_timeout.is_zero() {
        return Err(Error::usage("0 would wait for locks forever; give e.g. 1s").at(at));
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
        return Err(Error::usage("the batch time must be more than 0").at(at));
    }
    let (max_attempts, at) = pick(
        args.max_attempts,
        "max-attempts",
        &file.max_attempts,
        defaults::MAX_ATTEMPTS,
    );
    if max_attempts == 0 {
        return Err(Error::usage("at least 1 attempt is needed").at(at));
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
            .map(|s| {
                tack_exec::parse_lag_limit(&s.value).map_err(|e| Error::usage(e).at(s.at.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        args.max_replication_lag
            .iter()
            .map(|l| {
                tack_exec::parse_lag_limit(l)
                    .map_err(|e| Error::usage(e).at("--max-replication-lag"))
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

pub fn apply(args: &ApplyArgs) -> Outcome {
    let config = Config::load(args.plan.target.config.as_deref())?;
    let exec = exec_options(args, &config)?;
    let engine = PgEngine;
    tack_ops::plan::check_allow(engine.dialect(), &args.plan.allow)?;
    if args.plan.target.offline && !args.dry_run {
        return Err(Error::usage(
            "tack apply runs on a database: --offline only goes with --dry-run",
        ));
    }
    if args.plan.format == PlanFormat::Json && !args.dry_run {
        return Err(Error::usage(
            "--format is what --dry-run prints; a real run's progress is --log-format",
        )
        .hint("use --log-format json for JSON events, or add --dry-run for the plan as JSON"));
    }
    if !super::sum::guard(&paths_or_default(&args.plan.paths, &config), "tack apply")? {
        return Ok(1);
    }
    let options = ApplyOptions {
        exec,
        allow: args.plan.allow.clone(),
        allow_out_of_order: args.allow_out_of_order,
        allow_drift: args.allow_drift,
        dev_url: args.dev.dev_url.clone(),
        replica_urls: args.replica_url.clone(),
    };
    let url = if args.plan.target.offline {
        None
    } else {
        config.database_url(args.plan.target.database_url.as_deref())
    };
    let migrations = read_migrations(&args.plan.paths, &config, &args.plan.layout, url.as_deref())?;
    let sources = &migrations.project.sources;
    let parsed = sources::parse_all(engine.dialect(), sources);
    tack_ops::plan::check_syntax(sources, &parsed)?;
    if args.dry_run {
        let version = super::plan::given_version(&args.plan.target, &config)?;
        let dry = runtime()?.block_on(tack_ops::apply::dry_run(
            &engine,
            url.as_deref(),
            version,
            sources,
            &parsed,
            &migrations.applied,
            &options,
        ))?;
        for note in layout_notes(&migrations) {
            eprintln!("tack apply: note: {note}");
        }
        match args.plan.format {
            PlanFormat::Human => out!("{}", dry.script),
            PlanFormat::Json => outln!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "script": dry.script,
                    "refused": dry.refused,
                }))
                .unwrap_or_default()
            ),
        }
        return Ok(if dry.refused { 1 } else { 0 });
    }
    let url = target_url(
        &config,
        args.plan.target.database_url.as_deref(),
        "tack apply",
    )?;
    let mut events = render::events::events(args.log_format);
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
    let rt = runtime()?;
    let outcome = rt.block_on(async {
        let stop = stop_on_ctrl_c();
        tack_ops::apply::apply(
            &engine,
            &url,
            sources,
            &parsed,
            &migrations.histories,
            options,
            events,
            stop,
        )
        .await
    })?;
    Ok(report(&outcome))
}

/// A stop channel that turns true on Ctrl-C (a second Ctrl-C quits at once).
pub fn stop_on_ctrl_c() -> tokio::sync::watch::Receiver<bool> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop_tx.send(true);
            errln!("tack: stopping after the current batch or step (Ctrl-C again to quit now)");
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    stop_rx
}

fn short(checksum: &str) -> &str {
    checksum.get(..12).unwrap_or(checksum)
}

/// Says how the apply ended (on stderr) and returns the exit code.
fn report(outcome: &ApplyOutcome) -> u8 {
    match outcome {
        ApplyOutcome::Done { waiting } => {
            if !waiting.is_empty() {
                errln!(
                    "tack apply: {} wait(s) for `tack complete` once the application no longer \
                     uses the old shape: {}",
                    waiting.len(),
                    waiting.join(", ")
                );
            }
            0
        }
        ApplyOutcome::Locked(holder) => {
            errln!("tack apply: {}", ExecError::Locked(holder.clone()));
            1
        }
        ApplyOutcome::Failed {
            migration,
            step,
            error,
        } => {
            errln!(
                "tack apply: step {step} of {migration} failed: {error}\n\
                 The database is consistent: the failed step was rolled back (or is cleaned up \
                 on the next run). Run `tack apply` again to resume from this step once the cause \
                 is fixed (a corrected migration file is planned again), or `tack rollback` to \
                 undo what it did; `tack status` shows the state."
            );
            1
        }
        ApplyOutcome::Interrupted => {
            errln!("tack apply: interrupted; run `tack apply` again to resume");
            1
        }
        ApplyOutcome::Blocked(blocked) => {
            errln!("tack apply: nothing was run: {}", blocked_message(blocked));
            1
        }
    }
}

fn blocked_message(blocked: &Blocked) -> String {
    match blocked {
        Blocked::Changed {
            migration,
            file,
            recorded,
            now,
        } => format!(
            "migration {migration} has changed since it was applied (checksum {} then, {} now): \
             applied migrations must not be edited; revert the edit, and put the change in a new \
             migration\n  (`git log -p {file}` shows the edit; `tack status` lists every changed \
             file)",
            short(recorded),
            short(now)
        ),
        Blocked::SameVersion(twins) => twins
            .iter()
            .map(|(first, second)| {
                format!(
                    "{first} and {second} have the same version (two branches each added one?); \
                     give the one that was not applied anywhere the next free version, then run \
                     `tack sum`"
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Blocked::OutOfOrder(late) => history::out_of_order_message(late)
            .trim_start_matches("nothing was run: ")
            .to_owned(),
        Blocked::Drifted(report) => format!(
            "the schema has drifted from its migrations\n\n{}Reconcile it (the SQL above, or a \
             new migration that makes the change on purpose), or run with --allow-drift to apply \
             on top of it.",
            render::drift::render_drift(report)
        ),
        Blocked::ToolFailed {
            tool,
            table,
            version,
        } => format!(
            "{tool}'s history ({table}) records migration {version} as failed half-way: the \
             schema is in a state no migration describes\n  Finish or undo that migration's \
             statements by hand, then {}; `tack apply` continues from there.",
            match tool {
                Tool::GolangMigrate => format!(
                    "mark it clean with `migrate force <the version now in effect>` (or `UPDATE \
                     {table} SET dirty = false, version = ...`)"
                ),
                Tool::Flyway => "run `flyway repair` to remove the failed row".to_owned(),
                _ => format!("delete its failed row from {table}"),
            }
        ),
        Blocked::Refused(refused) => {
            let mut out = format!("the plan refuses {} statement(s)\n", refused.len());
            for (name, r) in refused {
                out.push_str(&format!(
                    "\n{name}: refused [{}]: {}\n",
                    r.rule, r.statement
                ));
                out.push_str(&render::refusal(r, ""));
            }
            out
        }
    }
}

/// `tack pause` / `tack resume`: sets the pause flag running backfills check between batches.
pub fn pause(args: &TargetArgs, paused: bool) -> Outcome {
    let config = Config::load(None)?;
    let url = target_url(
        &config,
        args.database_url.as_deref(),
        if paused { "tack pause" } else { "tack resume" },
    )?;
    let engine = PgEngine;
    runtime()?.block_on(async {
        let mut store = engine.store(&url).await?;
        store.set_paused(paused).await.map_err(|e| {
            Error::from(e).context(format!("setting the pause flag on {}", engine.shown(&url)))
        })
    })?;
    match (args.format, paused) {
        (PlanFormat::Json, _) => outln!("{}", json!({ "paused": paused })),
        (PlanFormat::Human, true) => outln!(
            "paused: running backfills finish their current batch and wait; `tack resume` continues"
        ),
        (PlanFormat::Human, false) => outln!("resumed: backfills continue"),
    }
    Ok(0)
}
