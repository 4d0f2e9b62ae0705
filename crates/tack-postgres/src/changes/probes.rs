//! Done-probes: catalog queries that say whether a step's effect is already there, so a resumed
//! run re-checks instead of trusting its records (and a rollback knows what took effect).

use crate::sql::{quote_literal, PgName};
use tack_core::QualifiedName;

/// `to_regclass('…')` for a relation name as written.
fn regclass(name: &QualifiedName) -> String {
    format!("to_regclass({})", quote_literal(&name.sql()))
}

pub fn column_exists(table: &QualifiedName, column: &str) -> String {
    format!(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = {} AND attname = {} AND NOT attisdropped)",
        regclass(table),
        quote_literal(column)
    )
}

pub fn column_not_null(table: &QualifiedName, column: &str) -> String {
    format!(
        "SELECT coalesce((SELECT attnotnull FROM pg_attribute WHERE attrelid = {} AND attname = {} AND NOT attisdropped), false)",
        regclass(table),
        quote_literal(column)
    )
}

pub fn constraint_exists(table: &QualifiedName, name: &str) -> String {
    format!(
        "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {} AND conname = {})",
        regclass(table),
        quote_literal(name)
    )
}

pub fn constraint_absent(table: &QualifiedName, name: &str) -> String {
    format!(
        "SELECT NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {} AND conname = {})",
        regclass(table),
        quote_literal(name)
    )
}

pub fn constraint_validated(table: &QualifiedName, name: &str) -> String {
    format!(
        "SELECT coalesce((SELECT convalidated FROM pg_constraint WHERE conrelid = {} AND conname = {}), false)",
        regclass(table),
        quote_literal(name)
    )
}

pub fn index_valid(index: &QualifiedName) -> String {
    format!(
        "SELECT coalesce((SELECT indisvalid FROM pg_index WHERE indexrelid = {}), false)",
        regclass(index)
    )
}

pub fn relation_exists(name: &QualifiedName) -> String {
    format!("SELECT {} IS NOT NULL", regclass(name))
}

pub fn relation_absent(name: &QualifiedName) -> String {
    format!("SELECT {} IS NULL", regclass(name))
}

pub fn column_absent(table: &QualifiedName, column: &str) -> String {
    format!("SELECT NOT ({})", column_exists(table, column))
}

pub fn column_nullable(table: &QualifiedName, column: &str) -> String {
    format!("SELECT NOT ({})", column_not_null(table, column))
}

/// Every probe holds.
pub fn all(probes: &[String]) -> String {
    let parts: Vec<String> = probes.iter().map(|p| format!("({p})")).collect();
    format!("SELECT {}", parts.join(" AND "))
}
