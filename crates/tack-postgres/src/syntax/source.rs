//! Positions in the source text: statement spans without leading comments, where a syntax error
//! is, and which `tack:ignore` comments belong to which statement.

use tack_core::Ignore;
use tack_core::ParsedStatement;

/// Byte span of a statement from pg_query's location and length (0 length = to the end), with
/// leading whitespace and comments skipped so the span starts at the first token.
pub fn statement_span(text: &str, location: i32, len: i32) -> (usize, usize) {
    let start = usize::try_from(location).unwrap_or(0).min(text.len());
    let len = if len <= 0 {
        text.len() - start
    } else {
        usize::try_from(len).unwrap_or(0).min(text.len() - start)
    };
    trim_span(text, start, len)
}

/// Skips leading whitespace and comments, and trailing whitespace and semicolons.
pub fn trim_span(text: &str, start: usize, len: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let end = start + len;
    let mut i = start;
    while i < end {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                while i < end {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            _ => break,
        }
    }
    let mut j = end;
    while j > i && matches!(bytes[j - 1], b' ' | b'\t' | b'\n' | b'\r' | b';') {
        j -= 1;
    }
    (i, j - i)
}

/// Splits a text into statement spans at top-level semicolons, using PostgreSQL's own scanner
/// (so semicolons in strings, quoted identifiers, comments and dollar-quoted bodies are not
/// boundaries). `BEGIN ATOMIC … END` function bodies are kept whole. Unlike pg_query's
/// `split_with_scanner`, no statement is dropped, however malformed: each one must be reported.
/// Fails with the scanner's message on an unterminated literal.
pub fn split_statements(text: &str) -> Result<Vec<(usize, usize)>, String> {
    use pg_query::protobuf::Token;
    // `scan` rather than `scan_tokens`: the latter builds a slice from a null pointer when the
    // text has no token at all (only whitespace or comments), which is undefined behaviour.
    let tokens = pg_query::scan(text)
        .map_err(|e| match e {
            pg_query::Error::Scan(m) => m,
            other => other.to_string(),
        })?
        .tokens;
    let mut pieces = Vec::new();
    let mut start = 0usize;
    let mut parens = 0i32;
    // Depth inside BEGIN ATOMIC bodies, where CASE … END also nests.
    let mut atomic = 0i32;
    let mut previous = Token::Nul as i32;
    for t in &tokens {
        let token = t.token;
        if token == Token::Ascii40 as i32 {
            parens += 1;
        } else if token == Token::Ascii41 as i32 {
            parens -= 1;
        } else if (token == Token::Atomic as i32 && previous == Token::BeginP as i32)
            || (atomic > 0 && token == Token::Case as i32)
        {
            atomic += 1;
        } else if atomic > 0 && token == Token::EndP as i32 {
            atomic -= 1;
        } else if token == Token::Ascii59 as i32 && parens <= 0 && atomic == 0 {
            let end = usize::try_from(t.start).unwrap_or(0);
            pieces.push((start, end.saturating_sub(start)));
            start = end + 1;
            parens = 0;
        }
        previous = token;
    }
    if start < text.len() {
        pieces.push((start, text.len() - start));
    }
    Ok(pieces)
}

/// Finds the token a PostgreSQL error message points at (`… at or near "foo"`), searching the
/// statement's range; `at end of input` points at the end. Falls back to the statement start.
pub fn locate_error(text: &str, start: usize, end: usize, message: &str) -> usize {
    let range = &text[start..end];
    // Only the message's own words: a quoted token may contain anything.
    if message.ends_with("at end of input") {
        // Where more input was expected: just after the statement.
        return end;
    }
    if let Some(near) = message
        .split("at or near \"")
        .nth(1)
        .and_then(|rest| rest.rsplit_once('"'))
        .map(|(tok, _)| tok)
    {
        if !near.is_empty() {
            if let Some(pos) = find_token(range, near) {
                return start + pos;
            }
        }
    }
    start
}

/// How many characters of quoted source text a message keeps.
const QUOTE_MAX: usize = 32;

