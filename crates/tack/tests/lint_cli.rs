//! `tack lint` end to end: the binary on real files, its verdicts per version, its formats and
//! exit codes. Catalog-aware behaviour is tested against a real server.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn tack(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tack"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("PGHOST")
        .env_remove("PGDATABASE")
        .env_remove("PGUSER")
        .env_remove("PGPORT")
        .env_remove("PGSERVICE")
        .env_remove("PGHOSTADDR")
        .output()
        .expect("run tack")
}

/// Lints `sql` as one file with extra args; returns the exit code and the JSON report.
fn lint_sql(sql: &str, extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("V1__m.sql"), sql).unwrap();
    let mut args = vec!["lint", "--format", "json", "V1__m.sql"];
    args.extend_from_slice(extra);
    let out = tack(&args, dir.path());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn rules(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// Rules found for `sql` on PostgreSQL `version`, ignoring missing-lock-timeout noise.
fn verdict(sql: &str, version: &str) -> Vec<String> {
    let sql = format!("SET lock_timeout = '1s';\n{sql}");
    let (_, json) = lint_sql(&sql, &["--pg-version", version]);
    rules(&json)
}

#[test]
fn add_column_verdicts_per_version() {
    let volatile = "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();";
    for v in ["10", "11", "15", "18"] {
        assert_eq!(
            verdict(volatile, v),
            ["add-column-volatile-default"],
            "on {v}"
        );
    }
    let constant = "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';";
    assert_eq!(verdict(constant, "10"), ["add-column-default-pre-11"]);
    assert!(verdict(constant, "11").is_empty());
    assert!(verdict(
        "ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT now();",
        "15"
    )
    .is_empty());
    assert!(verdict("ALTER TABLE users ADD COLUMN note text;", "9.6").is_empty());
    assert_eq!(
        verdict("ALTER TABLE users ADD COLUMN code text NOT NULL;", "15"),
        ["add-column-not-null-without-default"]
    );
    assert_eq!(
        verdict(
            "ALTER TABLE users ADD COLUMN d int GENERATED ALWAYS AS (id * 2) STORED;",
            "15"
        ),
        ["add-column-generated-stored"]
    );
    assert_eq!(
        verdict("ALTER TABLE users ADD COLUMN n serial;", "15"),
        ["add-column-serial"]
    );
    assert_eq!(
        verdict(
            "ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;",
            "15"
        ),
        ["add-column-identity"]
    );
    assert_eq!(
        verdict(
            "ALTER TABLE users ADD COLUMN r float8 DEFAULT random() NOT NULL;",
            "15"
        ),
        ["add-column-volatile-default"]
    );
}

#[test]
fn not_null_and_constraints() {
    assert_eq!(
        verdict("ALTER TABLE t ALTER COLUMN c SET NOT NULL;", "15"),
        ["set-not-null"]
    );
    let recipe = "ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;\n\
                  ALTER TABLE t VALIDATE CONSTRAINT c_nn;\n\
                  ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n\
                  ALTER TABLE t DROP CONSTRAINT c_nn;";
    assert!(
        verdict(recipe, "12").is_empty(),
        "{:?}",
        verdict(recipe, "12")
    );
    assert_eq!(verdict(recipe, "11"), ["set-not-null"]);
    // NOT VALID alone does not make SET NOT NULL cheap.
    let unvalidated = "ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;\n\
                       ALTER TABLE t ALTER COLUMN c SET NOT NULL;";
    assert_eq!(verdict(unvalidated, "15"), ["set-not-null"]);

    assert_eq!(
        verdict("ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0);", "15"),
        ["add-check-constraint"]
    );
    assert!(verdict(
        "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0) NOT VALID;",
        "15"
    )
    .is_empty());
    assert!(verdict("ALTER TABLE t VALIDATE CONSTRAINT ck;", "15").is_empty());
    assert_eq!(
        verdict(
            "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id);",
            "15"
        ),
        ["add-foreign-key"]
    );
    assert!(verdict(
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID;",
        "15"
    )
    .is_empty());
    assert_eq!(
        verdict("ALTER TABLE t ADD CONSTRAINT uq UNIQUE (a);", "15"),
        ["add-unique-constraint"]
    );
    assert!(verdict(
        "ALTER TABLE t ADD CONSTRAINT uq UNIQUE USING INDEX uq_idx;",
        "15"
    )
    .is_empty());
    assert_eq!(
        verdict("ALTER TABLE t ADD PRIMARY KEY (id);", "15"),
        ["add-primary-key"]
    );
    assert_eq!(
        verdict(
            "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (r WITH &&);",
            "15"
        ),
        ["add-exclusion-constraint"]
    );
}

#[test]
fn indexes_and_transactions() {
    assert_eq!(
        verdict("CREATE INDEX i ON t (a);", "15"),
        ["create-index-non-concurrently"]
    );
    assert!(verdict("CREATE INDEX CONCURRENTLY i ON t (a);", "15").is_empty());
    assert_eq!(
        verdict(
            "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;",
            "15"
        ),
        ["concurrently-in-transaction"]
    );
    let (_, json) = lint_sql(
        "CREATE INDEX CONCURRENTLY i ON t (a);",
        &["--pg-version", "15", "--assume-in-transaction"],
    );
    assert_eq!(rules(&json), ["concurrently-in-transaction"]);
    assert_eq!(
        verdict("DROP INDEX i;", "15"),
        ["drop-index-non-concurrently"]
    );
    assert!(verdict("DROP INDEX CONCURRENTLY i;", "15").is_empty());
    assert_eq!(
        verdict("REINDEX TABLE t;", "15"),
        ["reindex-non-concurrently"]
    );
    assert!(verdict("REINDEX TABLE CONCURRENTLY t;", "15").is_empty());
    // A table created in the run is new and empty: plain index builds and constraints are fine.
    let fresh = "CREATE TABLE n (id bigint PRIMARY KEY, a int);\n\
                 CREATE INDEX n_a ON n (a);\n\
                 ALTER TABLE n ADD CONSTRAINT ck CHECK (a > 0);\n\
                 ALTER TABLE n ALTER COLUMN a SET NOT NULL;\n\
                 ALTER TABLE n ADD COLUMN b uuid DEFAULT gen_random_uuid();";
    assert!(
        verdict(fresh, "15").is_empty(),
        "{:?}",
        verdict(fresh, "15")
    );
}

#[test]
fn types_renames_drops_partitions_rebuilds() {
    let (_, json) = lint_sql(
        "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN c TYPE bigint;",
        &["--pg-version", "15"],
    );
    assert_eq!(rules(&json), ["alter-column-type"]);
    assert!(json["findings"][0]["why"]
        .as_str()
        .unwrap()
        .contains("Assumed"));
    // Known from the run: widening a varchar is binary-coercible.
    let widen = "CREATE TABLE w (v varchar(50));\nALTER TABLE w ALTER COLUMN v TYPE varchar(100);";
    assert!(verdict(widen, "15").is_empty());
    assert_eq!(
        verdict("ALTER TABLE t RENAME COLUMN a TO b;", "15"),
        ["rename-column"]
    );
    assert_eq!(
        verdict("ALTER TABLE t RENAME TO u;", "15"),
        ["rename-table"]
    );
    assert_eq!(
        verdict("ALTER TABLE t DROP COLUMN a;", "15"),
        ["drop-column"]
    );
    assert_eq!(verdict("DROP TABLE t;", "15"), ["drop-table"]);
    assert_eq!(
        verdict(
            "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (1) TO (10);",
            "15"
        ),
        ["attach-partition-scan"]
    );
    let detach = "ALTER TABLE p DETACH PARTITION p1;";
    assert_eq!(verdict(detach, "14"), ["detach-partition-blocking"]);
    let (_, json) = lint_sql(detach, &["--pg-version", "13"]);
    let fix = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "detach-partition-blocking")
        .unwrap()["fix"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !fix.contains("CONCURRENTLY"),
        "13 has no CONCURRENTLY: {fix}"
    );
    assert!(verdict("ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;", "14").is_empty());
    assert_eq!(
        verdict("ALTER TABLE t SET LOGGED;", "15"),
        ["set-logged-unlogged"]
    );
    assert_eq!(verdict("VACUUM FULL t;", "15"), ["vacuum-full"]);
    assert_eq!(verdict("CLUSTER t USING t_pkey;", "15"), ["cluster"]);
    assert_eq!(verdict("TRUNCATE t;", "15"), ["truncate"]);
    assert_eq!(
        verdict("BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;", "11"),
        ["enum-add-value-in-transaction"]
    );
    assert!(verdict("BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;", "12").is_empty());
    assert_eq!(verdict("UPDATE t SET a = 0;", "15"), ["unbatched-update"]);
    assert!(verdict("UPDATE t SET a = 0 WHERE id = 7;", "15").is_empty());
    assert_eq!(
        verdict(
            "DELETE FROM t WHERE created_at < now() - interval '1 year';",
            "15"
        ),
        ["unbatched-delete"]
    );
}

