//! The apply use case: run the pending migrations on a live database.
//!
//! Takes the run lock, refuses applied migrations that changed, two files with the same version
//! and pending ones that sort before applied ones (out of order), skips the migrations recorded
//! as applied (same checksum), plans the others against the live catalog (a migration interrupted
//! earlier continues with the plan it recorded), refuses when the plan has refusals or the schema
//! drifted, and runs the steps with the executor, one migration at a time so that each one's
//! history (version, duration, who, which tack, the schema fingerprint) is recorded when it ends.
//! `dry_run` says what would run without running anything.

use crate::drift::DriftReport;
use crate::engine::{DriftGuard, DriftVerdict, Engine};
use crate::error::{Error, Result};
use crate::facts::{self, FactsRequest};
use crate::plan;
use crate::project::applied::{self, Applied, ToolHistory};
use crate::project::history::{self, OutOfOrder, Recorded};
use crate::project::{Source, Tool};
use std::collections::HashMap;
use std::time::Instant;
use tack_core::plan::{PlanOptions, Refusal};
use tack_core::{Dialect, ParsedFile, Statement};
use tack_exec::{
    Event, Events, ExecError, Executor, LockHolder, Migration, MigrationRecord, Options, Outcome,
    RunRecord, StateStore, Status,
};
use tokio::sync::watch;

/// How to apply.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    pub exec: Options,
    /// Rule ids whose refusals are overridden.
    pub allow: Vec<String>,
    pub allow_out_of_order: bool,
    pub allow_drift: bool,
    /// Where scratch databases may be made for the drift check.
    pub dev_url: Option<String>,
    /// Replicas to measure lag on.
    pub replica_urls: Vec<String>,
}

/// Why nothing was run.
#[derive(Debug)]
pub enum Blocked {
    /// An applied (or started) migration's file changed since.
    Changed {
        migration: String,
        file: String,
        recorded: String,
        now: String,
    },
    /// Two files with the same version.
    SameVersion(Vec<(String, String)>),
    /// Pending migrations that sort before applied ones.
    OutOfOrder(Vec<OutOfOrder>),
    /// The plan refuses statements: (migration, refusal).
    Refused(Vec<(String, Refusal)>),
    /// The live schema drifted from its migrations.
    Drifted(Box<DriftReport>),
    /// Another tool's history records a migration that failed half-way: the database is in a
    /// state no migration describes until someone repairs it.
    ToolFailed {
        tool: Tool,
        table: String,
        version: String,
    },
}

/// How an apply ended.
#[derive(Debug)]
pub enum ApplyOutcome {
    /// Every pending migration is applied (those with a complete stage wait for `tack
    /// complete`, listed).
    Done { waiting: Vec<String> },
    /// Another run holds the run lock.
    Locked(LockHolder),
    /// Nothing was run.
    Blocked(Blocked),
    /// A step failed; the database is consistent and the next run resumes at this step.
    Failed {
        migration: String,
        step: String,
        error: String,
    },
    /// A stop was requested; the run ended cleanly and can be resumed.
    Interrupted,
}

/// What `apply` does with one file.
enum Work {
    /// Applied: recorded by tack with the same checksum, or by the project's previous tool
    /// (why).
    Skip(String, String),
    Run(Migration),
}

/// How a state-store record counts for the out-of-order check.
fn recorded_as(r: Option<&MigrationRecord>) -> Recorded {
    match r {
        None => Recorded::Never,
        Some(r) if r.status == Status::Done || r.status == Status::Expanded => Recorded::Applied,
        Some(_) => Recorded::Unfinished,
    }
}

