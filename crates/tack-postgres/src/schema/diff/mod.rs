//! Compares two schema models and writes the SQL that takes the first to the second, ordered by
//! dependencies.
//!
//! # What it is for
//!
//! `tack drift` diffs the live database (`from`) against the schema it should have (`to`) and
//! prints each difference with its reconciling SQL; `tack diff --to schema.sql` writes the
//! differences' SQL, in order, as a migration file that then goes through `lint` and `plan`. So
//! the SQL is ordinary DDL (`CREATE INDEX`, `ALTER TABLE … ADD CONSTRAINT …`): making it safe on a
//! live database (concurrent builds, `NOT VALID` then `VALIDATE`, lock timeouts) is the
//! planner's job, not this module's. Running every difference's `sql` in order on a database
//! whose schema is `from` gives one that introspects as `to` (columns compare by name: a column
//! re-added ends up last).
//!
//! # How the SQL is ordered
//!
//! Every difference is placed in a phase (`Phase`); the output is sorted by phase, stably, so
//! within a phase the deterministic generation order (by key) is kept, refined by a rank where
//! order matters inside a phase: partitions after their parents, tables dropped before the
//! tables they reference, views after the views they read. The phases, in execution order:
//!
//! 1. **Drops of dependents**, before anything they depend on goes: views (dependents first),
//!    triggers, foreign keys, other constraints, indexes; sequences lose an `OWNED BY` whose
//!    column is about to go; partitions are detached; identities, defaults that must be released
//!    and columns are dropped; functions whose signature uses a dropped table's row type; tables
//!    (partitions before their parents, referencing tables before referenced ones, a foreign key
//!    of tables referencing each other dropped explicitly first).
//! 2. **Creates and alters**, dependencies first: schemas, extensions, enums, domains, sequences,
//!    functions, tables (parents before partitions) and their columns, `ATTACH PARTITION`,
//!    functions that read a table created here, sequence `OWNED BY`, primary key/unique/
//!    exclusion constraints, checks, indexes (a foreign key may need a unique index, so they
//!    come before foreign keys), foreign keys, views (in dependency order), functions that read
//!    a view created here, column defaults calling those late functions, materialized view
//!    indexes, triggers, and changed comments.
//! 3. **Drops of what nothing may use any more**: functions, sequences, domains, enums,
//!    extensions, schemas. These go last rather than first because the objects that used them
//!    (a column default calling a function, a column of a domain type, a `nextval` default) are
//!    only changed in phase 2. One whose name a new object takes is dropped at the end of
//!    phase 1 instead.
//!
//! An object that must be dropped and created again (a constraint or index whose definition
//! changed, a view whose columns changed) therefore appears twice: a `Changed` difference with
//! the `DROP` among the drops and one with the `CREATE` among the creates. A new object's
//! comments are part of its creating difference; a changed comment is a difference of its own
//! (`ObjectKind::Comment`).
//!
//! # Dependencies the model does not record
//!
//! The model knows which views a view reads, which table a foreign key references, and a
//! partition's parent, but not which tables, columns and functions a view, trigger, index,
//! constraint or default uses. Where that matters — PostgreSQL refuses to change the type of a
//! column a view or trigger uses, a dropped column takes its indexes and constraints with it, a
//! function cannot be dropped while something calls it — the identifiers the object's deparsed
//! definition mentions stand in for the dependency (see `analysis`): a view mentioning both a
//! table's and a column's name is dropped before the column changes and created again after.
//! That over-approximates, which only costs an unneeded re-create. A foreign key is re-created
//! when a key with the columns it references is dropped, or its table is.
//!
//! # Choices worth knowing
//!
//! - An enum whose labels are only added to gets `ALTER TYPE … ADD VALUE … BEFORE/AFTER` (which
//!   a transaction may not use before it commits: the planner's concern). One whose labels are
//!   removed or reordered cannot be altered: the old type is renamed, the new one created,
//!   every table column of the type converted with `USING col::text::type` (its default
//!   dropped and restored around that; arrays too), and the old type dropped. That fails, as it
//!   should, when a row holds a removed label; other users of the type (domains, function
//!   signatures, expressions in indexes or checks) are not migrated, which the detail says.
//! - A domain whose base type or collation changes is dropped and created again, which fails
//!   while columns use it (the detail says so). A function whose result type or kind changes is
//!   dropped and created again; views, triggers, checks and indexes mentioning it are
//!   re-created, and column defaults calling it released and set again, around that.
//! - A table whose kind (ordinary/partitioned) or partition key changes is dropped and created
//!   again: its data is lost, which the detail says and `tack lint` flags.
//! - What a partition inherits (its columns, and the constraints, indexes and triggers cloned
//!   from the parent, which introspection leaves out) is not diffed on the partition:
//!   `PARTITION OF`, `ATTACH PARTITION` and the parent's `ALTER TABLE` (which recurses) make it.
//!   Only what a partition may hold on its own is: a column default, `NOT NULL`, comments, its
//!   own constraints, indexes and triggers. A partitioned table's index is created without
//!   `pg_get_indexdef`'s `ON ONLY`, so it is built on every partition.
//! - Functions are created before tables (defaults and checks may call them), except a
//!   SQL-language function (whose body PostgreSQL checks at creation) or one whose signature
//!   names a row type, when it reads a table or view created here: it comes after that, and a
//!   column default calling it is set once it exists.
//! - A change `to` has but no DDL can make is left alone rather than faked: a validated
//!   constraint that `to` has `NOT VALID`, an index that `to` has invalid. An index left invalid
//!   in `from` is dropped and built again.
//! - Identifiers in the model are already quoted where needed (map keys) and used as they are;
//!   column names are raw and quoted with [`quote_ident`](crate::sql::quote_ident); string
//!   literals (comments, enum labels, versions) are quoted with doubled single quotes.
//!
//! # Limitations
//!
//! - Renames are not detected: a renamed object is a drop and a create.
//! - After `DETACH PARTITION` the table keeps its own copies of the parent's indexes and key,
//!   check and foreign key constraints, under names PostgreSQL chose, which the model (that
//!   leaves clones out) cannot predict: the detach's detail says to diff again afterwards.
//! - `ALTER EXTENSION … UPDATE TO` needs an update path between the versions (there is usually
//!   none downwards).
//! - Dependencies beyond those above (a generated column's expression using a column that
//!   changes type, a SQL function body using a dropped column, a view reading a table through a
//!   function) are not followed: the statement PostgreSQL refuses then names the dependent.

