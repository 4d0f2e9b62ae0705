//! `tack status [PATH]`: the migration files in apply order next to what the target's state
//! store recorded of them (`tack_ops::status`), rendered as a table (or JSON). The exit code is
//! documented in `cli::STATUS_EXIT_CODES`.

use super::{paths_or_default, runtime, target_url, Outcome};
use crate::cli::{PlanFormat, StatusArgs};
use crate::config::Config;
use serde_json::{json, Value};
use tack_exec::Status;
use tack_ops::project::sum::Verdict;
use tack_ops::status::{Overview, Row, State};
use tack_ops::PgEngine;

pub fn run(args: &StatusArgs) -> Outcome {
    let config = Config::load(args.config.as_deref())?;
    super::require_paths(&args.paths)?;
    let url = target_url(&config, args.target.database_url.as_deref(), "tack status")?;
    let paths = paths_or_default(&args.paths, &config);
    // Without PATH a missing default directory is not an error: status also serves databases
    // inspected from outside the project.
    let files_known =
        !args.paths.is_empty() || paths.iter().all(|p| std::path::Path::new(p).exists());
    let status = runtime()?.block_on(tack_ops::status::overview(
        &PgEngine,
        &url,
        &paths,
        files_known,
        args.layout.or(config.layout()),
    ))?;
    let text = match args.target.format {
        PlanFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&render_json(&status)).unwrap_or_default()
        ),
        PlanFormat::Human => render_human(&status),
    };
    crate::output::stdout(&text);
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
                o.insert("applied_by_tool".into(), json!(r.applied_by));
                if r.applied_by.is_some() {
                    o.insert("status".into(), json!("done"));
                }
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
        "running": s.report.holder,
        "sums": s.sums.iter().map(|(path, v)| match v {
            Verdict::Matches(n) => json!({"path": path, "status": "matches", "migrations": n}),
            Verdict::Missing => json!({"path": path, "status": "missing"}),
            Verdict::Mismatch(m) => json!({"path": path, "status": "mismatch", "message": m}),
        }).collect::<Vec<_>>(),
        "layouts": s.layouts.iter().map(|(dir, tool, because)| json!({"path": dir, "layout": tool.id(), "because": because})).collect::<Vec<_>>(),
        "tool_failed": s.tool_failed.iter().map(|(tool, table, version)| json!({"tool": tool.id(), "table": table, "version": version})).collect::<Vec<_>>(),
        "migrations": migrations,
        "summary": {
            "applied": count(&|r| r.state == State::Applied),
            "pending": count(&|r| r.state == State::Pending),
            "failed": count(&|r| r.state == State::Failed),
            "in_progress": count(&|r| r.state == State::InProgress),
            "awaiting_complete": count(&|r| r.state == State::AwaitingComplete),
            "rolled_back": count(&|r| r.state == State::RolledBack),
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

/// How to stop the run that holds the lock, safely first.
fn how_to_stop(h: &tack_exec::LockHolder) -> String {
    let safely = match &h.runner {
        Some(runner) => {
            format!("Ctrl-C in its terminal, or `kill -INT <pid>` for the tack {runner}")
        }
        None => "Ctrl-C where it runs".to_owned(),
    };
    format!(
        "to stop it: {safely} (it stops after the current batch or step; the next `tack apply` \
         resumes); `tack pause` only pauses its backfills; terminating its server session \
         (pg_terminate_backend({})) does not stop tack itself",
        h.pid
    )
}

fn render_human(s: &Overview) -> String {
    let r = &s.report;
    let mut out = format!("tack status of {}\n", s.database);
    match &r.holder {
        Some(h) => {
            out.push_str(&format!("run: in progress ({h})\n"));
            out.push_str(&format!("  {}\n", how_to_stop(h)));
        }
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
    for (dir, tool, because) in &s.layouts {
        out.push_str(&format!("{dir}: read as {tool} migrations ({because})\n"));
    }
    for (tool, table, version) in &s.tool_failed {
        out.push_str(&format!(
            "{tool}'s history ({table}) records migration {version} as FAILED half-way: repair it \
             (finish or undo its statements by hand, then clear the failed record) before `tack \
             apply`\n"
        ));
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
            State::InProgress if r.holder.is_none() => "in progress (interrupted)".to_owned(),
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
                .or_else(|| row.version.clone())
                .unwrap_or_else(dash),
            row.record
                .as_ref()
                .filter(|_| row.state == State::Applied)
                .and_then(|m| m.finished_at.clone())
                .unwrap_or_else(dash),
            h.and_then(|h| h.duration_ms)
                .map(duration)
                .unwrap_or_else(dash),
            h.and_then(|h| h.applied_by.clone())
                .or_else(|| row.applied_by.clone())
                .unwrap_or_else(dash),
            h.and_then(|h| h.tack_version.clone()).unwrap_or_else(dash),
            h.and_then(|h| h.fingerprint.as_deref())
                .map(|f| f.chars().take(12).collect())
                .unwrap_or_else(dash),
            steps,
        ]);
        // Unfinished migrations: their steps, so the failure or the progress is in view.
        if matches!(
            row.state,
            State::Failed | State::InProgress | State::AwaitingComplete
        ) {
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
        if row.changed && row.state == State::Applied {
            notes.push(format!(
                "{}: recorded with another checksum than the file has now; tack apply refuses \
                 to run. Revert the edit, and put the change in a new migration.",
                row.name
            ));
        } else if row.changed {
            notes.push(format!(
                "{}: changed since its last run; `tack apply` plans it again (what it did is \
                 re-checked against the catalog), or `tack rollback` undoes what ran.",
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
        if row.state == State::Failed && !row.changed {
            notes.push(format!(
                "{}: failed; fix the cause shown above (in the database, or in the migration \
                 file), then `tack apply` resumes at the failed step; or `tack rollback` undoes \
                 what it did.",
                row.name
            ));
        }
        if row.state == State::AwaitingComplete {
            notes.push(format!(
                "{}: applied; once the application no longer uses the old shape, `tack complete` \
                 finishes it (or `tack rollback` returns to the old shape).",
                row.name
            ));
        }
        if s.files_known && row.file.is_none() {
            let what = match row.state {
                State::Applied | State::AwaitingComplete => {
                    "restore it (e.g. from version control): drift cannot rebuild the expected \
                     schema without it"
                }
                _ => {
                    "it never completed: `tack rollback` undoes what it did, then `tack forget \
                      <name>` removes its record"
                }
            };
            notes.push(format!(
                "{}: recorded in the database, but no such file here (deleted or renamed?); {what}.",
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
