//! ALTER TYPE … ADD VALUE.

use super::{Assessment, RuleId, Verdict};
use crate::sql::{quote_literal, PgName};
use tack_core::plan::Undo;
use tack_core::{Change, Context};

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

/// Undoing `ADD VALUE`: PostgreSQL cannot remove an enum value.
pub fn undo(_change: &Change) -> Undo {
    Undo::Irreversible {
        reason: "PostgreSQL cannot remove a value from an enum type".to_owned(),
    }
}
