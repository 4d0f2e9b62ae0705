//! `tack drift` and `tack diff` (PostgreSQL): the live schema against the schema it should have
//! (`tack_ops::drift`).

use super::{runtime, target_url, Outcome};
use crate::cli::{DiffArgs, DriftArgs, PlanFormat};
use crate::config::Config;
use crate::render;
use std::path::PathBuf;
use tack_ops::drift::{DiffOutcome, DiffRequest, DriftRequest};
use tack_ops::engine::Engine;
use tack_ops::project::applied::ToolHistory;
use tack_ops::project::layout::Hints;
use tack_ops::project::{sources, Source, Tool};
use tack_ops::{Error, PgEngine};

/// The migrations `paths` name (default: tack.toml's `migrations`) in their layout, or none when
/// that default directory does not exist (a database with no migrations yet), and the other
/// tools' history tables in the target.
pub fn migrations_and_histories(
    paths: &[String],
    config: &Config,
    layout: Option<Tool>,
    url: &str,
) -> Result<(Vec<Source>, Vec<ToolHistory>), Error> {
    // A path that does not exist is said before anything connects.
    super::require_paths(paths)?;
    let engine = PgEngine;
    let histories = runtime()?.block_on(engine.tool_histories(url))?;
    if paths.is_empty() && !config.migrations_dir().exists() {
        return Ok((Vec::new(), histories));
    }
    super::require_paths(paths)?;
    let resolved = super::paths_or_default(paths, config);
    let hints = Hints {
        given: layout.or(config.layout()),
        history: histories.iter().map(|h| h.tool).collect(),
    };
    match sources::load_project(&resolved, &hints) {
        Ok(p) => Ok((p.sources, histories)),
        Err(e) if paths.is_empty() && e.starts_with(sources::NO_FILES) => {
            Ok((Vec::new(), histories))
        }
        Err(e) => Err(e.into()),
    }
}

/// `tack drift`.
pub fn drift(args: &DriftArgs) -> Outcome {
    let config = Config::load(args.config.as_deref())?;
    let url = target_url(&config, args.database_url.as_deref(), "tack drift")?;
    let (sources, histories) = if args.schema.is_empty() {
        migrations_and_histories(&args.paths, &config, args.layout, &url)?
    } else {
        (
            Vec::new(),
            runtime()?.block_on(PgEngine.tool_histories(&url))?,
        )
    };
    let report = runtime()?.block_on(tack_ops::drift::check(
        DriftRequest {
            url: &url,
            dev_url: args.dev.dev_url.as_deref(),
            sources: &sources,
            histories: &histories,
            schema_paths: &args.schema,
            use_cache: !args.no_cache,
        },
        None,
    ))?;
    match args.format {
        PlanFormat::Human => out!("{}", render::drift::render_drift(&report)),
        PlanFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    }
    Ok(u8::from(report.drift))
}

/// `tack diff --to PATH`.
pub fn diff(args: &DiffArgs) -> Outcome {
    let config = Config::load(args.config.as_deref())?;
    let url = target_url(&config, args.database_url.as_deref(), "tack diff")?;
    let dir: PathBuf = args
        .out
        .clone()
        .or_else(|| config.migrations.clone())
        .unwrap_or_else(|| PathBuf::from("migrations"));
    let outcome = runtime()?.block_on(tack_ops::drift::diff(
        DiffRequest {
            url: &url,
            dev_url: args.dev.dev_url.as_deref(),
            to: &args.to,
            out: &dir,
            name: &args.name,
            stdout: args.stdout,
        },
        &mut |note| errln!("tack diff: note: {note}"),
    ))?;
    match outcome {
        DiffOutcome::Nothing => errln!(
            "tack diff: {} already matches {}; nothing written",
            tack_postgres::redact(&url),
            args.to.join(", ")
        ),
        DiffOutcome::Text(text) => out!("{text}"),
        DiffOutcome::Written {
            file,
            changes,
            sum_updated,
            sum_stale,
        } => {
            let sum = dir.join("tack.sum");
            if sum_updated {
                errln!("tack diff: updated {}", sum.display());
            } else if sum_stale {
                errln!(
                    "tack diff: {} did not match the directory before this file was added; left \
                     as it was (`tack sum --check` says why)",
                    sum.display()
                );
            }
            errln!(
                "tack diff: wrote {} ({changes} change(s)); next: tack lint {0} && tack plan {0}",
                file.display()
            );
        }
    }
    Ok(0)
}
