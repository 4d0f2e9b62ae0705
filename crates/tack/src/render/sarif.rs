//! `--format sarif`: SARIF 2.1.0 for code-scanning tools.

use crate::rule_bases;
use serde_json::{json, Value};
use tack_core::Severity;
use tack_ops::lint::Report;

pub fn render(report: &Report) -> String {
    let all: Vec<_> = rule_bases::all().collect();
    let rules: Vec<Value> = all
        .iter()
        .map(|r| {
            json!({
                "id": r.name,
                "name": r.name,
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.why },
                "help": { "text": format!("{}\nSafe recipe: {}", r.why, r.recipe) },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "versions": r.versions },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let rule_index = all.iter().position(|r| r.name == f.finding.rule);
            let mut text = f.finding.message.clone();
            if let Some(effect) = super::effect_summary(&f.finding) {
                text.push_str(&format!(". {effect}"));
            }
            let mut result = json!({
                "ruleId": f.finding.rule,
                "level": level(f.finding.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.file) },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column.max(if f.end_line == f.line { f.column } else { 1 }),
                        },
                    },
                }],
                "properties": {
                    "lock": f.finding.lock,
                    "blocksReads": f.finding.blocks_reads,
                    "blocksWrites": f.finding.blocks_writes,
                    "rewrite": f.finding.rewrite,
                    "scan": f.finding.scan,
                    "estimate": f.finding.estimate,
                    "fix": f.finding.fix,
                },
            });
            if let (Some(i), Some(obj)) = (rule_index, result.as_object_mut()) {
                obj.insert("ruleIndex".to_owned(), json!(i));
            }
            result
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "tack",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/tack-db/tack",
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A relative URI reference for a path (`<stdin>` kept readable, spaces and `%` escaped).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' => out.push(c),
            '\\' => out.push('/'),
            other => {
                let mut buf = [0u8; 4];
                for b in other.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}
