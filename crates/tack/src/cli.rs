//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tack",
    version,
    about = "Safe schema changes for live PostgreSQL databases",
    long_about = "tack says what each migration statement does to a live PostgreSQL table — the \
                  lock it takes, what that blocks, whether it rewrites or scans, how long at this \
                  table's size — and what to write instead."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint migration files: lock, rewrite and scan claims per statement, with safe alternatives.
    Lint(LintArgs),
    /// Print the safe, phased plan tack would run for these migrations.
    Plan(PlanArgs),
    /// Run the migrations on a live database: lock timeouts with retries, throttled resumable
    /// backfills, progress recorded in the target's `tack` schema.
    Apply(ApplyArgs),
    /// Each migration file in apply order — applied, pending, failed or in progress — with its
    /// history and the steps of unfinished ones; records whose file is missing, and applied
    /// files changed since.
    #[command(after_help = STATUS_EXIT_CODES)]
    Status(StatusArgs),
    /// Finish the migrations that wait for a decision: the contract of a rollout, dropping an
    /// online copy's old table. Nothing waits when every migration completed when applied.
    Complete(CompleteArgs),
    /// Undo migrations that did not complete (failed, interrupted, or waiting for `tack
    /// complete`): their steps that ran are reversed, newest first, with the lock timeout and
    /// retries; the file can then be corrected and applied again.
    Rollback(RollbackArgs),
    /// Remove the record of a migration that never completed and whose file is gone.
    Forget(ForgetArgs),
    /// Pause running backfills (they finish the current batch and wait).
    Pause(TargetArgs),
    /// Resume paused backfills.
    Resume(TargetArgs),
    /// Start a throwaway PostgreSQL with a 1M-row table under a live workload and compare the
    /// naive statements with tack applying the same change.
    Demo(DemoArgs),
    /// Print the rule base (what docs/rules.md is generated from).
    Rules(RulesArgs),
    /// Start a project: a commented tack.toml, a migrations/ directory and its tack.sum.
    Init(InitArgs),
    /// Write (or check) migrations/tack.sum, the cumulative integrity sums of the migrations.
    Sum(SumArgs),
    /// Compare the live schema with the expected one (the applied migrations replayed on a
    /// scratch database, or a declarative schema) and print each difference with the SQL that
    /// reconciles it. Exit 0 no drift, 1 drift, 2 error.
    Drift(DriftArgs),
    /// Adopt a database made before tack: record its schema as the baseline that `tack drift`
    /// starts from (the first `tack apply` on a database with a schema takes one too).
    Baseline(BaselineArgs),
    /// Write the migration that takes the live schema to a desired one (a schema file or
    /// directory), ordered by dependencies, as a new file in the migrations directory.
    Diff(DiffArgs),
}

/// Where tack may create (and drop) its scratch databases.
#[derive(Debug, Args)]
pub struct DevArgs {
    /// A server for scratch databases (tack creates one there and drops it after); default: the
    /// target's server. Needs CREATEDB.
    #[arg(long, value_name = "URL", env = "TACK_DEV_URL", hide_env_values = true)]
    pub dev_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The migrations whose recorded runs define the expected schema (files or directories);
    /// default: tack.toml's `migrations`, else `migrations/`.
    pub paths: Vec<String>,

    /// Compare with this declarative schema (a .sql file or a directory of them) instead of the
    /// replayed migrations.
    #[arg(long, value_name = "PATH")]
    pub schema: Vec<String>,

    /// The target database (also DATABASE_URL, or the libpq PG* variables).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    #[command(flatten)]
    pub dev: DevArgs,

    /// Rebuild the expected schema even when a cached copy for the same migrations exists.
    #[arg(long)]
    pub no_cache: bool,

    /// The migration tool whose layout the directories are in [default: tack.toml's `layout`,
    /// else detected].
    #[arg(long, value_name = "TOOL", value_parser = parse_layout)]
    pub layout: Option<tack_ops::project::Tool>,

    /// Configuration file (default: ./tack.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The desired schema: a .sql file or a directory of them.
    #[arg(long, value_name = "PATH", required = true)]
    pub to: Vec<String>,

    /// The target database whose schema is the starting point (also DATABASE_URL, or PG*).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    #[command(flatten)]
    pub dev: DevArgs,

