//! Statements tack does not see into or has no rule for (functions, views, types, grants,
//! anything `Change::Other`): run as written with the lock timeout, and not reversible by tack.

use crate::sql::PgName;
use tack_core::plan::Undo;
use tack_core::Change;

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
