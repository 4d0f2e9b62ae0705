//! `tack plan`: the safe, phased plan for a set of migrations (`tack_ops::plan`), printed (human
//! or JSON).

use super::{layout_notes, paths_or_default, read_migrations, runtime, Outcome};
use crate::cli::{PlanArgs, PlanFormat, TargetOptions};
use crate::config::Config;
use serde_json::json;
use tack_core::plan::Action;
use tack_core::{Dialect, QualifiedName, Version};
use tack_ops::engine::Engine;
use tack_ops::facts::{self, Facts, FactsRequest};
use tack_ops::plan::Planned;
use tack_ops::project::sources;
use tack_ops::{Error, PgEngine};

fn quote(name: &QualifiedName) -> String {
    tack_postgres::Postgres.quote_name(name)
}

/// The version the user gave (`--pg-version`, else tack.toml's `pg_version`), and by what.
pub fn given_version(
    args: &TargetOptions,
    config: &Config,
) -> Result<Option<(Version, &'static str)>, Error> {
    let parse = |text: &str, source: &str| {
        Version::parse(text)
            .filter(|v| v.major >= 9)
            .ok_or_else(|| {
                Error::usage(format!(
                    "{source}: `{text}` is not a PostgreSQL version (expected e.g. 15 or 9.6)"
                ))
            })
    };
    Ok(match (args.pg_version.as_deref(), config.pg_version()) {
        (Some(v), _) => Some((parse(v, "--pg-version")?, "--pg-version")),
        (None, Some(v)) => Some((parse(&v, "tack.toml pg_version")?, "tack.toml")),
        (None, None) => None,
    })
}

/// The server lint and plan read facts from: the one configured, unless `--offline`.
pub fn connect_url(args: &TargetOptions, config: &Config) -> Option<String> {
    if args.offline {
        None
    } else {
        config.database_url(args.database_url.as_deref())
    }
}

/// The target's facts for lint and plan: read from the server when one is configured (and not
/// `--offline`), else assumed.
pub fn facts<E: Engine>(engine: &E, args: &TargetOptions, config: &Config) -> Result<Facts, Error> {
    let version = given_version(args, config)?;
    match connect_url(args, config) {
        None => Ok(facts::offline(engine, version)),
        Some(url) => runtime()?.block_on(facts::resolve(
            engine,
            FactsRequest {
                version,
                url: Some(&url),
            },
        )),
    }
}

pub fn run(args: &PlanArgs) -> Outcome {
    let config = Config::load(args.target.config.as_deref())?;
    if !super::sum::guard(&paths_or_default(&args.paths, &config), "tack plan")? {
        return Ok(1);
    }
    let engine = PgEngine;
    let url = connect_url(&args.target, &config);
    let migrations = read_migrations(&args.paths, &config, &args.layout, url.as_deref())?;
    let sources = &migrations.project.sources;
    let parsed = sources::parse_all(engine.dialect(), sources);
    tack_ops::plan::check_syntax(sources, &parsed)?;
    let facts = facts(&engine, &args.target, &config)?;
    let planned = tack_ops::plan::plan(
        engine.dialect(),
        sources,
        &parsed,
        facts,
        &args.allow,
        &migrations.applied,
    )?;
    let notes = layout_notes(&migrations);
    let out = match args.format {
        PlanFormat::Json => render_json(&planned, &notes),
        PlanFormat::Human => render_human(&planned, &notes),
    };
    out!("{out}");
    Ok(if planned.refused() { 1 } else { 0 })
}

