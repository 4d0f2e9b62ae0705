//! Schema as code against a real server: introspection, `tack drift`, `tack diff` and the drift
//! guard of `tack apply`, end to end.
//!
//! - Every kind of object the schema model knows survives the round trip: a script creating all
//!   of them introspects to the model expected (checked object by object, so a kind that
//!   introspection dropped fails here rather than comparing equal by absence), `tack drift
//!   --schema` finds no drift against it, and the SQL `tack diff` writes from an empty database
//!   rebuilds exactly the same schema.
//! - Hand changes after `tack apply` (a column added, an index dropped, a CHECK redefined, a
//!   function body and a view changed) are each reported by `tack drift --format json` with
//!   their kind and name, and running the reconciling SQL it prints removes the drift. Right
//!   after an apply whose statements went through tack's safe recipes (backfill, concurrent
//!   index, unique via index, NOT VALID + VALIDATE, NOT NULL via a check) there is no drift.
//! - `tack apply` refuses a drifted schema (nothing run) unless `--allow-drift`, records the
//!   schema fingerprint after each migration, and skips the full check when it matches.
//! - `tack diff --to` writes the next migration, keeps `tack.sum` in step, and applying it
//!   reaches the desired schema.
//! - Scratch databases are dropped whatever happens: every `tack` run here is checked for
//!   `tack_scratch_<its pid>_*` databases left behind.
//!
//! Every run gets `XDG_CACHE_HOME` inside its project's temporary directory, so the cache of
//! expected schemas never leaks between tests.

mod apply_common;

use apply_common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Output, Stdio};
use tack_postgres::schema::model::{ConstraintKind, FunctionKind, Identity, TableKind};
use tack_postgres::schema::SchemaModel;

/// For `--dev-url`: nothing listens there, so a run that needs a scratch database fails.
const NOWHERE: &str = "postgres://nobody@127.0.0.1:1/nowhere";

/// Runs `tack <args>` in `project` against `url`, with the project's own cache directory, and
/// checks that the run left no scratch database behind (their names carry the process id).
fn tack(project: &Project, url: &str, args: &[&str]) -> Output {
    let child = project
        .command(url, args)
        .env("XDG_CACHE_HOME", project.path().join("cache"))
        .env_remove("TACK_DEV_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let left = scratch_databases_of(pid);
    assert!(
        left.is_empty(),
        "tack {args:?} left scratch database(s) {left:?}\n{}",
        show(&out)
    );
    out
}

/// Databases named like the scratch databases of process `pid`.
fn scratch_databases_of(pid: u32) -> Vec<String> {
    let mut admin = tack_testkit::server().connect_admin();
    admin
        .query(
            "SELECT datname::text FROM pg_database WHERE starts_with(datname, $1)",
            &[&format!("tack_scratch_{pid}_")],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("output is not JSON: {e}\n{}", show(out)))
}

/// The differences of a `tack drift --format json` report as (kind, object, diff).
fn differences(report: &Value) -> Vec<(String, String, String)> {
    report["differences"]
        .as_array()
        .unwrap_or_else(|| panic!("no differences array in {report:#}"))
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
            (s("kind"), s("object"), s("diff"))
        })
        .collect()
}

/// The live schema, read in process by the same introspection tack uses.
fn introspect(url: &str) -> SchemaModel {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let conn = tack_postgres::connect(url).await.unwrap();
            tack_postgres::introspect(conn.client()).await.unwrap()
        })
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn require_extensions(client: &mut postgres::Client, names: &[&str]) {
    for name in names {
        assert!(
            scalar_bool(
                client,
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = '{name}')"
                )
            ),
            "the test server lacks the {name} extension (install the PostgreSQL contrib package)"
        );
    }
}

/// Creates every kind of object the schema model holds, most of them commented, some in a
/// mixed-case schema whose names need quoting.
const ALL_KINDS: &str = r#"
CREATE SCHEMA app;
CREATE SCHEMA "Billing";
COMMENT ON SCHEMA "Billing" IS 'Bill''s schema';
CREATE EXTENSION btree_gist WITH SCHEMA public;
CREATE EXTENSION citext WITH SCHEMA app;

CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
COMMENT ON TYPE app.mood IS 'how it went';
CREATE DOMAIN app.posint AS integer NOT NULL DEFAULT 1 CONSTRAINT posint_positive CHECK (VALUE > 0);
ALTER DOMAIN app.posint ADD CONSTRAINT posint_small CHECK (VALUE < 1000000) NOT VALID;
COMMENT ON DOMAIN app.posint IS 'a positive integer';
CREATE DOMAIN "Billing"."Code" AS varchar(8) COLLATE "C" CHECK (VALUE ~ '^[A-Z]+$');
CREATE SEQUENCE app.ticket AS integer INCREMENT BY 5 MINVALUE 10 MAXVALUE 100000 START WITH 15 CACHE 3 CYCLE;
COMMENT ON SEQUENCE app.ticket IS 'tickets';