#[test]
fn lock_timeout_and_held_locks() {
    let (_, json) = lint_sql("ALTER TABLE t ADD COLUMN a int;", &["--pg-version", "15"]);
    assert_eq!(rules(&json), ["missing-lock-timeout"]);
    let f = &json["findings"][0];
    assert_eq!(f["lock"], "AccessExclusiveLock");
    assert_eq!(f["blocks_reads"], true);
    let (_, json) = lint_sql(
        "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN a int;",
        &["--pg-version", "15"],
    );
    assert!(rules(&json).is_empty());
    let (_, json) = lint_sql(
        "ALTER TABLE t ADD COLUMN a int;",
        &["--pg-version", "15", "--assume-lock-timeout"],
    );
    assert!(rules(&json).is_empty());
    // SET LOCAL ends with its transaction.
    let local = "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nALTER TABLE t ADD COLUMN b int;";
    let (_, json) = lint_sql(local, &["--pg-version", "15"]);
    assert_eq!(rules(&json), ["missing-lock-timeout"]);
    assert_eq!(json["findings"][0]["line"], 5);

    let held = "SET lock_timeout = '1s';\nBEGIN;\nALTER TABLE t ADD COLUMN a int;\nSELECT 1;\nALTER TABLE t VALIDATE CONSTRAINT ck;\nCOMMIT;";
    let (_, json) = lint_sql(held, &["--pg-version", "15"]);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(
        rules(&json),
        ["lock-held-across-statements", "lock-held-across-statements"]
    );
    assert_eq!(findings[0]["severity"], "warning");
    assert_eq!(findings[0]["line"], 4);
    assert_eq!(
        findings[1]["severity"], "error",
        "a scan while AccessExclusiveLock is held"
    );
    assert_eq!(findings[1]["line"], 5);
}

