//! The lint use case: walk the parsed migrations in order through the core linter with the
//! target's facts and the engine's rule base, and place every finding in its file — the report
//! every renderer formats.
//!
//! Only pending migrations are judged. Applied ones (per the database, `--pending-from` or
//! `--since`) are listed, not judged: connected, the live catalog already has what they made;
//! offline, their statements are learned so that the tables they made count as live. With
//! nothing said offline, each file is judged alone: every table it did not create itself is live.

use crate::facts::{Facts, TargetInfo};
use crate::project::applied::{Applied, Basis};
use crate::project::Source;
use serde::Serialize;
use tack_core::rule::generic::RuleId;
use tack_core::{
    Dialect, Finding, LintOptions, Linter, ParsedFile, Severity, SourceFile, Statement, SyntaxError,
};

/// A finding with its file and line:column range.
#[derive(Debug, Serialize)]
pub struct Located {
    #[serde(skip)]
    pub file_index: usize,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    #[serde(flatten)]
    pub finding: Finding,
}

/// A migration that was not judged because it is applied.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedFile {
    pub file: String,
    pub migration: String,
    /// Who applied it: `tack`, a tool and its history table, or what the user said.
    pub by: String,
}

/// The result of a lint run, placed in its files.
#[derive(Debug)]
pub struct Report {
    /// The files judged (the pending ones).
    pub files: Vec<SourceFile>,
    pub findings: Vec<Located>,
    pub target: TargetInfo,
    /// Facts assumed because they could not be read.
    pub assumptions: Vec<String>,
    /// Statements judged.
    pub statements: usize,
    /// Migrations not judged because they are applied.
    pub applied: Vec<AppliedFile>,
    /// How pending was decided (said in every output).
    pub pending_basis: String,
    /// How each directory was read (its layout, and why).
    pub layouts: Vec<String>,
}

/// How a run treats its migrations.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    /// What is applied already.
    pub applied: &'a Applied,
    /// `--assume-in-transaction` or tack.toml: every file is (or is not) inside the runner's
    /// transaction, whatever its layout says. `None`: as each file's tool runs it.
    pub in_transaction: Option<bool>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding.severity == severity)
            .count()
    }
}

/// Lints `sources` (parsed into `parsed`) in order: the pending ones judged, the applied ones
/// listed (and, offline, learned).
pub fn lint<D: Dialect>(
    dialect: &D,
    sources: Vec<Source>,
    parsed: &[ParsedFile],
    facts: Facts,
    options: LintOptions,
    run: Run,
) -> Report {
    let mut linter = Linter::new(dialect, options, facts.catalog);
    let connected = run.applied.basis == Basis::Database;
    let each_file_alone = run.applied.basis == Basis::EachFileAlone;
    let mut findings = Vec::new();
    let mut statements = 0;
    let mut files = Vec::new();
    let mut applied = Vec::new();
    for (source, parsed) in sources.into_iter().zip(parsed) {
        if let Some(by) = run.applied.by.get(&source.id) {
            if !connected {
                // Offline: what it made exists, and is live.
                for stmt in Statement::all(&source.file.text, parsed) {
                    linter.learn(stmt.change);
                }
                linter.forget_new();
            }
            applied.push(AppliedFile {
                file: source.file.name.clone(),
                migration: source.id.clone(),
                by: by.clone(),
            });
            continue;
        }
        // A statement that does not parse is still a statement of the file.
        statements += parsed.statements.len() + parsed.errors.len();
        let in_transaction = run
            .in_transaction
            .unwrap_or_else(|| source.transaction.in_transaction(parsed.statements.len()));
        let index = files.len();
        for finding in lint_file(&mut linter, &source, parsed, in_transaction) {
            findings.push(locate(index, &source, finding));
        }
        if each_file_alone {
            linter.forget_new();
        }
        files.push(source.file);
    }
    Report {
        files,
        findings,
        target: facts.info,
        assumptions: facts.assumptions,
        statements,
        applied,
        pending_basis: run.applied.assumption(),
        layouts: Vec::new(),
    }
}

fn lint_file<D: Dialect>(
    linter: &mut Linter<D>,
    source: &Source,
    parsed: &ParsedFile,
    in_transaction: bool,
) -> Vec<Finding> {
    let text = &source.file.text;
    let mut out = Vec::new();
    if let Some(at) = source.invalid_utf8_at {
        // The text was decoded with U+FFFD in place of the bad bytes: underline that whole
        // character, so the span never ends inside it.
        let len = text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        out.push(Finding::diagnostic(
            RuleId::SyntaxError,
            at,
            len,
            format!("the file is not valid UTF-8 (byte {at}): save it as UTF-8"),
            "",
        ));
        return out;
    }
    if parsed.statements.is_empty() && parsed.errors.is_empty() {
        out.push(Finding::diagnostic(
            RuleId::EmptyFile,
            0,
            0,
            "the migration file has no statements".to_owned(),
            "",
        ));
        return out;
    }
    linter.begin_file_in(in_transaction);
    let mut errors = parsed.errors.iter().peekable();
    for stmt in Statement::all(text, parsed) {
        while let Some(e) = errors.next_if(|e| e.offset < stmt.offset) {
            out.push(syntax_finding(text, e));
        }
        out.extend(linter.check(&stmt));
    }
    out.extend(errors.map(|e| syntax_finding(text, e)));
    linter.end_file();
    out
}

fn syntax_finding(text: &str, e: &SyntaxError) -> Finding {
    let statement = text.get(e.statement.0..e.statement.1).unwrap_or("");
    Finding::diagnostic(
        RuleId::SyntaxError,
        e.offset,
        e.len,
        e.message.clone(),
        statement,
    )
}

fn locate(file_index: usize, source: &Source, finding: Finding) -> Located {
    let (line, column) = source.file.position(finding.offset);
    let (end_line, end_column) = source.file.position(finding.offset + finding.len);
    Located {
        file_index,
        file: source.file.name.clone(),
        line,
        column,
        end_line,
        end_column,
        finding,
    }
}
