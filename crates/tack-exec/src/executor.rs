//! The run loop: migrations in order, steps in order; lock timeouts retried with jittered
//! exponential backoff within bounds; backfills in adaptive batches behind throttles; progress
//! recorded in the state store so that any interruption can be resumed. The lifecycle: a
//! migration's start stage runs in `run_migration`, its complete stage in `complete_migration`,
//! and `rollback_migration` reverses what ran.

use crate::event::{Event, Events, ThrottleReason};
use crate::model::{Migration, MigrationRecord, Status, StepRecord};
use crate::options::Options;
use crate::state_store::{LockHolder, StateStore};
use crate::target::{BackfillProgress, Target, TargetError};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tack_core::plan::{Action, Backfill, Stage, Step, Undo};
use tack_core::QualifiedName;
use tokio::sync::watch;

/// Why a run could not go on, other than a failed step.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecError {
    /// Another run holds the run lock.
    Locked(LockHolder),
    /// A migration recorded as applied (or in progress) has changed since.
    Changed {
        migration: String,
        recorded: String,
        now: String,
    },
    /// The target failed outside a step (state store, connection).
    Target(TargetError),
    /// A lifecycle command was asked for a migration not in the state it needs.
    Lifecycle { migration: String, reason: String },
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExecError::Locked(h) => {
                write!(f, "another tack apply is running on this database ({h}); wait for it to finish")?;
                match &h.runner {
                    Some(runner) => write!(
                        f,
                        ", or stop it safely: Ctrl-C in its terminal, or `kill -INT <pid>` for the tack {runner} \
                         (it stops after the current batch or step, and the next run resumes)"
                    ),
                    None => write!(
                        f,
                        ", or stop it safely with Ctrl-C where it runs (it stops after the current batch or step, \
                         and the next run resumes)"
                    ),
                }?;
                write!(
                    f,
                    "; terminating its server session (pg_terminate_backend({})) does not stop tack itself",
                    h.pid
                )
            }
            ExecError::Changed {
                migration,
                recorded,
                now,
            } => write!(
                f,
                "migration {migration} has changed since it was applied (checksum {} then, {} now): \
                 applied migrations must not be edited; revert the edit, and put the change in a \
                 new migration",
                short(recorded),
                short(now)
            ),
            ExecError::Target(e) => write!(f, "{e}"),
            ExecError::Lifecycle { migration, reason } => write!(f, "{migration}: {reason}"),
        }
    }
}

fn short(checksum: &str) -> &str {
    checksum.get(..12).unwrap_or(checksum)
}

impl std::error::Error for ExecError {}

impl From<TargetError> for ExecError {
    fn from(e: TargetError) -> Self {
        ExecError::Target(e)
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every migration is applied.
    Done,
    /// A step failed; the database is consistent and the next run resumes at this step.
    Failed {
        migration: String,
        step: String,
        error: String,
    },
    /// A stop was requested; the run ended cleanly and can be resumed.
    Interrupted,
    /// The start stage ran; the migration waits for `tack complete` (or `tack rollback`).
    Expanded { migration: String },
}

/// How one step ended.
enum StepEnd {
    Done,
    Failed(String),
    Interrupted,
}

/// How a sequence of steps ended.
enum StepsEnd {
    Done,
    Failed { step: String, error: String },
    Interrupted,
}

/// When a run driven by [`Executor::begin_run`] started.
#[derive(Debug, Clone, Copy)]
pub struct RunClock(Instant);

/// Runs migrations on a target.
pub struct Executor<T: Target + StateStore> {
    target: T,
    options: Options,
    events: Events,
    stop: Option<watch::Receiver<bool>>,
    locked: bool,
}

impl<T: Target + StateStore> Executor<T> {
    pub fn new(target: T, options: Options, events: Events) -> Self {
        Executor {
            target,
            options,
            events,
            stop: None,
            locked: false,
        }
    }

