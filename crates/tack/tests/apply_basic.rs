//! `tack apply` end to end on a real server: SQL steps and backfills (keyset over a primary key,
//! and ctid ranges without one), `tack status`, skipping applied work, `--dry-run`, refusals,
//! changed migrations, and cleaning up after a failed concurrent index build.

mod apply_common;

use apply_common::*;
use serde_json::Value;

const ROWS: i64 = 5000;

fn setup(client: &mut postgres::Client) {
    client
        .batch_execute(&format!(
            "CREATE TABLE orders (id bigint PRIMARY KEY, v int NOT NULL);
             INSERT INTO orders SELECT g, g % 100 FROM generate_series(1, {ROWS}) g;
             CREATE TABLE logs (msg text, n int);
             INSERT INTO logs SELECT 'message ' || g, g FROM generate_series(1, {ROWS}) g;
             ANALYZE orders; ANALYZE logs;"
        ))
        .unwrap();
}

const V1: &str = "ALTER TABLE orders ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n";
const V2: &str = "UPDATE logs SET n = n + 1;\nCREATE INDEX logs_n_idx ON logs (n);\n";

#[test]
fn applies_sql_steps_and_backfills_with_and_without_a_primary_key() {
    // Every installed major version (TID range scans, trigger syntax and catalogs differ).
    for server in tack_testkit::servers() {
        basic(server.create_database());
    }
}

fn basic(db: tack_testkit::TestDatabase) {
    let mut c = db.connect();
    setup(&mut c);
    let sum_before = scalar_i64(&mut c, "SELECT sum(n)::bigint FROM logs");
    let project = Project::new(&[("V1__token.sql", V1), ("V2__logs.sql", V2)]);

    // --dry-run: every statement, nothing run.
    let out = project.tack(db.url(), &["apply", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan = text(&out.stdout);
    for expected in [
        "ALTER TABLE orders ADD COLUMN token uuid;",
        "SET LOCAL lock_timeout = '1000ms'",
        "CREATE TRIGGER tack_backfill_",
        "BEFORE INSERT OR UPDATE ON orders",
        "WITH batch AS (SELECT id AS tack_k1 FROM orders",
        "ctid >= format('(%s,0)', $1::bigint)::tid",
        "DROP TRIGGER IF EXISTS tack_backfill_",
        "CREATE INDEX CONCURRENTLY logs_n_idx",
        "SET NOT NULL",
    ] {
        assert!(
            plan.contains(expected),
            "dry run lacks {expected:?}:\n{plan}"
        );
    }
    assert!(
        !scalar_bool(&mut c, "SELECT to_regnamespace('tack') IS NOT NULL"),
        "the dry run created the state store"
    );
    assert!(!scalar_bool(
        &mut c,
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'token')"
    ));

    // Apply.
    let out = project.tack(
        db.url(),
        &["apply", "--log-format", "json", "--batch-time", "20ms"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let ev = events(&out.stdout);
    let n = names(&ev);
    assert_eq!(
        n.iter().filter(|e| *e == "backfill_started").count(),
        2,
        "{n:?}"
    );
    assert_eq!(
        n.iter().filter(|e| *e == "backfill_finished").count(),
        2,
        "{n:?}"
    );
    assert!(
        n.iter().filter(|e| *e == "batch_done").count() >= 2,
        "{n:?}"
    );
    assert_eq!(n.iter().filter(|e| *e == "migration_finished").count(), 2);
    assert!(!n.contains(&"lock_retry".to_owned()), "{n:?}");
    assert_eq!(n.last().map(String::as_str), Some("run_finished"));
    assert!(ev.iter().all(|e| e["ts"].as_f64().is_some()));
    let pk = ev
        .iter()
        .find(|e| e["event"] == "backfill_started" && e["unit"] == "rows")
        .expect("a keyset backfill");
    assert_eq!(pk["table"], "orders");
    let ctid = ev
        .iter()
        .find(|e| e["event"] == "backfill_started" && e["unit"] == "pages")
        .expect("a ctid backfill");
    assert_eq!(ctid["table"], "logs");
    let written: Vec<i64> = ev
        .iter()
        .filter(|e| e["event"] == "backfill_finished")
        .map(|e| e["rows_done"].as_i64().unwrap())
        .collect();
    assert_eq!(written, [ROWS, ROWS]);

    // The data.
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(DISTINCT token) FROM orders"),
        ROWS
    );
    assert!(scalar_bool(
        &mut c,
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'token'"
    ));
    // Every row incremented exactly once (the UPDATE is not idempotent).
    assert_eq!(
        scalar_i64(&mut c, "SELECT sum(n)::bigint FROM logs"),
        sum_before + ROWS
    );
    assert!(scalar_bool(
        &mut c,
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'logs_n_idx'::regclass"
    ));
    // No helpers left behind.
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
        ),
        0
    );
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_proc WHERE pronamespace = 'tack'::regnamespace"
        ),
        0
    );
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'c'"),
        0
    );

    // tack status, human and JSON.
    let out = project.tack(db.url(), &["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let human = text(&out.stdout);
    assert!(human.contains("V1__token.sql  applied"), "{human}");
    assert!(human.contains("7/7"), "{human}");
    assert!(human.contains("run: none in progress"), "{human}");
    let out = project.tack(db.url(), &["status", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["initialized"], true);
    assert_eq!(status["paused"], false);
    let migrations = status["migrations"].as_array().unwrap();
    assert_eq!(migrations.len(), 2);
    for m in migrations {
        assert_eq!(m["status"], "done", "{m}");
        assert_eq!(m["checksum"].as_str().unwrap().len(), 64);
        for s in m["steps"].as_array().unwrap() {
            assert_eq!(s["status"], "done", "{s}");
            assert_eq!(s["attempts"], 1, "{s}");
        }
    }
    let backfill = &migrations[0]["steps"][2];
    assert_eq!(backfill["kind"], "backfill");
    assert_eq!(backfill["rows_done"], ROWS);

    // A second apply skips everything.
    let out = project.tack(db.url(), &["apply", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let n = names(&events(&out.stdout));
    assert_eq!(
        n,
        [
            "migration_skipped",
            "migration_skipped",
            "run_started",
            "run_finished"
        ]
    );

    // An applied migration that changed is refused.
    project.write("V1__token.sql", &format!("{V1}-- edited\n"));
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("has changed since it was applied"),
        "{}",
        show(&out)
    );
}

#[test]
fn refused_plans_run_nothing() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    setup(&mut c);
    let project = Project::new(&[(
        "V1__retype.sql",
        "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ALTER COLUMN v TYPE bigint;\n",
    )]);
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("nothing was run"), "{err}");
    assert!(err.contains("--allow"), "{err}");
    assert!(!scalar_bool(
        &mut c,
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'note')"
    ));
}

