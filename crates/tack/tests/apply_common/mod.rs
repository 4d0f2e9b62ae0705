//! Helpers shared by the `apply_*` tests: a migrations directory, running `tack`, reading its
//! JSON events, a timed read/write workload, and table fingerprints.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A directory with `migrations/` to run `tack` in.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("migrations")).unwrap();
        let p = Project { dir };
        for (name, sql) in files {
            p.write(name, sql);
        }
        p
    }

    pub fn write(&self, name: &str, sql: &str) {
        std::fs::write(self.dir.path().join("migrations").join(name), sql).unwrap();
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, url: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tack"));
        cmd.args(args)
            .current_dir(self.path())
            .env("DATABASE_URL", url)
            .env_remove("TACK_TEST_CRASH_AFTER_STEP");
        for (k, _) in std::env::vars() {
            if k.starts_with("PG") {
                cmd.env_remove(k);
            }
        }
        cmd
    }

    /// Runs `tack <args>` against `url` and waits.
    pub fn tack(&self, url: &str, args: &[&str]) -> Output {
        self.command(url, args).output().unwrap()
    }

    /// Starts `tack <args>` with stdout (JSON events) piped.
    pub fn spawn(&self, url: &str, args: &[&str]) -> Child {
        self.command(url, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

pub fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// The JSON events of a `--log-format json` run.
pub fn events(stdout: &[u8]) -> Vec<Value> {
    text(stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

pub fn names(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Reads a child's JSON events on a thread; each event is also sent to `on_event`.
pub fn follow(
    child: &mut Child,
    mut on_event: impl FnMut(&Value) + Send + 'static,
) -> JoinHandle<Vec<Value>> {
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut all = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                on_event(&v);
                all.push(v);
            }
        }
        all
    })
}

/// md5 of a query's rows, in order.
pub fn fingerprint(client: &mut postgres::Client, query: &str) -> String {
    client
        .query_one(
            &format!("SELECT md5(coalesce(string_agg(q::text, '|'), '')) FROM ({query}) q"),
            &[],
        )
        .unwrap()
        .get(0)
}

pub fn scalar_i64(client: &mut postgres::Client, query: &str) -> i64 {
    client.query_one(query, &[]).unwrap().get(0)
}

pub fn scalar_bool(client: &mut postgres::Client, query: &str) -> bool {
    client.query_one(query, &[]).unwrap().get(0)
}

/// What a workload saw.
#[derive(Debug, Default, Clone)]
pub struct WorkloadStats {
    pub statements: u64,
    pub errors: Vec<String>,
    /// The slowest statement, and what it was.
    pub max: Duration,
    pub max_what: String,
}

/// Client threads doing SELECT / UPDATE / INSERT on `table` (columns `id bigint` key and
/// `v int`), timing every statement, until stopped.
pub struct Workload {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<WorkloadStats>>,
}

impl Workload {
    /// `max_id`: rows 1..=max_id exist; inserts use fresh ids above `insert_from`.
    pub fn start(url: &str, table: &str, clients: u32, max_id: i64, insert_from: i64) -> Workload {
        Workload::start_with(url, table, clients, max_id, insert_from, false)
    }

    /// Like [`Workload::start`], and updates also set `touched = clock_timestamp()`.
    pub fn start_touching(
        url: &str,
        table: &str,
        clients: u32,
        max_id: i64,
        insert_from: i64,
    ) -> Workload {
        Workload::start_with(url, table, clients, max_id, insert_from, true)
    }

    fn start_with(
        url: &str,
        table: &str,
        clients: u32,
        max_id: i64,
        insert_from: i64,
        touch: bool,
    ) -> Workload {
        let stop = Arc::new(AtomicBool::new(false));
        let next_id = Arc::new(AtomicI64::new(insert_from));
        let ready = Arc::new(Mutex::new(0u32));
        let threads = (0..clients)
            .map(|n| {
                let stop = Arc::clone(&stop);
                let next_id = Arc::clone(&next_id);
                let ready = Arc::clone(&ready);
                let url = url.to_owned();
                let table = table.to_owned();
                std::thread::spawn(move || {
                    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                    c.batch_execute("SET application_name = 'workload'")
                        .unwrap();
                    *ready.lock().unwrap() += 1;
                    let mut stats = WorkloadStats::default();
                    let mut i: u64 = u64::from(n) * 7919;
                    while !stop.load(Ordering::Relaxed) {
                        i = i
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        let id = (i >> 33) as i64 % max_id + 1;
                        let (what, sql, params): (&str, String, i64) = match i % 3 {
                            0 => ("select", format!("SELECT v FROM {table} WHERE id = $1"), id),
                            1 => (
                                "update",
                                format!(
                                    "UPDATE {table} SET v = v + 1{} WHERE id = $1",
                                    if touch {
                                        ", touched = clock_timestamp()"
                                    } else {
                                        ""
                                    }
                                ),
                                id,
                            ),
                            _ => (
                                "insert",
                                format!("INSERT INTO {table} (id, v) VALUES ($1, 1)"),
                                next_id.fetch_add(1, Ordering::Relaxed),
                            ),
                        };
                        let t0 = Instant::now();
                        let r = c.execute(sql.as_str(), &[&params]);
                        let took = t0.elapsed();
                        stats.statements += 1;
                        if took > stats.max {
                            stats.max = took;
                            stats.max_what = format!("{what} id {params}");
                        }
                        if let Err(e) = r {
                            stats.errors.push(format!("{what}: {e}"));
                        }
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    stats
                })
            })
            .collect();
        // Wait until every client is connected.
        let deadline = Instant::now() + Duration::from_secs(10);
        while *ready.lock().unwrap() < clients && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        Workload { stop, threads }
    }

    pub fn stop(self) -> WorkloadStats {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = WorkloadStats::default();
        for t in self.threads {
            let s = t.join().unwrap();
            all.statements += s.statements;
            all.errors.extend(s.errors);
            if s.max > all.max {
                all.max = s.max;
                all.max_what = s.max_what;
            }
        }
        all
    }
}

/// Waits for a condition, polling.
pub fn wait_until(timeout: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
