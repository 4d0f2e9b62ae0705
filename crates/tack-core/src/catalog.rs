//! Catalog facts: what tack knows about the target database before and during a run.
//!
//! Facts come from a live server (the adapter reads `pg_class`, `pg_attribute`, `pg_constraint`,
//! `pg_index`, `pg_proc`) or are absent when linting offline. The linter also updates a copy as it
//! walks the statements, so a table created earlier in the run is known to be new and empty.

use crate::change::QualifiedName;
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
