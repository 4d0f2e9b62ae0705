//! Adopting what users already have, on a real server:
//!
//! - a golang-migrate database half-way through its history (`schema_migrations` says version
//!   17 ran), with rows: connected, `tack lint` judges only the five pending files — and reports
//!   every danger they were written with — never the applied ones; plan and `apply --dry-run`
//!   skip the applied ones; `tack apply` runs the pending ones under a live workload with no
//!   failed statement, adopts the schema as its baseline, and `tack drift` is then clean;
//! - a goose project offline: `--pending-from` and `--since GIT-REF` say which files are pending;
//!   without them each file is judged alone; `NO TRANSACTION` files are judged outside a
//!   transaction;
//! - a database made by hand before tack: `tack drift` never exits 2 for it, the first apply
//!   adopts it, a hand-made index is drift, a missing fingerprint never blocks, and `tack
//!   baseline` re-adopts;
//! - `pg_dump --schema-only` output of PostgreSQL 15 and 18 as `--schema`;
//! - a tool's history recording a half-applied migration stops `tack apply`;
//! - a directory whose layout cannot be told is an error naming the candidates.

mod apply_common;
mod corpus_common;

use apply_common::{show, text};
use corpus_common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROWS: &str = "
INSERT INTO suppliers (name) SELECT 'supplier ' || g FROM generate_series(1, 50) g;
INSERT INTO warehouses (code, name, region)
    SELECT 'W' || g, 'warehouse ' || g, 'eu-west' FROM generate_series(3, 7) g;
INSERT INTO products (sku, name, supplier_id, unit_price)
    SELECT 'SKU-' || g, 'product ' || g, CASE WHEN g % 10 = 0 THEN NULL ELSE 1 + g % 50 END, g % 100
    FROM generate_series(1, 20000) g;
INSERT INTO stock_levels (warehouse_id, product_id, quantity, reserved)
    SELECT w.id, p.id, 100, 5 FROM warehouses w, products p;
INSERT INTO stock_movements (warehouse_id, product_id, kind, quantity, reference)
    SELECT (SELECT min(id) FROM warehouses), 1 + g % 20000, 'receipt', 10, 'ref-' || g
    FROM generate_series(1, 50000) g;
INSERT INTO purchase_orders (supplier_id, warehouse_id)
    SELECT 1 + g % 50, (SELECT min(id) FROM warehouses) FROM generate_series(1, 1000) g;
INSERT INTO purchase_order_lines
    SELECT po.id, l, 1 + (po.id * 7 + l) % 20000, 3, 9.5
    FROM purchase_orders po, generate_series(1, 20) l;
ANALYZE;
";

/// The application's traffic on the inventory tables: reads, price updates, new products (with
/// a supplier, as the application that ships with the migrations writes them) and stock
/// movements. Returns the statements run and every error.
struct Traffic {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<(u64, Vec<String>)>>,
}

impl Traffic {
    fn start(url: &str, clients: u32) -> Traffic {
        let stop = Arc::new(AtomicBool::new(false));
        let ready = Arc::new(Mutex::new(0));
        let threads = (0..clients)
            .map(|n| {
                let (stop, ready, url) = (stop.clone(), ready.clone(), url.to_owned());
                std::thread::spawn(move || {
                    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                    *ready.lock().unwrap() += 1;
                    let (mut count, mut errors) = (0u64, Vec::new());
                    let mut i = 0i64;
                    while !stop.load(Ordering::Relaxed) {
                        i += 1;
                        let id = (i * 7919 + i64::from(n) * 104_729) % 20_000 + 1;
                        let r = match i % 4 {
                            0 => c
                                .query("SELECT name, unit_price FROM products WHERE id = $1", &[&(id as i32)])
                                .map(|_| ()),
                            1 => c
                                .execute("UPDATE products SET unit_price = unit_price + 1 WHERE id = $1", &[&(id as i32)])
                                .map(|_| ()),
                            2 => c
                                .execute(
                                    "INSERT INTO products (sku, name, supplier_id, unit_price) \
                                     VALUES ($1, 'new product', 1, 5)",
                                    &[&format!("NEW-{n}-{i}")],
                                )
                                .map(|_| ()),
                            _ => c
                                .execute(
                                    "INSERT INTO stock_movements (warehouse_id, product_id, kind, quantity, reference) \
                                     VALUES ((SELECT min(id) FROM warehouses), $1, 'receipt', 1, 'app')",
                                    &[&(id as i32)],
                                )
                                .map(|_| ()),
                        };
                        count += 1;
                        if let Err(e) = r {
                            errors.push(match e.as_db_error() {
                                Some(d) => format!("{}: {}", d.code().code(), d.message()),
                                None => e.to_string(),
                            });
                        }
                        std::thread::sleep(Duration::from_millis(3));
                    }
                    (count, errors)
                })
            })
            .collect();
        while *ready.lock().unwrap() < clients {
            std::thread::sleep(Duration::from_millis(10));
        }
        Traffic { stop, threads }
    }

