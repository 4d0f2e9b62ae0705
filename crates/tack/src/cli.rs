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
    /// Print the rule base (what docs/rules.md is generated from).
    Rules(RulesArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Migration files or directories (read in the order migration tools apply them); `-` for
    /// stdin. Default: the `migrations` setting of tack.toml, else `migrations/`.
    pub paths: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,

    /// Target PostgreSQL major version (e.g. 15, or 9.6); default: the server's, else tack.toml's.
    #[arg(long, value_name = "N")]
    pub pg_version: Option<String>,

    /// Read version and catalog facts from this server (also DATABASE_URL, or the libpq PG*
    /// variables). Only catalog reads are done.
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Do not connect even if DATABASE_URL or PG* variables are set.
    #[arg(long)]
    pub offline: bool,

    /// The migration runner wraps each file in a transaction (Flyway, sqlx, Rails, Django…).
    #[arg(long)]
    pub assume_in_transaction: bool,

    /// The migration runner sets lock_timeout itself.
    #[arg(long)]
    pub assume_lock_timeout: bool,

    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Configuration file (default: ./tack.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

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
