//! The engine adapter the executor drives. The executor knows steps, retries and throttles; the
//! target knows SQL dialects, locks, catalogs and where state is kept.

use crate::event::ThrottleReason;
use crate::model::{BackfillSpec, Migration, MigrationRecord, StepSpec};
use crate::options::{ThrottleLimits, Timeouts};
use serde::Serialize;

/// What went wrong in the target, classified for the executor's retry decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError {
    pub kind: ErrorKind,
    /// What failed, with the engine's message (and code); never a password.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The lock could not be had within the lock timeout (PostgreSQL 55P03): retry.
    LockTimeout,
    /// Deadlock or serialization failure (40P01, 40001): retry.
    Conflict,
    /// The statement ran longer than the statement timeout (57014).
    StatementTimeout,
    /// The connection is gone.
    Connection,
    /// Anything else: the statement failed.
    Failed,
}

impl TargetError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        TargetError {
            kind,
            message: message.into(),
        }
    }

    /// Worth another attempt after a wait.
    pub fn retryable(&self) -> bool {
        matches!(self.kind, ErrorKind::LockTimeout | ErrorKind::Conflict)
    }
}

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TargetError {}

/// Who holds the run lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockHolder {
    pub pid: i32,
    pub application_name: String,
    /// Client address, or "local socket".
    pub client: String,
    /// Since when (the holder's recorded start, else its session's start).
    pub since: Option<String>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {}, application_name '{}', client {}",
            self.pid, self.application_name, self.client
        )?;
        if let Some(s) = &self.since {
            write!(f, ", since {s}")?;
        }
        Ok(())
    }
}

/// Where a backfill stands.
#[derive(Debug, Clone, PartialEq)]
pub struct BackfillProgress {
    /// The engine's cursor, opaque to the executor (persisted by the target).
    pub cursor: serde_json::Value,
    /// Rows written so far.
    pub rows_done: u64,
    /// What batch sizes count: "rows" or "pages".
    pub unit: String,
    /// Position in `unit`s (rows visited, pages passed), for progress.
    pub position: u64,
    /// Estimated end position, when known.
    pub total: Option<u64>,
    /// The walk is over.
    pub finished: bool,
    /// Batch size to start with, and the largest allowed.
    pub initial_size: u64,
    pub max_size: u64,
    /// The cursor was read back from the state store (not a fresh start).
    pub resumed: bool,
}

/// The result of one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult {
    /// Rows written.
    pub rows: u64,
    pub progress: BackfillProgress,
}

/// An engine the executor can run plans on. Implemented by `tack-postgres`.
///
/// The executor calls these one at a time (never concurrently).
#[allow(async_fn_in_trait)]
pub trait Target {
    /// Takes the run lock without waiting. `Ok(None)`: taken; `Ok(Some(holder))`: another run
    /// holds it.
    async fn try_lock(&mut self) -> Result<Option<LockHolder>, TargetError>;
    async fn unlock(&mut self) -> Result<(), TargetError>;

    /// Creates the state store if missing and records this run as the lock holder.
    async fn prepare_state(&mut self) -> Result<(), TargetError>;

    /// The recorded migration, with its steps.
    async fn migration(&mut self, name: &str) -> Result<Option<MigrationRecord>, TargetError>;
    /// Records the migration (running) and its steps (pending) if not yet recorded, else marks
    /// it running again.
    async fn start_migration(&mut self, migration: &Migration) -> Result<(), TargetError>;
    async fn finish_migration(&mut self, name: &str, ok: bool) -> Result<(), TargetError>;

    /// Marks a step running and counts an attempt.
    async fn step_attempt(&mut self, migration: &str, step: &str) -> Result<(), TargetError>;
    async fn step_done(&mut self, migration: &str, step: &str) -> Result<(), TargetError>;
    async fn step_failed(
        &mut self,
        migration: &str,
        step: &str,
        error: &str,
    ) -> Result<(), TargetError>;

    /// Runs a step's done-probe: true when its effect is already in the catalog.
    async fn probe(&mut self, sql: &str) -> Result<bool, TargetError>;

    /// Runs an SQL step with the timeouts. A transactional step runs in its own transaction,
    /// which also records the step done; a non-transactional one runs with session settings and
    /// outside a transaction (the executor records it done afterwards).
    async fn run_sql(
        &mut self,
        migration: &str,
        step: &StepSpec,
        sql: &str,
        timeouts: Timeouts,
    ) -> Result<(), TargetError>;

    /// Runs a cleanup statement (outside a transaction, with the timeouts).
    async fn run_cleanup(&mut self, sql: &str, timeouts: Timeouts) -> Result<(), TargetError>;

    /// Installs the backfill's trigger (when it has one) and reads or creates its cursor.
    async fn backfill_start(
        &mut self,
        migration: &str,
        step: &str,
        backfill: &BackfillSpec,
        timeouts: Timeouts,
    ) -> Result<BackfillProgress, TargetError>;

    /// Runs one batch of `size` units in its own transaction, which also persists the new
    /// cursor.
    async fn backfill_batch(
        &mut self,
        migration: &str,
        step: &str,
        backfill: &BackfillSpec,
        progress: &BackfillProgress,
        size: u64,
        timeouts: Timeouts,
    ) -> Result<BatchResult, TargetError>;

    /// Drops the trigger and records the step done, in one transaction.
    async fn backfill_finish(
        &mut self,
        migration: &str,
        step: &str,
        backfill: &BackfillSpec,
        timeouts: Timeouts,
    ) -> Result<(), TargetError>;

    /// Whether a backfill on `table` must wait, and why.
    async fn throttle(
        &mut self,
        table: &crate::model::TableName,
        limits: &ThrottleLimits,
    ) -> Result<Option<ThrottleReason>, TargetError>;
}
