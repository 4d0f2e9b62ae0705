//! The rule base's claims, proven against real servers.
//!
//! For every covered operation and every PostgreSQL major version the test kit can start, a case
//! creates a fresh database, fills it (`setup`, committed), reads the catalog with
//! `tack_postgres` exactly as `tack lint --database-url` does, parses the statement with the
//! PostgreSQL front end and asks the rule base for its claimed [`Effect`]s. Then the statement runs on the
//! server and what the server did is compared with the claim:
//!
//! * **lock** — the strongest mode (in [`LockMode`] order) this backend holds on each claimed
//!   relation (the effect's `table` and every `also_locks` entry) equals the claimed mode. A
//!   relation claimed more than once is compared with the strongest of its claims. Pre-existing
//!   tables that are not claimed at all must not be locked in a mode that blocks writes.
//! * **rewrite** — the table's `relfilenode` changed. For an effect whose relation is an index
//!   (DROP INDEX, REINDEX INDEX), "the table" is the index's heap: `rewrite` means the table's
//!   rows are rewritten, and rebuilding an index gives it a new relfilenode without rewriting
//!   anything the claim calls a rewrite.
//! * **scan** — `scan || rewrite` ⇔ rows were read: the statement started at least one scan of
//!   the table, of one of its indexes, or (for a partitioned table) of one of its partitions.
//!   Counted with `pg_stat_get_xact_numscans` (this backend's not-yet-flushed counters; a flush
//!   happens only when the backend is idle outside a transaction, so a before/after difference
//!   inside the transaction counts exactly this statement). Rewrites, validation scans and index
//!   builds all read the heap through a sequential scan, which is counted.
//!
//! Two methods:
//!
//! * **In a transaction** (most cases): `BEGIN`, record oids and relfilenodes, run the statement,
//!   read `pg_locks` for `pg_backend_pid()`, `ROLLBACK`. Every lock a statement takes is held to
//!   the end of the transaction, so `pg_locks` shows them all.
//! * **Concurrently** (`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`,
//!   `REINDEX … CONCURRENTLY`, `DETACH PARTITION … CONCURRENTLY`, `VACUUM FULL`: they refuse to
//!   run in a transaction block, and release their locks between their internal transactions).
//!   *Blockers* — open transactions on other connections (a REPEATABLE READ snapshot with an
//!   `ACCESS SHARE` lock; a row lock on a catalog row the statement deletes at the end; an
//!   `ACCESS SHARE` lock on a partition) — make the statement stop at known points while it holds
//!   (or queues for) its locks: stage by stage the test waits until `pg_blocking_pids` of the
//!   statement's backend names the next blocker, reads that backend's relation locks from
//!   `pg_locks` (held or requested: a queued request is a lock the statement takes as soon as it
//!   can), then commits the blocker. So the locks of every phase, including the last, brief one,
//!   are observed deterministically. In addition:
//!   - a *poller* in another database (so its own snapshot is not one the statement waits for)
//!     reads `pg_locks` for the statement's backend in a tight server-side loop for the whole
//!     duration of the statement, to catch locks of phases no blocker stops at;
//!   - at the first stage a *prober* runs a write and a read on the table with
//!     `lock_timeout = '200ms'`: a write must be blocked exactly when the claimed lock conflicts
//!     with `RowExclusiveLock`, a read exactly when it conflicts with `AccessShareLock`;
//!   - the scan check uses the cumulative counters (`pg_stat_get_numscans`, flushed on demand
//!     with `pg_stat_force_next_flush()`, PostgreSQL 15+), because these statements commit their
//!     own transactions; nothing else running meanwhile scans the table.
//!
//! All mismatches across cases and versions are collected and reported together at the end.
//!
//! Run: `cargo test -p tack-postgres --test proven_rules -- --nocapture` (a summary line per
//! version). A version on which no case ran fails the test (a filter that matches nothing
//! proves nothing).
//! `TACK_PROVEN_ONLY=<text>` runs only the cases whose name contains the text;
//! `TACK_PROVEN_TRACE=1` prints every claim next to what the server did.
//!
//! Cases marked `// Was a wrong claim, fixed:` are ones where this test found the rule base's
//! claim to differ from what the servers do; the rule was corrected and the assertion kept.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use postgres::Client;
use tack_core::{Context, QualifiedName, Version};
use tack_postgres::changes::{effects, Effect};
use tack_postgres::sql::PgName;
use tack_postgres::LockMode;
use tack_testkit::{Server, TestDatabase};

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

/// The table most cases work on: 2,000 rows, one column per kind of change.
const T: &str = "
CREATE TABLE t (
    id int NOT NULL,
    a  int,
    b  text,
    v  varchar(50),
    n  numeric(10,2),
    ts timestamp
);
INSERT INTO t
SELECT g, g, 'row ' || g, 'v' || g, g / 7.0, timestamp '2024-01-01' + g * interval '1 minute'
FROM generate_series(1, 2000) g;
ANALYZE t;
";

/// A referenced table for foreign keys (every `t.a` has a match).
const PARENT: &str = "
CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent SELECT generate_series(1, 2000);
ANALYZE parent;
";

/// A partitioned table with one filled partition, and a filled table that fits a second one.
const PARTITIONS: &str = "
CREATE TABLE pt (id int NOT NULL, a int) PARTITION BY RANGE (id);
CREATE TABLE pt_1 PARTITION OF pt FOR VALUES FROM (0) TO (10000);
INSERT INTO pt SELECT g, g FROM generate_series(1, 2000) g;
CREATE TABLE pt_2 (id int NOT NULL, a int);
INSERT INTO pt_2 SELECT g, g FROM generate_series(10000, 11999) g;
ANALYZE pt_1;
ANALYZE pt_2;
";

/// How a case is run (see the module docs).
#[derive(Clone)]
enum Method {
    InTransaction,
    Concurrent(Concurrent),
}

#[derive(Clone)]
struct Concurrent {
    /// Open transactions (each a full SQL text starting with `BEGIN`, run on its own connection
    /// before the statement starts) that the statement must wait for, in this order. Stage `i`
    /// waits until blocker `i` blocks the statement (`pg_blocking_pids`), then commits it. The
    /// first stops the statement while it holds its main locks; later ones stop it again in a
    /// later phase, so a lock taken only at the end is observed too. None may scan a table.
    blockers: &'static [&'static str],
    /// The table the probes touch (must be a claimed relation).
    probe_table: &'static str,
    /// A write the statement is claimed to block, or not (it must not scan).
    write_probe: &'static str,
    /// A read, likewise (`LIMIT 0`: takes the lock without scanning).
    read_probe: &'static str,
}

