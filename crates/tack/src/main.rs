//! `tack`: the command line. Parses arguments, loads `tack.toml`, and runs a command; every
//! command returns an exit code (0 fine, 1 findings or failures, 2 usage, I/O or connection
//! problems) and nothing below this layer prints.

mod apply_cmd;
mod cli;
mod config;
mod demo;
mod files;
mod history;
mod init_cmd;
mod lint_cmd;
mod plan_cmd;
mod render;
mod report;
mod schema_cmd;
mod scratch;
mod sources;
mod status_cmd;
mod sum;
mod target;

use clap::Parser;
use std::process::ExitCode;

// The front end allocates a parse tree per statement; mimalloc is markedly faster at that than
// the system allocator (measured: docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Lint(args) => lint_cmd::run(&args),
        cli::Command::Plan(args) => plan_cmd::run(&args),
        cli::Command::Apply(args) => apply_cmd::apply(&args),
        cli::Command::Status(args) => status_cmd::run(&args),
        cli::Command::Pause(args) => apply_cmd::pause(&args, true),
        cli::Command::Resume(args) => apply_cmd::pause(&args, false),
        cli::Command::Demo(args) => demo::run(&args),
        cli::Command::Init(args) => init_cmd::run(&args),
        cli::Command::Sum(args) => sum::run(&args),
        cli::Command::Drift(args) => schema_cmd::drift(&args),
        cli::Command::Diff(args) => schema_cmd::diff(&args),
        cli::Command::Rules(args) => {
            print!("{}", render::rules_doc::render(args.format));
            Ok(0)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