    /// A channel that asks the run to stop (true): it ends after the current batch or step.
    pub fn stop_on(&mut self, stop: watch::Receiver<bool>) {
        self.stop = Some(stop);
    }

    pub fn target(&mut self) -> &mut T {
        &mut self.target
    }

    pub fn into_target(self) -> T {
        self.target
    }

    /// Sends an event to the subscribers (for callers that decide things the executor reports,
    /// such as skipping a migration before planning it).
    pub fn emit(&mut self, event: Event) {
        self.events.emit(event);
    }

    /// Takes the run lock (never waiting for it) and prepares the state store.
    pub async fn lock(&mut self) -> Result<(), ExecError> {
        if let Some(holder) = self.target.try_lock().await? {
            return Err(ExecError::Locked(holder));
        }
        self.locked = true;
        self.target.prepare_state().await?;
        Ok(())
    }

    pub async fn unlock(&mut self) -> Result<(), ExecError> {
        if self.locked {
            self.target.unlock().await?;
            self.locked = false;
        }
        Ok(())
    }

    /// What the state store knows of a migration.
    pub async fn recorded(&mut self, name: &str) -> Result<Option<MigrationRecord>, ExecError> {
        Ok(self.target.migration(name).await?)
    }

    fn stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| *s.borrow())
    }

    /// Sleeps; returns false when a stop was requested meanwhile.
    async fn sleep(&mut self, d: Duration) -> bool {
        match &mut self.stop {
            None => {
                tokio::time::sleep(d).await;
                true
            }
            Some(rx) => {
                if *rx.borrow() {
                    return false;
                }
                let mut rx = rx.clone();
                let stop_requested = async {
                    if rx.wait_for(|s| *s).await.is_err() {
                        // Nobody can ask for a stop any more: just sleep.
                        std::future::pending::<()>().await;
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(d) => true,
                    _ = stop_requested => false,
                }
            }
        }
    }

    /// Runs the migrations in order (the run lock must be held: see [`Executor::lock`]).
    /// Migrations recorded as done with the same checksum are skipped; one recorded as
    /// unfinished continues with the steps it recorded.
    pub async fn run(&mut self, migrations: &[Migration]) -> Result<Outcome, ExecError> {
        let clock = self.begin_run(migrations.len());
        let mut outcome = Outcome::Done;
        for m in migrations {
            match self.run_migration(m).await {
                Ok(Outcome::Done) | Ok(Outcome::Expanded { .. }) => {}
                Ok(other) => {
                    outcome = other;
                    break;
                }
                Err(e) => {
                    self.end_run(clock, false);
                    return Err(e);
                }
            }
        }
        self.end_run(clock, outcome == Outcome::Done);
        Ok(outcome)
    }

    /// Starts a run driven one migration at a time (for callers that act between migrations,
    /// like recording history): `begin_run`, then [`Executor::run_migration`] per migration
    /// while it returns `Outcome::Done`, then [`Executor::end_run`] — the same events as
    /// [`Executor::run`].
    pub fn begin_run(&mut self, migrations: usize) -> RunClock {
        self.events.emit(Event::RunStarted { migrations });
        RunClock(Instant::now())
    }

    /// Ends a run started with [`Executor::begin_run`].
    pub fn end_run(&mut self, clock: RunClock, ok: bool) {
        self.events.emit(Event::RunFinished {
            ok,
            seconds: clock.0.elapsed().as_secs_f64(),
        });
    }

    /// Runs one migration's start stage (see [`Executor::run`]); a migration without a complete
    /// stage is done when it ends, one with a complete stage is expanded.
    pub async fn run_migration(&mut self, given: &Migration) -> Result<Outcome, ExecError> {
        let name = given.name.clone();
        let recorded = self.target.migration(&name).await?;
        let mut resumed = false;
        let mut migration = given.clone();
        if let Some(rec) = &recorded {
            if rec.checksum != given.checksum {
                return Err(ExecError::Changed {
                    migration: name,
                    recorded: rec.checksum.clone(),
                    now: given.checksum.clone(),
                });
            }
            if rec.status == Status::Done {
                self.events.emit(Event::MigrationSkipped {
                    migration: name,
                    reason: "already applied (same checksum)".to_owned(),
                });
                return Ok(Outcome::Done);
            }
            if rec.status == Status::Expanded {
                self.events.emit(Event::MigrationSkipped {
                    migration: name.clone(),
                    reason: "applied; waits for `tack complete` (or `tack rollback`)".to_owned(),
                });
                return Ok(Outcome::Expanded { migration: name });
            }
            // Continue the plan that was recorded, not a new one: the catalog has changed since.
            if !rec.steps.is_empty() && rec.steps.iter().all(|s| s.spec.is_some()) {
                migration.steps = rec.steps.iter().filter_map(|s| s.spec.clone()).collect();
            }
            resumed = true;
        }
        let started = Instant::now();
        self.target.start_migration(&migration).await?;
        let records: HashMap<String, StepRecord> = self
            .target
            .migration(&name)
            .await?
            .map(|r| r.steps.into_iter().map(|s| (s.id.clone(), s)).collect())
            .unwrap_or_default();
        let stage: Vec<Step> = migration
            .steps
            .iter()
            .filter(|s| s.stage == Stage::Start)
            .cloned()
            .collect();
        self.events.emit(Event::MigrationStarted {
            migration: name.clone(),
            steps: stage.len(),
            resumed,
        });
        match self.run_steps(&name, &stage, &records).await? {
            StepsEnd::Done => {}
            StepsEnd::Failed { step, error } => {
                self.target.finish_migration(&name, Status::Failed).await?;
                return Ok(Outcome::Failed {
                    migration: name,
                    step,
                    error,
                });
            }
            StepsEnd::Interrupted => return Ok(Outcome::Interrupted),
        }
        if migration.has_complete_stage() {
            self.target
                .finish_migration(&name, Status::Expanded)
                .await?;
            self.events.emit(Event::MigrationExpanded {
                migration: name.clone(),
                seconds: started.elapsed().as_secs_f64(),
            });
            return Ok(Outcome::Expanded { migration: name });
        }
        self.target.finish_migration(&name, Status::Done).await?;
        self.events.emit(Event::MigrationFinished {
            migration: name,
            seconds: started.elapsed().as_secs_f64(),
        });
        Ok(Outcome::Done)
    }

    /// Runs the complete stage of an expanded migration (its plan as recorded).
    pub async fn complete_migration(&mut self, name: &str) -> Result<Outcome, ExecError> {
        let rec = self.recorded_for_lifecycle(name).await?;
        if rec.status != Status::Expanded {
            return Err(ExecError::Lifecycle {
                migration: name.to_owned(),
                reason: format!(
                    "is {}; only a migration that was applied and waits for completion can be completed",
                    rec.status.as_str()
                ),
            });
        }
        let plan: Vec<Step> = rec.steps.iter().filter_map(|s| s.spec.clone()).collect();
        let stage: Vec<Step> = plan
            .into_iter()
            .filter(|s| s.stage == Stage::Complete)
            .collect();
        let records: HashMap<String, StepRecord> =
            rec.steps.into_iter().map(|s| (s.id.clone(), s)).collect();
        let started = Instant::now();
        self.events.emit(Event::MigrationStarted {
            migration: name.to_owned(),
            steps: stage.len(),
            resumed: false,
        });
        match self.run_steps(name, &stage, &records).await? {
            StepsEnd::Done => {}
            StepsEnd::Failed { step, error } => {
                return Ok(Outcome::Failed {
                    migration: name.to_owned(),
                    step,
                    error,
                })
            }
            StepsEnd::Interrupted => return Ok(Outcome::Interrupted),
        }
        self.target.finish_migration(name, Status::Done).await?;
        self.events.emit(Event::MigrationFinished {
            migration: name.to_owned(),
            seconds: started.elapsed().as_secs_f64(),
        });
        Ok(Outcome::Done)
    }

    async fn recorded_for_lifecycle(&mut self, name: &str) -> Result<MigrationRecord, ExecError> {
        let rec = self
            .target
            .migration(name)
            .await?
            .ok_or_else(|| ExecError::Lifecycle {
                migration: name.to_owned(),
                reason: "is not recorded on this database".to_owned(),
            })?;
        if rec.steps.iter().any(|s| s.spec.is_none()) {
            return Err(ExecError::Lifecycle {
                migration: name.to_owned(),
                reason: "its recorded plan cannot be read back".to_owned(),
            });
        }
        Ok(rec)
    }

    /// Reverses what ran of an unfinished migration, newest step first: each started step's
    /// leftovers are cleaned up and each step that took effect is undone (with the lock timeout
    /// and retries). A step tack cannot reverse stops the rollback with the reason, unless
    /// `leave_irreversible` (then it is reported and left as it is).
    pub async fn rollback_migration(
        &mut self,
        name: &str,
        leave_irreversible: bool,
    ) -> Result<Outcome, ExecError> {
        let rec = self.recorded_for_lifecycle(name).await?;
        if !rec.status.is_unfinished() {
            return Err(ExecError::Lifecycle {
                migration: name.to_owned(),
                reason: match rec.status {
                    Status::Done => "is complete; rollback reverses only migrations that are not (write a new migration that undoes it)".to_owned(),
                    Status::RolledBack => "is rolled back already".to_owned(),
                    other => format!("is {}: nothing ran to roll back", other.as_str()),
                },
            });
        }
        self.target
            .finish_migration(name, Status::RollingBack)
            .await?;
        let started = Instant::now();
        self.events.emit(Event::RollbackStarted {
            migration: name.to_owned(),
        });
        for record in rec.steps.iter().rev() {
            let Some(step) = &record.spec else { continue };
            if matches!(record.status, Status::Pending | Status::RolledBack) {
                continue;
            }
            if self.stopped() {
                self.events.emit(Event::Interrupted {
                    migration: name.to_owned(),
                    step: Some(step.id.clone()),
                });
                return Ok(Outcome::Interrupted);
            }
            // A step that started leaves what its cleanup removes (an INVALID index, a
            // backfill's trigger) whether or not it finished.
            if let Some(cleanup) = &step.cleanup {
                let timeouts = self.options.timeouts;
                let mut attempt = 0u32;
                let since = Instant::now();
                loop {
                    attempt += 1;
                    match self.target.run_cleanup(cleanup, timeouts).await {
                        Ok(()) => break,
                        Err(e) => match self
                            .retry_or_fail(name, &step.id, attempt, e, since)
                            .await?
                        {
                            Some(StepEnd::Done) | None => continue,
                            Some(StepEnd::Failed(error)) => {
                                return Ok(Outcome::Failed {
                                    migration: name.to_owned(),
                                    step: step.id.clone(),
                                    error,
                                })
                            }
                            Some(StepEnd::Interrupted) => return Ok(Outcome::Interrupted),
                        },
                    }
                }
            }
            let took_effect = match (record.status, &step.action, &step.done_probe) {
                (Status::Done, _, _) => true,
                // A backfill took effect when a batch committed.
                (_, Action::Backfill(_), _) => record.rows_done.unwrap_or(0) > 0,
                (_, _, Some(probe)) => self.target.probe(probe).await?,
                // Not recorded done and nothing to ask: a transactional step that did not
                // commit left nothing.
                (_, _, None) => !step.transactional,
            };
            if !took_effect {
                self.target
                    .step_status(name, &step.id, Status::RolledBack)
                    .await?;
                continue;
            }
            match &step.undo {
                Undo::Nothing => {}
                Undo::Irreversible { reason } => {
                    if !leave_irreversible {
                        let error = format!(
                            "step {} cannot be undone by tack: {reason}; undo it by hand and run \
                             `tack rollback --leave-irreversible` to record the rest",
                            step.id
                        );
                        self.target.step_failed(name, &step.id, &error).await?;
                        return Ok(Outcome::Failed {
                            migration: name.to_owned(),
                            step: step.id.clone(),
                            error,
                        });
                    }
                    self.events.emit(Event::StepLeft {
                        migration: name.to_owned(),
                        step: step.id.clone(),
                        reason: reason.clone(),
                    });
                }
                Undo::Sql { sql, transactional } => {
                    let undo_step = Step {
                        action: Action::Sql { sql: sql.clone() },
                        summary: sql.clone(),
                        transactional: *transactional,
                        done_probe: None,
                        cleanup: None,
                        ..step.clone()
                    };
                    match self
                        .run_sql_step(name, &undo_step, sql, Status::Pending, Status::RolledBack)
                        .await?
                    {
                        StepEnd::Done => {}
                        StepEnd::Failed(error) => {
                            return Ok(Outcome::Failed {
                                migration: name.to_owned(),
                                step: step.id.clone(),
                                error,
                            })
                        }
                        StepEnd::Interrupted => return Ok(Outcome::Interrupted),
                    }
                    continue;
                }
            }
            self.target
                .step_status(name, &step.id, Status::RolledBack)
                .await?;
        }
        self.target
            .finish_migration(name, Status::RolledBack)
            .await?;
        self.events.emit(Event::RolledBack {
            migration: name.to_owned(),
            seconds: started.elapsed().as_secs_f64(),
        });
        Ok(Outcome::Done)
    }

    /// Runs `steps` in order, skipping those recorded done (after checking the catalog) and those
    /// whose effect the catalog already has.
    async fn run_steps(
        &mut self,
        name: &str,
        steps: &[Step],
        records: &HashMap<String, StepRecord>,
    ) -> Result<StepsEnd, ExecError> {
        let name = name.to_owned();
        let migration = steps;
        for (i, step) in migration.iter().enumerate() {
            if self.stopped() {
                self.events.emit(Event::Interrupted {
                    migration: name.clone(),
                    step: Some(step.id.clone()),
                });
                return Ok(StepsEnd::Interrupted);
            }
            let status = records.get(&step.id).map_or(Status::Pending, |r| r.status);
            if status == Status::Done {
                let later_done = migration[i + 1..]
                    .iter()
                    .any(|s| records.get(&s.id).is_some_and(|r| r.status == Status::Done));
                let confirmed = match (&step.done_probe, later_done) {
                    // The last step recorded done is checked against the catalog; earlier ones
                    // may have been undone on purpose by later steps (a helper check dropped).
                    (Some(probe), false) => self.target.probe(probe).await?,
                    _ => true,
                };
                if confirmed {
                    self.events.emit(Event::StepSkipped {
                        migration: name.clone(),
                        step: step.id.clone(),
                        reason: "recorded done".to_owned(),
                    });
                    continue;
                }
            } else if let Some(probe) = &step.done_probe {
                if self.target.probe(probe).await? {
                    self.target
                        .step_status(&name, &step.id, Status::Done)
                        .await?;
                    self.events.emit(Event::StepSkipped {
                        migration: name.clone(),
                        step: step.id.clone(),
                        reason: "already in the catalog (done probe)".to_owned(),
                    });
                    continue;
                }
            }
            let end = match &step.action {
                Action::Sql { sql } => {
                    self.run_sql_step(&name, step, sql, status, Status::Done)
                        .await?
                }
                Action::Backfill(b) => self.run_backfill(&name, step, b).await?,
            };
            match end {
                StepEnd::Done => {}
                StepEnd::Failed(error) => {
                    return Ok(StepsEnd::Failed {
                        step: step.id.clone(),
                        error,
                    });
                }
                StepEnd::Interrupted => {
                    self.events.emit(Event::Interrupted {
                        migration: name.clone(),
                        step: Some(step.id.clone()),
                    });
                    return Ok(StepsEnd::Interrupted);
                }
            }
        }
        Ok(StepsEnd::Done)
    }

    /// The wait before attempt `attempt + 1`: exponential from the base, capped, with jitter in
    /// [0.5, 1.5).
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .options
            .base_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.options.max_backoff);
        capped.mul_f64(0.5 + fastrand::f64())
    }

    /// Whether another attempt fits: attempts left, and the wait within the retry budget.
    fn may_retry(&self, e: &TargetError, attempt: u32, since: Instant, wait: Duration) -> bool {
        e.retryable()
            && attempt < self.options.max_attempts
            && since.elapsed() + wait <= self.options.retry_budget
    }

    /// Runs one statement with retries; `done` is the status it records when it succeeds (done,
    /// or rolled back for an undo).
    async fn run_sql_step(
        &mut self,
        migration: &str,
        step: &Step,
        sql: &str,
        recorded: Status,
        done: Status,
    ) -> Result<StepEnd, ExecError> {
        let started = Instant::now();
        let timeouts = self.options.timeouts;
        self.events.emit(Event::StepStarted {
            migration: migration.to_owned(),
            step: step.id.clone(),
            kind: step.kind().to_owned(),
            phase: if done == Status::RolledBack {
                "undo".to_owned()
            } else {
                step.phase.as_str().to_owned()
            },
            sql: sql.to_owned(),
        });
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.target.step_attempt(migration, &step.id).await?;
            let mut result = Ok(());
            // A concurrent build interrupted before (in an earlier run, or an earlier attempt)
            // may have left an INVALID object behind: clean it up first. (The done probe has
            // just said the step's effect is not there.)
            if let (false, Some(cleanup)) = (step.transactional, &step.cleanup) {
                if attempt > 1 || recorded != Status::Pending {
                    result = self.target.run_cleanup(cleanup, timeouts).await;
                    if result.is_ok() {
                        self.events.emit(Event::CleanupRan {
                            migration: migration.to_owned(),
                            step: step.id.clone(),
                            sql: cleanup.clone(),
                        });
                    }
                }
            }
            if result.is_ok() {
                result = self
                    .target
                    .run_sql(migration, step, sql, step.transactional, done, timeouts)
                    .await;
            }
            match result {
                Ok(()) => {
                    if !step.transactional {
                        self.target.step_status(migration, &step.id, done).await?;
                    }
                    self.events.emit(Event::StepFinished {
                        migration: migration.to_owned(),
                        step: step.id.clone(),
                        attempts: attempt,
                        seconds: started.elapsed().as_secs_f64(),
                    });
                    return Ok(StepEnd::Done);
                }
                Err(e) => {
                    if e.kind == crate::target::ErrorKind::Connection {
                        return Err(ExecError::Target(e));
                    }
                    let wait = self.backoff(attempt);
                    if self.may_retry(&e, attempt, started, wait) {
                        self.events.emit(Event::LockRetry {
                            migration: migration.to_owned(),
                            step: step.id.clone(),
                            attempt,
                            max_attempts: self.options.max_attempts,
                            wait_ms: wait.as_millis() as u64,
                            error: e.message.clone(),
                        });
                        if !self.sleep(wait).await {
                            let error = format!("interrupted while waiting to retry: {e}");
                            self.target.step_failed(migration, &step.id, &error).await?;
                            return Ok(StepEnd::Interrupted);
                        }
                        continue;
                    }
                    return self.fail(migration, &step.id, attempt, &e, started).await;
                }
            }
        }
    }

    async fn fail(
        &mut self,
        migration: &str,
        step: &str,
        attempts: u32,
        e: &TargetError,
        started: Instant,
    ) -> Result<StepEnd, ExecError> {
        let error = if e.retryable() {
            format!(
                "gave up after {attempts} attempt(s) in {:.1} s: {e}",
                started.elapsed().as_secs_f64()
            )
        } else {
            e.message.clone()
        };
        self.target.step_failed(migration, step, &error).await?;
        self.events.emit(Event::StepFailed {
            migration: migration.to_owned(),
            step: step.to_owned(),
            attempts,
            error: error.clone(),
        });
        Ok(StepEnd::Failed(error))
    }

    async fn run_backfill(
        &mut self,
        migration: &str,
        step: &Step,
        backfill: &Backfill,
    ) -> Result<StepEnd, ExecError> {
        let started = Instant::now();
        let timeouts = self.options.timeouts;
        let mig = migration.to_owned();
        self.events.emit(Event::StepStarted {
            migration: mig.clone(),
            step: step.id.clone(),
            kind: step.kind().to_owned(),
            phase: step.phase.as_str().to_owned(),
            sql: step.display_sql(),
        });
        self.target.step_attempt(migration, &step.id).await?;

        // The trigger first (a DDL: lock timeout and retries), then the cursor.
        let mut attempt = 0u32;
        let mut progress = loop {
            attempt += 1;
            match self
                .target
                .backfill_start(migration, &step.id, backfill, timeouts)
                .await
            {
                Ok(p) => break p,
                Err(e) => match self
                    .retry_or_fail(&mig, &step.id, attempt, e, started)
                    .await?
                {
                    Some(end) => return Ok(end),
                    None => continue,
                },
            }
        };
        self.events.emit(Event::BackfillStarted {
            migration: mig.clone(),
            step: step.id.clone(),
            table: backfill.table.to_string(),
            unit: progress.unit.clone(),
            position: progress.position,
            total: progress.total,
            rows_done: progress.rows_done,
            resumed: progress.resumed,
        });

        let mut size = progress.initial_size.max(1);
        while !progress.finished {
            if self.stopped() {
                return Ok(StepEnd::Interrupted);
            }
            if !self.wait_throttles(&mig, &step.id, &backfill.table).await? {
                return Ok(StepEnd::Interrupted);
            }
            let batch_started = Instant::now();
            let mut attempt = 0u32;
            let result = loop {
                attempt += 1;
                let t0 = Instant::now();
                match self
                    .target
                    .backfill_batch(migration, &step.id, backfill, &progress, size, timeouts)
                    .await
                {
                    Ok(r) => break (r, t0.elapsed()),
                    Err(e) => {
                        // Smaller batches hold fewer row locks and wait on fewer.
                        size = (size / 2).max(1);
                        match self
                            .retry_or_fail(&mig, &step.id, attempt, e, batch_started)
                            .await?
                        {
                            Some(end) => return Ok(end),
                            None => continue,
                        }
                    }
                }
            };
            let (result, took) = result;
            self.events.emit(Event::BatchDone {
                migration: mig.clone(),
                step: step.id.clone(),
                rows: result.rows,
                rows_done: result.progress.rows_done,
                size,
                unit: result.progress.unit.clone(),
                position: result.progress.position,
                total: result.progress.total,
                millis: took.as_millis() as u64,
            });
            // Never below a floor: a target shorter than a batch's fixed round trips would
            // otherwise shrink batches to one row, and the backfill to a crawl.
            let floor = (progress.initial_size / 50).max(1);
            size = adapt(size, took, self.options.batch_time, progress.max_size).max(floor);
            progress = result.progress;
        }

        let mut attempt = 0u32;
        let finish_started = Instant::now();
        loop {
            attempt += 1;
            match self
                .target
                .backfill_finish(migration, &step.id, backfill, timeouts)
                .await
            {
                Ok(()) => break,
                Err(e) => match self
                    .retry_or_fail(&mig, &step.id, attempt, e, finish_started)
                    .await?
                {
                    Some(end) => return Ok(end),
                    None => continue,
                },
            }
        }
        self.events.emit(Event::BackfillFinished {
            migration: mig.clone(),
            step: step.id.clone(),
            rows_done: progress.rows_done,
            seconds: started.elapsed().as_secs_f64(),
        });
        self.events.emit(Event::StepFinished {
            migration: mig,
            step: step.id.clone(),
            attempts: 1,
            seconds: started.elapsed().as_secs_f64(),
        });
        Ok(StepEnd::Done)
    }

    /// After a failed attempt: `None` to try again (after the backoff wait), or how the step
    /// ends.
    async fn retry_or_fail(
        &mut self,
        migration: &str,
        step: &str,
        attempt: u32,
        e: TargetError,
        since: Instant,
    ) -> Result<Option<StepEnd>, ExecError> {
        if e.kind == crate::target::ErrorKind::Connection {
            return Err(ExecError::Target(e));
        }
        let wait = self.backoff(attempt);
        if self.may_retry(&e, attempt, since, wait) {
            self.events.emit(Event::LockRetry {
                migration: migration.to_owned(),
                step: step.to_owned(),
                attempt,
                max_attempts: self.options.max_attempts,
                wait_ms: wait.as_millis() as u64,
                error: e.message.clone(),
            });
            if !self.sleep(wait).await {
                return Ok(Some(StepEnd::Interrupted));
            }
            return Ok(None);
        }
        self.fail(migration, step, attempt, &e, since)
            .await
            .map(Some)
    }

    /// Waits while a throttle holds; false when a stop was requested meanwhile.
    async fn wait_throttles(
        &mut self,
        migration: &str,
        step: &str,
        table: &QualifiedName,
    ) -> Result<bool, ExecError> {
        let limits = self.options.throttle.clone();
        let mut since: Option<Instant> = None;
        let mut shown: Option<(std::mem::Discriminant<ThrottleReason>, Instant)> = None;
        loop {
            match self.target.throttle(table, &limits).await? {
                None => {
                    if let Some(s) = since {
                        self.events.emit(Event::ThrottleCleared {
                            migration: migration.to_owned(),
                            step: step.to_owned(),
                            waited_ms: s.elapsed().as_millis() as u64,
                        });
                    }
                    return Ok(true);
                }
                Some(reason) => {
                    since.get_or_insert_with(Instant::now);
                    let kind = std::mem::discriminant(&reason);
                    // Say why once per reason, and again every few seconds with fresh numbers.
                    let due = match shown {
                        Some((k, at)) => k != kind || at.elapsed() >= Duration::from_secs(5),
                        None => true,
                    };
                    if due {
                        shown = Some((kind, Instant::now()));
                        let event = if reason == ThrottleReason::Paused {
                            Event::Paused {
                                migration: migration.to_owned(),
                                step: step.to_owned(),
                            }
                        } else {
                            Event::Throttled {
                                migration: migration.to_owned(),
                                step: step.to_owned(),
                                reason,
                            }
                        };
                        self.events.emit(event);
                    }
                    let poll = self.options.throttle_poll;
                    if !self.sleep(poll).await {
                        return Ok(false);
                    }
                }
            }
        }
    }
}

