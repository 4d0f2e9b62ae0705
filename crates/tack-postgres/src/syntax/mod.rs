//! The PostgreSQL syntax layer: splits a migration file into statements with their byte
//! positions, parses each with the real PostgreSQL grammar (pg_query), places syntax errors, and
//! attaches `-- tack:ignore` comments. What a statement *is* (its [`Change`]) is decided by the
//! mapping it is given (the rule base's `changes::map`); `nodes` and `deparse` are the helpers those
//! mappings use. It knows SQL, not safety.
//!
//! A syntax error never aborts the file: the statements around it are still returned, and the
//! error carries the byte offset of the offending token.

pub mod deparse;
pub mod nodes;
mod source;

use pg_query::protobuf::node::Node as N;
use tack_core::{Change, ParsedFile, ParsedStatement, SyntaxError};

/// How a statement's parse tree becomes a [`Change`].
pub type Mapping<'a> = &'a dyn Fn(&N) -> Change;

/// Parses a whole migration file, mapping each statement with `map`.
pub fn parse(text: &str, map: Mapping) -> ParsedFile {
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
                    Some(node) => map(node),
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
        Err(_) => parse_piecewise(text, map, &mut out),
    }
    source::attach_ignores(text, &mut out.statements);
    out
}

/// After the file as a whole failed to parse: split it into statements with the scanner and
/// parse each piece alone, so one bad statement does not hide the others.
fn parse_piecewise(text: &str, map: Mapping, out: &mut ParsedFile) {
    match source::split_statements(text) {
        Ok(pieces) => parse_pieces(text, &pieces, map, out),
        Err(message) => {
            // The scanner itself failed (an unterminated string or dollar quote swallows the
            // rest of the file): report that, and still lint what comes before it.
            let at = source::locate_error(text, 0, text.len(), &message);
            out.errors.push(SyntaxError {
                offset: at,
                // The literal's first line at most: a snippet of the rest is no help.
                len: source::line_span_len(text, at, 40),
                message: source::shorten_message(&message),
                statement: (at, text.len()),
            });
            // Everything before the literal scans cleanly. Its last piece, when it runs up to
            // the literal, is the start of the statement that failed: not reported twice.
            if let Some(prefix) = text.get(..at) {
                if let Ok(mut pieces) = source::split_statements(prefix) {
                    if pieces.last().is_some_and(|(s, l)| s + l == prefix.len()) {
                        pieces.pop();
                    }
                    parse_pieces(prefix, &pieces, map, out);
                }
            }
            out.errors.sort_by_key(|e| e.offset);
        }
    }
}

fn parse_pieces(text: &str, pieces: &[(usize, usize)], map: Mapping, out: &mut ParsedFile) {
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
                            change: map(node),
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
                    // Placed with the whole quote; shown with a short one.
                    message: source::shorten_message(&message),
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
