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
//! Initialising, starting and stopping are [`tack_cluster`]'s; this module
//! adds the sharing: the lock, the state file and reuse of a running server.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tack_cluster::cluster::{running_postmaster, stop_data_dir};
use tack_cluster::{ClusterOptions, OnDrop};

use crate::discovery::BinDir;
use crate::sys::{self, OsUser};

/// The superuser every throwaway cluster is initialised with.
pub(crate) const SUPERUSER: &str = "postgres";

/// How long `pg_ctl` may wait for a server to start or stop.
const PG_CTL_TIMEOUT: Duration = Duration::from_secs(120);

/// Marker written once a data dir is fully initialised, configured and started.
const READY_MARKER: &str = "initialized";

/// The kit's settings: a small, fast, disposable test server that replicas can follow.
const SETTINGS: &[(&str, &str)] = &[
    ("max_connections", "100"),
    ("shared_buffers", "32MB"),
    ("fsync", "off"),
    ("synchronous_commit", "off"),
    ("wal_level", "replica"),
    ("max_wal_senders", "10"),
    ("max_replication_slots", "10"),
];

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

    let _lock = sys::lock(&dir.join("lock"))?;
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

    let initialized = dir.join(READY_MARKER).is_file() && data_dir.join("PG_VERSION").is_file();
    if !initialized {
        // New, or half made (initdb or the first start was interrupted): start afresh.
        let _ = fs::remove_file(dir.join(READY_MARKER));
        if data_dir.exists() {
            fs::remove_dir_all(&data_dir)
                .map_err(|e| format!("could not remove stale {}: {e}", data_dir.display()))?;
        }
    }
    let mut opts = ClusterOptions::new(&bin.path, &data_dir);
    opts.settings = SETTINGS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    opts.on_drop = OnDrop::Leave;
    opts.run_as = sys::run_as(user.as_ref());
    opts.superuser = SUPERUSER.to_string();
    opts.log_file = Some(dir.join("server.log"));
    opts.dist_dir = Some(root.join("dist"));
    opts.timeout = PG_CTL_TIMEOUT;
    let started = tack_cluster::Cluster::start(opts).map_err(|e| e.to_string())?;
    if !initialized {
        fs::write(dir.join(READY_MARKER), "")
            .map_err(|e| format!("could not write marker in {}: {e}", dir.display()))?;
    }
    let cluster = Cluster {
        port: started.port(),
        data_dir,
        bin_dir: started.bin_dir().to_path_buf(),
    };
    write_state(&dir, &cluster, started.pid(), bin, user.as_ref())?;
    Ok(cluster)
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
        let _lock = sys::lock(&dir.join("lock"))?;
        let data_dir = dir.join("data");
        if let Some((pid, port)) = running_postmaster(&data_dir) {
            let state = read_state(&dir).unwrap_or_default();
            let bin_dir = state
                .get("bin_dir")
                .map(PathBuf::from)
                .filter(|p| p.join("pg_ctl").is_file());
            let result =
                stop_data_dir(&data_dir, bin_dir.as_deref(), user.as_ref(), PG_CTL_TIMEOUT)
                    .map(|_| ())
                    .map_err(|e| e.to_string());
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
