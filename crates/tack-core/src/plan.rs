//! The plan model — the only one: planners produce it, renderers print it, the executor runs it
//! and stores it (a resumed run replays the plan it recorded, not a new plan of a catalog the
//! interrupted run already changed).
//!
//! A plan is made of steps. Every step has a place in a change's lifecycle: its [`Stage`] says
//! whether it runs when the migration starts (`tack apply`) or when it is completed (`tack
//! complete`, the contract of an expand/contract rollout), and its [`Undo`] says how `tack
//! rollback` reverses it.

use crate::engine::Version;
use crate::name::QualifiedName;
use serde::{Deserialize, Serialize};

/// What the planner may do.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    pub version: Version,
    /// Rule ids whose refusals are overridden: the statement runs as written.
    pub allow: Vec<String>,
}

/// Phases, in the order they run within one migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Metadata-only changes that add things (columns, defaults, NOT VALID constraints).
    Expand,
    /// Filling existing rows in batches.
    Backfill,
    /// Index builds, concurrently.
    Index,
    /// Validation and constraints that rely on validated data (VALIDATE, SET NOT NULL, USING INDEX).
    Validate,
    /// Statements run as written (already safe, or explicitly allowed).
    Run,
    /// Removing helpers (temporary checks, triggers).
    Cleanup,
    /// The contract of a rollout: removing the old shape once nothing uses it.
    Contract,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Expand => "expand",
            Phase::Backfill => "backfill",
            Phase::Index => "index",
            Phase::Validate => "validate",
            Phase::Run => "run",
            Phase::Cleanup => "cleanup",
            Phase::Contract => "contract",
        }
    }
}

/// When a step runs in its change's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// When the migration is applied (`tack apply`): for most changes, every step.
    #[default]
    Start,
    /// When the migration is completed (`tack complete`): the contract of a rollout, dropping an
    /// online copy's old table. A migration with such steps waits, applied but not complete,
    /// until then.
    Complete,
}

/// How `tack rollback` reverses a step that ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Undo {
    /// The step left nothing to reverse (a validation, a helper that a later step removed).
    Nothing,
    /// Statements that reverse it, run like a step (lock timeout, retries).
    Sql {
        sql: String,
        /// Runs inside a transaction (false for CONCURRENTLY operations).
        transactional: bool,
    },
    /// tack cannot reverse it (data changed in place, data dropped): why.
    Irreversible { reason: String },
}

impl Default for Undo {
    /// Steps recorded by a tack that did not know how to undo them.
    fn default() -> Self {
        Undo::Irreversible {
            reason: "recorded without an undo (by an older tack)".to_owned(),
        }
    }
}

/// How a backfill walks the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackfillKey {
    /// Keyset pagination over the primary key columns, in order.
    PrimaryKey(Vec<String>),
    /// Ranges of physical pages, for tables without a primary key (PostgreSQL's `ctid`).
    #[serde(alias = "ctid")]
    PhysicalPages,
}

/// A batched UPDATE of existing rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backfill {
    pub table: QualifiedName,
    pub key: BackfillKey,
    /// `(column, expression)` pairs, as SQL.
    pub assignments: Vec<(String, String)>,
    /// Which rows need it (the user's WHERE, or `col IS NULL` for a new column); None: all rows.
    pub condition: Option<String>,
    /// While the backfill runs, a temporary trigger applies the same assignments to rows inserted
    /// or updated by the application, so no row is missed; it is dropped when the backfill ends.
    pub trigger: bool,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Action {
    /// One statement, run with the lock timeout and retried on lock timeouts.
    Sql { sql: String },
    /// A batched, throttled, resumable backfill.
    Backfill(Backfill),
}

impl Action {
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Sql { .. } => "sql",
            Action::Backfill(_) => "backfill",
        }
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Stable within a plan: the executor records progress under it.
    pub id: String,
    pub phase: Phase,
    #[serde(default)]
    pub stage: Stage,
    pub action: Action,
    /// The SQL a reader should see (a backfill as the one UPDATE it stands for).
    #[serde(default)]
    pub summary: String,
    /// The statement of the migration this step comes from (its text).
    #[serde(default)]
    pub source: String,
    /// The table the step locks or writes.
    pub table: Option<QualifiedName>,
    /// The strongest lock taken on `table`, by the engine's own name (None for backfill
    /// batches: row locks only).
    pub lock: Option<String>,
    /// The engine's algorithm, where it has one (MySQL/MariaDB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// Runs inside a transaction (false for CONCURRENTLY operations).
    pub transactional: bool,
    #[serde(default)]
    pub rewrite: bool,
    #[serde(default)]
    pub scan: bool,
    #[serde(default)]
    pub blocks_reads: bool,
    #[serde(default)]
    pub blocks_writes: bool,
    /// How long, when the table's size is known.
    #[serde(default)]
    pub estimate: Option<String>,
    /// Why this step exists and why it is safe.
    #[serde(default)]
    pub why: String,
    /// SQL returning one boolean: true when the step's effect is already in the catalog (so a
    /// resumed run skips it after checking, instead of trusting its records).
    pub done_probe: Option<String>,
    /// SQL to run before (re)trying the step after an interruption, e.g. dropping the INVALID
    /// index a failed concurrent build left behind.
    pub cleanup: Option<String>,
    /// How `tack rollback` reverses the step.
    #[serde(default)]
    pub undo: Undo,
}

impl Step {
    /// The SQL a reader should see for the step.
    pub fn display_sql(&self) -> String {
        match (&self.action, self.summary.is_empty()) {
            (Action::Sql { sql }, true) => sql.clone(),
            (Action::Backfill(b), true) => format!("backfill of {} in batches", b.table),
            (_, false) => self.summary.clone(),
        }
    }

    pub fn kind(&self) -> &'static str {
        self.action.kind()
    }
}

/// A statement the planner will not run, with the reason and the manual recipe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    pub rule: &'static str,
    pub statement: String,
    pub reason: String,
    pub recipe: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub refused: Vec<Refusal>,
    /// Facts the plan had to assume (not connected, unknown sizes, …).
    pub assumptions: Vec<String>,
}

impl Plan {
    /// Steps that wait for `tack complete`.
    pub fn has_complete_stage(&self) -> bool {
        self.steps.iter().any(|s| s.stage == Stage::Complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A step stored by an earlier tack (the executor's own step format) still reads back.
    #[test]
    fn reads_steps_stored_by_earlier_versions() {
        let old = r#"{"id":"V2__x.sql#3","phase":"backfill","action":{"type":"backfill",
            "table":{"schema":null,"name":"orders"},"key":"ctid","assignments":[["a","1"]],
            "condition":"a IS NULL","trigger":true},"table":{"schema":null,"name":"orders"},
            "lock":"RowExclusiveLock","transactional":true,"done_probe":null,"cleanup":null}"#;
        let step: Step = serde_json::from_str(old).unwrap();
        assert_eq!(step.stage, Stage::Start);
        assert!(matches!(
            &step.action,
            Action::Backfill(Backfill {
                key: BackfillKey::PhysicalPages,
                ..
            })
        ));
        assert!(matches!(step.undo, Undo::Irreversible { .. }));
        let back: Step = serde_json::from_str(&serde_json::to_string(&step).unwrap()).unwrap();
        assert_eq!(back, step);
    }
}