    fn stop(self) -> (u64, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = (0, Vec::new());
        for t in self.threads {
            let (n, e) = t.join().unwrap();
            all.0 += n;
            all.1.extend(e);
        }
        all
    }
}

fn file_of(finding: &Value) -> String {
    Path::new(finding["file"].as_str().unwrap())
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn golang_migrate_history_adopted_mid_way_under_load() {
    let c = corpus("golang-migrate");
    let dir = corpus_root().join("golang-migrate/migrations");
    let dir_arg = dir.display().to_string();
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    let db = tack_testkit::database();
    check_sh(&db, &["-a"], "golang-migrate");
    db.connect().batch_execute(ROWS).unwrap();

    // Connected: only the pending files are judged, with every danger they hold.
    let out = tack(
        &dir,
        db.url(),
        cache,
        &["lint", "--format", "json", &dir_arg],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let lint = json(&out);
    let findings = lint["findings"].as_array().unwrap();
    let migrations = c["migrations"].as_array().unwrap();
    let pending: Vec<&Value> = migrations
        .iter()
        .filter(|m| m["pending_in_adoption"] == true)
        .collect();
    assert_eq!(pending.len(), 5);
    for f in findings {
        let file = file_of(f);
        assert!(
            pending.iter().any(|m| m["up"] == file.as_str()),
            "a finding in an applied file: {f}"
        );
    }
    for m in &pending {
        let rules: Vec<&str> = findings
            .iter()
            .filter(|f| file_of(f) == m["up"].as_str().unwrap())
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        for hazard in m["designed_hazards"].as_array().unwrap() {
            assert!(
                rules.contains(&hazard.as_str().unwrap()),
                "{}: {hazard} not reported (found {rules:?})",
                m["up"]
            );
        }
    }
    let applied = lint["applied"].as_array().unwrap();
    assert_eq!(applied.len(), 17, "{}", show(&out));
    assert!(applied
        .iter()
        .all(|a| a["by"] == "golang-migrate (schema_migrations)"));
    assert!(lint["pending"]
        .as_str()
        .unwrap()
        .contains("already applied"));

    // Offline with nothing said, every file is judged alone: the applied files' dangers are
    // reported too (which is what the connected run rightly leaves out).
    let out = tack(
        &dir,
        "",
        cache,
        &["lint", "--offline", "--format", "json", &dir_arg],
    );
    let offline = json(&out);
    assert!(
        offline["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| !pending.iter().any(|m| m["up"] == file_of(f).as_str())),
        "offline, files judged alone report the applied files' statements too: {}",
        show(&out)
    );
    assert!(offline["pending"]
        .as_str()
        .unwrap()
        .contains("each file is judged alone"));

    // The dry run skips what golang-migrate applied and plans the rest.
    let out = tack(&dir, db.url(), cache, &["apply", "--dry-run", &dir_arg]);
    let script = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        script.contains("already applied (by golang-migrate (schema_migrations)): skipped"),
        "{script}"
    );
    assert!(script.contains("CREATE INDEX CONCURRENTLY"), "{script}");

    // Applied under the application's traffic.
    let traffic = Traffic::start(db.url(), 3);
    std::thread::sleep(Duration::from_millis(300));
    let out = tack(&dir, db.url(), cache, &["apply", &dir_arg]);
    let (statements, errors) = traffic.stop();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("adopted the schema"),
        "{}",
        show(&out)
    );
    assert!(
        statements > 100,
        "the traffic ran ({statements} statements)"
    );
    assert!(errors.is_empty(), "the traffic failed: {errors:?}");

    let mut client = db.connect();
    let nulls: i64 = client
        .query_one(
            "SELECT count(*) FROM products WHERE public_id IS NULL OR supplier_id IS NULL",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(nulls, 0);
    let reserved: i64 = client
        .query_one("SELECT count(*) FROM stock_levels WHERE reserved <> 0", &[])
        .unwrap()
        .get(0);
    assert_eq!(reserved, 0);

    let out = tack(&dir, db.url(), cache, &["drift", &dir_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = tack(
        &dir,
        db.url(),
        cache,
        &["status", "--format", "json", &dir_arg],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let status = json(&out);
    let rows = status["migrations"].as_array().unwrap();
    let by_tool = rows
        .iter()
        .filter(|r| r["applied_by_tool"].is_string())
        .count();
    let by_tack = rows
        .iter()
        .filter(|r| r["applied_by_tool"].is_null() && r["state"] == "applied")
        .count();
    assert_eq!((by_tool, by_tack), (17, 5), "{}", show(&out));
}

#[test]
fn golang_migrate_dirty_history_stops_apply() {
    let dir = corpus_root().join("golang-migrate/migrations");
    let dir_arg = dir.display().to_string();
    let cache = tempfile::tempdir().unwrap();
    let db = tack_testkit::database();
    check_sh(&db, &["-a"], "golang-migrate");
    db.connect()
        .batch_execute("UPDATE schema_migrations SET version = 18, dirty = true")
        .unwrap();
    let out = tack(&dir, db.url(), cache.path(), &["apply", &dir_arg]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("records migration 18 as failed half-way"),
        "{err}"
    );
    assert!(err.contains("migrate force"), "{err}");
    let out = tack(&dir, db.url(), cache.path(), &["status", &dir_arg]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("FAILED half-way"),
        "{}",
        show(&out)
    );
    // Nothing ran: versions up to 17 count as applied, 18 on are untouched.
    assert!(!db
        .connect()
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns \
             WHERE table_name = 'products' AND column_name = 'public_id')",
            &[],
        )
        .unwrap()
        .get::<_, bool>(0));
}

/// A copy of the goose corpus in a git repository: the first 18 migrations in one commit, the
/// rest in the next.
fn goose_repo() -> (tempfile::TempDir, String) {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path().join("db/migrations");
    std::fs::create_dir_all(&dir).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(repo.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", show(&out));
        text(&out.stdout).trim().to_owned()
    };
    git(&["init", "-q"]);
    let mut files: Vec<_> = std::fs::read_dir(corpus_root().join("goose"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for (i, f) in files.iter().enumerate() {
        std::fs::copy(f, dir.join(f.file_name().unwrap())).unwrap();
        if i == 17 {
            git(&["add", "."]);
            git(&["commit", "-q", "-m", "first 18"]);
        }
    }
    let base = git(&["rev-parse", "HEAD"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "the rest"]);
    (repo, base)
}

#[test]
fn goose_offline_pending_from_and_since() {
    let (repo, base) = goose_repo();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["lint", "--offline", "--format", "json", "db/migrations"];
        all.extend_from_slice(args);
        let out = tack(repo.path(), "", cache.path(), &all);
        (json(&out), out)
    };
    let pending_files = |lint: &Value| -> Vec<String> {
        let mut f: Vec<String> = lint["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(file_of)
            .collect();
        f.dedup();
        f
    };
    let (since, out) = run(&["--since", &base]);
    assert_eq!(
        since["applied"].as_array().unwrap().len(),
        18,
        "{}",
        show(&out)
    );
    assert!(since["pending"].as_str().unwrap().contains("--since"));
    let files = pending_files(&since);
    assert!(!files.is_empty());
    assert!(
        files.iter().all(|f| f.as_str() >= "00019"),
        "only pending files are judged: {files:?}"
    );
    // The dangers of the pending files are found although their tables were made by applied
    // migrations (offline, applied files are learned, and their tables are live).
    let rules: Vec<&str> = since["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for r in [
        "add-column-volatile-default",
        "create-index-non-concurrently",
        "set-not-null",
    ] {
        assert!(rules.contains(&r), "{r} missing: {rules:?}");
    }

    let (from, out) = run(&["--pending-from", "00019_messages_client_msg_id.sql"]);
    assert_eq!(
        from["applied"].as_array().unwrap().len(),
        18,
        "{}",
        show(&out)
    );
    assert_eq!(pending_files(&from), files);

    // Alone, the NO TRANSACTION file's concurrent builds are fine; wrapped (as goose would wrap
    // the file without the annotation, or --assume-in-transaction says), they are not.
    let (alone, _) = run(&[]);
    let in_00010 = |lint: &Value| {
        lint["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| file_of(f).starts_with("00010_"))
            .filter(|f| {
                f["message"]
                    .as_str()
                    .unwrap()
                    .contains("cannot run inside a transaction block")
            })
            .count()
    };
    assert_eq!(in_00010(&alone), 0, "{alone}");
    let (wrapped, _) = run(&["--assume-in-transaction"]);
    assert_eq!(in_00010(&wrapped), 2);
    assert!(alone["pending"]
        .as_str()
        .unwrap()
        .contains("each file is judged alone"));

    // Plan: the applied ones are not planned.
    let out = tack(
        repo.path(),
        "",
        cache.path(),
        &["plan", "--offline", "--since", &base, "db/migrations"],
    );
    let plan = text(&out.stdout);
    assert!(
        plan.contains("applied already, not planned"),
        "{}",
        show(&out)
    );
    assert!(!plan.contains("\n00001_create_users.sql\n"), "{plan}");
    assert!(
        plan.contains("\n00020_index_messages_edited_at.sql\n"),
        "{plan}"
    );
}

#[test]
fn a_database_made_before_tack_is_adopted() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    c.batch_execute(
        "CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE,
                                 created_at timestamptz DEFAULT now());
         INSERT INTO customers (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 5000) g;
         CREATE VIEW recent_customers AS SELECT * FROM customers WHERE created_at > now() - interval '1 day';",
    )
    .unwrap();
    let project = apply_common::Project::new(&[(
        "V1__phone.sql",
        "ALTER TABLE customers ADD COLUMN phone text;\n",
    )]);
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| tack(project.path(), db.url(), cache.path(), args);

    // Before tack ever ran: the tables are drift from an empty history, never an error.
    let out = run(&["drift"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("tack baseline"),
        "{}",
        show(&out)
    );

    // The first apply adopts the schema, and the replay then starts from it.
    let out = run(&["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("adopted the schema"),
        "{}",
        show(&out)
    );
    let out = run(&["drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("the baseline taken"),
        "{}",
        show(&out)
    );

    // A hand-made index is drift, and stops the next apply.
    c.batch_execute("CREATE INDEX customers_created_at_idx ON customers (created_at)")
        .unwrap();
    project.write(
        "V2__name.sql",
        "ALTER TABLE customers ADD COLUMN name text;\n",
    );
    let out = run(&["drift"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(text(&out.stdout).contains("customers_created_at_idx"));
    let out = run(&["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(text(&out.stderr).contains("drifted"), "{}", show(&out));

    // A run killed before it recorded its fingerprint: the next one checks in full and goes on.
    c.batch_execute(
        "DROP INDEX customers_created_at_idx; UPDATE tack.migrations SET fingerprint = NULL",
    )
    .unwrap();
    let out = run(&["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = run(&["drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));

    // Re-adopting on purpose: the hand-made index becomes part of the baseline.
    c.batch_execute("CREATE INDEX customers_created_at_idx ON customers (created_at)")
        .unwrap();
    let out = run(&["baseline"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(text(&out.stderr).contains("--replace"), "{}", show(&out));
    let out = run(&["baseline", "--replace"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("2 migration(s) count as applied"),
        "{}",
        show(&out)
    );
    let out = run(&["drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

/// `pg_dump --schema-only` of `db` with the pg_dump in `bin`.
fn dump_with(bin: &Path, db: &tack_testkit::TestDatabase) -> String {
    let server = db.server();
    let out = Command::new(bin.join("pg_dump"))
        .args(["--schema-only", "-h", server.host()])
        .args([
            "-p",
            &server.port().to_string(),
            "-U",
            server.user(),
            db.name(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    text(&out.stdout)
}

#[test]
fn pg_dump_schema_only_output_is_a_schema() {
    const SCHEMA: &str = "
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TABLE people (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                             name text NOT NULL, mood mood DEFAULT 'ok', born date);
        CREATE INDEX people_name_idx ON people (lower(name));
        CREATE FUNCTION age(p people) RETURNS int LANGUAGE sql STABLE
            AS $$ SELECT extract(year FROM age(p.born))::int $$;
        CREATE VIEW happy_people AS SELECT id, name FROM people WHERE mood = 'happy';
        COMMENT ON TABLE people IS 'everyone';";
    let bins = tack_testkit::installed_server_bin_dirs();
    for major in [15, 18] {
        let Some(server) = tack_testkit::server_for_major(major) else {
            tack_testkit::skip(
                "pg_dump_schema_only_output_is_a_schema",
                &format!("no PostgreSQL {major} server"),
            );
            continue;
        };
        let db = server.create_database();
        db.connect().batch_execute(SCHEMA).unwrap();
        // Each major's dump of this database (a newer pg_dump on an older server too).
        for (dump_major, bin) in bins.iter().filter(|(m, _)| *m >= major) {
            if !bin.join("pg_dump").exists() {
                continue;
            }
            let dump = dump_with(bin, &db);
            if *dump_major >= 18 {
                assert!(
                    dump.contains("\\restrict"),
                    "PostgreSQL 18's pg_dump writes \\restrict"
                );
            }
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("schema.sql"), &dump).unwrap();
            let out = tack(
                dir.path(),
                db.url(),
                dir.path(),
                &["drift", "--schema", "schema.sql"],
            );
            assert_eq!(
                out.status.code(),
                Some(0),
                "pg_dump {dump_major} of a PostgreSQL {major} database: {}",
                show(&out)
            );
        }
    }
}

#[test]
fn an_ambiguous_directory_names_the_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("migrations");
    std::fs::create_dir(&m).unwrap();
    std::fs::write(m.join("0001_init.up.sql"), "CREATE TABLE t (id int);\n").unwrap();
    std::fs::write(m.join("0001_init.down.sql"), "DROP TABLE t;\n").unwrap();
    let out = tack(
        dir.path(),
        "",
        dir.path(),
        &["lint", "--offline", "migrations"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("golang-migrate") && err.contains("sqlx"),
        "{err}"
    );
    assert!(err.contains("--layout"), "{err}");
    // Told, it reads them (only the up file).
    let out = tack(
        dir.path(),
        "",
        dir.path(),
        &[
            "lint",
            "--offline",
            "--layout",
            "golang-migrate",
            "migrations",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("in 1 file (1 statement)"),
        "{}",
        show(&out)
    );
}

/// A record an earlier tack made under diesel's bare file name (`up.sql`) is the migration's
/// record still: status shows it applied, the next apply renames it in place and runs nothing.
#[test]
fn records_under_an_earlier_identity_are_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("migrations");
    for (name, up) in [
        (
            "2024-01-02-100000_create_posts",
            "CREATE TABLE posts (id bigserial PRIMARY KEY, title text NOT NULL);\n",
        ),
        (
            "2024-02-03-110000_posts_body",
            "ALTER TABLE posts ADD COLUMN body text;\n",
        ),
    ] {
        std::fs::create_dir_all(m.join(name)).unwrap();
        std::fs::write(m.join(name).join("up.sql"), up).unwrap();
        std::fs::write(m.join(name).join("down.sql"), "SELECT 1;\n").unwrap();
    }
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[dependencies]\ndiesel = \"2\"\n",
    )
    .unwrap();
    let db = tack_testkit::database();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| tack(dir.path(), db.url(), cache.path(), args);
    let out = run(&["apply", "migrations"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));

    let first = "2024-01-02-100000_create_posts";
    db.connect()
        .batch_execute(&format!(
            "INSERT INTO tack.migrations (name, checksum, status, started_at, finished_at)
                 SELECT 'up.sql', checksum, status, started_at, finished_at
                 FROM tack.migrations WHERE name = '{first}';
             UPDATE tack.steps SET migration = 'up.sql',
                 step_id = 'up.sql' || substr(step_id, length('{first}') + 1)
                 WHERE migration = '{first}';
             DELETE FROM tack.migrations WHERE name = '{first}';"
        ))
        .unwrap();

    let out = run(&["status", "--format", "json", "migrations"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let status = json(&out);
    assert!(
        status["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "applied"),
        "{status}"
    );
    let out = run(&["drift", "migrations"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));

    let out = run(&["apply", "--log-format", "json", "migrations"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("is now 2024-01-02-100000_create_posts"),
        "{}",
        show(&out)
    );
    assert!(
        !text(&out.stdout).contains("\"step_started\""),
        "{}",
        show(&out)
    );
    let names: Vec<String> = db
        .connect()
        .query("SELECT name FROM tack.migrations ORDER BY name", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, [first, "2024-02-03-110000_posts_body"]);
    let steps: i64 = db
        .connect()
        .query_one(
            "SELECT count(*) FROM tack.steps WHERE migration = $1 AND step_id LIKE $1 || '#%'",
            &[&first],
        )
        .unwrap()
        .get(0);
    assert!(steps >= 1);
}