/// Applies `sources` (parsed into `parsed`, syntax checked) to the database at `url`; those that
/// `histories` (other tools' history tables there) record as applied are skipped. Events go to
/// `events`; a `true` on `stop` ends the run cleanly after the current batch or step.
#[allow(clippy::too_many_arguments)]
pub async fn apply<E: Engine>(
    engine: &E,
    url: &str,
    sources: &[Source],
    parsed: &[ParsedFile],
    histories: &[ToolHistory],
    options: ApplyOptions,
    events: Events,
    stop: watch::Receiver<bool>,
) -> Result<ApplyOutcome> {
    plan::check_syntax(sources, parsed)?;
    plan::check_allow(engine.dialect(), &options.allow)?;
    let runner = engine.runner(url, &options.replica_urls).await?;
    let mut exec = Executor::new(runner, options.exec.clone(), events);
    exec.stop_on(stop);
    match exec.lock().await {
        Ok(()) => {}
        Err(ExecError::Locked(holder)) => return Ok(ApplyOutcome::Locked(holder)),
        Err(e) => return Err(Error::from(e).context(engine.shown(url))),
    }
    let result = plan_and_run(engine, url, &mut exec, sources, parsed, histories, &options).await;
    let unlocked = exec.unlock().await;
    let outcome = result?;
    unlocked?;
    Ok(outcome)
}

