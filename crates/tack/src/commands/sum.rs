//! `tack sum [DIR]` writes (or with `--check` checks) `migrations/tack.sum`; [`guard`] is the
//! check `apply`, `plan` and `status` make before anything else. The format and the comparison
//! are `tack_ops::project::sum`'s.

use super::Outcome;
use crate::cli::SumArgs;
use crate::config::Config;
use tack_ops::project::sum::{difference, dirs_of, parse, verify, write, Verdict, FILE_NAME};
use tack_ops::Error;

/// The check `tack apply`, `tack plan` and `tack status` make before anything else: each
/// migrations directory among `paths` against its tack.sum. A missing tack.sum is a warning on
/// stderr; a mismatch is printed and makes this return false (the command exits 1).
pub fn guard(paths: &[String], command: &str) -> Result<bool, Error> {
    let mut ok = true;
    for dir in dirs_of(paths) {
        match verify(&dir)? {
            Verdict::Matches(_) => {}
            Verdict::Missing => errln!(
                "{command}: warning: no {} — the migrations are not protected against edits \
                 and careless merges; run `tack sum` to write it",
                dir.join(FILE_NAME).display()
            ),
            Verdict::Mismatch(message) => {
                let nothing_run = if command == "tack apply" {
                    "nothing was run: "
                } else {
                    ""
                };
                errln!("{command}: {nothing_run}{message}");
                ok = false;
            }
        }
    }
    Ok(ok)
}

/// `tack sum [DIR]` / `tack sum --check [DIR]`.
pub fn run(args: &SumArgs) -> Outcome {
    let config = Config::load(args.config.as_deref())?;
    let dir = args.dir.clone().unwrap_or_else(|| config.migrations_dir());
    if !dir.exists() {
        return Err(
            Error::input(format!("no migrations directory {}", dir.display())).hint(
                "check the path; give the migrations directory (`tack sum DIR`), set \
                 `migrations` in tack.toml, or start a project with `tack init`",
            ),
        );
    }
    if !dir.is_dir() {
        return Err(
            Error::input(format!("{} is not a directory", dir.display())).hint(
                "give the migrations directory (`tack sum DIR`), or set `migrations` in tack.toml \
             (`tack init` creates both)",
            ),
        );
    }
    let path = dir.join(FILE_NAME);
    if args.check {
        return Ok(match verify(&dir)? {
            Verdict::Matches(n) => {
                outln!(
                    "{} matches the {n} migration(s) in {}",
                    path.display(),
                    dir.display()
                );
                0
            }
            Verdict::Missing => {
                errln!(
                    "tack sum --check: no {}; run `tack sum` to write it",
                    path.display()
                );
                1
            }
            Verdict::Mismatch(message) => {
                errln!("tack sum --check: {message}");
                1
            }
        });
    }
    // Say what changed, so a rewrite that accepts an edit is a visible decision.
    let before = std::fs::read_to_string(&path)
        .ok()
        .map(|t| parse(&t, &path));
    let sums = write(&dir)?;
    let n = sums.entries.len();
    match before {
        None => outln!("wrote {} ({n} migration(s))", path.display()),
        Some(Err(_)) => outln!(
            "rewrote {} ({n} migration(s)); the old file could not be read as a tack.sum",
            path.display()
        ),
        Some(Ok(old)) => match difference(&old, &sums) {
            None => outln!("{} is up to date ({n} migration(s))", path.display()),
            Some(d) => outln!(
                "updated {} ({n} migration(s)); first change: {}",
                path.display(),
                d.short()
            ),
        },
    }
    Ok(0)
}
