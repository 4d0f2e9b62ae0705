//! Whole-table UPDATE and DELETE in one statement.

use super::{recipes, Assessment, Context, Effect, RuleId, Verdict};
use crate::change::{Change, QualifiedName, RowFilter};
use crate::lock::LockMode;

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
            out.verdicts.push(Verdict::new(
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
            ));
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
            out.verdicts.push(Verdict::new(
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
            ));
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
