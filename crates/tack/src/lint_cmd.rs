//! `tack lint`: read the migrations, parse them (in parallel), walk them in order through the
//! linter with the target's facts, and render the report.

use crate::cli::{Color, Format, LintArgs};
use crate::config::Config;
use crate::render;
use crate::report::{Located, Report};
use crate::sources::{self, Source};
use crate::target;
use std::io::{IsTerminal, Write};
use tack_core::{Finding, LintOptions, Linter, RuleId, Severity, Statement};
use tack_sql::ParsedFile;

pub fn run(args: &LintArgs) -> Result<u8, String> {
    let config = Config::load(args.target.config.as_deref())?;
    let sources = sources::load(&args.paths, &config)?;
    let parsed = sources::parse_all(&sources);
    let target = target::resolve(&args.target, &config)?;

    let options = LintOptions {
        version: target.info.version,
        assume_in_transaction: args.assume_in_transaction || config.assume_in_transaction,
        assume_lock_timeout: args.assume_lock_timeout || config.assume_lock_timeout,
        severity: config.rule_severities()?,
    };
    let mut linter = Linter::new(options, target.catalog);
    let mut findings = Vec::new();
    let mut statements = 0;
    for (index, (source, parsed)) in sources.iter().zip(&parsed).enumerate() {
        statements += parsed.statements.len();
        for finding in lint_file(&mut linter, source, parsed) {
            findings.push(locate(index, source, finding));
        }
    }

    let report = Report {
        files: sources.into_iter().map(|s| s.file).collect(),
        findings,
        target: target.info,
        assumptions: target.assumptions,
        statements,
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let output = match args.format {
        Format::Human => render::human::render(&report, color),
        Format::Json => render::json::render(&report),
        Format::Sarif => render::sarif::render(&report),
        Format::Github => render::github::render(&report),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`tack lint | head`) is not an error worth a message.
    let _ = stdout.write_all(output.as_bytes());

    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    Ok(if errors > 0 || (args.deny_warnings && warnings > 0) {
        1
    } else {
        0
    })
}

fn lint_file(linter: &mut Linter, source: &Source, parsed: &ParsedFile) -> Vec<Finding> {
    let text = &source.file.text;
    let mut out = Vec::new();
    if let Some(at) = source.invalid_utf8_at {
        out.push(Finding::diagnostic(
            RuleId::SyntaxError,
            at,
            1,
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
    for stmt in &parsed.statements {
        while let Some(e) = errors.next_if(|e| e.offset < stmt.offset) {
            out.push(syntax_finding(text, e));
        }
        let statement = Statement {
            offset: stmt.offset,
            len: stmt.len,
            text: text.get(stmt.offset..stmt.offset + stmt.len).unwrap_or(""),
            change: &stmt.change,
            ignores: &stmt.ignores,
        };
        out.extend(linter.check(&statement));
    }
    out.extend(errors.map(|e| syntax_finding(text, e)));
    linter.end_file();
    out
}

fn syntax_finding(text: &str, e: &tack_sql::SyntaxError) -> Finding {
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
