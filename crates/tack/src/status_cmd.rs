//! `tack status [PATH]`: the migration files in apply order next to what the target's `tack`
//! schema recorded of them.
//!
//! Each file is applied, pending, failed or in progress (steps done/total and the current
//! step); an applied file whose checksum differs from the recorded one is "changed since"; a
//! pending file that sorts before an applied one is "out of order" (`tack apply` refuses it);
//! records whose file is gone are listed after the files ("file missing"). Applied migrations
//! show their history (applied at, duration, applied by, tack version, fingerprint prefix);
//! unfinished ones show their steps (status, attempts, last error). The directory's tack.sum is
//! checked too.
//!
//! Reads only: a target without a `tack` schema lists every file as pending. The exit code is
//! documented in `cli::STATUS_EXIT_CODES`.

use crate::apply_cmd::{checksum, runtime, shown, target_url_in};
use crate::cli::{PlanFormat, StatusArgs};
use crate::config::Config;
use crate::files::{self, Input};
use crate::history::{self, Recorded};
use crate::plan_cmd::migration_name;
use crate::sources;
use crate::sum::{self, Verdict};
use serde_json::{json, Value};
use std::collections::HashMap;
use tack_exec::{MigrationRecord, Status, StepRecord};
use tack_postgres::state::StateReport;

/// The state of one migration, as `tack status` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Applied,
    Pending,
    Failed,
    InProgress,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Pending => "pending",
            State::Failed => "failed",
            State::InProgress => "in_progress",
        }
    }

    fn of(record: Option<&MigrationRecord>) -> State {
        match record.map(|r| r.status) {
            None | Some(Status::Pending) => State::Pending,
            Some(Status::Done) => State::Applied,
            Some(Status::Failed) => State::Failed,
            Some(Status::Running) => State::InProgress,
        }
    }
}

/// One line of the status: a file, a record, or both.
struct Row {
    name: String,
    /// The file as found (None: recorded, file missing).
    file: Option<String>,
    file_checksum: Option<String>,
    record: Option<MigrationRecord>,
    state: State,
    /// Recorded with another checksum than the file has now.
    changed: bool,
    /// The applied migration this pending one sorts before.
    out_of_order_before: Option<String>,
}

impl Row {
    fn steps_done(&self) -> usize {
        self.record.as_ref().map_or(0, |r| {
            r.steps.iter().filter(|s| s.status == Status::Done).count()
        })
    }

    /// The step an unfinished migration is at: the first one not done.
    fn current_step(&self) -> Option<(usize, &StepRecord)> {
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
struct Overview {
    database: String,
    report: StateReport,
    /// False when no migrations directory was found (only records are listed).
    files_known: bool,
    sums: Vec<(String, Verdict)>,
    rows: Vec<Row>,
}

impl Overview {
    /// An applied migration whose file is gone counts too: the expected schema of `tack drift`
    /// (and of apply's full drift check) cannot be rebuilt without it.
    fn attention(&self) -> bool {
        self.rows.iter().any(|r| {
            r.state == State::Failed
                || r.changed
                || r.out_of_order_before.is_some()
                || (self.files_known && r.file.is_none() && r.state == State::Applied)
        }) || self
            .sums
            .iter()
            .any(|(_, v)| matches!(v, Verdict::Mismatch(_)))
    }
}

pub fn run(args: &StatusArgs) -> Result<u8, String> {
    let config = Config::load(args.config.as_deref())?;
    let url = target_url_in(&config, args.target.database_url.as_deref(), "tack status")?;
    let paths = sources::paths_or_default(&args.paths, &config);
    // Without PATH a missing default directory is not an error: status also serves databases
    // inspected from outside the project.
    let files_known =
        !args.paths.is_empty() || paths.iter().all(|p| std::path::Path::new(p).exists());
    let files = if files_known {
        let inputs: Vec<Input> = files::collect(&paths)?
            .into_iter()
            .filter(|i| *i != Input::Stdin)
            .collect();
        sources::read_all(&inputs)?
    } else {
        Vec::new()
    };
    let mut sums = Vec::new();
    if files_known {
        for dir in sum::dirs_of(&paths) {
            let verdict = sum::verify(&dir)?;
            sums.push((dir.join(sum::FILE_NAME).display().to_string(), verdict));
        }
    }
    let rt = runtime()?;
    let report = rt.block_on(async {
        let conn = tack_postgres::connect(&url)
            .await
            .map_err(|e| e.to_string())?;
        tack_postgres::state::report(conn.client())
            .await
            .map_err(|e| format!("reading the tack schema on {}: {e}", shown(&url)))
    })?;

    let mut records: HashMap<String, MigrationRecord> = report
        .migrations
        .iter()
        .map(|m| (m.name.clone(), m.clone()))
        .collect();
    let names: Vec<String> = files.iter().map(|f| migration_name(&f.file.name)).collect();
    let late: HashMap<String, String> = history::out_of_order(&names, |n| match records.get(n) {
        None => Recorded::Never,
        Some(r) if r.status == Status::Done => Recorded::Applied,
        Some(_) => Recorded::Unfinished,
    })
    .into_iter()
    .map(|o| (o.pending, o.after))
    .collect();
    let mut rows = Vec::new();
    for (f, name) in files.iter().zip(names) {
        let sum = checksum(&f.file.text);
        let record = records.remove(&name);
        rows.push(Row {
            state: State::of(record.as_ref()),
            changed: record.as_ref().is_some_and(|r| r.checksum != sum),
            out_of_order_before: late.get(&name).cloned(),
            file: Some(f.file.name.clone()),
            file_checksum: Some(sum),
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
                record: Some(record),
            });
        }
    }
    let status = Overview {
        database: shown(&url),
        report,
        files_known,
        sums,
        rows,
    };
    match args.target.format {
        PlanFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&render_json(&status)).map_err(|e| e.to_string())?
        ),
        PlanFormat::Human => print!("{}", render_human(&status)),
    }
    Ok(if status.attention() { 1 } else { 0 })
}

