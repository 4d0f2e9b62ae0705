//! Whole-table UPDATE and DELETE in one statement — and the recipe for an UPDATE: a batched
//! keyset backfill with a temporary trigger for rows written meanwhile.

use super::recipe::{self as recipes, Draft};
use super::{Assessment, Effect, RuleId, Verdict};
use crate::lock::LockMode;
use crate::planner::Planner;
use crate::sql::PgName;
use tack_core::plan::Undo;
use tack_core::{Change, Context, QualifiedName, RowFilter, Statement};

pub fn assess(change: &Change, ctx: &Context, out: &mut Assessment) {
    match change {
        Change::Update {
            table,
            filter,
            set_sql,
            where_sql,
            ..
        } => {
            let many = touches_many_rows(table, filter, ctx);
            out.push_effect(row_effect(table, many));
            if !many || ctx.is_new(table) {
                return;
            }
            let key = recipes::batch_key(ctx.table(table));
            out.verdicts.push(
                Verdict::new(
                    RuleId::UnbatchedUpdate,
                    format!(
                        "UPDATE of {} in one statement locks every row it touches until commit",
                        table.sql()
                    ),
                    Some(recipes::batched(
                        table,
                        &format!("UPDATE {} SET {set_sql}", table.sql()),
                        where_sql.as_deref(),
                        &key,
                    )),
                )
                .long_running(),
            );
        }
        Change::Delete {
            table,
            filter,
            where_sql,
        } => {
            let many = touches_many_rows(table, filter, ctx);
            out.push_effect(row_effect(table, many));
            if !many || ctx.is_new(table) {
                return;
            }
            let key = recipes::batch_key(ctx.table(table));
            out.verdicts.push(
                Verdict::new(
                    RuleId::UnbatchedDelete,
                    format!(
                        "DELETE from {} in one statement locks every row it deletes until commit",
                        table.sql()
                    ),
                    Some(recipes::batched(
                        table,
                        &format!("DELETE FROM {}", table.sql()),
                        where_sql.as_deref(),
                        &key,
                    )),
                )
                .long_running(),
            );
        }
        _ => {}
    }
}

/// DML takes RowExclusiveLock; one that touches most rows reads the whole table to find them.
fn row_effect(table: &QualifiedName, many: bool) -> Effect {
    let effect = Effect::new(table, LockMode::RowExclusive);
    if many {
        effect.scan()
    } else {
        effect
    }
}

/// A WHERE clause pins few rows when it is an equality on a key: a primary-key or unique-index
/// column when the catalog knows the table's indexes, else a column named `id`.
fn touches_many_rows(table: &QualifiedName, filter: &RowFilter, ctx: &Context) -> bool {
    let RowFilter::Equality(columns) = filter else {
        return true;
    };
    let facts = ctx.table(table);
    let keys: Vec<&String> = facts
        .map(|f| {
            f.indexes
                .iter()
                .filter(|i| i.unique && i.columns.len() == 1)
                .flat_map(|i| i.columns.iter())
                .collect()
        })
        .unwrap_or_default();
    if facts.is_some_and(|f| !f.indexes.is_empty()) {
        !columns.iter().any(|c| keys.contains(&c))
    } else {
        !columns.iter().any(|c| c == "id")
    }
}

/// Plans an `UPDATE`: as written when it touches few rows, else as a batched backfill.
pub fn plan(p: &mut Planner, stmt: &Statement) {
    let Change::Update {
        table,
        assignments,
        where_sql,
        ..
    } = stmt.change
    else {
        return p.generic(stmt);
    };
    let verdicts = super::assess(stmt.change, &p.ctx()).verdicts;
    if verdicts.is_empty() || assignments.is_empty() {
        return p.as_written(stmt, "touches few rows: one short transaction");
    }
    let b = recipes::backfill(
        table,
        p.catalog.table(table),
        assignments.clone(),
        where_sql.clone(),
    );
    let why = recipes::backfill_why(&b, "the UPDATE, in batches");
    p.push(
        stmt.text,
        Draft::backfill(
            b,
            why,
            Undo::Irreversible {
                reason: "the rows keep the values the UPDATE wrote".to_owned(),
            },
        ),
    );
}

/// Undoing DML run as written: the old values are not kept.
pub fn undo(change: &Change) -> Undo {
    match change {
        Change::Delete { .. } => Undo::Irreversible {
            reason: "the deleted rows are gone".to_owned(),
        },
        _ => Undo::Irreversible {
            reason: "the rows keep the values the UPDATE wrote".to_owned(),
        },
    }
}
