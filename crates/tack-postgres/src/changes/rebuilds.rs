//! Whole-table rebuilds and wipes: VACUUM FULL, CLUSTER, SET LOGGED/UNLOGGED, TRUNCATE.

use super::opaque;
use super::{Assessment, Effect, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::PgName;
use crate::syntax::nodes;
use pg_query::protobuf::{self, node::Node as N};
use tack_core::plan::Undo;
use tack_core::{AlterAction, Change, Context, QualifiedName};
/// Maps `TRUNCATE`.
pub fn map_truncate(s: &protobuf::TruncateStmt) -> Change {
    Change::Truncate {
        tables: s
            .relations
            .iter()
            .filter_map(nodes::node_range_var)
            .collect(),
    }
}

/// Maps `VACUUM FULL` (other vacuums are opaque: they take no blocking lock).
pub fn map_vacuum(s: &protobuf::VacuumStmt, node: &N) -> Change {
    let full = s.is_vacuumcmd
        && s.options.iter().any(|o| match &o.node {
            Some(N::DefElem(d)) => d.defname == "full" && nodes::def_bool(d),
            _ => false,
        });
    if !full {
        return opaque::map_other(node);
    }
    Change::VacuumFull {
        tables: s
            .rels
            .iter()
            .filter_map(|r| match &r.node {
                Some(N::VacuumRelation(v)) => v.relation.as_ref().map(nodes::range_var),
                _ => None,
            })
            .collect(),
    }
}

/// Maps `CLUSTER`.
pub fn map_cluster(s: &protobuf::ClusterStmt) -> Change {
    Change::Cluster {
        table: s.relation.as_ref().map(nodes::range_var),
    }
}

pub fn assess(change: &Change, ctx: &Context, out: &mut Assessment) {
    match change {
        Change::VacuumFull { tables } => {
            for table in tables {
                out.push_effect(Effect::new(table, LockMode::AccessExclusive).rewrite());
                if !ctx.is_new(table) {
                    out.verdicts.push(Verdict::new(
                        RuleId::VacuumFull,
                        format!(
                            "VACUUM FULL rewrites {} while reads and writes are blocked",
                            table.sql()
                        ),
                        Some(format!(
                            "VACUUM (ANALYZE) {};  -- or rebuild online: pg_repack --table {}",
                            table.sql(),
                            table.sql()
                        )),
                    ));
                }
            }
            if tables.is_empty() {
                out.verdicts.push(Verdict::new(
                    RuleId::VacuumFull,
                    "VACUUM FULL rewrites every table of the database, each under an AccessExclusiveLock",
                    Some("VACUUM (ANALYZE);".to_owned()),
                ));
            }
        }
        Change::Cluster { table } => {
            let Some(table) = table else {
                out.verdicts.push(Verdict::new(
                    RuleId::Cluster,
                    "CLUSTER rewrites every previously clustered table under an AccessExclusiveLock",
                    Some("-- rebuild online instead: pg_repack --order-by …".to_owned()),
                ));
                return;
            };
            out.push_effect(Effect::new(table, LockMode::AccessExclusive).rewrite());
            if !ctx.is_new(table) {
                out.verdicts.push(Verdict::new(
                    RuleId::Cluster,
                    format!(
                        "CLUSTER rewrites {} while reads and writes are blocked",
                        table.sql()
                    ),
                    Some(format!(
                        "-- rebuild online instead: pg_repack --table {} --order-by …",
                        table.sql()
                    )),
                ));
            }
        }
        Change::Truncate { tables } => {
            for table in tables {
                out.push_effect(Effect::new(table, LockMode::AccessExclusive));
                if !ctx.is_new(table) {
                    out.verdicts.push(Verdict::new(
                        RuleId::Truncate,
                        format!(
                            "TRUNCATE removes every row of {} under an AccessExclusiveLock",
                            table.sql()
                        ),
                        Some(format!(
                            "SET lock_timeout = '1s';\nTRUNCATE {};",
                            table.sql()
                        )),
                    ));
                }
            }
        }
        _ => {}
    }
}

pub fn assess_set_logged(
    table: &QualifiedName,
    action: &AlterAction,
    ctx: &Context,
    out: &mut Assessment,
) {
    out.push_effect(Effect::new(table, LockMode::AccessExclusive).rewrite());
    if ctx.is_new(table) {
        return;
    }
    let what = if matches!(action, AlterAction::SetLogged) {
        "SET LOGGED"
    } else {
        "SET UNLOGGED"
    };
    out.verdicts.push(Verdict::new(
        RuleId::SetLoggedUnlogged,
        format!("{what} rewrites {} while reads and writes are blocked", table.sql()),
        Some(format!(
            "-- create a new table with the wanted persistence, copy rows in batches, then swap names in one short transaction:\n\
             CREATE {}TABLE {} (LIKE {} INCLUDING ALL);",
            if matches!(action, AlterAction::SetUnlogged) { "UNLOGGED " } else { "" },
            table.sibling(&format!("{}_new", table.name)).sql(),
            table.sql()
        )),
    ));
}

/// Undoing rebuilds and wipes run as written.
pub fn undo(change: &Change) -> Undo {
    match change {
        Change::Truncate { .. } => Undo::Irreversible {
            reason: "the rows are gone".to_owned(),
        },
        // A rebuild changes nothing a rollback would need to put back.
        _ => Undo::Nothing,
    }
}

/// Undoing SET LOGGED / UNLOGGED: the opposite rewrites the table again.
pub fn undo_set_logged() -> Undo {
    Undo::Irreversible {
        reason: "switching back rewrites the table again; do it in a quiet window if needed"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;

    #[test]
    fn rebuilds_rewrite_under_access_exclusive() {
        for (sql, rule) in [
            ("VACUUM FULL orders", "vacuum-full"),
            ("CLUSTER orders USING orders_pkey", "cluster"),
            ("ALTER TABLE orders SET UNLOGGED", "set-logged-unlogged"),
        ] {
            let a = assess_sql(sql, 15);
            assert_eq!(a.verdicts[0].rule.name, rule, "{sql}");
            assert!(a.effects[0].rewrite, "{sql}");
            assert_eq!(plan_sql(sql, 15).refused[0].rule, rule, "{sql}");
        }
        // Plain VACUUM is not a rebuild.
        assert!(assess_sql("VACUUM orders", 15).effects.is_empty());
    }

    #[test]
    fn truncate_warns_and_cannot_be_undone() {
        let a = assess_sql("TRUNCATE orders", 15);
        assert_eq!(a.verdicts[0].rule.name, "truncate");
        let plan = plan_allowing("TRUNCATE orders", "truncate");
        assert!(matches!(
            plan.steps[0].undo,
            tack_core::plan::Undo::Irreversible { .. }
        ));
    }
}
