//! Schema introspection: reads a live database's schema into the normalized
//! [`SchemaModel`](crate::schema::SchemaModel) that `schema::diff` compares and fingerprints.
//!
//! # How
//!
//! A fixed number of catalog queries (one per kind of object, see [`introspect`]), whatever the
//! number of tables, sent together (tokio-postgres pipelines concurrent queries on one
//! connection) inside one `REPEATABLE READ READ ONLY` transaction, so every query sees the same
//! snapshot. Child rows (columns, constraints, indexes, triggers) are attached to their relation
//! in Rust by OID; OIDs never reach the model. Nothing depends on the order rows arrive in: maps
//! are sorted by key and columns by `attnum`.
//!
//! The cost is dominated by PostgreSQL's deparsers, `pg_get_indexdef` above all (it looks up
//! each key column's default operator class by scanning `pg_opclass`), so the queries avoid
//! everything else that grows with the schema: no `ORDER BY`, comments joined rather than
//! fetched per row, extension membership read once rather than anti-joined in every query.
//!
//! # Normalization
//!
//! Definitions are PostgreSQL's own deparsed text. That text depends on session settings, so the
//! transaction pins them (`SET LOCAL` semantics, undone when it ends):
//! - `search_path` is empty (as `pg_dump` does), so every name outside `pg_catalog` is written
//!   schema-qualified (`public.mood`, `nextval('public.t_id_seq'::regclass)`) whatever the
//!   caller's path is;
//! - `DateStyle`, `IntervalStyle`, `TimeZone`, `extra_float_digits`, `bytea_output` and
//!   `standard_conforming_strings` are fixed, because constants in defaults, checks and partition
//!   bounds are printed with them.
//!
//! Map keys are quoted by the server (`quote_ident`, `format('%I.%I')`): `public.orders`,
//! `"Billing"."Invoice"`. Names inside maps (constraints, indexes, triggers, domain checks) are
//! quoted the same way, as is [`Index::constraint`] so it matches the constraint's key; column
//! names (`Column::name`, view columns) are raw `attname`s, as the model says.
//!
//! Left out: the system schemas (`pg_catalog`, `information_schema`, `pg_toast*`, `pg_temp*`),
//! tack's own `tack` schema, every object that belongs to an extension (`pg_depend` deptype `e`),
//! built-in extensions (`plpgsql`, created by `initdb`: `pg_dump` leaves it out too), identity
//! sequences (part of their column), internal triggers (foreign keys' and the like), aggregates,
//! and what a partition inherits from its parent: constraints, indexes and triggers cloned from
//! the parent's (`conparentid`, attached index partitions, `tgparentid`) and CHECK constraints
//! that are not local. Those are created by `PARTITION OF`/`ATTACH PARTITION`, so listing them
//! again would make a diff create them twice.
//!
//! # Caveats
//!
//! Needs PostgreSQL 13 or later (`pg_trigger.tgparentid`). Must be called outside a
//! transaction: it runs its own and ends it. Some deparsers briefly take `ACCESS SHARE` on the
//! table they describe, so introspection waits while a table is locked `ACCESS EXCLUSIVE` (by a
//! running `ALTER TABLE`, say); it releases each lock at once. The deparsers read the catalogs
//! as they are now rather than as of the transaction's snapshot (as they do for `pg_dump`), so
//! DDL committed while introspection runs can make it fail (an object gone between the scan
//! and its deparsing); running it again then succeeds.

