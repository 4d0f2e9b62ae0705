//! Replication lag throttling against a real streaming replica (`pg_basebackup -R` of a
//! throwaway primary): with replay paused on the replica the backfill writes nothing and says
//! why; after `pg_wal_replay_resume()` it continues. Lag is measured from the primary's
//! `pg_stat_replication`, and then on the replica itself (`--replica-url`).

mod apply_common;

use apply_common::*;
use serde_json::Value;
use std::sync::mpsc;
use std::time::Duration;

fn run_throttled(
    project: &Project,
    url: &str,
    replica: &mut postgres::Client,
    check: &mut postgres::Client,
    extra: &[&str],
    step: &str,
    source_contains: &str,
) {
    replica
        .batch_execute("SELECT pg_wal_replay_pause()")
        .unwrap();
    let mut args = vec![
        "apply",
        "--log-format",
        "json",
        "--max-replication-lag",
        "1kB",
    ];
    args.extend_from_slice(extra);
    let mut child = project.spawn(url, &args);
    let (tx, rx) = mpsc::channel();
    let reader = follow(&mut child, move |e| {
        let _ = tx.send(e.clone());
    });
    let throttled: Value = loop {
        let e = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("a throttled event");
        assert_ne!(e["event"], "batch_done", "a batch ran despite the lag: {e}");
        assert_ne!(e["event"], "run_finished", "{e}");
        if e["event"] == "throttled" {
            break e;
        }
    };
    assert_eq!(throttled["step"], step);
    assert_eq!(
        throttled["reason"]["kind"], "replication_lag",
        "{throttled}"
    );
    assert!(
        throttled["reason"]["source"]
            .as_str()
            .unwrap()
            .contains(source_contains),
        "{throttled}"
    );
    assert!(throttled["reason"]["bytes"].as_i64().unwrap() > 1024);

    // It keeps waiting while replay is paused: nothing written.
    std::thread::sleep(Duration::from_millis(700));
    let written = scalar_i64(
        check,
        &format!("SELECT coalesce((SELECT rows_done FROM tack.backfill_cursors WHERE step_id = '{step}'), 0)"),
    );
    assert_eq!(written, 0);
    assert!(child.try_wait().unwrap().is_none());

    replica
        .batch_execute("SELECT pg_wal_replay_resume()")
        .unwrap();
    let status = child.wait().unwrap();
    let events = reader.join().unwrap();
    assert_eq!(status.code(), Some(0), "{events:#?}");
    let n = names(&events);
    let cleared = n
        .iter()
        .position(|e| e == "throttle_cleared")
        .expect("cleared");
    let batch = n.iter().position(|e| e == "batch_done").expect("a batch");
    assert!(cleared < batch, "{n:?}");
}

#[test]
fn a_backfill_waits_for_a_lagging_replica_and_continues_when_it_catches_up() {
    let pair = tack_testkit::primary_with_replica(Some(15));
    let mut admin =
        postgres::Client::connect(&pair.primary_url("postgres"), postgres::NoTls).unwrap();
    admin.batch_execute("CREATE DATABASE app").unwrap();
    let url = pair.primary_url("app");
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute(
        "CREATE TABLE t (id bigint PRIMARY KEY, v int NOT NULL, v2 int);
         INSERT INTO t SELECT g, g FROM generate_series(1, 5000) g;
         ANALYZE t;",
    )
    .unwrap();
    pair.wait_caught_up(Duration::from_secs(30));
    let mut replica =
        postgres::Client::connect(&pair.replica_url("postgres"), postgres::NoTls).unwrap();

    // Measured on the primary (pg_stat_replication).
    let project = Project::new(&[("V1__double.sql", "UPDATE t SET v2 = v * 2;\n")]);
    run_throttled(
        &project,
        &url,
        &mut replica,
        &mut c,
        &[],
        "V1__double.sql#1",
        "pg_stat_replication",
    );
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM t WHERE v2 = v * 2"),
        5000
    );

    // Measured on the replica itself.
    project.write("V2__triple.sql", "UPDATE t SET v2 = v * 3;\n");
    let replica_url = pair.replica_url("app");
    run_throttled(
        &project,
        &url,
        &mut replica,
        &mut c,
        &["--replica-url", &replica_url],
        "V2__triple.sql#1",
        "127.0.0.1",
    );
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM t WHERE v2 = v * 3"),
        5000
    );
    pair.wait_caught_up(Duration::from_secs(30));
    let mut on_replica = postgres::Client::connect(&replica_url, postgres::NoTls).unwrap();
    assert_eq!(
        scalar_i64(&mut on_replica, "SELECT count(*) FROM t WHERE v2 = v * 3"),
        5000
    );
}
