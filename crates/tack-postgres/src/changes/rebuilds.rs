//! Whole-table rebuilds and wipes: VACUUM FULL, CLUSTER, SET LOGGED/UNLOGGED, TRUNCATE.

use super::{Assessment, Effect, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::PgName;
use tack_core::plan::Undo;
use tack_core::{AlterAction, Change, Context, QualifiedName};

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
