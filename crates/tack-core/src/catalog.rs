//! Catalog facts: what tack knows about the target database before and during a run.
//!
//! Facts come from a live server (the adapter reads `pg_class`, `pg_attribute`, `pg_constraint`,
//! `pg_index`, `pg_proc`) or are absent when linting offline. The linter also updates a copy as it
//! walks the statements, so a table created earlier in the run is known to be new and empty.

use crate::change::{AlterAction, Change, ColumnSpec, ConstraintKind, QualifiedName};
use serde::Serialize;
use std::collections::HashMap;

/// `pg_proc.provolatile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

impl Volatility {
    pub fn from_provolatile(code: &str) -> Option<Volatility> {
        match code {
            "i" => Some(Volatility::Immutable),
            "s" => Some(Volatility::Stable),
            "v" => Some(Volatility::Volatile),
            _ => None,
        }
    }
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
    /// `pg_constraint.contype`: `c`, `f`, `p`, `u`, `x`, `n`.
    pub kind: char,
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
    /// `pg_class.reltuples` (None when never analyzed, or unknown).
    pub rows: Option<f64>,
    /// `pg_total_relation_size` without indexes: the heap plus TOAST.
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

/// Everything known about the target.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalog {
    /// Facts were read from a live server (otherwise everything here was learned from the run).
    pub connected: bool,
    tables: HashMap<(String, String), TableFacts>,
    /// User functions by lower-case name (any overload; the most volatile wins).
    functions: HashMap<String, Volatility>,
    /// The session's `TimeZone` is UTC (decides whether timestamp → timestamptz rewrites on 12+);
    /// `None` when not connected.
    pub timezone_utc: Option<bool>,
}

impl Catalog {
    pub fn new(connected: bool) -> Self {
        Catalog {
            connected,
            ..Catalog::default()
        }
    }

    pub fn table(&self, name: &QualifiedName) -> Option<&TableFacts> {
        self.tables.get(&name.key())
    }

    pub fn table_mut(&mut self, name: &QualifiedName) -> Option<&mut TableFacts> {
        self.tables.get_mut(&name.key())
    }

    pub fn insert_table(&mut self, schema: &str, name: &str, facts: TableFacts) {
        self.tables
            .insert((schema.to_owned(), name.to_owned()), facts);
    }

    pub fn remove_table(&mut self, name: &QualifiedName) -> Option<TableFacts> {
        self.tables.remove(&name.key())
    }

    pub fn rename_table(&mut self, name: &QualifiedName, new_name: &str) {
        if let Some(facts) = self.tables.remove(&name.key()) {
            let (schema, _) = name.key();
            self.tables.insert((schema, new_name.to_owned()), facts);
        }
    }

    /// Forgets an index, wherever it is.
    pub fn remove_index(&mut self, index: &QualifiedName) {
        let (schema, _) = index.key();
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

    /// Volatility of a function by name: the catalog's (or the run's) answer first, then
    /// PostgreSQL's built-ins, else `None` (unknown).
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
        builtin_volatility(bare)
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
                let (schema, name) = table.key();
                self.insert_table(&schema, &name, facts);
            }
            Change::CreateTableAs { table } => {
                let (schema, name) = table.key();
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
            let (schema, name) = table.key();
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
        } => ('c', not_null_column.clone()),
        ConstraintKind::ForeignKey { .. } => ('f', None),
        ConstraintKind::Unique { .. } => ('u', None),
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
            ('p', None)
        }
        ConstraintKind::Exclude => ('x', None),
        ConstraintKind::NotNull { column } => {
            if let Some(col) = facts.columns.get_mut(column) {
                col.not_null = true;
            }
            ('n', None)
        }
    };
    facts.constraints.push(ConstraintFacts {
        name: name.clone().unwrap_or_default(),
        kind: code,
        validated,
        not_null_column,
    });
}

/// Volatility of common built-in functions, as `pg_proc` records them; used when not connected.
/// Functions not listed here and not known from the run are treated as volatile (the safe guess),
/// and the linter says so.
pub fn builtin_volatility(name: &str) -> Option<Volatility> {
    use Volatility::*;
    Some(match name {
        "random" | "random_normal" | "gen_random_uuid" | "uuid_generate_v1"
        | "uuid_generate_v1mc" | "uuid_generate_v4" | "uuidv4" | "uuidv7" | "clock_timestamp"
        | "timeofday" | "nextval" | "setval" | "txid_current" | "pg_current_xact_id"
        | "gen_random_bytes" | "random_string" => Volatile,
        "now"
        | "statement_timestamp"
        | "transaction_timestamp"
        | "current_setting"
        | "to_char"
        | "to_timestamp"
        | "to_date"
        | "age"
        | "current_database"
        | "current_schema"
        | "current_user"
        | "session_user"
        | "timezone"
        | "date_trunc"
        | "concat"
        | "concat_ws"
        | "jsonb_build_object"
        | "json_build_object"
        | "jsonb_build_array" => Stable,
        "lower" | "upper" | "length" | "coalesce" | "abs" | "round" | "trim" | "btrim"
        | "ltrim" | "rtrim" | "md5" | "substring" | "substr" | "replace" | "array_length"
        | "greatest" | "least" | "int4" | "int8" | "text" | "numeric" | "make_date"
        | "make_interval" | "uuid_nil" | "float8" | "bool" => Immutable,
        _ => return None,
    })
}
