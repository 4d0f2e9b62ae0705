//! The plan use case: the safe, phased plan of every migration, each planned against the catalog
//! the migrations before it leave.

use crate::error::{Error, Result};
use crate::facts::Facts;
use crate::project::applied::{Applied, Basis};
use crate::project::Source;
use tack_core::plan::{Plan, PlanOptions};
use tack_core::{Dialect, ParsedFile, Statement};

/// One migration file and its plan.
pub struct MigrationPlan {
    pub name: String,
    /// The file's checksum (recorded when applied).
    pub checksum: String,
    pub plan: Plan,
    /// Applied already (by whom): not planned.
    pub applied_by: Option<String>,
}

/// The target and a plan per migration file.
pub struct Planned {
    pub facts: Facts,
    pub migrations: Vec<MigrationPlan>,
    /// How pending was decided.
    pub pending_basis: String,
}

impl Planned {
    pub fn refused(&self) -> bool {
        self.migrations.iter().any(|m| !m.plan.refused.is_empty())
    }
}

/// `--allow` names rules of the engine (or `all`).
pub fn check_allow<D: Dialect>(dialect: &D, allow: &[String]) -> Result<()> {
    for rule in allow {
        if rule != "all" && tack_core::rule::find(&[dialect.rules()], rule).is_none() {
            return Err(Error::usage(format!(
                "--allow {rule}: no such rule (see `tack rules`)"
            )));
        }
    }
    Ok(())
}

/// Plans the pending migrations, each against the catalog the ones before it leave. Applied
/// ones are not planned: connected, the live catalog has their effects already (planning them
/// would teach the planner that their tables are new and empty); offline, their statements are
/// learned and what they made counts as live. Offline with nothing said, each file is planned
/// alone (every table it did not create itself is live).
pub fn plan<D: Dialect>(
    dialect: &D,
    sources: &[Source],
    parsed: &[ParsedFile],
    mut facts: Facts,
    allow: &[String],
    applied: &Applied,
) -> Result<Planned> {
    check_syntax(sources, parsed)?;
    check_allow(dialect, allow)?;
    let options = PlanOptions {
        version: facts.info.version,
        allow: allow.to_vec(),
    };
    let connected = applied.basis == Basis::Database;
    let mut migrations = Vec::new();
    for (source, parsed) in sources.iter().zip(parsed) {
        let name = source.id.clone();
        let applied_by = applied.by.get(&name).cloned();
        let statements = Statement::all(&source.file.text, parsed);
        let plan = if applied_by.is_some() {
            if !connected {
                for stmt in &statements {
                    facts.catalog.record(stmt.change);
                }
                facts.catalog.forget_new();
            }
            Plan::default()
        } else {
            let plan = dialect.plan(&name, &statements, &mut facts.catalog, &options);
            if applied.basis == Basis::EachFileAlone {
                facts.catalog.forget_new();
            }
            plan
        };
        migrations.push(MigrationPlan {
            name,
            checksum: source.checksum.clone(),
            plan,
            applied_by,
        });
    }
    Ok(Planned {
        facts,
        migrations,
        pending_basis: applied.assumption(),
    })
}

/// A plan is only made of statements the engine accepts: every syntax error (and file that is
/// not UTF-8) is an error here.
pub fn check_syntax(sources: &[Source], parsed: &[ParsedFile]) -> Result<()> {
    let mut problems = Vec::new();
    for (source, parsed) in sources.iter().zip(parsed) {
        if let Some(at) = source.invalid_utf8_at {
            problems.push(format!("{}: not valid UTF-8", source.file.at(at)));
        }
        for e in &parsed.errors {
            problems.push(format!("{}: {}", source.file.at(e.offset), e.message));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::input(format!(
            "the migrations do not parse:\n  {}",
            problems.join("\n  ")
        ))
        .hint("fix them first (`tack lint` shows them in context)"))
    }
}
