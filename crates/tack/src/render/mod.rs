//! Renderers: the lint [`Report`](tack_ops::lint::Report) as a rustc-style human report, JSON,
//! SARIF 2.1.0 or GitHub workflow annotations; the rule base as Markdown; the executor's events
//! as progress; drift reports; the demo's comparison.

pub mod demo;
pub mod drift;
pub mod events;
pub mod github;
pub mod human;
pub mod json;
pub mod rules_doc;
pub mod sarif;

use tack_core::Finding;

/// "AccessExclusiveLock on users: blocks reads and writes; rewrites the table"
pub fn effect_summary(f: &Finding) -> Option<String> {
    let lock = f.lock.as_ref()?;
    let blocks = match (f.blocks_reads, f.blocks_writes) {
        (true, true) => "blocks reads and writes",
        (false, true) => "blocks writes",
        (true, false) => "blocks reads",
        (false, false) => "reads and writes continue",
    };
    let mut text = lock.clone();
    if let Some(t) = &f.table {
        text.push_str(&format!(" on {t}"));
    }
    text.push_str(&format!(": {blocks}"));
    if f.rewrite {
        text.push_str("; rewrites the table");
    } else if f.scan {
        text.push_str("; scans the table");
    }
    if let Some(e) = &f.estimate {
        text.push_str(&format!("; {e}"));
    }
    Some(text)
}

/// A refused statement, its reason, its manual recipe and how to allow it, indented by `indent`.
pub fn refusal(r: &tack_core::plan::Refusal, indent: &str) -> String {
    let mut out = format!("{indent}    {}\n", r.reason);
    if let Some(recipe) = &r.recipe {
        out.push_str(&format!("{indent}    manual recipe:\n"));
        for line in recipe.lines() {
            out.push_str(&format!("{indent}      {line}\n"));
        }
    }
    out.push_str(&format!(
        "{indent}    to run it as written anyway: --allow {}\n",
        r.rule
    ));
    out
}
