//! The commands: each reads its arguments and `tack.toml`, calls its use case in `tack-ops`,
//! renders the result and returns the exit code (0 fine, 1 findings or failures, 2 usage, I/O or
//! connection problems — an `Err`).

pub mod apply;
pub mod baseline;
pub mod demo;
pub mod init;
pub mod lifecycle;
pub mod lint;
pub mod plan;
pub mod schema;
pub mod status;
pub mod sum;

use crate::cli::LayoutArgs;
use crate::config::Config;
use tack_ops::migrations::{self, Migrations, Request};
use tack_ops::Error;

/// A command's result: its exit code, or an error (exit 2).
pub type Outcome = Result<u8, Error>;

pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::usage(format!("cannot start the async runtime: {e}")))
}

/// The target URL: `--database-url` / DATABASE_URL (or the variable tack.toml's
/// `database_url_env` names), or "" for the PG* variables.
pub fn target_url(
    config: &Config,
    database_url: Option<&str>,
    command: &str,
) -> Result<String, Error> {
    config.database_url(database_url).ok_or_else(|| {
        Error::usage(format!("{command} needs a database"))
            .hint(format!("give {}", config.database_url_sources()))
    })
}

/// `paths`, or the configured migrations directory when none are given.
pub fn paths_or_default(paths: &[String], config: &Config) -> Vec<String> {
    if paths.is_empty() {
        vec![config.migrations_dir().display().to_string()]
    } else {
        paths.to_vec()
    }
}

/// What to do about a migrations path that does not exist.
const MISSING_HINT: &str = "check the path; give the migration files or directories, set \
                            `migrations` in tack.toml, or start a project with `tack init`";

/// A migrations path that does not exist: named, with what to do. `-` (standard input) always
/// exists.
pub fn require_paths(paths: &[String]) -> Result<(), Error> {
    for path in paths.iter().filter(|p| *p != "-") {
        if !std::path::Path::new(path).exists() {
            let what = if path.ends_with(".sql") {
                "no migration file"
            } else {
                "no migrations directory"
            };
            return Err(Error::input(format!("{what} {path}")).hint(MISSING_HINT));
        }
    }
    Ok(())
}

/// The migrations `paths` name (default: tack.toml's `migrations`), read in their layout, with
/// what of them is applied: connected (`url`), per the database; offline, per `--pending-from`
/// / `--since`, else each file alone.
pub fn read_migrations(
    paths: &[String],
    config: &Config,
    layout: &LayoutArgs,
    url: Option<&str>,
) -> Result<Migrations, Error> {
    if url.is_some() {
        if let Some(flag) = layout
            .pending_from
            .as_ref()
            .map(|_| "--pending-from")
            .or(layout.since.as_ref().map(|_| "--since"))
        {
            return Err(Error::usage(format!(
                "{flag} is for linting and planning offline: connected, tack reads what is \
                 applied from the database (its own history and the tool's history table)"
            ))
            .hint("add --offline to judge without the database"));
        }
    }
    let resolved = paths_or_default(paths, config);
    require_paths(&resolved)?;
    let request = Request {
        paths: &resolved,
        layout: layout.layout.or(config.layout()),
        url,
        pending_from: layout.pending_from.as_deref(),
        since: layout.since.as_deref(),
    };
    runtime()?.block_on(migrations::read(&tack_ops::PgEngine, request))
}

/// How each directory was read, for the output: `migrations/ read as goose (its files carry
/// goose annotations)`.
pub fn layout_notes(migrations: &Migrations) -> Vec<String> {
    migrations
        .project
        .layouts
        .iter()
        .map(|(dir, tool, because)| format!("{dir} read as {tool} migrations ({because})"))
        .collect()
}
