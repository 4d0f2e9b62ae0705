//! The normalized schema model: what a PostgreSQL database's schema *is*, independent of how it
//! got there. Introspection (`tack-postgres::introspect`) fills it from a live catalog; `diff`
//! compares two of them; `fingerprint` hashes one.
//!
//! Normalization rules, so that two databases built by the same DDL compare equal:
//! - definitions are PostgreSQL's own deparsed text (`format_type`, `pg_get_expr`,
//!   `pg_get_constraintdef`, `pg_get_indexdef`, `pg_get_viewdef`, `pg_get_functiondef`,
//!   `pg_get_triggerdef`, `pg_get_partkeydef`), never OIDs, owners, statistics or sizes;
//! - every map is keyed by the object's SQL name, quoted where PostgreSQL needs it
//!   (`public.orders`, `"Billing"."Invoice"`), so keys can be pasted into SQL as they are;
//! - objects that belong to an extension, the system schemas and tack's own `tack` schema are
//!   left out; identity sequences are part of their column, not separate sequences;
//! - column order is kept (it is visible to `SELECT *`), but columns compare by name.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One database's schema.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaModel {
    /// Key: the schema's name, quoted where needed.
    pub schemas: BTreeMap<String, Namespace>,
    /// Key: the extension's name, quoted where needed.
    pub extensions: BTreeMap<String, Extension>,
    /// Key: the type's qualified name.
    pub enums: BTreeMap<String, EnumType>,
    /// Key: the domain's qualified name.
    pub domains: BTreeMap<String, Domain>,
    /// Sequences that are not an identity column's. Key: qualified name.
    pub sequences: BTreeMap<String, Sequence>,
    /// Ordinary and partitioned tables (partitions included). Key: qualified name.
    pub tables: BTreeMap<String, Table>,
    /// Views and materialized views. Key: qualified name.
    pub views: BTreeMap<String, View>,
    /// Functions and procedures. Key: `schema.name(identity arguments)`, e.g.
    /// `public.add(a integer, b integer)` as `pg_get_function_identity_arguments` writes them.
    pub functions: BTreeMap<String, Function>,
}

