//! Tests that separate processes share throwaway clusters: two processes
//! racing to create a cluster from scratch end up on the same server, a
//! stopped cluster is started again, and the default server falls back to a
//! throwaway cluster when there is no URL and the local server is skipped
//! (`TACK_TEST_NO_LOCAL=1`). Children are this test binary itself, running
//! the ignored `child_reports_default_server` test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

const CHILD_MARKER: &str = "TACK_TESTKIT_CHILD";

/// Not a test on its own: prints what `server()` gives, for the tests below.
#[test]
#[ignore = "helper run in child processes by the other tests in this file"]
fn child_reports_default_server() {
    if std::env::var_os(CHILD_MARKER).is_none() {
        return;
    }
    let server = tack_testkit::server();
    let db = server.create_database();
    let one: i32 = db
        .connect()
        .query_one("SELECT 1", &[])
        .expect("query in child")
        .get(0);
    assert_eq!(one, 1);
    println!(
        "CHILD-REPORT kind={:?} port={} major={} data_dir={}",
        server.kind(),
        server.port(),
        server.major(),
        server
            .data_dir()
            .map_or_else(|| "-".to_string(), |p| p.display().to_string())
    );
}

#[derive(Debug, PartialEq, Eq)]
struct Report {
    kind: String,
    port: u16,
    major: u32,
    data_dir: String,
}

fn child(envs: &[(&str, &str)]) -> Command {
    let exe = std::env::current_exe().expect("current test binary");
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        "child_reports_default_server",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .env(CHILD_MARKER, "1")
    .env_remove("TACK_TEST_DATABASE_URL")
    .env_remove("TACK_TEST_NO_LOCAL")
    .env_remove("TACK_TEST_CLUSTER_DIR");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd
}

fn report(out: &Output) -> Report {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("CHILD-REPORT ").map(|(_, rest)| rest))
        .unwrap_or_else(|| {
            panic!(
                "no report from child:\n{stdout}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let field = |name: &str| {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {line}"))
            .to_string()
    };
    Report {
        kind: field("kind"),
        port: field("port").parse().expect("port"),
        major: field("major").parse().expect("major"),
        data_dir: field("data_dir"),
    }
}

/// A private cluster root, purged (clusters stopped, files removed) on drop.
struct PrivateRoot(PathBuf);

impl PrivateRoot {
    fn new() -> PrivateRoot {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        PrivateRoot(PathBuf::from(format!(
            "/tmp/tack-kt-{}-{nanos:x}",
            std::process::id()
        )))
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }

    fn stop(&self, purge: bool) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tack-testkit-stop"));
        if purge {
            cmd.arg("--purge");
        }
        cmd.env("TACK_TEST_CLUSTER_DIR", &self.0)
            .output()
            .expect("run tack-testkit-stop")
    }
}

impl Drop for PrivateRoot {
    fn drop(&mut self) {
        if self.0.exists() {
            let out = self.stop(true);
            if !out.status.success() {
                eprintln!(
                    "could not purge {}: {}",
                    self.0.display(),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

#[test]
fn two_processes_share_a_fresh_throwaway_cluster_which_restarts_after_stop() {
    if tack_testkit::installed_server_bin_dirs().is_empty() {
        return tack_testkit::skip(
            "two_processes_share_a_fresh_throwaway_cluster_which_restarts_after_stop",
            "no PostgreSQL server binaries installed",
        );
    }
    let root = PrivateRoot::new();
    let envs = [
        ("TACK_TEST_NO_LOCAL", "1"),
        ("TACK_TEST_CLUSTER_DIR", root.path()),
    ];
    // Both children race to initdb and start the same cluster.
    let a = child(&envs).spawn().expect("spawn child a");
    let b = child(&envs).spawn().expect("spawn child b");
    let a = report(&a.wait_with_output().expect("child a"));
    let b = report(&b.wait_with_output().expect("child b"));
    assert_eq!(a, b, "both processes must get the same server");
    assert_eq!(a.kind, "Throwaway");
    assert_ne!(a.port, 5432);
    assert!(
        Path::new(&a.data_dir).starts_with(&root.0),
        "{} is not under {}",
        a.data_dir,
        root.0.display()
    );
    let state = std::fs::read_to_string(root.0.join(format!("pg{}/state", a.major)))
        .expect("state file next to the data dir");
    assert!(state.contains(&format!("port={}\n", a.port)), "{state}");

    // Stopped, it is started again (from the same data dir) on demand.
    let out = root.stop(false);
    let stopped = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stopped}");
    assert!(stopped.contains("stopped PostgreSQL"), "{stopped}");
    let c = report(&child(&envs).output().expect("child c"));
    assert_eq!(c.kind, "Throwaway");
    assert_eq!(c.data_dir, a.data_dir);
    assert_eq!(c.major, a.major);
}

#[test]
fn database_url_names_the_default_server() {
    let server = tack_testkit::server();
    let url = server.admin_url();
    let r = report(
        &child(&[("TACK_TEST_DATABASE_URL", &url)])
            .output()
            .expect("child"),
    );
    assert_eq!(r.kind, "FromUrl");
    assert_eq!(r.port, server.port());
    assert_eq!(r.major, server.major());
}
