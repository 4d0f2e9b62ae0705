//! `tack apply` under live traffic: a long transaction holding a conflicting lock (retries, then
//! a clean failure, then a resume), a concurrent read/write workload whose statements never wait
//! much longer than the lock timeout, the temporary trigger keeping concurrent writes right, lock
//! waiter throttling, pause/resume, Ctrl-C, and one run at a time.
//!
//! Workload latencies are measured and bounded by the lock timeout plus a margin; tack's own
//! speed is never asserted.

mod apply_common;

use apply_common::*;
use serde_json::Value;
use std::sync::mpsc;
use std::time::Duration;

/// Slack on top of the lock timeout for a workload statement. Observed: at most 42 ms over the
/// lock timeout with the machine's two cores busy compiling; the margin leaves room for a slower
/// CI machine while still failing if a statement waited a second lock timeout.
const MARGIN: Duration = Duration::from_millis(250);

fn table(c: &mut postgres::Client, rows: i64) {
    c.batch_execute(&format!(
        "CREATE TABLE t (id bigint PRIMARY KEY, v int NOT NULL DEFAULT 1, v2 int,
                         touched timestamptz NOT NULL DEFAULT clock_timestamp());
         INSERT INTO t (id, v) SELECT g, g % 1000 FROM generate_series(1, {rows}) g;
         ANALYZE t;"
    ))
    .unwrap();
}

#[test]
fn a_long_transaction_makes_steps_retry_then_fail_cleanly_and_the_run_resumes() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    table(&mut c, 2000);
    let project = Project::new(&[(
        "V1__columns.sql",
        "ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ADD COLUMN d text;\n",
    )]);

    // A reporting transaction that keeps AccessShareLock on t.
    let mut blocker = db.connect();
    blocker
        .batch_execute("BEGIN; SELECT count(*) FROM t;")
        .unwrap();
    let workload = Workload::start(db.url(), "t", 3, 2000, 1_000_000);
    std::thread::sleep(Duration::from_millis(200));

    let lock_timeout = Duration::from_millis(300);
    let out = project.tack(
        db.url(),
        &[
            "apply",
            "--log-format",
            "json",
            "--lock-timeout",
            "300ms",
            "--max-attempts",
            "3",
            "--retry-budget",
            "30s",
        ],
    );
    let stats = workload.stop();
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let ev = events(&out.stdout);
    let retries: Vec<&Value> = ev.iter().filter(|e| e["event"] == "lock_retry").collect();
    assert_eq!(retries.len(), 2, "{ev:#?}");
    assert!(retries[0]["error"].as_str().unwrap().contains("55P03"));
    assert_eq!(retries[1]["attempt"], 2);
    let failed = ev
        .iter()
        .find(|e| e["event"] == "step_failed")
        .expect("a step_failed event");
    assert_eq!(failed["step"], "V1__columns.sql#1");
    assert_eq!(failed["attempts"], 3);
    assert!(text(&out.stderr).contains("Run `tack apply` again to resume"));

    // Nothing half-done, and the failure recorded.
    for col in ["c", "d"] {
        assert!(!scalar_bool(
            &mut c,
            &format!("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = '{col}')")
        ));
    }
    let status: Value = serde_json::from_slice(
        &project
            .tack(db.url(), &["status", "--format", "json"])
            .stdout,
    )
    .unwrap();
    let step = &status["migrations"][0]["steps"][0];
    assert_eq!(step["status"], "failed", "{status:#}");
    assert_eq!(step["attempts"], 3);
    assert!(step["last_error"]
        .as_str()
        .unwrap()
        .contains("gave up after 3 attempt(s)"));
    assert_eq!(status["migrations"][0]["steps"][1]["status"], "pending");

    // The workload waited at most about one lock timeout at a time.
    assert!(stats.errors.is_empty(), "{:?}", stats.errors);
    assert!(stats.statements > 20, "{stats:?}");
    eprintln!("longest workload wait {:?} ({})", stats.max, stats.max_what);
    assert!(
        stats.max < lock_timeout + MARGIN,
        "a workload statement waited {:?} ({}), more than the lock timeout {lock_timeout:?} + {MARGIN:?}",
        stats.max,
        stats.max_what
    );

    // The blocker ends; the run resumes and finishes.
    blocker.batch_execute("COMMIT").unwrap();
    let out = project.tack(db.url(), &["apply", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let ev = events(&out.stdout);
    let started = ev
        .iter()
        .find(|e| e["event"] == "migration_started")
        .unwrap();
    assert_eq!(started["resumed"], true);
    for col in ["c", "d"] {
        assert!(scalar_bool(
            &mut c,
            &format!("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = '{col}')")
        ));
    }
}

#[test]
fn a_concurrent_workload_is_never_blocked_long_and_its_writes_end_up_right() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    const ROWS: i64 = 30_000;
    table(&mut c, ROWS);
    let project = Project::new(&[
        ("V1__double.sql", "UPDATE t SET v2 = v * 2;\n"),
        (
            "V2__token.sql",
            "ALTER TABLE t ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n\
             CREATE INDEX t_v_idx ON t (v);\n\
             ALTER TABLE t ADD CONSTRAINT t_v_positive CHECK (v >= 0);\n",
        ),
    ]);
    let workload = Workload::start_touching(db.url(), "t", 4, ROWS, 1_000_000);
    std::thread::sleep(Duration::from_millis(200));
    let out = project.tack(
        db.url(),
        &[
            "apply",
            "--log-format",
            "json",
            "--lock-timeout",
            "500ms",
            "--batch-time",
            "20ms",
        ],
    );
    std::thread::sleep(Duration::from_millis(200));
    let stats = workload.stop();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let ev = events(&out.stdout);
    assert!(ev.iter().filter(|e| e["event"] == "batch_done").count() >= 2);

    assert!(stats.errors.is_empty(), "{:?}", stats.errors);
    assert!(stats.statements > 50, "{stats:?}");
    let lock_timeout = Duration::from_millis(500);
    eprintln!("longest workload wait {:?} ({})", stats.max, stats.max_what);
    assert!(
        stats.max < lock_timeout + MARGIN,
        "a workload statement waited {:?} ({}), more than the lock timeout {lock_timeout:?} + {MARGIN:?}",
        stats.max,
        stats.max_what
    );

    // Every row written before the backfill's trigger was dropped has v2 = v * 2: rows the
    // backfill reached, and rows the application wrote meanwhile (the trigger's work).
    let finished: String = c
        .query_one(
            "SELECT finished_at::text FROM tack.steps WHERE step_id = 'V1__double.sql#1'",
            &[],
        )
        .unwrap()
        .get(0);
    let wrong = scalar_i64(
        &mut c,
        &format!(
            "SELECT count(*) FROM t WHERE touched <= '{finished}'::timestamptz AND v2 IS DISTINCT FROM v * 2"
        ),
    );
    assert_eq!(wrong, 0);
    let inserted = scalar_i64(&mut c, "SELECT count(*) FROM t WHERE id > 1000000");
    assert!(inserted > 0, "the workload inserted nothing");
    // The token: on every row, distinct; NOT NULL holds.
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) - count(DISTINCT token) FROM t"),
        0
    );
    assert!(scalar_bool(
        &mut c,
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'token'"
    ));
    assert!(scalar_bool(
        &mut c,
        "SELECT convalidated FROM pg_constraint WHERE conname = 't_v_positive'"
    ));
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
        ),
        0
    );
}

