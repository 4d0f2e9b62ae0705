//! Catalog introspection against a real server: types and modifiers, NOT NULL, constraints,
//! indexes (including an invalid one), partitioned tables, row estimates, functions, and the
//! speed of reading thousands of tables.

mod common;

use common::{connect, exec, run};
use std::time::Instant;
use tack_core::change::QualifiedName;
use tack_core::{Catalog, ColumnFacts, TableFacts, Volatility};

const SETUP: &str = r#"
CREATE DOMAIN short_text AS varchar(30);
CREATE DOMAIN shorter_text AS short_text;
CREATE SCHEMA app;
CREATE TABLE app.users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email varchar(50) NOT NULL,
    balance numeric(10,2),
    created_at timestamptz NOT NULL DEFAULT now(),
    seen_at timestamp(3),
    tags int[],
    labels varchar(20)[],
    bio text,
    flags bit(8),
    wait interval,
    wait_ms interval(2),
    code char(3),
    nick shorter_text,
    amount numeric,
    gone int
);
ALTER TABLE app.users DROP COLUMN gone;
ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE app.users ADD CONSTRAINT users_balance_not_null CHECK (balance IS NOT NULL);
ALTER TABLE app.users ADD CONSTRAINT users_bio_not_null CHECK (bio IS NOT NULL) NOT VALID;
ALTER TABLE app.users ADD CONSTRAINT users_balance_positive CHECK (balance >= 0);

CREATE TABLE app.orders (
    id int PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app.users (id),
    total numeric(12,2)
);
CREATE INDEX orders_user_idx ON app.orders (user_id) INCLUDE (total);
CREATE INDEX orders_expr_idx ON app.orders (lower(total::text), id);

CREATE TABLE public.dupes (v int);
INSERT INTO public.dupes VALUES (1), (1);

CREATE TABLE public.events (id bigint, at date NOT NULL, payload text) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.events_2025 PARTITION OF public.events
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO public.events
    SELECT g, date '2024-06-01' + (g % 400), repeat('x', 100) FROM generate_series(1, 1000) g;
ANALYZE public.events_2024, public.events_2025;

CREATE TABLE public.analyzed (id int);
INSERT INTO public.analyzed SELECT generate_series(1, 1000);
ANALYZE public.analyzed;
CREATE TABLE public.never_analyzed (id int);
INSERT INTO public.never_analyzed SELECT generate_series(1, 10);
CREATE TABLE public."Mixed Case" ("Weird Col" int NOT NULL);

CREATE VIEW public.a_view AS SELECT 1 AS x;
CREATE MATERIALIZED VIEW public.a_matview AS SELECT 1 AS x;
CREATE SEQUENCE public.a_sequence;
CREATE TEMP TABLE my_temp (x int);

CREATE FUNCTION app.pure_add(a int, b int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT a + b';
CREATE FUNCTION app.stable_thing() RETURNS int STABLE LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION app.volatile_thing() RETURNS int VOLATILE LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION app.overloaded(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION app.overloaded(text) RETURNS int VOLATILE LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION app."MixedFn"() RETURNS int STABLE LANGUAGE sql AS 'SELECT 1';
"#;

fn table<'a>(catalog: &'a Catalog, schema: &str, name: &str) -> &'a TableFacts {
    catalog
        .table(&QualifiedName::new(Some(schema), name))
        .unwrap_or_else(|| panic!("{schema}.{name} missing from the catalog"))
}

fn column(facts: &TableFacts, name: &str, type_name: &str, modifiers: &[i64], not_null: bool) {
    assert_eq!(
        facts.columns.get(name),
        Some(&ColumnFacts {
            type_name: type_name.to_owned(),
            modifiers: modifiers.to_vec(),
            not_null,
        }),
        "column {name}"
    );
}

