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

/// A file is parsed in regions of about this many bytes, cut at statement boundaries: a parse
/// tree takes about a hundred times its text, so one tree for a whole large file would take
/// gigabytes (see docs/ARCHITECTURE.md, "Bounded input").
const REGION: usize = 256 * 1024;

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
    let mut start = 0;
    let mut size = REGION;
    while start < text.len() {
        let mut end = (start + size).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        if end == text.len() {
            parse_region(text, start, end, map, &mut out);
            break;
        }
        // The region's statements up to its last complete one; its last piece may be cut.
        let cut = match source::split_statements(&text[start..end]) {
            Ok(mut pieces) => {
                pieces.pop();
                pieces.last().map(|&(s, l)| start + s + l + 1)
            }
            // A literal, comment or body runs past the region's end.
            Err(_) => None,
        };
        match cut {
            Some(cut) => {
                parse_region(text, start, cut, map, &mut out);
                start = cut;
                size = REGION;
            }
            None => size = size.saturating_mul(2),
        }
    }
    source::attach_ignores(text, &mut out.statements);
    out
}

/// A statement longer than this is a data load in practice (a seed `INSERT` with thousands of
/// rows): its parse tree would take about 150 times its text, and only its head matters (see
/// [`large_insert`]).
const LARGE_STATEMENT: usize = 1024 * 1024;

/// Parses `text[start..end]` (whole statements), placing them in `text`.
fn parse_region(text: &str, start: usize, end: usize, map: Mapping, out: &mut ParsedFile) {
    if end - start > LARGE_STATEMENT {
        if let Ok(pieces) = source::split_statements(&text[start..end]) {
            let mut from = start;
            for (s, l) in pieces {
                if l <= LARGE_STATEMENT {
                    continue;
                }
                let (offset, len) = source::trim_span(text, start + s, l);
                if let Some(change) = large_insert(&text[offset..offset + len], map) {
                    parse_whole(text, from, start + s, map, out);
                    out.statements.push(ParsedStatement {
                        offset,
                        len,
                        change,
                        ignores: Vec::new(),
                    });
                    from = (start + s + l + 1).min(end);
                }
            }
            parse_whole(text, from, end, map, out);
            return;
        }
    }
    parse_whole(text, start, end, map, out);
}

