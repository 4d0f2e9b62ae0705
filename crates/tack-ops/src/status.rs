//! The status use case: the migration files in apply order next to what the target's state
//! store recorded of them.
//!
//! Each file is applied, pending, failed, in progress, awaiting `tack complete`, or rolled back
//! (steps done/total and the current step); an applied file whose checksum differs from the
//! recorded one is "changed since"; a pending file that sorts before an applied one is "out of
//! order" (`tack apply` refuses it); records whose file is gone are listed after the files
//! ("file missing"). Applied migrations show their history (applied at, duration, applied by,
//! tack version, fingerprint prefix); unfinished ones show their steps (status, attempts, last
//! error). The directory's tack.sum is checked too.
//!
//! Reads only: a target without a state store lists every file as pending.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::project::applied::{self, Applied};
use crate::project::history::{self, Recorded};
use crate::project::layout::{Hints, Tool};
use crate::project::sources;
use crate::project::sum::{self, Verdict};
use std::collections::HashMap;
use tack_exec::{MigrationRecord, StateReport, StateStore, Status, StepRecord};

/// The state of one migration, as `tack status` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Applied,
    Pending,
    Failed,
    InProgress,
    /// Started (expanded); waits for `tack complete` or `tack rollback`.
    AwaitingComplete,
    /// Undone by `tack rollback`; `tack apply` applies it again.
    RolledBack,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Pending => "pending",
            State::Failed => "failed",
            State::InProgress => "in_progress",
            State::AwaitingComplete => "awaiting_complete",
            State::RolledBack => "rolled_back",
        }
    }

    pub fn of(record: Option<&MigrationRecord>) -> State {
        match record.map(|r| r.status) {
            None | Some(Status::Pending) => State::Pending,
            Some(Status::Done) => State::Applied,
            Some(Status::Failed) => State::Failed,
            Some(Status::Running) | Some(Status::RollingBack) => State::InProgress,
            Some(Status::Expanded) => State::AwaitingComplete,
            Some(Status::RolledBack) => State::RolledBack,
        }
    }
}

/// One line of the status: a file, a record, or both.
pub struct Row {
    pub name: String,
    /// The file as found (None: recorded, file missing).
    pub file: Option<String>,
    pub file_checksum: Option<String>,
    pub record: Option<MigrationRecord>,
    pub state: State,
    /// Recorded with another checksum than the file has now.
    pub changed: bool,
    /// The applied migration this pending one sorts before.
    pub out_of_order_before: Option<String>,
    /// Applied by another tool (its name and history table), not by tack.
    pub applied_by: Option<String>,
    /// The version as the migration's tool reads it (None: a record without a file, or a
    /// repeatable migration).
    pub version: Option<String>,
}

impl Row {
    pub fn steps_done(&self) -> usize {
        self.record.as_ref().map_or(0, |r| {
            r.steps.iter().filter(|s| s.status == Status::Done).count()
        })
    }

    /// The step an unfinished migration is at: the first one not done.
    pub fn current_step(&self) -> Option<(usize, &StepRecord)> {
        if self.state == State::Applied {
            return None;
        }
        let r = self.record.as_ref()?;
        r.steps
            .iter()
            .enumerate()
            .find(|(_, s)| s.status != Status::Done)
    }
}

/// What the status found, ready to render.
pub struct Overview {
    pub database: String,
    pub report: StateReport,
    /// False when no migrations directory was found (only records are listed).
    pub files_known: bool,
    pub sums: Vec<(String, Verdict)>,
    pub rows: Vec<Row>,
    /// Each directory read: its path, the tool whose layout it is in, and why.
    pub layouts: Vec<(String, Tool, String)>,
    /// Another tool's history records a migration that failed half-way: (tool, table, version).
    pub tool_failed: Vec<(Tool, String, String)>,
}

impl Overview {
    /// An applied migration whose file is gone counts too: the expected schema of `tack drift`
    /// (and of apply's full drift check) cannot be rebuilt without it.
    pub fn attention(&self) -> bool {
        self.rows.iter().any(|r| {
            r.state == State::Failed
                || r.changed
                || r.out_of_order_before.is_some()
                || (self.files_known && r.file.is_none() && r.state == State::Applied)
        }) || !self.tool_failed.is_empty()
            || self
                .sums
                .iter()
                .any(|(_, v)| matches!(v, Verdict::Mismatch(_)))
    }
}