#[test]
fn one_run_at_a_time_pause_resume_and_ctrl_c() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    table(&mut c, 3000);
    let project = Project::new(&[("V1__bump.sql", "UPDATE t SET v = v + 1;\n")]);
    let sum_before = scalar_i64(&mut c, "SELECT sum(v)::bigint FROM t");

    // Paused before it starts: the first run waits at its backfill, holding the run lock.
    let out = project.tack(db.url(), &["pause"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let mut first = project.spawn(db.url(), &["apply", "--log-format", "json"]);
    let (tx, rx) = mpsc::channel();
    let reader = follow(&mut first, move |e| {
        let _ = tx.send(e["event"].as_str().unwrap_or("").to_owned());
    });
    loop {
        let e = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the first run to report that it is paused");
        if e == "paused" {
            break;
        }
        assert_ne!(e, "batch_done", "a paused backfill wrote a batch");
    }

    // A second run is refused at once, and told who runs.
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("another tack apply is running"), "{err}");
    assert!(err.contains("tack on "), "{err}");
    assert!(err.contains(", pid "), "{err}");
    assert!(err.contains("server session "), "{err}");
    assert!(err.contains("kill -INT"), "{err}");
    assert!(err.contains("application_name 'tack apply'"), "{err}");
    assert!(err.contains("client 127.0.0.1"), "{err}");
    assert!(err.contains("since 20"), "{err}");

    let out = project.tack(db.url(), &["status"]);
    let human = text(&out.stdout);
    assert!(human.contains("run: in progress (tack on "), "{human}");
    // Who holds it, from where, and how to stop it safely.
    assert!(human.contains("client 127.0.0.1"), "{human}");
    assert!(
        human.contains("to stop it: Ctrl-C in its terminal, or `kill -INT <pid>`"),
        "{human}"
    );
    assert!(human.contains("pg_terminate_backend("), "{human}");
    assert!(human.contains("paused: yes"), "{human}");

    // Ctrl-C: the first run stops cleanly (resumable).
    let pid = first.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = first.wait().unwrap();
    let events = reader.join().unwrap();
    assert_eq!(status.code(), Some(1), "{events:#?}");
    assert!(
        names(&events).contains(&"interrupted".to_owned()),
        "{events:#?}"
    );
    assert_eq!(
        scalar_i64(&mut c, "SELECT sum(v)::bigint FROM t"),
        sum_before
    );

    // Resumed: the next run continues; the pause is lifted while it waits.
    let mut again = project.spawn(db.url(), &["apply", "--log-format", "json"]);
    let (tx, rx) = mpsc::channel();
    let reader = follow(&mut again, move |e| {
        let _ = tx.send(e["event"].as_str().unwrap_or("").to_owned());
    });
    while rx.recv_timeout(Duration::from_secs(30)).unwrap() != "paused" {}
    let out = project.tack(db.url(), &["resume"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let status = again.wait().unwrap();
    let events = reader.join().unwrap();
    assert_eq!(status.code(), Some(0), "{events:#?}");
    let n = names(&events);
    let paused = n.iter().position(|e| e == "paused").unwrap();
    let cleared = n.iter().position(|e| e == "throttle_cleared").unwrap();
    let batch = n.iter().position(|e| e == "batch_done").unwrap();
    assert!(paused < cleared && cleared < batch, "{n:?}");
    assert_eq!(
        scalar_i64(&mut c, "SELECT sum(v)::bigint FROM t"),
        sum_before + 3000
    );
}

#[test]
fn a_backfill_waits_while_sessions_queue_for_locks_on_its_table() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    table(&mut c, 2000);
    let project = Project::new(&[("V1__double.sql", "UPDATE t SET v2 = v * 2;\n")]);

    // The run starts paused, so its trigger is in place before the queue forms (CREATE TRIGGER
    // itself would queue behind the SHARE lock).
    assert_eq!(project.tack(db.url(), &["pause"]).status.code(), Some(0));
    let mut run = project.spawn(
        db.url(),
        &[
            "apply",
            "--log-format",
            "json",
            "--max-lock-waiters",
            "1",
            "--retry-budget",
            "20s",
        ],
    );
    let (tx, rx) = mpsc::channel();
    let reader = follow(&mut run, move |e| {
        let _ = tx.send(e.clone());
    });
    while rx.recv_timeout(Duration::from_secs(30)).unwrap()["event"] != "paused" {}

    // SHARE blocks writers: two sessions queue behind it.
    let mut holder = db.connect();
    holder
        .batch_execute("BEGIN; LOCK TABLE t IN SHARE MODE;")
        .unwrap();
    let waiters: Vec<_> = (0..2)
        .map(|i| {
            let mut w = db.connect();
            std::thread::spawn(move || {
                w.batch_execute(&format!("UPDATE t SET v = 100000 WHERE id = {}", i + 1))
                    .unwrap();
            })
        })
        .collect();
    wait_until(Duration::from_secs(10), "two lock waiters", || {
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_locks WHERE relation = 't'::regclass AND NOT granted",
        ) >= 2
    });
    assert_eq!(project.tack(db.url(), &["resume"]).status.code(), Some(0));
    let throttled = loop {
        let e = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        if e["event"] == "throttled" {
            break e;
        }
        assert_ne!(e["event"], "batch_done");
    };
    assert_eq!(throttled["reason"]["kind"], "lock_waiters");
    assert!(throttled["reason"]["waiting"].as_i64().unwrap() >= 2);
    holder.batch_execute("COMMIT").unwrap();
    for w in waiters {
        w.join().unwrap();
    }
    let status = run.wait().unwrap();
    let events = reader.join().unwrap();
    assert_eq!(status.code(), Some(0), "{events:#?}");
    assert!(names(&events).contains(&"throttle_cleared".to_owned()));
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM t WHERE v2 IS DISTINCT FROM v * 2"
        ),
        0
    );
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM t WHERE v = 100000 AND v2 = 200000"
        ),
        2
    );
}