use crate::schema::model::{
    Column, Constraint, ConstraintKind, Domain, DomainCheck, EnumType, Extension, Function,
    FunctionKind, Identity, Index, Namespace, PartitionOf, SchemaModel, Sequence, Table, TableKind,
    Trigger, View,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use tokio_postgres::{Client, Error, Row};

/// Opens the snapshot and pins the settings the deparsers' output depends on (`is_local` =
/// true: they end with the transaction, leaving the caller's session as it was). Parallel query
/// is off: catalog scans are small, workers only add start-up cost, and a schema tool should
/// not take a production server's parallel workers. Nested loops are off: the catalog's row
/// estimates for these joins are far too low (the materialized schema list counts as one row), so
/// the planner chose a nested loop of every index against every table comment — 4.2 s for
/// 20,000 indexes and 5,000 comments, against 0.7 s with hash joins.
const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
    SELECT pg_catalog.set_config('search_path', '', true), \
           pg_catalog.set_config('DateStyle', 'ISO, MDY', true), \
           pg_catalog.set_config('IntervalStyle', 'postgres', true), \
           pg_catalog.set_config('TimeZone', 'UTC', true), \
           pg_catalog.set_config('extra_float_digits', '3', true), \
           pg_catalog.set_config('bytea_output', 'hex', true), \
           pg_catalog.set_config('standard_conforming_strings', 'on', true), \
           pg_catalog.set_config('quote_all_identifiers', 'off', true), \
           pg_catalog.set_config('max_parallel_workers_per_gather', '0', true), \
           pg_catalog.set_config('enable_nestloop', 'off', true)";

// The queries below run with an empty search_path: pg_catalog is searched implicitly (and
// first), so catalog names need no qualification and no user object can shadow them.
//
// Comments are `LEFT JOIN`s of pg_description rather than obj_description()/col_description():
// those are SQL functions run once per row, which adds up over tens of thousands of columns.

/// The prefix of every query about objects in schemas: `n`, the user's schemas. User schemas
/// cannot be named `pg_*`, so the pattern only meets the toast and temporary schemas; `tack` is
/// tack's own state. Materialized so the filter runs once per schema, not once per object (the
/// planner likes a nested loop over so few schemas).
macro_rules! user_schemas {
    () => {
        "WITH n AS MATERIALIZED (\
            SELECT oid, nspname FROM pg_namespace \
            WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'tack') \
              AND nspname !~ '^pg_(toast|temp)') "
    };
}

/// Objects that belong to an extension: few rows, read once and filtered in Rust rather than
/// anti-joined in every query (each anti-join scans `pg_depend`, which grows with the schema).
const MEMBERS_SQL: &str =
    "SELECT classid::regclass::text, objid FROM pg_depend WHERE deptype = 'e'";

const SCHEMAS_SQL: &str = concat!(
    user_schemas!(),
    "SELECT n.oid, quote_ident(n.nspname), d.description \
    FROM n \
    LEFT JOIN pg_description d ON d.objoid = n.oid \
         AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0"
);

/// Extensions created after `initdb` (OID at or above `FirstNormalObjectId`, 16384): `plpgsql`
/// is in every database and no user's doing.
const EXTENSIONS_SQL: &str = "SELECT quote_ident(x.extname), quote_ident(n.nspname), x.extversion \
    FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace \
    WHERE x.oid >= 16384";

const ENUMS_SQL: &str = concat!(
    user_schemas!(),
    "SELECT t.oid, format('%I.%I', n.nspname, t.typname), \
        array(SELECT l.enumlabel::text FROM pg_enum l WHERE l.enumtypid = t.oid \
              ORDER BY l.enumsortorder), \
        d.description \
    FROM pg_type t JOIN n ON n.oid = t.typnamespace \
    LEFT JOIN pg_description d ON d.objoid = t.oid \
         AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0 \
    WHERE t.typtype = 'e'"
);

/// The collation only when it differs from the base type's (as the model says).
const DOMAINS_SQL: &str = concat!(
    user_schemas!(),
    "SELECT t.oid, format('%I.%I', n.nspname, t.typname), \
        format_type(t.typbasetype, t.typtypmod), t.typnotnull, pg_get_expr(t.typdefaultbin, 0), \
        CASE WHEN t.typcollation <> b.typcollation \
             THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END, \
        d.description \
    FROM pg_type t JOIN n ON n.oid = t.typnamespace \
    JOIN pg_type b ON b.oid = t.typbasetype \
    LEFT JOIN pg_collation co ON co.oid = t.typcollation \
    LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace \
    LEFT JOIN pg_description d ON d.objoid = t.oid \
         AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0 \
    WHERE t.typtype = 'd'"
);

/// Only CHECKs: since PostgreSQL 17 a domain's NOT NULL is also a `pg_constraint` row (`n`),
/// but the model keeps it as `Domain::not_null`.
const DOMAIN_CHECKS_SQL: &str = concat!(
    user_schemas!(),
    "SELECT c.contypid, quote_ident(c.conname), \
        pg_get_constraintdef(c.oid), c.convalidated \
    FROM pg_constraint c JOIN pg_type t ON t.oid = c.contypid \
    JOIN n ON n.oid = t.typnamespace \
    WHERE c.contype = 'c' AND t.typtype = 'd'"
);

/// Sequences with their dependency on a column, if any: `i` for an identity column's (left
/// out in Rust), `a` for `OWNED BY` (serial columns).
const SEQUENCES_SQL: &str = concat!(
    user_schemas!(),
    "SELECT c.oid, format('%I.%I', n.nspname, c.relname), \
        format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, \
        s.seqcache, s.seqcycle, dep.deptype::text, \
        quote_ident(owner_n.nspname) || '.' || quote_ident(owner.relname) || '.' \
            || quote_ident(owner_a.attname), \
        d.description \
    FROM pg_class c JOIN n ON n.oid = c.relnamespace \
    JOIN pg_sequence s ON s.seqrelid = c.oid \
    LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid \
         AND dep.refclassid = 'pg_class'::regclass AND dep.refobjsubid > 0 \
         AND dep.deptype IN ('a', 'i') \
    LEFT JOIN pg_class owner ON owner.oid = dep.refobjid \
    LEFT JOIN pg_namespace owner_n ON owner_n.oid = owner.relnamespace \
    LEFT JOIN pg_attribute owner_a ON owner_a.attrelid = dep.refobjid \
         AND owner_a.attnum = dep.refobjsubid \
    LEFT JOIN pg_description d ON d.objoid = c.oid \
         AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0 \
    WHERE c.relkind = 'S'"
);

const TABLES_SQL: &str = concat!(
    user_schemas!(),
    "SELECT c.oid, format('%I.%I', n.nspname, c.relname), c.relkind::text, \
        c.relpersistence = 'u', \
        CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, \
        quote_ident(parent_n.nspname) || '.' || quote_ident(parent.relname), \
        CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END, \
        d.description \
    FROM pg_class c JOIN n ON n.oid = c.relnamespace \
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition \
    LEFT JOIN pg_class parent ON parent.oid = i.inhparent \
    LEFT JOIN pg_namespace parent_n ON parent_n.oid = parent.relnamespace \
    LEFT JOIN pg_description d ON d.objoid = c.oid \
         AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0 \
    WHERE c.relkind IN ('r', 'p')"
);

/// Columns of tables, views and materialized views (views keep only name and type).
/// `pg_attrdef` holds both defaults and generation expressions; `attgenerated` tells which.
/// Only generation expressions can name columns, so only they are deparsed with their table as
/// context: with one, `pg_get_expr` opens the table, which is most of its cost.
///
/// `not_null` means every row is known to be non-null: on PostgreSQL 18 a `NOT NULL NOT VALID`
/// constraint (`contype` `n`, not validated) sets `attnotnull` while rows may still hold nulls,
/// so such a column counts as nullable (`SET NOT NULL` is what would make it so).
const COLUMNS_SQL: &str = concat!(
    user_schemas!(),
    "SELECT a.attrelid, a.attnum, a.attname::text, \
        format_type(a.atttypid, a.atttypmod), a.attnotnull AND nn.oid IS NULL, \
        a.attidentity::text, \
        a.attgenerated::text, \
        pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE ad.adrelid END), \
        CASE WHEN a.attcollation <> t.typcollation \
             THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END, \
        d.description \
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
    JOIN n ON n.oid = c.relnamespace \
    JOIN pg_type t ON t.oid = a.atttypid \
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
    LEFT JOIN pg_collation co ON co.oid = a.attcollation \
    LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace \
    LEFT JOIN pg_description d ON d.objoid = a.attrelid \
         AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum \
    LEFT JOIN pg_constraint nn ON nn.conrelid = a.attrelid AND nn.contype = 'n' \
         AND NOT nn.convalidated AND nn.conkey[1] = a.attnum \
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm')"
);

/// Table constraints, without NOT NULL (`n`, PostgreSQL 18: a column property in the model) and
/// trigger constraints (`t`: their trigger is listed). Clones of a parent's constraint
/// (`conparentid`: on partitions, and on tables referencing a partitioned table, one per
/// partition, under the same name) and CHECKs a partition only inherits are left out: the
/// parent's constraint makes them.
const CONSTRAINTS_SQL: &str = concat!(
    user_schemas!(),
    "SELECT k.conrelid, quote_ident(k.conname), k.contype::text, \
        pg_get_constraintdef(k.oid), k.convalidated, \
        quote_ident(ref_n.nspname) || '.' || quote_ident(ref.relname), \
        d.description \
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
    JOIN n ON n.oid = c.relnamespace \
    LEFT JOIN pg_class ref ON ref.oid = k.confrelid AND k.contype = 'f' \
    LEFT JOIN pg_namespace ref_n ON ref_n.oid = ref.relnamespace \
    LEFT JOIN pg_description d ON d.objoid = k.oid \
         AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0 \
    WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND k.conparentid = 0 \
      AND NOT (c.relispartition AND NOT k.conislocal) AND c.relkind IN ('r', 'p')"
);

/// Indexes of tables and materialized views, with the constraint each one backs. Index
/// partitions attached to a partitioned index are left out (the parent index makes them).
const INDEXES_SQL: &str = concat!(
    user_schemas!(),
    "SELECT x.indrelid, quote_ident(ic.relname), \
        pg_get_indexdef(x.indexrelid), x.indisunique, am.amname::text, \
        pg_get_expr(x.indpred, x.indrelid), x.indisvalid, quote_ident(k.conname), d.description \
    FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid \
    JOIN pg_am am ON am.oid = ic.relam \
    JOIN pg_class c ON c.oid = x.indrelid \
    JOIN n ON n.oid = c.relnamespace \
    LEFT JOIN pg_constraint k ON k.conindid = x.indexrelid AND k.conrelid = x.indrelid \
         AND k.contype IN ('p', 'u', 'x') \
    LEFT JOIN pg_description d ON d.objoid = x.indexrelid \
         AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0 \
    WHERE NOT ic.relispartition AND c.relkind IN ('r', 'p', 'm')"
);

/// User triggers of tables: not internal ones (foreign keys' and the like), not clones of a
/// partitioned table's trigger.
const TRIGGERS_SQL: &str = concat!(
    user_schemas!(),
    "SELECT g.tgrelid, quote_ident(g.tgname), pg_get_triggerdef(g.oid), \
        g.tgenabled::text, d.description \
    FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid \
    JOIN n ON n.oid = c.relnamespace \
    LEFT JOIN pg_description d ON d.objoid = g.oid \
         AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0 \
    WHERE NOT g.tgisinternal AND g.tgparentid = 0 AND c.relkind IN ('r', 'p')"
);

const VIEWS_SQL: &str = concat!(
    user_schemas!(),
    "SELECT c.oid, format('%I.%I', n.nspname, c.relname), c.relkind = 'm', \
        pg_get_viewdef(c.oid, true), d.description \
    FROM pg_class c JOIN n ON n.oid = c.relnamespace \
    LEFT JOIN pg_description d ON d.objoid = c.oid \
         AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0 \
    WHERE c.relkind IN ('v', 'm')"
);

/// The views and materialized views each view's query reads: its `_RETURN` rule depends on
/// every relation (and column) it references. The rule also depends on its own view.
const VIEW_DEPENDENCIES_SQL: &str = concat!(
    user_schemas!(),
    "SELECT DISTINCT r.ev_class, \
        quote_ident(used_n.nspname) || '.' || quote_ident(used.relname) \
    FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class \
    JOIN n ON n.oid = c.relnamespace \
    JOIN pg_depend dep ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = r.oid \
         AND dep.refclassid = 'pg_class'::regclass \
    JOIN pg_class used ON used.oid = dep.refobjid AND used.relkind IN ('v', 'm') \
         AND used.oid <> r.ev_class \
    JOIN pg_namespace used_n ON used_n.oid = used.relnamespace \
    WHERE c.relkind IN ('v', 'm')"
);

/// Functions, procedures and window functions. Aggregates are not in the model
/// (`pg_get_functiondef` refuses them).
const FUNCTIONS_SQL: &str = concat!(
    user_schemas!(),
    "SELECT p.oid, \
        format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), \
        p.prokind::text, pg_get_functiondef(p.oid), \
        CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END, \
        d.description \
    FROM pg_proc p JOIN n ON n.oid = p.pronamespace \
    LEFT JOIN pg_description d ON d.objoid = p.oid \
         AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0 \
    WHERE p.prokind IN ('f', 'p', 'w')"
);

/// Reads the schema of the database `client` is connected to.
///
/// Runs fifteen queries, whatever the size of the schema, in one `REPEATABLE READ READ ONLY`
/// transaction that it opens and ends (so call it outside a transaction): extension members,
/// schemas, extensions, enums, domains, domain checks, sequences, tables, columns (of tables and
/// views), constraints, indexes, triggers, views, view dependencies and functions, with comments
/// joined into each. See the [module docs](self) for what is normalized and what is left out.
pub async fn introspect(client: &Client) -> Result<SchemaModel, Error> {
    client.batch_execute(BEGIN).await?;
    let model = read(client).await;
    // Read only: nothing to keep, and ending the transaction also restores the settings. After
    // a failed query the transaction is aborted; ROLLBACK ends it either way.
    let ended = client.batch_execute("ROLLBACK").await;
    let model = model?;
    ended?;
    Ok(model)
}

async fn read(client: &Client) -> Result<SchemaModel, Error> {
    // Sent together: tokio-postgres pipelines concurrent queries on one connection, so the
    // server runs them back to back while earlier results are being decoded.
    let (
        members,
        schemas,
        extensions,
        enums,
        domains,
        domain_checks,
        sequences,
        tables,
        columns,
        constraints,
        indexes,
        triggers,
        views,
        view_deps,
        functions,
    ) = tokio::try_join!(
        client.query(MEMBERS_SQL, &[]),
        client.query(SCHEMAS_SQL, &[]),
        client.query(EXTENSIONS_SQL, &[]),
        client.query(ENUMS_SQL, &[]),
        client.query(DOMAINS_SQL, &[]),
        client.query(DOMAIN_CHECKS_SQL, &[]),
        client.query(SEQUENCES_SQL, &[]),
        client.query(TABLES_SQL, &[]),
        client.query(COLUMNS_SQL, &[]),
        client.query(CONSTRAINTS_SQL, &[]),
        client.query(INDEXES_SQL, &[]),
        client.query(TRIGGERS_SQL, &[]),
        client.query(VIEWS_SQL, &[]),
        client.query(VIEW_DEPENDENCIES_SQL, &[]),
        client.query(FUNCTIONS_SQL, &[]),
    )?;
    let members = Members::read(&members)?;

    let mut model = SchemaModel::default();
    for row in &schemas {
        if members.namespace(row)? {
            continue;
        }
        model.schemas.insert(
            row.try_get(1)?,
            Namespace {
                comment: row.try_get(2)?,
            },
        );
    }
    for row in &extensions {
        model.extensions.insert(
            row.try_get(0)?,
            Extension {
                schema: row.try_get(1)?,
                version: row.try_get(2)?,
            },
        );
    }
    for row in &enums {
        if members.type_(row)? {
            continue;
        }
        model.enums.insert(
            row.try_get(1)?,
            EnumType {
                labels: row.try_get(2)?,
                comment: row.try_get(3)?,
            },
        );
    }
    model.domains = read_domains(&members, &domains, &domain_checks)?;
    for row in &sequences {
        let dependency: Option<String> = row.try_get(9)?;
        if members.class(row)? || dependency.as_deref() == Some("i") {
            continue;
        }
        model.sequences.insert(
            row.try_get(1)?,
            Sequence {
                data_type: row.try_get(2)?,
                start: row.try_get(3)?,
                increment: row.try_get(4)?,
                min_value: row.try_get(5)?,
                max_value: row.try_get(6)?,
                cache: row.try_get(7)?,
                cycle: row.try_get(8)?,
                owned_by: row.try_get(10)?,
                comment: row.try_get(11)?,
            },
        );
    }
    read_relations(
        &mut model,
        &members,
        Relations {
            tables: &tables,
            columns: &columns,
            constraints: &constraints,
            indexes: &indexes,
            triggers: &triggers,
            views: &views,
            view_deps: &view_deps,
        },
    )?;
    for row in &functions {
        if members.proc(row)? {
            continue;
        }
        let kind: String = row.try_get(2)?;
        model.functions.insert(
            row.try_get(1)?,
            Function {
                kind: if kind == "p" {
                    FunctionKind::Procedure
                } else {
                    FunctionKind::Function
                },
                definition: row.try_get(3)?,
                result: row.try_get(4)?,
                comment: row.try_get(5)?,
            },
        );
    }
    Ok(model)
}

/// OIDs of the objects that belong to an extension, by catalog. (OIDs are unique per catalog,
/// not across catalogs, hence one set each.)
#[derive(Default)]
struct Members {
    namespaces: HashSet<u32>,
    types: HashSet<u32>,
    classes: HashSet<u32>,
    procs: HashSet<u32>,
}

impl Members {
    fn read(rows: &[Row]) -> Result<Self, Error> {
        let mut members = Members::default();
        for row in rows {
            let catalog: String = row.try_get(0)?;
            let set = match catalog.as_str() {
                "pg_namespace" => &mut members.namespaces,
                "pg_type" => &mut members.types,
                "pg_class" => &mut members.classes,
                "pg_proc" => &mut members.procs,
                // Operators, casts and the like: not in the model.
                _ => continue,
            };
            set.insert(row.try_get(1)?);
        }
        Ok(members)
    }

    // Each takes a row whose first column is the object's OID.
    fn namespace(&self, row: &Row) -> Result<bool, Error> {
        Ok(self.namespaces.contains(&row.try_get::<_, u32>(0)?))
    }
    fn type_(&self, row: &Row) -> Result<bool, Error> {
        Ok(self.types.contains(&row.try_get::<_, u32>(0)?))
    }
    fn class(&self, row: &Row) -> Result<bool, Error> {
        Ok(self.classes.contains(&row.try_get::<_, u32>(0)?))
    }
    fn proc(&self, row: &Row) -> Result<bool, Error> {
        Ok(self.procs.contains(&row.try_get::<_, u32>(0)?))
    }
}

fn read_domains(
    members: &Members,
    domains: &[Row],
    checks: &[Row],
) -> Result<BTreeMap<String, Domain>, Error> {
    let mut by_oid: HashMap<u32, (String, Domain)> = HashMap::with_capacity(domains.len());
    for row in domains {
        if members.type_(row)? {
            continue;
        }
        let domain = Domain {
            base_type: row.try_get(2)?,
            not_null: row.try_get(3)?,
            default: row.try_get(4)?,
            collation: row.try_get(5)?,
            checks: BTreeMap::new(),
            comment: row.try_get(6)?,
        };
        by_oid.insert(row.try_get(0)?, (row.try_get(1)?, domain));
    }
    for row in checks {
        if let Some((_, domain)) = by_oid.get_mut(&row.try_get::<_, u32>(0)?) {
            domain.checks.insert(
                row.try_get(1)?,
                DomainCheck {
                    definition: row.try_get(2)?,
                    valid: row.try_get(3)?,
                },
            );
        }
    }
    Ok(by_oid.into_values().collect())
}

/// The rows of the per-relation queries.
struct Relations<'a> {
    tables: &'a [Row],
    columns: &'a [Row],
    constraints: &'a [Row],
    indexes: &'a [Row],
    triggers: &'a [Row],
    views: &'a [Row],
    view_deps: &'a [Row],
}

