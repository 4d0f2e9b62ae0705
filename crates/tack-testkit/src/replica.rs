//! A primary with a streaming replica, for replication-lag tests: a fresh throwaway cluster and
//! a copy of it made with `pg_basebackup -R`, both stopped and deleted when dropped.
//! `SELECT pg_wal_replay_pause()` on the replica makes lag on demand.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tack_cluster::{Cluster, ClusterOptions, OnDrop};

/// A primary and its streaming replica (see the module docs).
pub struct ReplicaPair {
    // Dropped in this order: the replica stops before its primary.
    replica: Cluster,
    primary: Cluster,
    root: PathBuf,
}

impl ReplicaPair {
    pub fn primary(&self) -> &Cluster {
        &self.primary
    }

    pub fn replica(&self) -> &Cluster {
        &self.replica
    }

    /// URL of database `db` on the primary.
    pub fn primary_url(&self, db: &str) -> String {
        self.primary.url(db)
    }

    /// URL of database `db` on the replica.
    pub fn replica_url(&self, db: &str) -> String {
        self.replica.url(db)
    }

    /// Waits until the replica has replayed everything the primary has written so far.
    pub fn wait_caught_up(&self, timeout: Duration) {
        let mut p = connect(&self.primary.url("postgres"));
        let mut r = connect(&self.replica.url("postgres"));
        let lsn: String = p
            .query_one("SELECT pg_current_wal_lsn()::text", &[])
            .expect("primary WAL position")
            .get(0);
        let deadline = Instant::now() + timeout;
        loop {
            let done: bool = r
                .query_one(
                    "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn",
                    &[&lsn],
                )
                .expect("replica replay position")
                .get(0);
            if done {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "tack-testkit: the replica did not catch up within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ReplicaPair {
    fn drop(&mut self) {
        let _ = self.replica.stop();
        let _ = self.primary.stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("tack-testkit: could not connect to {url}: {e}"))
}

/// Starts a fresh primary (PostgreSQL `major` when installed, else the first installed major)
/// and a streaming replica of it. Panics with a message when that cannot be done.
pub fn primary_with_replica(major: Option<u32>) -> ReplicaPair {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let bins = tack_cluster::find_bin_dirs();
    let bin = major
        .and_then(|m| bins.iter().find(|b| b.major == m))
        .or_else(|| bins.first())
        .unwrap_or_else(|| {
            panic!(
                "tack-testkit: no PostgreSQL server binaries for a replica test: {}",
                tack_cluster::INSTALL_HINT
            )
        });
    // Short: the unix sockets live in the data dirs.
    let root = std::env::temp_dir().join(format!(
        "tack-repl-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("create the replica test dir");
    set_mode(&root, 0o755);

    let settings = [
        ("fsync", "off"),
        ("synchronous_commit", "off"),
        ("wal_level", "replica"),
        ("max_wal_senders", "5"),
        ("max_connections", "50"),
        ("shared_buffers", "32MB"),
        ("hot_standby", "on"),
        ("wal_receiver_status_interval", "1s"),
    ];
    let mut opts = ClusterOptions::new(&bin.path, root.join("p"));
    opts.on_drop = OnDrop::StopAndRemove;
    opts.dist_dir = Some(root.join("dist"));
    for (k, v) in settings {
        opts = opts.setting(k, v);
    }
    let primary = Cluster::start(opts)
        .unwrap_or_else(|e| panic!("tack-testkit: could not start the primary: {e}"));

    let replica_dir = root.join("r");
    std::fs::create_dir_all(&replica_dir).expect("create the replica data dir");
    tack_cluster::sys::chown(&replica_dir, primary.os_user()).expect("chown the replica dir");
    set_mode(&replica_dir, 0o700);
    let mut cmd = Command::new(primary.bin_dir().join("pg_basebackup"));
    cmd.args(["-h", "127.0.0.1", "-p", &primary.port().to_string()])
        .args(["-U", primary.superuser(), "-X", "stream", "-R", "-D"])
        .arg(&replica_dir);
    tack_cluster::sys::prepare_command(&mut cmd, primary.os_user(), &root);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("tack-testkit: could not run pg_basebackup: {e}"));
    assert!(
        out.status.success(),
        "tack-testkit: pg_basebackup failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(replica_dir.join("server.log"));

    let mut opts = ClusterOptions::new(primary.bin_dir(), &replica_dir);
    opts.on_drop = OnDrop::StopAndRemove;
    opts.dist_dir = Some(root.join("dist"));
    for (k, v) in settings {
        opts = opts.setting(k, v);
    }
    let replica = Cluster::start(opts)
        .unwrap_or_else(|e| panic!("tack-testkit: could not start the replica: {e}"));
    let pair = ReplicaPair {
        replica,
        primary,
        root,
    };
    let in_recovery: bool = connect(&pair.replica.url("postgres"))
        .query_one("SELECT pg_is_in_recovery()", &[])
        .expect("ask the replica")
        .get(0);
    assert!(in_recovery, "tack-testkit: the replica is not in recovery");
    pair
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("tack-testkit: could not chmod {}: {e}", path.display()));
}
