//! `tack demo` end to end: the binary starts a throwaway PostgreSQL, loads a small table, runs
//! both rounds under a workload, prints the comparison and removes everything; on Ctrl-C it
//! stops and removes everything too. Skipped (with a note) when no PostgreSQL server binaries
//! are installed.
//!
//! Timings are printed, never asserted: the machine is shared and noisy.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn have_servers(test: &str) -> bool {
    if tack_cluster::find_bin_dirs().is_empty() {
        tack_testkit::skip(
            test,
            &tack_cluster::first_bin_dir().unwrap_err().to_string(),
        );
        return false;
    }
    true
}

fn demo_command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tack"));
    cmd.arg("demo")
        .args(args)
        .env_remove("DATABASE_URL")
        .current_dir(std::env::temp_dir());
    cmd
}

/// The demo's directory, from its "data in <dir>/data" line.
fn demo_dir(stdout: &str) -> Option<PathBuf> {
    let line = stdout.lines().find(|l| l.contains(", data in "))?;
    let data = line.split(", data in ").nth(1)?.trim();
    PathBuf::from(data).parent().map(PathBuf::from)
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn demo_runs_both_rounds_and_cleans_up() {
    if !have_servers("demo_runs_both_rounds_and_cleans_up") {
        return;
    }
    let started = Instant::now();
    let out = demo_command(&["--rows", "50000", "--clients", "2"])
        .output()
        .expect("run tack demo");
    let (stdout, stderr) = text(&out);
    println!("{stdout}\n{stderr}\n(took {:?})", started.elapsed());

    let dir = demo_dir(&stdout).expect("the demo says where its cluster lives");
    assert!(!dir.exists(), "{} is left behind", dir.display());
    assert!(
        stdout.contains("loading 50,000 rows into orders"),
        "{stdout}"
    );
    assert!(stdout.contains("round 1 — naive"), "{stdout}");
    assert!(
        stdout.contains(
            "ALTER TABLE orders ADD COLUMN tracking_id uuid NOT NULL DEFAULT gen_random_uuid();"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "naive: tracking_id uuid NOT NULL DEFAULT gen_random_uuid(), orders_tracking_idx valid"
        ),
        "{stdout}"
    );
    for row in [
        "total time of the change",
        "longest stall",
        "max latency",
        "p99 latency",
        "p50 latency",
        "statements completed",
        "statement errors",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(row)),
            "no {row:?} row:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("stopped the server and removed"),
        "{stdout}"
    );
    assert!(stdout.contains("round 2 — tack apply"), "{stdout}");
    // tack apply's own progress (on stderr) shows the safe recipe it ran.
    assert!(stderr.contains("CREATE INDEX CONCURRENTLY"), "{stderr}");

    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "tack: tracking_id uuid NOT NULL DEFAULT gen_random_uuid(), orders_tracking_idx valid"
        ),
        "{stdout}"
    );
}

#[test]
fn ctrl_c_stops_the_server_and_removes_everything() {
    if !have_servers("ctrl_c_stops_the_server_and_removes_everything") {
        return;
    }
    let mut child = demo_command(&["--rows", "50000", "--clients", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tack demo");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = String::new();
    let mut dir = None;
    // Interrupt during round 1, with the workload running.
    for line in lines.by_ref() {
        let line = line.expect("read stdout");
        seen.push_str(&line);
        seen.push('\n');
        if dir.is_none() {
            dir = demo_dir(&seen);
        }
        if line.starts_with("round 1") {
            break;
        }
    }
    let dir = dir.unwrap_or_else(|| panic!("no data dir line in:\n{seen}"));
    assert!(dir.join("data/PG_VERSION").is_file());
    std::thread::sleep(Duration::from_millis(500));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
    for line in lines {
        seen.push_str(&line.expect("read stdout"));
        seen.push('\n');
    }
    let status = child.wait().expect("wait for tack demo");
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    println!("{seen}\n{stderr}");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(seen.contains("stopped the server and removed"), "{seen}");
    assert!(!dir.exists(), "{} is left behind", dir.display());
}
