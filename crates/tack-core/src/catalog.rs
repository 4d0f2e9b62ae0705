//! Catalog facts: what tack knows about the target database before and during a run, in
//! engine-neutral terms (tables with their row counts and sizes, columns, constraints, indexes,
//! function volatility).
//!
//! Facts come from a live server (each engine's adapter reads its own catalog) or are absent when
//! linting offline. The linter also updates a copy as it walks the statements, so a table created
//! earlier in the run is known to be new and empty.

pub use crate::change::Volatility;
use crate::change::{AlterAction, Change, ColumnSpec, ConstraintKind, QualifiedName};
use serde::Serialize;
use std::collections::HashMap;

/// What kind of constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintType {
    Check,
    ForeignKey,
    PrimaryKey,
    Unique,
    Exclusion,
    NotNull,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnFacts {
    /// `format_type(atttypid, atttypmod)`-style canonical base name (`varchar`, `int4`, …).
    pub type_name: String,
    /// Type modifiers (`varchar(50)` → `[50]`, `numeric(10,2)` → `[10, 2]`).
    pub modifiers: Vec<i64>,
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintFacts {
    pub name: String,
    pub kind: ConstraintType,
    pub validated: bool,
    /// For `CHECK (c IS NOT NULL)`: the column.
    pub not_null_column: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexFacts {
    pub name: String,
    pub unique: bool,
    pub primary: bool,
    pub valid: bool,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TableFacts {
    /// Estimated rows (None when never analyzed, or unknown).
    pub rows: Option<f64>,
    /// The table's data without its indexes, in bytes.
    pub bytes: Option<u64>,
    /// Total size of the table's indexes.
    pub index_bytes: Option<u64>,
    pub columns: HashMap<String, ColumnFacts>,
    pub constraints: Vec<ConstraintFacts>,
    pub indexes: Vec<IndexFacts>,
    /// Created earlier in this run: new and empty, so nothing on it can hurt traffic.
    pub created_in_run: bool,
    pub partitioned: bool,
}

impl TableFacts {
    /// A validated `CHECK (column IS NOT NULL)` exists.
    pub fn has_valid_not_null_check(&self, column: &str) -> bool {
        self.constraints
            .iter()
            .any(|c| c.validated && c.not_null_column.as_deref() == Some(column))
    }

    pub fn constraint(&self, name: &str) -> Option<&ConstraintFacts> {
        self.constraints.iter().find(|c| c.name == name)
    }

    /// The primary key's columns, when known.
    pub fn primary_key(&self) -> Option<&[String]> {
        self.indexes
            .iter()
            .find(|i| i.primary)
            .map(|i| i.columns.as_slice())
    }

    pub fn is_empty_for_sure(&self) -> bool {
        self.created_in_run
    }
}

/// Volatility of an engine's built-in functions by name (when the catalog does not know them).
pub type BuiltinVolatility = fn(&str) -> Option<Volatility>;

/// Everything known about the target.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalog {
    /// Facts were read from a live server (otherwise everything here was learned from the run).
    pub connected: bool,
    /// Where unqualified names resolve (`public` on PostgreSQL, the current database on MySQL).
    pub default_schema: String,
    tables: HashMap<(String, String), TableFacts>,
    /// User functions by lower-case name (any overload; the most volatile wins).
    functions: HashMap<String, Volatility>,
    #[serde(skip)]
    builtins: Option<BuiltinVolatility>,
    /// The session's time zone is UTC (decides whether PostgreSQL's timestamp → timestamptz
    /// rewrites on 12+); `None` when not connected.
    pub timezone_utc: Option<bool>,
}

impl Catalog {
    /// An empty catalog whose unqualified names resolve to `default_schema`, with the engine's
    /// built-in function volatilities.
    pub fn new(connected: bool, default_schema: &str, builtins: BuiltinVolatility) -> Self {
        Catalog {
            connected,
            default_schema: default_schema.to_owned(),
            builtins: Some(builtins),
            ..Catalog::default()
        }
    }

    /// The catalog's key for a name.
    pub fn key(&self, name: &QualifiedName) -> (String, String) {
        name.key(&self.default_schema)
    }

    /// Everything created so far counts as live from now on (its migration is applied, or the
    /// file that made it is judged apart from the next): rows and size unknown, traffic assumed.
    pub fn forget_new(&mut self) {
        for facts in self.tables.values_mut() {
            if facts.created_in_run {
                facts.created_in_run = false;
                facts.rows = None;
                facts.bytes = None;
                facts.index_bytes = None;
            }
        }
    }

    pub fn table(&self, name: &QualifiedName) -> Option<&TableFacts> {
        self.tables.get(&self.key(name))
    }

    pub fn table_mut(&mut self, name: &QualifiedName) -> Option<&mut TableFacts> {
        let key = self.key(name);
        self.tables.get_mut(&key)
    }

    pub fn insert_table(&mut self, schema: &str, name: &str, facts: TableFacts) {
        self.tables
            .insert((schema.to_owned(), name.to_owned()), facts);
    }

    pub fn remove_table(&mut self, name: &QualifiedName) -> Option<TableFacts> {
        let key = self.key(name);
        self.tables.remove(&key)
    }

    pub fn rename_table(&mut self, name: &QualifiedName, new_name: &str) {
        let key = self.key(name);
        if let Some(facts) = self.tables.remove(&key) {
            self.tables.insert((key.0, new_name.to_owned()), facts);
        }
    }

    /// Forgets an index, wherever it is.
    pub fn remove_index(&mut self, index: &QualifiedName) {
        let (schema, _) = self.key(index);
        for ((s, _), facts) in self.tables.iter_mut() {
            if *s == schema {
                facts.indexes.retain(|i| i.name != index.name);
            }
        }
    }

    pub fn tables(&self) -> impl Iterator<Item = (&(String, String), &TableFacts)> {
        self.tables.iter()
    }

    pub fn insert_function(&mut self, name: &str, volatility: Volatility) {
        let entry = self
            .functions
            .entry(name.to_lowercase())
            .or_insert(volatility);
        if volatility > *entry {
            *entry = volatility;
        }
    }

    /// Volatility of a function by name: the catalog's (or the run's) answer first, then the
    /// engine's built-ins, else `None` (unknown).
    pub fn function_volatility(&self, name: &str) -> Option<Volatility> {
        let lower = name.to_lowercase();
        let bare = lower.rsplit('.').next().unwrap_or(&lower);
        if let Some(v) = self
            .functions
            .get(&lower)
            .or_else(|| self.functions.get(bare))
        {
            return Some(*v);
        }
        self.builtins.and_then(|builtin| builtin(bare))
    }
}

impl Catalog {
    /// Learns what a statement of the run changed, so later statements see it (a table created
    /// in the run is new and empty; columns, constraints and indexes added are known).
    pub fn record(&mut self, change: &Change) {
        match change {
            Change::CreateTable {
                table,
                columns,
                constraints,
                ..
            } => {
                let mut facts = TableFacts {
                    created_in_run: true,
                    rows: Some(0.0),
                    bytes: Some(0),
                    ..TableFacts::default()
                };
                for c in columns {
                    add_column_facts(&mut facts, c);
                }
                for spec in constraints {
                    add_constraint_facts(&mut facts, &spec.name, &spec.kind, !spec.not_valid);
                }
                let (schema, name) = self.key(table);
                self.insert_table(&schema, &name, facts);
            }
            Change::CreateTableAs { table } => {
                let (schema, name) = self.key(table);
                self.insert_table(
                    &schema,
                    &name,
                    TableFacts {
                        created_in_run: true,
                        ..TableFacts::default()
                    },
                );
            }
            Change::AlterTable { table, actions } => {
                for action in actions {
                    self.apply_action(table, action);
                }
            }
            Change::CreateIndex {
                name: Some(name),
                table,
                unique,
                ..
            } => {
                if let Some(facts) = self.table_entry(table) {
                    facts.indexes.push(IndexFacts {
                        name: name.clone(),
                        unique: *unique,
                        primary: false,
                        valid: true,
                        columns: Vec::new(),
                    });
                }
            }
            Change::DropIndex { indexes, .. } => {
                for index in indexes {
                    self.remove_index(index);
                }
            }
            Change::DropTable { tables } => {
                for t in tables {
                    self.remove_table(t);
                }
            }
            Change::RenameTable { table, new_name } => self.rename_table(table, new_name),
            Change::RenameColumn {
                table,
                column,
                new_name,
            } => {
                if let Some(facts) = self.table_mut(table) {
                    if let Some(c) = facts.columns.remove(column) {
                        facts.columns.insert(new_name.clone(), c);
                    }
                }
            }
            Change::CreateFunction { name, volatility } => {
                self.insert_function(&name.name, *volatility);
            }
            _ => {}
        }
    }

    /// The facts entry for a table, created (as a pre-existing table of unknown size) if the run
    /// has not seen it and the catalog does not know it.
    fn table_entry(&mut self, table: &QualifiedName) -> Option<&mut TableFacts> {
        if self.table(table).is_none() {
            let (schema, name) = self.key(table);
            self.insert_table(&schema, &name, TableFacts::default());
        }
        self.table_mut(table)
    }

    fn apply_action(&mut self, table: &QualifiedName, action: &AlterAction) {
        let Some(facts) = self.table_entry(table) else {
            return;
        };
        match action {
            AlterAction::AddColumn { column, .. } => add_column_facts(facts, column),
            AlterAction::DropColumn { column } => {
                facts.columns.remove(column);
            }
            AlterAction::AlterColumnType {
                column, new_type, ..
            } => {
                if let Some(c) = facts.columns.get_mut(column) {
                    c.type_name = new_type.name.clone();
                    c.modifiers = new_type.modifiers.clone();
                }
            }
            AlterAction::SetNotNull { column } => {
                if let Some(c) = facts.columns.get_mut(column) {
                    c.not_null = true;
                }
            }
            AlterAction::DropNotNull { column } => {
                if let Some(c) = facts.columns.get_mut(column) {
                    c.not_null = false;
                }
            }
            AlterAction::AddConstraint(spec) => {
                add_constraint_facts(facts, &spec.name, &spec.kind, !spec.not_valid);
            }
            AlterAction::ValidateConstraint { name } => {
                if let Some(c) = facts.constraints.iter_mut().find(|c| &c.name == name) {
                    c.validated = true;
                }
            }
            AlterAction::DropConstraint { name } => {
                facts.constraints.retain(|c| &c.name != name);
                facts.indexes.retain(|i| &i.name != name);
            }
            _ => {}
        }
    }
}

fn add_column_facts(facts: &mut TableFacts, column: &ColumnSpec) {
    let primary = column
        .constraints
        .iter()
        .any(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }));
    facts.columns.insert(
        column.name.clone(),
        ColumnFacts {
            type_name: column.type_spec.name.clone(),
            modifiers: column.type_spec.modifiers.clone(),
            not_null: column.not_null || primary || column.identity,
        },
    );
    if primary {
        facts.indexes.push(IndexFacts {
            name: format!("{}_pkey", column.name),
            unique: true,
            primary: true,
            valid: true,
            columns: vec![column.name.clone()],
        });
    }
}

