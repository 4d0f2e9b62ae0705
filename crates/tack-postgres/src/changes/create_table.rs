//! CREATE TABLE and CREATE TABLE … AS: a new table is empty and unused, so nothing done to it can
//! hurt traffic — but its foreign keys lock the tables they reference. Undone by dropping it.

use super::{add_column, constraints, Assessment, Effect};
use crate::lock::LockMode;
use crate::sql::PgName;
use crate::syntax::nodes::{self, Render};
use pg_query::protobuf::{self, node::Node as N};
use tack_core::plan::Undo;
use tack_core::{Change, ColumnSpec, ConstraintKind, ConstraintSpec, QualifiedName};

/// Maps `CREATE TABLE`.
pub fn map_create(s: &protobuf::CreateStmt) -> Change {
    let Some(rel) = &s.relation else {
        return Change::Other {
            tag: "CreateStmt".to_owned(),
        };
    };
    let mut columns = Vec::new();
    let mut table_constraints = Vec::new();
    for elt in &s.table_elts {
        match &elt.node {
            Some(N::ColumnDef(def)) => columns.push(add_column::map_column(def, Render::Skip)),
            Some(N::Constraint(c)) => {
                table_constraints.extend(constraints::map_constraint(c, None, Render::Skip))
            }
            _ => {}
        }
    }
    Change::CreateTable {
        table: nodes::range_var(rel),
        columns,
        constraints: table_constraints,
        partition_of: s
            .partbound
            .as_ref()
            .and_then(|_| s.inh_relations.first())
            .and_then(nodes::node_range_var),
        if_not_exists: s.if_not_exists,
    }
}

/// Maps `CREATE TABLE … AS` / `SELECT INTO` / `CREATE MATERIALIZED VIEW`.
pub fn map_create_as(s: &protobuf::CreateTableAsStmt) -> Option<Change> {
    let rel = s.into.as_ref().and_then(|i| i.rel.as_ref())?;
    Some(Change::CreateTableAs {
        table: nodes::range_var(rel),
    })
}

/// `CREATE TABLE`: the new table is empty and unused (its own lock is irrelevant), but its foreign
/// keys lock the referenced tables.
pub fn assess(
    table: &QualifiedName,
    columns: &[ColumnSpec],
    constraints: &[ConstraintSpec],
    out: &mut Assessment,
) {
    let inline = columns.iter().flat_map(|c| c.constraints.iter());
    for spec in constraints.iter().chain(inline) {
        if let ConstraintKind::ForeignKey {
            referenced_table, ..
        } = &spec.kind
        {
            if referenced_table != table {
                out.push_effect(Effect::new(referenced_table, LockMode::ShareRowExclusive));
            }
        }
    }
}

/// Undoing `CREATE TABLE` (or `CREATE TABLE … AS`): drop the table it made.
pub fn undo(change: &Change) -> Undo {
    match change {
        Change::CreateTable {
            table,
            if_not_exists: false,
            ..
        }
        | Change::CreateTableAs { table } => Undo::Sql {
            sql: format!("DROP TABLE IF EXISTS {}", table.sql()),
            transactional: true,
        },
        Change::CreateTable { table, .. } => Undo::Irreversible {
            reason: format!(
                "CREATE TABLE IF NOT EXISTS {} may have found the table already there",
                table.sql()
            ),
        },
        _ => Undo::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;

    #[test]
    fn create_table_locks_referenced_tables_only() {
        let a = assess_sql(
            "CREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders (id))",
            15,
        );
        assert_eq!(a.effects.len(), 1);
        assert_eq!(a.effects[0].table.name, "orders");
        assert!(a.verdicts.is_empty());
    }

    #[test]
    fn a_new_table_is_undone_by_dropping_it() {
        let plan = plan_sql("CREATE TABLE items (id bigint PRIMARY KEY)", 15);
        assert!(
            matches!(&plan.steps[0].undo, tack_core::plan::Undo::Sql { sql, .. } if sql == "DROP TABLE IF EXISTS items")
        );
        let plan = plan_sql("CREATE TABLE IF NOT EXISTS items (id bigint)", 15);
        assert!(matches!(
            plan.steps[0].undo,
            tack_core::plan::Undo::Irreversible { .. }
        ));
    }
}
