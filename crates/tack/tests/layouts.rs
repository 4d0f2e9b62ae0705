//! Real projects' layouts, on a real server: each corpus in `corpus/` (goose, dbmate,
//! golang-migrate, diesel, sqlx, sqlx reversible, Flyway — see corpus/README.md) is
//!
//! - applied by its own tool's rules (`corpus/check.sh -u`: its Up parts run with psql in its
//!   order and transaction mode, its history table written as the tool writes it), and
//! - applied by `tack apply` to a fresh database;
//!
//! the two schemas (`pg_dump --schema-only`, without tack's schema and the tool's history table)
//! are the same, `tack drift` is clean on both (on the tool's database tack replays what its
//! history table records), `tack status` lists every migration as applied by the tool, and a
//! connected `tack lint` judges nothing there (everything is applied).

mod apply_common;
mod corpus_common;

use apply_common::show;
use corpus_common::*;

/// The corpus applied by its tool and by tack: same schema, no drift, status and lint agree.
fn tool_and_tack_agree(name: &str) {
    let c = corpus(name);
    let dir = corpus_root().join(c["root"].as_str().unwrap());
    let dir_arg = dir.display().to_string();
    let history = c["history_table"]["name"].as_str().unwrap().to_owned();
    let count = c["migrations"].as_array().unwrap().len();
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();

    let by_tool = tack_testkit::database();
    check_sh(&by_tool, &["-u"], name);
    let by_tack = tack_testkit::database();
    let out = tack(&dir, by_tack.url(), cache, &["apply", &dir_arg]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "tack apply {name}: {}",
        show(&out)
    );

    let excluded = [history.as_str(), &format!("{history}_id_seq")];
    let tool_schema = pg_dump(&by_tool, &excluded);
    let tack_schema = pg_dump(&by_tack, &excluded);
    assert!(
        tool_schema.contains("CREATE TABLE"),
        "the reference has tables"
    );
    if tool_schema != tack_schema {
        let a: Vec<&str> = tool_schema.lines().collect();
        let b: Vec<&str> = tack_schema.lines().collect();
        let only_tool: Vec<&&str> = a.iter().filter(|l| !b.contains(l)).collect();
        let only_tack: Vec<&&str> = b.iter().filter(|l| !a.contains(l)).collect();
        panic!(
            "{name}: the schema tack applied differs from {name}'s\nonly in {name}'s: \
             {only_tool:#?}\nonly in tack's: {only_tack:#?}"
        );
    }

    for (db, who) in [(&by_tack, "tack"), (&by_tool, name)] {
        let out = tack(&dir, db.url(), cache, &["drift", &dir_arg]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "tack drift on the database {who} applied {name} to: {}",
            show(&out)
        );
    }

    // What the tool applied, tack lists as applied by it, and judges none of it again.
    let out = tack(
        &dir,
        by_tool.url(),
        cache,
        &["status", "--format", "json", &dir_arg],
    );
    let status = json(&out);
    let migrations = status["migrations"].as_array().unwrap();
    assert_eq!(migrations.len(), count, "{}", show(&out));
    for m in migrations {
        assert_eq!(m["state"], "applied", "{name}: {m}");
        assert!(
            m["applied_by_tool"]
                .as_str()
                .is_some_and(|b| b.contains(&history)),
            "{name}: {m}"
        );
    }
    let out = tack(
        &dir,
        by_tool.url(),
        cache,
        &["lint", "--format", "json", &dir_arg],
    );
    let lint = json(&out);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(
        lint["findings"].as_array().unwrap().len(),
        0,
        "{}",
        show(&out)
    );
    assert_eq!(lint["applied"].as_array().unwrap().len(), count);
    assert_eq!(lint["summary"]["statements"], 0);

    // And `tack apply` there runs nothing.
    let out = tack(
        &dir,
        by_tool.url(),
        cache,
        &["apply", "--log-format", "json", &dir_arg],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let events = apply_common::events(&out.stdout);
    let skipped = events
        .iter()
        .filter(|e| e["event"] == "migration_skipped")
        .count();
    assert_eq!(skipped, count, "{}", show(&out));
    assert!(
        !events.iter().any(|e| e["event"] == "step_started"),
        "{}",
        show(&out)
    );
}

#[test]
fn goose_tool_and_tack_agree() {
    tool_and_tack_agree("goose");
}

#[test]
fn dbmate_tool_and_tack_agree() {
    tool_and_tack_agree("dbmate");
}

#[test]
fn golang_migrate_tool_and_tack_agree() {
    tool_and_tack_agree("golang-migrate");
}

#[test]
fn diesel_tool_and_tack_agree() {
    tool_and_tack_agree("diesel");
}

#[test]
fn sqlx_tool_and_tack_agree() {
    tool_and_tack_agree("sqlx");
}

#[test]
fn sqlx_reversible_tool_and_tack_agree() {
    tool_and_tack_agree("sqlx-reversible");
}

#[test]
fn flyway_tool_and_tack_agree() {
    tool_and_tack_agree("flyway");
}
