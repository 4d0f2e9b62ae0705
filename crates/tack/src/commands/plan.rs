//! `tack plan`: the safe, phased plan for a set of migrations (`tack_ops::plan`), printed (human
//! or JSON).

use super::{load_sources, paths_or_default, runtime, Outcome};
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

/// The target's facts for lint and plan: read from the server when one is configured (and not
/// `--offline`), else assumed.
pub fn facts<E: Engine>(engine: &E, args: &TargetOptions, config: &Config) -> Result<Facts, Error> {
    let version = given_version(args, config)?;
    let url = if args.offline {
        None
    } else {
        config.database_url(args.database_url.as_deref())
    };
    match url {
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
    let sources = load_sources(&args.paths, &config)?;
    let parsed = sources::parse_all(engine.dialect(), &sources);
    tack_ops::plan::check_syntax(&sources, &parsed)?;
    let facts = facts(&engine, &args.target, &config)?;
    let planned = tack_ops::plan::plan(
        engine.dialect(),
        &sources,
        &parsed,
        facts,
        &args.allow,
        &|_, _| false,
    )?;
    let out = match args.format {
        PlanFormat::Json => render_json(&planned),
        PlanFormat::Human => render_human(&planned),
    };
    out!("{out}");
    Ok(if planned.refused() { 1 } else { 0 })
}

pub fn render_json(planned: &Planned) -> String {
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
    let value = json!({
        "target": planned.facts.info,
        "assumptions": assumptions,
        "steps": steps,
        "refused": refused,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn render_human(planned: &Planned) -> String {
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
    for a in &planned.facts.assumptions {
        out.push_str(&format!("note: {a}\n"));
    }
    for m in &planned.migrations {
        out.push_str(&format!("\n{}\n", m.name));
        if m.plan.steps.is_empty() && m.plan.refused.is_empty() {
            out.push_str("  (nothing to run)\n");
        }
        for (i, s) in m.plan.steps.iter().enumerate() {
            out.push_str(&format!(
                "  {:>2}. {:<9} {}\n",
                i + 1,
                s.phase.as_str(),
                s.display_sql()
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
