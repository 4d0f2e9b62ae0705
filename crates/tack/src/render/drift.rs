//! How a drift report reads: each difference with the SQL that reconciles it.

use std::fmt::Write as _;
use tack_ops::drift::{kind_name, wording, DriftReport};

fn short(sum: &str) -> &str {
    sum.get(..12).unwrap_or(sum)
}

/// The human rendering of a drift report.
pub fn render_drift(report: &DriftReport) -> String {
    let mut out = String::new();
    let basis = match (report.expected.source, &report.expected.baseline) {
        ("migrations", Some(taken)) => format!(
            "the baseline taken {taken} with the {} migration(s) applied since replayed on it",
            report.expected.files.len()
        ),
        ("migrations", None) => format!(
            "the {} applied migration(s) replayed on a scratch database",
            report.expected.files.len()
        ),
        _ => format!("the schema in {}", report.expected.files.join(", ")),
    };
    for note in &report.expected.notes {
        let _ = writeln!(out, "note: {note}");
    }
    if !report.drift {
        let _ = writeln!(
            out,
            "no drift: {} matches {basis} (fingerprint {})",
            report.target,
            short(&report.fingerprint)
        );
        return out;
    }
    let _ = writeln!(
        out,
        "drift: {} difference(s) between {} and {basis}\n",
        report.differences.len(),
        report.target
    );
    for d in &report.differences {
        let _ = writeln!(
            out,
            "{} {}: {}",
            kind_name(d),
            d.object,
            wording(d, "the database", "the expected schema")
        );
        for line in d.detail.lines() {
            let _ = writeln!(out, "    {line}");
        }
        if !d.sql.is_empty() {
            let _ = writeln!(out, "  reconcile with:");
            for sql in &d.sql {
                for line in sql.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        out.push('\n');
    }
    out
}
