//! `tack demo`: the naive statements and `tack apply` of the same change, side by side under a
//! live workload on a throwaway PostgreSQL (`tack_ops::demo`).

use super::Outcome;
use crate::cli::{DemoArgs, LogFormat};
use crate::render;
use tack_ops::demo::{duration, DemoOptions, DemoOutcome};
use tack_ops::Error;

/// Exit code after Ctrl-C, as shells report SIGINT.
const INTERRUPTED: u8 = 130;

/// Prints a progress line now (stdout is shared with tack apply's own output).
fn say(line: &str) {
    outln!("{line}");
}

pub fn run(args: &DemoArgs) -> Outcome {
    let outcome = tack_ops::demo::run(
        DemoOptions {
            rows: args.rows,
            clients: args.clients,
        },
        &say,
        &|| render::events::events(LogFormat::Human),
    )
    .map_err(Error::usage)?;
    let result = match outcome {
        DemoOutcome::Interrupted => {
            errln!("tack demo: interrupted; everything it started is removed");
            return Ok(INTERRUPTED);
        }
        DemoOutcome::Done(result) => result,
    };
    let (naive, tack) = (&result.naive, &result.tack);
    say("\nthe workload while each change ran (statements that overlapped it):");
    say(&render::demo::table(naive, tack));
    if let (Some(Ok(n)), Some(Ok(t))) = (&naive.total, &tack.total) {
        say(&format!(
            "the longest stall: {} with tack, {} with the naive statements; tack took {} \
             instead of {}.\n",
            duration(tack.during.longest_stall),
            duration(naive.during.longest_stall),
            duration(*t),
            duration(*n)
        ));
    }
    for (name, r) in [("naive", naive), ("tack", tack)] {
        match &r.verified {
            Some(Ok(what)) => say(&format!("{name}: {what}")),
            Some(Err(e)) => say(&format!("{name}: the result is wrong: {e}")),
            None => {}
        }
        for (message, n) in &r.errors {
            match n {
                0 => say(&format!("{name}: workload: {message}")),
                n => say(&format!("{name}: workload error ×{n}: {message}")),
            }
        }
    }
    if let Some(Err(e)) = &tack.total {
        return Err(Error::database(format!("round 2: tack apply failed: {e}")));
    }
    if let Some(Err(e)) = &naive.total {
        return Err(Error::database(format!(
            "round 1: the naive statements failed: {e}"
        )));
    }
    let wrong = [naive, tack]
        .iter()
        .any(|r| matches!(r.verified, Some(Err(_))));
    Ok(if wrong { 1 } else { 0 })
}
