//! `--format json`: `{"target", "layouts", "pending", "applied", "assumptions", "findings":
//! [...], "summary"}`.

use serde_json::json;
use tack_core::Severity;
use tack_ops::lint::Report;

pub fn render(report: &Report) -> String {
    let value = json!({
        "target": report.target,
        "layouts": report.layouts,
        "pending": report.pending_basis,
        "applied": report.applied,
        "assumptions": report.assumptions,
        "findings": report.findings,
        "summary": {
            "files": report.files.len(),
            "statements": report.statements,
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
        },
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; keep the output valid JSON regardless.
        json!({ "error": e.to_string() }).to_string()
    });
    text.push('\n');
    text
}