#[test]
fn findings_carry_everything() {
    let (code, json) = lint_sql(
        "SET lock_timeout = '1s';\n\nALTER TABLE public.orders ADD COLUMN tracking uuid NOT NULL DEFAULT gen_random_uuid();",
        &["--pg-version", "15"],
    );
    assert_eq!(code, 1);
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "add-column-volatile-default");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "V1__m.sql");
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 1);
    assert_eq!(f["lock"], "AccessExclusiveLock");
    assert_eq!(f["blocks_reads"], true);
    assert_eq!(f["blocks_writes"], true);
    assert_eq!(f["rewrite"], true);
    assert!(f["statement"]
        .as_str()
        .unwrap()
        .starts_with("ALTER TABLE public.orders"));
    let fix = f["fix"].as_str().unwrap();
    assert!(
        fix.contains("ALTER TABLE public.orders ADD COLUMN tracking uuid;"),
        "{fix}"
    );
    assert!(fix.contains("SET DEFAULT gen_random_uuid()"), "{fix}");
    assert!(
        fix.contains("CHECK (tracking IS NOT NULL) NOT VALID"),
        "{fix}"
    );
    assert!(fix.contains("SET NOT NULL"), "{fix}");
    assert!(f["message"].as_str().unwrap().contains("gen_random_uuid()"));
    assert_eq!(json["target"]["version_source"], "--pg-version");
}

