//! SET NOT NULL: a full scan under AccessExclusiveLock, unless PostgreSQL 12+ can rely on a
//! validated `CHECK (col IS NOT NULL)`.

use super::{recipes, Assessment, Context, Effect, RuleId, Verdict};
use crate::change::{quote_ident, QualifiedName};
use crate::lock::LockMode;

pub fn assess_set(table: &QualifiedName, column: &str, ctx: &Context, out: &mut Assessment) {
    let effect = Effect::new(table, LockMode::AccessExclusive);
    let facts = ctx.table(table);
    let already = facts
        .and_then(|f| f.columns.get(column))
        .is_some_and(|c| c.not_null);
    let proven =
        ctx.version.at_least(12) && facts.is_some_and(|f| f.has_valid_not_null_check(column));
    if already || proven || ctx.is_new(table) {
        out.push_effect(effect);
        return;
    }
    out.push_effect(effect.scan());
    let mut verdict = Verdict::new(
        RuleId::SetNotNull,
        format!(
            "SET NOT NULL on {}.{} scans every row while reads and writes are blocked",
            table.sql(),
            quote_ident(column)
        ),
        Some(recipes::set_not_null(table, column, ctx.version)),
    );
    if !ctx.catalog.connected && ctx.version.at_least(12) {
        verdict = verdict.assuming(
            "no validated CHECK (… IS NOT NULL) on the column (not connected; none earlier in this run)",
        );
    }
    out.verdicts.push(verdict);
}
