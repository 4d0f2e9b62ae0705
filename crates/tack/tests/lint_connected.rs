//! `tack lint --database-url`: verdicts that depend on the live catalog, against real servers.

use serde_json::Value;
use std::process::Command;

/// Creates a database with `setup`, lints `sql` against it, returns (exit code, JSON report).
fn lint_against(setup: &str, sql: &str, extra: &[&str]) -> (i32, Value) {
    let db = tack_testkit::database();
    let mut client = db.connect();
    client.batch_execute(setup).expect("setup");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("V9__m.sql"),
        format!("SET lock_timeout = '1s';\n{sql}"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tack"))
        .args([
            "lint",
            "--format",
            "json",
            "--database-url",
            db.url(),
            "V9__m.sql",
        ])
        .args(extra)
        .current_dir(dir.path())
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

fn rules(json: &Value) -> Vec<&str> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

const ORDERS: &str = "
    CREATE TABLE orders (id bigint PRIMARY KEY, email varchar(50), total numeric(10,2), note text,
                         created timestamp);
    INSERT INTO orders SELECT g, 'u' || g, g, NULL, now() FROM generate_series(1, 20000) g;
    ANALYZE orders;";

#[test]
fn version_and_sizes_come_from_the_server() {
    let (code, json) = lint_against(
        ORDERS,
        "ALTER TABLE orders ADD COLUMN t uuid DEFAULT gen_random_uuid();",
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(json["target"]["connected"], true);
    assert_eq!(json["target"]["version_source"], "server");
    assert!(json["target"]["version"]["major"].as_u64().unwrap() >= 15);
    assert!(json["assumptions"].as_array().unwrap().is_empty(), "{json}");
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "add-column-volatile-default");
    let estimate = f["estimate"].as_str().unwrap();
    assert!(estimate.contains("20.0k rows"), "{estimate}");
    // The fix batches over the real primary key, not ctid.
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("WHERE id IN (SELECT id FROM orders"),
        "{f}"
    );
}

#[test]
fn function_volatility_comes_from_pg_proc() {
    let setup = format!(
        "{ORDERS}
         CREATE FUNCTION fixed_code() RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT 'x' $$;
         CREATE FUNCTION next_code() RETURNS text VOLATILE LANGUAGE sql AS $$ SELECT md5(random()::text) $$;"
    );
    let (_, json) = lint_against(
        &setup,
        "ALTER TABLE orders ADD COLUMN a text DEFAULT fixed_code();",
        &[],
    );
    assert!(
        rules(&json).is_empty(),
        "an immutable user function is no rewrite: {json}"
    );
    let (_, json) = lint_against(
        &setup,
        "ALTER TABLE orders ADD COLUMN b text DEFAULT next_code();",
        &[],
    );
    assert_eq!(rules(&json), ["add-column-volatile-default"]);
    // Offline, the same function is unknown and assumed volatile, and the report says so.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.sql"),
        "SET lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a text DEFAULT fixed_code();",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tack"))
        .args([
            "lint",
            "--format",
            "json",
            "--offline",
            "--pg-version",
            "15",
            "m.sql",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules(&json), ["add-column-volatile-default"]);
    assert!(
        json["findings"][0]["why"]
            .as_str()
            .unwrap()
            .contains("fixed_code"),
        "{json}"
    );
}

#[test]
fn column_types_from_the_catalog_decide_rewrites() {
    let (_, json) = lint_against(
        ORDERS,
        "ALTER TABLE orders ALTER COLUMN email TYPE varchar(100);",
        &[],
    );
    assert!(rules(&json).is_empty(), "{json}");
    let (_, json) = lint_against(
        ORDERS,
        "ALTER TABLE orders ALTER COLUMN email TYPE text;",
        &[],
    );
    assert!(rules(&json).is_empty(), "{json}");
    let (_, json) = lint_against(
        ORDERS,
        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);",
        &[],
    );
    assert!(rules(&json).is_empty(), "{json}");
    let (_, json) = lint_against(
        ORDERS,
        "ALTER TABLE orders ALTER COLUMN email TYPE varchar(20);",
        &[],
    );
    assert_eq!(rules(&json), ["alter-column-type"]);
    let (_, json) = lint_against(
        ORDERS,
        "ALTER TABLE orders ALTER COLUMN id TYPE numeric;",
        &[],
    );
    assert_eq!(rules(&json), ["alter-column-type"]);
    assert!(!json["findings"][0]["why"]
        .as_str()
        .unwrap()
        .contains("Assumed"));
}

#[test]
fn existing_constraints_and_keys_count() {
    let setup = format!(
        "{ORDERS}
         UPDATE orders SET note = 'n';
         ALTER TABLE orders ADD CONSTRAINT note_nn CHECK (note IS NOT NULL);"
    );
    let (_, json) = lint_against(
        &setup,
        "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;",
        &[],
    );
    assert!(
        rules(&json).is_empty(),
        "a validated CHECK already exists: {json}"
    );
    let (_, json) = lint_against(
        ORDERS,
        "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;",
        &[],
    );
    assert_eq!(rules(&json), ["set-not-null"]);
    // The primary key makes `WHERE id = …` a keyed update; another column is not a key.
    let (_, json) = lint_against(ORDERS, "UPDATE orders SET note = 'x' WHERE id = 3;", &[]);
    assert!(rules(&json).is_empty(), "{json}");
    let (_, json) = lint_against(
        ORDERS,
        "UPDATE orders SET note = 'x' WHERE email = 'u3';",
        &[],
    );
    assert_eq!(rules(&json), ["unbatched-update"]);
    // Adding a primary key on a NOT NULL column via an existing unique index needs no scan.
    let setup = "CREATE TABLE k (id bigint NOT NULL); INSERT INTO k SELECT generate_series(1, 100);
                 CREATE UNIQUE INDEX k_id ON k (id);";
    let (_, json) = lint_against(
        setup,
        "ALTER TABLE k ADD CONSTRAINT k_pkey PRIMARY KEY USING INDEX k_id;",
        &[],
    );
    assert!(rules(&json).is_empty(), "{json}");
}

#[test]
fn every_server_version_the_kit_can_start() {
    // The version is read from each server and drives the verdict.
    for server in tack_testkit::servers() {
        let db = server.create_database();
        db.connect().batch_execute(ORDERS).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.sql"), "SET lock_timeout = '1s';\nALTER TABLE orders DETACH PARTITION p CONCURRENTLY;\nALTER TABLE orders ADD COLUMN c int DEFAULT 0;").unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_tack"))
            .args([
                "lint",
                "--format",
                "json",
                "--database-url",
                db.url(),
                "m.sql",
            ])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            json["target"]["version"]["major"].as_u64().unwrap(),
            u64::from(server.major())
        );
        assert!(
            rules(&json).is_empty(),
            "PostgreSQL {}: {json}",
            server.major()
        );
    }
}
