//! `tack plan`: every required recipe, version-aware, as JSON steps.

use serde_json::Value;
use std::process::Command;

fn plan(sql: &str, extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("V1__m.sql"), sql).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tack"))
        .args(["plan", "--format", "json", "--offline", "V1__m.sql"])
        .args(extra)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn steps(json: &Value) -> Vec<(String, String)> {
    json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["phase"].as_str().unwrap().to_owned(),
                s["sql"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn volatile_default_not_null_becomes_add_default_backfill_and_check_recipe() {
    let (code, json) = plan(
        "ALTER TABLE orders ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();",
        &["--pg-version", "15"],
    );
    assert_eq!(code, 0);
    let s = steps(&json);
    let phases: Vec<&str> = s.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        phases,
        ["expand", "expand", "backfill", "validate", "validate", "validate", "cleanup"],
        "{s:?}"
    );
    assert_eq!(s[0].1, "ALTER TABLE orders ADD COLUMN token uuid");
    assert_eq!(
        s[1].1,
        "ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid()"
    );
    assert!(s[2]
        .1
        .starts_with("UPDATE orders SET token = gen_random_uuid() WHERE token IS NULL"));
    assert!(s[3].1.ends_with("CHECK (token IS NOT NULL) NOT VALID"));
    assert!(s[4].1.contains("VALIDATE CONSTRAINT"));
    assert!(s[5].1.ends_with("SET NOT NULL"));
    let step = &json["steps"][2];
    assert_eq!(step["kind"], "backfill");
    assert_eq!(step["backfill"]["trigger"], true);
    assert_eq!(step["blocks_writes"], false);
    let validate = &json["steps"][4];
    assert_eq!(validate["lock"], "ShareUpdateExclusiveLock");
    assert_eq!(validate["scan"], true);
    assert_eq!(validate["blocks_writes"], false);
    for step in json["steps"].as_array().unwrap() {
        for key in [
            "phase",
            "sql",
            "lock",
            "transactional",
            "rewrite",
            "scan",
            "blocks_reads",
            "blocks_writes",
            "why",
        ] {
            assert!(step.get(key).is_some(), "{key} missing in {step}");
        }
    }
}

#[test]
fn constant_default_is_one_step_from_11_and_a_backfill_before() {
    let sql = "ALTER TABLE orders ADD COLUMN plan text NOT NULL DEFAULT 'free';";
    let (_, json) = plan(sql, &["--pg-version", "11"]);
    assert_eq!(
        steps(&json),
        [(
            "run".to_owned(),
            "ALTER TABLE orders ADD COLUMN plan text NOT NULL DEFAULT 'free'".to_owned()
        )]
    );
    let (_, json) = plan(sql, &["--pg-version", "10"]);
    let phases: Vec<String> = steps(&json).into_iter().map(|(p, _)| p).collect();
    assert!(phases.contains(&"backfill".to_owned()), "{phases:?}");
}

#[test]
fn whole_table_update_becomes_a_backfill() {
    let (_, json) = plan(
        "UPDATE orders SET status = lower(status) WHERE status <> lower(status);",
        &["--pg-version", "15"],
    );
    let s = &json["steps"][0];
    assert_eq!(s["kind"], "backfill");
    assert_eq!(s["backfill"]["condition"], "status <> lower(status)");
    assert_eq!(
        s["backfill"]["key"], "physical_pages",
        "offline: no primary key known"
    );
    let (_, json) = plan(
        "UPDATE orders SET status = 'x' WHERE id = 4;",
        &["--pg-version", "15"],
    );
    assert_eq!(json["steps"][0]["kind"], "sql");
}

#[test]
fn set_not_null_check_and_fk_recipes() {
    let (_, json) = plan(
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
        &["--pg-version", "15"],
    );
    assert_eq!(json["steps"].as_array().unwrap().len(), 4);
    let (code, json) = plan(
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
        &["--pg-version", "11"],
    );
    assert_eq!(code, 1, "before 12 it cannot be made cheap: refused");
    assert_eq!(json["refused"][0]["rule"], "set-not-null");
    let (_, json) = plan(
        "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0);",
        &["--pg-version", "15"],
    );
    assert_eq!(
        steps(&json).into_iter().map(|(_, s)| s).collect::<Vec<_>>(),
        [
            "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0) NOT VALID",
            "ALTER TABLE t VALIDATE CONSTRAINT ck"
        ]
    );
    let (_, json) = plan(
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id);",
        &["--pg-version", "15"],
    );
    assert_eq!(json["steps"][0]["lock"], "ShareRowExclusiveLock");
    assert!(json["steps"][0]["sql"]
        .as_str()
        .unwrap()
        .ends_with("NOT VALID"));
    assert_eq!(json["steps"][1]["transactional"], true);
}