#[derive(Clone)]
struct Case {
    name: &'static str,
    /// Committed before anything else.
    setup: String,
    statement: &'static str,
    min_version: Option<u32>,
    max_version: Option<u32>,
    /// A `SET name = value` for the session running the statement. It is also made the
    /// database's default (`ALTER DATABASE … SET name = value`) before the catalog is read, so
    /// the catalog facts that depend on the session (the TimeZone) see the same setting.
    session: Option<&'static str>,
    /// The statement must fail with this SQLSTATE (the claim is not checked).
    expect_error: Option<&'static str>,
    /// Relations that must not be locked at all (the claim names no relation).
    no_locks: &'static [&'static str],
    /// Why the rewrite check does not apply, when it does not.
    skip_rewrite: Option<&'static str>,
    method: Method,
}

fn case(name: &'static str, setup: impl Into<String>, statement: &'static str) -> Case {
    Case {
        name,
        setup: setup.into(),
        statement,
        min_version: None,
        max_version: None,
        session: None,
        expect_error: None,
        no_locks: &[],
        skip_rewrite: None,
        method: Method::InTransaction,
    }
}

impl Case {
    fn min(mut self, major: u32) -> Self {
        self.min_version = Some(major);
        self
    }

    #[allow(dead_code)]
    fn max(mut self, major: u32) -> Self {
        self.max_version = Some(major);
        self
    }

    fn session(mut self, sql: &'static str) -> Self {
        self.session = Some(sql);
        self
    }

    fn fails_with(mut self, sqlstate: &'static str) -> Self {
        self.expect_error = Some(sqlstate);
        self
    }

    fn no_locks(mut self, relations: &'static [&'static str]) -> Self {
        self.no_locks = relations;
        self
    }

    fn skip_rewrite(mut self, why: &'static str) -> Self {
        self.skip_rewrite = Some(why);
        self
    }

    fn concurrent(mut self, c: Concurrent) -> Self {
        self.method = Method::Concurrent(c);
        self
    }

    fn applies_to(&self, major: u32) -> bool {
        !matches!(self.min_version, Some(m) if major < m)
            && !matches!(self.max_version, Some(m) if major > m)
    }
}

/// Probes on `t` for the concurrent cases.
fn concurrent_on_t(blockers: &'static [&'static str]) -> Concurrent {
    Concurrent {
        blockers,
        probe_table: "t",
        write_probe: "INSERT INTO t (id, a, b) VALUES (100001, 100001, 'probe')",
        read_probe: "SELECT 1 FROM t LIMIT 0",
    }
}

/// A snapshot (REPEATABLE READ, taken by `SELECT 1`) and an ACCESS SHARE lock on `t`: what
/// CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY wait for (older snapshots, lockers), what
/// DROP INDEX CONCURRENTLY waits for (any locker), what VACUUM FULL queues behind.
const HOLD_T: &str =
    "BEGIN ISOLATION LEVEL REPEATABLE READ; LOCK TABLE t IN ACCESS SHARE MODE; SELECT 1";

/// Row locks on the catalog rows of index `t_a_idx`'s columns, in READ COMMITTED (no snapshot
/// kept, no lock on `t`): nothing waits for them until the index is finally dropped, which
/// deletes those rows, so the statement stops again while holding its last, strongest lock on
/// the index.
const HOLD_T_A_IDX_ROWS: &str =
    "BEGIN; SELECT 1 FROM pg_attribute WHERE attrelid = 't_a_idx'::regclass FOR UPDATE";

