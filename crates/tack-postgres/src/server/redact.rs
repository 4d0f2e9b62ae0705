//! Password redaction: the one place that decides what of a connection string may be shown.
//! Every target in a message goes through [`redact`], and every message built from a driver's
//! or a parser's text goes through [`Secrets::scrub`].
//!
//! Handles every form a target is given in: URLs with any scheme
//! (`postgres://user:secret@host/db?password=secret`, `mysql://…`), URLs without a scheme
//! (`user:secret@host/db`, a common slip), libpq `key=value` strings (`host=h password='se
//! cret'`, including a URL given as a value), and percent-encoded passwords. Redaction errs on the
//! side of hiding too much: a malformed string never leaks the text after a password marker.

use crate::server::conninfo::{self, Token};

/// What a redacted password is replaced with.
pub const MASK: &str = "***";

/// Removes passwords from a connection URL (with or without its scheme) or libpq connection
/// string.
///
/// `postgres://u:secret@h/db` → `postgres://u:***@h/db`; `u:secret@h/db` → `u:***@h/db`;
/// `host=h password=secret` → `host=h password=***`; `?password=secret` query parameters are
/// masked too. Strings without a password come back unchanged.
pub fn redact(url: &str) -> String {
    match form(url) {
        Form::Url => redact_url(url, scheme_len(url)),
        Form::Conninfo => redact_conninfo(url),
        Form::Bare => redact_url(url, 0),
    }
}

/// How a connection string is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `scheme://…`
    Url,
    /// libpq `key=value` pairs (or nothing at all).
    Conninfo,
    /// Neither: most likely a URL without its scheme (`user:pass@host/db`).
    Bare,
}

/// Which form `s` is written in. A libpq string starts with a parameter name (letters, digits,
/// `_`) and `=`; anything else that is not a URL is treated as a URL missing its scheme.
pub(crate) fn form(s: &str) -> Form {
    if conninfo::is_url(s) {
        return Form::Url;
    }
    let tokens = conninfo::scan(s);
    let conninfo = match tokens.first() {
        None => true,
        Some(first) => {
            let key = &s[first.key.clone()];
            first.value.is_some()
                && !key.is_empty()
                && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
    };
    if conninfo {
        Form::Conninfo
    } else {
        Form::Bare
    }
}

/// Length of `scheme://` (after leading white space).
fn scheme_len(url: &str) -> usize {
    url.find("://").map_or(0, |i| i + 3)
}

/// Masks the password in the user info and in `password=` query parameters of a URL whose
/// authority starts at byte `authority_start`.
fn redact_url(url: &str, authority_start: usize) -> String {
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
        } else if let Some(v) = value {
            // libpq accepts a whole connection URL as `dbname`; any value with user info in it
            // is redacted as one.
            let raw = &s[v.clone()];
            if raw.contains('@') || conninfo::is_url(raw) {
                out.push_str(&s[pos..v.start]);
                out.push_str(&redact_url(raw, scheme_len(raw)));
                pos = v.end;
            }
        }
    }
    out.push_str(&s[pos..]);
    out
}

fn is_password_key(key: &str) -> bool {
    key.trim().eq_ignore_ascii_case("password")
}

/// The passwords a connection string, the environment or a password file supplied, in every
/// spelling they could come back in (as written, percent-decoded, percent-encoded, unquoted), so
/// that a message quoting one — a driver's error, a parser's complaint — can be cleaned.
/// Its `Debug` output shows how many it holds, never what.
#[derive(Clone, Default)]
pub struct Secrets(Vec<String>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} hidden)", self.0.len())
    }
}

impl Secrets {
    /// The passwords written in a connection string, in whichever form it is.
    pub fn of(s: &str) -> Secrets {
        let mut secrets = Secrets::default();
        match form(s) {
            Form::Url => secrets.add_url(s, scheme_len(s)),
            Form::Bare => secrets.add_url(s, 0),
            Form::Conninfo => {
                let tokens = conninfo::scan(s);
                let mut take_next = false;
                for Token { key, value } in &tokens {
                    let raw_key = &s[key.clone()];
                    if take_next {
                        secrets.add(raw_key);
                        if let Some(v) = value {
                            secrets.add(&s[v.clone()]);
                        }
                        take_next = false;
                    } else if is_password_key(raw_key) {
                        match value {
                            Some(v) => secrets.add_quoted(&s[v.clone()]),
                            None => take_next = true,
                        }
                    } else if let Some(v) = value {
                        let raw = &s[v.clone()];
                        if raw.contains('@') || conninfo::is_url(raw) {
                            secrets.add_url(raw, scheme_len(raw));
                        }
                    }
                }
            }
        }
        secrets
    }