impl SchemaModel {
    /// Leaves out the tables named `names` (unqualified, in any schema) and the sequences they
    /// own: other migration tools' history tables, which no migration creates.
    pub fn without_tables(mut self, names: &[&str]) -> SchemaModel {
        let unqualified = |key: &str| -> String {
            let last = key.rsplit('.').next().unwrap_or(key);
            last.trim_matches('"').to_owned()
        };
        let gone: Vec<String> = self
            .tables
            .keys()
            .filter(|k| names.contains(&unqualified(k).as_str()))
            .cloned()
            .collect();
        for key in &gone {
            self.tables.remove(key);
            let prefix = format!("{key}.");
            self.sequences.retain(|_, s| {
                !s.owned_by
                    .as_deref()
                    .is_some_and(|owner| owner.starts_with(&prefix))
            });
        }
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// The schema it was installed into (quoted where needed).
    pub schema: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    /// In sort order (`enumsortorder`).
    pub labels: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// `format_type` of the base type, e.g. `character varying(20)`.
    pub base_type: String,
    pub not_null: bool,
    /// `pg_get_expr` of the default.
    pub default: Option<String>,
    /// Only when it differs from the base type's default collation (quoted, qualified).
    pub collation: Option<String>,
    /// CHECK constraints by name.
    pub checks: BTreeMap<String, DomainCheck>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCheck {
    /// `pg_get_constraintdef`, e.g. `CHECK ((VALUE > 0))`.
    pub definition: String,
    pub valid: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    /// `format_type` of the sequence's type (`bigint`, `integer`, `smallint`).
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
    /// `OWNED BY`: `schema.table.column` (quoted where needed), for serial columns.
    pub owned_by: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableKind {
    /// `relkind = 'r'`.
    Ordinary,
    /// `relkind = 'p'`.
    Partitioned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub kind: TableKind,
    pub unlogged: bool,
    /// In `attnum` order, dropped columns left out.
    pub columns: Vec<Column>,
    /// Table constraints by name (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY, EXCLUDE). NOT NULL is
    /// a column property, not a constraint here.
    pub constraints: BTreeMap<String, Constraint>,
    /// Indexes by name (unqualified: an index lives in its table's schema), including those that
    /// back a constraint (`constraint` is set on them).
    pub indexes: BTreeMap<String, Index>,
    /// User triggers by name (internal ones, e.g. for foreign keys, left out).
    pub triggers: BTreeMap<String, Trigger>,
    /// `pg_get_partkeydef` for a partitioned table, e.g. `RANGE (created_at)`.
    pub partition_key: Option<String>,
    /// For a partition: its parent and bound.
    pub partition_of: Option<PartitionOf>,
    pub comment: Option<String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    /// The parent's qualified name.
    pub parent: String,
    /// `pg_get_expr(relpartbound)`, e.g. `FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`.
    pub bound: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    Always,
    ByDefault,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Unquoted, as in `pg_attribute.attname`.
    pub name: String,
    /// `format_type(atttypid, atttypmod)`, e.g. `character varying(50)`, `public.mood`.
    pub data_type: String,
    /// `pg_get_expr(adbin)` of the default (None for generated columns).
    pub default: Option<String>,
    pub not_null: bool,
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (<this>) STORED` (or `VIRTUAL`, see below).
    pub generated: Option<String>,
    /// PostgreSQL 18's `VIRTUAL` generated column (computed when read; the default there when
    /// neither is written) rather than `STORED`.
    #[serde(default)]
    pub generated_virtual: bool,
    /// Only when it differs from the type's default collation (quoted, qualified).
    pub collation: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
    Exclude,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    pub kind: ConstraintKind,
    /// `pg_get_constraintdef`, e.g. `FOREIGN KEY (customer_id) REFERENCES customers(id)`.
    pub definition: String,
    /// `convalidated` (false for a NOT VALID CHECK or FOREIGN KEY).
    pub valid: bool,
    /// For a foreign key: the referenced table's qualified name (an ordering dependency).
    pub references: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// `pg_get_indexdef`, e.g. `CREATE UNIQUE INDEX orders_email_key ON public.orders USING btree (email)`.
    pub definition: String,
    pub unique: bool,
    /// Access method (`btree`, `gin`, …).
    pub method: String,
    /// The partial index's predicate (`pg_get_expr(indpred)`).
    pub predicate: Option<String>,
    /// False for an index left INVALID by a failed concurrent build.
    pub valid: bool,
    /// The constraint this index backs, if any (then the constraint is what gets created/dropped).
    pub constraint: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// `pg_get_triggerdef`, e.g. `CREATE TRIGGER t BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION touch()`.
    pub definition: String,
    /// `tgenabled`: `O` (origin, the default), `D` disabled, `R` replica, `A` always.
    pub enabled: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub materialized: bool,
    /// `pg_get_viewdef(oid, true)`: the query, normalized by PostgreSQL.
    pub definition: String,
    /// Output columns in order (name and `format_type`), so a redefinition that changes them is
    /// known to need `DROP` + `CREATE` rather than `CREATE OR REPLACE`.
    pub columns: Vec<(String, String)>,
    /// Views this one reads (qualified names), from `pg_depend`/`pg_rewrite`: creation order.
    pub depends_on: Vec<String>,
    /// Indexes of a materialized view, by name.
    pub indexes: BTreeMap<String, Index>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FunctionKind {
    Function,
    Procedure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub kind: FunctionKind,
    /// `pg_get_functiondef`: a complete `CREATE OR REPLACE FUNCTION/PROCEDURE` statement.
    pub definition: String,
    /// `pg_get_function_result` (None for procedures), so a change of return type is known to need
    /// `DROP` + `CREATE`.
    pub result: Option<String>,
    pub comment: Option<String>,
}
