//! What a statement does, as a front end understood it: the engine-neutral vocabulary the rule
//! bases and planners reason about. Each engine's front end maps its parse tree to these types;
//! SQL fragments a fix needs to write back (expressions, definitions) are kept as the engine
//! printed them.

pub use crate::name::QualifiedName;
use serde::Serialize;

/// How a function's result may vary: the same for the same arguments (immutable), within a
/// statement (stable), or per call (volatile). A volatile default must be evaluated per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

/// A column type as written: the canonical base name (`int4`, `varchar`, `numeric`, …), its
/// modifiers (`varchar(50)` → `[50]`), whether it is an array, and the text to write it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeSpec {
    pub name: String,
    pub modifiers: Vec<i64>,
    pub array: bool,
    pub sql: String,
}

impl TypeSpec {
    pub fn new(name: &str, modifiers: Vec<i64>, array: bool, sql: &str) -> Self {
        TypeSpec {
            name: name.to_owned(),
            modifiers,
            array,
            sql: sql.to_owned(),
        }
    }

    /// `serial`, `bigserial`, `smallserial`: a sequence-backed default.
    pub fn is_serial(&self) -> bool {
        matches!(
            self.name.as_str(),
            "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
        )
    }
}

/// An expression: its SQL text and the functions it calls, so volatility can be decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expr {
    pub sql: String,
    /// Function names called, lower-case, schema-qualified where written so (`pg_catalog.now`).
    pub functions: Vec<String>,
    /// Contains a sub-select (never immutable in a default; PostgreSQL forbids it anyway).
    pub has_subquery: bool,
}

impl Expr {
    pub fn constant(sql: &str) -> Self {
        Expr {
            sql: sql.to_owned(),
            functions: Vec::new(),
            has_subquery: false,
        }
    }
}

/// A table constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ConstraintKind {
    Check {
        expr: Expr,
        /// `CHECK (c IS NOT NULL)`: the column it proves not null.
        not_null_column: Option<String>,
    },
    ForeignKey {
        columns: Vec<String>,
        referenced_table: QualifiedName,
        referenced_columns: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
        using_index: Option<String>,
    },
    PrimaryKey {
        columns: Vec<String>,
        using_index: Option<String>,
    },
    Exclude,
    NotNull {
        column: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConstraintSpec {
    pub name: Option<String>,
    /// The constraint as SQL without its name and without `NOT VALID`
    /// (`CHECK (price > 0)`, `FOREIGN KEY (a) REFERENCES b (id)`).
    pub sql: String,
    pub kind: ConstraintKind,
    /// Written with `NOT VALID`.
    pub not_valid: bool,
}

/// A column definition (in `CREATE TABLE` or `ADD COLUMN`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnSpec {
    pub name: String,
    pub type_spec: TypeSpec,
    pub not_null: bool,
    pub default: Option<Expr>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated_stored: Option<Expr>,
    /// `GENERATED … AS IDENTITY`.
    pub identity: bool,
    /// Inline constraints other than NULL/NOT NULL/DEFAULT (PRIMARY KEY, UNIQUE, CHECK,
    /// REFERENCES).
    pub constraints: Vec<ConstraintSpec>,
}

/// One action of an `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AlterAction {
    AddColumn {
        column: ColumnSpec,
        if_not_exists: bool,
    },
    DropColumn {
        column: String,
    },
    AlterColumnType {
        column: String,
        new_type: TypeSpec,
        using: Option<Expr>,
    },
    SetNotNull {
        column: String,
    },
    DropNotNull {
        column: String,
    },
    SetDefault {
        column: String,
        default: Expr,
    },
    DropDefault {
        column: String,
    },
    AddConstraint(ConstraintSpec),
    ValidateConstraint {
        name: String,
    },
    DropConstraint {
        name: String,
    },
    AttachPartition {
        partition: QualifiedName,
    },
    DetachPartition {
        partition: QualifiedName,
        concurrently: bool,
    },
    SetLogged,
    SetUnlogged,
    /// Anything else (`OWNER TO`, `SET (fillfactor=…)`, …), named for messages.
    Other {
        description: String,
    },
}

/// What one statement does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Change {
    CreateTable {
        table: QualifiedName,
        columns: Vec<ColumnSpec>,
        constraints: Vec<ConstraintSpec>,
        partition_of: Option<QualifiedName>,
        if_not_exists: bool,
    },
    /// `CREATE TABLE … AS`, `SELECT INTO`, `CREATE MATERIALIZED VIEW`: a new, filled relation.
    CreateTableAs {
        table: QualifiedName,
    },
    AlterTable {
        table: QualifiedName,
        actions: Vec<AlterAction>,
    },
    CreateIndex {
        name: Option<String>,
        table: QualifiedName,
        unique: bool,
        concurrently: bool,
        if_not_exists: bool,
        /// Everything after the table name (`USING btree (a, b) WHERE …`), to rewrite the statement.
        definition_sql: String,
    },
    DropIndex {
        indexes: Vec<QualifiedName>,
        concurrently: bool,
        if_exists: bool,
    },
    Reindex {
        kind: ReindexKind,
        name: QualifiedName,
        concurrently: bool,
    },
    RenameTable {
        table: QualifiedName,
        new_name: String,
    },
    RenameColumn {
        table: QualifiedName,
        column: String,
        new_name: String,
    },
    RenameConstraint {
        table: QualifiedName,
    },
    DropTable {
        tables: Vec<QualifiedName>,
    },
    Truncate {
        tables: Vec<QualifiedName>,
    },
    VacuumFull {
        tables: Vec<QualifiedName>,
    },
    Cluster {
        table: Option<QualifiedName>,
    },
    AlterEnumAddValue {
        type_name: QualifiedName,
        value: String,
    },
    Update {
        table: QualifiedName,
        filter: RowFilter,
        /// `(column, expression)` per SET target, as SQL (empty when a target is not a plain
        /// column, e.g. `SET (a, b) = (…)` or `SET a[1] = …`).
        assignments: Vec<(String, String)>,
        set_sql: String,
        where_sql: Option<String>,
    },
    Delete {
        table: QualifiedName,
        filter: RowFilter,
        where_sql: Option<String>,
    },
    CreateFunction {
        name: QualifiedName,
        volatility: Volatility,
    },
    Begin,
    Commit,
    Rollback,
    /// `SET [LOCAL] lock_timeout = …` (`None` when set to 0 or DEFAULT, which disables it).
    SetLockTimeout {
        millis: Option<u64>,
        local: bool,
    },
    /// Any other statement; named for messages.
    Other {
        tag: String,
    },
}

/// Which rows an UPDATE or DELETE can touch, as far as its WHERE clause tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RowFilter {
    /// No WHERE clause.
    All,
    /// Every row satisfying the WHERE must equal constants on these columns (`id = 5`,
    /// `id IN (1, 2)`): few rows if one of them is a key.
    Equality(Vec<String>),
    /// Any other condition: assumed to touch a large part of the table.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReindexKind {
    Index,
    Table,
    Schema,
    Database,
    System,
}

impl Change {
    /// The table a statement mainly acts on, if any.
    pub fn table(&self) -> Option<&QualifiedName> {
        match self {
            Change::CreateTable { table, .. }
            | Change::CreateTableAs { table }
            | Change::AlterTable { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::RenameTable { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::RenameConstraint { table }
            | Change::Update { table, .. }
            | Change::Delete { table, .. } => Some(table),
            Change::DropTable { tables }
            | Change::Truncate { tables }
            | Change::VacuumFull { tables } => tables.first(),
            Change::Cluster { table } => table.as_ref(),
            _ => None,
        }
    }
}
