//! `--format github`: GitHub Actions workflow commands, one annotation per finding.

use tack_core::Severity;
use tack_ops::lint::Report;

/// Escapes a message (`%`, CR, LF) as the workflow-command syntax requires.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value, which additionally may not contain `:` or `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let level = match f.finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = f.finding.message.clone();
        if let Some(effect) = super::effect_summary(&f.finding) {
            message.push_str(&format!("\n{effect}"));
        }
        if let Some(fix) = &f.finding.fix {
            message.push_str(&format!("\nsafe alternative:\n{fix}"));
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&f.file),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            escape_property(&format!("tack {}", f.finding.rule)),
            escape_data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("100%\nok"), "100%25%0Aok");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