    /// Directory to write the new migration into; default: tack.toml's `migrations`, else
    /// `migrations/`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Name part of the new migration's file name.
    #[arg(long, default_value = "schema_diff")]
    pub name: String,

    /// Print the migration on standard output instead of writing a file.
    #[arg(long)]
    pub stdout: bool,

    /// Configuration file (default: ./tack.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `tack status --help`: what the exit code means.
pub const STATUS_EXIT_CODES: &str = "\
Exit codes:
  0  nothing needs attention: every migration is applied, or pending in order, or in progress
  1  something does: a failed migration, an applied file changed since or missing, a pending
     migration that sorts before an applied one (out of order), or migrations that do not match
     tack.sum
  2  usage, I/O or connection problems";

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The migrations (files or directories, apply order); default: tack.toml's `migrations`,
    /// else `migrations/`. Without them only the database's records are listed.
    pub paths: Vec<String>,

    #[command(flatten)]
    pub target: TargetArgs,

    /// The migration tool whose layout the directories are in [default: tack.toml's `layout`,
    /// else detected].
    #[arg(long, value_name = "TOOL", value_parser = parse_layout)]
    pub layout: Option<tack_ops::project::Tool>,

    /// Configuration file (default: ./tack.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// The migrations (files or directories); those the database records as applied (by tack or
    /// the tool the project used) count as part of the baseline. Default: tack.toml's
    /// `migrations`, else `migrations/` when present.
    pub paths: Vec<String>,

    /// The target database (also DATABASE_URL, or the libpq PG* variables).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// The migration tool whose layout the directories are in [default: tack.toml's `layout`,
    /// else detected].
    #[arg(long, value_name = "TOOL", value_parser = parse_layout)]
    pub layout: Option<tack_ops::project::Tool>,

    /// Replace a baseline taken before.
    #[arg(long)]
    pub replace: bool,

    /// Configuration file (default: ./tack.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project directory (created if missing); default: the current directory.
    pub dir: Option<PathBuf>,

    /// Replace an existing tack.toml (its migrations and tack.sum are kept).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SumArgs {
    /// The migrations directory; default: tack.toml's `migrations`, else `migrations/`.
    pub dir: Option<PathBuf>,

    /// Check instead of writing: exit 1 when tack.sum is missing or does not match.
    #[arg(long)]
    pub check: bool,

    /// Configuration file (default: ./tack.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Where the target database is.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The target database (also DATABASE_URL, or the libpq PG* variables).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Migration files or directories (apply order); default: tack.toml's `migrations`, else
    /// `migrations/`.
    pub paths: Vec<String>,

    /// What the printed plan looks like: `tack plan`'s output, and `tack apply --dry-run`'s
    /// (human: the SQL script; json: {"script", "refused"}). A real `tack apply` prints no plan:
    /// its progress is --log-format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,

    #[command(flatten)]
    pub target: TargetOptions,

    #[command(flatten)]
    pub layout: LayoutArgs,

    /// Run a statement the planner would refuse, by rule id (repeatable).
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub plan: PlanArgs,

    // The settings below default to tack.toml's [apply] table, then to the value shown.
    /// Longest wait for a lock before giving up and retrying (500ms, 1s) [default: tack.toml
    /// [apply], else 1s].
    #[arg(long, value_name = "DURATION")]
    pub lock_timeout: Option<String>,

    /// statement_timeout for each DDL step, 0 for none [default: tack.toml [apply], else 0].
    #[arg(long, value_name = "DURATION")]
    pub statement_timeout: Option<String>,

    /// Attempts per step when its lock cannot be had in time [default: tack.toml [apply], else
    /// 30].
    #[arg(long, value_name = "N")]
    pub max_attempts: Option<u32>,

    /// Total time allowed for one step's retries [default: tack.toml [apply], else 5min].
    #[arg(long, value_name = "DURATION")]
    pub retry_budget: Option<String>,

    /// Backfill pauses while replication lag exceeds this (bytes: 64MB, or time: 10s;
    /// repeatable) [default: tack.toml [apply], else no limit].
    #[arg(long, value_name = "LIMIT")]
    pub max_replication_lag: Vec<String>,

    /// Replicas to measure lag on directly (else pg_stat_replication on the primary).
    #[arg(long, value_name = "URL")]
    pub replica_url: Vec<String>,

    /// Backfill pauses while more than this many sessions wait on locks on the table
    /// [default: tack.toml [apply], else 5].
    #[arg(long, value_name = "N")]
    pub max_lock_waiters: Option<u32>,

