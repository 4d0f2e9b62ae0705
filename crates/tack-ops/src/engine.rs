//! The engine seam as the use cases see it: one trait an engine's glue implements (in its own
//! file of this crate: `postgres.rs`), so that lint, plan, apply, status and the lifecycle
//! commands are written once, generic over the engine.

use crate::error::Result;
use crate::project::applied::ToolHistory;
use crate::project::Source;
use std::time::Duration;
use tack_core::plan::Step;
use tack_core::{Catalog, Dialect, Version};
use tack_exec::{StateStore, Target};

/// What the drift check before an apply needs to know.
pub struct DriftGuard<'a> {
    pub url: &'a str,
    /// Where scratch databases may be made (else the target's server).
    pub dev_url: Option<&'a str>,
    /// The migrations read (the applied ones among them are replayed).
    pub sources: &'a [Source],
    /// Other tools' history tables in the target.
    pub histories: &'a [ToolHistory],
}

/// What the drift check found.
#[derive(Debug)]
pub enum DriftVerdict {
    /// The schema is what the applied migrations give (or the check does not apply: first run).
    Clean,
    /// The schema drifted from its migrations.
    Drifted(Box<crate::drift::DriftReport>),
    /// Not checked, and why (an old server, an engine without a schema model).
    NotChecked(String),
}

/// An engine, as the use cases drive it.
#[allow(async_fn_in_trait)]
pub trait Engine: Sync {
    type Dialect: Dialect;
    /// The executor's adapter: the run lock, the state store and the work session.
    type Runner: Target + StateStore;
    /// The state store alone.
    type Store: StateStore;

    fn dialect(&self) -> &Self::Dialect;

    /// The target as shown in messages: the password never printed.
    fn shown(&self, url: &str) -> String;

    /// The server's version and catalog facts.
    async fn facts(&self, url: &str) -> Result<(Version, Catalog)>;

    async fn runner(&self, url: &str, replicas: &[String]) -> Result<Self::Runner>;

    /// A session on the state store (status, pause, forget, the lifecycle commands' checks).
    async fn store(&self, url: &str) -> Result<Self::Store>;

    /// Other migration tools' history tables present in the database, read (never written).
    async fn tool_histories(&self, url: &str) -> Result<Vec<ToolHistory>>;

    /// The server version the runner is connected to.
    fn runner_version(&self, runner: &Self::Runner) -> Version;

    /// The live schema's fingerprint, recorded after each migration (None: the engine has no
    /// schema model).
    async fn fingerprint(&self, runner: &Self::Runner) -> Result<Option<String>>;

    /// Whether the live schema drifted from what the applied migrations give.
    async fn drift_guard(
        &self,
        check: DriftGuard<'_>,
        runner: &Self::Runner,
    ) -> Result<DriftVerdict>;

    /// Adopts a database that has a schema but no tack history: records that schema as the
    /// baseline drift starts from (with the migrations that count as applied in it). Returns
    /// what to tell the user; None when there was nothing to adopt (or the engine cannot).
    async fn adopt(
        &self,
        url: &str,
        runner: &Self::Runner,
        sources: &[Source],
        histories: &[ToolHistory],
    ) -> Result<Option<String>>;

    /// What a step runs, statement by statement with its settings, for `--dry-run`.
    fn dry_run_step(
        &self,
        migration: &str,
        step: &Step,
        version: Version,
        lock_timeout: Duration,
        statement_timeout: Duration,
    ) -> String;
}
