//! Where a run's progress and the project's history are kept (PostgreSQL: the target's `tack`
//! schema; MySQL: a `tack` database), behind one interface so the executor and the use cases
//! never reach around it to a driver.

use crate::model::{Migration, MigrationRecord, Status};
use crate::target::TargetError;
use serde::Serialize;

/// Who holds the run lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockHolder {
    /// The holder's session on the server (its backend pid, or MySQL connection id).
    pub pid: i32,
    pub application_name: String,
    /// Client address, or "local socket".
    pub client: String,
    /// Since when (the holder's recorded start, else its session's start).
    pub since: Option<String>,
    /// The host and operating-system process id of the `tack` that holds it, when it said.
    pub runner: Option<String>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(r) = &self.runner {
            write!(f, "tack {r}, ")?;
        }
        write!(
            f,
            "server session {}, application_name '{}', client {}",
            self.pid, self.application_name, self.client
        )?;
        if let Some(s) = &self.since {
            write!(f, ", since {s}")?;
        }
        Ok(())
    }
}

/// Everything the state store holds, for `tack status`, drift and the lifecycle commands.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StateReport {
    /// The state store exists (a target tack never ran on has none).
    pub initialized: bool,
    pub paused: bool,
    pub holder: Option<LockHolder>,
    pub migrations: Vec<MigrationRecord>,
}

/// What one run of one migration leaves in its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub migration: String,
    pub version: String,
    /// Time this run worked on it.
    pub duration_ms: i64,
    pub applied_by: String,
    pub tack_version: String,
}

/// The state store. The executor calls these one at a time (never concurrently).
#[allow(async_fn_in_trait)]
pub trait StateStore {
    /// Takes the run lock without waiting. `Ok(None)`: taken; `Ok(Some(holder))`: another run
    /// holds it.
    async fn try_lock(&mut self) -> Result<Option<LockHolder>, TargetError>;
    async fn unlock(&mut self) -> Result<(), TargetError>;

    /// Creates (or upgrades) the state store and records this run as the lock holder.
    async fn prepare_state(&mut self) -> Result<(), TargetError>;

    /// The recorded migration, with its steps.
    async fn migration(&mut self, name: &str) -> Result<Option<MigrationRecord>, TargetError>;
    /// Records the migration (running) and its steps (pending) if not yet recorded, else marks
    /// it running again.
    async fn start_migration(&mut self, migration: &Migration) -> Result<(), TargetError>;
    async fn finish_migration(&mut self, name: &str, status: Status) -> Result<(), TargetError>;

    /// Marks a step running and counts an attempt.
    async fn step_attempt(&mut self, migration: &str, step: &str) -> Result<(), TargetError>;
    async fn step_status(
        &mut self,
        migration: &str,
        step: &str,
        status: Status,
    ) -> Result<(), TargetError>;
    async fn step_failed(
        &mut self,
        migration: &str,
        step: &str,
        error: &str,
    ) -> Result<(), TargetError>;

    /// Replaces a migration's recorded plan (its steps, checksum and status) — after its file
    /// was corrected, before it completed.
    async fn replace_plan(&mut self, migration: &Migration) -> Result<(), TargetError>;
    /// Removes the record of a migration (and its steps and cursors).
    async fn forget(&mut self, name: &str) -> Result<(), TargetError>;
    /// Records a migration under another name, with its steps, cursors and history: its
    /// identity changed between tack versions (an upgrade in place).
    async fn rename(&mut self, from: &str, to: &str) -> Result<(), TargetError>;

    /// Everything recorded.
    async fn report(&mut self) -> Result<StateReport, TargetError>;
    /// Adds a run to a migration's history.
    async fn record_run(&mut self, run: &RunRecord) -> Result<(), TargetError>;
    /// The schema fingerprint after a migration.
    async fn record_fingerprint(
        &mut self,
        migration: &str,
        fingerprint: &str,
    ) -> Result<(), TargetError>;
    /// Sets the pause flag backfills check between batches.
    async fn set_paused(&mut self, paused: bool) -> Result<(), TargetError>;
}
