//! The commands: each reads its arguments and `tack.toml`, calls its use case in `tack-ops`,
//! renders the result and returns the exit code (0 fine, 1 findings or failures, 2 usage, I/O or
//! connection problems — an `Err`).

pub mod apply;
pub mod demo;
pub mod init;
pub mod lifecycle;
pub mod lint;
pub mod plan;
pub mod schema;
pub mod status;
pub mod sum;

use crate::config::Config;
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

/// The migration files `paths` name (default: tack.toml's `migrations`), read; a missing path,
/// given or the default, names itself and suggests `tack init`.
pub fn load_sources(
    paths: &[String],
    config: &Config,
) -> Result<Vec<tack_ops::project::Source>, Error> {
    let resolved = paths_or_default(paths, config);
    require_paths(&resolved)?;
    Ok(tack_ops::project::sources::load(&resolved)?)
}
