//! `tack plan`: the safe, phased plan for a set of migrations, printed (human or JSON).

use crate::cli::{PlanArgs, PlanFormat};
use crate::config::Config;
use crate::sources::{self, Source};
use crate::target::{self, Target};
use serde_json::json;
use tack_core::plan::{self, Plan, PlanOptions, StepKind};
use tack_core::Statement;

/// One migration file and its plan.
pub struct MigrationPlan {
    pub name: String,
    /// The file's text (its checksum is recorded when applied).
    pub text: String,
    pub plan: Plan,
}

/// Everything `tack plan` and `tack apply` need: the target and a plan per migration file.
pub struct Planned {
    pub target: Target,
    pub migrations: Vec<MigrationPlan>,
}

/// Reads, parses and plans the migrations. Syntax errors are errors here: a plan is only made of
/// statements PostgreSQL accepts.
pub fn prepare(args: &PlanArgs) -> Result<Planned, String> {
    prepare_skipping(args, &|_, _| false)
}

/// Like [`prepare`], but the migrations `skip(name, text)` picks (applied ones, for `apply
/// --dry-run`) are left out of planning: their effects are in the live catalog already, and
/// planning them would teach the planner that their tables are new and empty.
pub fn prepare_skipping(
    args: &PlanArgs,
    skip: &dyn Fn(&str, &str) -> bool,
) -> Result<Planned, String> {
    let config = Config::load(args.target.config.as_deref())?;
    let sources = sources::load(&args.paths, &config)?;
    let parsed = sources::parse_all(&sources);
    check_syntax(&sources, &parsed)?;
    let mut target = target::resolve(&args.target, &config)?;
    let options = PlanOptions {
        version: target.info.version,
        allow: args.allow.clone(),
    };
    for rule in &args.allow {
        if rule != "all" && tack_core::RuleId::from_name(rule).is_none() {
            return Err(format!("--allow {rule}: no such rule (see `tack rules`)"));
        }
    }
    let mut migrations = Vec::new();
    for (source, parsed) in sources.iter().zip(&parsed) {
        let text = &source.file.text;
        let statements = statements(source, parsed);
        let name = migration_name(&source.file.name);
        if skip(&name, text) {
            migrations.push(MigrationPlan {
                plan: plan::plan(&name, &[], &mut target.catalog, &options),
                name,
                text: text.clone(),
            });
            continue;
        }
        let plan = plan::plan(&name, &statements, &mut target.catalog, &options);
        migrations.push(MigrationPlan {
            name,
            text: text.clone(),
            plan,
        });
    }
    Ok(Planned { target, migrations })
}

/// A parsed file's statements, as the linter and the planner take them.
pub fn statements<'a>(source: &'a Source, parsed: &'a tack_sql::ParsedFile) -> Vec<Statement<'a>> {
    let text = &source.file.text;
    parsed
        .statements
        .iter()
        .map(|s| Statement {
            offset: s.offset,
            len: s.len,
            text: text.get(s.offset..s.offset + s.len).unwrap_or(""),
            change: &s.change,
            ignores: &s.ignores,
        })
        .collect()
}

/// The file name without its directory: what a migration is recorded under.
pub fn migration_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned())
}

pub fn check_syntax(sources: &[Source], parsed: &[tack_sql::ParsedFile]) -> Result<(), String> {
    let mut problems = Vec::new();
    for (source, parsed) in sources.iter().zip(parsed) {
        if source.invalid_utf8_at.is_some() {
            problems.push(format!("{}: not valid UTF-8", source.file.name));
        }
        for e in &parsed.errors {
            let (line, col) = source.file.position(e.offset);
            problems.push(format!("{}:{line}:{col}: {}", source.file.name, e.message));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the migrations do not parse; fix them first (`tack lint` shows them in context):\n  {}",
            problems.join("\n  ")
        ))
    }
}

pub fn run(args: &PlanArgs) -> Result<u8, String> {
    let config = Config::load(args.target.config.as_deref())?;
    if !crate::sum::guard(
        &sources::paths_or_default(&args.paths, &config),
        "tack plan",
    )? {
        return Ok(1);
    }
    let planned = prepare(args)?;
    let refused = planned
        .migrations
        .iter()
        .any(|m| !m.plan.refused.is_empty());
    let out = match args.format {
        PlanFormat::Json => render_json(&planned),
        PlanFormat::Human => render_human(&planned),
    };
    print!("{out}");
    Ok(if refused { 1 } else { 0 })
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
                    "kind": match s.kind { StepKind::Sql { .. } => "sql", StepKind::Backfill(_) => "backfill" },
                    "sql": s.kind.display_sql(),
                    "backfill": match &s.kind { StepKind::Backfill(b) => serde_json::to_value(b).ok(), _ => None },
                    "table": s.table.as_ref().map(|t| t.sql()),
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
    let mut assumptions = planned.target.assumptions.clone();
    for m in &planned.migrations {
        for a in &m.plan.assumptions {
            if !assumptions.contains(a) {
                assumptions.push(a.clone());
            }
        }
    }
    let value = json!({
        "target": planned.target.info,
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
    let info = &planned.target.info;
    out.push_str(&format!(
        "Plan for PostgreSQL {}{}\n",
        info.version,
        info.database
            .as_ref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_else(|| format!(" ({})", info.version_source))
    ));
    for a in &planned.target.assumptions {
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
                format!("{:?}", s.phase).to_lowercase(),
                s.kind.display_sql()
            ));
            let lock = match s.lock {
                Some(l) => format!(
                    "{} on {}",
                    l.pg_name(),
                    s.table.as_ref().map(|t| t.sql()).unwrap_or_default()
                ),
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
            out.push_str(&format!("      {}\n", r.reason));
            if let Some(recipe) = &r.recipe {
                out.push_str("      manual recipe:\n");
                for line in recipe.lines() {
                    out.push_str(&format!("        {line}\n"));
                }
            }
            out.push_str(&format!(
                "      to run it as written anyway: --allow {}\n",
                r.rule
            ));
        }
    }
    out
}
