//! The engine adapter the executor drives to change the database: run a step, probe the
//! catalog, walk a backfill, measure throttles. The executor knows steps, retries and throttles;
//! the target knows SQL dialects, locks and catalogs. Where progress is recorded is the
//! [`StateStore`](crate::StateStore)'s side of the seam.

use crate::event::ThrottleReason;
use crate::options::{ThrottleLimits, Timeouts};
use tack_core::plan::{Backfill, Step};
use tack_core::QualifiedName;

/// What went wrong in the target, classified for the executor's retry decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError {
    pub kind: ErrorKind,
    /// What failed, with the engine's message (and code); never a password.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The lock could not be had within the lock timeout: retry.
    LockTimeout,
    /// Deadlock or serialization failure: retry.
    Conflict,
    /// The statement ran longer than the statement timeout.
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

/// An engine the executor can run plans on: the session that does the work.
///
/// The executor calls these one at a time (never concurrently).
#[allow(async_fn_in_trait)]
pub trait Target {
    /// Runs a step's done-probe: true when its effect is already in the catalog.
    async fn probe(&mut self, sql: &str) -> Result<bool, TargetError>;

    /// Runs an SQL step with the timeouts. A transactional step runs in its own transaction,
    /// which also records the step done (`done_status`, in the state store of the same
    /// database); a non-transactional one runs with session settings and outside a transaction
    /// (the executor records it afterwards).
    async fn run_sql(
        &mut self,
        migration: &str,
        step: &Step,
        sql: &str,
        transactional: bool,
        done_status: crate::Status,
        timeouts: Timeouts,
    ) -> Result<(), TargetError>;

    /// Runs a cleanup statement (outside a transaction, with the timeouts).
    async fn run_cleanup(&mut self, sql: &str, timeouts: Timeouts) -> Result<(), TargetError>;

    /// Installs the backfill's trigger (when it has one) and reads or creates its cursor.
    async fn backfill_start(
        &mut self,
        migration: &str,
        step: &str,
        backfill: &Backfill,
        timeouts: Timeouts,
    ) -> Result<BackfillProgress, TargetError>;

    /// Runs one batch of `size` units in its own transaction, which also persists the new
    /// cursor.
    async fn backfill_batch(
        &mut self,
        migration: &str,
        step: &str,
        backfill: &Backfill,
        progress: &BackfillProgress,
        size: u64,
        timeouts: Timeouts,
    ) -> Result<BatchResult, TargetError>;

    /// Drops the trigger and records the step done, in one transaction.
    async fn backfill_finish(
        &mut self,
        migration: &str,
        step: &str,
        backfill: &Backfill,
        timeouts: Timeouts,
    ) -> Result<(), TargetError>;

    /// Whether a backfill on `table` must wait, and why.
    async fn throttle(
        &mut self,
        table: &QualifiedName,
        limits: &ThrottleLimits,
    ) -> Result<Option<ThrottleReason>, TargetError>;
}