#[test]
fn exit_codes() {
    let (code, _) = lint_sql(
        "SET lock_timeout = '1s';\nALTER TABLE t DROP COLUMN a;",
        &["--pg-version", "15"],
    );
    assert_eq!(code, 0, "warnings alone exit 0");
    let (code, _) = lint_sql(
        "SET lock_timeout = '1s';\nALTER TABLE t DROP COLUMN a;",
        &["--pg-version", "15", "--deny-warnings"],
    );
    assert_eq!(code, 1);
    let dir = tempfile::tempdir().unwrap();
    let out = tack(&["lint", "missing.sql"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.sql"));
    std::fs::write(dir.path().join("a.sql"), "SELECT 1;").unwrap();
    let out = tack(&["lint", "--pg-version", "banana", "a.sql"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = tack(&["lint", "--bogus-flag", "a.sql"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = tack(
        &[
            "lint",
            "--database-url",
            "postgres://me:hunter2@127.0.0.1:1/db",
            "a.sql",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("hunter2"), "password leaked: {stderr}");
    assert!(stderr.contains("127.0.0.1"), "{stderr}");
}

#[test]
fn suppression_comment_and_config() {
    let sql = "SET lock_timeout = '1s';\nALTER TABLE t DROP COLUMN a; -- tack:ignore drop-column column unused since v3\n\
               ALTER TABLE t DROP COLUMN b;\n\
               -- tack:ignore rename-column\n\
               ALTER TABLE t RENAME COLUMN c TO d;";
    let (_, json) = lint_sql(sql, &["--pg-version", "15"]);
    assert_eq!(rules(&json), ["drop-column", "ignore-without-reason"]);
    assert_eq!(json["findings"][0]["line"], 3);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tack.toml"),
        "pg_version = 12\n[rules]\ndrop-column = \"off\"\nrename-column = \"error\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("m.sql"),
        "SET lock_timeout = '1s';\nALTER TABLE t DROP COLUMN a;\nALTER TABLE t RENAME COLUMN c TO d;",
    )
    .unwrap();
    let out = tack(&["lint", "--format", "json", "m.sql"], dir.path());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules(&json), ["rename-column"]);
    assert_eq!(json["findings"][0]["severity"], "error");
    assert_eq!(json["target"]["version"]["major"], 12);
    assert_eq!(out.status.code(), Some(1));

    std::fs::write(
        dir.path().join("tack.toml"),
        "[rules]\nno-such-rule = \"off\"\n",
    )
    .unwrap();
    let out = tack(&["lint", "m.sql"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rule"));
}

#[test]
fn directories_in_apply_order_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("migrations");
    std::fs::create_dir(&m).unwrap();
    std::fs::write(
        m.join("V10__second.sql"),
        "ALTER TABLE t ALTER COLUMN c TYPE text;",
    )
    .unwrap();
    std::fs::write(m.join("V2__first.sql"), "CREATE TABLE t (c varchar(10));").unwrap();
    std::fs::write(m.join("V3__x.down.sql"), "garbage that would not parse").unwrap();
    // V2 creates t, so V10's change applies to a new table when both are pending in the same
    // run: no findings when ordered right.
    let out = tack(
        &[
            "lint",
            "--format",
            "json",
            "--pg-version",
            "15",
            "--pending-from",
            "V2__first.sql",
            "migrations",
        ],
        dir.path(),
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 2);
    assert!(rules(&json).is_empty(), "{json}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_tack"))
        .args(["lint", "--format", "json", "--pg-version", "15", "-"])
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"SET lock_timeout = '1s'; VACUUM FULL t;")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules(&json), ["vacuum-full"]);
    assert_eq!(json["findings"][0]["file"], "<stdin>");
    assert_eq!(json["findings"][0]["column"], 26);
}

#[test]
fn bad_input_is_a_diagnostic_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("empty.sql"), "").unwrap();
    std::fs::write(p.join("binary.sql"), [0u8, 159, 146, 150, 0, 1, 2, 255]).unwrap();
    std::fs::write(p.join("latin1.sql"), b"SELECT 'caf\xe9';").unwrap();
    std::fs::write(p.join("unterminated.sql"), "SELECT 1;\nSELECT 'abc").unwrap();
    std::fs::write(p.join("dollar.sql"), "DO $$ BEGIN PERFORM 1;").unwrap();
    std::fs::write(
        p.join("syntax.sql"),
        "SELECT 1;\n  ALTER TABLE t ADD COLUMNN x int;",
    )
    .unwrap();
    for (file, rule, line) in [
        ("empty.sql", "empty-file", 1),
        ("binary.sql", "syntax-error", 1),
        ("latin1.sql", "syntax-error", 1),
        ("unterminated.sql", "syntax-error", 2),
        ("dollar.sql", "syntax-error", 1),
        ("syntax.sql", "syntax-error", 2),
    ] {
        let out = tack(&["lint", "--format", "json", "--pg-version", "15", file], p);
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(1),
            "{file}: {code:?} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["findings"][0]["rule"], rule, "{file}: {json}");
        assert_eq!(json["findings"][0]["line"], line, "{file}: {json}");
    }
    let out = tack(
        &[
            "lint",
            "--format",
            "json",
            "--pg-version",
            "15",
            "syntax.sql",
        ],
        p,
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    // `COLUMNN x` reads as column COLUMNN of type x, so PostgreSQL stops at `int`.
    assert_eq!(json["findings"][0]["column"], 31, "{json}");
}

#[test]
fn human_and_github_formats() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.sql"),
        "SET lock_timeout = '1s';\nCREATE INDEX users_email ON users (email);\n",
    )
    .unwrap();
    let out = tack(&["lint", "--pg-version", "15", "m.sql"], dir.path());
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("error[create-index-non-concurrently]"),
        "{human}"
    );
    assert!(human.contains("m.sql:2:1"), "{human}");
    assert!(
        human.contains("CREATE INDEX CONCURRENTLY users_email ON users USING btree (email);"),
        "{human}"
    );
    assert!(
        human.contains("ShareLock on users: blocks writes"),
        "{human}"
    );
    assert!(human.contains("1 error, 0 warnings in 1 file"), "{human}");
    assert!(!human.contains('\u{1b}'), "no colour when not a terminal");

    let out = tack(
        &["lint", "--format", "github", "--pg-version", "15", "m.sql"],
        dir.path(),
    );
    let gh = String::from_utf8_lossy(&out.stdout);
    assert!(
        gh.starts_with("::error file=m.sql,line=2,col=1,endLine=2,endColumn="),
        "{gh}"
    );
    assert!(
        gh.contains("title=tack create-index-non-concurrently::"),
        "{gh}"
    );
    assert_eq!(gh.lines().count(), 1, "newlines escaped: {gh}");
}

