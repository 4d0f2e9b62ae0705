//! `tack-testkit-stop [--purge]`: stops every throwaway PostgreSQL cluster
//! the test kit started (they are left running between test runs), so
//! scripts and CI can clean up. `--purge` also deletes their data and any
//! copied binaries.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut purge = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--purge" => purge = true,
            "-h" | "--help" => {
                println!(
                    "usage: tack-testkit-stop [--purge]\n\n\
                     Stops the throwaway PostgreSQL clusters under {}.\n\
                     --purge  also delete their data directories and copied binaries",
                    tack_testkit::cluster_root().display()
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("tack-testkit-stop: unknown argument {other:?} (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    let result = if purge {
        tack_testkit::purge_throwaway_servers()
    } else {
        tack_testkit::stop_throwaway_servers()
    };
    match result {
        Ok(stopped) => {
            for line in &stopped {
                println!("{line}");
            }
            if stopped.is_empty() {
                println!("no throwaway PostgreSQL cluster was running");
            }
            if purge {
                println!("removed {}", tack_testkit::cluster_root().display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tack-testkit-stop: {e}");
            ExitCode::FAILURE
        }
    }
}
