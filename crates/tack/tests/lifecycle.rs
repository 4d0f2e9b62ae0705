//! The lifecycle commands on a real server: a migration that fails on its own SQL is rolled back
//! (its done steps reversed: the column, the index, the table it made), corrected and applied;
//! one whose file is deleted is forgotten; `tack complete` says when nothing waits.

mod apply_common;

use apply_common::*;
use serde_json::Value;

const ROWS: i64 = 2000;

fn setup(client: &mut postgres::Client) {
    client
        .batch_execute(&format!(
            "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
             INSERT INTO orders SELECT g, 'new' FROM generate_series(1, {ROWS}) g;
             ANALYZE orders;"
        ))
        .unwrap();
}

/// Three steps that work, then a typo in a column name.
const BROKEN: &str = "\
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
ALTER TABLE orders ADD COLUMN note_id bigint;
CREATE INDEX orders_status_idx ON orders (status);
UPDATE orders SET note_id = id WHERE statuss = 'x';
";

const FIXED: &str = "\
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
ALTER TABLE orders ADD COLUMN note_id bigint;
CREATE INDEX orders_status_idx ON orders (status);
UPDATE orders SET note_id = id WHERE status = 'x';
";

fn status(project: &Project, url: &str) -> (Option<i32>, Value) {
    let out = project.tack(url, &["status", "--format", "json"]);
    let json =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", show(&out)));
    (out.status.code(), json)
}

fn schema_of(c: &mut postgres::Client) -> String {
    fingerprint(
        c,
        "SELECT table_name || '.' || column_name FROM information_schema.columns \
         WHERE table_schema = 'public' \
         UNION ALL SELECT indexname FROM pg_indexes WHERE schemaname = 'public'",
    )
}

#[test]
fn a_failed_migration_is_rolled_back_corrected_and_applied() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    setup(&mut c);
    let before = schema_of(&mut c);
    let project = Project::new(&[("V1__notes.sql", BROKEN)]);

    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("statuss"), "{err}");
    assert!(err.contains("`tack rollback`"), "{err}");
    assert_ne!(schema_of(&mut c), before, "the first steps ran");
    let (code, json) = status(&project, db.url());
    assert_eq!(code, Some(1));
    assert_eq!(json["migrations"][0]["state"], "failed");

    // Rollback reverses the three steps that ran, newest first.
    let out = project.tack(db.url(), &["rollback", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let n = names(&events(&out.stdout));
    assert!(n.contains(&"rollback_started".to_owned()), "{n:?}");
    assert!(n.contains(&"rolled_back".to_owned()), "{n:?}");
    assert_eq!(
        schema_of(&mut c),
        before,
        "the schema is as before the migration"
    );
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM orders"),
        ROWS,
        "no row lost"
    );
    let (code, json) = status(&project, db.url());
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["migrations"][0]["state"], "rolled_back");

    // Corrected, it applies from the start.
    project.write("V1__notes.sql", FIXED);
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(scalar_bool(
        &mut c,
        "SELECT to_regclass('orders_status_idx') IS NOT NULL AND to_regclass('notes') IS NOT NULL"
    ));
    let (code, json) = status(&project, db.url());
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["migrations"][0]["state"], "applied");

    // Nothing waits for completion; a complete migration is not rolled back.
    let out = project.tack(db.url(), &["complete"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("nothing waits"),
        "{}",
        show(&out)
    );
    let out = project.tack(db.url(), &["rollback"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("nothing to roll back"),
        "{}",
        show(&out)
    );
}

#[test]
fn a_failed_migration_corrected_in_place_is_planned_again() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    setup(&mut c);
    let project = Project::new(&[("V1__notes.sql", BROKEN)]);
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    // The edit of a migration that never completed is accepted: what is already in the catalog
    // is skipped, the rest runs.
    project.write("V1__notes.sql", FIXED);
    let out = project.tack(db.url(), &["apply", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let ev = events(&out.stdout);
    assert!(
        ev.iter().any(|e| e["event"] == "warning"
            && e["message"]
                .as_str()
                .unwrap_or("")
                .contains("planned again")),
        "{ev:#?}"
    );
    assert!(
        ev.iter().filter(|e| e["event"] == "step_skipped").count() >= 2,
        "the table and the column are already there: {ev:#?}"
    );
    assert!(scalar_bool(
        &mut c,
        "SELECT to_regclass('orders_status_idx') IS NOT NULL"
    ));
}

#[test]
fn a_never_completed_migration_whose_file_is_gone_is_forgotten() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    setup(&mut c);
    let project = Project::new(&[(
        "V1__typo.sql",
        "UPDATE orders SET status = 'y' WHERE statuss = 'x';\n",
    )]);
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    std::fs::remove_file(project.path().join("migrations/V1__typo.sql")).unwrap();
    let out = project.tack(db.url(), &["status"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(text(&out.stdout).contains("tack forget"), "{}", show(&out));
    // A file still there is not forgotten.
    project.write("V2__other.sql", "SELECT 1;\n");
    let out = project.tack(db.url(), &["forget", "V2__other.sql"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let out = project.tack(db.url(), &["forget", "V1__typo.sql"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    std::fs::remove_file(project.path().join("migrations/V2__other.sql")).unwrap();
    project.write("V2__other.sql", "SELECT 1;\n");
    let (code, json) = status(&project, db.url());
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["migrations"].as_array().unwrap().len(), 1);
    let _ = c.batch_execute("SELECT 1");
}
