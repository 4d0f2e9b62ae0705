//! tack's executor: runs plans on a live database through an engine adapter ([`Target`]).
//!
//! * Every DDL step runs with a short lock timeout; lock timeouts (and deadlocks) are retried with
//!   jittered exponential backoff, bounded in attempts and in total time, then the step fails
//!   with the database consistent and the run resumable.
//! * Backfills run in batches sized to a target duration, each its own transaction with its
//!   cursor, behind throttles (replication lag, lock waiters, pause) and a stop signal.
//! * Progress is recorded in the target; a resumed run skips what is done after re-checking the
//!   catalog, and continues a backfill from its cursor.
//! * Everything observable is an [`Event`]; nothing here prints.
//!
//! The executor knows steps, retries and throttles, not SQL dialects: `tack-postgres`
//! implements [`Target`] for PostgreSQL.

mod event;
mod executor;
mod model;
mod options;
mod target;

pub use event::{Event, Events, Subscriber, ThrottleReason};
pub use executor::{adapt, fraction, ExecError, Executor, Outcome, RunClock};
pub use model::{
    Action, BackfillSpec, History, KeySpec, Migration, MigrationRecord, Status, StepRecord,
    StepSpec, TableName,
};
pub use options::{
    parse_duration, parse_lag_limit, pg_interval, LagLimit, Options, ThrottleLimits, Timeouts,
};
pub use target::{BackfillProgress, BatchResult, ErrorKind, LockHolder, Target, TargetError};
