//! Small Unix helpers the kit needs: who we are, which OS user runs a
//! throwaway cluster when we are root, exclusive file locks shared between
//! processes, "is this pid alive", and commands run as another user.

use std::ffi::{CStr, CString};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::io::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

/// An OS user that server processes run as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OsUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// The effective uid of this process.
pub(crate) fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Looks an OS user up by name.
pub(crate) fn user_by_name(name: &str) -> Option<OsUser> {
    let cname = CString::new(name).ok()?;
    // SAFETY: getpwnam is given a valid NUL-terminated string; the returned
    // record is copied out before any other passwd call can overwrite it.
    // Callers never run it concurrently with other passwd calls in a way that
    // matters here (worst case a lookup is repeated).
    unsafe {
        let pw = libc::getpwnam(cname.as_ptr());
        if pw.is_null() {
            return None;
        }
        Some(OsUser {
            name: name.to_string(),
            uid: (*pw).pw_uid,
            gid: (*pw).pw_gid,
        })
    }
}

/// The name of the user with the given uid, when it has one.
pub(crate) fn user_name_by_uid(uid: u32) -> Option<String> {
    // SAFETY: as in `user_by_name`; pw_name is a valid C string when pw is
    // not null.
    unsafe {
        let pw = libc::getpwuid(uid);
        if pw.is_null() || (*pw).pw_name.is_null() {
            return None;
        }
        Some(CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned())
    }
}

/// The name of the user this process runs as (for connecting to a local
/// server as "the current user").
pub(crate) fn current_user_name() -> Option<String> {
    user_name_by_uid(euid())
        .or_else(|| std::env::var("USER").ok())
        .filter(|n| !n.is_empty())
}

/// Name of the system user the kit creates when it runs as root and no
/// `postgres` user exists.
pub(crate) const FALLBACK_USER: &str = "tack-test";

/// The user server processes run as: `None` means "as ourselves" (we are
/// not root); `Some(user)` means "drop to this unprivileged user", because
/// PostgreSQL refuses to run as root.
///
/// Prefers `TACK_TEST_PG_OS_USER`, then `postgres`, then `tack-test`
/// (created with `useradd --system` when missing).
pub(crate) fn server_os_user(lock_dir: &Path) -> Result<Option<OsUser>, String> {
    if euid() != 0 {
        return Ok(None);
    }
    if let Ok(name) = std::env::var("TACK_TEST_PG_OS_USER") {
        return user_by_name(&name).map(Some).ok_or_else(|| {
            format!("TACK_TEST_PG_OS_USER names OS user {name:?}, which does not exist")
        });
    }
    for name in ["postgres", FALLBACK_USER] {
        if let Some(u) = user_by_name(name) {
            if u.uid != 0 {
                return Ok(Some(u));
            }
        }
    }
    // Create the fallback user, once, even when several processes get here.
    let _lock = FileLock::exclusive(&lock_dir.join("useradd.lock"))?;
    if let Some(u) = user_by_name(FALLBACK_USER) {
        return Ok(Some(u));
    }
    let out = Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            FALLBACK_USER,
        ])
        .output()
        .map_err(|e| format!("could not run useradd to create OS user {FALLBACK_USER}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "useradd {FALLBACK_USER} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    user_by_name(FALLBACK_USER)
        .map(Some)
        .ok_or_else(|| format!("useradd succeeded but user {FALLBACK_USER} cannot be found"))
}

/// Makes `cmd` run as `user` (when given), with a clean PostgreSQL
/// environment: no inherited `PG*` variables, and `HOME` set to `home`.
pub(crate) fn prepare_command(cmd: &mut Command, user: Option<&OsUser>, home: &Path) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(&key);
        }
    }
    cmd.env("HOME", home).current_dir(home);
    if let Some(u) = user {
        // std drops supplementary groups when uid/gid are set this way.
        cmd.gid(u.gid).uid(u.uid);
    }
}

/// Hands ownership of `path` to `user` (no-op when `user` is `None`).
pub(crate) fn chown(path: &Path, user: Option<&OsUser>) -> Result<(), String> {
    if let Some(u) = user {
        std::os::unix::fs::chown(path, Some(u.uid), Some(u.gid))
            .map_err(|e| format!("could not chown {} to {}: {e}", path.display(), u.name))?;
    }
    Ok(())
}

/// True when a process with this pid exists (and, on Linux, looks like a
/// PostgreSQL server rather than an unrelated process that reused the pid).
pub(crate) fn postgres_pid_alive(pid: u32) -> bool {
    let Ok(pid_t) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid_t <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks for existence/permission.
    let rc = unsafe { libc::kill(pid_t, 0) };
    let exists = rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    if !exists {
        return false;
    }
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => String::from_utf8_lossy(&cmdline).contains("postgres"),
        // No procfs: trust kill().
        Err(_) => true,
    }
}

/// An exclusive advisory lock (flock) on a file, held until dropped. Shared
/// by every process that locks the same path, so it serializes work across
/// `cargo test` threads and `cargo nextest` processes alike.
pub(crate) struct FileLock {
    file: File,
}

impl FileLock {
    /// Blocks until the lock on `path` (created if missing) is ours.
    pub(crate) fn exclusive(path: &Path) -> Result<FileLock, String> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| format!("could not open lock file {}: {e}", path.display()))?;
        loop {
            // SAFETY: the fd is valid for the lifetime of `file`.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                return Ok(FileLock { file });
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(format!("could not lock {}: {err}", path.display()));
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // SAFETY: the fd is valid; closing it would release the lock anyway.
        unsafe {
            libc::flock(self.file.as_raw_fd(), libc::LOCK_UN);
        }
    }
}