CREATE TABLE app.customers (
    id serial PRIMARY KEY,
    email app.citext NOT NULL,
    name text COLLATE "C" NOT NULL DEFAULT '',
    mood app.mood DEFAULT 'ok',
    tier app.posint,
    ticket integer DEFAULT nextval('app.ticket'),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_email_key UNIQUE (email)
);
COMMENT ON TABLE app.customers IS 'people who buy';
COMMENT ON COLUMN app.customers.email IS 'login';
COMMENT ON CONSTRAINT customers_email_key ON app.customers IS 'one account per address';

CREATE TABLE "Billing"."Invoice" (
    "Invoice Id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES app.customers (id) ON DELETE CASCADE,
    qty integer NOT NULL DEFAULT 1,
    price numeric(12,2) NOT NULL,
    total numeric GENERATED ALWAYS AS (qty * price) STORED,
    tags text[] NOT NULL DEFAULT '{}',
    valid_during tstzrange,
    room integer,
    note varchar(200),
    code "Billing"."Code",
    CONSTRAINT "Invoice_qty_check" CHECK (qty > 0),
    CONSTRAINT invoice_no_overlap EXCLUDE USING gist (room WITH =, valid_during WITH &&)
);
ALTER TABLE "Billing"."Invoice" ADD CONSTRAINT invoice_price_check CHECK (price >= 0) NOT VALID;
COMMENT ON COLUMN "Billing"."Invoice"."Invoice Id" IS 'the key';

CREATE TABLE app.lines (
    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    invoice_id bigint NOT NULL,
    amount numeric NOT NULL
);
ALTER TABLE app.lines ADD CONSTRAINT lines_invoice_fk
    FOREIGN KEY (invoice_id) REFERENCES "Billing"."Invoice" ("Invoice Id") NOT VALID;

CREATE UNLOGGED TABLE app.cache (k text PRIMARY KEY, v text COLLATE "POSIX", moods app.mood[]);

CREATE INDEX invoice_open_idx ON "Billing"."Invoice" (customer_id) WHERE note IS NULL;
CREATE INDEX invoice_tags_idx ON "Billing"."Invoice" USING gin (tags);
CREATE INDEX customers_lower_name_idx ON app.customers (lower(name));
COMMENT ON INDEX app.customers_lower_name_idx IS 'case-insensitive search';
CREATE INDEX cache_v_idx ON app.cache (v) INCLUDE (k);

CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.created_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.touch() IS 'stamps rows';
CREATE TRIGGER customers_touch BEFORE INSERT OR UPDATE ON app.customers
    FOR EACH ROW EXECUTE FUNCTION app.touch();
COMMENT ON TRIGGER customers_touch ON app.customers IS 'keeps created_at';
CREATE FUNCTION app.note_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER invoice_note_changed AFTER UPDATE OF note ON "Billing"."Invoice"
    FOR EACH ROW WHEN (OLD.note IS DISTINCT FROM NEW.note) EXECUTE FUNCTION app.note_changed();
ALTER TABLE "Billing"."Invoice" DISABLE TRIGGER invoice_note_changed;

CREATE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION "Billing"."Total Of"(inv "Billing"."Invoice") RETURNS numeric
    LANGUAGE sql STABLE AS $$ SELECT inv.total $$;
CREATE PROCEDURE app.archive(before timestamptz) LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM app.customers WHERE created_at < before;
END
$$;
COMMENT ON PROCEDURE app.archive(timestamptz) IS 'drops old customers';

CREATE VIEW app.customer_names AS SELECT id, name, email FROM app.customers WHERE mood <> 'sad';
COMMENT ON VIEW app.customer_names IS 'happy enough';
CREATE VIEW app.customer_emails AS SELECT id, email FROM app.customer_names;
CREATE VIEW "Billing"."Open Invoices" AS
    SELECT "Invoice Id", customer_id FROM "Billing"."Invoice" WHERE note IS NULL;
CREATE MATERIALIZED VIEW app.invoice_totals AS
    SELECT customer_id, sum(total) AS total FROM "Billing"."Invoice" GROUP BY customer_id;
CREATE UNIQUE INDEX invoice_totals_customer_idx ON app.invoice_totals (customer_id);
COMMENT ON MATERIALIZED VIEW app.invoice_totals IS 'per customer';

