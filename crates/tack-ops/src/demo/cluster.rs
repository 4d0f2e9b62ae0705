//! The demo's throwaway PostgreSQL: started with [`tack_cluster`] from the installed server
//! binaries in a fresh directory under the temp dir, tuned for a quick, disposable run, and
//! removed with everything in that directory when the demo ends, however it ends.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tack_cluster::{Cluster, ClusterOptions, OnDrop};

/// Server settings for the demo: fast and disposable (no fsync), big enough to hold the table.
const SETTINGS: &[(&str, &str)] = &[
    ("max_connections", "50"),
    ("shared_buffers", "256MB"),
    ("fsync", "off"),
    ("synchronous_commit", "off"),
    ("full_page_writes", "off"),
    ("max_wal_size", "4GB"),
    ("checkpoint_timeout", "30min"),
];

/// The demo's cluster and the directory holding it (data dir, log, migration files). Dropping
/// it stops the server and deletes the directory.
pub struct DemoCluster {
    cluster: Option<Cluster>,
    base: PathBuf,
}

impl DemoCluster {
    /// Finds server binaries and starts a cluster in a new directory under the temp dir.
    pub fn start() -> Result<DemoCluster, String> {
        let bin = tack_cluster::first_bin_dir().map_err(|e| e.to_string())?;
        let base = make_base_dir()?;
        // From here on, dropping `demo` removes `base`, whatever fails next.
        let mut demo = DemoCluster {
            cluster: None,
            base,
        };
        let mut opts = ClusterOptions::new(&bin.path, demo.base.join("data"));
        opts.settings = SETTINGS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        opts.on_drop = OnDrop::Stop;
        opts.log_file = Some(demo.base.join("server.log"));
        let cluster = Cluster::start(opts).map_err(|e| {
            format!(
                "could not start a throwaway PostgreSQL {} from {}: {e}",
                bin.version,
                bin.path.display()
            )
        })?;
        demo.cluster = Some(cluster);
        Ok(demo)
    }

    fn cluster(&self) -> Result<&Cluster, String> {
        self.cluster
            .as_ref()
            .ok_or_else(|| "the demo cluster is not running".to_string())
    }

    /// A URL for database `db` on the cluster, as its superuser.
    pub fn url(&self, db: &str) -> Result<String, String> {
        Ok(self.cluster()?.url(db))
    }

    /// One line saying what runs where.
    pub fn describe(&self) -> Result<String, String> {
        let c = self.cluster()?;
        Ok(format!(
            "PostgreSQL {} from {}, port {}, data in {}",
            c.version(),
            c.bin_dir().display(),
            c.port(),
            c.data_dir().display()
        ))
    }

    /// The directory everything of the demo lives in (deleted at the end).
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Stops the server and deletes the directory, saying what went wrong if anything did.
    pub fn cleanup(mut self) -> Result<(), String> {
        self.teardown()
    }

    fn teardown(&mut self) -> Result<(), String> {
        if let Some(mut cluster) = self.cluster.take() {
            cluster.set_on_drop(OnDrop::Leave);
            if let Err(e) = cluster.stop() {
                // Keep the data of a server that may still run; say how to finish the job.
                return Err(format!(
                    "could not stop the PostgreSQL server in {}: {e}; stop it (pg_ctl stop -D \
                     {}) and delete {}",
                    cluster.data_dir().display(),
                    cluster.data_dir().display(),
                    self.base.display()
                ));
            }
        }
        match fs::remove_dir_all(&self.base) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!(
                "could not remove {}: {e}; delete it by hand",
                self.base.display()
            )),
        }
    }
}

impl Drop for DemoCluster {
    fn drop(&mut self) {
        if let Err(e) = self.teardown() {
            eprintln!("tack demo: cleanup: {e}");
        }
    }
}

/// A new, empty directory `tack-demo-<pid>-<n>` under the temp dir (or `/tmp` when the temp
/// dir's path is too long for the server's unix socket), readable by the server's OS user.
fn make_base_dir() -> Result<PathBuf, String> {
    let mut parent = std::env::temp_dir();
    if parent.as_os_str().len() > 60 {
        parent = PathBuf::from("/tmp");
    }
    for n in 0..100 {
        let dir = parent.join(format!("tack-demo-{}-{n}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => {
                // The server may run as another OS user (when we are root): let it in.
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))
                    .map_err(|e| format!("could not chmod {}: {e}", dir.display()))?;
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("could not create {}: {e}", dir.display())),
        }
    }
    Err(format!(
        "could not create a fresh tack-demo-{}-* directory in {}",
        std::process::id(),
        parent.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts and cleans up the demo cluster (skipped without server binaries).
    #[test]
    fn starts_and_cleans_up() {
        if tack_cluster::find_bin_dirs().is_empty() {
            eprintln!("skipped: no PostgreSQL server binaries");
            return;
        }
        let demo = DemoCluster::start().unwrap();
        let base = demo.base().to_path_buf();
        let url = demo.url("postgres").unwrap();
        assert!(url.starts_with("postgres://postgres@127.0.0.1:"), "{url}");
        assert!(base.join("data/PG_VERSION").is_file());
        assert!(demo.describe().unwrap().contains("PostgreSQL"));
        demo.cleanup().unwrap();
        assert!(!base.exists());
    }

    #[test]
    fn drop_cleans_up_too() {
        if tack_cluster::find_bin_dirs().is_empty() {
            return;
        }
        let demo = DemoCluster::start().unwrap();
        let base = demo.base().to_path_buf();
        drop(demo);
        assert!(!base.exists());
    }
}
