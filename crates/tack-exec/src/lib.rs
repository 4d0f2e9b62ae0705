//! tack's executor: runs plans on a live database through an engine's adapter — a [`Target`]
//! that does the work and a [`StateStore`] that records it.
//!
//! * Every DDL step runs with a short lock timeout; lock timeouts (and deadlocks) are retried with
//!   jittered exponential backoff, bounded in attempts and in total time, then the step fails
//!   with the database consistent and the run resumable.
//! * Backfills run in batches sized to a target duration, each its own transaction with its
//!   cursor, behind throttles (replication lag, lock waiters, pause) and a stop signal.
//! * Progress is recorded in the state store; a resumed run skips what is done after re-checking
//!   the catalog, and continues a backfill from its cursor.
//! * Every migration has a lifecycle: `run_migration` runs its start stage (and, when it has no
//!   complete stage, finishes it), `complete_migration` its complete stage, `rollback_migration`
//!   reverses the steps that ran, newest first.
//! * Everything observable is an [`Event`]; nothing here prints.
//!
//! What belongs here: steps, retries, batches, throttles, checkpoints, events. What must not:
//! SQL, dialects, drivers — `tack-postgres` implements the traits for PostgreSQL.

mod event;
mod executor;
mod model;
mod options;
mod state_store;
mod target;

pub use event::{Event, Events, Subscriber, ThrottleReason};
pub use executor::{adapt, fraction, ExecError, Executor, Outcome, RunClock};
pub use model::{History, Migration, MigrationRecord, Status, StepRecord};
pub use options::{parse_duration, parse_lag_limit, LagLimit, Options, ThrottleLimits, Timeouts};
pub use state_store::{LockHolder, RunRecord, StateReport, StateStore};
pub use target::{BackfillProgress, BatchResult, ErrorKind, Target, TargetError};