/// Reads the migrations `paths` name (when `files_known`: a directory that exists or paths
/// given), in their layout (`layout`, else detected), the state store at `url` and the other
/// tools' history tables there, and joins them.
pub async fn overview<E: Engine>(
    engine: &E,
    url: &str,
    paths: &[String],
    files_known: bool,
    layout: Option<Tool>,
) -> Result<Overview> {
    let histories = engine.tool_histories(url).await?;
    let project = if files_known {
        let hints = Hints {
            given: layout,
            history: histories.iter().map(|h| h.tool).collect(),
        };
        let paths: Vec<String> = paths.iter().filter(|p| *p != "-").cloned().collect();
        match sources::load_project(&paths, &hints) {
            Ok(project) => project,
            // A directory whose files are all gone still shows the database's records.
            Err(e) if e.starts_with(sources::NO_FILES) => sources::Project::default(),
            Err(e) => return Err(e.into()),
        }
    } else {
        sources::Project::default()
    };
    let mut sums = Vec::new();
    if files_known {
        for dir in sum::dirs_of(paths) {
            let verdict = sum::verify(&dir)?;
            sums.push((dir.join(sum::FILE_NAME).display().to_string(), verdict));
        }
    }
    let mut store = engine.store(url).await?;
    let report = store.report().await.map_err(|e| {
        Error::from(e).context(format!("reading the state store on {}", engine.shown(url)))
    })?;

    let mut records: HashMap<String, MigrationRecord> = report
        .migrations
        .iter()
        .map(|m| (m.name.clone(), m.clone()))
        .collect();
    // Applied by another tool: what its history table says of a migration tack never ran.
    let by_tool: Applied = applied::from_database(&project.sources, &[], &histories);
    let names: Vec<String> = project.sources.iter().map(|s| s.id.clone()).collect();
    // Each file's record; one recorded by an earlier tack under the file's bare name is its
    // record still (the next apply renames it).
    let file_records: Vec<Option<MigrationRecord>> = project
        .sources
        .iter()
        .map(|f| {
            records.remove(&f.id).or_else(|| {
                let legacy = history::legacy_name(f)?;
                let matches = records
                    .get(&legacy)
                    .is_some_and(|r| r.checksum == f.checksum);
                matches.then(|| records.remove(&legacy)).flatten()
            })
        })
        .collect();
    let by_name: HashMap<&str, &MigrationRecord> = names
        .iter()
        .zip(&file_records)
        .filter_map(|(n, r)| r.as_ref().map(|r| (n.as_str(), r)))
        .collect();
    let late: HashMap<String, String> = history::out_of_order(&names, |n| match by_name.get(n) {
        None if by_tool.contains(n) => Recorded::Applied,
        None => Recorded::Never,
        Some(r) if matches!(r.status, Status::Done | Status::Expanded) => Recorded::Applied,
        Some(_) => Recorded::Unfinished,
    })
    .into_iter()
    .map(|o| (o.pending, o.after))
    .collect();
    let mut rows = Vec::new();
    for ((f, name), record) in project.sources.iter().zip(names.clone()).zip(file_records) {
        let applied_by = match &record {
            None => by_tool.by.get(&name).cloned(),
            Some(_) => None,
        };
        rows.push(Row {
            state: if applied_by.is_some() {
                State::Applied
            } else {
                State::of(record.as_ref())
            },
            changed: record.as_ref().is_some_and(|r| r.checksum != f.checksum),
            out_of_order_before: late.get(&name).cloned(),
            file: Some(f.file.name.clone()),
            file_checksum: Some(f.checksum.clone()),
            applied_by,
            version: f.version.clone(),
            record,
            name,
        });
    }
    // Records without a file, in the order they were started.
    for m in &report.migrations {
        if let Some(record) = records.remove(&m.name) {
            rows.push(Row {
                name: m.name.clone(),
                file: None,
                file_checksum: None,
                state: State::of(Some(&record)),
                changed: false,
                out_of_order_before: None,
                applied_by: None,
                version: None,
                record: Some(record),
            });
        }
    }
    Ok(Overview {
        database: engine.shown(url),
        report,
        files_known,
        sums,
        rows,
        layouts: project.layouts,
        tool_failed: by_tool.failed,
    })
}
