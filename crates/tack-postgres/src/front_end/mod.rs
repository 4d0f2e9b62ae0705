//! The PostgreSQL front end: splits a migration file into statements with their byte positions,
//! parses each with the real PostgreSQL grammar (pg_query), and maps the parse tree to the core's
//! [`Change`](tack_core::Change) vocabulary. It knows SQL, not safety.
//!
//! A syntax error never aborts the file: the statements around it are still returned, and the
//! error carries the byte offset of the offending token.

mod convert;
mod deparse;
mod source;

pub use convert::not_null_check_column;
use tack_core::{Change, ParsedFile, ParsedStatement, SyntaxError};

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
];

/// Whether a statement falls outside what a schema comparison replays, and its tag: statements
/// that act on the whole server rather than on their database (`CREATE ROLE`, `ALTER SYSTEM`, …;
/// a scratch database may share its server with production), and `GRANT`/`REVOKE` (privileges
/// are not in the schema model, and their roles need not exist on another server).
pub fn not_replayed(change: &Change) -> Option<&str> {
    match change {
        Change::Other { tag } if tag == "GRANT" || SERVER_WIDE.contains(&tag.as_str()) => Some(tag),
        _ => None,
    }
}

/// Parses a whole migration file.
pub fn parse(text: &str) -> ParsedFile {
    let mut out = ParsedFile::default();
    if let Some(nul) = text.find('\0') {
        out.errors.push(SyntaxError {
            offset: nul,
            len: 1,
            message: "the file contains a NUL byte: not a SQL text file".to_owned(),
            statement: (0, text.len()),
        });
        return out;
    }
    match pg_query::parse(text, 0) {
        Ok(result) => {
            for raw in &result.protobuf.stmts {
                let (offset, len) = source::statement_span(text, raw.stmt_location, raw.stmt_len);
                let change = match raw.stmt.as_ref().and_then(|n| n.node.as_ref()) {
                    Some(node) => convert::change(node),
                    None => continue,
                };
                out.statements.push(ParsedStatement {
                    offset,
                    len,
                    change,
                    ignores: Vec::new(),
                });
            }
        }
        Err(_) => parse_piecewise(text, &mut out),
    }
    source::attach_ignores(text, &mut out.statements);
    out
}

/// After the file as a whole failed to parse: split it into statements with the scanner and
/// parse each piece alone, so one bad statement does not hide the others.
fn parse_piecewise(text: &str, out: &mut ParsedFile) {
    match source::split_statements(text) {
        Ok(pieces) => parse_pieces(text, &pieces, out),
        Err(message) => {
            // The scanner itself failed (an unterminated string or dollar quote swallows the
            // rest of the file): report that, and still lint what comes before it.
            let at = source::locate_error(text, 0, text.len(), &message);
            out.errors.push(SyntaxError {
                offset: at,
                len: source::span_len(text, at, 40),
                message,
                statement: (at, text.len()),
            });
            // Everything before the literal scans cleanly. Its last piece, when it runs up to
            // the literal, is the start of the statement that failed: not reported twice.
            if let Some(prefix) = text.get(..at) {
                if let Ok(mut pieces) = source::split_statements(prefix) {
                    if pieces.last().is_some_and(|(s, l)| s + l == prefix.len()) {
                        pieces.pop();
                    }
                    parse_pieces(prefix, &pieces, out);
                }
            }
            out.errors.sort_by_key(|e| e.offset);
        }
    }
}

fn parse_pieces(text: &str, pieces: &[(usize, usize)], out: &mut ParsedFile) {
    for &(start, len) in pieces {
        let (offset, len) = source::trim_span(text, start, len);
        if len == 0 {
            continue;
        }
        let stmt_text = &text[offset..offset + len];
        match pg_query::parse(stmt_text, 0) {
            Ok(result) => {
                for raw in &result.protobuf.stmts {
                    if let Some(node) = raw.stmt.as_ref().and_then(|n| n.node.as_ref()) {
                        out.statements.push(ParsedStatement {
                            offset,
                            len,
                            change: convert::change(node),
                            ignores: Vec::new(),
                        });
                    }
                }
            }
            Err(e) => {
                let message = error_message(&e);
                let at = source::locate_error(text, offset, offset + len, &message);
                out.errors.push(SyntaxError {
                    offset: at,
                    len: source::token_len(text, at),
                    message,
                    statement: (offset, offset + len),
                });
            }
        }
    }
}

fn error_message(e: &pg_query::Error) -> String {
    match e {
        pg_query::Error::Parse(m) | pg_query::Error::Split(m) | pg_query::Error::Scan(m) => {
            m.clone()
        }
        other => other.to_string(),
    }
}