    /// Target duration of one backfill batch; the batch size adapts to it [default: tack.toml
    /// [apply], else 200ms].
    #[arg(long, value_name = "DURATION")]
    pub batch_time: Option<String>,

    /// Run pending migrations even when they sort before one already applied (after merging a
    /// branch whose migration is older than one deployed meanwhile). Only when their order
    /// does not matter.
    #[arg(long)]
    pub allow_out_of_order: bool,

    /// Apply even when the live schema differs from what the applied migrations give (`tack
    /// drift` shows how). Without it, a drifted schema stops the run before anything changes.
    #[arg(long)]
    pub allow_drift: bool,

    #[command(flatten)]
    pub dev: DevArgs,

    /// Print exactly what would run, in order, and run nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// The progress of a real run (not --dry-run, whose output is --format): human lines on
    /// stderr (bars on a terminal), or one JSON object per event on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub log_format: LogFormat,
}

#[derive(Debug, Args)]
pub struct CompleteArgs {
    #[command(flatten)]
    pub apply: ApplyArgs,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub apply: ApplyArgs,

    /// Steps tack cannot undo (data changed in place, data dropped) are reported and left as
    /// they are, instead of stopping the rollback there.
    #[arg(long)]
    pub leave_irreversible: bool,
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The migration's recorded name (as `tack status` shows it).
    pub migration: String,

    /// The target database (also DATABASE_URL, or the libpq PG* variables).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Forget it even though some of its steps took effect (they stay in the schema,
    /// unrecorded); without it, `tack rollback` first.
    #[arg(long)]
    pub force: bool,

    /// Configuration file (default: ./tack.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Rows in the demo table.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,

    /// Concurrent workload clients.
    #[arg(long, default_value_t = 4)]
    pub clients: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Which database and version commands work against, and the configuration file.
#[derive(Debug, Args)]
pub struct TargetOptions {
    /// Target PostgreSQL major version (e.g. 15, or 9.6); default: the server's, else tack.toml's.
    #[arg(long, value_name = "N")]
    pub pg_version: Option<String>,

    /// Read version and catalog facts from this server (also DATABASE_URL, or the libpq PG*
    /// variables).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Do not connect even if DATABASE_URL or PG* variables are set.
    #[arg(long)]
    pub offline: bool,

    /// Configuration file (default: ./tack.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// How the migrations are laid out, and which of them are pending.
#[derive(Debug, Args)]
pub struct LayoutArgs {
    /// The migration tool whose layout the directories are in: goose, dbmate, golang-migrate,
    /// diesel, sqlx, flyway or tack [default: tack.toml's `layout`, else detected from the
    /// files, the project and (connected) the history tables present].
    #[arg(long, value_name = "TOOL", value_parser = parse_layout)]
    pub layout: Option<tack_ops::project::Tool>,

    /// Offline: this migration (path, file name or id) and those after it are pending; those
    /// before it count as applied (their tables live). Connected, the database says.
    #[arg(long, value_name = "FILE", conflicts_with = "since")]
    pub pending_from: Option<String>,

    /// Offline: the migration files added since this git ref (or not committed yet) are
    /// pending; the others count as applied (their tables live). Connected, the database says.
    #[arg(long, value_name = "GIT-REF")]
    pub since: Option<String>,
}

fn parse_layout(text: &str) -> Result<tack_ops::project::Tool, String> {
    tack_ops::project::Tool::from_id(text).ok_or_else(|| {
        format!(
            "not a layout tack reads; use one of {}",
            crate::config::layout_names()
        )
    })
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Migration files or directories (read in the order migration tools apply them); `-` for
    /// stdin. Default: the `migrations` setting of tack.toml, else `migrations/`.
    pub paths: Vec<String>,

    #[command(flatten)]
    pub layout: LayoutArgs,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,

    #[command(flatten)]
    pub target: TargetOptions,

    /// Every file runs inside a transaction, whatever its layout says (the default follows the
    /// layout: goose, dbmate, diesel, sqlx and Flyway wrap each file unless it opts out).
    #[arg(long)]
    pub assume_in_transaction: bool,

    /// The migration runner sets lock_timeout itself.
    #[arg(long)]
    pub assume_lock_timeout: bool,

    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Colour in human output: auto (a terminal without NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: RulesFormat,
}
