//! Statements tack does not see into or has no rule for (functions, views, types, grants,
//! anything `Change::Other`): run as written with the lock timeout, and not reversible by tack.

use crate::sql::PgName;
use crate::syntax::nodes;
use pg_query::protobuf::{self, node::Node as N};
use tack_core::plan::Undo;
use tack_core::{Change, Volatility};

/// Maps `CREATE FUNCTION`: its name and declared volatility (VOLATILE when not said).
pub fn map_create_function(s: &protobuf::CreateFunctionStmt) -> Change {
    Change::CreateFunction {
        name: nodes::qualified(&nodes::strings(&s.funcname)),
        volatility: s
            .options
            .iter()
            .find_map(|o| match &o.node {
                Some(N::DefElem(d)) if d.defname == "volatility" => {
                    match nodes::def_string(d).as_deref() {
                        Some("immutable") => Some(Volatility::Immutable),
                        Some("stable") => Some(Volatility::Stable),
                        _ => Some(Volatility::Volatile),
                    }
                }
                _ => None,
            })
            .unwrap_or(Volatility::Volatile),
    }
}

/// A statement tack has no rule for, named by its kind for messages.
pub fn map_other(node: &N) -> Change {
    let tag = match node {
        N::SelectStmt(_) => "SELECT",
        N::InsertStmt(_) => "INSERT",
        N::UpdateStmt(_) => "UPDATE",
        N::DeleteStmt(_) => "DELETE",
        N::CreateFunctionStmt(_) => "CREATE FUNCTION",
        N::CreateTrigStmt(_) => "CREATE TRIGGER",
        N::ViewStmt(_) => "CREATE VIEW",
        N::CreateSeqStmt(_) => "CREATE SEQUENCE",
        N::CreateSchemaStmt(_) => "CREATE SCHEMA",
        N::CreateExtensionStmt(_) => "CREATE EXTENSION",
        N::CreateEnumStmt(_) => "CREATE TYPE",
        N::CommentStmt(_) => "COMMENT",
        N::GrantStmt(_) => "GRANT",
        N::DoStmt(_) => "DO",
        N::VariableSetStmt(_) => "SET",
        N::DropStmt(_) => "DROP",
        N::AlterTableStmt(_) => "ALTER",
        N::TransactionStmt(_) => "transaction control",
        N::CreateRoleStmt(_) => "CREATE ROLE",
        N::AlterRoleStmt(_) | N::AlterRoleSetStmt(_) => "ALTER ROLE",
        N::DropRoleStmt(_) => "DROP ROLE",
        N::GrantRoleStmt(_) => "GRANT ROLE",
        N::CreatedbStmt(_) => "CREATE DATABASE",
        N::AlterDatabaseStmt(_)
        | N::AlterDatabaseSetStmt(_)
        | N::AlterDatabaseRefreshCollStmt(_) => "ALTER DATABASE",
        N::DropdbStmt(_) => "DROP DATABASE",
        N::CreateTableSpaceStmt(_)
        | N::DropTableSpaceStmt(_)
        | N::AlterTableSpaceOptionsStmt(_) => "TABLESPACE",
        N::AlterSystemStmt(_) => "ALTER SYSTEM",
        N::CreateSubscriptionStmt(_) | N::AlterSubscriptionStmt(_) | N::DropSubscriptionStmt(_) => {
            "SUBSCRIPTION"
        }
        N::ReassignOwnedStmt(_) => "REASSIGN OWNED",
        N::AlterOwnerStmt(_) => "OWNER TO",
        _ => "statement",
    };
    Change::Other {
        tag: tag.to_owned(),
    }
}

/// Undoing an opaque statement: tack cannot tell how.
pub fn undo(change: &Change) -> Undo {
    let what = match change {
        Change::CreateFunction { name, .. } => format!("CREATE FUNCTION {}", name.sql()),
        Change::Other { tag } => tag.clone(),
        _ => "this statement".to_owned(),
    };
    Undo::Irreversible {
        reason: format!("tack cannot tell how to reverse {what}"),
    }
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;
    use tack_core::plan::Undo;

    #[test]
    fn opaque_statements_run_as_written_and_cannot_be_undone() {
        let plan = plan_sql("CREATE VIEW v AS SELECT 1", 15);
        assert_eq!(plan.steps.len(), 1);
        assert!(
            matches!(&plan.steps[0].undo, Undo::Irreversible { reason } if reason.contains("CREATE VIEW"))
        );
    }
}