async fn plan_and_run<E: Engine>(
    engine: &E,
    url: &str,
    exec: &mut Executor<E::Runner>,
    sources: &[Source],
    parsed: &[ParsedFile],
    histories: &[ToolHistory],
    options: &ApplyOptions,
) -> Result<ApplyOutcome> {
    // What the project's previous tool applied (tack never runs those again), and what it left
    // half-way (nothing runs on top of that until it is repaired).
    let by_tool: Applied = applied::from_database(sources, &[], histories);
    if let Some((tool, table, version)) = by_tool.failed.first() {
        return Ok(ApplyOutcome::Blocked(Blocked::ToolFailed {
            tool: *tool,
            table: table.clone(),
            version: version.clone(),
        }));
    }
    // A database with a schema and no tack history is adopted before anything runs: its schema
    // is the baseline later drift checks start from. Not being able to is worth a warning only.
    match engine.adopt(url, exec.target(), sources, histories).await {
        Ok(Some(note)) => exec.emit(Event::Note { message: note }),
        Ok(None) => {}
        Err(e) => exec.emit(Event::Warning {
            message: format!("could not record the schema adopted as the baseline: {e}"),
        }),
    }
    // The catalog as it is now, under the run lock.
    let (version, mut catalog) = engine.facts(url).await?;
    let plan_options = PlanOptions {
        version,
        allow: options.allow.clone(),
    };

    // Records an earlier tack made under another identity are renamed first (upgrade in place).
    for source in sources {
        let Some(legacy) = history::legacy_name(source) else {
            continue;
        };
        if exec.recorded(&source.id).await?.is_some() {
            continue;
        }
        if let Some(old) = exec.recorded(&legacy).await? {
            if old.checksum == source.checksum {
                exec.target().rename(&legacy, &source.id).await?;
                exec.emit(Event::Note {
                    message: format!(
                        "the record of {legacy} (an earlier tack's name for it) is now {}",
                        source.id
                    ),
                });
            }
        }
    }
    // What the state store knows of each file, checked before anything is planned or run.
    let names: Vec<String> = sources.iter().map(|s| s.id.clone()).collect();
    let mut records = HashMap::new();
    for (source, name) in sources.iter().zip(&names) {
        let sum = source.checksum.clone();
        if let Some(r) = exec.recorded(name).await? {
            // An applied migration must not change; one that never completed may be corrected
            // (it is planned again below).
            if r.checksum != sum && matches!(r.status, Status::Done | Status::Expanded) {
                return Ok(ApplyOutcome::Blocked(Blocked::Changed {
                    migration: name.clone(),
                    file: source.file.name.clone(),
                    recorded: r.checksum.clone(),
                    now: sum,
                }));
            }
            records.insert(name.clone(), r);
        }
    }
    let versions: Vec<(String, Option<String>)> = sources
        .iter()
        .map(|s| (s.id.clone(), s.version.clone()))
        .collect();
    let twins = history::duplicate_versions(&versions);
    if !twins.is_empty() {
        return Ok(ApplyOutcome::Blocked(Blocked::SameVersion(twins)));
    }
    if !options.allow_out_of_order {
        let late = history::out_of_order(&names, |n| match records.get(n) {
            None if by_tool.contains(n) => Recorded::Applied,
            r => recorded_as(r),
        });
        if !late.is_empty() {
            return Ok(ApplyOutcome::Blocked(Blocked::OutOfOrder(late)));
        }
    }

    let mut work = Vec::new();
    let mut refused = Vec::new();
    let mut replanned = Vec::new();
    for ((source, parsed), name) in sources.iter().zip(parsed).zip(names) {
        let sum = source.checksum.clone();
        let recorded = records.remove(&name);
        if let Some(by) = by_tool.by.get(&name).filter(|_| recorded.is_none()) {
            work.push(Work::Skip(name, format!("applied by {by}")));
            continue;
        }
        if recorded
            .as_ref()
            .is_some_and(|r| r.status == Status::Done || r.status == Status::Expanded)
        {
            // Applied: the live catalog has its effects; nothing to plan.
            work.push(Work::Skip(
                name,
                "already applied (same checksum)".to_owned(),
            ));
            continue;
        }
        // Planned against the catalog left by the migrations before it (the planner's catalog
        // learns from each statement).
        let statements = Statement::all(&source.file.text, parsed);
        let plan = engine
            .dialect()
            .plan(&name, &statements, &mut catalog, &plan_options);
        let migration = Migration::from_plan(&name, &sum, &plan);
        // Planned afresh: never recorded; corrected after it failed (its checksum changed);
        // rolled back. An interrupted migration of the same text continues with the steps it
        // recorded instead (the executor reads them back; its new plan only taught the catalog).
        let fresh = match &recorded {
            None => true,
            Some(r) => r.checksum != sum || r.status == Status::RolledBack,
        };
        if fresh {
            for r in &plan.refused {
                refused.push((name.clone(), r.clone()));
            }
        }
        if let Some(r) = recorded.filter(|_| fresh) {
            replanned.push((r, migration.clone()));
        }
        work.push(Work::Run(migration));
    }
    // After the cheap refusals (changed or out-of-order files), which need no scratch database.
    if !options.allow_drift {
        let verdict = engine
            .drift_guard(
                DriftGuard {
                    url,
                    dev_url: options.dev_url.as_deref(),
                    sources,
                    histories,
                },
                exec.target(),
            )
            .await?;
        match verdict {
            DriftVerdict::Clean => {}
            DriftVerdict::Drifted(report) => {
                return Ok(ApplyOutcome::Blocked(Blocked::Drifted(report)))
            }
            DriftVerdict::NotChecked(note) => exec.emit(Event::Warning { message: note }),
        }
    }
    if !refused.is_empty() {
        return Ok(ApplyOutcome::Blocked(Blocked::Refused(refused)));
    }
    for (old, new) in &replanned {
        exec.target().replace_plan(new).await?;
        exec.emit(Event::Warning {
            message: replanned_note(old, new),
        });
    }

    let mut migrations = Vec::new();
    for w in work {
        match w {
            Work::Skip(name, reason) => exec.emit(Event::MigrationSkipped {
                migration: name,
                reason,
            }),
            Work::Run(m) => migrations.push(m),
        }
    }
    // One migration at a time (the same events as `Executor::run`), so that each one's history
    // is recorded as it ends.
    let clock = exec.begin_run(migrations.len());
    let mut outcome = Ok(Outcome::Done);
    let mut waiting = Vec::new();
    for m in &migrations {
        let started = Instant::now();
        outcome = exec.run_migration(m).await;
        if outcome.is_ok() {
            let version = sources
                .iter()
                .find(|s| s.id == m.name)
                .and_then(|s| s.version.clone());
            record_run(exec, &m.name, version, started).await;
        }
        match &outcome {
            Ok(Outcome::Done) => {}
            Ok(Outcome::Expanded { migration }) => waiting.push(migration.clone()),
            _ => break,
        }
        // The migration's start stage is done and the next has not started: the schema is the
        // one this migration left. A recorded fingerprint vouches for that schema in the drift
        // guard's fast path, so none is recorded under --allow-drift: the schema the run
        // started from was not checked and may have drifted, and recording what it left would
        // let the next run accept that drift without the flag. The next run makes the full
        // check instead.
        if !options.allow_drift {
            match engine.fingerprint(exec.target()).await {
                Ok(Some(fingerprint)) => {
                    if let Err(e) = exec
                        .target()
                        .record_fingerprint(&m.name, &fingerprint)
                        .await
                    {
                        exec.emit(Event::Warning {
                            message: format!(
                                "could not record the schema fingerprint after {}: {e}",
                                m.name
                            ),
                        });
                    }
                }
                Ok(None) => {}
                Err(e) => exec.emit(Event::Warning {
                    message: format!("after {}: {e}", m.name),
                }),
            }
        }
    }
    let ok = matches!(outcome, Ok(Outcome::Done) | Ok(Outcome::Expanded { .. }));
    exec.end_run(clock, ok);
    match outcome {
        Ok(Outcome::Done) | Ok(Outcome::Expanded { .. }) => Ok(ApplyOutcome::Done { waiting }),
        Ok(Outcome::Failed {
            migration,
            step,
            error,
        }) => Ok(ApplyOutcome::Failed {
            migration,
            step,
            error,
        }),
        Ok(Outcome::Interrupted) => Ok(ApplyOutcome::Interrupted),
        Err(ExecError::Changed {
            migration,
            recorded,
            now,
        }) => Ok(ApplyOutcome::Blocked(Blocked::Changed {
            file: migration.clone(),
            migration,
            recorded,
            now,
        })),
        Err(e) => Err(Error::from(e)
            .context(engine.shown(url))
            .hint("run `tack apply` again to resume once it is reachable")),
    }
}