CREATE TABLE app.events (
    id bigint NOT NULL,
    at date NOT NULL,
    kind text DEFAULT 'info',
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.events_other PARTITION OF app.events DEFAULT;
CREATE INDEX events_kind_idx ON app.events (kind);
COMMENT ON TABLE app.events IS 'partitioned by year';
COMMENT ON COLUMN app.events.kind IS 'what happened';
"#;

/// What introspection must find in a database [`ALL_KINDS`] built: one or more checks per kind
/// of object, so that a kind read wrongly or not at all fails here.
fn assert_all_kinds(m: &SchemaModel) {
    let keys = |it: Vec<&String>| it.into_iter().cloned().collect::<BTreeSet<String>>();
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();

    // Schemas, with the mixed-case one quoted; extensions and nothing of theirs.
    assert_eq!(
        keys(m.schemas.keys().collect()),
        set(&["\"Billing\"", "app", "public"])
    );
    assert_eq!(
        m.schemas["\"Billing\""].comment.as_deref(),
        Some("Bill's schema")
    );
    assert_eq!(
        keys(m.extensions.keys().collect()),
        set(&["btree_gist", "citext"])
    );
    assert_eq!(m.extensions["citext"].schema, "app");
    assert_eq!(
        keys(m.functions.keys().collect()),
        set(&[
            "\"Billing\".\"Total Of\"(inv \"Billing\".\"Invoice\")",
            "app.add(a integer, b integer)",
            "app.archive(IN before timestamp with time zone)",
            "app.note_changed()",
            "app.touch()",
        ]),
        "extension members must be left out"
    );

    // Types.
    assert_eq!(m.enums["app.mood"].labels, ["sad", "ok", "happy"]);
    assert_eq!(m.enums["app.mood"].comment.as_deref(), Some("how it went"));
    let posint = &m.domains["app.posint"];
    assert_eq!(posint.base_type, "integer");
    assert!(posint.not_null);
    assert_eq!(posint.default.as_deref(), Some("1"));
    assert!(posint.checks["posint_positive"].valid);
    assert!(!posint.checks["posint_small"].valid);
    assert_eq!(posint.comment.as_deref(), Some("a positive integer"));
    let code = &m.domains["\"Billing\".\"Code\""];
    assert_eq!(code.base_type, "character varying(8)");
    assert_eq!(code.collation.as_deref(), Some("pg_catalog.\"C\""));

    // Sequences: the standalone one, the serial one (owned), not the identity ones.
    assert_eq!(
        keys(m.sequences.keys().collect()),
        set(&["app.customers_id_seq", "app.ticket"])
    );
    let ticket = &m.sequences["app.ticket"];
    assert_eq!(
        (ticket.data_type.as_str(), ticket.start, ticket.increment),
        ("integer", 15, 5)
    );
    assert_eq!((ticket.min_value, ticket.max_value), (10, 100_000));
    assert_eq!(ticket.cache, 3);
    assert!(ticket.cycle);
    assert_eq!(ticket.comment.as_deref(), Some("tickets"));
    assert_eq!(
        m.sequences["app.customers_id_seq"].owned_by.as_deref(),
        Some("app.customers.id")
    );

    // Tables, partitions included.
    assert_eq!(
        keys(m.tables.keys().collect()),
        set(&[
            "\"Billing\".\"Invoice\"",
            "app.cache",
            "app.customers",
            "app.events",
            "app.events_2024",
            "app.events_2025",
            "app.events_other",
            "app.lines",
        ])
    );
    let customers = &m.tables["app.customers"];
    assert_eq!(
        customers
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        [
            "id",
            "email",
            "name",
            "mood",
            "tier",
            "ticket",
            "created_at"
        ]
    );
    let col = |t: &str, c: &str| {
        m.tables[t]
            .column(c)
            .unwrap_or_else(|| panic!("no column {c} in {t}"))
            .clone()
    };
    assert_eq!(
        col("app.customers", "id").default.as_deref(),
        Some("nextval('app.customers_id_seq'::regclass)")
    );
    assert_eq!(col("app.customers", "email").data_type, "app.citext");
    assert_eq!(
        col("app.customers", "email").comment.as_deref(),
        Some("login")
    );
    assert_eq!(
        col("app.customers", "name").collation.as_deref(),
        Some("pg_catalog.\"C\"")
    );
    assert_eq!(
        col("app.customers", "mood").default.as_deref(),
        Some("'ok'::app.mood")
    );
    assert_eq!(col("app.customers", "tier").data_type, "app.posint");
    assert_eq!(customers.comment.as_deref(), Some("people who buy"));
    assert_eq!(
        customers.constraints["customers_email_key"]
            .comment
            .as_deref(),
        Some("one account per address")
    );
    assert_eq!(
        customers.indexes["customers_email_key"]
            .constraint
            .as_deref(),
        Some("customers_email_key")
    );
    let lower = &customers.indexes["customers_lower_name_idx"];
    assert!(lower.definition.contains("(lower(name))"), "{lower:?}");
    assert_eq!(lower.comment.as_deref(), Some("case-insensitive search"));
    assert!(customers.triggers["customers_touch"]
        .definition
        .contains("BEFORE INSERT OR UPDATE ON app.customers"));
    assert_eq!(customers.triggers["customers_touch"].enabled, "O");
    assert_eq!(
        customers.triggers["customers_touch"].comment.as_deref(),
        Some("keeps created_at")
    );

    let invoice = &m.tables["\"Billing\".\"Invoice\""];
    let id = col("\"Billing\".\"Invoice\"", "Invoice Id");
    assert_eq!(id.identity, Some(Identity::Always));
    assert_eq!(id.comment.as_deref(), Some("the key"));
    assert_eq!(
        col("\"Billing\".\"Invoice\"", "total").generated.as_deref(),
        Some("((qty)::numeric * price)")
    );
    assert_eq!(
        col("\"Billing\".\"Invoice\"", "tags").default.as_deref(),
        Some("'{}'::text[]")
    );
    assert_eq!(
        col("\"Billing\".\"Invoice\"", "code").data_type,
        "\"Billing\".\"Code\""
    );
    let kinds = |t: &str| {
        m.tables[t]
            .constraints
            .iter()
            .map(|(name, c)| (name.clone(), c.kind, c.valid))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds("\"Billing\".\"Invoice\""),
        [
            (
                "\"Invoice_customer_id_fkey\"".to_owned(),
                ConstraintKind::ForeignKey,
                true
            ),
            (
                "\"Invoice_pkey\"".to_owned(),
                ConstraintKind::PrimaryKey,
                true
            ),
            (
                "\"Invoice_qty_check\"".to_owned(),
                ConstraintKind::Check,
                true
            ),
            (
                "invoice_no_overlap".to_owned(),
                ConstraintKind::Exclude,
                true
            ),
            (
                "invoice_price_check".to_owned(),
                ConstraintKind::Check,
                false
            ),
        ]
    );
    assert_eq!(
        invoice.constraints["\"Invoice_customer_id_fkey\""]
            .references
            .as_deref(),
        Some("app.customers")
    );
    assert_eq!(invoice.indexes["invoice_no_overlap"].method, "gist");
    assert_eq!(
        invoice.indexes["invoice_open_idx"].predicate.as_deref(),
        Some("(note IS NULL)")
    );
    assert_eq!(invoice.indexes["invoice_tags_idx"].method, "gin");
    let note_changed = &invoice.triggers["invoice_note_changed"];
    assert_eq!(note_changed.enabled, "D");
    assert!(
        note_changed.definition.contains(
            "AFTER UPDATE OF note ON \"Billing\".\"Invoice\" FOR EACH ROW \
             WHEN (((old.note)::text IS DISTINCT FROM (new.note)::text))"
        ),
        "{note_changed:?}"
    );
    let lines = &m.tables["app.lines"];
    assert_eq!(col("app.lines", "id").identity, Some(Identity::ByDefault));
    let fk = &lines.constraints["lines_invoice_fk"];
    assert_eq!((fk.kind, fk.valid), (ConstraintKind::ForeignKey, false));
    assert_eq!(fk.references.as_deref(), Some("\"Billing\".\"Invoice\""));
    let cache = &m.tables["app.cache"];
    assert!(cache.unlogged);
    assert_eq!(col("app.cache", "moods").data_type, "app.mood[]");
    assert!(cache.indexes["cache_v_idx"]
        .definition
        .contains("INCLUDE (k)"));

    let events = &m.tables["app.events"];
    assert_eq!(events.kind, TableKind::Partitioned);
    assert_eq!(events.partition_key.as_deref(), Some("RANGE (at)"));
    assert_eq!(events.comment.as_deref(), Some("partitioned by year"));
    assert_eq!(
        col("app.events", "kind").comment.as_deref(),
        Some("what happened")
    );
    assert!(events.indexes.contains_key("events_kind_idx"));
    assert!(events.constraints.contains_key("events_pkey"));
    let p2024 = &m.tables["app.events_2024"];
    assert_eq!(p2024.kind, TableKind::Ordinary);
    let of = p2024.partition_of.as_ref().expect("a partition");
    assert_eq!(of.parent, "app.events");
    assert_eq!(of.bound, "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')");
    assert_eq!(
        m.tables["app.events_other"]
            .partition_of
            .as_ref()
            .map(|p| p.bound.as_str()),
        Some("DEFAULT")
    );
    // What a partition inherits is the parent's: not listed again on the partition.
    assert!(p2024.constraints.is_empty(), "{:?}", p2024.constraints);
    assert!(p2024.indexes.is_empty(), "{:?}", p2024.indexes);

    // Views: plain, on a view, mixed case, materialized with an index.
    assert_eq!(
        keys(m.views.keys().collect()),
        set(&[
            "\"Billing\".\"Open Invoices\"",
            "app.customer_emails",
            "app.customer_names",
            "app.invoice_totals",
        ])
    );
    let names = &m.views["app.customer_names"];
    assert!(!names.materialized);
    assert_eq!(names.comment.as_deref(), Some("happy enough"));
    assert_eq!(
        names.columns,
        [
            ("id".to_owned(), "integer".to_owned()),
            ("name".to_owned(), "text".to_owned()),
            ("email".to_owned(), "app.citext".to_owned()),
        ]
    );
    assert_eq!(
        m.views["app.customer_emails"].depends_on,
        ["app.customer_names"]
    );
    let totals = &m.views["app.invoice_totals"];
    assert!(totals.materialized);
    assert_eq!(totals.comment.as_deref(), Some("per customer"));
    assert!(totals.indexes["invoice_totals_customer_idx"].unique);

    // Functions and procedures.
    let archive = &m.functions["app.archive(IN before timestamp with time zone)"];
    assert_eq!(archive.kind, FunctionKind::Procedure);
    assert_eq!(archive.result, None);
    assert_eq!(archive.comment.as_deref(), Some("drops old customers"));
    let add = &m.functions["app.add(a integer, b integer)"];
    assert_eq!(add.kind, FunctionKind::Function);
    assert_eq!(add.result.as_deref(), Some("integer"));
    assert!(add.definition.contains("DEFAULT 1"), "{}", add.definition);
    assert_eq!(
        m.functions["app.touch()"].comment.as_deref(),
        Some("stamps rows")
    );
}

#[test]
fn every_object_kind_round_trips_through_introspection_drift_and_diff() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    require_extensions(&mut c, &["btree_gist", "citext"]);
    c.batch_execute(ALL_KINDS).unwrap();
    let project = Project::new(&[]);
    let script = project.path().join("schema.sql");
    write(&script, ALL_KINDS);
    let script = script.to_str().unwrap();

    let loaded = introspect(db.url());
    assert_all_kinds(&loaded);
    assert!(tack_postgres::schema::diff(&loaded, &loaded).is_empty());

    // The database against its own script (built again on a scratch database): no drift.
    let out = tack(&project, db.url(), &["drift", "--schema", script]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stdout).starts_with("no drift: "),
        "{}",
        show(&out)
    );
    let out = tack(
        &project,
        db.url(),
        &["drift", "--schema", script, "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let report = json(&out);
    assert_eq!(report["drift"], false);
    assert_eq!(report["differences"], serde_json::json!([]));
    assert_eq!(
        report["fingerprint"],
        tack_postgres::schema::fingerprint(&loaded).as_str()
    );
    // Nothing to write either.
    assert_nothing_to_diff(&project, db.url(), script, "V1__schema_diff.sql");

    // From an empty database: the SQL `tack diff` prints rebuilds the same schema exactly.
    let empty = tack_testkit::database();
    let out = tack(&project, empty.url(), &["diff", "--to", script, "--stdout"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let generated = text(&out.stdout);
    for expected in [
        "CREATE SCHEMA \"Billing\";",
        "CREATE EXTENSION btree_gist WITH SCHEMA public",
        "CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');",
        "ALTER DOMAIN app.posint ADD CONSTRAINT posint_small CHECK ((VALUE < 1000000)) NOT VALID;",
        "CREATE TABLE app.events_2024 PARTITION OF app.events",
        "ADD CONSTRAINT invoice_price_check CHECK ((price >= (0)::numeric)) NOT VALID;",
        "ALTER TABLE \"Billing\".\"Invoice\" DISABLE TRIGGER invoice_note_changed;",
        "CREATE MATERIALIZED VIEW app.invoice_totals AS",
    ] {
        assert!(
            generated.contains(expected),
            "no {expected:?} in\n{generated}"
        );
    }
    empty
        .connect()
        .batch_execute(&generated)
        .unwrap_or_else(|e| panic!("the generated SQL fails: {e:?}\n{generated}"));
    let rebuilt = introspect(empty.url());
    assert_eq!(
        tack_postgres::schema::diff(&rebuilt, &loaded),
        [],
        "the rebuilt schema differs from the loaded one"
    );
    assert_eq!(rebuilt, loaded);
    let out = tack(&project, empty.url(), &["drift", "--schema", script]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stdout).starts_with("no drift: "),
        "{}",
        show(&out)
    );
}

const BASE: &str = "\
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    balance numeric NOT NULL DEFAULT 0,
    CONSTRAINT accounts_balance_check CHECK (balance >= 0)
);
CREATE TABLE transfers (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL,
    amount numeric NOT NULL,
    note text
);
CREATE FUNCTION fee(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT amount * 0.01';
CREATE VIEW big_transfers AS SELECT id, account_id, amount FROM transfers WHERE amount > 1000;
";

/// Statements tack runs by its safe recipes on tables that have rows.
const RECIPES: &str = "\
ALTER TABLE accounts ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();
CREATE INDEX transfers_account_idx ON transfers (account_id);
ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);
ALTER TABLE transfers ADD CONSTRAINT transfers_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE transfers ADD CONSTRAINT transfers_amount_check CHECK (amount <> 0);
ALTER TABLE transfers ALTER COLUMN note SET NOT NULL;
";

/// Applies [`BASE`], fills the tables, then applies [`RECIPES`] (planned against tables with
/// rows, so by the recipes), checking each apply succeeds.
fn applied_project(db: &tack_testkit::TestDatabase) -> Project {
    let project = Project::new(&[("V1__base.sql", BASE)]);
    let out = tack(&project, db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    db.connect()
        .batch_execute(
            "INSERT INTO accounts (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 300) g;
             INSERT INTO transfers (account_id, amount, note) SELECT g, g * 10, 'n' FROM generate_series(1, 300) g;
             ANALYZE accounts; ANALYZE transfers;",
        )
        .unwrap();
    project.write("V2__recipes.sql", RECIPES);
    let out = tack(&project, db.url(), &["apply", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let steps: Vec<String> = events(&out.stdout)
        .iter()
        .filter(|e| e["event"] == "step_started")
        .map(|e| e.to_string())
        .collect();
    // The recipes ran, not the statements as written.
    for expected in [
        "backfill",
        "CREATE INDEX CONCURRENTLY transfers_account_idx",
        "UNIQUE USING INDEX accounts_email_key",
        "VALIDATE CONSTRAINT transfers_account_fk",
        "transfers_note_not_null",
    ] {
        assert!(
            steps.iter().any(|s| s.contains(expected)),
            "no step with {expected:?}: {steps:#?}"
        );
    }
    project
}

#[test]
fn drift_finds_hand_changes_after_apply_and_its_sql_reconciles_them() {
    let db = tack_testkit::database();
    let project = applied_project(&db);

    // Right after apply, the recipes left exactly the schema the plain statements give.
    let out = tack(&project, db.url(), &["drift", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let report = json(&out);
    assert_eq!(report["drift"], false, "{report:#}");
    assert_eq!(report["expected"]["source"], "migrations");
    assert_eq!(
        report["expected"]["files"],
        serde_json::json!(["migrations/V1__base.sql", "migrations/V2__recipes.sql"])
    );

    // By hand, behind tack's back.
    db.connect()
        .batch_execute(
            "ALTER TABLE accounts ADD COLUMN nickname text;
             DROP INDEX transfers_account_idx;
             ALTER TABLE accounts DROP CONSTRAINT accounts_balance_check,
                 ADD CONSTRAINT accounts_balance_check CHECK (balance >= -100);
             CREATE OR REPLACE FUNCTION fee(amount numeric) RETURNS numeric
                 LANGUAGE sql IMMUTABLE AS 'SELECT amount * 0.02';
             CREATE OR REPLACE VIEW big_transfers AS
                 SELECT id, account_id, amount FROM transfers WHERE amount > 5000;",
        )
        .unwrap();

    let out = tack(&project, db.url(), &["drift", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let report = json(&out);
    assert_eq!(report["drift"], true);
    // The expected schema built by the first run is reused.
    assert!(
        report["expected"]["notes"].to_string().contains("cache"),
        "{report:#}"
    );
    let found: BTreeSet<(String, String, String)> = differences(&report).into_iter().collect();
    let expected: BTreeSet<(String, String, String)> = [
        ("column", "public.accounts.nickname", "extra"),
        ("index", "public.transfers.transfers_account_idx", "missing"),
        (
            "constraint",
            "public.accounts.accounts_balance_check",
            "changed",
        ),
        ("function", "public.fee(amount numeric)", "changed"),
        ("view", "public.big_transfers", "changed"),
    ]
    .iter()
    .map(|(k, o, d)| (k.to_string(), o.to_string(), d.to_string()))
    .collect();
    assert_eq!(found, expected, "{report:#}");

    // The human rendering names them too.
    let out = tack(&project, db.url(), &["drift"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let human = text(&out.stdout);
    assert!(
        human.contains("\ndrift: 6 difference(s) between "),
        "{human}"
    );
    for expected in [
        "column public.accounts.nickname: in the database, not in the expected schema",
        "index public.transfers.transfers_account_idx: in the expected schema, missing from the database",
        "function public.fee(amount numeric): differs from the expected schema",
        "reconcile with:",
    ] {
        assert!(human.contains(expected), "no {expected:?} in\n{human}");
    }

    // Running every difference's SQL, in order, removes the drift.
    let mut c = db.connect();
    for d in report["differences"].as_array().unwrap() {
        for sql in d["sql"].as_array().unwrap() {
            let sql = sql.as_str().unwrap();
            c.batch_execute(sql)
                .unwrap_or_else(|e| panic!("reconciling with {sql}: {e:?}"));
        }
    }
    let out = tack(&project, db.url(), &["drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(text(&out.stdout).contains("no drift"), "{}", show(&out));
    // Also when the expected schema is built again rather than read from the cache.
    let out = tack(&project, db.url(), &["drift", "--no-cache"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(!text(&out.stdout).contains("cache"), "{}", show(&out));
}

/// The fingerprint recorded after each migration, by name.
fn fingerprints(client: &mut postgres::Client) -> Vec<(String, Option<String>)> {
    client
        .query(
            "SELECT name, fingerprint FROM tack.migrations ORDER BY name",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn table_exists(client: &mut postgres::Client, name: &str) -> bool {
    scalar_bool(
        client,
        &format!("SELECT to_regclass('public.{name}') IS NOT NULL"),
    )
}

#[test]
fn apply_refuses_a_drifted_schema_unless_allowed_and_trusts_its_own_fingerprint() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    let project = Project::new(&[(
        "V1__a.sql",
        "CREATE TABLE a (id int PRIMARY KEY, v text);\nCREATE INDEX a_v_idx ON a (v);\n",
    )]);
    let out = tack(&project, db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));

    // The fingerprint of the schema V1 left is recorded, and is the live schema's.
    let recorded = fingerprints(&mut c);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let fp = recorded[0]
        .1
        .clone()
        .expect("a fingerprint after a clean apply");
    assert!(
        fp.len() == 64 && fp.bytes().all(|b| b.is_ascii_hexdigit()),
        "{fp}"
    );
    let out = tack(&project, db.url(), &["drift", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(json(&out)["fingerprint"], fp.as_str());

    // The fast path: the live schema is the one tack left, so no scratch database is needed
    // (there is no server at the dev URL to make one on).
    project.write("V2__b.sql", "CREATE TABLE b (id int);\n");
    let out = tack(&project, db.url(), &["apply", "--dev-url", NOWHERE]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(table_exists(&mut c, "b"));

    // Drift by hand: now the full check runs, and needs the scratch database.
    c.batch_execute("DROP INDEX a_v_idx").unwrap();
    project.write("V3__c.sql", "CREATE TABLE c (id int);\n");
    let out = tack(&project, db.url(), &["apply", "--dev-url", NOWHERE]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("--allow-drift skips the check"),
        "{}",
        show(&out)
    );
    assert!(!table_exists(&mut c, "c"));

    // Refused: nothing run.
    let out = tack(&project, db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("nothing was run: the schema has drifted"),
        "{err}"
    );
    assert!(
        err.contains("index public.a.a_v_idx: in the expected schema, missing from the database"),
        "{err}"
    );
    assert!(err.contains("--allow-drift"), "{err}");
    assert!(!table_exists(&mut c, "c"));
    assert_eq!(
        fingerprints(&mut c)
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        ["V1__a.sql", "V2__b.sql"]
    );

    // Allowed: applied on top of the drift.
    let out = tack(&project, db.url(), &["apply", "--allow-drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(table_exists(&mut c, "c"));
    // The drift is still there, and still refused next time: allowing it once does not make
    // the drifted schema the one tack trusts.
    let out = tack(&project, db.url(), &["drift"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    project.write("V4__d.sql", "CREATE TABLE d (id int);\n");
    let out = tack(&project, db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("the schema has drifted"),
        "{}",
        show(&out)
    );
    assert!(!table_exists(&mut c, "d"));

    // Reconciled: applies again, and the fast path is back.
    c.batch_execute("CREATE INDEX a_v_idx ON a (v)").unwrap();
    let out = tack(&project, db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(table_exists(&mut c, "d"));
    let last = fingerprints(&mut c).pop().unwrap();
    assert_eq!(last.0, "V4__d.sql");
    assert!(last.1.is_some(), "{last:?}");
    project.write("V5__e.sql", "CREATE TABLE e (id int);\n");
    let out = tack(&project, db.url(), &["apply", "--dev-url", NOWHERE]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(table_exists(&mut c, "e"));
}

#[test]
fn diff_writes_the_next_migration_which_applies_to_the_desired_schema() {
    let db = tack_testkit::database();
    let v1 =
        "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric NOT NULL);\n";
    let project = Project::new(&[("V1__a.sql", v1)]);
    let out = tack(&project, db.url(), &["sum"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = tack(&project, db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    db.connect()
        .batch_execute("INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 200) g")
        .unwrap();

    let desired = project.path().join("desired.sql");
    write(
        &desired,
        "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric NOT NULL, sku text);
         CREATE INDEX items_name_idx ON items (name);
         ALTER TABLE items ADD CONSTRAINT items_price_check CHECK (price >= 0);
         CREATE TABLE tags (id int PRIMARY KEY, item_id bigint NOT NULL REFERENCES items (id), label text NOT NULL);
         CREATE VIEW priced_items AS SELECT id, name, price FROM items WHERE price > 0;
         COMMENT ON TABLE items IS 'things for sale';\n",
    );
    let desired = desired.to_str().unwrap();

    let out = tack(&project, db.url(), &["diff", "--to", desired]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("wrote migrations/V2__schema_diff.sql"),
        "{err}"
    );
    assert!(err.contains("updated migrations/tack.sum"), "{err}");
    let generated =
        std::fs::read_to_string(project.path().join("migrations/V2__schema_diff.sql")).unwrap();
    for expected in [
        "ALTER TABLE public.items ADD COLUMN sku text;",
        "CREATE INDEX items_name_idx ON public.items USING btree (name);",
        "ALTER TABLE public.items ADD CONSTRAINT items_price_check CHECK ((price >= (0)::numeric));",
        "CREATE TABLE public.tags (",
        "CREATE VIEW public.priced_items AS",
        "COMMENT ON TABLE public.items IS 'things for sale';",
    ] {
        assert!(generated.contains(expected), "no {expected:?} in\n{generated}");
    }
    assert!(!generated.contains("DROP"), "{generated}");

    let out = tack(&project, db.url(), &["sum", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = tack(
        &project,
        db.url(),
        &["lint", "--offline", "migrations/V2__schema_diff.sql"],
    );
    assert_ne!(out.status.code(), Some(2), "{}", show(&out));

    // Applied like any migration (by the planner's recipes): the desired schema, no drift.
    let out = tack(&project, db.url(), &["apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = tack(&project, db.url(), &["drift", "--schema", desired]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = tack(&project, db.url(), &["drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    // And nothing left to write.
    assert_nothing_to_diff(&project, db.url(), desired, "V3__schema_diff.sql");
}

/// `tack diff --to desired` finds the database already there: exit 0, says so, writes no
/// `would_be` file.
fn assert_nothing_to_diff(project: &Project, url: &str, desired: &str, would_be: &str) {
    let out = tack(project, url, &["diff", "--to", desired]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("already matches"),
        "{}",
        show(&out)
    );
    assert!(!project.path().join("migrations").join(would_be).exists());
}

#[test]
fn scratch_databases_are_dropped_when_the_schema_fails_to_load() {
    let db = tack_testkit::database();
    let project = Project::new(&[]);
    let bad = project.path().join("bad.sql");
    write(&bad, "CREATE TABLE t (id int);\nCREATE TABLE t (id int);\n");
    let bad = bad.to_str().unwrap();
    // `tack` checks after each run that no scratch database of its process remains.
    for args in [
        &["drift", "--schema", bad][..],
        &["diff", "--to", bad, "--stdout"][..],
    ] {
        let out = tack(&project, db.url(), args);
        assert_eq!(out.status.code(), Some(2), "{}", show(&out));
        let err = text(&out.stderr);
        assert!(
            err.contains("bad.sql:2:1: the statement failed on the scratch database"),
            "{err}"
        );
        assert!(err.contains("already exists"), "{err}");
    }
    // The target was not touched.
    assert!(!scalar_bool(
        &mut db.connect(),
        "SELECT to_regclass('public.t') IS NOT NULL"
    ));
}

/// Replaying a schema in a scratch database never runs what acts on the whole server (the scratch
/// database may share it with production): roles, `ALTER SYSTEM`, grants are skipped and said.
#[test]
fn statements_that_act_on_the_server_are_not_replayed() {
    let db = tack_testkit::database();
    let mut c = db.connect();
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .unwrap();
    let project = Project::new(&[]);
    let schema = project.path().join("schema.sql");
    write(
        &schema,
        "CREATE TABLE t (id int PRIMARY KEY);\n\
         CREATE ROLE tack_never_created_role;\n\
         GRANT SELECT ON t TO tack_never_created_role;\n\
         ALTER SYSTEM SET work_mem = '7777kB';\n",
    );
    let out = tack(
        &project,
        db.url(),
        &["drift", "--schema", schema.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = text(&out.stdout);
    for skipped in ["CREATE ROLE", "GRANT", "ALTER SYSTEM"] {
        assert!(
            stdout.contains(&format!("{skipped} not replayed in the scratch database")),
            "{stdout}"
        );
    }
    assert!(stdout.contains("no drift"), "{stdout}");
    assert!(!scalar_bool(
        &mut c,
        "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tack_never_created_role')"
    ));
    assert!(!scalar_bool(
        &mut c,
        "SELECT EXISTS (SELECT 1 FROM pg_file_settings WHERE name = 'work_mem' AND setting = '7777kB')"
    ));
}