#[test]
fn reads_the_catalog() {
    let db = tack_testkit::database();
    run(async {
        let conn = connect(db.url()).await;
        exec(&conn, SETUP).await;
        // CREATE INDEX CONCURRENTLY of a unique index on duplicates fails and leaves the index
        // behind, invalid. (It must run on its own, outside any transaction.)
        let failed = conn
            .client()
            .batch_execute("CREATE UNIQUE INDEX CONCURRENTLY dupes_v_key ON public.dupes (v)")
            .await;
        assert!(failed.is_err(), "the unique index on duplicates must fail");

        let catalog = conn.catalog().await.expect("catalog");
        assert!(catalog.connected);
        assert_eq!(
            catalog.timezone_utc,
            Some(tack_postgres::is_utc(
                &conn
                    .client()
                    .query_one("SELECT current_setting('TimeZone')", &[])
                    .await
                    .expect("TimeZone")
                    .get::<_, String>(0),
            ))
        );

        // Columns: base type names and decoded modifiers.
        let users = table(&catalog, "app", "users");
        column(users, "id", "int8", &[], true);
        column(users, "email", "varchar", &[50], true);
        column(users, "balance", "numeric", &[10, 2], false);
        column(users, "created_at", "timestamptz", &[], true);
        column(users, "seen_at", "timestamp", &[3], false);
        column(users, "tags", "int4", &[], false);
        column(users, "labels", "varchar", &[20], false);
        column(users, "bio", "text", &[], false);
        column(users, "flags", "bit", &[8], false);
        column(users, "wait", "interval", &[], false);
        column(users, "wait_ms", "interval", &[2], false);
        column(users, "code", "bpchar", &[3], false);
        column(users, "nick", "varchar", &[30], false);
        column(users, "amount", "numeric", &[], false);
        assert_eq!(
            users.columns.len(),
            14,
            "dropped and system columns are skipped"
        );
        assert!(!users.partitioned && !users.created_in_run);

        // Constraints.
        use tack_core::ConstraintType::{Check, PrimaryKey, Unique};
        let kinds: Vec<(String, tack_core::ConstraintType, bool)> = users
            .constraints
            .iter()
            .map(|c| (c.name.clone(), c.kind, c.validated))
            .collect();
        for expected in [
            ("users_pkey", PrimaryKey, true),
            ("users_email_key", Unique, true),
            ("users_balance_not_null", Check, true),
            ("users_bio_not_null", Check, false),
            ("users_balance_positive", Check, true),
        ] {
            assert!(
                kinds.contains(&(expected.0.to_owned(), expected.1, expected.2)),
                "{expected:?} in {kinds:?}"
            );
        }
        assert_eq!(
            users
                .constraint("users_balance_not_null")
                .and_then(|c| c.not_null_column.as_deref()),
            Some("balance")
        );
        assert_eq!(
            users
                .constraint("users_bio_not_null")
                .and_then(|c| c.not_null_column.as_deref()),
            Some("bio")
        );
        assert_eq!(
            users
                .constraint("users_balance_positive")
                .and_then(|c| c.not_null_column.clone()),
            None
        );
        assert!(users.has_valid_not_null_check("balance"));
        assert!(!users.has_valid_not_null_check("bio"));

        // Indexes.
        assert_eq!(users.primary_key(), Some(&["id".to_owned()][..]));
        let email_key = users
            .indexes
            .iter()
            .find(|i| i.name == "users_email_key")
            .expect("users_email_key index");
        assert!(email_key.unique && !email_key.primary && email_key.valid);
        assert_eq!(email_key.columns, vec!["email"]);

        let orders = table(&catalog, "app", "orders");
        let fk = orders
            .constraints
            .iter()
            .find(|c| c.kind == tack_core::ConstraintType::ForeignKey)
            .expect("foreign key");
        assert_eq!(fk.name, "orders_user_id_fkey");
        assert!(fk.validated);
        let by_user = orders
            .indexes
            .iter()
            .find(|i| i.name == "orders_user_idx")
            .expect("orders_user_idx");
        assert_eq!(
            by_user.columns,
            vec!["user_id"],
            "INCLUDE columns are not keys"
        );
        let expr = orders
            .indexes
            .iter()
            .find(|i| i.name == "orders_expr_idx")
            .expect("orders_expr_idx");
        assert_eq!(expr.columns, vec!["id"], "expression columns are skipped");

        let dupes = table(&catalog, "public", "dupes");
        let invalid = dupes
            .indexes
            .iter()
            .find(|i| i.name == "dupes_v_key")
            .expect("the failed concurrent index is still there");
        assert!(invalid.unique && !invalid.valid);
        assert_eq!(invalid.columns, vec!["v"]);

        // Partitioned table: flagged, and carries its partitions' sizes and rows.
        let events = table(&catalog, "public", "events");
        assert!(events.partitioned);
        let p2024 = table(&catalog, "public", "events_2024");
        let p2025 = table(&catalog, "public", "events_2025");
        assert!(!p2024.partitioned);
        assert_eq!(
            events.bytes,
            Some(p2024.bytes.unwrap_or(0) + p2025.bytes.unwrap_or(0))
        );
        assert!(events.bytes.unwrap_or(0) > 0);
        assert_eq!(events.rows, Some(1000.0));
        column(events, "at", "date", &[], true);

        // Row estimates and sizes.
        let analyzed = table(&catalog, "public", "analyzed");
        assert_eq!(analyzed.rows, Some(1000.0));
        assert!(analyzed.bytes.unwrap_or(0) >= 8192, "{:?}", analyzed.bytes);
        assert_eq!(analyzed.index_bytes, Some(0));
        let never = table(&catalog, "public", "never_analyzed");
        assert_eq!(never.rows, None, "never analyzed: unknown");
        assert!(users.index_bytes.unwrap_or(0) > 0, "users has two indexes");

        // Names as stored, no quoting.
        let mixed = table(&catalog, "public", "Mixed Case");
        column(mixed, "Weird Col", "int4", &[], true);

        // Not tables, or not ours.
        for name in ["a_view", "a_matview", "a_sequence", "my_temp"] {
            assert!(
                catalog
                    .table(&QualifiedName::new(Some("public"), name))
                    .is_none(),
                "{name} is not a table tack lints"
            );
        }
        assert!(catalog
            .tables()
            .all(|((schema, _), _)| !schema.starts_with("pg_") && schema != "information_schema"));

        // Functions, by lower-case name; the most volatile overload wins.
        assert_eq!(
            catalog.function_volatility("pure_add"),
            Some(Volatility::Immutable)
        );
        assert_eq!(
            catalog.function_volatility("app.pure_add"),
            Some(Volatility::Immutable)
        );
        assert_eq!(
            catalog.function_volatility("stable_thing"),
            Some(Volatility::Stable)
        );
        assert_eq!(
            catalog.function_volatility("volatile_thing"),
            Some(Volatility::Volatile)
        );
        assert_eq!(
            catalog.function_volatility("overloaded"),
            Some(Volatility::Volatile)
        );
        assert_eq!(
            catalog.function_volatility("MixedFn"),
            Some(Volatility::Stable)
        );
        // Built-ins come from pg_proc too.
        assert_eq!(
            catalog.function_volatility("clock_timestamp"),
            Some(Volatility::Volatile)
        );
        assert_eq!(catalog.function_volatility("now"), Some(Volatility::Stable));
        assert_eq!(
            catalog.function_volatility("int4pl"),
            Some(Volatility::Immutable)
        );
    });
}