/// What a person should know about a migration planned again: corrected after it failed (its
/// steps are re-checked against the catalog: what the old version did and the new one also does
/// is not done twice), or rolled back.
fn replanned_note(old: &MigrationRecord, new: &Migration) -> String {
    if old.status == Status::RolledBack && old.checksum == new.checksum {
        return format!("{} was rolled back: it is applied again", new.name);
    }
    let kept: Vec<String> = new.steps.iter().map(|s| s.display_sql()).collect();
    let dropped: Vec<String> = old
        .steps
        .iter()
        .filter(|s| s.status == Status::Done && !kept.contains(&s.sql))
        .map(|s| format!("{} `{}`", s.id, one_line(&s.sql)))
        .collect();
    let mut note = format!(
        "{} changed since its last run ({}): planned again; steps already in the catalog are skipped",
        new.name,
        old.status.as_str()
    );
    if !dropped.is_empty() {
        note.push_str(&format!(
            "; done steps of the old version that the new one no longer has are left as they \
             are: {} (`tack rollback` with the old file undoes them)",
            dropped.join(", ")
        ));
    }
    note
}

fn one_line(sql: &str) -> String {
    let line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 60 {
        format!("{}…", line.chars().take(57).collect::<String>())
    } else {
        line
    }
}

/// Records the history of a migration a run worked on (whatever the outcome: a failed or
/// interrupted migration's time counts too). A failure to record is a warning, not fatal: the
/// migration's effect and its status are already recorded.
async fn record_run<T: tack_exec::Target + StateStore>(
    exec: &mut Executor<T>,
    name: &str,
    version: Option<String>,
    started: Instant,
) {
    let run = RunRecord {
        migration: name.to_owned(),
        version: version.unwrap_or_else(|| name.to_owned()),
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        applied_by: history::client_host(),
        tack_version: crate::TACK_VERSION.to_owned(),
    };
    if let Err(e) = exec.target().record_run(&run).await {
        exec.emit(Event::Warning {
            message: format!("could not record the history of {name}: {e}"),
        });
    }
}

