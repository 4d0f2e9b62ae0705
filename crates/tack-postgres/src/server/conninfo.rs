//! Connection-string syntax: libpq `key=value` strings and `postgres://` URLs.
//!
//! tokio-postgres parses both forms but rejects libpq parameters it does not know
//! (`sslrootcert`, `sslmode=verify-full`, …). This module splits those out so the adapter can
//! handle them itself and hand the rest to tokio-postgres unchanged. The scanner also serves
//! [`crate::server::redact`], which needs byte ranges rather than values.

use std::ops::Range;

/// One `key = value` item of a libpq string, as byte ranges into the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub key: Range<usize>,
    /// The value's raw text (with quotes, if any); `None` when the `=` is missing.
    pub value: Option<Range<usize>>,
}

/// Whether `s` looks like a URL (`scheme://…`) rather than a libpq `key=value` string.
pub(crate) fn is_url(s: &str) -> bool {
    let s = s.trim_start();
    match s.find("://") {
        Some(end) if end > 0 => s[..end]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')),
        _ => false,
    }
}

/// The URL's scheme in lower case, when `s` is a URL.
pub(crate) fn url_scheme(s: &str) -> Option<String> {
    let s = s.trim_start();
    if !is_url(s) {
        return None;
    }
    s.find("://").map(|end| s[..end].to_ascii_lowercase())
}

/// Scans a libpq `key=value` string leniently: never fails, and a malformed item still yields
/// its key (so a redactor can find `password`).
pub(crate) fn scan(s: &str) -> Vec<Token> {
    scan_inner(s).0
}

fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// The tokens, plus the first syntax error, if any.
fn scan_inner(s: &str) -> (Vec<Token>, Option<String>) {
    let b = s.as_bytes();
    let len = b.len();
    let mut tokens = Vec::new();
    let mut error = None;
    let mut i = 0;
    loop {
        while i < len && is_space(b[i]) {
            i += 1;
        }
        if i >= len {
            break;
        }
        let key_start = i;
        while i < len && b[i] != b'=' && !is_space(b[i]) {
            i += 1;
        }
        let key = key_start..i;
        if key.is_empty() && error.is_none() {
            error = Some(format!(
                "missing parameter name before '=' at byte {key_start}"
            ));
        }
        while i < len && is_space(b[i]) {
            i += 1;
        }
        if i < len && b[i] == b'=' {
            i += 1;
            while i < len && is_space(b[i]) {
                i += 1;
            }
            let value_start = i;
            if i < len && b[i] == b'\'' {
                i += 1;
                let mut closed = false;
                while i < len {
                    match b[i] {
                        b'\\' => i += 2,
                        b'\'' => {
                            i += 1;
                            closed = true;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                i = i.min(len);
                if !closed && error.is_none() {
                    error = Some(format!(
                        "unterminated quoted string in the value of \"{}\"",
                        &s[key.clone()]
                    ));
                }
            } else {
                while i < len && !is_space(b[i]) {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = i.min(len);
            }
            tokens.push(Token {
                key,
                value: Some(value_start..i),
            });
        } else {
            if error.is_none() {
                error = Some(format!("missing \"=\" after \"{}\"", &s[key.clone()]));
            }
            tokens.push(Token { key, value: None });
        }
    }
    (tokens, error)
}

/// Unquotes a raw value: strips surrounding single quotes and resolves backslash escapes.
pub(crate) fn unquote(raw: &str) -> String {
    let inner = if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        &raw[1..raw.len() - 1]
    } else {
        raw
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses a libpq `key=value` string into pairs, strictly (syntax errors are reported).
pub(crate) fn parse_pairs(s: &str) -> Result<Vec<(String, String)>, String> {
    let (tokens, error) = scan_inner(s);
    if let Some(error) = error {
        return Err(error);
    }
    Ok(tokens
        .into_iter()
        .map(|t| {
            let value = t.value.map(|v| unquote(&s[v])).unwrap_or_default();
            (s[t.key].to_owned(), value)
        })
        .collect())
}

/// Quotes a value for a libpq `key=value` string.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Builds a libpq `key=value` string from pairs.
pub(crate) fn join_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are; invalid UTF-8 is replaced).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(byte) = hex {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits the query parameters whose keys satisfy `take` out of a `postgres://` URL.
///
/// Returns the URL without them (with a lower-case scheme, as tokio-postgres requires) and the
/// taken parameters, decoded. Finds the query the way tokio-postgres does: after the first `@`,
/// if any, at the first `?`.
pub(crate) fn split_url_params(
    url: &str,
    take: impl Fn(&str) -> bool,
) -> (String, Vec<(String, String)>) {
    let url = url.trim();
    let (scheme, rest) = match url.find("://") {
        Some(end) => (url[..end].to_ascii_lowercase(), &url[end + 3..]),
        None => return (url.to_owned(), Vec::new()),
    };
    let search_from = rest.find('@').map_or(0, |at| at + 1);
    let Some(q) = rest[search_from..].find('?').map(|q| q + search_from) else {
        return (format!("{scheme}://{rest}"), Vec::new());
    };
    let base = &rest[..q];
    let query = &rest[q + 1..];
    let mut kept = Vec::new();
    let mut taken = Vec::new();
    for piece in query.split('&') {
        if piece.is_empty() {
            continue;
        }
        match piece.split_once('=') {
            Some((key, value)) if take(&percent_decode(key)) => {
                taken.push((percent_decode(key), percent_decode(value)));
            }
            _ => kept.push(piece),
        }
    }
    let rebuilt = if kept.is_empty() {
        format!("{scheme}://{base}")
    } else {
        format!("{scheme}://{base}?{}", kept.join("&"))
    };
    (rebuilt, taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_urls() {
        assert!(is_url("postgres://h/db"));
        assert!(is_url("  postgresql://h"));
        assert!(is_url("mysql://h"));
        assert!(!is_url("host=h dbname=d"));
        assert!(!is_url("host=h options='a://b'"));
        assert!(!is_url(""));
        assert_eq!(url_scheme("POSTGRES://x").as_deref(), Some("postgres"));
    }

    #[test]
    fn parses_pairs() {
        assert_eq!(
            parse_pairs("host=h  port = 5433 password='a b\\'c' x=\\ y").unwrap(),
            vec![
                ("host".to_owned(), "h".to_owned()),
                ("port".to_owned(), "5433".to_owned()),
                ("password".to_owned(), "a b'c".to_owned()),
                ("x".to_owned(), " y".to_owned()),
            ]
        );
        assert_eq!(parse_pairs("a=''").unwrap(), vec![("a".into(), "".into())]);
        assert!(parse_pairs("host").is_err());
        assert!(parse_pairs("host='x").is_err());
        assert!(parse_pairs("=x").is_err());
        assert_eq!(parse_pairs("   ").unwrap(), vec![]);
    }

    #[test]
    fn quotes_round_trip() {
        let pairs = vec![
            ("password".to_owned(), "it's a \\ test".to_owned()),
            ("dbname".to_owned(), "".to_owned()),
        ];
        assert_eq!(parse_pairs(&join_pairs(&pairs)).unwrap(), pairs);
    }

    #[test]
    fn decodes_percent() {
        assert_eq!(percent_decode("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%4"), "%4");
    }

    #[test]
    fn splits_url_params() {
        let take = |k: &str| k.starts_with("ssl");
        assert_eq!(
            split_url_params("postgres://u:p?w@h/db?sslmode=verify-full&application_name=x&sslrootcert=%2Ftmp%2Fca.pem", take),
            (
                "postgres://u:p?w@h/db?application_name=x".to_owned(),
                vec![
                    ("sslmode".to_owned(), "verify-full".to_owned()),
                    ("sslrootcert".to_owned(), "/tmp/ca.pem".to_owned()),
                ]
            )
        );
        assert_eq!(
            split_url_params("POSTGRESQL://h/db?sslmode=require", take),
            (
                "postgresql://h/db".to_owned(),
                vec![("sslmode".to_owned(), "require".to_owned())]
            )
        );
        assert_eq!(
            split_url_params("postgres://h/db", take),
            ("postgres://h/db".to_owned(), vec![])
        );
    }
}