/// Shortens the source text a PostgreSQL message quotes (`… at or near "…"`): an unterminated
/// literal quotes everything after its opening quote, the rest of the file. The quote is cut at
/// its first line break or after [`QUOTE_MAX`] characters (so always on a character boundary),
/// and `…` marks the cut. Messages that quote nothing long come back unchanged.
pub fn shorten_message(message: &str) -> String {
    const MARK: &str = "at or near \"";
    let Some(open) = message.find(MARK).map(|i| i + MARK.len()) else {
        return message.to_owned();
    };
    // The quoted text may itself contain '"': it ends at the message's last one.
    let Some(close) = message.rfind('"').filter(|&c| c >= open) else {
        return message.to_owned();
    };
    let quoted = &message[open..close];
    let first_line = quoted.split(['\n', '\r']).next().unwrap_or("");
    let kept: String = first_line.chars().take(QUOTE_MAX).collect();
    if kept.len() == quoted.len() {
        return message.to_owned();
    }
    format!(
        "{}{}…{}",
        &message[..open],
        kept.trim_end(),
        &message[close..]
    )
}

/// First occurrence of `token` in `range` that starts at a token boundary.
fn find_token(range: &str, token: &str) -> Option<usize> {
    let bytes = range.as_bytes();
    let word = token.chars().all(|c| c.is_alphanumeric() || c == '_');
    range
        .match_indices(token)
        .map(|(i, _)| i)
        .find(|&i| {
            if !word {
                return true;
            }
            let before_ok = i == 0 || !is_ident_byte(bytes[i - 1]);
            let after = i + token.len();
            let after_ok = after >= bytes.len() || !is_ident_byte(bytes[after]);
            before_ok && after_ok
        })
        .or_else(|| {
            // The parser reports identifiers case-folded; look again ignoring case.
            let lower = range.to_lowercase();
            (lower.len() == range.len())
                .then(|| lower.find(&token.to_lowercase()))
                .flatten()
        })
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Up to `max` bytes from `at`, ending on a character boundary (at least one character when
/// `at` is inside the text, zero at its end).
pub fn span_len(text: &str, at: usize, max: usize) -> usize {
    let at = at.min(text.len());
    let mut end = (at + max).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end == at {
        end = at + text[at..].chars().next().map(char::len_utf8).unwrap_or(0);
    }
    end - at
}

/// As [`span_len`], but ending at the first line break (at least one character when `at` is
/// inside the text).
pub fn line_span_len(text: &str, at: usize, max: usize) -> usize {
    let len = span_len(text, at, max);
    let start = at.min(text.len());
    let first_line = text[start..start + len].find('\n').unwrap_or(len);
    if first_line == 0 {
        len.min(text[start..].chars().next().map_or(0, char::len_utf8))
    } else {
        first_line
    }
}

/// Length of the token starting at `at`, for underlining (at least 1 byte, on a char boundary).
pub fn token_len(text: &str, at: usize) -> usize {
    let rest = &text[at.min(text.len())..];
    let n = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || *c == ';' || *c == ',' || *c == '(' || *c == ')')
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    match n {
        0 => rest.chars().next().map(char::len_utf8).unwrap_or(0),
        n => n,
    }
}

/// Attaches each `-- tack:ignore <rule> <reason>` (or `/* tack:ignore … */`) comment to a
/// statement: the one on whose last line it stands (a trailing comment), else the next one.
pub fn attach_ignores(text: &str, statements: &mut [ParsedStatement]) {
    if statements.is_empty() || !text.contains("tack:ignore") {
        return;
    }
    for (offset, len, body) in comments(text) {
        let Some(rest) = body.trim().strip_prefix("tack:ignore") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let Some(rule) = words.next() else {
            continue;
        };
        let reason: Vec<&str> = words.collect();
        let ignore = Ignore {
            rule: rule.to_owned(),
            reason: (!reason.is_empty()).then(|| reason.join(" ")),
            offset,
            len,
        };
        let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
        // A comment after a statement on the same line belongs to that statement.
        let trailing = statements.iter().rposition(|s| {
            let end = s.offset + s.len;
            end <= offset && end >= line_start && !text[end..offset].contains('\n')
        });
        let target = trailing.or_else(|| statements.iter().position(|s| s.offset + s.len > offset));
        if let Some(i) = target {
            statements[i].ignores.push(ignore);
        }
    }
}

/// Every comment in the text — its byte offset, its length with the markers, and its body —
/// skipping quoted strings, quoted identifiers and dollar-quoted bodies.
fn comments(text: &str) -> Vec<(usize, usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = text[i..].find('\n').map(|n| i + n).unwrap_or(text.len());
                out.push((i, end - i, &text[i + 2..end]));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map(|n| i + 2 + n)
                    .unwrap_or(text.len());
                let close = (end + 2).min(text.len());
                out.push((i, close - i, &text[i + 2..end]));
                i = close;
            }
            b'\'' | b'"' => {
                let quote = bytes[i];
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == quote {
                        if bytes.get(i + 1) == Some(&quote) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                let tag_end = text[i + 1..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map(|n| i + 1 + n);
                match tag_end {
                    Some(te) if bytes[te] == b'$' => {
                        let tag = &text[i..=te];
                        let body_start = te + 1;
                        i = text[body_start..]
                            .find(tag)
                            .map(|n| body_start + n + tag.len())
                            .unwrap_or(text.len());
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_comments_and_semicolons() {
        let text = "-- hello\n/* a /* nested */ b */  SELECT 1;  ";
        let (o, l) = trim_span(text, 0, text.len());
        assert_eq!(&text[o..o + l], "SELECT 1");
    }

    #[test]
    fn finds_comments_outside_literals() {
        let text = "SELECT '--no', $x$ -- nope $x$; -- yes\n/* also */";
        let found: Vec<&str> = comments(text).into_iter().map(|(_, _, b)| b).collect();
        assert_eq!(found, vec![" yes", " also "]);
    }

    #[test]
    fn splits_like_the_server() {
        let text = "SELEC 1; SELECT ';'; CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; x";
        let parts: Vec<&str> = split_statements(text)
            .unwrap()
            .into_iter()
            .map(|(s, l)| text[s..s + l].trim())
            .collect();
        assert_eq!(parts.len(), 4, "{parts:?}");
        assert_eq!(parts[0], "SELEC 1");
        assert!(parts[2].ends_with("SELECT 2; END"), "{parts:?}");
        assert!(split_statements("SELECT 'abc").is_err());
    }

    #[test]
    fn long_quotes_are_cut_on_a_character_boundary() {
        let rest: String = (0..200)
            .map(|i| format!("ALTER TABLE t{i} ADD c int;\n"))
            .collect();
        let message = format!("unterminated quoted string at or near \"'abc\n{rest}\"");
        assert_eq!(
            shorten_message(&message),
            "unterminated quoted string at or near \"'abc…\""
        );
        let long = format!("syntax error at or near \"{}\"", "é".repeat(100));
        let short = shorten_message(&long);
        assert_eq!(
            short,
            format!("syntax error at or near \"{}…\"", "é".repeat(32))
        );
        for m in [
            "syntax error at or near \"int\"",
            "syntax error at end of input",
            "zero-length delimited identifier at or near \"\"\"\"",
        ] {
            assert_eq!(shorten_message(m), m);
        }
    }

    #[test]
    fn line_spans_stop_at_the_line_break() {
        let text = "x 'abc\nmore";
        assert_eq!(line_span_len(text, 2, 40), 4);
        assert_eq!(line_span_len(text, 6, 40), 1);
        assert_eq!(line_span_len(text, text.len(), 40), 0);
        assert_eq!(line_span_len("'é", 0, 2), 1);
    }

    #[test]
    fn locates_tokens() {
        let text = "select 1; selct 2";
        assert_eq!(
            locate_error(text, 10, text.len(), "syntax error at or near \"selct\""),
            10
        );
        assert_eq!(locate_error(text, 0, 8, "syntax error at end of input"), 8);
    }
}