#[test]
fn sarif_validates_against_the_schema() {
    let path = std::env::var("TACK_SARIF_SCHEMA").unwrap_or_else(|_| {
        let cache = std::env::var("XDG_CACHE_HOME")
            .unwrap_or_else(|_| format!("{}/.cache", std::env::var("HOME").unwrap_or_default()));
        format!("{cache}/tack/sarif-2.1.0.json")
    });
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("SARIF schema missing at {path} ({e}): run scripts/fetch-sarif-schema.sh")
    }))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("my migration.sql"),
        "ALTER TABLE t ADD COLUMN a uuid DEFAULT gen_random_uuid();\nALTER TABLE t DROP COLUMN b;\nSELEC 1;",
    )
    .unwrap();
    let out = tack(
        &[
            "lint",
            "--format",
            "sarif",
            "--pg-version",
            "15",
            "my migration.sql",
        ],
        dir.path(),
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 3, "{results:?}");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20migration.sql"
    );
    let rule_ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rule_ids.contains(&"syntax-error"));
}

#[test]
fn rules_doc_is_generated_from_the_rule_base() {
    let dir = tempfile::tempdir().unwrap();
    let out = tack(&["rules"], dir.path());
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md"))
            .unwrap();
    assert!(
        generated == committed,
        "docs/rules.md is stale: run `cargo run -q -p tack -- rules > docs/rules.md`"
    );
    for section in [
        "## set-not-null",
        "## add-column-volatile-default",
        "**Safe recipe.**",
    ] {
        assert!(committed.contains(section), "{section}");
    }
}
