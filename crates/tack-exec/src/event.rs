//! The executor's typed events. Renderers (progress bars, JSON lines, tests) subscribe; nothing in
//! the executor prints.

use serde::Serialize;

/// Why a backfill is waiting instead of writing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ThrottleReason {
    /// `tack pause` was run; `tack resume` clears it.
    Paused,
    /// A replica is too far behind.
    ReplicationLag {
        /// Where the lag was measured (a replica, or the primary's pg_stat_replication).
        source: String,
        bytes: Option<i64>,
        seconds: Option<f64>,
        /// The limit that is exceeded, as given.
        limit: String,
    },
    /// Too many sessions wait for locks on the table.
    LockWaiters { waiting: i64, limit: u32 },
    /// A replica's lag cannot be measured (unreachable): waiting is the safe side.
    Unavailable { source: String, error: String },
}

impl std::fmt::Display for ThrottleReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThrottleReason::Paused => write!(f, "paused (run `tack resume` to continue)"),
            ThrottleReason::ReplicationLag {
                source,
                bytes,
                seconds,
                limit,
            } => {
                let mut parts = Vec::new();
                if let Some(b) = bytes {
                    parts.push(format!("{b} bytes"));
                }
                if let Some(s) = seconds {
                    parts.push(format!("{s:.1} s"));
                }
                write!(
                    f,
                    "replication lag {} on {source} exceeds {limit}",
                    parts.join(" / ")
                )
            }
            ThrottleReason::LockWaiters { waiting, limit } => write!(
                f,
                "{waiting} sessions wait for locks on the table (limit {limit})"
            ),
            ThrottleReason::Unavailable { source, error } => {
                write!(f, "cannot measure replication lag on {source}: {error}")
            }
        }
    }
}

/// Something the executor did or saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// The run lock is held and the state store is ready.
    RunStarted {
        migrations: usize,
    },
    /// A migration is skipped (already applied with the same checksum).
    MigrationSkipped {
        migration: String,
        reason: String,
    },
    /// A migration starts, or continues after an interruption (`resumed`).
    MigrationStarted {
        migration: String,
        steps: usize,
        resumed: bool,
    },
    MigrationFinished {
        migration: String,
        seconds: f64,
    },
    /// The start stage of a migration ran; it waits for `tack complete` (or `tack rollback`).
    MigrationExpanded {
        migration: String,
        seconds: f64,
    },
    /// `tack rollback` starts reversing a migration.
    RollbackStarted {
        migration: String,
    },
    /// A step that ran cannot be reversed by tack, and was left as it is (asked for).
    StepLeft {
        migration: String,
        step: String,
        reason: String,
    },
    /// A migration is rolled back: what ran of it is reversed.
    RolledBack {
        migration: String,
        seconds: f64,
    },
    StepStarted {
        migration: String,
        step: String,
        kind: String,
        phase: String,
        sql: String,
    },
    /// A step is not run: recorded done (and confirmed by its probe), or its effect is already in
    /// the catalog.
    StepSkipped {
        migration: String,
        step: String,
        reason: String,
    },
    /// The step's cleanup ran before (re)trying it.
    CleanupRan {
        migration: String,
        step: String,
        sql: String,
    },
    /// The lock could not be had within the lock timeout; retrying after `wait_ms`.
    LockRetry {
        migration: String,
        step: String,
        attempt: u32,
        max_attempts: u32,
        wait_ms: u64,
        error: String,
    },
    StepFinished {
        migration: String,
        step: String,
        attempts: u32,
        seconds: f64,
    },
    /// The step failed; the database is consistent and `tack apply` resumes here.
    StepFailed {
        migration: String,
        step: String,
        attempts: u32,
        error: String,
    },
    /// A backfill starts (`resumed`: from a persisted cursor).
    BackfillStarted {
        migration: String,
        step: String,
        table: String,
        unit: String,
        position: u64,
        total: Option<u64>,
        rows_done: u64,
        resumed: bool,
    },
    /// One batch committed (its cursor with it).
    BatchDone {
        migration: String,
        step: String,
        /// Rows written by this batch.
        rows: u64,
        /// Rows written by the backfill so far.
        rows_done: u64,
        /// Batch size used (rows or pages, see `unit`).
        size: u64,
        unit: String,
        position: u64,
        total: Option<u64>,
        millis: u64,
    },
    /// The backfill waits: it writes nothing until the reason clears.
    Throttled {
        migration: String,
        step: String,
        reason: ThrottleReason,
    },
    /// The backfill waits because the run is paused (`tack pause`).
    Paused {
        migration: String,
        step: String,
    },
    /// The throttle (or pause) cleared: the backfill continues.
    ThrottleCleared {
        migration: String,
        step: String,
        waited_ms: u64,
    },
    BackfillFinished {
        migration: String,
        step: String,
        rows_done: u64,
        seconds: f64,
    },
    /// Something the run could not do that does not stop it (recording history, say).
    Warning {
        message: String,
    },
    /// Something worth knowing that is not a problem (a database adopted).
    Note {
        message: String,
    },
    /// A stop was requested (Ctrl-C): the run ends cleanly after the current batch or step.
    Interrupted {
        migration: String,
        step: Option<String>,
    },
    /// The run ended.
    RunFinished {
        ok: bool,
        seconds: f64,
    },
}

impl Event {
    /// The event's name, as in its JSON `event` field.
    pub fn name(&self) -> &'static str {
        match self {
            Event::RunStarted { .. } => "run_started",
            Event::MigrationSkipped { .. } => "migration_skipped",
            Event::MigrationStarted { .. } => "migration_started",
            Event::MigrationFinished { .. } => "migration_finished",
            Event::MigrationExpanded { .. } => "migration_expanded",
            Event::RollbackStarted { .. } => "rollback_started",
            Event::StepLeft { .. } => "step_left",
            Event::RolledBack { .. } => "rolled_back",
            Event::StepStarted { .. } => "step_started",
            Event::StepSkipped { .. } => "step_skipped",
            Event::CleanupRan { .. } => "cleanup_ran",
            Event::LockRetry { .. } => "lock_retry",
            Event::StepFinished { .. } => "step_finished",
            Event::StepFailed { .. } => "step_failed",
            Event::BackfillStarted { .. } => "backfill_started",
            Event::BatchDone { .. } => "batch_done",
            Event::Throttled { .. } => "throttled",
            Event::Paused { .. } => "paused",
            Event::ThrottleCleared { .. } => "throttle_cleared",
            Event::BackfillFinished { .. } => "backfill_finished",
            Event::Warning { .. } => "warning",
            Event::Note { .. } => "note",
            Event::Interrupted { .. } => "interrupted",
            Event::RunFinished { .. } => "run_finished",
        }
    }
}

/// One subscriber: called with every event, in order.
pub type Subscriber = Box<dyn FnMut(&Event) + Send>;

/// Subscribers to the executor's events.
#[derive(Default)]
pub struct Events {
    subscribers: Vec<Subscriber>,
}

impl Events {
    pub fn new() -> Self {
        Events::default()
    }

    /// Adds a subscriber; every event goes to every subscriber, in order.
    pub fn subscribe(&mut self, f: impl FnMut(&Event) + Send + 'static) {
        self.subscribers.push(Box::new(f));
    }

    pub fn emit(&mut self, event: Event) {
        for s in &mut self.subscribers {
            s(&event);
        }
    }
}
