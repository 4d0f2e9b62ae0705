//! Safe recipes written as SQL for a given statement: the fixes the linter prints, and the
//! sequences the planner will turn into steps.

use crate::catalog::TableFacts;
use crate::change::{quote_ident, ConstraintKind, ConstraintSpec, QualifiedName};
use crate::version::Version;

/// Rows per batch in printed backfill recipes.
pub const BATCH_ROWS: u32 = 10_000;

/// A constraint name PostgreSQL would accept, from parts (truncated to 63 bytes like the server).
pub fn constraint_name(table: &QualifiedName, parts: &[&str], suffix: &str) -> String {
    let mut name = table.name.clone();
    for p in parts {
        name.push('_');
        name.push_str(p);
    }
    name.push('_');
    name.push_str(suffix);
    truncate_ident(name)
}

/// The name PostgreSQL gives an unnamed constraint (`orders_total_check`, `orders_pkey`, …),
/// close enough to be stable and valid.
pub fn default_constraint_name(table: &QualifiedName, spec: &ConstraintSpec) -> String {
    fn parts(columns: &[String]) -> Vec<&str> {
        columns.iter().map(String::as_str).collect()
    }
    match &spec.kind {
        ConstraintKind::Check {
            not_null_column, ..
        } => constraint_name(
            table,
            &[not_null_column.as_deref().unwrap_or("check")],
            "check",
        ),
        ConstraintKind::ForeignKey { columns, .. } => {
            constraint_name(table, &parts(columns), "fkey")
        }
        ConstraintKind::Unique { columns, .. } => constraint_name(table, &parts(columns), "key"),
        ConstraintKind::PrimaryKey { .. } => constraint_name(table, &[], "pkey"),
        ConstraintKind::Exclude => constraint_name(table, &[], "excl"),
        ConstraintKind::NotNull { column } => constraint_name(table, &[column], "not_null"),
    }
}

fn truncate_ident(mut name: String) -> String {
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// `ADD CHECK … NOT VALID` → `VALIDATE` → `SET NOT NULL` → drop the check (12+), or the honest
/// cost on older versions.
pub fn set_not_null(table: &QualifiedName, column: &str, version: Version) -> String {
    let t = table.sql();
    let c = quote_ident(column);
    let check = quote_ident(&constraint_name(table, &[column], "not_null"));
    if version.at_least(12) {
        format!(
            "ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;\n\
             ALTER TABLE {t} VALIDATE CONSTRAINT {check};\n\
             ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n\
             ALTER TABLE {t} DROP CONSTRAINT {check};"
        )
    } else {
        format!(
            "-- before PostgreSQL 12, SET NOT NULL always scans under AccessExclusiveLock;\n\
             -- a validated CHECK keeps the guarantee without the lock:\n\
             ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;\n\
             ALTER TABLE {t} VALIDATE CONSTRAINT {check};"
        )
    }
}

/// The key used to walk a table in batches: its primary key when known, else `ctid`.
pub fn batch_key(facts: Option<&TableFacts>) -> String {
    match facts.and_then(TableFacts::primary_key) {
        Some(cols) if cols.len() == 1 => quote_ident(&cols[0]),
        Some(cols) if !cols.is_empty() => format!(
            "({})",
            cols.iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => "ctid".to_owned(),
    }
}

/// A batched backfill of `column = expr` for rows where the column is still NULL.
pub fn backfill(table: &QualifiedName, column: &str, expr: &str, key: &str) -> String {
    let t = table.sql();
    let c = quote_ident(column);
    format!(
        "-- repeat until it updates 0 rows, one transaction per batch (tack apply does this, throttled):\n\
         UPDATE {t} SET {c} = {expr}\n  \
         WHERE {key} IN (SELECT {key} FROM {t} WHERE {c} IS NULL LIMIT {BATCH_ROWS});"
    )
}

/// A batched UPDATE or DELETE over the table's key.
pub fn batched(table: &QualifiedName, action: &str, condition: Option<&str>, key: &str) -> String {
    let t = table.sql();
    let filter = condition.map(|w| format!(" WHERE {w}")).unwrap_or_default();
    format!(
        "-- repeat until it affects 0 rows, one transaction per batch (tack apply does this, throttled):\n\
         {action} WHERE {key} IN (SELECT {key} FROM {t}{filter} LIMIT {BATCH_ROWS});"
    )
}