fn render_json(s: &Overview) -> Value {
    let migrations: Vec<Value> = s
        .rows
        .iter()
        .map(|r| {
            let mut v = match &r.record {
                Some(rec) => serde_json::to_value(rec).unwrap_or_else(|_| json!({})),
                None => json!({
                    "name": r.name,
                    "checksum": r.file_checksum,
                    "status": "pending",
                    "steps": [],
                }),
            };
            if let Some(o) = v.as_object_mut() {
                o.insert("state".into(), json!(r.state.as_str()));
                o.insert("file".into(), json!(r.file));
                o.insert(
                    "file_missing".into(),
                    json!(s.files_known && r.file.is_none()),
                );
                o.insert("changed".into(), json!(r.changed));
                o.insert("file_checksum".into(), json!(r.file_checksum));
                o.insert("out_of_order_before".into(), json!(r.out_of_order_before));
                o.insert(
                    "applied_at".into(),
                    json!(r
                        .record
                        .as_ref()
                        .filter(|_| r.state == State::Applied)
                        .and_then(|m| m.finished_at.clone())),
                );
                o.insert("steps_done".into(), json!(r.steps_done()));
                o.insert(
                    "steps_total".into(),
                    json!(r.record.as_ref().map_or(0, |m| m.steps.len())),
                );
                o.insert(
                    "current_step".into(),
                    json!(r.current_step().map(|(_, st)| st.id.clone())),
                );
            }
            v
        })
        .collect();
    let count = |f: &dyn Fn(&Row) -> bool| s.rows.iter().filter(|r| f(r)).count();
    json!({
        "database": s.database,
        "initialized": s.report.initialized,
        "paused": s.report.paused,
        "running": s.report.running,
        "sums": s.sums.iter().map(|(path, v)| match v {
            Verdict::Matches(n) => json!({"path": path, "status": "matches", "migrations": n}),
            Verdict::Missing => json!({"path": path, "status": "missing"}),
            Verdict::Mismatch(m) => json!({"path": path, "status": "mismatch", "message": m}),
        }).collect::<Vec<_>>(),
        "migrations": migrations,
        "summary": {
            "applied": count(&|r| r.state == State::Applied),
            "pending": count(&|r| r.state == State::Pending),
            "failed": count(&|r| r.state == State::Failed),
            "in_progress": count(&|r| r.state == State::InProgress),
            "changed": count(&|r| r.changed),
            "file_missing": count(&|r| s.files_known && r.file.is_none()),
            "out_of_order": count(&|r| r.out_of_order_before.is_some()),
        },
        "attention": s.attention(),
    })
}