#[test]
fn unique_primary_key_and_index_recipes() {
    let (_, json) = plan(
        "ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email);",
        &["--pg-version", "15"],
    );
    let s = steps(&json);
    assert_eq!(
        s[0].1,
        "CREATE UNIQUE INDEX CONCURRENTLY t_email_key ON t (email)"
    );
    assert_eq!(json["steps"][0]["transactional"], false);
    assert_eq!(
        json["steps"][0]["cleanup"],
        "DROP INDEX CONCURRENTLY IF EXISTS t_email_key"
    );
    assert_eq!(
        s[1].1,
        "ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE USING INDEX t_email_key"
    );
    let (_, json) = plan(
        "ALTER TABLE t ADD PRIMARY KEY (id);",
        &["--pg-version", "15"],
    );
    let s = steps(&json);
    assert!(
        s[0].1.contains("CHECK (id IS NOT NULL) NOT VALID"),
        "NOT NULL first: {s:?}"
    );
    assert!(s
        .iter()
        .any(|(_, q)| q == "CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON t (id)"));
    assert_eq!(
        s.last().unwrap().1,
        "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey"
    );
    let (_, json) = plan(
        "BEGIN;\nCREATE INDEX i ON t (a);\nDROP INDEX j;\nCOMMIT;",
        &["--pg-version", "15"],
    );
    let s = steps(&json);
    assert_eq!(s[0].1, "CREATE INDEX CONCURRENTLY i ON t USING btree (a)");
    assert_eq!(s[1].1, "DROP INDEX CONCURRENTLY j");
    assert!(json["steps"][0]["done_probe"]
        .as_str()
        .unwrap()
        .contains("indisvalid"));
}

#[test]
fn unsafe_statements_are_refused_unless_allowed() {
    for (sql, rule) in [
        (
            "ALTER TABLE t ADD COLUMN c int NOT NULL;",
            "add-column-not-null-without-default",
        ),
        (
            "ALTER TABLE t ALTER COLUMN c TYPE bigint;",
            "alter-column-type",
        ),
        ("ALTER TABLE t RENAME COLUMN a TO b;", "rename-column"),
        ("ALTER TABLE t DROP COLUMN a;", "drop-column"),
        ("DROP TABLE t;", "drop-table"),
    ] {
        let (code, json) = plan(sql, &["--pg-version", "15"]);
        assert_eq!(code, 1, "{sql}");
        assert_eq!(json["refused"][0]["rule"], rule, "{sql}");
        assert!(json["refused"][0]["recipe"].is_string(), "{sql}");
        let (code, json) = plan(sql, &["--pg-version", "15", "--allow", rule]);
        assert_eq!(code, 0, "{sql}");
        assert_eq!(json["steps"][0]["sql"], sql.trim_end_matches(';'));
    }
    // An accepted statement (tack:ignore with a reason) is allowed too.
    let (code, _) = plan(
        "ALTER TABLE t DROP COLUMN a; -- tack:ignore drop-column unused since v3",
        &["--pg-version", "15"],
    );
    assert_eq!(code, 0);
}

#[test]
fn new_tables_and_safe_statements_run_as_written() {
    let (code, json) = plan(
        "CREATE TABLE n (id bigint PRIMARY KEY, a int);\nCREATE INDEX n_a ON n (a);\nALTER TABLE n ADD COLUMN b uuid DEFAULT gen_random_uuid();\nALTER TABLE t ADD COLUMN note text;",
        &["--pg-version", "15"],
    );
    assert_eq!(code, 0);
    let phases: Vec<String> = steps(&json).into_iter().map(|(p, _)| p).collect();
    assert_eq!(phases, ["run", "run", "run", "run"]);
}