/// A very large `INSERT … VALUES (…), (…), …` judged by its head: the same statement with one
/// trivial row source for its rows maps to the same change (an insert into that table). None
/// when it is not such an insert (it is then parsed in full).
fn large_insert(statement: &str, map: Mapping) -> Option<Change> {
    let head = statement.get(..4096.min(statement.len()))?;
    if !head.get(..6)?.eq_ignore_ascii_case("insert") {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    let values = lower.match_indices("values").map(|(i, _)| i).find(|&i| {
        let before = lower.as_bytes()[..i].last().copied();
        let after = lower.as_bytes().get(i + 6).copied();
        matches!(before, Some(b' ' | b'\n' | b'\t' | b'\r' | b')'))
            && matches!(after, Some(b' ' | b'\n' | b'\t' | b'\r' | b'('))
    })?;
    let probe = format!("{} SELECT NULL", &head[..values]);
    let parsed = pg_query::parse(&probe, 0).ok()?;
    let raw = parsed.protobuf.stmts.first()?;
    raw.stmt.as_ref().and_then(|n| n.node.as_ref()).map(map)
}

/// Parses `text[start..end]` as one text (falling back to statement by statement).
fn parse_whole(text: &str, start: usize, end: usize, map: Mapping, out: &mut ParsedFile) {
    if start >= end {
        return;
    }
    let region = &text[start..end];
    match pg_query::parse(region, 0) {
        Ok(result) => {
            for raw in &result.protobuf.stmts {
                let (offset, len) = source::statement_span(region, raw.stmt_location, raw.stmt_len);
                let change = match raw.stmt.as_ref().and_then(|n| n.node.as_ref()) {
                    Some(node) => map(node),
                    None => continue,
                };
                out.statements.push(ParsedStatement {
                    offset: start + offset,
                    len,
                    change,
                    ignores: Vec::new(),
                });
            }
        }
        Err(_) => parse_piecewise(text, start, end, map, out),
    }
}

/// After a region as a whole failed to parse: split it into statements with the scanner and
/// parse each piece alone, so one bad statement does not hide the others.
fn parse_piecewise(text: &str, start: usize, end: usize, map: Mapping, out: &mut ParsedFile) {
    let shift = |pieces: Vec<(usize, usize)>| -> Vec<(usize, usize)> {
        pieces.into_iter().map(|(s, l)| (start + s, l)).collect()
    };
    match source::split_statements(&text[start..end]) {
        Ok(pieces) => parse_pieces(text, &shift(pieces), map, out),
        Err(message) => {
            // The scanner itself failed (an unterminated string or dollar quote swallows the
            // rest of the file): report that, and still lint what comes before it.
            let at = source::locate_error(text, start, end, &message);
            out.errors.push(SyntaxError {
                offset: at,
                // The literal's first line at most: a snippet of the rest is no help.
                len: source::line_span_len(text, at, 40),
                message: source::shorten_message(&message),
                statement: (at, end),
            });
            // Everything before the literal scans cleanly. Its last piece, when it runs up to
            // the literal, is the start of the statement that failed: not reported twice.
            if let Some(prefix) = text.get(start..at) {
                if let Ok(mut pieces) = source::split_statements(prefix) {
                    if pieces.last().is_some_and(|(s, l)| s + l == prefix.len()) {
                        pieces.pop();
                    }
                    parse_pieces(text, &shift(pieces), map, out);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(node: &N) -> Change {
        Change::Other {
            tag: format!("{node:?}").chars().take(12).collect(),
        }
    }

    /// Statements that straddle region boundaries: dollar-quoted bodies with semicolons,
    /// strings, comments. The regions must give exactly the statements one parse of the whole
    /// text gives.
    fn long_text() -> String {
        let mut text = String::new();
        let mut i = 0;
        while text.len() < 3 * REGION {
            text.push_str(&format!(
                "-- step {i}; with a semicolon in a comment\n\
                 CREATE FUNCTION f{i}() RETURNS int LANGUAGE plpgsql AS $body$\n\
                 BEGIN PERFORM 'a;b'; RETURN {i}; END;\n$body$;\n\
                 INSERT INTO t (v) VALUES ('x;{i}'), (E'y\\';{i}');\n\
                 /* a block; comment */ ALTER TABLE t ADD COLUMN c{i} int;\n"
            ));
            i += 1;
        }
        text
    }

    #[test]
    fn regions_give_the_statements_of_one_parse() {
        let text = long_text();
        let parsed = parse(&text, &tag);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors.first());
        let whole = pg_query::parse(&text, 0).unwrap();
        let expected: Vec<(usize, usize)> = whole
            .protobuf
            .stmts
            .iter()
            .map(|r| source::statement_span(&text, r.stmt_location, r.stmt_len))
            .collect();
        let got: Vec<(usize, usize)> = parsed
            .statements
            .iter()
            .map(|s| (s.offset, s.len))
            .collect();
        assert_eq!(got.len(), expected.len());
        assert_eq!(got, expected);
    }

    #[test]
    fn an_error_deep_in_a_long_file_is_placed_and_the_rest_still_parsed() {
        let mut text = long_text();
        let at = text.len();
        text.push_str("ALTER TABLE t ADD COLUMNN x int;\nCREATE TABLE after_error (id int);\n");
        let parsed = parse(&text, &tag);
        assert_eq!(parsed.errors.len(), 1);
        assert!(parsed.errors[0].offset >= at);
        assert!(parsed
            .statements
            .last()
            .is_some_and(|s| text[s.offset..].starts_with("CREATE TABLE after_error")));
    }

    #[test]
    fn a_huge_insert_is_judged_by_its_head() {
        let mut text = String::from(
            "CREATE TABLE seed (id int, name text);\nINSERT INTO seed (id, name) VALUES\n",
        );
        let rows: Vec<String> = (0..120_000).map(|i| format!("({i}, 'n;{i}')")).collect();
        text.push_str(&rows.join(",\n"));
        text.push_str(";\nALTER TABLE seed ADD COLUMN x int;\n");
        assert!(text.len() > LARGE_STATEMENT);
        let parsed = parse(&text, &crate::changes::map);
        assert!(parsed.errors.is_empty());
        assert_eq!(parsed.statements.len(), 3);
        let insert = &parsed.statements[1];
        assert!(text[insert.offset..insert.offset + insert.len].ends_with("'n;119999')"));
        let full = crate::changes::map(
            pg_query::parse("INSERT INTO seed (id, name) VALUES (1, 'a')", 0)
                .unwrap()
                .protobuf
                .stmts[0]
                .stmt
                .as_ref()
                .unwrap()
                .node
                .as_ref()
                .unwrap(),
        );
        assert_eq!(format!("{:?}", insert.change), format!("{full:?}"));
    }
}