/// 850 ms, 12.3 s, 4 min 05 s.
fn duration(ms: i64) -> String {
    match ms {
        ..=999 => format!("{ms} ms"),
        1000..=59_999 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {:02} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// Columns padded to their widest cell (the last one is not padded).
fn table(rows: &[Vec<String>], indent: &str) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|v| v.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(indent);
        for (c, cell) in r.iter().enumerate() {
            if c + 1 == r.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn render_human(s: &Overview) -> String {
    let r = &s.report;
    let mut out = format!("tack status of {}\n", s.database);
    match &r.running {
        Some(h) => out.push_str(&format!("run: in progress ({h})\n")),
        None => out.push_str("run: none in progress\n"),
    }
    if r.paused {
        out.push_str("paused: yes (backfills wait; `tack resume` continues)\n");
    }
    for (path, v) in &s.sums {
        match v {
            Verdict::Matches(n) => out.push_str(&format!("{path}: matches ({n} migrations)\n")),
            Verdict::Missing => out.push_str(&format!(
                "{path}: missing — run `tack sum` to protect the migrations against edits and careless merges\n"
            )),
            Verdict::Mismatch(m) => out.push_str(&format!("{path}: DOES NOT MATCH: {m}\n")),
        }
    }
    if !s.files_known {
        out.push_str("no migrations directory here: listing the database's records only\n");
    }
    if !r.initialized {
        out.push_str("no tack schema in the database yet: nothing was applied here by tack\n");
    }
    if s.rows.is_empty() {
        out.push_str("no migrations\n");
        return out;
    }

    let mut cells = vec![[
        "migration",
        "state",
        "version",
        "applied at",
        "duration",
        "applied by",
        "tack",
        "fingerprint",
        "steps",
    ]
    .map(str::to_owned)
    .to_vec()];
    let mut details: Vec<(usize, String)> = Vec::new();
    for row in &s.rows {
        let mut state = match row.state {
            State::InProgress if r.running.is_none() => "in progress (interrupted)".to_owned(),
            other => other.as_str().replace('_', " "),
        };
        if row.changed {
            state.push_str(", changed since");
        }
        if s.files_known && row.file.is_none() {
            state.push_str(", file missing");
        }
        if row.out_of_order_before.is_some() {
            state.push_str(" (out of order)");
        }
        let h = row.record.as_ref().map(|m| &m.history);
        let dash = || "-".to_owned();
        let steps = match &row.record {
            Some(m) => format!("{}/{}", row.steps_done(), m.steps.len()),
            None => dash(),
        };
        cells.push(vec![
            row.name.clone(),
            state,
            h.and_then(|h| h.version.clone())
                .unwrap_or_else(|| files::version(&row.name)),
            row.record
                .as_ref()
                .filter(|_| row.state == State::Applied)
                .and_then(|m| m.finished_at.clone())
                .unwrap_or_else(dash),
            h.and_then(|h| h.duration_ms)
                .map(duration)
                .unwrap_or_else(dash),
            h.and_then(|h| h.applied_by.clone()).unwrap_or_else(dash),
            h.and_then(|h| h.tack_version.clone()).unwrap_or_else(dash),
            h.and_then(|h| h.fingerprint.as_deref())
                .map(|f| f.chars().take(12).collect())
                .unwrap_or_else(dash),
            steps,
        ]);
        // Unfinished migrations: their steps, so the failure or the progress is in view.
        if matches!(row.state, State::Failed | State::InProgress) {
            if let Some(m) = &row.record {
                let current = row.current_step().map(|(i, _)| i);
                let mut text = String::new();
                if let Some(i) = current {
                    text.push_str(&format!(
                        "    at step {}/{}: {}\n",
                        i + 1,
                        m.steps.len(),
                        m.steps[i].id
                    ));
                }
                let prefix = format!("{}#", m.name);
                for (i, st) in m.steps.iter().enumerate() {
                    let mut line = format!(
                        "    {} {:<4} {:<8} {:<8} {}",
                        if Some(i) == current { "▸" } else { " " },
                        format!("#{}", st.id.strip_prefix(&prefix).unwrap_or(&st.id)),
                        st.status.as_str(),
                        st.kind,
                        st.sql.lines().next().unwrap_or("")
                    );
                    if st.attempts > 0 {
                        line.push_str(&format!("  ({} attempt(s))", st.attempts));
                    }
                    if let Some(rows) = st.rows_done {
                        line.push_str(&format!("  [{rows} rows written]"));
                    }
                    text.push_str(&format!("{line}\n"));
                    if let Some(err) = &st.last_error {
                        if st.status != Status::Done {
                            text.push_str(&format!("           last error: {err}\n"));
                        }
                    }
                }
                details.push((cells.len() - 1, text));
            }
        }
    }
    // The table, with each unfinished migration's steps under its line.
    let lines = table(&cells, "");
    out.push('\n');
    for (i, line) in lines.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        for (_, text) in details.iter().filter(|(row, _)| *row == i) {
            out.push_str(text);
        }
    }

    // What needs doing, with how.
    let mut notes = Vec::new();
    for row in &s.rows {
        if row.changed {
            notes.push(format!(
                "{}: recorded with another checksum than the file has now; tack apply refuses \
                 to run. Revert the edit, and put the change in a new migration.",
                row.name
            ));
        }
        if let Some(after) = &row.out_of_order_before {
            notes.push(format!(
                "{}: pending but sorts before {after}, which ran here; tack apply refuses it. \
                 Rename it to sort last (then `tack sum`), or apply with --allow-out-of-order \
                 if its order does not matter.",
                row.name
            ));
        }
        if row.state == State::Failed {
            notes.push(format!(
                "{}: failed; fix the cause shown above, then `tack apply` resumes at the failed \
                 step.",
                row.name
            ));
        }
        if s.files_known && row.file.is_none() {
            notes.push(format!(
                "{}: recorded in the database, but no such file here (deleted or renamed?).",
                row.name
            ));
        }
    }
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            out.push_str(&format!("note: {n}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(12_345), "12.3 s");
        assert_eq!(duration(245_000), "4 min 05 s");
    }

    #[test]
    fn tables_align() {
        let t = table(
            &[
                vec!["a".into(), "bb".into(), "c".into()],
                vec!["aaa".into(), "b".into(), "".into()],
            ],
            "",
        );
        assert_eq!(t, "a    bb  c\naaa  b\n");
    }
}