#[test]
fn reports_server_version() {
    let db = tack_testkit::database();
    run(async {
        let conn = connect(db.url()).await;
        let version = conn.server_version().await.expect("server version");
        let num: String = conn
            .client()
            .query_one("SHOW server_version_num", &[])
            .await
            .expect("SHOW")
            .get(0);
        let num: u32 = num.parse().expect("number");
        assert_eq!(version, tack_postgres::server::version_from_num(num));
        assert!(version.major >= 9);
        println!("server version {version}");
    });
}

#[test]
fn time_zone_setting_is_reported() {
    let db = tack_testkit::database();
    let url = db.url().to_owned();
    run(async {
        let conn = connect(&url).await;
        exec(
            &conn,
            &format!(
                "ALTER DATABASE \"{}\" SET TimeZone = 'Europe/Berlin'",
                db.name().replace('"', "\"\"")
            ),
        )
        .await;
        let berlin = connect(&url).await.catalog().await.expect("catalog");
        assert_eq!(berlin.timezone_utc, Some(false));
        exec(
            &conn,
            &format!(
                "ALTER DATABASE \"{}\" SET TimeZone = 'Etc/UTC'",
                db.name().replace('"', "\"\"")
            ),
        )
        .await;
        let utc = connect(&url).await.catalog().await.expect("catalog");
        assert_eq!(utc.timezone_utc, Some(true));
    });
}