#[test]
fn usage_and_connection_errors_exit_2_without_showing_passwords() {
    let project = Project::new(&[("V1__a.sql", "SELECT 1;\n")]);
    let out = project.tack(
        "postgres://someone:sekrit-pass@127.0.0.1:1/nowhere",
        &["apply"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(!show(&out).contains("sekrit-pass"), "{}", show(&out));
    let out = project.tack(
        "postgres://someone:sekrit-pass@127.0.0.1:1/nowhere",
        &["apply", "--lock-timeout", "soon"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("--lock-timeout"),
        "{}",
        show(&out)
    );
}

#[test]
fn an_invalid_index_left_by_a_failed_concurrent_build_is_dropped_before_the_retry() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    c.batch_execute(
        "CREATE TABLE t (id bigint PRIMARY KEY, v int);
         INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g;
         INSERT INTO t VALUES (1001, 1);
         ANALYZE t;",
    )
    .unwrap();
    let project = Project::new(&[("V1__unique.sql", "CREATE UNIQUE INDEX t_v_key ON t (v);\n")]);
    let out = project.tack(db.url(), &["apply", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let n = names(&events(&out.stdout));
    assert!(n.contains(&"step_failed".to_owned()), "{n:?}");
    assert!(
        !scalar_bool(
            &mut c,
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v_key'::regclass"
        ),
        "the failed build should have left an INVALID index"
    );
    let status: Value = serde_json::from_slice(
        &project
            .tack(db.url(), &["status", "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(status["migrations"][0]["status"], "failed");
    assert_eq!(status["migrations"][0]["steps"][0]["status"], "failed");
    assert!(status["migrations"][0]["steps"][0]["last_error"]
        .as_str()
        .unwrap()
        .contains("23505"));

    c.batch_execute("DELETE FROM t WHERE id = 1001").unwrap();
    let out = project.tack(db.url(), &["apply", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let n = names(&events(&out.stdout));
    assert!(n.contains(&"cleanup_ran".to_owned()), "{n:?}");
    assert!(scalar_bool(
        &mut c,
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v_key'::regclass"
    ));
}

/// `apply --dry-run` plans only what `apply` would run, against the live catalog: a table an
/// applied migration created is not "new and empty" to the next migration.
#[test]
fn dry_run_leaves_applied_migrations_out_of_the_plan() {
    let db = tack_testkit::database();
    let project = Project::new(&[(
        "V1__items.sql",
        "CREATE TABLE items (id bigint PRIMARY KEY, name text);\n",
    )]);
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let mut c = db.connect();
    c.batch_execute(
        "INSERT INTO items SELECT g, 'x' FROM generate_series(1, 1000) g; ANALYZE items;",
    )
    .unwrap();
    project.write(
        "V2__token.sql",
        "ALTER TABLE items ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n",
    );
    let out = project.tack(db.url(), &["apply", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan = text(&out.stdout);
    assert!(
        plan.contains("-- already applied (by tack): skipped"),
        "{plan}"
    );
    // The backfill recipe, as apply runs it — not the one-step ADD COLUMN a new table gets.
    for expected in [
        "ALTER TABLE items ADD COLUMN token uuid;",
        "CREATE TRIGGER tack_backfill_",
        "VALIDATE CONSTRAINT",
    ] {
        assert!(
            plan.contains(expected),
            "dry run lacks {expected:?}:\n{plan}"
        );
    }
}
