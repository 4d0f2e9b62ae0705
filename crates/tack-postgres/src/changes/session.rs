//! Transaction control and `SET lock_timeout`: what the linter's state machine tracks (the
//! transaction a statement runs in, and whether a lock timeout is in effect). The executor owns
//! transactions and timeouts when it runs a plan, so the planner drops these statements.

use super::opaque;
use crate::syntax::nodes;
use pg_query::protobuf::{self, node::Node as N};
use tack_core::Change;

/// Maps `BEGIN` / `START TRANSACTION`, `COMMIT`, `ROLLBACK` (other transaction statements are
/// opaque).
pub fn map_transaction(s: &protobuf::TransactionStmt, node: &N) -> Change {
    use protobuf::TransactionStmtKind as K;
    match K::try_from(s.kind) {
        Ok(K::TransStmtBegin | K::TransStmtStart) => Change::Begin,
        Ok(K::TransStmtCommit | K::TransStmtCommitPrepared) => Change::Commit,
        Ok(K::TransStmtRollback | K::TransStmtRollbackPrepared) => Change::Rollback,
        _ => opaque::map_other(node),
    }
}

/// Maps `SET [LOCAL] lock_timeout = …` (0 or DEFAULT disables it).
pub fn map_lock_timeout(s: &protobuf::VariableSetStmt) -> Change {
    use protobuf::VariableSetKind as K;
    let millis = match K::try_from(s.kind) {
        Ok(K::VarSetValue) => s.args.first().and_then(nodes::duration_millis),
        _ => None,
    };
    Change::SetLockTimeout {
        millis: millis.filter(|m| *m > 0),
        local: s.is_local,
    }
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;
    use tack_core::{Change, Dialect};

    #[test]
    fn transactions_and_lock_timeouts_are_the_executors() {
        let parsed = crate::Postgres
            .parse("BEGIN; SET LOCAL lock_timeout = '2s'; SET lock_timeout = 0; COMMIT; ROLLBACK;");
        let changes: Vec<&Change> = parsed.statements.iter().map(|s| &s.change).collect();
        assert_eq!(changes[0], &Change::Begin);
        assert_eq!(
            changes[1],
            &Change::SetLockTimeout {
                millis: Some(2000),
                local: true
            }
        );
        assert_eq!(
            changes[2],
            &Change::SetLockTimeout {
                millis: None,
                local: false
            }
        );
        assert_eq!(changes[3], &Change::Commit);
        assert_eq!(changes[4], &Change::Rollback);
        assert!(plan_sql("BEGIN; SET lock_timeout = '1s'; COMMIT;", 15)
            .steps
            .is_empty());
    }
}
