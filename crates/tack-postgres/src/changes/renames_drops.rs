//! Renames and drops: instant, but they break clients that still use the old name.

use super::{Assessment, Effect, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::{quote_ident, PgName};
use tack_core::plan::Undo;
use tack_core::{Change, Context, QualifiedName};

pub fn assess(change: &Change, ctx: &Context, out: &mut Assessment) {
    match change {
        Change::RenameTable { table, new_name } => {
            out.push_effect(Effect::new(table, LockMode::AccessExclusive));
            if ctx.is_new(table) {
                return;
            }
            let t = table.sql();
            let n = quote_ident(new_name);
            out.verdicts.push(Verdict::new(
                RuleId::RenameTable,
                format!("renaming {t} to {n} breaks every client still using {t}"),
                Some(format!(
                    "BEGIN;\nALTER TABLE {t} RENAME TO {n};\n\
                     CREATE VIEW {t} AS SELECT * FROM {};  -- simple views are updatable\nCOMMIT;\n\
                     -- once no client uses {t}: DROP VIEW {t};",
                    table.sibling(new_name).sql()
                )),
            ));
        }
        Change::RenameColumn {
            table,
            column,
            new_name,
        } => {
            out.push_effect(Effect::new(table, LockMode::AccessExclusive));
            if ctx.is_new(table) {
                return;
            }
            let t = table.sql();
            let c = quote_ident(column);
            let n = quote_ident(new_name);
            out.verdicts.push(Verdict::new(
                RuleId::RenameColumn,
                format!("renaming {t}.{c} to {n} breaks every client still using {c}"),
                Some(format!(
                    "-- expand/contract:\nALTER TABLE {t} ADD COLUMN {n} <type of {c}>;\n\
                     -- keep {n} in sync with {c} by trigger, backfill in batches, move readers and writers to {n},\n\
                     -- then: ALTER TABLE {t} DROP COLUMN {c};"
                )),
            ));
        }
        Change::RenameConstraint { table } => {
            out.push_effect(Effect::new(table, LockMode::AccessExclusive));
        }
        Change::DropTable { tables } => {
            for table in tables {
                out.push_effect(Effect::new(table, LockMode::AccessExclusive));
                if ctx.is_new(table) {
                    continue;
                }
                out.verdicts.push(Verdict::new(
                    RuleId::DropTable,
                    format!(
                        "dropping {} destroys its data and breaks clients that use it",
                        table.sql()
                    ),
                    Some(format!(
                        "-- first make sure no code uses it: rename it and wait a release\n\
                         ALTER TABLE {} RENAME TO {};\n-- later: DROP TABLE {};",
                        table.sql(),
                        quote_ident(&format!("{}_to_drop", table.name)),
                        table.sibling(&format!("{}_to_drop", table.name)).sql()
                    )),
                ));
            }
        }
        _ => {}
    }
}

pub fn assess_drop_column(
    table: &QualifiedName,
    column: &str,
    ctx: &Context,
    out: &mut Assessment,
) {
    out.push_effect(Effect::new(table, LockMode::AccessExclusive));
    if ctx.is_new(table) {
        return;
    }
    let t = table.sql();
    let c = quote_ident(column);
    out.verdicts.push(Verdict::new(
        RuleId::DropColumn,
        format!("dropping {t}.{c} breaks code that still reads or writes {c}"),
        Some(format!(
            "-- deploy application code that no longer uses {c} (ignore it in the ORM), then:\n\
             SET lock_timeout = '1s';\nALTER TABLE {t} DROP COLUMN {c};"
        )),
    ));
}

/// Undoing renames and drops run as written: a rename is renamed back; a drop cannot be undone.
pub fn undo(change: &Change) -> Undo {
    match change {
        Change::RenameTable { table, new_name } => Undo::Sql {
            sql: format!(
                "ALTER TABLE {} RENAME TO {}",
                table.sibling(new_name).sql(),
                quote_ident(&table.name)
            ),
            transactional: true,
        },
        Change::RenameColumn {
            table,
            column,
            new_name,
        } => Undo::Sql {
            sql: format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                table.sql(),
                quote_ident(new_name),
                quote_ident(column)
            ),
            transactional: true,
        },
        Change::DropTable { .. } => Undo::Irreversible {
            reason: "the table and its rows are gone".to_owned(),
        },
        _ => Undo::Irreversible {
            reason: "tack cannot tell the old name back".to_owned(),
        },
    }
}

/// Undoing `DROP COLUMN`: its values are gone.
pub fn undo_drop_column() -> Undo {
    Undo::Irreversible {
        reason: "the column and its values are gone".to_owned(),
    }
}