/// What `--dry-run` found.
pub struct DryRun {
    /// Every statement that would run, in order, with its settings, as an SQL script.
    pub script: String,
    /// Something would be refused (a statement, an out-of-order file).
    pub refused: bool,
}

/// `--dry-run`: every statement that would run, in order, with its settings; nothing is run.
/// Connected (`url`), the migrations the state store records as applied are left out, as apply
/// does (not planned either: the live catalog already has their effects).
pub async fn dry_run<E: Engine>(
    engine: &E,
    url: Option<&str>,
    version: Option<(tack_core::Version, &'static str)>,
    sources: &[Source],
    parsed: &[ParsedFile],
    applied: &Applied,
    options: &ApplyOptions,
) -> Result<DryRun> {
    // name → (checksum recorded, done)
    let mut recorded: HashMap<String, (String, bool)> = HashMap::new();
    if let Some(url) = url {
        let mut store = engine.store(url).await?;
        let report = store
            .report()
            .await
            .map_err(|e| Error::from(e).context("reading the state store"))?;
        for m in report.migrations {
            let done = matches!(m.status, Status::Done | Status::Expanded);
            recorded.insert(m.name, (m.checksum, done));
        }
    }
    let facts = facts::resolve(engine, FactsRequest { version, url }).await?;
    let planned = plan::plan(
        engine.dialect(),
        sources,
        parsed,
        facts,
        &options.allow,
        applied,
    )?;
    let version = planned.facts.info.version;
    let exec = &options.exec;
    let mut out = String::new();
    out.push_str("-- tack apply --dry-run: what would run, in order; nothing was run.\n");
    out.push_str(&format!("-- pending: {}\n", applied.assumption()));
    out.push_str(&format!(
        "-- lock timeouts are retried {} times at most within {} s, with jittered exponential backoff.\n",
        exec.max_attempts,
        exec.retry_budget.as_secs()
    ));
    let mut refused = false;
    if !options.allow_out_of_order {
        let names: Vec<String> = planned.migrations.iter().map(|m| m.name.clone()).collect();
        let late = history::out_of_order(&names, |n| match recorded.get(n) {
            None if applied.contains(n) => Recorded::Applied,
            None => Recorded::Never,
            Some((_, true)) => Recorded::Applied,
            Some((_, false)) => Recorded::Unfinished,
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
        let sum = m.checksum.clone();
        out.push_str(&format!(
            "\n-- migration {} (sha256 {})\n",
            m.name,
            &sum[..12]
        ));
        if let Some(by) = &m.applied_by {
            match recorded.get(&m.name) {
                Some((was, true)) if *was != sum => {
                    refused = true;
                    out.push_str(&format!(
                        "-- REFUSED: changed since it was applied (sha256 {} recorded): revert \
                         the edit and put the change in a new migration\n",
                        &was[..was.len().min(12)]
                    ));
                }
                _ => out.push_str(&format!("-- already applied (by {by}): skipped\n")),
            }
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
            out.push_str(&format!(
                "\n-- step {} [{}]{}{}\n",
                step.id,
                step.phase.as_str(),
                if step.stage == tack_core::plan::Stage::Complete {
                    " (at `tack complete`)"
                } else {
                    ""
                },
                match (&step.lock, &step.table) {
                    (Some(l), Some(t)) => format!(" {l} on {}", engine.dialect().quote_name(t)),
                    _ => String::new(),
                }
            ));
            if let Some(p) = &step.done_probe {
                out.push_str(&format!("-- skipped when: {p}\n"));
            }
            out.push_str(&engine.dry_run_step(
                &m.name,
                step,
                version,
                exec.timeouts.lock_timeout,
                exec.timeouts.statement_timeout,
            ));
        }
    }
    Ok(DryRun {
        script: out,
        refused,
    })
}
