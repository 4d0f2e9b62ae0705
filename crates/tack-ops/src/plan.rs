//! The plan use case: the safe, phased plan of every migration, each planned against the catalog
//! the migrations before it leave.

use crate::error::{Error, Result};
use crate::facts::Facts;
use crate::project::{migration_name, Source};
use tack_core::plan::{Plan, PlanOptions};
use tack_core::{Dialect, ParsedFile, Statement};

/// One migration file and its plan.
pub struct MigrationPlan {
    pub name: String,
    /// The file's text (its checksum is recorded when applied).
    pub text: String,
    pub plan: Plan,
}

/// The target and a plan per migration file.
pub struct Planned {
    pub facts: Facts,
    pub migrations: Vec<MigrationPlan>,
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

/// Plans the migrations. Those `skip(name, text)` picks (applied ones) are left out of planning:
/// their effects are in the live catalog already, and planning them would teach the planner that
/// their tables are new and empty.
pub fn plan<D: Dialect>(
    dialect: &D,
    sources: &[Source],
    parsed: &[ParsedFile],
    mut facts: Facts,
    allow: &[String],
    skip: &dyn Fn(&str, &str) -> bool,
) -> Result<Planned> {
    check_syntax(sources, parsed)?;
    check_allow(dialect, allow)?;
    let options = PlanOptions {
        version: facts.info.version,
        allow: allow.to_vec(),
    };
    let mut migrations = Vec::new();
    for (source, parsed) in sources.iter().zip(parsed) {
        let text = &source.file.text;
        let name = migration_name(&source.file.name);
        let statements = if skip(&name, text) {
            Vec::new()
        } else {
            Statement::all(text, parsed)
        };
        let plan = dialect.plan(&name, &statements, &mut facts.catalog, &options);
        migrations.push(MigrationPlan {
            name,
            text: text.clone(),
            plan,
        });
    }
    Ok(Planned { facts, migrations })
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
