//! `tack`: the command line. Parses arguments, loads `tack.toml`, runs a command (its use case is
//! in `tack-ops`) and renders the result; every command returns an exit code (0 fine, 1 findings
//! or failures, 2 usage, I/O or connection problems). What belongs here: commands and rendering.
//! What must not: use-case logic, SQL, database drivers.

// First, so its macros (`out!`, `outln!`, `errln!`) are visible in every module below.
#[macro_use]
mod output;
mod cli;
mod commands;
mod config;
mod render;
mod rule_bases;

use clap::Parser;
use std::process::ExitCode;

// The front end allocates a parse tree per statement; mimalloc is markedly faster at that than
// the system allocator (measured: docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Lint(args) => commands::lint::run(&args),
        cli::Command::Plan(args) => commands::plan::run(&args),
        cli::Command::Apply(args) => commands::apply::apply(&args),
        cli::Command::Status(args) => commands::status::run(&args),
        cli::Command::Complete(args) => commands::lifecycle::complete(&args),
        cli::Command::Rollback(args) => commands::lifecycle::rollback(&args),
        cli::Command::Forget(args) => commands::lifecycle::forget(&args),
        cli::Command::Pause(args) => commands::apply::pause(&args, true),
        cli::Command::Resume(args) => commands::apply::pause(&args, false),
        cli::Command::Demo(args) => commands::demo::run(&args),
        cli::Command::Init(args) => commands::init::run(&args),
        cli::Command::Sum(args) => commands::sum::run(&args),
        cli::Command::Drift(args) => commands::schema::drift(&args),
        cli::Command::Diff(args) => commands::schema::diff(&args),
        cli::Command::Baseline(args) => commands::baseline::run(&args),
        cli::Command::Rules(args) => {
            out!("{}", render::rules_doc::render(args.format));
            Ok(0)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            errln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