use super::model::SchemaModel;
use analysis::{regenerated, Child, Ctx};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

mod analysis;
mod objects;
mod sql;
mod tables;
#[cfg(test)]
mod tests;
mod views;

/// The kind of object a difference is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Schema,
    Extension,
    Enum,
    Domain,
    Sequence,
    Table,
    Column,
    Constraint,
    Index,
    Trigger,
    View,
    MaterializedView,
    Function,
    Procedure,
    Partition,
    Comment,
}

/// Which side has the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// In `to`, not in `from`: the SQL creates it.
    Missing,
    /// In `from`, not in `to`: the SQL drops it.
    Extra,
    /// In both, different: the SQL alters or replaces it.
    Changed,
}

/// One difference between two schemas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub kind: ObjectKind,
    /// The object's SQL name: `public.orders`, `public.orders.note` for a column,
    /// `public.orders.orders_pkey` for a constraint, `public.add(a integer)` for a function.
    pub object: String,
    pub diff: DiffKind,
    /// What differs, in words, e.g. `type: integer → bigint`.
    pub detail: String,
    /// Statements that make `from` like `to` for this object, in order.
    pub sql: Vec<String>,
}

/// The differences that take `from` to `to`, ordered so that running every difference's `sql` in
/// turn succeeds: drops before creates, dependents dropped before what they depend on and created
/// after it. Identical models give no differences; the same models always give the same output.
pub fn diff(from: &SchemaModel, to: &SchemaModel) -> Vec<Difference> {
    let ctx = Ctx::new(from, to);
    let mut out = Out::default();
    objects::schemas(&ctx, &mut out);
    objects::extensions(&ctx, &mut out);
    objects::enums(&ctx, &mut out);
    objects::domains(&ctx, &mut out);
    objects::sequences(&ctx, &mut out);
    objects::functions(&ctx, &mut out);
    tables::tables(&ctx, &mut out);
    views::views(&ctx, &mut out);
    out.finish()
}

