//! SET NOT NULL (and the other column-level metadata changes: DROP NOT NULL, SET / DROP
//! DEFAULT): a full scan under AccessExclusiveLock, unless PostgreSQL 12+ can rely on a validated
//! `CHECK (col IS NOT NULL)` — which is the recipe: CHECK … NOT VALID → VALIDATE → SET NOT NULL →
//! drop the check.

use super::recipe::{self, Draft, Recipe};
use super::{probes, Assessment, Effect, Planned, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::{quote_ident, PgName};
use crate::syntax::nodes;
use pg_query::protobuf::Node;
use tack_core::plan::{Phase, Undo};
use tack_core::{AlterAction, Context, QualifiedName, Version};
/// Maps `ALTER COLUMN … SET DEFAULT …` / `DROP DEFAULT`.
pub fn map_default(column: String, def: Option<&Node>) -> AlterAction {
    match def {
        Some(d) => AlterAction::SetDefault {
            column,
            default: nodes::expression(d),
        },
        None => AlterAction::DropDefault { column },
    }
}

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
        Some(recipe(table, column, ctx.version).fix()),
    );
    if !ctx.catalog.connected && ctx.version.at_least(12) {
        verdict = verdict.assuming(
            "no validated CHECK (… IS NOT NULL) on the column (not connected; none earlier in this run)",
        );
    }
    out.verdicts.push(verdict);
}

/// CHECK … NOT VALID → VALIDATE → SET NOT NULL → drop the check (12+); before 12 only the
/// validated check (SET NOT NULL always scans there).
pub fn recipe(table: &QualifiedName, column: &str, version: Version) -> Recipe {
    let t = table.sql();
    let c = quote_ident(column);
    let name = recipe::constraint_name(table, &[column], "not_null");
    let check = quote_ident(&name);
    let mut r = Recipe::new();
    let mut add = Draft::sql(
        Phase::Validate,
        table,
        LockMode::AccessExclusive,
        format!("ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID"),
        "NOT VALID: only new writes are checked, no scan",
    )
    .probe(probes::constraint_exists(table, &name))
    .undo_sql(format!("ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {check}"));
    if !version.at_least(12) {
        add = add.note(
            "before PostgreSQL 12, SET NOT NULL always scans under AccessExclusiveLock; a validated CHECK keeps the guarantee without the lock:",
        );
    }
    r.push(add);
    r.push(
        Draft::sql(
            Phase::Validate,
            table,
            LockMode::ShareUpdateExclusive,
            format!("ALTER TABLE {t} VALIDATE CONSTRAINT {check}"),
            "scans under ShareUpdateExclusiveLock: reads and writes continue",
        )
        .scanning()
        .probe(probes::constraint_validated(table, &name)),
    );
    if !version.at_least(12) {
        return r;
    }
    r.push(
        Draft::sql(
            Phase::Validate,
            table,
            LockMode::AccessExclusive,
            format!("ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL"),
            "the validated check proves no NULLs (PostgreSQL 12+): no scan",
        )
        .probe(probes::column_not_null(table, column))
        .undo_sql(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL")),
    );
    r.push(
        Draft::sql(
            Phase::Cleanup,
            table,
            LockMode::AccessExclusive,
            format!("ALTER TABLE {t} DROP CONSTRAINT {check}"),
            "the helper check is redundant now",
        )
        .probe(probes::constraint_absent(table, &name)),
    );
    r
}

/// Plans `SET NOT NULL`: as written when already proven, else by [`recipe`] (12+).
pub fn plan(ctx: &Context, table: &QualifiedName, action: &AlterAction, column: &str) -> Planned {
    if super::is_cheap(ctx, table, action) {
        Planned::AsWritten("the column is already proven NOT NULL: no scan")
    } else if ctx.version.at_least(12) {
        Planned::Recipe(recipe(table, column, ctx.version))
    } else {
        Planned::Judge
    }
}

/// Undoing column metadata changes run as written.
pub fn undo(table: &QualifiedName, action: &AlterAction, ctx: &Context) -> Undo {
    let t = table.sql();
    match action {
        AlterAction::SetNotNull { column } => {
            let already = ctx
                .table(table)
                .and_then(|f| f.columns.get(column))
                .is_some_and(|c| c.not_null);
            if already {
                Undo::Nothing
            } else {
                Undo::Sql {
                    sql: format!("ALTER TABLE {t} ALTER COLUMN {} DROP NOT NULL", quote_ident(column)),
                    transactional: true,
                }
            }
        }
        AlterAction::DropNotNull { .. } => Undo::Irreversible {
            reason: "putting NOT NULL back scans the table; do it by the CHECK recipe (tack lint shows it)".to_owned(),
        },
        AlterAction::SetDefault { column, .. } | AlterAction::DropDefault { column } => {
            Undo::Irreversible {
                reason: format!(
                    "tack does not know the default {} had before; set it back by hand",
                    quote_ident(column)
                ),
            }
        }
        _ => Undo::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;
    use tack_core::plan::Phase;

    #[test]
    fn set_not_null_scans_unless_a_validated_check_proves_it() {
        let a = assess_sql("ALTER TABLE t ALTER COLUMN c SET NOT NULL", 15);
        assert_eq!(a.verdicts[0].rule.name, "set-not-null");
        assert!(a.effects[0].scan);
        let proven = assess_run(
            &[
                "ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID",
                "ALTER TABLE t VALIDATE CONSTRAINT c_nn",
                "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
            ],
            15,
        );
        assert!(proven.verdicts.is_empty());
        assert!(!proven.effects[0].scan);
        // Not on 11: the check does not count there.
        let old = assess_run(
            &[
                "ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID",
                "ALTER TABLE t VALIDATE CONSTRAINT c_nn",
                "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
            ],
            11,
        );
        assert_eq!(old.verdicts.len(), 1);
    }

    #[test]
    fn the_plan_is_the_check_recipe_on_12_and_refused_before() {
        let plan = plan_sql("ALTER TABLE t ALTER COLUMN c SET NOT NULL", 15);
        let phases: Vec<Phase> = plan.steps.iter().map(|s| s.phase).collect();
        assert_eq!(
            phases,
            [
                Phase::Validate,
                Phase::Validate,
                Phase::Validate,
                Phase::Cleanup
            ]
        );
        assert_eq!(
            plan.steps[1].lock.as_deref(),
            Some("ShareUpdateExclusiveLock")
        );
        assert!(plan.steps.iter().all(|s| s.done_probe.is_some()));
        let plan = plan_sql("ALTER TABLE t ALTER COLUMN c SET NOT NULL", 11);
        assert_eq!(plan.refused[0].rule, "set-not-null");
    }
}
