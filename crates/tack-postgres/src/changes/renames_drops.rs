//! Renames and drops: instant, but they break clients that still use the old name.

use super::{indexes, opaque};
use super::{Assessment, Effect, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::{quote_ident, PgName};
use crate::syntax::nodes;
use pg_query::protobuf::{self, node::Node as N};
use tack_core::plan::Undo;
use tack_core::{Change, Context, QualifiedName};
/// Maps `ALTER TABLE … RENAME [COLUMN|CONSTRAINT]`.
pub fn map_rename(s: &protobuf::RenameStmt, node: &N) -> Change {
    use protobuf::ObjectType as O;
    let Some(rel) = &s.relation else {
        return opaque::map_other(node);
    };
    let table = nodes::range_var(rel);
    match O::try_from(s.rename_type) {
        Ok(O::ObjectTable) => Change::RenameTable {
            table,
            new_name: s.newname.clone(),
        },
        Ok(O::ObjectColumn) if s.relation_type == O::ObjectTable as i32 => Change::RenameColumn {
            table,
            column: s.subname.clone(),
            new_name: s.newname.clone(),
        },
        Ok(O::ObjectTabconstraint) => Change::RenameConstraint { table },
        _ => opaque::map_other(node),
    }
}
/// The names a `DROP` statement lists.
pub fn dropped_names(s: &protobuf::DropStmt) -> Vec<QualifiedName> {
    s.objects
        .iter()
        .filter_map(|o| match &o.node {
            Some(N::List(l)) => Some(nodes::qualified(&nodes::strings(&l.items))),
            Some(N::String(name)) => Some(QualifiedName::unqualified(&name.sval)),
            _ => None,
        })
        .collect()
}

/// Maps `DROP TABLE`, `DROP INDEX` (the index module's), and other drops (opaque).
pub fn map_drop(s: &protobuf::DropStmt, node: &N) -> Change {
    use protobuf::ObjectType as O;
    let names = dropped_names(s);
    match O::try_from(s.remove_type) {
        Ok(O::ObjectTable) => Change::DropTable { tables: names },
        Ok(O::ObjectIndex) => indexes::map_drop(s, names),
        _ => opaque::map_other(node),
    }
}

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

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;
    use tack_core::plan::Undo;

    #[test]
    fn renames_and_drops_warn_and_run_as_written_when_allowed() {
        for (sql, rule) in [
            (
                "ALTER TABLE orders RENAME COLUMN total TO amount",
                "rename-column",
            ),
            ("ALTER TABLE orders RENAME TO purchases", "rename-table"),
            ("ALTER TABLE orders DROP COLUMN note", "drop-column"),
            ("DROP TABLE orders", "drop-table"),
        ] {
            let a = assess_sql(sql, 15);
            assert_eq!(a.verdicts[0].rule.name, rule, "{sql}");
            assert!(!a.effects[0].rewrite && !a.effects[0].scan, "{sql}");
            let plan = plan_sql(sql, 15);
            assert_eq!(plan.refused[0].rule, rule, "{sql}");
        }
    }

    #[test]
    fn a_rename_is_undone_by_renaming_back_a_drop_cannot_be() {
        let plan = plan_allowing(
            "ALTER TABLE orders RENAME COLUMN total TO amount",
            "rename-column",
        );
        assert!(matches!(&plan.steps[0].undo, Undo::Sql { sql, .. }
            if sql == "ALTER TABLE orders RENAME COLUMN amount TO total"));
        let plan = plan_allowing("ALTER TABLE orders RENAME TO purchases", "rename-table");
        assert!(matches!(&plan.steps[0].undo, Undo::Sql { sql, .. }
            if sql == "ALTER TABLE purchases RENAME TO orders"));
        let plan = plan_allowing("DROP TABLE orders", "drop-table");
        assert!(matches!(plan.steps[0].undo, Undo::Irreversible { .. }));
    }
}