/// Where a difference's SQL runs. The output is sorted by phase; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    DropViews,
    DropTriggers,
    DropForeignKeys,
    DropConstraints,
    DropIndexes,
    /// `OWNED BY NONE` for a sequence `to` keeps whose owning column is about to be dropped
    /// (dropping the column would drop the sequence).
    DisownSequences,
    DetachPartitions,
    DropColumns,
    /// Functions `to` does not have whose signature uses the row type of a table being dropped
    /// (the table cannot go before them).
    DropRoutines,
    DropTables,
    /// A sequence, enum or domain dropped early because a new object takes its name.
    DropReusedNames,
    Schemas,
    Extensions,
    Enums,
    Domains,
    Sequences,
    Functions,
    Tables,
    Columns,
    AttachPartitions,
    /// Functions whose body or signature reads a table this diff creates.
    FunctionsAfterTables,
    SequenceOwnership,
    KeyConstraints,
    CheckConstraints,
    Indexes,
    ForeignKeys,
    Views,
    /// Functions whose body or signature reads a view this diff creates.
    FunctionsAfterViews,
    /// Column defaults calling a function of the two phases above (set once it exists).
    DeferredDefaults,
    ViewIndexes,
    Triggers,
    Comments,
    DropFunctions,
    DropSequences,
    DropDomains,
    DropEnums,
    DropExtensions,
    DropSchemas,
}

struct Item {
    phase: Phase,
    rank: usize,
    difference: Difference,
}

/// The differences found so far, each with its place in the order.
#[derive(Default)]
struct Out {
    items: Vec<Item>,
}

impl Out {
    /// Adds a difference at `phase`; within a phase, lower ranks run first and equal ranks keep
    /// the order they were added in.
    // The difference's fields plus its place: a struct literal at every call would only be
    // longer.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        phase: Phase,
        rank: usize,
        kind: ObjectKind,
        object: impl Into<String>,
        diff: DiffKind,
        detail: impl Into<String>,
        sql: Vec<String>,
    ) {
        self.items.push(Item {
            phase,
            rank,
            difference: Difference {
                kind,
                object: object.into(),
                diff,
                detail: detail.into(),
                sql,
            },
        });
    }

    fn finish(mut self) -> Vec<Difference> {
        // Stable: ties keep the (deterministic, key-ordered) generation order.
        self.items.sort_by_key(|item| (item.phase, item.rank));
        self.items.into_iter().map(|item| item.difference).collect()
    }
}

/// The detail of a missing object.
const MISSING: &str = "to create";
/// The detail of an extra object.
const EXTRA: &str = "to drop";

/// `keys` ordered so that each comes after the keys (among `keys`) it depends on; ties, and a
/// cycle (which, for views, a real catalog cannot have), by name.
fn topological<'k>(
    keys: &BTreeSet<&'k str>,
    depends_on: impl Fn(&'k str) -> Vec<&'k str>,
) -> Vec<&'k str> {
    let mut waiting: BTreeMap<&'k str, BTreeSet<&'k str>> = keys
        .iter()
        .map(|&key| {
            let deps = depends_on(key)
                .into_iter()
                .filter(|dep| *dep != key && keys.contains(dep))
                .collect();
            (key, deps)
        })
        .collect();
    let mut ready: BTreeSet<&'k str> = waiting
        .iter()
        .filter(|(_, deps)| deps.is_empty())
        .map(|(&key, _)| key)
        .collect();
    let mut order = Vec::with_capacity(keys.len());
    while let Some(key) = ready.pop_first() {
        waiting.remove(key);
        order.push(key);
        for (&other, deps) in waiting.iter_mut() {
            if deps.remove(key) && deps.is_empty() {
                ready.insert(other);
            }
        }
    }
    order.extend(waiting.keys().copied());
    order
}
