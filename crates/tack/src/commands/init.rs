//! `tack init [DIR]`: a commented `tack.toml`, a `migrations/` directory and its `tack.sum`.
//!
//! An existing `tack.toml` is never overwritten without `--force`; an existing migrations
//! directory and tack.sum are kept (a tack.sum is written when missing, covering the
//! migrations already there).

use super::Outcome;
use crate::cli::InitArgs;
use crate::config::{defaults, Config};
use std::path::Path;
use tack_ops::project::sum;
use tack_ops::Error;

/// The directory `tack init` creates, relative to the project.
const MIGRATIONS: &str = "migrations";

/// The `tack.toml` written by `tack init`: every setting, commented with its built-in value.
pub fn template() -> String {
    let apply = [
        (
            format!("lock_timeout = \"{}\"", defaults::LOCK_TIMEOUT),
            "longest wait for a lock before a retry",
        ),
        (
            format!("statement_timeout = \"{}\"", defaults::STATEMENT_TIMEOUT),
            "per DDL step; \"0\": none",
        ),
        (
            format!("max_attempts = {}", defaults::MAX_ATTEMPTS),
            "attempts per step when its lock cannot be had",
        ),
        (
            format!("retry_budget = \"{}\"", defaults::RETRY_BUDGET),
            "total time for one step's retries",
        ),
        (
            "max_replication_lag = [\"64MB\", \"10s\"]".to_owned(),
            "backfills wait above this lag (default: no limit)",
        ),
        (
            format!("max_lock_waiters = {}", defaults::MAX_LOCK_WAITERS),
            "backfills wait while more sessions wait on the table",
        ),
        (
            format!("batch_time = \"{}\"", defaults::BATCH_TIME),
            "target duration of one backfill batch",
        ),
    ];
    let width = apply.iter().map(|(a, _)| a.len()).max().unwrap_or(0);
    let apply: String = apply
        .iter()
        .map(|(a, c)| format!("# {a:<width$}  # {c}\n"))
        .collect();
    format!(
        r#"# tack.toml — settings for tack; command-line flags override them.
#
# The target database is not written here: tack reads it from --database-url, the DATABASE_URL
# environment variable, or the libpq PG* variables (PGHOST, PGDATABASE, …). To read the URL
# from another environment variable instead of DATABASE_URL:
# database_url_env = "APP_DATABASE_URL"

# The migrations directory: the default PATH of tack lint, plan, apply, status and sum.
migrations = "{MIGRATIONS}"

# The PostgreSQL major version to lint and plan for when not connected.
# pg_version = 16

# For `tack lint` when another runner applies the files: it wraps each file in a transaction,
# or sets lock_timeout itself.
# assume_in_transaction = false
# assume_lock_timeout = false

# Defaults for `tack apply`, shown with their built-in values.
[apply]
{apply}
# Severity per rule ("error", "warning" or "off"); `tack rules` lists them.
# [rules]
# drop-column = "error"
"#
    )
}

pub fn run(args: &InitArgs) -> Outcome {
    let dir = args.dir.clone().unwrap_or_else(|| ".".into());
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::input(format!("cannot create {}: {e}", dir.display())))?;
    let config_path = dir.join("tack.toml");
    let shown = |p: &Path| p.strip_prefix(".").unwrap_or(p).display().to_string();
    let existed = config_path.exists();
    if existed && !args.force {
        errln!(
            "tack init: {} already exists; nothing was changed (tack init --force replaces it \
             with the commented template)",
            shown(&config_path)
        );
        return Ok(2);
    }
    let mut created = Vec::new();
    let text = template();
    // The template must stay loadable: a broken one would break every command after init.
    Config::parse(&text, &config_path)?;
    std::fs::write(&config_path, &text)
        .map_err(|e| Error::input(format!("cannot write {}: {e}", config_path.display())))?;
    created.push(format!(
        "{:<8} {}",
        if existed { "replaced" } else { "created" },
        shown(&config_path)
    ));

    let migrations = dir.join(MIGRATIONS);
    if migrations.is_dir() {
        created.push(format!("{:<8} {}/", "kept", shown(&migrations)));
    } else {
        std::fs::create_dir_all(&migrations)
            .map_err(|e| Error::input(format!("cannot create {}: {e}", migrations.display())))?;
        created.push(format!("{:<8} {}/", "created", shown(&migrations)));
    }
    let sum_path = migrations.join(sum::FILE_NAME);
    if sum_path.exists() {
        created.push(format!("{:<8} {}", "kept", shown(&sum_path)));
    } else {
        let sums = sum::write(&migrations)?;
        created.push(format!(
            "{:<8} {} ({} migration(s))",
            "created",
            shown(&sum_path),
            sums.entries.len()
        ));
    }

    let mut out = String::new();
    for line in &created {
        out.push_str(line);
        out.push('\n');
    }
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("  cd {}\n", dir.display())
    };
    out.push_str(&format!(
        "\nNext:\n{cd}  \
         $EDITOR {MIGRATIONS}/V1__first.sql   # a migration (V<n>__, <timestamp>_ or NNNN_ names set the order)\n  \
         tack lint                          # what each statement locks, rewrites and blocks\n  \
         tack sum                           # after reviewing new migrations: update {MIGRATIONS}/{}\n  \
         export DATABASE_URL=postgres://…   # the target (never written in tack.toml)\n  \
         tack plan                          # the safe, phased plan against that database\n  \
         tack apply                         # run it\n  \
         tack status                        # what is applied, pending or failed\n",
        sum::FILE_NAME
    ));
    out!("{out}");
    Ok(0)
}
