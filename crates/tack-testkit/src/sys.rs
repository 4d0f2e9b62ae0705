//! The Unix helpers the kit needs, from [`tack_cluster::sys`]: who we are, which OS user runs
//! a throwaway cluster when we are root, and exclusive file locks shared between processes.

use std::path::Path;

pub(crate) use tack_cluster::sys::{current_user_name, euid, FileLock, OsUser};
use tack_cluster::RunAs;

/// Name of the system user the kit creates when it runs as root and no `postgres` user
/// exists.
pub(crate) const FALLBACK_USER: &str = "tack-test";

/// The variable naming the OS user servers run as when the kit runs as root.
const OS_USER_VAR: &str = "TACK_TEST_PG_OS_USER";

/// The user server processes run as: `None` means "as ourselves" (we are not root);
/// `Some(user)` means "drop to this unprivileged user", because PostgreSQL refuses to run as
/// root.
///
/// Prefers `TACK_TEST_PG_OS_USER`, then `postgres`, then `tack-test` (created with
/// `useradd --system` when missing).
pub(crate) fn server_os_user(lock_dir: &Path) -> Result<Option<OsUser>, String> {
    let run_as = match std::env::var(OS_USER_VAR) {
        Ok(name) => RunAs::User(name),
        Err(_) => RunAs::Auto {
            fallback: FALLBACK_USER.to_string(),
        },
    };
    tack_cluster::sys::server_os_user(&run_as, lock_dir).map_err(|e| match run_as {
        RunAs::User(_) => format!("{OS_USER_VAR}: {e}"),
        RunAs::Auto { .. } => e.to_string(),
    })
}

/// The [`RunAs`] matching [`server_os_user`]'s answer, for starting clusters.
pub(crate) fn run_as(user: Option<&OsUser>) -> RunAs {
    match user {
        Some(u) => RunAs::User(u.name.clone()),
        None => RunAs::default(),
    }
}

/// Hands ownership of `path` to `user` (no-op when `user` is `None`).
pub(crate) fn chown(path: &Path, user: Option<&OsUser>) -> Result<(), String> {
    tack_cluster::sys::chown(path, user).map_err(|e| e.to_string())
}

/// An exclusive lock on `path`, with the error as text.
pub(crate) fn lock(path: &Path) -> Result<FileLock, String> {
    FileLock::exclusive(path).map_err(|e| e.to_string())
}