fn add_constraint_facts(
    facts: &mut TableFacts,
    name: &Option<String>,
    kind: &ConstraintKind,
    validated: bool,
) {
    let (code, not_null_column) = match kind {
        ConstraintKind::Check {
            not_null_column, ..
        } => (ConstraintType::Check, not_null_column.clone()),
        ConstraintKind::ForeignKey { .. } => (ConstraintType::ForeignKey, None),
        ConstraintKind::Unique { .. } => (ConstraintType::Unique, None),
        ConstraintKind::PrimaryKey { columns, .. } => {
            for c in columns {
                if let Some(col) = facts.columns.get_mut(c) {
                    col.not_null = true;
                }
            }
            facts.indexes.push(IndexFacts {
                name: name.clone().unwrap_or_default(),
                unique: true,
                primary: true,
                valid: true,
                columns: columns.clone(),
            });
            (ConstraintType::PrimaryKey, None)
        }
        ConstraintKind::Exclude => (ConstraintType::Exclusion, None),
        ConstraintKind::NotNull { column } => {
            if let Some(col) = facts.columns.get_mut(column) {
                col.not_null = true;
            }
            (ConstraintType::NotNull, None)
        }
    };
    facts.constraints.push(ConstraintFacts {
        name: name.clone().unwrap_or_default(),
        kind: code,
        validated,
        not_null_column,
    });
}
