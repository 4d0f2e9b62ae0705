//! The PostgreSQL front end: a migration file's statements, parsed by the syntax layer and mapped
//! to the core's [`Change`]s by the rule base's modules — plus what the front end says about
//! statements by their kind (which ones a schema replay skips).

use crate::{changes, syntax};
use tack_core::{Change, ParsedFile};

pub use syntax::nodes::not_null_check_column;

/// Parses a whole migration file.
pub fn parse(text: &str) -> ParsedFile {
    syntax::parse(text, &changes::map)
}

/// The statements whose effect reaches beyond the database they run in — roles, databases,
/// tablespaces, subscriptions, server settings — by the tag `Change::Other` names them with.
const SERVER_WIDE: &[&str] = &[
    "CREATE ROLE",
    "ALTER ROLE",
    "DROP ROLE",
    "GRANT ROLE",
    "CREATE DATABASE",
    "ALTER DATABASE",
    "DROP DATABASE",
    "TABLESPACE",
    "ALTER SYSTEM",
    "SUBSCRIPTION",
    "REASSIGN OWNED",
    // Ownership names roles, which are the server's, and is not in the schema model.
    "OWNER TO",
];

/// Whether a statement falls outside what a schema comparison replays, and its tag: statements
/// that act on the whole server rather than on their database (`CREATE ROLE`, `ALTER SYSTEM`, …;
/// a scratch database may share its server with production), and `GRANT`/`REVOKE` (privileges
/// are not in the schema model, and their roles need not exist on another server).
pub fn not_replayed(change: &Change) -> Option<&str> {
    match change {
        Change::Other { tag } if tag == "GRANT" || SERVER_WIDE.contains(&tag.as_str()) => Some(tag),
        Change::AlterTable { actions, .. }
            if !actions.is_empty()
                && actions.iter().all(|a| {
                    matches!(a, tack_core::AlterAction::Other { description } if description == "ChangeOwner")
                }) =>
        {
            Some("OWNER TO")
        }
        _ => None,
    }
}
