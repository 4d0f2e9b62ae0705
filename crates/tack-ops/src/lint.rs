//! The lint use case: walk the parsed migrations in order through the core linter with the
//! target's facts and the engine's rule base, and place every finding in its file — the report
//! every renderer formats.

use crate::facts::{Facts, TargetInfo};
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

/// The result of a lint run, placed in its files.
#[derive(Debug)]
pub struct Report {
    pub files: Vec<SourceFile>,
    pub findings: Vec<Located>,
    pub target: TargetInfo,
    /// Facts assumed because they could not be read.
    pub assumptions: Vec<String>,
    pub statements: usize,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding.severity == severity)
            .count()
    }
}

/// Lints `sources` (parsed into `parsed`) in order.
pub fn lint<D: Dialect>(
    dialect: &D,
    sources: Vec<Source>,
    parsed: &[ParsedFile],
    facts: Facts,
    options: LintOptions,
) -> Report {
    let mut linter = Linter::new(dialect, options, facts.catalog);
    let mut findings = Vec::new();
    let mut statements = 0;
    for (index, (source, parsed)) in sources.iter().zip(parsed).enumerate() {
        statements += parsed.statements.len();
        for finding in lint_file(&mut linter, source, parsed) {
            findings.push(locate(index, source, finding));
        }
    }
    Report {
        files: sources.into_iter().map(|s| s.file).collect(),
        findings,
        target: facts.info,
        assumptions: facts.assumptions,
        statements,
    }
}

fn lint_file<D: Dialect>(
    linter: &mut Linter<D>,
    source: &Source,
    parsed: &ParsedFile,
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
    linter.begin_file();
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
