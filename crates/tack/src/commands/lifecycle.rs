//! `tack complete`, `tack rollback` and `tack forget`: the lifecycle of migrations that wait for a
//! decision or did not complete (`tack_ops::lifecycle`).

use super::apply::{exec_options, stop_on_ctrl_c};
use super::{paths_or_default, runtime, target_url, Outcome};
use crate::cli::{ApplyArgs, CompleteArgs, ForgetArgs, RollbackArgs};
use crate::config::Config;
use crate::render;
use tack_exec::ExecError;
use tack_ops::lifecycle::LifecycleOutcome;
use tack_ops::project::layout::Hints;
use tack_ops::project::{sources, Source, Tool};
use tack_ops::{Error, PgEngine};

/// The migrations PATH names (tack.toml's `migrations` by default) in their layout; None when no
/// PATH was given and the default directory does not exist (then every recorded migration
/// counts).
fn named(
    paths: &[String],
    config: &Config,
    layout: Option<Tool>,
) -> Result<Option<Vec<Source>>, Error> {
    if paths.is_empty() && !config.migrations_dir().exists() {
        return Ok(None);
    }
    super::require_paths(paths)?;
    let resolved: Vec<String> = paths_or_default(paths, config)
        .into_iter()
        .filter(|p| p != "-")
        .collect();
    let hints = Hints {
        given: layout.or(config.layout()),
        history: Default::default(),
    };
    Ok(Some(sources::load_project(&resolved, &hints)?.sources))
}

fn report(command: &str, outcome: LifecycleOutcome, did: &str, none: &str) -> u8 {
    match outcome {
        LifecycleOutcome::Done(names) if names.is_empty() => {
            errln!("{command}: {none}");
            0
        }
        LifecycleOutcome::Done(names) => {
            errln!("{command}: {did}: {}", names.join(", "));
            0
        }
        LifecycleOutcome::Locked(holder) => {
            errln!("{command}: {}", ExecError::Locked(holder));
            1
        }
        LifecycleOutcome::Failed {
            migration,
            step,
            error,
        } => {
            errln!(
                "{command}: step {step} of {migration} failed: {error}\nThe rest waits; fix the \
                 cause and run `{command}` again (`tack status` shows the state)."
            );
            1
        }
        LifecycleOutcome::Interrupted => {
            errln!("{command}: interrupted; run it again to go on");
            1
        }
    }
}

/// `tack complete [PATH]`.
pub fn complete(args: &CompleteArgs) -> Outcome {
    run(&args.apply, None)
}

/// `tack rollback [PATH]`.
pub fn rollback(args: &RollbackArgs) -> Outcome {
    run(&args.apply, Some(args.leave_irreversible))
}

/// Completes (`leave_irreversible` None) or rolls back the migrations PATH names.
fn run(args: &ApplyArgs, leave_irreversible: Option<bool>) -> Outcome {
    let command = match leave_irreversible {
        None => "tack complete",
        Some(_) => "tack rollback",
    };
    let config = Config::load(args.plan.target.config.as_deref())?;
    let url = target_url(&config, args.plan.target.database_url.as_deref(), command)?;
    let options = exec_options(args, &config)?;
    let named = named(&args.plan.paths, &config, args.plan.layout.layout)?;
    let events = render::events::events(args.log_format);
    let outcome = runtime()?.block_on(async {
        let stop = stop_on_ctrl_c();
        match leave_irreversible {
            None => {
                tack_ops::lifecycle::complete(
                    &PgEngine,
                    &url,
                    named.as_deref(),
                    options,
                    events,
                    stop,
                )
                .await
            }
            Some(leave) => {
                tack_ops::lifecycle::rollback(
                    &PgEngine,
                    &url,
                    named.as_deref(),
                    leave,
                    options,
                    events,
                    stop,
                )
                .await
            }
        }
    })?;
    Ok(match leave_irreversible {
        None => report(
            command,
            outcome,
            "completed",
            "nothing waits for completion (every applied migration is complete)",
        ),
        Some(_) => report(
            command,
            outcome,
            "rolled back",
            "nothing to roll back (no migration is failed, interrupted or waiting for completion)",
        ),
    })
}

/// `tack forget MIGRATION`.
pub fn forget(args: &ForgetArgs) -> Outcome {
    let config = Config::load(args.config.as_deref())?;
    let url = target_url(&config, args.database_url.as_deref(), "tack forget")?;
    // A migration whose file is still here is not forgotten: `tack apply` would record it again.
    if let Some(sources) = named(&[], &config, None)? {
        if let Some(s) = sources
            .iter()
            .find(|s| tack_ops::project::migration_name(&s.file.name) == args.migration)
        {
            return Err(Error::state(format!(
                "{} is still a migration file here; tack forgets only migrations whose file is gone",
                s.file.name
            ))
            .hint("`tack rollback` undoes a migration that did not complete; delete the file first to forget it"));
        }
    }
    let outcome = runtime()?.block_on(tack_ops::lifecycle::forget(
        &PgEngine,
        &url,
        &args.migration,
        args.force,
        tack_exec::Options::default(),
    ))?;
    Ok(report(
        "tack forget",
        outcome,
        "forgot",
        "nothing to forget",
    ))
}
