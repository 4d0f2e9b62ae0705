//! Whole-table UPDATE and DELETE in one statement — and the recipe for an UPDATE: a batched
//! keyset backfill with a temporary trigger for rows written meanwhile.

use super::opaque;
use super::recipe::{self as recipes, Draft};
use super::{Assessment, Effect, Planned, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::PgName;
use crate::syntax::{deparse, nodes};
use pg_query::protobuf::{self, node::Node as N, Node};
use tack_core::plan::Undo;
use tack_core::{Change, Context, QualifiedName, RowFilter, Statement};
/// Maps `UPDATE`.
pub fn map_update(s: &protobuf::UpdateStmt, node: &N) -> Change {
    match &s.relation {
        Some(rel) => Change::Update {
            table: nodes::range_var(rel),
            filter: row_filter(s.where_clause.as_deref()),
            assignments: assignments(&s.target_list),
            set_sql: deparse::update_set(s).unwrap_or_else(|| "…".to_owned()),
            where_sql: s.where_clause.as_deref().and_then(deparse::expr),
        },
        None => opaque::map_other(node),
    }
}

/// Maps `DELETE`.
pub fn map_delete(s: &protobuf::DeleteStmt, node: &N) -> Change {
    match &s.relation {
        Some(rel) => Change::Delete {
            table: nodes::range_var(rel),
            filter: row_filter(s.where_clause.as_deref()),
            where_sql: s.where_clause.as_deref().and_then(deparse::expr),
        },
        None => opaque::map_other(node),
    }
}

/// `SET a = expr, b = expr` as pairs; empty if any target is not a plain column.
fn assignments(targets: &[Node]) -> Vec<(String, String)> {
    let pairs: Option<Vec<(String, String)>> = targets
        .iter()
        .map(|t| match &t.node {
            Some(N::ResTarget(r)) if r.indirection.is_empty() && !r.name.is_empty() => {
                let value = r.val.as_deref()?;
                if matches!(value.node, Some(N::MultiAssignRef(_))) {
                    return None;
                }
                let value = deparse::expr(value)?;
                Some((r.name.clone(), value))
            }
            _ => None,
        })
        .collect();
    pairs.unwrap_or_default()
}

/// What a WHERE clause tells about the rows it can touch.
pub fn row_filter(where_clause: Option<&Node>) -> RowFilter {
    let Some(node) = where_clause.and_then(|n| n.node.as_ref()) else {
        return RowFilter::All;
    };
    match equality_columns(node) {
        Some(columns) if !columns.is_empty() => RowFilter::Equality(columns),
        _ => RowFilter::Other,
    }
}

/// Columns that every matching row must equal to a constant: `a = 1`, `a IN (1, 2)`,
/// `a = ANY($1)`, conjunctions of those (any conjunct suffices), and disjunctions where every
/// branch pins the same columns. `None` when the condition is anything else.
fn equality_columns(node: &N) -> Option<Vec<String>> {
    match node {
        N::AExpr(e) => {
            let op = nodes::strings(&e.name);
            let kind = protobuf::AExprKind::try_from(e.kind).ok()?;
            let equality = op.iter().any(|o| o == "=")
                && matches!(
                    kind,
                    protobuf::AExprKind::AexprOp
                        | protobuf::AExprKind::AexprIn
                        | protobuf::AExprKind::AexprOpAny
                );
            if !equality {
                return None;
            }
            let constant = |n: &Option<Box<Node>>| {
                matches!(
                    n.as_ref().and_then(|n| n.node.as_ref()),
                    Some(N::AConst(_) | N::ParamRef(_) | N::TypeCast(_) | N::List(_))
                )
            };
            let column = |n: &Option<Box<Node>>| match n.as_ref().and_then(|n| n.node.as_ref()) {
                Some(N::ColumnRef(c)) => nodes::strings(&c.fields).pop(),
                _ => None,
            };
            match (column(&e.lexpr), column(&e.rexpr)) {
                (Some(c), None) if constant(&e.rexpr) => Some(vec![c]),
                (None, Some(c)) if constant(&e.lexpr) => Some(vec![c]),
                _ => None,
            }
        }
        N::BoolExpr(b) => {
            let parts: Vec<Option<Vec<String>>> = b
                .args
                .iter()
                .map(|a| a.node.as_ref().and_then(equality_columns))
                .collect();
            if b.boolop == protobuf::BoolExprType::AndExpr as i32 {
                let cols: Vec<String> = parts.into_iter().flatten().flatten().collect();
                (!cols.is_empty()).then_some(cols)
            } else if b.boolop == protobuf::BoolExprType::OrExpr as i32 {
                let mut sets = parts.into_iter();
                let first = sets.next()??;
                let mut common = first;
                for set in sets {
                    let set = set?;
                    common.retain(|c| set.contains(c));
                }
                (!common.is_empty()).then_some(common)
            } else {
                None
            }
        }
        _ => None,
    }
}

pub fn assess(change: &Change, ctx: &Context, out: &mut Assessment) {
    match change {
        Change::Update {
            table,
            filter,
            set_sql,
            where_sql,
            ..
        } => {
            let many = touches_many_rows(table, filter, ctx);
            out.push_effect(row_effect(table, many));
            if !many || ctx.is_new(table) {
                return;
            }
            let key = recipes::batch_key(ctx.table(table));
            out.verdicts.push(
                Verdict::new(
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
                )
                .long_running(),
            );
        }
        Change::Delete {
            table,
            filter,
            where_sql,
        } => {
            let many = touches_many_rows(table, filter, ctx);
            out.push_effect(row_effect(table, many));
            if !many || ctx.is_new(table) {
                return;
            }
            let key = recipes::batch_key(ctx.table(table));
            out.verdicts.push(
                Verdict::new(
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
                )
                .long_running(),
            );
        }
        _ => {}
    }
}

/// DML takes RowExclusiveLock; one that touches most rows reads the whole table to find them.
fn row_effect(table: &QualifiedName, many: bool) -> Effect {
    let effect = Effect::new(table, LockMode::RowExclusive);
    if many {
        effect.scan()
    } else {
        effect
    }
}

/// A WHERE clause pins few rows when it is an equality on a key: a primary-key or unique-index
/// column when the catalog knows the table's indexes, else a column named `id`.
fn touches_many_rows(table: &QualifiedName, filter: &RowFilter, ctx: &Context) -> bool {
    let RowFilter::Equality(columns) = filter else {
        return true;
    };
    let facts = ctx.table(table);
    let keys: Vec<&String> = facts
        .map(|f| {
            f.indexes
                .iter()
                .filter(|i| i.unique && i.columns.len() == 1)
                .flat_map(|i| i.columns.iter())
                .collect()
        })
        .unwrap_or_default();
    if facts.is_some_and(|f| !f.indexes.is_empty()) {
        !columns.iter().any(|c| keys.contains(&c))
    } else {
        !columns.iter().any(|c| c == "id")
    }
}

/// Plans an `UPDATE`: as written when it touches few rows, else as a batched backfill.
pub fn plan(ctx: &Context, stmt: &Statement) -> Planned {
    let Change::Update {
        table,
        assignments,
        where_sql,
        ..
    } = stmt.change
    else {
        return Planned::Judge;
    };
    let verdicts = super::assess(stmt.change, ctx).verdicts;
    if verdicts.is_empty() || assignments.is_empty() {
        return Planned::AsWritten("touches few rows: one short transaction");
    }
    let b = recipes::backfill(
        table,
        ctx.table(table),
        assignments.clone(),
        where_sql.clone(),
    );
    let why = recipes::backfill_why(&b, "the UPDATE, in batches");
    let mut r = super::recipe::Recipe::new();
    r.push(Draft::backfill(
        b,
        why,
        Undo::Irreversible {
            reason: "the rows keep the values the UPDATE wrote".to_owned(),
        },
    ));
    Planned::Recipe(r)
}

/// Undoing DML run as written: the old values are not kept.
pub fn undo(change: &Change) -> Undo {
    match change {
        Change::Delete { .. } => Undo::Irreversible {
            reason: "the deleted rows are gone".to_owned(),
        },
        _ => Undo::Irreversible {
            reason: "the rows keep the values the UPDATE wrote".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;
    use tack_core::plan::{Action, BackfillKey, Phase};
    use tack_core::{Change, RowFilter};

    #[test]
    fn where_clauses_tell_how_many_rows() {
        for (sql, filter) in [
            ("UPDATE t SET a = 1", RowFilter::All),
            (
                "UPDATE t SET a = 1 WHERE id = 4",
                RowFilter::Equality(vec!["id".into()]),
            ),
            (
                "UPDATE t SET a = 1 WHERE id IN (1, 2) AND b > 3",
                RowFilter::Equality(vec!["id".into()]),
            ),
            ("UPDATE t SET a = 1 WHERE b > 3", RowFilter::Other),
        ] {
            let parsed = tack_core::Dialect::parse(&crate::Postgres, sql);
            match &parsed.statements[0].change {
                Change::Update { filter: f, .. } => assert_eq!(*f, filter, "{sql}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_whole_table_update_becomes_a_backfill_a_keyed_one_runs_as_written() {
        let plan = plan_sql(
            "UPDATE orders SET slug = lower(name) WHERE slug IS NULL",
            15,
        );
        assert_eq!(plan.steps.len(), 1);
        let step = &plan.steps[0];
        assert_eq!(step.phase, Phase::Backfill);
        match &step.action {
            Action::Backfill(b) => {
                assert_eq!(
                    b.key,
                    BackfillKey::PhysicalPages,
                    "offline: no primary key known"
                );
                assert!(b.trigger);
            }
            other => panic!("{other:?}"),
        }
        // `SET v = v + 1` reads what it writes: no trigger (applying it twice would differ).
        let plan = plan_sql(
            "UPDATE orders SET status = lower(status) WHERE status <> lower(status)",
            15,
        );
        assert!(matches!(&plan.steps[0].action, Action::Backfill(b) if !b.trigger));
        let plan = plan_sql("UPDATE orders SET v = v + 1", 15);
        assert!(matches!(&plan.steps[0].action, Action::Backfill(b) if !b.trigger));
        let plan = plan_sql("UPDATE orders SET status = 'x' WHERE id = 4", 15);
        assert_eq!(plan.steps[0].phase, Phase::Run);
        // A whole-table DELETE has no recipe here: refused.
        assert_eq!(
            plan_sql("DELETE FROM orders", 15).refused[0].rule,
            "unbatched-delete"
        );
    }
}
