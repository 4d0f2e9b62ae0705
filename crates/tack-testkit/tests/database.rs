//! Tests that a test database is created, usable, isolated and gone after
//! it drops, on the default server.

use postgres::NoTls;

fn database_exists(server: &tack_testkit::Server, name: &str) -> bool {
    server
        .connect_admin()
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&name],
        )
        .map(|row| row.get(0))
        .unwrap_or_else(|e| panic!("querying pg_database failed: {e}"))
}

#[test]
fn database_is_usable_and_dropped_even_with_open_connections() {
    let db = tack_testkit::database();
    let name = db.name().to_string();
    let server = db.server().clone();
    assert!(name.starts_with("tack_test_"), "{name}");
    assert!(db.url().ends_with(&format!("/{name}")), "{}", db.url());
    assert!(database_exists(&server, &name));

    let mut client = db.connect();
    client
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);")
        .expect("DDL in a test database");
    let row = client
        .query_one("SELECT current_database(), count(*) FROM t", &[])
        .expect("query in a test database");
    assert_eq!(row.get::<_, String>(0), name);
    assert_eq!(row.get::<_, i64>(1), 2);

    // The URL works on its own, and open sessions do not block the drop.
    let mut by_url = postgres::Client::connect(db.url(), NoTls).expect("connect by URL");
    let n: i64 = by_url
        .query_one("SELECT count(*) FROM t", &[])
        .expect("query by URL")
        .get(0);
    assert_eq!(n, 2);

    drop(db);
    assert!(
        !database_exists(&server, &name),
        "{name} still exists after drop"
    );
    assert!(by_url.is_closed() || by_url.simple_query("SELECT 1").is_err());
}

#[test]
fn databases_are_distinct() {
    let a = tack_testkit::database();
    let b = tack_testkit::database();
    assert_ne!(a.name(), b.name());
    a.connect()
        .batch_execute("CREATE TABLE only_in_a (x int)")
        .expect("create table");
    let seen: i64 = b
        .connect()
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'",
            &[],
        )
        .expect("query")
        .get(0);
    assert_eq!(seen, 0);
}

#[test]
fn many_threads_create_databases_at_once() {
    let handles: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                let db = tack_testkit::database();
                let v: i32 = db
                    .connect()
                    .query_one("SELECT $1::int4 + 1", &[&i])
                    .expect("query")
                    .get(0);
                assert_eq!(v, i + 1);
                db.name().to_string()
            })
        })
        .collect();
    let mut names: Vec<String> = handles
        .into_iter()
        .map(|h| h.join().expect("thread panicked"))
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 8);
}