fn cases() -> Vec<Case> {
    let t = || T.to_owned();
    let with = |extra: &str| format!("{T}\n{extra}");
    vec![
        // ADD COLUMN
        case("add column nullable", t(), "ALTER TABLE t ADD COLUMN x int"),
        case("add column constant default", t(), "ALTER TABLE t ADD COLUMN x int DEFAULT 42"),
        case(
            "add column default now() (stable)",
            t(),
            "ALTER TABLE t ADD COLUMN x timestamptz DEFAULT now()",
        ),
        case(
            "add column default random() (volatile)",
            t(),
            "ALTER TABLE t ADD COLUMN x float8 DEFAULT random()",
        ),
        case(
            "add column default gen_random_uuid() (volatile)",
            t(),
            "ALTER TABLE t ADD COLUMN x uuid DEFAULT gen_random_uuid()",
        )
        .min(13),
        case(
            "add column default clock_timestamp() (volatile)",
            t(),
            "ALTER TABLE t ADD COLUMN x timestamptz DEFAULT clock_timestamp()",
        ),
        case(
            "add column NOT NULL constant default",
            t(),
            "ALTER TABLE t ADD COLUMN x int NOT NULL DEFAULT 0",
        ),
        case(
            "add column generated stored",
            t(),
            "ALTER TABLE t ADD COLUMN x int GENERATED ALWAYS AS (a * 2) STORED",
        )
        .min(12),
        case("add column serial", t(), "ALTER TABLE t ADD COLUMN x serial"),
        case(
            "add column identity",
            t(),
            "ALTER TABLE t ADD COLUMN x bigint GENERATED ALWAYS AS IDENTITY",
        )
        .min(10),
        case(
            "add column NOT NULL without default (fails: table has rows)",
            t(),
            "ALTER TABLE t ADD COLUMN x int NOT NULL",
        )
        .fails_with("23502"),
        // NOT NULL, DEFAULT
        case("set not null", t(), "ALTER TABLE t ALTER COLUMN a SET NOT NULL"),
        case(
            "set not null with validated CHECK (a IS NOT NULL)",
            with(
                "ALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL) NOT VALID;
                 ALTER TABLE t VALIDATE CONSTRAINT t_a_nn;",
            ),
            "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
        )
        .min(12),
        case("drop not null", t(), "ALTER TABLE t ALTER COLUMN id DROP NOT NULL"),
        case("set default", t(), "ALTER TABLE t ALTER COLUMN a SET DEFAULT 7"),
        case(
            "drop default",
            with("ALTER TABLE t ALTER COLUMN a SET DEFAULT 7;"),
            "ALTER TABLE t ALTER COLUMN a DROP DEFAULT",
        ),
        // Constraints
        case("add check", t(), "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)"),
        case(
            "add check not valid",
            t(),
            "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID",
        ),
        case(
            "validate check",
            with("ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID;"),
            "ALTER TABLE t VALIDATE CONSTRAINT t_a_pos",
        ),
        case(
            "add foreign key",
            with(PARENT),
            "ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES parent (id)",
        ),
        case(
            "add foreign key not valid",
            with(PARENT),
            "ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES parent (id) NOT VALID",
        ),
        case(
            "validate foreign key",
            with(&format!(
                "{PARENT}
                 ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES parent (id) NOT VALID;"
            )),
            "ALTER TABLE t VALIDATE CONSTRAINT t_a_fk",
        ),
        case("add unique", t(), "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a)"),
        case(
            "add unique using index",
            with("CREATE UNIQUE INDEX t_a_uidx ON t (a);"),
            "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_uidx",
        ),
        case("add primary key (NOT NULL column)", t(), "ALTER TABLE t ADD PRIMARY KEY (id)"),
        case("add primary key (nullable column)", t(), "ALTER TABLE t ADD PRIMARY KEY (a)"),
        case(
            "add primary key using index (NOT NULL column)",
            with("CREATE UNIQUE INDEX t_id_uidx ON t (id);"),
            "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_uidx",
        ),
        // Was a wrong claim, fixed: constraints.rs (PRIMARY KEY … USING INDEX): the key columns are taken
        // from the statement, which names none with USING INDEX, so no column counts as nullable
        // and no scan is claimed. The server makes the index's column NOT NULL first and scans
        // `t` for NULLs (PostgreSQL 15 and 18).
        case(
            "add primary key using index (nullable column)",
            with("CREATE UNIQUE INDEX t_a_uidx ON t (a);"),
            "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_a_uidx",
        ),
        case(
            "add exclusion constraint (gist)",
            t(),
            "ALTER TABLE t ADD CONSTRAINT t_a_excl EXCLUDE USING gist (box(point(a, a), point(a, a)) WITH &&)",
        ),
        // Indexes
        case("create index", t(), "CREATE INDEX t_b_idx ON t (b)"),
        case("create unique index", t(), "CREATE UNIQUE INDEX t_id_idx ON t (id)"),
        case(
            "create index concurrently",
            t(),
            "CREATE INDEX CONCURRENTLY t_b_idx ON t (b)",
        )
        // CIC waits for every transaction with an older snapshot before it finishes.
        .concurrent(concurrent_on_t(&[HOLD_T])),
        case("drop index", with("CREATE INDEX t_a_idx ON t (a);"), "DROP INDEX t_a_idx"),
        // Was a wrong claim, fixed: indexes.rs (DROP INDEX CONCURRENTLY) claims ShareUpdateExclusiveLock
        // as the strongest lock on the index. After marking the index dead and waiting out every
        // transaction that used the table, the server takes AccessExclusiveLock on the index for
        // the final drop (PostgreSQL 15 and 18). Nothing can be using a dead index by then, so no
        // traffic waits; the table itself stays at ShareUpdateExclusiveLock.
        case(
            "drop index concurrently",
            with("CREATE INDEX t_a_idx ON t (a);"),
            "DROP INDEX CONCURRENTLY t_a_idx",
        )
        // DIC waits for every transaction holding any lock on the table, then drops the index.
        .concurrent(concurrent_on_t(&[HOLD_T, HOLD_T_A_IDX_ROWS])),
        case("reindex index", with("CREATE INDEX t_a_idx ON t (a);"), "REINDEX INDEX t_a_idx"),
        case("reindex table", with("CREATE INDEX t_a_idx ON t (a);"), "REINDEX TABLE t"),
        // Was a wrong claim, fixed: indexes.rs (REINDEX … CONCURRENTLY) claims ShareUpdateExclusiveLock
        // as the strongest lock on the index. At the end the server drops the old index (same oid,
        // renamed `t_a_idx_ccold`, already dead) under AccessExclusiveLock (PostgreSQL 15 and 18).
        // As with DROP INDEX CONCURRENTLY, no traffic waits for it.
        case(
            "reindex index concurrently",
            with("CREATE INDEX t_a_idx ON t (a);"),
            "REINDEX INDEX CONCURRENTLY t_a_idx",
        )
        .min(12)
        // Like CIC, it waits for older snapshots; at the end it drops the old index.
        .concurrent(concurrent_on_t(&[HOLD_T, HOLD_T_A_IDX_ROWS])),
        // ALTER COLUMN TYPE
        case("type int4 -> int8", t(), "ALTER TABLE t ALTER COLUMN a TYPE bigint"),
        case(
            "type varchar(50) -> varchar(100)",
            t(),
            "ALTER TABLE t ALTER COLUMN v TYPE varchar(100)",
        ),
        case("type varchar(50) -> text", t(), "ALTER TABLE t ALTER COLUMN v TYPE text"),
        case("type text -> varchar(20)", t(), "ALTER TABLE t ALTER COLUMN b TYPE varchar(20)"),
        case(
            "type numeric(10,2) -> numeric(12,2)",
            t(),
            "ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2)",
        ),
        case(
            "type numeric(10,2) -> numeric(10,3)",
            t(),
            "ALTER TABLE t ALTER COLUMN n TYPE numeric(10,3)",
        ),
        case(
            "type timestamp -> timestamptz, TimeZone UTC",
            t(),
            "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz",
        )
        .min(12)
        .session("SET timezone = 'UTC'"),
        case(
            "type timestamp -> timestamptz, TimeZone America/New_York",
            t(),
            "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz",
        )
        .session("SET timezone = 'America/New_York'"),
        // Renames and drops
        case("rename column", t(), "ALTER TABLE t RENAME COLUMN b TO b2"),
        case("rename table", t(), "ALTER TABLE t RENAME TO t2"),
        case("drop column", t(), "ALTER TABLE t DROP COLUMN b"),
        case("drop table", t(), "DROP TABLE t"),
        // Partitions
        case(
            "attach partition (no check: scans the partition)",
            PARTITIONS,
            "ALTER TABLE pt ATTACH PARTITION pt_2 FOR VALUES FROM (10000) TO (20000)",
        ),
        case(
            "attach partition (validated CHECK implies the bound)",
            format!(
                "{PARTITIONS}
                 ALTER TABLE pt_2 ADD CONSTRAINT pt_2_bound
                     CHECK (id IS NOT NULL AND id >= 10000 AND id < 20000);"
            ),
            "ALTER TABLE pt ATTACH PARTITION pt_2 FOR VALUES FROM (10000) TO (20000)",
        ),
        case("detach partition", PARTITIONS, "ALTER TABLE pt DETACH PARTITION pt_1"),
        case(
            "detach partition concurrently",
            format!(
                "{PARTITIONS}
                 ALTER TABLE pt ATTACH PARTITION pt_2 FOR VALUES FROM (10000) TO (20000);"
            ),
            "ALTER TABLE pt DETACH PARTITION pt_1 CONCURRENTLY",
        )
        .min(14)
        // Its first transaction takes ShareUpdateExclusiveLock on both and commits; then it
        // waits, holding no lock, for every transaction using the parent (LOCK … ONLY: not the
        // partitions); then it locks the partition AccessExclusive, which the second blocker
        // holds up.
        .concurrent(Concurrent {
            blockers: &[
                "BEGIN; LOCK TABLE ONLY pt IN ACCESS SHARE MODE",
                "BEGIN; LOCK TABLE pt_1 IN ACCESS SHARE MODE",
            ],
            probe_table: "pt",
            // Routed to pt_2, the partition that stays.
            write_probe: "INSERT INTO pt (id, a) VALUES (15000, 1)",
            read_probe: "SELECT 1 FROM pt LIMIT 0",
        }),
        // Rebuilds
        case(
            "set logged",
            "CREATE UNLOGGED TABLE u (id int, b text);
             INSERT INTO u SELECT g, 'row ' || g FROM generate_series(1, 2000) g;
             ANALYZE u;",
            "ALTER TABLE u SET LOGGED",
        ),
        case("set unlogged", t(), "ALTER TABLE t SET UNLOGGED"),
        case("vacuum full", t(), "VACUUM FULL t")
            // VACUUM FULL queues for its AccessExclusiveLock behind the blocker's lock.
            .concurrent(concurrent_on_t(&[HOLD_T])),
        case(
            "cluster",
            with("CREATE INDEX t_a_idx ON t (a);"),
            "CLUSTER t USING t_a_idx",
        ),
        case("truncate", t(), "TRUNCATE t").skip_rewrite(
            "TRUNCATE gives the table a new, empty relfilenode: no row is rewritten, which is \
             what the claim's `rewrite` means (work proportional to the table's size)",
        ),
        // Enums
        case(
            "alter type add value",
            "CREATE TYPE mood AS ENUM ('sad', 'ok');
             CREATE TABLE e (id int, m mood);
             INSERT INTO e SELECT g, 'ok' FROM generate_series(1, 2000) g;",
            "ALTER TYPE mood ADD VALUE 'happy'",
        )
        .min(12)
        .no_locks(&["e"]),
        // DML
        // Was a wrong claim, fixed: dml.rs claims `scan: false` for a whole-table UPDATE/DELETE;
        // the server reads every row (a sequential scan of `t`) while holding RowExclusiveLock,
        // which is what `Effect::scan` says ("every row is read while the lock is held").
        case("whole-table update", t(), "UPDATE t SET a = a + 1"),
        case("whole-table delete", t(), "DELETE FROM t"),
        // CREATE TABLE
        case(
            "create table with references",
            PARENT,
            "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id))",
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

struct Mismatch {
    case: &'static str,
    version: String,
    check: String,
    claim: String,
    observed: String,
}

#[derive(Default)]
struct Outcome {
    mismatches: Vec<Mismatch>,
    notes: Vec<String>,
}

struct Recorder<'a> {
    case: &'static str,
    version: String,
    out: &'a mut Outcome,
}

impl Recorder<'_> {
    fn mismatch(
        &mut self,
        check: impl Into<String>,
        claim: impl Into<String>,
        observed: impl Into<String>,
    ) {
        self.out.mismatches.push(Mismatch {
            case: self.case,
            version: self.version.clone(),
            check: check.into(),
            claim: claim.into(),
            observed: observed.into(),
        });
    }

    fn note(&mut self, text: impl AsRef<str>) {
        self.out.notes.push(format!(
            "{} on {}: {}",
            self.case,
            self.version,
            text.as_ref()
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Shared steps
// ---------------------------------------------------------------------------------------------

/// A relation as the server knows it.
#[derive(Clone, Debug)]
struct Rel {
    oid: i64,
    /// For an index: its table.
    heap: Option<i64>,
}

fn resolve(client: &mut Client, name: &QualifiedName) -> Option<Rel> {
    let row = client
        .query_opt(
            "SELECT c.oid::int8, i.indrelid::int8
             FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid
             WHERE c.oid = to_regclass($1)",
            &[&name.sql()],
        )
        .expect("resolve relation")?;
    Some(Rel {
        oid: row.get(0),
        heap: row.get(1),
    })
}

fn relfilenode(client: &mut Client, oid: i64) -> Option<i64> {
    client
        .query_opt(
            "SELECT relfilenode::int8 FROM pg_class WHERE oid = $1::int8::oid",
            &[&oid],
        )
        .expect("read relfilenode")
        .map(|r| r.get(0))
}

/// The relations whose scans count for a table: itself, its partitions (recursively) and the
/// indexes of all of these. Reads pg_inherits rather than `pg_partition_tree`, which locks.
fn scan_relations(client: &mut Client, heap: i64) -> Vec<i64> {
    client
        .query(
            "WITH RECURSIVE tree(relid) AS (
                 SELECT $1::int8::oid
                 UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree ON i.inhparent = tree.relid
             )
             SELECT relid::int8 FROM tree
             UNION SELECT x.indexrelid::int8 FROM pg_index x JOIN tree ON x.indrelid = tree.relid",
            &[&heap],
        )
        .expect("list scanned relations")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Scans of `rels`: this transaction's (`xact`) or the cumulative, flushed counters.
fn numscans(client: &mut Client, rels: &[i64], xact: bool) -> BTreeMap<i64, i64> {
    let f = if xact {
        "pg_stat_get_xact_numscans"
    } else {
        "pg_stat_get_numscans"
    };
    client
        .query(
            &format!("SELECT r, {f}(r::oid)::int8 FROM unnest($1::int8[]) r"),
            &[&rels],
        )
        .expect("read scan counters")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// Pre-existing tables of the test database, by oid.
fn user_tables(client: &mut Client) -> BTreeMap<i64, String> {
    client
        .query(
            "SELECT c.oid::int8, c.relname::text FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')",
            &[],
        )
        .expect("list tables")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn sqlstate(e: &postgres::Error) -> Option<String> {
    e.code().map(|c| c.code().to_owned())
}

fn describe_error(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

fn mode_name(m: Option<LockMode>) -> String {
    m.map(|m| m.pg_name().to_owned())
        .unwrap_or_else(|| "no lock".to_owned())
}

/// `SET x = y` as a database default.
fn as_database_default(session: &str, db: &str) -> String {
    let rest = session
        .trim()
        .strip_prefix("SET ")
        .or_else(|| session.trim().strip_prefix("set "))
        .unwrap_or_else(|| panic!("session must be `SET name = value`: {session}"));
    format!("ALTER DATABASE \"{db}\" SET {rest}")
}

/// Per effect, before the statement: the heap it stands for, its relfilenode, and the scan
/// counters of the relations whose scans count for it.
type Baseline = (i64, i64, BTreeMap<i64, i64>);

/// What a prepared case knows before the statement runs.
struct Prepared {
    version: Version,
    effects: Vec<Effect>,
}

/// Fresh database, setup, catalog read, parse, claimed effects.
fn prepare(
    db: &TestDatabase,
    case: &Case,
    in_transaction: bool,
    rec: &mut Recorder,
) -> Option<Prepared> {
    let mut setup = db.connect();
    if let Some(session) = case.session {
        setup
            .batch_execute(&as_database_default(session, db.name()))
            .expect("set the database default");
    }
    if let Err(e) = setup.batch_execute(&case.setup) {
        panic!("{}: setup failed: {}", case.name, describe_error(&e));
    }
    // Keep autovacuum (which takes ShareUpdateExclusiveLock and scans) out of the way.
    setup
        .batch_execute(
            "DO $$ DECLARE r regclass; BEGIN
               FOR r IN SELECT oid FROM pg_class
                        WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' LOOP
                 EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = false)', r);
               END LOOP;
             END $$",
        )
        .expect("disable autovacuum");
    if db.server().version_num() >= 150000 {
        // Flush this backend's statistics now (then wait for it with one more round trip), so
        // the setup's own scans are in the cumulative counters before any baseline is read.
        setup
            .batch_execute("SELECT pg_stat_force_next_flush()")
            .expect("flush statistics");
        setup.batch_execute("SELECT 1").expect("round trip");
    }
    drop(setup);

    // The catalog and version, read exactly as `tack lint --database-url` reads them.
    // A runtime of its own, dropped (closing the connection) as soon as the catalog is read.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (version, catalog) = runtime.block_on(async {
        let conn = tack_postgres::connect(db.url())
            .await
            .unwrap_or_else(|e| panic!("tack_postgres::connect: {e}"));
        let version = conn
            .server_version()
            .await
            .unwrap_or_else(|e| panic!("server_version: {e}"));
        let catalog = conn
            .catalog()
            .await
            .unwrap_or_else(|e| panic!("catalog: {e}"));
        (version, catalog)
    });
    drop(runtime);
    if case.session.is_some() {
        rec.note(format!(
            "catalog timezone_utc = {:?} (session: {})",
            catalog.timezone_utc,
            case.session.unwrap_or_default()
        ));
    }

    let parsed = tack_postgres::front_end::parse(case.statement);
    if !parsed.errors.is_empty() || parsed.statements.len() != 1 {
        rec.mismatch(
            "parse",
            "exactly one statement",
            format!(
                "{} statements, errors: {:?}",
                parsed.statements.len(),
                parsed.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
            ),
        );
        return None;
    }
    let ctx = Context {
        version,
        catalog: &catalog,
        in_transaction,
    };
    let effects = effects(&parsed.statements[0].change, &ctx);
    Some(Prepared { version, effects })
}

/// One claimed relation: the strongest mode claimed on it.
struct Claimed {
    name: QualifiedName,
    mode: Option<LockMode>,
    rel: Option<Rel>,
}

/// Every relation the effects name, with the strongest mode claimed on each.
fn claimed_relations(effects: &[Effect]) -> Vec<Claimed> {
    let mut out: Vec<Claimed> = Vec::new();
    let mut add = |name: &QualifiedName, mode: Option<LockMode>| match out
        .iter_mut()
        .find(|c| &c.name == name)
    {
        Some(c) => c.mode = c.mode.max(mode),
        None => out.push(Claimed {
            name: name.clone(),
            mode,
            rel: None,
        }),
    };
    for e in effects {
        add(&e.table, e.lock);
        for (rel, mode) in &e.also_locks {
            add(rel, Some(*mode));
        }
    }
    out
}

/// The heap an effect's relation stands for (an index stands for its table).
fn heap_of(rel: &Rel) -> i64 {
    rel.heap.unwrap_or(rel.oid)
}

/// Compares held locks (oid → modes) with the claims and with the unclaimed tables.
fn check_locks(
    rec: &mut Recorder,
    claimed: &[Claimed],
    held: &BTreeMap<i64, BTreeSet<LockMode>>,
    tables: &BTreeMap<i64, String>,
    no_locks: &[&str],
    what: &str,
) {
    for c in claimed {
        let Some(rel) = &c.rel else {
            rec.mismatch(
                format!("lock on {}", c.name),
                mode_name(c.mode),
                "relation not found on the server (before or after the statement)",
            );
            continue;
        };
        let strongest = held.get(&rel.oid).and_then(|m| m.iter().max().copied());
        let ok = match c.mode {
            Some(claim) => strongest == Some(claim),
            // No table lock beyond what DML takes.
            None => !matches!(strongest, Some(m) if m > LockMode::RowExclusive),
        };
        if !ok {
            let all: Vec<&str> = held
                .get(&rel.oid)
                .map(|m| m.iter().map(|m| m.pg_name()).collect())
                .unwrap_or_default();
            rec.mismatch(
                format!("lock on {}", c.name),
                mode_name(c.mode),
                format!(
                    "{} ({what}: {})",
                    mode_name(strongest),
                    if all.is_empty() {
                        "none".to_owned()
                    } else {
                        all.join(", ")
                    }
                ),
            );
        }
    }
    let claimed_oids: BTreeSet<i64> = claimed
        .iter()
        .filter_map(|c| c.rel.as_ref())
        .map(|r| r.oid)
        .collect();
    for (oid, name) in tables {
        let modes = held.get(oid);
        if no_locks.contains(&name.as_str()) {
            if let Some(m) = modes.filter(|m| !m.is_empty()) {
                rec.mismatch(
                    format!("no lock on {name}"),
                    "no lock",
                    m.iter().map(|m| m.pg_name()).collect::<Vec<_>>().join(", "),
                );
            }
            continue;
        }
        if claimed_oids.contains(oid) {
            continue;
        }
        if let Some(m) = modes.and_then(|m| m.iter().max()) {
            if m.blocks_writes() {
                rec.mismatch(
                    format!("unclaimed lock on {name}"),
                    "not claimed (nothing that blocks writes)",
                    m.pg_name(),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Method 1: in a transaction
// ---------------------------------------------------------------------------------------------

fn run_in_transaction(db: &TestDatabase, case: &Case, rec: &mut Recorder) {
    let Some(prepared) = prepare(db, case, true, rec) else {
        return;
    };
    // A fresh backend: its scan counters start at zero and nothing else runs on it.
    let mut client = db.connect();
    if let Some(session) = case.session {
        client.batch_execute(session).expect("session setting");
    }
    client.batch_execute("BEGIN").unwrap();

    let mut claimed = claimed_relations(&prepared.effects);
    for c in &mut claimed {
        c.rel = resolve(&mut client, &c.name);
    }
    let tables = user_tables(&mut client);
    // Per effect: its heap, and the scan counters of what belongs to it, before.
    let before: Vec<Option<Baseline>> = prepared
        .effects
        .iter()
        .map(|e| {
            let rel = claimed.iter().find(|c| c.name == e.table)?.rel.clone()?;
            let heap = heap_of(&rel);
            let heap_node = relfilenode(&mut client, heap)?;
            let rels = scan_relations(&mut client, heap);
            Some((heap, heap_node, numscans(&mut client, &rels, true)))
        })
        .collect();

    if let Err(e) = client.batch_execute(case.statement) {
        let code = sqlstate(&e);
        match case.expect_error {
            Some(want) if code.as_deref() == Some(want) => {}
            Some(want) => rec.mismatch(
                "statement fails",
                format!("SQLSTATE {want}"),
                describe_error(&e),
            ),
            None => rec.mismatch("statement runs", "runs", describe_error(&e)),
        }
        let _ = client.batch_execute("ROLLBACK");
        return;
    }
    if let Some(want) = case.expect_error {
        rec.mismatch("statement fails", format!("SQLSTATE {want}"), "succeeded");
        let _ = client.batch_execute("ROLLBACK");
        return;
    }

    // Relations the statement created (CREATE TABLE).
    for c in &mut claimed {
        if c.rel.is_none() {
            c.rel = resolve(&mut client, &c.name);
        }
    }
    let mut held: BTreeMap<i64, BTreeSet<LockMode>> = BTreeMap::new();
    for row in client
        .query(
            "SELECT l.relation::int8, l.mode FROM pg_locks l
             WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .unwrap()
    {
        let mode: String = row.get(1);
        let mode =
            LockMode::from_pg_name(&mode).unwrap_or_else(|| panic!("unknown lock mode {mode}"));
        held.entry(row.get(0)).or_default().insert(mode);
    }
    check_locks(rec, &claimed, &held, &tables, case.no_locks, "held");
    if std::env::var_os("TACK_PROVEN_TRACE").is_some() {
        let shown: Vec<String> = claimed
            .iter()
            .map(|c| {
                let modes: Vec<&str> = c
                    .rel
                    .as_ref()
                    .and_then(|r| held.get(&r.oid))
                    .map(|m| m.iter().map(|m| m.pg_name()).collect())
                    .unwrap_or_default();
                format!(
                    "{} claimed {} held [{}]",
                    c.name,
                    mode_name(c.mode),
                    modes.join(", ")
                )
            })
            .collect();
        rec.note(format!(
            "effects {:?}; {}",
            prepared.effects,
            shown.join("; ")
        ));
    }

    for (effect, before) in prepared.effects.iter().zip(&before) {
        // A relation the statement created (CREATE TABLE) had nothing to rewrite or read; its
        // own index builds scan an empty heap.
        let Some((heap, node_before, scans_before)) = before.clone() else {
            continue;
        };
        // Rewrite: a dropped table was not rewritten.
        let node_after = relfilenode(&mut client, heap);
        let rewritten = node_after.is_some_and(|n| n != node_before);
        if let Some(why) = case.skip_rewrite {
            rec.note(format!(
                "rewrite not checked (relfilenode changed: {rewritten}): {why}"
            ));
        } else if effect.rewrite != rewritten {
            rec.mismatch(
                format!("rewrite of {}", effect.table),
                format!("rewrite = {}", effect.rewrite),
                format!(
                    "relfilenode {} ({node_before} -> {})",
                    if rewritten { "changed" } else { "unchanged" },
                    node_after
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "dropped".into())
                ),
            );
        }
        // Scan.
        let mut rels: BTreeSet<i64> = scan_relations(&mut client, heap).into_iter().collect();
        rels.extend(scans_before.keys());
        let rels: Vec<i64> = rels.into_iter().collect();
        let after = numscans(&mut client, &rels, true);
        let delta: i64 = after.values().sum::<i64>() - scans_before.values().sum::<i64>();
        let claimed_scan = effect.scan || effect.rewrite;
        if claimed_scan != (delta > 0) {
            rec.mismatch(
                format!("scan of {}", effect.table),
                format!("scan || rewrite = {claimed_scan}"),
                format!("{delta} scan(s) started in the transaction"),
            );
        }
    }
    client.batch_execute("ROLLBACK").unwrap();
}

// ---------------------------------------------------------------------------------------------
// Method 2: concurrently, outside a transaction block
// ---------------------------------------------------------------------------------------------

fn backend_pid(client: &mut Client) -> i32 {
    client
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0)
}

/// Polls `pg_stat_activity` (fresh snapshot per autocommit query) until `pid` satisfies `cond`.
fn wait_for(
    client: &mut Client,
    pid: i32,
    timeout: Duration,
    mut cond: impl FnMut(Option<&str>, Option<&str>) -> bool,
) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        let row = client
            .query_opt(
                "SELECT state, wait_event_type FROM pg_stat_activity WHERE pid = $1",
                &[&pid],
            )
            .unwrap();
        let (state, wait): (Option<String>, Option<String>) = match &row {
            Some(r) => (r.get(0), r.get(1)),
            None => (None, None),
        };
        if cond(state.as_deref(), wait.as_deref()) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Runs `sql` with `lock_timeout = '200ms'`: Ok(true) when it timed out waiting for a lock.
fn blocked(client: &mut Client, sql: &str) -> Result<bool, String> {
    match client.batch_execute(sql) {
        Ok(()) => Ok(false),
        Err(e) if sqlstate(&e).as_deref() == Some("55P03") => Ok(true),
        Err(e) => Err(describe_error(&e)),
    }
}

/// While the statement waits: a write and a read on the probe table, each blocked exactly when
/// the lock claimed on that table conflicts with the one they need.
fn probe(rec: &mut Recorder, db: &TestDatabase, spec: &Concurrent, claimed: &[Claimed]) {
    let probe_claim = claimed
        .iter()
        .find(|c| c.name == QualifiedName::unqualified(spec.probe_table))
        .and_then(|c| c.mode)
        .unwrap_or(LockMode::AccessShare);
    let mut prober = db.connect();
    prober.batch_execute("SET lock_timeout = '200ms'").unwrap();
    for (what, sql, against) in [
        ("write", spec.write_probe, LockMode::RowExclusive),
        ("read", spec.read_probe, LockMode::AccessShare),
    ] {
        let expect = probe_claim.conflicts_with(against);
        match blocked(&mut prober, sql) {
            Ok(got) if got == expect => {}
            Ok(got) => rec.mismatch(
                format!("concurrent {what} on {}", spec.probe_table),
                format!(
                    "{} ({} {} {})",
                    if expect { "blocked" } else { "proceeds" },
                    probe_claim.pg_name(),
                    if expect { "conflicts with" } else { "allows" },
                    against.pg_name()
                ),
                if got {
                    "blocked (lock_timeout)"
                } else {
                    "proceeded"
                },
            ),
            Err(e) => rec.mismatch(
                format!("concurrent {what} on {}", spec.probe_table),
                "runs or times out",
                format!("failed: {e}"),
            ),
        }
    }
}

fn run_concurrent(
    db: &TestDatabase,
    poller_db: &TestDatabase,
    case: &Case,
    spec: &Concurrent,
    rec: &mut Recorder,
) {
    let Some(prepared) = prepare(db, case, false, rec) else {
        return;
    };
    let major = prepared.version.major;
    let mut obs = db.connect();
    let mut claimed = claimed_relations(&prepared.effects);
    for c in &mut claimed {
        c.rel = resolve(&mut obs, &c.name);
    }
    let tables = user_tables(&mut obs);
    let db_oid: i64 = obs
        .query_one(
            "SELECT oid::int8 FROM pg_database WHERE datname = current_database()",
            &[],
        )
        .unwrap()
        .get(0);
    let counters = major >= 15;
    let before: Vec<Option<Baseline>> = prepared
        .effects
        .iter()
        .map(|e| {
            let rel = claimed.iter().find(|c| c.name == e.table)?.rel.clone()?;
            let heap = heap_of(&rel);
            let node = relfilenode(&mut obs, heap)?;
            let rels = scan_relations(&mut obs, heap);
            let scans = if counters {
                numscans(&mut obs, &rels, false)
            } else {
                BTreeMap::new()
            };
            Some((heap, node, scans))
        })
        .collect();

    // The blockers: open transactions the statement has to wait for (see `Concurrent`).
    let mut blockers: Vec<(Client, i32)> = spec
        .blockers
        .iter()
        .map(|sql| {
            let mut c = db.connect();
            // The pid first: a prepared query inside the transaction could leave a catalog
            // snapshot (an xmin) behind, which snapshot waits would then wait for too.
            let pid = backend_pid(&mut c);
            c.batch_execute(sql).unwrap_or_else(|e| {
                panic!("{}: blocker `{sql}`: {}", case.name, describe_error(&e))
            });
            (c, pid)
        })
        .collect();

    // The stop signal for the poller: an advisory lock held by `stop`, in the poller's database.
    let mut stop = poller_db.connect();
    stop.batch_execute("SELECT pg_advisory_lock(4711)").unwrap();
    let stop_pid = backend_pid(&mut stop);

    let mut runner = db.connect();
    runner
        .batch_execute("SET statement_timeout = '60s'")
        .unwrap();
    let runner_pid = backend_pid(&mut runner);

    let mut poller = poller_db.connect();
    let poller_pid = backend_pid(&mut poller);
    poller
        .batch_execute(
            "SET statement_timeout = '90s';
             CREATE TEMP TABLE IF NOT EXISTS seen (rel int8, mode text, granted bool, PRIMARY KEY (rel, mode, granted));
             TRUNCATE seen;",
        )
        .unwrap();
    let poll_sql = format!(
        "DO $$ DECLARE go bool := true; BEGIN
           WHILE go LOOP
             WITH l AS MATERIALIZED (
               SELECT locktype, database, relation, mode, granted, pid FROM pg_locks
               WHERE pid IN ({runner_pid}, {stop_pid})
             ), ins AS (
               INSERT INTO seen
               SELECT DISTINCT relation::int8, mode, granted FROM l
               WHERE pid = {runner_pid} AND locktype = 'relation' AND database = {db_oid}
               ON CONFLICT DO NOTHING
             )
             SELECT EXISTS (SELECT 1 FROM l WHERE pid = {stop_pid} AND locktype = 'advisory') INTO go;
           END LOOP;
         END $$"
    );

    std::thread::scope(|s| {
        let poll = s.spawn(move || {
            poller
                .batch_execute(&poll_sql)
                .map_err(|e| describe_error(&e))?;
            let rows = poller
                .query("SELECT rel, mode, granted FROM seen", &[])
                .map_err(|e| describe_error(&e))?;
            Ok::<_, String>(
                rows.iter()
                    .map(|r| {
                        (
                            r.get::<_, i64>(0),
                            r.get::<_, String>(1),
                            r.get::<_, bool>(2),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
        });
        let polling = wait_for(&mut obs, poller_pid, Duration::from_secs(10), |state, _| {
            state == Some("active")
        });
        assert!(polling, "{}: the lock poller did not start", case.name);

        let statement = case.statement;
        let run = s.spawn(move || {
            let result = runner
                .batch_execute(statement)
                .map_err(|e| describe_error(&e));
            if counters {
                // Flush this backend's counters (the next round trip waits for the flush).
                runner
                    .batch_execute("SELECT pg_stat_force_next_flush()")
                    .unwrap();
                runner.batch_execute("SELECT 1").unwrap();
            }
            result
        });

        // Stage by stage, the statement stops at a blocker, holding or queueing for its locks.
        let mut staged: Vec<(i64, String)> = Vec::new();
        for (stage, (blocker, blocker_pid)) in blockers.iter_mut().enumerate() {
            let deadline = Instant::now() + Duration::from_secs(10);
            let waiting = loop {
                let blocked_by: bool = obs
                    .query_one(
                        "SELECT $2 = ANY (pg_blocking_pids($1))",
                        &[&runner_pid, &*blocker_pid],
                    )
                    .unwrap()
                    .get(0);
                if blocked_by {
                    break true;
                }
                if run.is_finished() || Instant::now() > deadline {
                    break false;
                }
                std::thread::sleep(Duration::from_millis(2));
            };
            if !waiting {
                rec.mismatch(
                    "method",
                    format!(
                        "the statement waits for blocker {}: {}",
                        stage + 1,
                        spec.blockers[stage]
                    ),
                    "it did not wait for it (finished, failed, or waited on something else)",
                );
            } else {
                // What the statement holds or waits for at this stage, read here rather than
                // left to the poller's timing.
                for r in obs
                    .query(
                        "SELECT relation::int8, mode FROM pg_locks
                         WHERE pid = $1 AND locktype = 'relation' AND database = $2::int8::oid",
                        &[&runner_pid, &db_oid],
                    )
                    .unwrap()
                {
                    staged.push((r.get(0), r.get(1)));
                }
                if std::env::var_os("TACK_PROVEN_TRACE").is_some() {
                    let locks: Vec<String> = obs
                        .query(
                            "SELECT coalesce(relation::regclass::text, locktype) || ' ' || mode || CASE WHEN granted THEN '' ELSE ' (waiting)' END
                             FROM pg_locks WHERE pid = $1 ORDER BY 1",
                            &[&runner_pid],
                        )
                        .unwrap()
                        .iter()
                        .map(|r| r.get(0))
                        .collect();
                    let wait: Option<String> = obs
                        .query_one(
                            "SELECT wait_event FROM pg_stat_activity WHERE pid = $1",
                            &[&runner_pid],
                        )
                        .unwrap()
                        .get(0);
                    rec.note(format!(
                        "stage {}: waiting on {wait:?}, locks: {}",
                        stage + 1,
                        locks.join("; ")
                    ));
                }
                if stage == 0 {
                    probe(rec, db, spec, &claimed);
                }
            }
            blocker.batch_execute("COMMIT").unwrap();
        }

        let result = run.join().expect("statement thread");
        stop.batch_execute("SELECT pg_advisory_unlock(4711)")
            .unwrap();
        let seen = poll.join().expect("poller thread");

        if let Err(e) = result {
            rec.mismatch("statement runs", "runs", e);
            return;
        }
        let seen = match seen {
            Ok(seen) => seen,
            Err(e) => {
                rec.mismatch("lock poller", "polls", e);
                return;
            }
        };
        let mut held: BTreeMap<i64, BTreeSet<LockMode>> = BTreeMap::new();
        let polled = seen.iter().map(|(rel, mode, _granted)| (rel, mode));
        for (rel, mode) in polled.chain(staged.iter().map(|(r, m)| (r, m))) {
            let mode =
                LockMode::from_pg_name(mode).unwrap_or_else(|| panic!("unknown lock mode {mode}"));
            held.entry(*rel).or_default().insert(mode);
        }
        for c in &mut claimed {
            if c.rel.is_none() {
                c.rel = resolve(&mut obs, &c.name);
            }
        }
        check_locks(
            rec,
            &claimed,
            &held,
            &tables,
            case.no_locks,
            "held or requested while it ran",
        );

        for (effect, before) in prepared.effects.iter().zip(&before) {
            let Some((heap, node_before, scans_before)) = before.clone() else {
                continue;
            };
            let node_after = relfilenode(&mut obs, heap);
            let rewritten = node_after.is_some_and(|n| n != node_before);
            if effect.rewrite != rewritten {
                rec.mismatch(
                    format!("rewrite of {}", effect.table),
                    format!("rewrite = {}", effect.rewrite),
                    format!(
                        "relfilenode {}",
                        if rewritten { "changed" } else { "unchanged" }
                    ),
                );
            }
            if !counters {
                rec.note("scan not checked: needs pg_stat_force_next_flush() (PostgreSQL 15+)");
                continue;
            }
            let mut rels: BTreeSet<i64> = scan_relations(&mut obs, heap).into_iter().collect();
            rels.extend(scans_before.keys());
            let rels: Vec<i64> = rels.into_iter().collect();
            let after = numscans(&mut obs, &rels, false);
            // Relations that exist only after the statement (a new index) started at zero.
            let delta: i64 = after.values().sum::<i64>() - scans_before.values().sum::<i64>();
            let claimed_scan = effect.scan || effect.rewrite;
            if claimed_scan != (delta > 0) {
                rec.mismatch(
                    format!("scan of {}", effect.table),
                    format!("scan || rewrite = {claimed_scan}"),
                    format!("{delta} scan(s) counted"),
                );
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

struct VersionRun {
    version: String,
    run: usize,
    concurrent: usize,
    skipped: usize,
    elapsed: Duration,
    outcome: Outcome,
}

fn run_server(server: &'static Server, cases: &[Case]) -> VersionRun {
    let started = Instant::now();
    let version = {
        let mut c = server.connect_admin();
        let v: String = c.query_one("SHOW server_version", &[]).unwrap().get(0);
        v.split_whitespace().next().unwrap_or(&v).to_owned()
    };
    let mut outcome = Outcome::default();
    let (mut run, mut concurrent, mut skipped) = (0, 0, 0);
    let mut poller_db: Option<TestDatabase> = None;
    // `TACK_PROVEN_ONLY=text`: only the cases whose name contains `text`.
    let only = std::env::var("TACK_PROVEN_ONLY").unwrap_or_default();
    for case in cases {
        if !case.name.contains(only.as_str()) {
            continue;
        }
        if !case.applies_to(server.major()) {
            skipped += 1;
            continue;
        }
        run += 1;
        let db = server.create_database();
        let mut rec = Recorder {
            case: case.name,
            version: version.clone(),
            out: &mut outcome,
        };
        match &case.method {
            Method::InTransaction => run_in_transaction(&db, case, &mut rec),
            Method::Concurrent(spec) => {
                concurrent += 1;
                let poller_db = poller_db.get_or_insert_with(|| server.create_database());
                run_concurrent(&db, poller_db, case, spec, &mut rec);
            }
        }
    }
    VersionRun {
        version,
        run,
        concurrent,
        skipped,
        elapsed: started.elapsed(),
        outcome,
    }
}

#[test]
fn claims_match_what_the_server_does() {
    let cases = cases();
    let servers = tack_testkit::servers();
    assert!(!servers.is_empty(), "no PostgreSQL server to test against");
    // One thread per server: the versions are independent.
    let runs: Vec<VersionRun> = std::thread::scope(|s| {
        let handles: Vec<_> = servers
            .iter()
            .map(|&server| {
                let cases = &cases;
                s.spawn(move || run_server(server, cases))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("server thread"))
            .collect()
    });

    let mut mismatches = Vec::new();
    let mut idle = Vec::new();
    for r in runs {
        if r.run == 0 {
            idle.push(r.version.clone());
        }
        println!(
            "PostgreSQL {}: {} cases run ({} by the concurrent method), {} not applicable, {:.1} s, {} mismatch(es)",
            r.version,
            r.run,
            r.concurrent,
            r.skipped,
            r.elapsed.as_secs_f64(),
            r.outcome.mismatches.len()
        );
        for n in &r.outcome.notes {
            println!("  note: {n}");
        }
        mismatches.extend(r.outcome.mismatches);
    }
    assert!(
        idle.is_empty(),
        "no case ran on PostgreSQL {} (TACK_PROVEN_ONLY={:?} matches no applicable case?): \
         nothing was proven there",
        idle.join(", "),
        std::env::var("TACK_PROVEN_ONLY").unwrap_or_default()
    );
    if mismatches.is_empty() {
        return;
    }
    let w = |f: fn(&Mismatch) -> &str, title: &str| {
        mismatches
            .iter()
            .map(|m| f(m).chars().count())
            .max()
            .unwrap_or(0)
            .max(title.len())
    };
    let (wc, wv, wk, wl) = (
        w(|m| m.case, "case"),
        w(|m| &m.version, "pg"),
        w(|m| &m.check, "check"),
        w(|m| &m.claim, "claim"),
    );
    let mut table = format!(
        "{:wc$} | {:wv$} | {:wk$} | {:wl$} | observed\n",
        "case", "pg", "check", "claim"
    );
    let _ = writeln!(table, "{}", "-".repeat(wc + wv + wk + wl + 30));
    for m in &mismatches {
        let _ = writeln!(
            table,
            "{:wc$} | {:wv$} | {:wk$} | {:wl$} | {}",
            m.case, m.version, m.check, m.claim, m.observed
        );
    }
    panic!(
        "{} mismatch(es) between the rule base's claims and the servers:\n{table}",
        mismatches.len()
    );
}
