//! What the executor runs: migrations made of steps, in a form that can be stored in the target's
//! state and read back (a resumed run replays the plan it recorded, not a new plan of a catalog
//! that the interrupted run already changed).

use serde::{Deserialize, Serialize};
use tack_core::change::quote_ident;
use tack_core::plan::{BackfillKey, Step, StepKind};

/// A table name, as written in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TableName {
    pub schema: Option<String>,
    pub name: String,
}

impl TableName {
    /// The name as SQL, quoted where needed.
    pub fn sql(&self) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&self.name)),
            None => quote_ident(&self.name),
        }
    }
}

impl From<&tack_core::QualifiedName> for TableName {
    fn from(q: &tack_core::QualifiedName) -> Self {
        TableName {
            schema: q.schema.clone(),
            name: q.name.clone(),
        }
    }
}

/// How a backfill walks its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySpec {
    /// Keyset batches over the primary key columns, in order.
    PrimaryKey(Vec<String>),
    /// Ranges of physical pages, for tables without a primary key.
    Ctid,
}

/// A batched UPDATE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackfillSpec {
    pub table: TableName,
    pub key: KeySpec,
    /// `(column, expression)` pairs, as SQL.
    pub assignments: Vec<(String, String)>,
    /// Which rows need it; None: every row.
    pub condition: Option<String>,
    /// Install a temporary trigger applying the assignments to rows written meanwhile.
    pub trigger: bool,
}

impl BackfillSpec {
    /// The backfill as one UPDATE (for display).
    pub fn as_update(&self) -> String {
        let set: Vec<String> = self
            .assignments
            .iter()
            .map(|(c, e)| format!("{} = {e}", quote_ident(c)))
            .collect();
        let mut sql = format!("UPDATE {} SET {}", self.table.sql(), set.join(", "));
        if let Some(c) = &self.condition {
            sql.push_str(&format!(" WHERE {c}"));
        }
        sql
    }
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Action {
    /// One statement, run with the lock timeout and retried on lock timeouts.
    Sql { sql: String },
    /// A batched, throttled, resumable backfill.
    Backfill(BackfillSpec),
}

/// One step, as the executor runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSpec {
    /// Stable within a migration: progress is recorded under it.
    pub id: String,
    /// The plan phase (expand, backfill, index, validate, run, cleanup), for display.
    pub phase: String,
    pub action: Action,
    /// The table the step locks or writes.
    pub table: Option<TableName>,
    /// The strongest lock taken on `table` (PostgreSQL's name), for display.
    pub lock: Option<String>,
    /// Runs inside a transaction (false for CONCURRENTLY operations).
    pub transactional: bool,
    /// SQL returning one boolean: true when the step's effect is already in the catalog.
    pub done_probe: Option<String>,
    /// SQL run before (re)trying a non-transactional step (e.g. drop an INVALID index).
    pub cleanup: Option<String>,
}

impl StepSpec {
    /// The SQL a reader should see for the step.
    pub fn display_sql(&self) -> String {
        match &self.action {
            Action::Sql { sql } => sql.clone(),
            Action::Backfill(b) => format!("{} -- in batches", b.as_update()),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self.action {
            Action::Sql { .. } => "sql",
            Action::Backfill(_) => "backfill",
        }
    }
}

impl From<&Step> for StepSpec {
    fn from(step: &Step) -> Self {
        let action = match &step.kind {
            StepKind::Sql { sql } => Action::Sql { sql: sql.clone() },
            StepKind::Backfill(b) => Action::Backfill(BackfillSpec {
                table: (&b.table).into(),
                key: match &b.key {
                    BackfillKey::PrimaryKey(cols) => KeySpec::PrimaryKey(cols.clone()),
                    BackfillKey::Ctid => KeySpec::Ctid,
                },
                assignments: b.assignments.clone(),
                condition: b.condition.clone(),
                trigger: b.trigger,
            }),
        };
        StepSpec {
            id: step.id.clone(),
            phase: serde_json::to_value(step.phase)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            action,
            table: step.table.as_ref().map(Into::into),
            lock: step.lock.map(|l| l.pg_name().to_owned()),
            transactional: step.transactional,
            done_probe: step.done_probe.clone(),
            cleanup: step.cleanup.clone(),
        }
    }
}

/// One migration: a file's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    /// The file name.
    pub name: String,
    /// sha256 of the file's text, hex.
    pub checksum: String,
    pub steps: Vec<StepSpec>,
}

impl Migration {
    pub fn from_plan(name: &str, checksum: &str, plan: &tack_core::plan::Plan) -> Self {
        Migration {
            name: name.to_owned(),
            checksum: checksum.to_owned(),
            steps: plan.steps.iter().map(StepSpec::from).collect(),
        }
    }
}

/// Recorded status of a migration or step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Running,
    Done,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "pending" => Status::Pending,
            "running" => Status::Running,
            "done" => Status::Done,
            "failed" => Status::Failed,
            _ => return None,
        })
    }
}

/// What the state store knows of a migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationRecord {
    pub name: String,
    pub checksum: String,
    pub status: Status,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Who applied it, with what, how long it took and the schema it left.
    #[serde(flatten)]
    pub history: History,
    /// The steps as recorded when the migration started (their plan).
    pub steps: Vec<StepRecord>,
}

/// The history recorded with a migration (all optional: older state stores, and migrations
/// interrupted before their first run ended, have none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct History {
    /// The version part of the file name (`V1.2__x.sql` → `1.2`, `20240101120000_x.sql` →
    /// `20240101120000`), else the name.
    pub version: Option<String>,
    /// Time spent running it, summed over the runs that worked on it (a resumed migration's
    /// earlier runs count; the time between them does not).
    pub duration_ms: Option<i64>,
    /// `database role@client host` of the run that last worked on it.
    pub applied_by: Option<String>,
    /// The tack version of that run.
    pub tack_version: Option<String>,
    /// The schema fingerprint after it was applied.
    pub fingerprint: Option<String>,
}

/// What the state store knows of a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    pub id: String,
    /// The recorded plan of the step (None if it could not be read back).
    #[serde(skip)]
    pub spec: Option<StepSpec>,
    pub kind: String,
    pub sql: String,
    pub status: Status,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// For backfills: rows written so far, and the persisted cursor.
    pub rows_done: Option<i64>,
    pub cursor: Option<String>,
}
