//! What the executor runs — migrations, each a named, checksummed plan of
//! [`Step`](tack_core::plan::Step)s (the plan model is the core's, the only one) — and what the
//! state store records of them.

use serde::{Deserialize, Serialize};
use tack_core::plan::{Plan, Stage, Step};

/// One migration: a file's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    /// The file name.
    pub name: String,
    /// sha256 of the file's text, hex.
    pub checksum: String,
    pub steps: Vec<Step>,
}

impl Migration {
    pub fn from_plan(name: &str, checksum: &str, plan: &Plan) -> Self {
        Migration {
            name: name.to_owned(),
            checksum: checksum.to_owned(),
            steps: plan.steps.clone(),
        }
    }

    /// Whether some steps wait for `tack complete`.
    pub fn has_complete_stage(&self) -> bool {
        self.steps.iter().any(|s| s.stage == Stage::Complete)
    }
}

/// Recorded status of a migration or step: where it is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Running,
    /// Complete: every step ran (for a migration, its complete stage too).
    Done,
    Failed,
    /// A migration whose start stage ran and whose complete stage waits for `tack complete`.
    Expanded,
    /// `tack rollback` is reversing it (an interrupted rollback resumes).
    RollingBack,
    /// Reversed by `tack rollback` (a step: undone).
    RolledBack,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Expanded => "expanded",
            Status::RollingBack => "rolling_back",
            Status::RolledBack => "rolled_back",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "pending" => Status::Pending,
            "running" => Status::Running,
            "done" => Status::Done,
            "failed" => Status::Failed,
            "expanded" => Status::Expanded,
            "rolling_back" => Status::RollingBack,
            "rolled_back" => Status::RolledBack,
            _ => return None,
        })
    }

    /// Started but not complete: what `tack rollback` may reverse.
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            Status::Running | Status::Failed | Status::Expanded | Status::RollingBack
        )
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
    pub spec: Option<Step>,
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
