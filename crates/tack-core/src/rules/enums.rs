//! ALTER TYPE … ADD VALUE.

use super::{Assessment, Context, RuleId, Verdict};
use crate::change::{quote_literal, Change};

pub fn assess(change: &Change, ctx: &Context, out: &mut Assessment) {
    let Change::AlterEnumAddValue { type_name, value } = change else {
        return;
    };
    // No table lock: the statement locks the type's catalog row only.
    if ctx.in_transaction && !ctx.version.at_least(12) {
        out.verdicts.push(Verdict::new(
            RuleId::EnumAddValueInTransaction,
            format!(
                "ALTER TYPE {} ADD VALUE cannot run inside a transaction block on PostgreSQL {}",
                type_name.sql(),
                ctx.version
            ),
            Some(format!(
                "-- in a migration of its own, outside BEGIN … COMMIT:\nALTER TYPE {} ADD VALUE IF NOT EXISTS {};",
                type_name.sql(),
                quote_literal(value)
            )),
        ));
    }
}