/// Tables and views by OID while their children are attached: rows of the child queries name
/// their relation by OID, and may belong to none in the model (an extension's table).
type ByOid<T> = HashMap<u32, (String, T)>;

/// Fills `model.tables` and `model.views`.
fn read_relations(
    model: &mut SchemaModel,
    members: &Members,
    rows: Relations<'_>,
) -> Result<(), Error> {
    let mut tables: ByOid<Table> = HashMap::with_capacity(rows.tables.len());
    for row in rows.tables {
        if members.class(row)? {
            continue;
        }
        let kind: String = row.try_get(2)?;
        let parent: Option<String> = row.try_get(5)?;
        let bound: Option<String> = row.try_get(6)?;
        let table = Table {
            kind: if kind == "p" {
                TableKind::Partitioned
            } else {
                TableKind::Ordinary
            },
            unlogged: row.try_get(3)?,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            indexes: BTreeMap::new(),
            triggers: BTreeMap::new(),
            partition_key: row.try_get(4)?,
            partition_of: match (parent, bound) {
                (Some(parent), Some(bound)) => Some(PartitionOf { parent, bound }),
                _ => None,
            },
            comment: row.try_get(7)?,
        };
        tables.insert(row.try_get(0)?, (row.try_get(1)?, table));
    }
    let mut views: ByOid<View> = HashMap::with_capacity(rows.views.len());
    for row in rows.views {
        if members.class(row)? {
            continue;
        }
        let view = View {
            materialized: row.try_get(2)?,
            definition: row.try_get(3)?,
            columns: Vec::new(),
            depends_on: Vec::new(),
            indexes: BTreeMap::new(),
            comment: row.try_get(4)?,
        };
        views.insert(row.try_get(0)?, (row.try_get(1)?, view));
    }

    // Columns arrive in no particular order: visit them by (relation, attnum).
    let mut ordered: Vec<(u32, i16, &Row)> = Vec::with_capacity(rows.columns.len());
    for row in rows.columns {
        ordered.push((row.try_get(0)?, row.try_get(1)?, row));
    }
    ordered.sort_unstable_by_key(|&(oid, attnum, _)| (oid, attnum));
    for (oid, _, row) in ordered {
        let name: String = row.try_get(2)?;
        let data_type: String = row.try_get(3)?;
        if let Some((_, table)) = tables.get_mut(&oid) {
            let identity: String = row.try_get(5)?;
            let generated: String = row.try_get(6)?;
            let expression: Option<String> = row.try_get(7)?;
            // attgenerated is '' for ordinary columns, 's' (stored) or, on 18, 'v' (virtual);
            // for those the pg_attrdef expression is the generation expression.
            let generated_virtual = generated == "v";
            let (default, generated) = if generated.is_empty() {
                (expression, None)
            } else {
                (None, expression)
            };
            table.columns.push(Column {
                name,
                data_type,
                default,
                not_null: row.try_get(4)?,
                identity: match identity.as_str() {
                    "a" => Some(Identity::Always),
                    "d" => Some(Identity::ByDefault),
                    _ => None,
                },
                generated,
                generated_virtual,
                collation: row.try_get(8)?,
                comment: row.try_get(9)?,
            });
        } else if let Some((_, view)) = views.get_mut(&oid) {
            view.columns.push((name, data_type));
        }
    }

    for row in rows.constraints {
        let Some((_, table)) = tables.get_mut(&row.try_get::<_, u32>(0)?) else {
            continue;
        };
        let kind: String = row.try_get(2)?;
        let kind = match kind.as_str() {
            "p" => ConstraintKind::PrimaryKey,
            "u" => ConstraintKind::Unique,
            "c" => ConstraintKind::Check,
            "f" => ConstraintKind::ForeignKey,
            "x" => ConstraintKind::Exclude,
            _ => continue,
        };
        table.constraints.insert(
            row.try_get(1)?,
            Constraint {
                kind,
                definition: row.try_get(3)?,
                valid: row.try_get(4)?,
                references: row.try_get(5)?,
                comment: row.try_get(6)?,
            },
        );
    }
    for row in rows.indexes {
        let oid: u32 = row.try_get(0)?;
        let indexes = if let Some((_, table)) = tables.get_mut(&oid) {
            &mut table.indexes
        } else if let Some((_, view)) = views.get_mut(&oid) {
            &mut view.indexes
        } else {
            continue;
        };
        indexes.insert(
            row.try_get(1)?,
            Index {
                definition: row.try_get(2)?,
                unique: row.try_get(3)?,
                method: row.try_get(4)?,
                predicate: row.try_get(5)?,
                valid: row.try_get(6)?,
                constraint: row.try_get(7)?,
                comment: row.try_get(8)?,
            },
        );
    }
    for row in rows.triggers {
        let Some((_, table)) = tables.get_mut(&row.try_get::<_, u32>(0)?) else {
            continue;
        };
        table.triggers.insert(
            row.try_get(1)?,
            Trigger {
                definition: row.try_get(2)?,
                enabled: row.try_get(3)?,
                comment: row.try_get(4)?,
            },
        );
    }
    for row in rows.view_deps {
        if let Some((_, view)) = views.get_mut(&row.try_get::<_, u32>(0)?) {
            view.depends_on.push(row.try_get(1)?);
        }
    }
    for (_, view) in views.values_mut() {
        view.depends_on.sort_unstable();
        view.depends_on.dedup();
    }
    model.tables = tables.into_values().collect();
    model.views = views.into_values().collect();
    Ok(())
}
