//! ALTER TYPE … ADD VALUE.

use super::opaque;
use super::{Assessment, RuleId, Verdict};
use crate::sql::{quote_literal, PgName};
use crate::syntax::nodes;
use pg_query::protobuf::{self, node::Node as N};
use tack_core::plan::Undo;
use tack_core::{Change, Context};
/// Maps `ALTER TYPE … ADD VALUE` (other enum changes are opaque).
pub fn map(s: &protobuf::AlterEnumStmt, node: &N) -> Change {
    if !s.old_val.is_empty() {
        return opaque::map_other(node);
    }
    Change::AlterEnumAddValue {
        type_name: nodes::qualified(&nodes::strings(&s.type_name)),
        value: s.new_val.clone(),
    }
}

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

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;
    use tack_core::{Catalog, Context, Dialect, Version};

    #[test]
    fn add_value_fails_in_a_transaction_before_12_only() {
        let parsed = crate::Postgres.parse("ALTER TYPE mood ADD VALUE 'calm'");
        let catalog: Catalog = crate::Postgres.empty_catalog(false);
        for (major, in_transaction, expected) in [(11, true, 1), (11, false, 0), (15, true, 0)] {
            let ctx = Context {
                version: Version::new(major, 0),
                catalog: &catalog,
                in_transaction,
            };
            let a = crate::changes::assess(&parsed.statements[0].change, &ctx);
            assert_eq!(a.verdicts.len(), expected, "{major} {in_transaction}");
        }
        // It runs outside a transaction when planned (PostgreSQL cannot remove the value).
        let plan = plan_sql("ALTER TYPE mood ADD VALUE 'calm'", 15);
        assert!(!plan.steps[0].transactional);
        assert!(matches!(
            plan.steps[0].undo,
            tack_core::plan::Undo::Irreversible { .. }
        ));
    }
}