/// The next batch size: scaled toward the target duration, at most doubling or halving at once.
pub fn adapt(size: u64, took: Duration, target: Duration, max: u64) -> u64 {
    let took = took.as_secs_f64().max(0.001);
    let ratio = (target.as_secs_f64() / took).clamp(0.5, 2.0);
    ((size as f64 * ratio).round() as u64).clamp(1, max.max(1))
}

/// Where a backfill is, for renderers that want a fraction.
pub fn fraction(progress: &BackfillProgress) -> Option<f64> {
    progress
        .total
        .filter(|t| *t > 0)
        .map(|t| (progress.position as f64 / t as f64).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_sizes_follow_the_target_duration() {
        let t = Duration::from_millis(200);
        assert_eq!(adapt(1000, Duration::from_millis(200), t, 100_000), 1000);
        assert_eq!(adapt(1000, Duration::from_millis(50), t, 100_000), 2000);
        assert_eq!(adapt(1000, Duration::from_millis(400), t, 100_000), 500);
        assert_eq!(adapt(1000, Duration::from_secs(10), t, 100_000), 500);
        assert_eq!(adapt(80_000, Duration::from_millis(1), t, 100_000), 100_000);
        assert_eq!(adapt(1, Duration::from_secs(1), t, 100), 1);
    }
}