    /// Adds a password as the server receives it (from the URL, `PGPASSWORD` or a password
    /// file), with its percent-encoded spelling.
    pub fn add(&mut self, password: &str) {
        if password.is_empty() || self.0.iter().any(|p| p == password) {
            return;
        }
        self.0.push(password.to_owned());
        let encoded = percent_encode(password);
        if encoded != password && !self.0.contains(&encoded) {
            self.0.push(encoded);
        }
    }

    /// A libpq value as written: with and without its quotes and escapes.
    fn add_quoted(&mut self, raw: &str) {
        self.add(raw);
        self.add(&conninfo::unquote(raw));
    }

    fn add_url(&mut self, url: &str, authority_start: usize) {
        let rest = &url[authority_start..];
        let after = match rest.rfind('@') {
            Some(at) => {
                if let Some((_, password)) = rest[..at].split_once(':') {
                    self.add(password);
                    self.add(&conninfo::percent_decode(password));
                }
                &rest[at + 1..]
            }
            None => rest,
        };
        if let Some((_, query)) = after.split_once('?') {
            let query = query.split('#').next().unwrap_or("");
            for part in query.split('&') {
                if let Some((key, value)) = part.split_once('=') {
                    if is_password_key(&conninfo::percent_decode(key)) {
                        self.add(value);
                        self.add(&conninfo::percent_decode(value));
                    }
                }
            }
        }
    }

    /// `message` with every known password replaced by [`MASK`]. Passwords shorter than three
    /// characters are left alone: replacing every "a" of a message would make it unreadable
    /// and hide nothing.
    pub fn scrub(&self, message: &str) -> String {
        let mut out = message.to_owned();
        // Longest first, so a password containing another is masked whole.
        let mut secrets: Vec<&String> = self.0.iter().filter(|p| p.chars().count() >= 3).collect();
        secrets.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in secrets {
            if out.contains(p.as_str()) {
                out = out.replace(p.as_str(), MASK);
            }
        }
        out
    }
}

/// Percent-encodes everything but unreserved URL characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
    fn urls_without_a_scheme() {
        assert_eq!(redact("me:s3cret@h/db"), "me:***@h/db");
        assert_eq!(
            redact("me:s3cret@h:5432/db?sslmode=require"),
            "me:***@h:5432/db?sslmode=require"
        );
        assert_eq!(redact("me@h/db?password=s3cret"), "me@h/db?password=***");
        assert_eq!(redact("h:5432/db"), "h:5432/db");
        assert_eq!(redact("mydb"), "mydb");
    }

    #[test]
    fn urls_inside_conninfo() {
        assert_eq!(
            redact("dbname=postgres://u:s3cret@h/db user=x"),
            "dbname=postgres://u:***@h/db user=x"
        );
        assert_eq!(redact("user=a@corp host=h"), "user=a@corp host=h");
    }

    #[test]
    fn secrets_in_every_spelling() {
        let s = super::Secrets::of("postgres://u:p%40ss%20word@h/db?password=q%26r");
        assert_eq!(s.scrub("x p@ss word y"), "x *** y");
        assert_eq!(s.scrub("x p%40ss%20word y"), "x *** y");
        assert_eq!(s.scrub("x q&r y"), "x *** y");
        let s = super::Secrets::of("host=h password='it\\'s secret'");
        assert_eq!(s.scrub("bad: it's secret"), "bad: ***");
        let s = super::Secrets::of("me:s3cret@h/db");
        assert_eq!(
            s.scrub("missing \"=\" after \"me:s3cret@h/db\""),
            "missing \"=\" after \"me:***@h/db\""
        );
        let mut s = super::Secrets::default();
        s.add("from env!");
        assert_eq!(
            s.scrub("echo from env! and from%20env%21"),
            "echo *** and ***"
        );
        s.add("ab");
        assert_eq!(s.scrub("a tab"), "a tab", "too short to scrub");
        assert_eq!(format!("{s:?}"), "Secrets(3 hidden)");
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
            "u:secret@h/db",
            "u:secret@h",
            "u@h/db?password=secret",
            "mysql://u:secret@h/db",
            "mariadb://u:secret@h/db",
            "dbname=postgresql://u:secret@h/db",
            "postgres://u:se%63ret@h/db",
        ] {
            let r = redact(s);
            assert!(!r.contains("secret") && !r.contains("cret"), "{s} -> {r}");
        }
    }
}
