//! `tack lint`: read the migrations, parse them (in parallel), lint them in order with the
//! target's facts (`tack_ops::lint`), and render the report.

use super::{layout_notes, read_migrations, Outcome};
use crate::cli::{Color, Format, LintArgs};
use crate::config::Config;
use crate::render;
use std::io::IsTerminal;
use tack_core::{LintOptions, Severity};
use tack_ops::engine::Engine;
use tack_ops::lint::Run;
use tack_ops::project::sources;
use tack_ops::PgEngine;

pub fn run(args: &LintArgs) -> Outcome {
    let config = Config::load(args.target.config.as_deref())?;
    let engine = PgEngine;
    let url = super::plan::connect_url(&args.target, &config);
    let migrations = read_migrations(&args.paths, &config, &args.layout, url.as_deref())?;
    let layouts = layout_notes(&migrations);
    let sources = migrations.project.sources;
    let parsed = sources::parse_all(engine.dialect(), &sources);
    let facts = super::plan::facts(&engine, &args.target, &config)?;

    let options = LintOptions {
        version: facts.info.version,
        assume_in_transaction: args.assume_in_transaction
            || config.assume_in_transaction == Some(true),
        assume_lock_timeout: args.assume_lock_timeout || config.assume_lock_timeout,
        severity: config.rule_severities()?,
    };
    let run = Run {
        applied: &migrations.applied,
        in_transaction: if args.assume_in_transaction {
            Some(true)
        } else {
            config.assume_in_transaction
        },
    };
    let mut report = tack_ops::lint::lint(engine.dialect(), sources, &parsed, facts, options, run);
    report.layouts = layouts;
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let output = match args.format {
        Format::Human => render::human::render(&report, color),
        Format::Json => render::json::render(&report),
        Format::Sarif => render::sarif::render(&report),
        Format::Github => render::github::render(&report),
    };
    crate::output::stdout(&output);

    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    Ok(if errors > 0 || (args.deny_warnings && warnings > 0) {
        1
    } else {
        0
    })
}
