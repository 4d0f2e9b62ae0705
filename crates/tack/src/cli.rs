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
    /// Show the migrations and steps recorded in the target's `tack` schema.
    Status(TargetArgs),
    /// Pause running backfills (they finish the current batch and wait).
    Pause(TargetArgs),
    /// Resume paused backfills.
    Resume(TargetArgs),
    /// Start a throwaway PostgreSQL with a 1M-row table under a live workload and compare the
    /// naive statements with tack applying the same change.
    Demo(DemoArgs),
    /// Print the rule base (what docs/rules.md is generated from).
    Rules(RulesArgs),
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

    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,

    #[command(flatten)]
    pub target: TargetOptions,

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

    /// Longest wait for a lock before giving up and retrying (PostgreSQL interval syntax: 500ms, 1s).
    #[arg(long, default_value = "1s")]
    pub lock_timeout: String,

    /// statement_timeout for each DDL step (0 disables).
    #[arg(long, default_value = "0")]
    pub statement_timeout: String,

    /// Attempts per step when its lock cannot be had in time.
    #[arg(long, default_value_t = 30)]
    pub max_attempts: u32,

    /// Total time allowed for one step's retries (e.g. 5min).
    #[arg(long, default_value = "5min")]
    pub retry_budget: String,

    /// Backfill pauses while replication lag exceeds this (bytes: 64MB, or time: 10s; repeatable).
    #[arg(long, value_name = "LIMIT")]
    pub max_replication_lag: Vec<String>,

    /// Replicas to measure lag on directly (else pg_stat_replication on the primary).
    #[arg(long, value_name = "URL")]
    pub replica_url: Vec<String>,

    /// Backfill pauses while more than this many sessions wait on locks on the table.
    #[arg(long, default_value_t = 5)]
    pub max_lock_waiters: u32,

    /// Target duration of one backfill batch; the batch size adapts to it.
    #[arg(long, default_value = "200ms")]
    pub batch_time: String,

    /// Print exactly what would run, in order, and run nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Events as human progress (bars on a terminal) or one JSON object per line.
    #[arg(long, value_enum, default_value = "human")]
    pub log_format: LogFormat,
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

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Migration files or directories (read in the order migration tools apply them); `-` for
    /// stdin. Default: the `migrations` setting of tack.toml, else `migrations/`.
    pub paths: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,

    #[command(flatten)]
    pub target: TargetOptions,

    /// The migration runner wraps each file in a transaction (Flyway, sqlx, Rails, Django…).
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
