//! Whole-table UPDATE and DELETE in one statement.

use super::{recipes, Assessment, Context, Effect, RuleId, Verdict};
use crate::change::Change;
use crate::lock::LockMode;

pub fn assess(change: &Change, ctx: &Context, out: &mut Assessment) {
    match change {
        Change::Update {
            table,
            whole_table,
            set_sql,
            where_sql,
        } => {
            out.push_effect(Effect::new(table, LockMode::RowExclusive));
            if !whole_table || ctx.is_new(table) {
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
            whole_table,
            where_sql,
        } => {
            out.push_effect(Effect::new(table, LockMode::RowExclusive));
            if !whole_table || ctx.is_new(table) {
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
