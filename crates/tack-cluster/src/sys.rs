//! Small Unix helpers: who we are, which OS user runs a cluster when we are root, exclusive
//! file locks shared between processes, "is this pid alive", and commands run as another user.

use std::ffi::{CStr, CString};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::io::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::Error;

/// An OS user that server processes run as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// The effective uid of this process.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Looks an OS user up by name.
pub fn user_by_name(name: &str) -> Option<OsUser> {
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
pub fn user_name_by_uid(uid: u32) -> Option<String> {
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
pub fn current_user_name() -> Option<String> {
    user_name_by_uid(euid())
        .or_else(|| std::env::var("USER").ok())
        .filter(|n| !n.is_empty())
}

/// This machine's host name (`gethostname`), when it has one that is valid UTF-8.
pub fn host_name() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for `buf.len()` bytes; gethostname writes at most that many
    // and we only read up to the first NUL (or the whole buffer when it was truncated).
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    std::str::from_utf8(&buf[..end])
        .ok()
        .map(str::to_owned)
        .filter(|n| !n.is_empty())
}

/// The OS user a cluster's server processes run as when we are root (PostgreSQL refuses to
/// run as root). When we are not root, the server runs as ourselves and this is ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunAs {
    /// `postgres` when that user exists, else the named fallback user, created with
    /// `useradd --system` when missing.
    Auto {
        /// The user to use (and create) when there is no `postgres` user.
        fallback: String,
    },
    /// This user, which must exist.
    User(String),
}

/// The fallback user of [`RunAs::default`].
pub const DEFAULT_FALLBACK_USER: &str = "tack-pg";

impl Default for RunAs {
    fn default() -> RunAs {
        RunAs::Auto {
            fallback: DEFAULT_FALLBACK_USER.to_string(),
        }
    }
}

/// The user server processes run as: `None` means "as ourselves" (we are not root);
/// `Some(user)` means "drop to this unprivileged user", because PostgreSQL refuses to run as
/// root. Creating the fallback user is serialized with a lock file in `lock_dir`.
pub fn server_os_user(run_as: &RunAs, lock_dir: &Path) -> Result<Option<OsUser>, Error> {
    if euid() != 0 {
        return Ok(None);
    }
    let fallback = match run_as {
        RunAs::User(name) => {
            return match user_by_name(name) {
                Some(u) if u.uid != 0 => Ok(Some(u)),
                Some(_) => Err(Error::OsUser(format!(
                    "OS user {name:?} has uid 0, and PostgreSQL refuses to run as root: \
                     name an unprivileged user"
                ))),
                None => Err(Error::OsUser(format!(
                    "OS user {name:?} does not exist: create it (useradd --system {name}) or \
                     name another unprivileged user"
                ))),
            };
        }
        RunAs::Auto { fallback } => fallback,
    };
    for name in ["postgres", fallback.as_str()] {
        if let Some(u) = user_by_name(name) {
            if u.uid != 0 {
                return Ok(Some(u));
            }
        }
    }
    // Create the fallback user, once, even when several processes get here.
    let _lock = FileLock::exclusive(&lock_dir.join("useradd.lock"))?;
    if let Some(u) = user_by_name(fallback) {
        return Ok(Some(u));
    }
    let out = Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            fallback,
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::Command {
            program: format!("useradd {fallback}"),
            detail: format!(
                "could not run it ({e}); PostgreSQL refuses to run as root, so it needs an \
                 unprivileged OS user: create one named postgres or {fallback}"
            ),
        })?;
    if !out.status.success() {
        return Err(Error::Command {
            program: format!("useradd {fallback}"),
            detail: format!(
                "{}; PostgreSQL refuses to run as root, so it needs an unprivileged OS user: \
                 create one named postgres or {fallback}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    user_by_name(fallback).map(Some).ok_or_else(|| {
        Error::OsUser(format!(
            "useradd succeeded but user {fallback} cannot be found"
        ))
    })
}

/// Makes `cmd` run as `user` (when given), with a clean PostgreSQL environment (no inherited
/// `PG*` variables, `HOME` and the working directory set to `home`), in a process group of
/// its own, so a Ctrl-C at the terminal reaches us, not the server we started.
pub fn prepare_command(cmd: &mut Command, user: Option<&OsUser>, home: &Path) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(&key);
        }
    }
    cmd.env("HOME", home).current_dir(home).process_group(0);
    if let Some(u) = user {
        // std drops supplementary groups when uid/gid are set this way.
        cmd.gid(u.gid).uid(u.uid);
    }
}

/// Hands ownership of `path` to `user` (no-op when `user` is `None`).
pub fn chown(path: &Path, user: Option<&OsUser>) -> Result<(), Error> {
    if let Some(u) = user {
        std::os::unix::fs::chown(path, Some(u.uid), Some(u.gid))
            .map_err(|e| Error::io("chown (to the server's OS user)", path, e))?;
    }
    Ok(())
}

/// True when a process with this pid exists (and, on Linux, looks like a
/// PostgreSQL server rather than an unrelated process that reused the pid).
pub fn postgres_pid_alive(pid: u32) -> bool {
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
pub struct FileLock {
    file: File,
}

impl FileLock {
    /// Blocks until the lock on `path` (created if missing) is ours.
    pub fn exclusive(path: &Path) -> Result<FileLock, Error> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::io("open lock file", path, e))?;
        loop {
            // SAFETY: the fd is valid for the lifetime of `file`.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                return Ok(FileLock { file });
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(Error::io("lock", path, err));
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

/// Fast shutdown by signal, for when `pg_ctl` cannot do it: SIGINT, then wait up to `wait`
/// for the postmaster to exit.
pub fn signal_stop(pid: u32, wait: Duration) -> Result<(), Error> {
    let pid_t = libc::pid_t::try_from(pid)
        .map_err(|_| Error::Options(format!("{pid} is not a valid process id")))?;
    // SAFETY: sending a signal to a pid has no memory-safety preconditions.
    unsafe {
        libc::kill(pid_t, libc::SIGINT);
    }
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        if !postgres_pid_alive(pid) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(Error::Command {
        program: format!("kill -INT {pid}"),
        detail: format!(
            "the postmaster did not exit within {} s; stop it with kill -QUIT {pid}",
            wait.as_secs()
        ),
    })
}
