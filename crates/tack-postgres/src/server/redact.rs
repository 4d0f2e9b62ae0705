//! Password redaction for connection strings, so targets can be shown in messages and logs.
//!
//! Handles both forms PostgreSQL accepts: URLs (`postgres://user:secret@host/db?password=secret`)
//! and libpq `key=value` strings (`host=h password='se cret'`). Redaction errs on the side of
//! hiding too much: a malformed string never leaks the text after a password marker.

use crate::server::conninfo::{self, Token};

/// What a redacted password is replaced with.
pub const MASK: &str = "***";

/// Removes passwords from a connection URL or libpq connection string.
///
/// `postgres://u:secret@h/db` → `postgres://u:***@h/db`; `host=h password=secret` →
/// `host=h password=***`; `?password=secret` query parameters are masked too. Strings without a
/// password come back unchanged.
pub fn redact(url: &str) -> String {
    if conninfo::is_url(url) {
        redact_url(url)
    } else {
        redact_conninfo(url)
    }
}

fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let mut out = String::with_capacity(url.len());
    out.push_str(&url[..authority_start]);

    // The user info ends at the last '@'. Taking the last one (not the first, as parsers do)
    // masks a password that itself contains an unescaped '@', '/' or '?'; in odd URLs with an
    // '@' further on it masks more than needed, never less.
    let after_userinfo = match rest.rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(&userinfo[..=colon]);
                    out.push_str(MASK);
                }
                None => out.push_str(userinfo),
            }
            out.push('@');
            &rest[at + 1..]
        }
        None => rest,
    };

    match after_userinfo.find('?') {
        Some(q) => {
            out.push_str(&after_userinfo[..=q]);
            let query = &after_userinfo[q + 1..];
            let (query, fragment) = match query.find('#') {
                Some(h) => (&query[..h], &query[h..]),
                None => (query, ""),
            };
            let parts: Vec<String> = query
                .split('&')
                .map(|part| match part.split_once('=') {
                    Some((key, _)) if is_password_key(&conninfo::percent_decode(key)) => {
                        format!("{key}={MASK}")
                    }
                    _ => part.to_owned(),
                })
                .collect();
            out.push_str(&parts.join("&"));
            out.push_str(fragment);
        }
        None => out.push_str(after_userinfo),
    }
    out
}

fn redact_conninfo(s: &str) -> String {
    let tokens = conninfo::scan(s);
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    let mut mask_next = false;
    for token in &tokens {
        let Token { key, value } = token;
        if mask_next {
            // `password secret`: libpq rejects it, but the word after the key is still secret.
            out.push_str(&s[pos..key.start]);
            out.push_str(MASK);
            pos = value.as_ref().map_or(key.end, |v| v.end);
            mask_next = false;
            continue;
        }
        if is_password_key(&s[key.clone()]) {
            match value {
                Some(v) => {
                    out.push_str(&s[pos..v.start]);
                    out.push_str(MASK);
                    pos = v.end;
                }
                None => mask_next = true,
            }
        }
    }
    out.push_str(&s[pos..]);
    out
}

fn is_password_key(key: &str) -> bool {
    key.trim().eq_ignore_ascii_case("password")
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn urls() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(
            redact("postgresql://u:secret@h:5432/db?sslmode=require"),
            "postgresql://u:***@h:5432/db?sslmode=require"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact("postgres:///db"), "postgres:///db");
        assert_eq!(redact("postgres://u:@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u:p%40ss@h/db"), "postgres://u:***@h/db");
        // Unescaped specials in the password still get masked.
        assert_eq!(redact("postgres://u:p@s/s?x@h/db"), "postgres://u:***@h/db");
        assert_eq!(
            redact("postgres://h/db?user=u&password=secret&sslmode=require"),
            "postgres://h/db?user=u&password=***&sslmode=require"
        );
        assert_eq!(
            redact("postgres://u:a@h/db?password=b"),
            "postgres://u:***@h/db?password=***"
        );
        assert_eq!(redact("POSTGRES://u:secret@h/db"), "POSTGRES://u:***@h/db");
    }

    #[test]
    fn conninfo() {
        assert_eq!(
            redact("host=h password=secret dbname=d"),
            "host=h password=*** dbname=d"
        );
        assert_eq!(redact("password=secret"), "password=***");
        assert_eq!(
            redact("host=h password = 'se cret\\' x' user=u"),
            "host=h password = *** user=u"
        );
        assert_eq!(redact("host=h PASSWORD=secret"), "host=h PASSWORD=***");
        assert_eq!(redact("host=h user=u"), "host=h user=u");
        assert_eq!(redact(""), "");
        // Malformed: unterminated quote, or a missing '='.
        assert_eq!(redact("password='secret"), "password=***");
        assert_eq!(redact("host=h password secret"), "host=h password ***");
    }

    #[test]
    fn never_leaks() {
        for s in [
            "postgres://u:secret@h/db",
            "postgresql://u:secret@[::1]:5432/db",
            "postgres://u:secret@h1:1,h2:2/db",
            "postgres://u:se:cret@h/db",
            "host=h password=secret",
            "password=\"secret\"",
            "password='secret' host=h",
            "  password  =  secret  ",
            "postgres://h/db?password=secret",
            "postgres://h/db?password=secret#frag",
        ] {
            let r = redact(s);
            assert!(!r.contains("secret") && !r.contains("cret"), "{s} -> {r}");
        }
    }
}
