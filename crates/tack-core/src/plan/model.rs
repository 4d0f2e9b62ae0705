//! What a plan is made of. The executor (`tack-exec`) runs these; renderers print them.

use crate::change::QualifiedName;
use crate::lock::LockMode;
use serde::Serialize;

/// Phases, in the order they run within one migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
}

/// How a backfill walks the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackfillKey {
    /// Keyset pagination over the primary key columns, in order.
    PrimaryKey(Vec<String>),
    /// Ranges of physical pages (`ctid`), for tables without a primary key.
    Ctid,
}

/// A batched UPDATE of existing rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

impl Backfill {
    /// The whole backfill as one UPDATE, as the user would have written it (for display; the
    /// executor runs it in batches).
    pub fn as_update(&self) -> String {
        let set: Vec<String> = self
            .assignments
            .iter()
            .map(|(c, e)| format!("{} = {e}", crate::change::quote_ident(c)))
            .collect();
        let mut sql = format!("UPDATE {} SET {}", self.table.sql(), set.join(", "));
        if let Some(cond) = &self.condition {
            sql.push_str(&format!(" WHERE {cond}"));
        }
        sql
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum StepKind {
    /// One statement, run with the lock timeout and retried on lock timeouts.
    Sql { sql: String },
    /// A batched backfill, throttled and resumable.
    Backfill(Backfill),
}

impl StepKind {
    /// The SQL a reader should see for the step.
    pub fn display_sql(&self) -> String {
        match self {
            StepKind::Sql { sql } => sql.clone(),
            StepKind::Backfill(b) => format!("{} -- in batches", b.as_update()),
        }
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Stable within a plan: the executor records progress under it.
    pub id: String,
    pub phase: Phase,
    #[serde(flatten)]
    pub kind: StepKind,
    /// The statement of the migration this step comes from (its text).
    pub source: String,
    /// The table the step locks or writes.
    pub table: Option<QualifiedName>,
    /// The strongest lock taken on `table` (None for backfill batches: row locks only).
    pub lock: Option<LockMode>,
    /// Runs inside a transaction (false for CONCURRENTLY operations).
    pub transactional: bool,
    pub rewrite: bool,
    pub scan: bool,
    pub blocks_reads: bool,
    pub blocks_writes: bool,
    /// How long, when the table's size is known.
    pub estimate: Option<String>,
    /// Why this step exists and why it is safe.
    pub why: String,
    /// SQL returning one boolean: true when the step's effect is already in the catalog (so a
    /// resumed run skips it after checking, instead of trusting its records).
    pub done_probe: Option<String>,
    /// SQL to run before (re)trying the step after an interruption, e.g. dropping the INVALID
    /// index a failed concurrent build left behind.
    pub cleanup: Option<String>,
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