#[test]
fn sizes_fall_back_to_estimates_when_a_table_is_locked() {
    let db = tack_testkit::database();
    let url = db.url().to_owned();
    run(async {
        let locker = connect(&url).await;
        exec(
            &locker,
            "CREATE TABLE busy (id int); INSERT INTO busy SELECT generate_series(1, 5000);",
        )
        .await;
        exec(&locker, "VACUUM ANALYZE busy").await;
        exec(&locker, "BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE;").await;
        let reader = connect(&url).await;
        let started = Instant::now();
        let catalog = reader.catalog().await.expect("catalog despite the lock");
        let elapsed = started.elapsed();
        let busy = table(&catalog, "public", "busy");
        assert_eq!(busy.rows, Some(5000.0));
        assert!(busy.bytes.unwrap_or(0) > 0, "estimated from relpages");
        assert!(
            elapsed.as_secs() < 10,
            "did not wait for the lock: {elapsed:?}"
        );
        exec(&locker, "ROLLBACK").await;
    });
}

#[test]
fn catalog_of_two_thousand_tables() {
    let db = tack_testkit::database();
    run(async {
        let conn = connect(db.url()).await;
        let started = Instant::now();
        exec(
            &conn,
            "DO $$ BEGIN
               FOR i IN 1..2000 LOOP
                 EXECUTE format(
                   'CREATE TABLE perf_%s (
                      id bigint PRIMARY KEY,
                      name varchar(40) NOT NULL,
                      amount numeric(12,2),
                      created timestamptz DEFAULT now(),
                      CONSTRAINT perf_%s_amount_nn CHECK (amount IS NOT NULL))', i, i);
                 IF i % 250 = 0 THEN COMMIT; END IF;
               END LOOP;
             END $$;",
        )
        .await;
        println!("created 2000 tables in {:?}", started.elapsed());
        let started = Instant::now();
        let catalog = conn.catalog().await.expect("catalog");
        let elapsed = started.elapsed();
        let tables = catalog.tables().count();
        println!("catalog() read {tables} tables in {elapsed:?}");
        assert!(tables >= 2000);
        let t = table(&catalog, "public", "perf_1234");
        assert_eq!(t.columns.len(), 4);
        assert!(t.has_valid_not_null_check("amount"));
        assert_eq!(t.primary_key(), Some(&["id".to_owned()][..]));
    });
}

/// The same queries on every installed major version the test kit can start (the SQL differs
/// by version: `indnkeyatts`, `relispartition`, the meaning of `reltuples = -1`, and 18's
/// not-null constraints in `pg_constraint`).
#[test]
fn reads_the_catalog_on_every_installed_server() {
    for server in tack_testkit::servers() {
        let db = server.create_database();
        run(async {
            let conn = connect(db.url()).await;
            let version = conn.server_version().await.expect("server version");
            assert_eq!(version.major, server.major());
            exec(
                &conn,
                "CREATE TABLE t (id int PRIMARY KEY, v varchar(10) NOT NULL, n numeric(5,1));
                 ALTER TABLE t ADD CONSTRAINT n_nn CHECK (n IS NOT NULL) NOT VALID;
                 CREATE TABLE p (id int, at date) PARTITION BY RANGE (at);
                 CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                 INSERT INTO t SELECT g, 'x', 1 FROM generate_series(1, 100) g;
                 ANALYZE t;",
            )
            .await;
            let catalog = conn.catalog().await.expect("catalog");
            let t = table(&catalog, "public", "t");
            column(t, "v", "varchar", &[10], true);
            column(t, "n", "numeric", &[5, 1], false);
            assert_eq!(t.rows, Some(100.0));
            assert_eq!(t.primary_key(), Some(&["id".to_owned()][..]));
            let check = t.constraint("n_nn").expect("n_nn");
            assert!(!check.validated);
            assert_eq!(check.not_null_column.as_deref(), Some("n"));
            assert!(table(&catalog, "public", "p").partitioned);
            println!(
                "PostgreSQL {version}: {} constraints on t: {:?}",
                t.constraints.len(),
                t.constraints
                    .iter()
                    .map(|c| (c.name.as_str(), c.kind))
                    .collect::<Vec<_>>()
            );
        });
    }
}
