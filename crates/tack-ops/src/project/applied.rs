//! What is already applied, and so what is pending: tack's own records, the history tables of the
//! tool the project used (read through the engine, never written), or — offline — what the user
//! said (`--pending-from FILE`, `--since GIT-REF`). Lint and plan judge only what is pending;
//! apply runs only that; status shows who applied what.

use super::layout::Tool;
use super::Source;
use std::collections::BTreeMap;
use std::path::Path;

/// What another tool's history table says (engine-neutral: each engine's glue reads its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolHistory {
    pub tool: Tool,
    pub table: String,
    /// Versions recorded as applied, as stored (golang-migrate: the last one).
    pub versions: Vec<String>,
    /// A version recorded as failed half-way.
    pub failed: Option<String>,
    /// Flyway: repeatable scripts applied.
    pub scripts: Vec<String>,
    /// Flyway: a `BASELINE` version (everything up to it counts as applied).
    pub baseline: Option<String>,
}

/// Numeric parts of a version, leading zeros dropped, for comparing `000017` with `17` and
/// Flyway's `1.1` with `1_1`.
fn numeric(version: &str) -> Option<Vec<u128>> {
    version
        .split(['.', '_'])
        .map(|p| p.parse::<u128>().ok())
        .collect()
}

fn same_version(a: &str, b: &str) -> bool {
    match (numeric(a), numeric(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl ToolHistory {
    /// Whether `source` is applied according to this history.
    pub fn applies(&self, source: &Source) -> bool {
        if source.repeatable {
            return self.scripts.contains(&source.id);
        }
        let Some(version) = source.version.as_deref() else {
            return false;
        };
        match self.tool {
            // One row: the last version applied; every version up to it is applied.
            // A dirty row names the version that failed half-way: those before it are applied.
            Tool::GolangMigrate => {
                self.versions
                    .iter()
                    .any(|last| le(version, last) || same_version(version, last))
                    || self
                        .failed
                        .as_deref()
                        .is_some_and(|f| le(version, f) && !same_version(version, f))
            }
            Tool::Flyway => {
                self.versions.iter().any(|v| same_version(v, version))
                    || self.baseline.as_deref().is_some_and(|b| le(version, b))
            }
            // dbmate and diesel compare the strings they stored.
            Tool::Dbmate | Tool::Diesel => self.versions.iter().any(|v| v == version),
            _ => self.versions.iter().any(|v| same_version(v, version)),
        }
    }
}

/// `a <= b` as versions.
fn le(a: &str, b: &str) -> bool {
    match (numeric(a), numeric(b)) {
        (Some(x), Some(y)) => x <= y,
        _ => a <= b,
    }
}

/// How pending was decided, for the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Connected: the database's records.
    Database,
    /// `--pending-from FILE`.
    PendingFrom(String),
    /// `--since GIT-REF`.
    Since(String),
    /// Offline without either: every file is judged alone, every table it did not create itself
    /// counted as live.
    EachFileAlone,
}

/// The applied migrations, by id, with who applied each.
#[derive(Debug, Clone)]
pub struct Applied {
    pub basis: Basis,
    /// id → who applied it (`tack`, or the tool and its table).
    pub by: BTreeMap<String, String>,
    /// A tool's record of a migration that failed half-way: (tool, table, version).
    pub failed: Vec<(Tool, String, String)>,
}

impl Applied {
    pub fn none(basis: Basis) -> Self {
        Applied {
            basis,
            by: BTreeMap::new(),
            failed: Vec::new(),
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by.contains_key(id)
    }

    /// What the output says about how pending was decided.
    pub fn assumption(&self) -> String {
        match &self.basis {
            Basis::Database => format!(
                "{} migration(s) already applied on the database (its history) are not judged \
                 again; tables they made are live",
                self.by.len()
            ),
            Basis::PendingFrom(f) => format!(
                "pending from {f} on (--pending-from): {} earlier migration(s) count as applied, \
                 their tables as live",
                self.by.len()
            ),
            Basis::Since(r) => format!(
                "pending: files added since {r} (--since); {} other migration(s) count as \
                 applied, their tables as live",
                self.by.len()
            ),
            Basis::EachFileAlone => "not connected and no --pending-from/--since: each file is \
                judged alone, every table it did not create itself counted as live (with rows \
                and traffic)"
                .to_owned(),
        }
    }
}

/// Applied per the database: tack's own records done (`tack`) and the tools' histories.
pub fn from_database(
    sources: &[Source],
    tack_done: &[String],
    histories: &[ToolHistory],
) -> Applied {
    let mut applied = Applied::none(Basis::Database);
    for s in sources {
        if tack_done.contains(&s.id) {
            applied.by.insert(s.id.clone(), "tack".to_owned());
            continue;
        }
        if let Some(h) = histories
            .iter()
            .filter(|h| h.tool == s.tool || s.tool == Tool::Tack)
            .find(|h| h.applies(s))
        {
            applied
                .by
                .insert(s.id.clone(), format!("{} ({})", h.tool, h.table));
        }
    }
    for h in histories {
        if let Some(v) = &h.failed {
            applied.failed.push((h.tool, h.table.clone(), v.clone()));
        }
    }
    applied
}

/// Applied per `--pending-from FILE`: every migration before it (FILE by path, file name or id).
pub fn pending_from(sources: &[Source], from: &str) -> Result<Applied, String> {
    let matches = |s: &Source| {
        s.id == from
            || s.file.name == from
            || Path::new(&s.file.name).file_name().and_then(|n| n.to_str()) == Some(from)
            || Path::new(&s.file.name).ends_with(from)
    };
    let Some(at) = sources.iter().position(matches) else {
        return Err(format!(
            "--pending-from {from}: no such migration among those read (give a file's path or \
             name, as `tack status` lists them)"
        ));
    };
    let mut applied = Applied::none(Basis::PendingFrom(from.to_owned()));
    for s in &sources[..at] {
        applied
            .by
            .insert(s.id.clone(), "before --pending-from".to_owned());
    }
    Ok(applied)
}

/// Applied per `--since GIT-REF`: the migrations whose file git says was not added since the
/// ref (added files, committed since or not yet committed, are pending).
pub fn since(sources: &[Source], reference: &str) -> Result<Applied, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = std::process::Command::new("git")
            .args(args)
            .output()
            .map_err(|e| format!("--since {reference}: cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "--since {reference}: git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let top = Path::new(top.trim());
    let mut added: Vec<std::path::PathBuf> = Vec::new();
    for line in git(&["diff", "--name-only", "--diff-filter=A", reference])?
        .lines()
        .chain(git(&["ls-files", "--others", "--exclude-standard", "--full-name"])?.lines())
    {
        added.push(top.join(line.trim()));
    }
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let added: Vec<std::path::PathBuf> = added.iter().map(|p| canonical(p)).collect();
    let mut applied = Applied::none(Basis::Since(reference.to_owned()));
    for s in sources {
        if !added.contains(&canonical(Path::new(&s.file.name))) {
            applied
                .by
                .insert(s.id.clone(), format!("before {reference}"));
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::layout::TransactionMode;
    use tack_core::SourceFile;

    fn source(id: &str, version: &str, tool: Tool) -> Source {
        Source {
            file: SourceFile::new(id.to_owned(), String::new()),
            invalid_utf8_at: None,
            id: id.to_owned(),
            version: Some(version.to_owned()),
            checksum: String::new(),
            transaction: TransactionMode::Wrapped,
            repeatable: false,
            tool,
        }
    }

    fn history(tool: Tool, versions: &[&str]) -> ToolHistory {
        ToolHistory {
            tool,
            table: "t".into(),
            versions: versions.iter().map(|v| v.to_string()).collect(),
            failed: None,
            scripts: Vec::new(),
            baseline: None,
        }
    }

    #[test]
    fn each_tool_matches_versions_as_it_stores_them() {
        let gm = history(Tool::GolangMigrate, &["17"]);
        assert!(gm.applies(&source("000017_x.up.sql", "000017", Tool::GolangMigrate)));
        assert!(gm.applies(&source("000003_x.up.sql", "000003", Tool::GolangMigrate)));
        assert!(!gm.applies(&source("000018_x.up.sql", "000018", Tool::GolangMigrate)));
        let dirty = ToolHistory {
            failed: Some("5".into()),
            ..history(Tool::GolangMigrate, &[])
        };
        assert!(dirty.applies(&source("000004_x.up.sql", "000004", Tool::GolangMigrate)));
        assert!(!dirty.applies(&source("000005_x.up.sql", "000005", Tool::GolangMigrate)));
        let goose = history(Tool::Goose, &["1", "2"]);
        assert!(goose.applies(&source("00002_b.sql", "00002", Tool::Goose)));
        assert!(!goose.applies(&source("00003_c.sql", "00003", Tool::Goose)));
        let diesel = history(Tool::Diesel, &["20230105120000"]);
        assert!(diesel.applies(&source(
            "2023-01-05-120000_a",
            "20230105120000",
            Tool::Diesel
        )));
        let flyway = ToolHistory {
            baseline: Some("3".into()),
            ..history(Tool::Flyway, &["4", "4.1"])
        };
        assert!(flyway.applies(&source("V2__b.sql", "2", Tool::Flyway)));
        assert!(flyway.applies(&source("V4_1__c.sql", "4.1", Tool::Flyway)));
        assert!(!flyway.applies(&source("V5__d.sql", "5", Tool::Flyway)));
    }

    #[test]
    fn pending_from_counts_everything_before_as_applied() {
        let sources = vec![
            source("V1__a.sql", "1", Tool::Tack),
            source("V2__b.sql", "2", Tool::Tack),
            source("V3__c.sql", "3", Tool::Tack),
        ];
        let a = pending_from(&sources, "V2__b.sql").unwrap();
        assert!(a.contains("V1__a.sql"));
        assert!(!a.contains("V2__b.sql"));
        assert!(pending_from(&sources, "V9__z.sql").is_err());
    }
}
