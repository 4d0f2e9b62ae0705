//! The human report: each finding as a rustc-style snippet of the source, then what the statement
//! does, why it matters and the safe alternative, then a summary.

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use tack_core::Severity;
use tack_ops::lint::{Located, Report};

pub fn render(report: &Report, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Unicode);
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&finding(report, f, &renderer));
        out.push_str("\n\n");
    }
    for note in &report.layouts {
        out.push_str(&format!("note: {note}\n"));
    }
    out.push_str(&format!("note: {}\n", report.pending_basis));
    if !report.applied.is_empty() {
        let names: Vec<&str> = report
            .applied
            .iter()
            .map(|a| a.migration.as_str())
            .collect();
        out.push_str(&format!(
            "note: applied already, not judged: {}\n",
            crate::commands::plan::summarize_names(&names)
        ));
    }
    for a in &report.assumptions {
        out.push_str(&format!("note: {a}\n"));
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let target = match &report.target.database {
        Some(db) => format!(
            "{} {} ({db})",
            report.target.engine.product(),
            report.target.version
        ),
        None => format!(
            "{} {} ({})",
            report.target.engine.product(),
            report.target.version,
            report.target.version_source
        ),
    };
    out.push_str(&format!(
        "{}, {} in {} ({}) — target {target}\n",
        counted(errors, "error", "errors"),
        counted(warnings, "warning", "warnings"),
        counted(report.files.len(), "file", "files"),
        counted(report.statements, "statement", "statements"),
    ));
    out
}

/// `1 file`, `2 files`.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn finding(report: &Report, f: &Located, renderer: &Renderer) -> String {
    let file = &report.files[f.file_index];
    let text = &file.text;
    let level = match f.finding.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    // Show only the lines of the span: rendering from the whole file would cost O(file) per
    // finding.
    // Offsets come from the linter, the syntax layer or a lossily decoded file (U+FFFD in place
    // of bytes that were not UTF-8): widen the span to character boundaries so no slice below
    // can fall inside a character.
    let start = floor_char_boundary(text, f.finding.offset);
    let end = ceil_char_boundary(text, start.saturating_add(f.finding.len));
    let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = text[end..]
        .find('\n')
        .map(|i| end + i)
        .unwrap_or(text.len());
    let excerpt = &text[line_start..line_end];
    let span = (start - line_start)..(end - line_start).max(start - line_start);

    let mut notes = Vec::new();
    if let Some(effect) = super::effect_summary(&f.finding) {
        notes.push(Level::NOTE.message(effect));
    }
    notes.push(Level::NOTE.message(format!("why: {}", f.finding.why)));
    if let Some(fix) = &f.finding.fix {
        notes.push(Level::HELP.message(format!("safe alternative:\n{fix}")));
    }
    notes.push(Level::NOTE.message(format!(
        "to accept this statement: -- tack:ignore {} <reason>",
        f.finding.rule
    )));

    let report_groups = [level
        .primary_title(f.finding.message.as_str())
        .id(f.finding.rule)
        .element(
            Snippet::source(excerpt)
                .line_start(f.line)
                .path(file.name.as_str())
                .fold(true)
                .annotation(AnnotationKind::Primary.span(span)),
        )
        .elements(notes)];
    let groups: &[Group] = &report_groups;
    renderer.render(groups)
}

/// The largest character boundary at or before `at` (clamped to the text).
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest character boundary at or after `at` (clamped to the text).
fn ceil_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_never_split_a_character() {
        let text = "caf\u{fffd}!";
        assert_eq!(floor_char_boundary(text, 4), 3);
        assert_eq!(ceil_char_boundary(text, 4), 6);
        assert_eq!(floor_char_boundary(text, 99), text.len());
        assert_eq!(ceil_char_boundary(text, 99), text.len());
    }
}
