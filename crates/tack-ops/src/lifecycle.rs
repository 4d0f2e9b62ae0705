//! The lifecycle commands, one vocabulary for every kind of change and engine:
//!
//! * `tack complete [PATH]` runs the complete stage of the migrations that wait for it (the
//!   contract of a rollout, dropping an online copy's old table);
//! * `tack rollback [PATH]` undoes migrations that are not complete — failed, interrupted, or
//!   expanded — reversing their steps that ran, newest first;
//! * `tack forget MIGRATION` removes the record of a never-completed migration whose file is
//!   gone.
//!
//! Each takes the run lock, as `tack apply` does.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::project::Source;
use tack_exec::{
    Events, ExecError, Executor, LockHolder, MigrationRecord, Options, Outcome, StateStore, Status,
};
use tokio::sync::watch;

/// How a lifecycle command ended.
#[derive(Debug)]
pub enum LifecycleOutcome {
    /// Done for these migrations (none: nothing waited).
    Done(Vec<String>),
    /// Another run holds the run lock.
    Locked(LockHolder),
    /// A step failed (or cannot be undone): the rest waits; the command can be run again.
    Failed {
        migration: String,
        step: String,
        error: String,
    },
    Interrupted,
}

/// Which migrations a lifecycle command acts on: the records among `sources` (all records when
/// no file was named) whose status `wanted` accepts, in apply order (rollback reverses it).
fn selected(
    records: &[MigrationRecord],
    sources: Option<&[Source]>,
    wanted: impl Fn(Status) -> bool,
) -> Vec<String> {
    match sources {
        Some(sources) => sources
            .iter()
            .map(|s| s.id.clone())
            .filter(|n| records.iter().any(|r| &r.name == n && wanted(r.status)))
            .collect(),
        None => records
            .iter()
            .filter(|r| wanted(r.status))
            .map(|r| r.name.clone())
            .collect(),
    }
}

async fn locked<E: Engine>(
    engine: &E,
    url: &str,
    options: Options,
    events: Events,
    stop: watch::Receiver<bool>,
) -> Result<std::result::Result<Executor<E::Runner>, LockHolder>> {
    let runner = engine.runner(url, &[]).await?;
    let mut exec = Executor::new(runner, options, events);
    exec.stop_on(stop);
    match exec.lock().await {
        Ok(()) => Ok(Ok(exec)),
        Err(ExecError::Locked(holder)) => Ok(Err(holder)),
        Err(e) => Err(Error::from(e).context(engine.shown(url))),
    }
}

/// What a lifecycle run does to each migration it selects.
#[derive(Debug, Clone, Copy)]
enum Step {
    Complete,
    Rollback { leave_irreversible: bool },
}

/// Runs the complete stage of the expanded migrations among `sources` (all, when None).
pub async fn complete<E: Engine>(
    engine: &E,
    url: &str,
    sources: Option<&[Source]>,
    options: Options,
    events: Events,
    stop: watch::Receiver<bool>,
) -> Result<LifecycleOutcome> {
    run(engine, url, sources, Step::Complete, options, events, stop).await
}

/// Rolls back the unfinished migrations among `sources` (all, when None), the newest first.
/// `leave_irreversible`: steps tack cannot undo are reported and left as they are instead of
/// stopping the rollback.
pub async fn rollback<E: Engine>(
    engine: &E,
    url: &str,
    sources: Option<&[Source]>,
    leave_irreversible: bool,
    options: Options,
    events: Events,
    stop: watch::Receiver<bool>,
) -> Result<LifecycleOutcome> {
    let step = Step::Rollback { leave_irreversible };
    run(engine, url, sources, step, options, events, stop).await
}

/// Under the run lock: the selected migrations, one after the other (newest first for a
/// rollback), until one does not end done.
async fn run<E: Engine>(
    engine: &E,
    url: &str,
    sources: Option<&[Source]>,
    step: Step,
    options: Options,
    events: Events,
    stop: watch::Receiver<bool>,
) -> Result<LifecycleOutcome> {
    let mut exec = match locked(engine, url, options, events, stop).await? {
        Ok(exec) => exec,
        Err(holder) => return Ok(LifecycleOutcome::Locked(holder)),
    };
    let result = async {
        let report = exec.target().report().await?;
        let names = match step {
            Step::Complete => selected(&report.migrations, sources, |s| s == Status::Expanded),
            Step::Rollback { .. } => {
                let mut names = selected(&report.migrations, sources, Status::is_unfinished);
                names.reverse();
                names
            }
        };
        for name in &names {
            let outcome = match step {
                Step::Complete => exec.complete_migration(name).await?,
                Step::Rollback { leave_irreversible } => {
                    exec.rollback_migration(name, leave_irreversible).await?
                }
            };
            match outcome {
                Outcome::Done | Outcome::Expanded { .. } => {}
                Outcome::Failed {
                    migration,
                    step,
                    error,
                } => {
                    return Ok(LifecycleOutcome::Failed {
                        migration,
                        step,
                        error,
                    })
                }
                Outcome::Interrupted => return Ok(LifecycleOutcome::Interrupted),
            }
        }
        Ok::<_, Error>(LifecycleOutcome::Done(names))
    }
    .await;
    let unlocked = exec.unlock().await;
    let outcome = result?;
    unlocked?;
    Ok(outcome)
}

/// Removes the record of `name`: a migration that never completed and whose file is gone (the
/// caller checks the file). A complete migration is refused: its effects are in the schema, and
/// forgetting it would make drift and status lie.
/// `force`: forget it even though some of its steps took effect (they stay in the schema,
/// unrecorded).
pub async fn forget<E: Engine>(
    engine: &E,
    url: &str,
    name: &str,
    force: bool,
    options: Options,
) -> Result<LifecycleOutcome> {
    let (_, never) = watch::channel(false);
    let mut exec = match locked(engine, url, options, Events::new(), never).await? {
        Ok(exec) => exec,
        Err(holder) => return Ok(LifecycleOutcome::Locked(holder)),
    };
    let result = async {
        let record = exec.target().migration(name).await?.ok_or_else(|| {
            Error::state(format!("no migration {name} is recorded on {}", engine.shown(url)))
                .hint("`tack status` lists the recorded migrations")
        })?;
        if matches!(record.status, Status::Done | Status::Expanded) {
            return Err(Error::state(format!(
                "{name} is {}: its changes are in the schema, so its record stays",
                record.status.as_str()
            ))
            .hint("restore its file (e.g. from version control); `tack rollback` undoes a migration that is not complete"));
        }
        let done: Vec<&str> = record
            .steps
            .iter()
            .filter(|s| s.status == Status::Done)
            .map(|s| s.id.as_str())
            .collect();
        if record.status != Status::RolledBack && !done.is_empty() && !force {
            return Err(Error::state(format!(
                "{name} is {} with steps that took effect ({}): forgetting it would leave them \
                 in the schema unrecorded",
                record.status.as_str(),
                done.join(", ")
            ))
            .hint(format!(
                "`tack rollback` undoes them (it runs the plan it recorded; the file is not \
                 needed), then `tack forget {name}`; or `tack forget --force {name}` to keep them"
            )));
        }
        exec.target().forget(name).await?;
        Ok::<_, Error>(LifecycleOutcome::Done(vec![name.to_owned()]))
    }
    .await;
    let unlocked = exec.unlock().await;
    let outcome = result?;
    unlocked?;
    Ok(outcome)
}