pub fn render_json(planned: &Planned, layouts: &[String]) -> String {
    let steps: Vec<_> = planned
        .migrations
        .iter()
        .flat_map(|m| {
            m.plan.steps.iter().map(move |s| {
                json!({
                    "id": s.id,
                    "migration": m.name,
                    "phase": s.phase,
                    "kind": s.kind(),
                    "stage": s.stage,
                    "sql": s.display_sql(),
                    "backfill": match &s.action { Action::Backfill(b) => serde_json::to_value(b).ok(), _ => None },
                    "table": s.table.as_ref().map(quote),
                    "lock": s.lock,
                    "transactional": s.transactional,
                    "rewrite": s.rewrite,
                    "scan": s.scan,
                    "blocks_reads": s.blocks_reads,
                    "blocks_writes": s.blocks_writes,
                    "estimate": s.estimate,
                    "why": s.why,
                    "source": s.source,
                    "done_probe": s.done_probe,
                    "cleanup": s.cleanup,
                    "undo": s.undo,
                })
            })
        })
        .collect();
    let refused: Vec<_> = planned
        .migrations
        .iter()
        .flat_map(|m| {
            m.plan.refused.iter().map(move |r| {
                json!({
                    "migration": m.name,
                    "rule": r.rule,
                    "statement": r.statement,
                    "reason": r.reason,
                    "recipe": r.recipe,
                    "allow_with": format!("--allow {}", r.rule),
                })
            })
        })
        .collect();
    let mut assumptions = planned.facts.assumptions.clone();
    for m in &planned.migrations {
        for a in &m.plan.assumptions {
            if !assumptions.contains(a) {
                assumptions.push(a.clone());
            }
        }
    }
    let applied: Vec<_> = planned
        .migrations
        .iter()
        .filter_map(|m| {
            m.applied_by
                .as_ref()
                .map(|by| json!({ "migration": m.name, "by": by }))
        })
        .collect();
    let value = json!({
        "target": planned.facts.info,
        "layouts": layouts,
        "pending": planned.pending_basis,
        "assumptions": assumptions,
        "applied": applied,
        "steps": steps,
        "refused": refused,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn render_human(planned: &Planned, layouts: &[String]) -> String {
    let mut out = String::new();
    let info = &planned.facts.info;
    out.push_str(&format!(
        "Plan for {} {}{}\n",
        info.engine.product(),
        info.version,
        info.database
            .as_ref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_else(|| format!(" ({})", info.version_source))
    ));
    for note in layouts {
        out.push_str(&format!("note: {note}\n"));
    }
    out.push_str(&format!("note: {}\n", planned.pending_basis));
    for a in &planned.facts.assumptions {
        out.push_str(&format!("note: {a}\n"));
    }
    let applied: Vec<&str> = planned
        .migrations
        .iter()
        .filter(|m| m.applied_by.is_some())
        .map(|m| m.name.as_str())
        .collect();
    if !applied.is_empty() {
        out.push_str(&format!(
            "\napplied already, not planned: {}\n",
            summarize_names(&applied)
        ));
    }
    for m in planned.migrations.iter().filter(|m| m.applied_by.is_none()) {
        out.push_str(&format!("\n{}\n", m.name));
        if m.plan.steps.is_empty() && m.plan.refused.is_empty() {
            out.push_str("  (nothing to run)\n");
        }
        for (i, s) in m.plan.steps.iter().enumerate() {
            // Continuation lines (a function body, a literal holding a line break) stay in the
            // step's column.
            out.push_str(&format!(
                "  {:>2}. {:<9} {}\n",
                i + 1,
                s.phase.as_str(),
                s.display_sql().replace('\n', "\n                ")
            ));
            let lock = match &s.lock {
                Some(l) => format!("{l} on {}", s.table.as_ref().map(quote).unwrap_or_default()),
                None => "no table lock".to_owned(),
            };
            let traffic = match (s.blocks_reads, s.blocks_writes) {
                (true, _) => {
                    "reads and writes wait while it is held (briefly, with the lock timeout)"
                }
                (false, true) => "writes wait while it is held",
                _ => "reads and writes continue",
            };
            let mut facts = vec![lock, traffic.to_owned()];
            facts.push(if s.transactional {
                "in a transaction".to_owned()
            } else {
                "outside a transaction".to_owned()
            });
            if s.rewrite {
                facts.push("rewrites".to_owned());
            } else if s.scan {
                facts.push("scans".to_owned());
            }
            if let Some(e) = &s.estimate {
                facts.push(e.clone());
            }
            out.push_str(&format!("                {}\n", facts.join(" · ")));
            out.push_str(&format!("                why: {}\n", s.why));
        }
        for r in &m.plan.refused {
            out.push_str(&format!("  refused [{}]: {}\n", r.rule, r.statement));
            out.push_str(&crate::render::refusal(r, "  "));
        }
    }
    out
}

/// A list of names, shortened past a dozen: `a, b, c … (40 more) … y, z`.
pub fn summarize_names(names: &[&str]) -> String {
    if names.len() <= 12 {
        return names.join(", ");
    }
    format!(
        "{} … ({} more) … {}",
        names[..3].join(", "),
        names.len() - 6,
        names[names.len() - 3..].join(", ")
    )
}
