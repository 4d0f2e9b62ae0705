//! Schema as code, end to end: `tack init`, `migrations/tack.sum` (written, verified, careless
//! merges and conflict markers caught), `tack apply` refusing edited applied migrations and
//! out-of-order pending ones, the history recorded per migration, `tack status` (human and
//! JSON) for applied / pending / failed / in-progress migrations, and tack.toml's `[apply]`
//! defaults and `database_url_env`.

mod apply_common;

use apply_common::*;
use serde_json::Value;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;

/// For commands that must not connect: nothing listens there.
const NOWHERE: &str = "postgres://nobody@127.0.0.1:1/nowhere";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn status_json(project: &Project, url: &str) -> (Option<i32>, Value) {
    let out = project.tack(url, &["status", "--format", "json"]);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("status JSON does not parse: {e}\n{}", show(&out)));
    (out.status.code(), v)
}

fn migration<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {status:#}"))
}

#[test]
fn init_creates_the_project_and_refuses_a_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let tack = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tack"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = tack(&["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let said = text(&out.stdout);
    for expected in [
        "tack.toml",
        "migrations/",
        "migrations/tack.sum",
        "tack apply",
    ] {
        assert!(said.contains(expected), "{said}");
    }
    let toml = read(&dir.path().join("tack.toml"));
    assert!(toml.contains("\nmigrations = \"migrations\"\n"), "{toml}");
    assert!(toml.contains("# lock_timeout = \"1s\""), "{toml}");
    assert!(toml.contains("# max_attempts = 30"), "{toml}");
    assert!(!toml.contains("\ndatabase_url"), "{toml}");
    // An empty directory's sum: the header alone, over nothing.
    assert_eq!(
        read(&dir.path().join("migrations/tack.sum")),
        "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    );
    // The file it wrote loads, and the sum matches.
    let out = tack(&["sum", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));

    std::fs::write(dir.path().join("tack.toml"), "# mine\n").unwrap();
    let out = tack(&["init"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("tack.toml already exists"),
        "{}",
        show(&out)
    );
    assert!(text(&out.stderr).contains("--force"), "{}", show(&out));
    assert_eq!(read(&dir.path().join("tack.toml")), "# mine\n");
    let out = tack(&["init", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(read(&dir.path().join("tack.toml")).contains("[apply]"));

    // Into a new directory.
    let out = tack(&["init", "sub/project"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(dir.path().join("sub/project/migrations/tack.sum").is_file());
    assert!(
        text(&out.stdout).contains("cd sub/project"),
        "{}",
        show(&out)
    );
}

#[test]
fn sum_is_written_verified_and_names_the_first_difference() {
    let project = Project::new(&[
        ("V1__a.sql", "CREATE TABLE a (id int);\n"),
        ("V2__b.sql", "CREATE TABLE b (id int);\n"),
    ]);
    let sum_path = project.path().join("migrations/tack.sum");
    // Missing: --check fails, plan warns but goes on.
    let out = project.tack(NOWHERE, &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let out = project.tack(NOWHERE, &["plan", "--offline"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("warning: no migrations/tack.sum"),
        "{}",
        show(&out)
    );

    let out = project.tack(NOWHERE, &["sum"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(text(&out.stdout).contains("wrote migrations/tack.sum (2 migration(s))"));
    let sum = read(&sum_path);
    let lines: Vec<&str> = sum.lines().collect();
    assert_eq!(lines.len(), 3, "{sum}");
    assert!(lines[0].starts_with("h1:") && lines[0].len() == 47, "{sum}");
    assert!(lines[1].starts_with("V1__a.sql h1:"), "{sum}");
    assert!(lines[2].starts_with("V2__b.sql h1:"), "{sum}");
    let out = project.tack(NOWHERE, &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = project.tack(NOWHERE, &["plan", "--offline"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(!text(&out.stderr).contains("warning"), "{}", show(&out));

    // Edited.
    project.write("V1__a.sql", "CREATE TABLE a (id bigint);\n");
    let out = project.tack(NOWHERE, &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("V1__a.sql does not match migrations/tack.sum"),
        "{err}"
    );
    assert!(err.contains("revert the edit"), "{err}");
    assert!(err.contains("run `tack sum`"), "{err}");
    let out = project.tack(NOWHERE, &["plan", "--offline"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(text(&out.stdout).is_empty(), "{}", show(&out));
    let out = project.tack(NOWHERE, &["sum"]);
    assert!(
        text(&out.stdout).contains("first change: V1__a.sql edited"),
        "{}",
        show(&out)
    );

    // Inserted before an existing one, and removed.
    project.write("V1_5__n.sql", "CREATE TABLE n (id int);\n");
    let out = project.tack(NOWHERE, &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("V1_5__n.sql is not in migrations/tack.sum"),
        "{err}"
    );
    assert!(err.contains("sorts before V2__b.sql"), "{err}");
    std::fs::remove_file(project.path().join("migrations/V1_5__n.sql")).unwrap();
    std::fs::remove_file(project.path().join("migrations/V2__b.sql")).unwrap();
    let out = project.tack(NOWHERE, &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("V2__b.sql is listed in migrations/tack.sum but missing"),
        "{}",
        show(&out)
    );
}

/// Two branches each add a migration to the same base.
fn branches() -> (Project, String, String) {
    let base = [
        ("20240101000000_users.sql", "CREATE TABLE users (id int);\n"),
        ("20240102000000_posts.sql", "CREATE TABLE posts (id int);\n"),
    ];
    let a = ("20240103000000_likes.sql", "CREATE TABLE likes (id int);\n");
    let b = ("20240104000000_tags.sql", "CREATE TABLE tags (id int);\n");
    let sum_of = |files: &[(&str, &str)]| {
        let p = Project::new(files);
        let out = p.tack(NOWHERE, &["sum"]);
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));
        read(&p.path().join("migrations/tack.sum"))
    };
    let sum_a = sum_of(&[base[0], base[1], a]);
    let sum_b = sum_of(&[base[0], base[1], b]);
    // The header line differs between the branches: git cannot merge tack.sum silently.
    assert_ne!(sum_a.lines().next(), sum_b.lines().next());
    let merged = Project::new(&[base[0], base[1], a, b]);
    (merged, sum_a, sum_b)
}

#[test]
fn a_careless_merge_of_two_branches_is_caught() {
    let (merged, sum_a, sum_b) = branches();
    let sum_path = merged.path().join("migrations/tack.sum");

    // "Ours": branch A's tack.sum with the files of A and B.
    std::fs::write(&sum_path, &sum_a).unwrap();
    let out = merged.tack(NOWHERE, &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("20240104000000_tags.sql is not in migrations/tack.sum"),
        "{err}"
    );
    assert!(err.contains("rename yours so it sorts last"), "{err}");
    // apply refuses before connecting: nothing can run.
    let out = merged.tack(NOWHERE, &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("nothing was run"),
        "{}",
        show(&out)
    );

    // "Both": A's file plus B's last line (computed without A's migration).
    let b_line = sum_b.lines().last().unwrap();
    std::fs::write(&sum_path, format!("{sum_a}{b_line}\n")).unwrap();
    let out = merged.tack(NOWHERE, &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("20240104000000_tags.sql does not match"),
        "{}",
        show(&out)
    );

    // Left with git's conflict markers.
    let a_lines: Vec<&str> = sum_a.lines().collect();
    let b_lines: Vec<&str> = sum_b.lines().collect();
    std::fs::write(
        &sum_path,
        format!(
            "<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> add-tags\n{}\n{}\n<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> add-tags\n",
            a_lines[0], b_lines[0], a_lines[1], a_lines[2], a_lines[3], b_lines[3]
        ),
    )
    .unwrap();
    let out = merged.tack(NOWHERE, &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("migrations/tack.sum:1: git conflict marker"),
        "{err}"
    );
    assert!(err.contains("run `tack sum`"), "{err}");
    let out = merged.tack(NOWHERE, &["plan", "--offline"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));

    // The resolution: `tack sum` rewrites it from the files.
    let out = merged.tack(NOWHERE, &["sum"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = merged.tack(NOWHERE, &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

#[test]
fn an_edited_applied_migration_is_refused_with_how_to_resolve_it() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    let project = Project::new(&[
        ("V1__a.sql", "CREATE TABLE a (id int);\n"),
        ("V2__b.sql", "CREATE TABLE b (id int);\n"),
    ]);
    assert_eq!(project.tack(NOWHERE, &["sum"]).status.code(), Some(0));
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));

    project.write("V1__a.sql", "CREATE TABLE a (id bigint);\n");
    project.write("V3__c.sql", "CREATE TABLE c (id int);\n");
    // tack.sum catches it first.
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("nothing was run: V1__a.sql does not match"),
        "{err}"
    );
    assert!(
        err.contains("revert the edit, and put the change in a new migration"),
        "{err}"
    );
    // Accepting the edit into tack.sum does not get it past the recorded checksum.
    assert_eq!(project.tack(NOWHERE, &["sum"]).status.code(), Some(0));
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("V1__a.sql has changed since it was applied"),
        "{err}"
    );
    assert!(
        err.contains("revert the edit, and put the change in a new migration"),
        "{err}"
    );
    assert!(!scalar_bool(&mut c, "SELECT to_regclass('c') IS NOT NULL"));
    // status says so too, and exits 1.
    let (code, status) = status_json(&project, db.url());
    assert_eq!(code, Some(1));
    assert_eq!(migration(&status, "V1__a.sql")["changed"], true);
    assert_eq!(migration(&status, "V1__a.sql")["state"], "applied");
    let human = text(&project.tack(db.url(), &["status"]).stdout);
    assert!(human.contains("applied, changed since"), "{human}");
    assert!(human.contains("Revert the edit"), "{human}");

    // Reverted: V3 runs.
    project.write("V1__a.sql", "CREATE TABLE a (id int);\n");
    assert_eq!(project.tack(NOWHERE, &["sum"]).status.code(), Some(0));
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(scalar_bool(&mut c, "SELECT to_regclass('c') IS NOT NULL"));
}

#[test]
fn a_pending_migration_sorting_before_an_applied_one_is_refused() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    let project = Project::new(&[
        ("V1__a.sql", "CREATE TABLE a (id int);\n"),
        ("V3__c.sql", "CREATE TABLE c (id int);\n"),
    ]);
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    // Without tack.sum, apply warns and goes on.
    assert!(
        text(&out.stderr).contains("warning: no migrations/tack.sum"),
        "{}",
        show(&out)
    );

    // A branch's V2 merged after V3 was deployed.
    project.write("V2__b.sql", "CREATE TABLE b (id int);\n");
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("V2__b.sql is pending but sorts before V3__c.sql, which is already applied"),
        "{err}"
    );
    assert!(err.contains("--allow-out-of-order"), "{err}");
    assert!(!scalar_bool(&mut c, "SELECT to_regclass('b') IS NOT NULL"));
    let out = project.tack(db.url(), &["apply", "--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(text(&out.stdout).contains("out of order"), "{}", show(&out));

    let (code, status) = status_json(&project, db.url());
    assert_eq!(code, Some(1));
    assert_eq!(migration(&status, "V2__b.sql")["state"], "pending");
    assert_eq!(
        migration(&status, "V2__b.sql")["out_of_order_before"],
        "V3__c.sql"
    );
    assert_eq!(status["summary"]["out_of_order"], 1);

    let out = project.tack(db.url(), &["apply", "--allow-out-of-order"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(scalar_bool(&mut c, "SELECT to_regclass('b') IS NOT NULL"));
    let (code, _) = status_json(&project, db.url());
    assert_eq!(code, Some(0));
}

#[test]
fn status_shows_applied_pending_failed_and_history() {
    let db = tack_testkit::database();
    let project = Project::new(&[
        (
            "V1__t.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, v int);\n\
             INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 100) g;\n",
        ),
        ("V2__unique.sql", "CREATE UNIQUE INDEX t_v_key ON t (v);\n"),
        ("V3__u.sql", "CREATE TABLE u (id int);\n"),
    ]);
    assert_eq!(project.tack(NOWHERE, &["sum"]).status.code(), Some(0));

    // No state store yet: everything pending, nothing needs attention.
    let (code, status) = status_json(&project, db.url());
    assert_eq!(code, Some(0), "{status:#}");
    assert_eq!(status["initialized"], false);
    assert_eq!(status["summary"]["pending"], 3);
    assert_eq!(status["sums"][0]["status"], "matches");
    let out = project.tack(db.url(), &["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("no tack schema"),
        "{}",
        show(&out)
    );

    // V1 applies; V2 fails (duplicates), V3 stays pending.
    let out = project.tack(db.url(), &["apply", "--max-attempts", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));

    let (code, status) = status_json(&project, db.url());
    assert_eq!(code, Some(1), "a failed migration needs attention");
    let v1 = migration(&status, "V1__t.sql");
    assert_eq!(v1["state"], "applied");
    assert_eq!(v1["status"], "done");
    assert_eq!(v1["version"], "1");
    assert!(v1["duration_ms"].as_i64().unwrap() >= 0, "{v1}");
    let by = v1["applied_by"].as_str().unwrap();
    assert!(by.contains('@') && !by.ends_with('@'), "{by}");
    assert_eq!(v1["tack_version"], env!("CARGO_PKG_VERSION"));
    assert!(v1["applied_at"].as_str().is_some(), "{v1}");
    // The schema's fingerprint after V1, recorded before V2 started.
    let fingerprint = v1["fingerprint"].as_str().unwrap();
    assert!(
        fingerprint.len() == 64 && fingerprint.chars().all(|c| c.is_ascii_hexdigit()),
        "{v1}"
    );
    assert_eq!(v1["file_missing"], false);
    let v2 = migration(&status, "V2__unique.sql");
    assert_eq!(v2["state"], "failed");
    assert_eq!(v2["version"], "2");
    assert_eq!(v2["applied_at"], Value::Null);
    assert_eq!(v2["steps_done"], 0);
    assert_eq!(v2["steps_total"], 1);
    assert!(v2["current_step"].as_str().is_some(), "{v2}");
    assert_eq!(v2["steps"][0]["status"], "failed");
    assert_eq!(v2["steps"][0]["attempts"], 1);
    assert!(
        v2["steps"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("23505"),
        "{v2}"
    );
    assert_eq!(migration(&status, "V3__u.sql")["state"], "pending");
    let names: Vec<&str> = status["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["V1__t.sql", "V2__unique.sql", "V3__u.sql"]);

    let out = project.tack(db.url(), &["status"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let human = text(&out.stdout);
    for expected in [
        "migrations/tack.sum: matches (3 migrations)",
        "applied by",
        env!("CARGO_PKG_VERSION"),
        "failed",
        "last error:",
        "at step 1/1",
        "pending",
        "note: V2__unique.sql: failed",
    ] {
        assert!(human.contains(expected), "{expected:?} missing:\n{human}");
    }

    // A recorded migration whose file is gone.
    std::fs::remove_file(project.path().join("migrations/V1__t.sql")).unwrap();
    let (code, status) = status_json(&project, db.url());
    assert_eq!(code, Some(1), "a missing applied file needs attention");
    let v1 = migration(&status, "V1__t.sql");
    assert_eq!(v1["file_missing"], true);
    assert_eq!(v1["state"], "applied");
    assert_eq!(status["sums"][0]["status"], "mismatch");
    let human = text(&project.tack(db.url(), &["status"]).stdout);
    assert!(human.contains("applied, file missing"), "{human}");
}

#[test]
fn status_shows_a_migration_in_progress_with_its_current_step() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    c.batch_execute(
        "CREATE TABLE t (id bigint PRIMARY KEY, v int);
         INSERT INTO t SELECT g, g FROM generate_series(1, 200) g;",
    )
    .unwrap();
    let project = Project::new(&[(
        "0001_token.sql",
        "ALTER TABLE t ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n",
    )]);
    let dry = project.tack(db.url(), &["apply", "--dry-run"]);
    let steps: Vec<String> = text(&dry.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("-- step "))
        .filter_map(|l| l.split(' ').next())
        .map(str::to_owned)
        .collect();
    assert!(steps.len() >= 3, "{}", show(&dry));
    let out = project
        .command(db.url(), &["apply"])
        .env("TACK_TEST_CRASH_AFTER_STEP", &steps[0])
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(6), "{}", show(&out));

    let (code, status) = status_json(&project, db.url());
    assert_eq!(code, Some(0), "an interrupted run is resumable: {status:#}");
    let m = migration(&status, "0001_token.sql");
    assert_eq!(m["state"], "in_progress");
    assert_eq!(m["steps_done"], 1);
    assert_eq!(m["steps_total"], steps.len());
    assert_eq!(m["current_step"], steps[1].as_str());
    let human = text(&project.tack(db.url(), &["status"]).stdout);
    assert!(human.contains("in progress (interrupted)"), "{human}");
    assert!(
        human.contains(&format!("at step 2/{}: {}", steps.len(), steps[1])),
        "{human}"
    );

    // Resumed to the end: applied, with the version of a NNNN_ name.
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let (_, status) = status_json(&project, db.url());
    let m = migration(&status, "0001_token.sql");
    assert_eq!(m["state"], "applied");
    assert_eq!(m["version"], "0001");
    assert_eq!(m["steps_done"], steps.len());
}

#[test]
fn tack_toml_gives_apply_defaults_the_migrations_path_and_the_url_variable() {
    let db = tack_testkit::database();
    let project = Project::new(&[]);
    std::fs::create_dir_all(project.path().join("db/migrations")).unwrap();
    std::fs::write(
        project.path().join("db/migrations/V1__idx.sql"),
        "CREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);\n",
    )
    .unwrap();
    std::fs::write(
        project.path().join("tack.toml"),
        "migrations = \"db/migrations\"\ndatabase_url_env = \"APP_DB\"\n\n[apply]\n\
         lock_timeout = \"2500ms\"\nstatement_timeout = \"1min\"\n",
    )
    .unwrap();

    let out = project.tack(NOWHERE, &["apply", "--dry-run", "--offline"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan = text(&out.stdout);
    assert!(plan.contains("lock_timeout = '2500ms'"), "{plan}");
    assert!(plan.contains("statement_timeout = '60000ms'"), "{plan}");
    let out = project.tack(
        NOWHERE,
        &["apply", "--dry-run", "--offline", "--lock-timeout", "3s"],
    );
    assert!(
        text(&out.stdout).contains("lock_timeout = '3000ms'"),
        "{}",
        show(&out)
    );

    // DATABASE_URL points nowhere; APP_DB, named in tack.toml, is the target.
    let out = project
        .command(NOWHERE, &["apply"])
        .env("APP_DB", db.url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = project
        .command(NOWHERE, &["status", "--format", "json"])
        .env("APP_DB", db.url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(migration(&status, "V1__idx.sql")["state"], "applied");
    // Without APP_DB, DATABASE_URL is not used in its place.
    let out = project.tack(db.url(), &["status"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(text(&out.stderr).contains("$APP_DB"), "{}", show(&out));

    // A bad value names its place.
    std::fs::write(
        project.path().join("tack.toml"),
        "[apply]\nlock_timeout = \"soon\"\n",
    )
    .unwrap();
    let out = project.tack(NOWHERE, &["apply", "--dry-run", "--offline"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("tack.toml:2:16 ([apply] lock_timeout)"),
        "{}",
        show(&out)
    );
}

#[test]
fn a_state_store_from_before_the_history_columns_is_read_and_upgraded() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    let project = Project::new(&[("V1__a.sql", "CREATE TABLE a (id int);\n")]);
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    // As an older tack left it.
    c.batch_execute(
        "ALTER TABLE tack.migrations DROP COLUMN version, DROP COLUMN duration_ms, \
         DROP COLUMN applied_by, DROP COLUMN tack_version, DROP COLUMN fingerprint",
    )
    .unwrap();

    // status only reads: the history is empty, nothing fails.
    let (code, status) = status_json(&project, db.url());
    assert_eq!(code, Some(0), "{status:#}");
    let v1 = migration(&status, "V1__a.sql");
    assert_eq!(v1["state"], "applied");
    assert_eq!(v1["applied_by"], Value::Null);

    // apply upgrades the store and records the new migration's history.
    project.write("V2__b.sql", "CREATE TABLE b (id int);\n");
    let out = project.tack(db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let (_, status) = status_json(&project, db.url());
    assert_eq!(migration(&status, "V2__b.sql")["version"], "2");
    assert_eq!(
        migration(&status, "V2__b.sql")["tack_version"],
        env!("CARGO_PKG_VERSION")
    );
}
