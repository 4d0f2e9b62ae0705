//! Crash safety: `tack apply` killed with SIGKILL in the middle of backfills, and aborted right
//! after each step is recorded done, then run again: the final data equal those of an
//! uninterrupted run (md5 of the ordered table contents; for the volatile default, no NULLs and
//! no duplicates).

mod apply_common;

use apply_common::*;
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

fn setup(c: &mut postgres::Client, rows: i64) {
    c.batch_execute(&format!(
        "CREATE TABLE orders (id bigint PRIMARY KEY, v int NOT NULL);
         INSERT INTO orders SELECT g, g % 977 FROM generate_series(1, {rows}) g;
         CREATE TABLE logs (msg text, n int);
         INSERT INTO logs SELECT 'message ' || g, g FROM generate_series(1, {rows}) g;
         ANALYZE orders; ANALYZE logs;"
    ))
    .unwrap();
}

fn migrations() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "V1__token.sql",
            "ALTER TABLE orders ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n",
        ),
        // Not idempotent: a row written twice would show.
        (
            "V2__orders.sql",
            "UPDATE orders SET v = v * 3 + 1;\nCREATE INDEX orders_v_idx ON orders (v);\n",
        ),
        ("V3__logs.sql", "UPDATE logs SET n = n * 3 + 1;\n"),
    ]
}

/// What must be equal to an uninterrupted run.
fn outcome(c: &mut postgres::Client) -> Vec<String> {
    vec![
        fingerprint(c, "SELECT id, v FROM orders ORDER BY id"),
        fingerprint(c, "SELECT msg, n FROM logs ORDER BY msg"),
        scalar_i64(c, "SELECT count(token) FROM orders").to_string(),
        scalar_i64(c, "SELECT count(DISTINCT token) FROM orders").to_string(),
        scalar_bool(
            c,
            "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'token'",
        )
        .to_string(),
        scalar_bool(
            c,
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_v_idx'::regclass",
        )
        .to_string(),
        scalar_i64(c, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal").to_string(),
        scalar_i64(
            c,
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'c'",
        )
        .to_string(),
        scalar_i64(c, "SELECT count(*) FROM tack.migrations WHERE status = 'done'").to_string(),
    ]
}

fn reference(rows: i64) -> Vec<String> {
    let db = tack_testkit::database();
    let mut c = db.connect();
    setup(&mut c, rows);
    let project = Project::new(&migrations());
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let o = outcome(&mut c);
    assert_eq!(o[2], rows.to_string());
    assert_eq!(o[3], rows.to_string());
    o
}

#[test]
fn killed_in_the_middle_of_backfills_resumes_to_the_same_data() {
    const ROWS: i64 = 60_000;
    let expected = reference(ROWS);

    let db = tack_testkit::database();
    let mut c = db.connect();
    setup(&mut c, ROWS);
    let project = Project::new(&migrations());
    let args = ["apply", "--log-format", "json", "--batch-time", "10ms"];
    let mut killed_mid_backfill = Vec::new();
    for step in ["V1__token.sql#3", "V2__orders.sql#1", "V3__logs.sql#1"] {
        let mut child = project.spawn(db.url(), &args);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let progress = c
                .query_opt(
                    "SELECT c.rows_done, s.status FROM tack.backfill_cursors c \
                     JOIN tack.steps s USING (migration, step_id) WHERE c.step_id = $1",
                    &[&step],
                )
                .ok()
                .flatten();
            if let Some(row) = progress {
                let rows: i64 = row.get(0);
                let status: String = row.get(1);
                if status == "done" {
                    break;
                }
                if rows > ROWS / 4 {
                    child.kill().unwrap();
                    killed_mid_backfill.push((step, rows));
                    break;
                }
            }
            assert!(Instant::now() < deadline, "no progress on {step}");
            std::thread::sleep(Duration::from_millis(5));
        }
        let status = child.wait().unwrap();
        assert!(status.code() != Some(2), "the run failed: {status:?}");
    }
    eprintln!("killed mid-backfill: {killed_mid_backfill:?}");
    // The kills are real: the state shows unfinished backfills with their cursors.
    assert!(
        killed_mid_backfill.len() >= 2,
        "too few kills landed in a backfill: {killed_mid_backfill:?}"
    );
    for (step, rows) in &killed_mid_backfill {
        assert!(*rows < ROWS, "{step} was done when killed");
    }

    let out = project.tack(db.url(), &["apply", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let ev = events(&out.stdout);
    if let Some((step, _)) = killed_mid_backfill.last() {
        // The last kill's backfill resumes from its cursor in this run.
        let started = ev
            .iter()
            .find(|e| e["event"] == "backfill_started" && e["step"] == *step);
        if let Some(s) = started {
            assert_eq!(s["resumed"], true, "{s}");
            assert!(s["rows_done"].as_i64().unwrap() > 0);
        }
    }
    assert_eq!(outcome(&mut c), expected);
}

#[test]
fn aborted_after_each_step_resumes_to_the_same_data() {
    const ROWS: i64 = 3000;
    let expected = reference(ROWS);

    let db = tack_testkit::database();
    let mut c = db.connect();
    setup(&mut c, ROWS);
    let project = Project::new(&migrations());

    let dry = project.tack(db.url(), &["apply", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(0), "{}", show(&dry));
    let steps: Vec<String> = text(&dry.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("-- step "))
        .filter_map(|l| l.split(' ').next())
        .map(str::to_owned)
        .collect();
    assert!(steps.len() >= 9, "{steps:?}");

    for (i, step) in steps.iter().enumerate() {
        let out = project
            .command(db.url(), &["apply", "--log-format", "json"])
            .env("TACK_TEST_CRASH_AFTER_STEP", step)
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(6),
            "expected an abort after {step}: {}",
            show(&out)
        );
        let ev = events(&out.stdout);
        // Everything before was skipped after checking, not run again.
        let ran: Vec<&str> = ev
            .iter()
            .filter(|e| e["event"] == "step_started")
            .map(|e| e["step"].as_str().unwrap())
            .collect();
        assert_eq!(ran, [step.as_str()], "run {i}: {ev:#?}");
        let skipped = ev.iter().filter(|e| e["event"] == "step_skipped").count()
            + ev.iter()
                .filter(|e| e["event"] == "migration_skipped")
                .count();
        assert!(skipped >= 1 || i == 0, "run {i}: {ev:#?}");
        let done: String = c
            .query_one("SELECT status FROM tack.steps WHERE step_id = $1", &[step])
            .unwrap()
            .get(0);
        assert_eq!(done, "done", "{step}");
    }
    let out = project.tack(db.url(), &["apply", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(!names(&events(&out.stdout)).contains(&"step_started".to_owned()));
    assert_eq!(outcome(&mut c), expected);
}
