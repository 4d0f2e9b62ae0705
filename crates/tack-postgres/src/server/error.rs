//! Errors of the adapter: what failed, for which target (always with its password redacted),
//! and what the user can do about it.

use crate::server::redact::Secrets;
use std::error::Error as StdError;
use std::io;
use tokio_postgres::error::SqlState;

/// Where to look when connection settings are wrong; ends most connection hints.
pub const SETTINGS_HINT: &str = "check --database-url / DATABASE_URL / PG* variables";

/// Everything that can go wrong in `tack-postgres`. Every `target` is redacted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection string or a `PG*` variable could not be understood.
    #[error("invalid connection settings {target}: {reason} — {hint}")]
    InvalidConfig {
        target: String,
        reason: String,
        hint: String,
    },
    /// TLS could not be set up (certificate files, root store).
    #[error("could not set up TLS for {target}: {reason} — {hint}")]
    Tls {
        target: String,
        reason: String,
        hint: String,
    },
    /// The server could not be reached, refused the login, or the TLS handshake failed.
    #[error("could not connect to {target}: {reason} — {hint}")]
    Connect {
        target: String,
        reason: String,
        hint: String,
    },
    /// A catalog query failed or returned something unexpected.
    #[error("could not read {what} from {target}: {reason} — {hint}")]
    Query {
        target: String,
        what: String,
        reason: String,
        hint: String,
    },
    /// `connect` was called outside a tokio runtime.
    #[error(
        "could not connect to {target}: no tokio runtime to run the connection on — \
         call connect() from within a tokio runtime"
    )]
    NoRuntime { target: String },
}

impl Error {
    /// The redacted target the error is about.
    pub fn target(&self) -> &str {
        match self {
            Error::InvalidConfig { target, .. }
            | Error::Tls { target, .. }
            | Error::Connect { target, .. }
            | Error::Query { target, .. }
            | Error::NoRuntime { target } => target,
        }
    }
}

/// An error and its causes, `outer: inner: innermost` (tokio-postgres's own `Display` omits
/// the cause, which is usually the informative part).
pub(crate) fn chain(e: &(dyn StdError + 'static)) -> String {
    let mut text = e.to_string();
    let mut current = e.source();
    while let Some(cause) = current {
        let cause_text = cause.to_string();
        if !cause_text.is_empty() && !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        current = cause.source();
    }
    text
}

/// A query error for a message: the server's message, detail and SQLSTATE, or the client-side
/// cause chain.
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db_reason(db),
        None => chain(e),
    }
}

fn find_io<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a io::Error> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return Some(io);
        }
        current = err.source();
    }
    None
}

fn db_reason(db: &tokio_postgres::error::DbError) -> String {
    let mut reason = db.message().to_owned();
    if let Some(detail) = db.detail() {
        reason.push_str(&format!(" ({detail})"));
    }
    reason.push_str(&format!(" [SQLSTATE {}]", db.code().code()));
    reason
}

/// Turns a failed connection attempt into a message with a hint.
pub(crate) fn connect_error(target: &str, e: &tokio_postgres::Error, secrets: &Secrets) -> Error {
    let (reason, hint) = describe_connect(e);
    Error::Connect {
        target: target.to_owned(),
        reason: secrets.scrub(&reason),
        hint,
    }
}

fn describe_connect(e: &tokio_postgres::Error) -> (String, String) {
    let text = chain(e);
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        let hint = if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            format!(
                "check the user name and password (in the URL, PGPASSWORD or ~/.pgpass) and the \
                 server's pg_hba.conf; {SETTINGS_HINT}"
            )
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            format!("check the database name, or create the database first; {SETTINGS_HINT}")
        } else if *code == SqlState::TOO_MANY_CONNECTIONS {
            "the server has no connection slots left (max_connections); retry later".to_owned()
        } else if *code == SqlState::CANNOT_CONNECT_NOW {
            "the server is starting up, shutting down or recovering; retry shortly".to_owned()
        } else {
            SETTINGS_HINT.to_owned()
        };
        return (db_reason(db), hint);
    }
    if text.starts_with("error performing TLS handshake") {
        let hint = if text.contains("does not support TLS") {
            "the server does not accept TLS connections: use sslmode=prefer or sslmode=disable, \
             or enable ssl on the server"
        } else if text.contains("not valid for name") || text.contains("NotValidForName") {
            "the server's certificate does not name the host connected to: connect by a name \
             the certificate lists, or use sslmode=verify-ca to check only the chain"
        } else if text.contains("BadSignature") || text.contains("UnknownIssuer") {
            "the server's certificate was not issued by any certificate in sslrootcert (the wrong \
             root?): name the CA that signed it, or the server's own certificate when it is \
             self-signed; or use sslmode=require to encrypt without verifying"
        } else if text.contains("Expired") || text.contains("NotValidYet") {
            "the server's certificate is outside its validity period (check the server's \
             certificate and both machines' clocks)"
        } else if text.contains("ertificate") {
            "the server's certificate could not be verified: name its CA with sslrootcert=<file> \
             (or sslrootcert=system), or use sslmode=require to encrypt without verifying"
        } else {
            "check the server's TLS settings and sslmode"
        };
        return (text, hint.to_owned());
    }
    if text.contains("password missing") {
        return (
            "the server asks for a password but none was given".to_owned(),
            format!("put it in the URL, PGPASSWORD or ~/.pgpass; {SETTINGS_HINT}"),
        );
    }
    if let Some(io) = find_io(e) {
        let message = io.to_string();
        match io.kind() {
            io::ErrorKind::ConnectionRefused => {
                return (
                    "connection refused".to_owned(),
                    format!(
                        "is the server running and accepting TCP/IP connections on that host \
                         and port? {SETTINGS_HINT}"
                    ),
                );
            }
            io::ErrorKind::TimedOut => {
                return (
                    "timed out".to_owned(),
                    format!(
                        "is the host reachable (firewall, VPN, security group)? a slow server \
                         may need a larger connect_timeout; {SETTINGS_HINT}"
                    ),
                );
            }
            io::ErrorKind::NotFound => {
                return (
                    format!("no server socket found ({message})"),
                    format!(
                        "is the server running locally? set host= / PGHOST to its socket \
                         directory or to a host name; {SETTINGS_HINT}"
                    ),
                );
            }
            _ => {}
        }
        if message.contains("lookup address") || message.contains("resolve") {
            return (
                format!("could not resolve the host name ({message})"),
                format!("check the host name; {SETTINGS_HINT}"),
            );
        }
    }
    (text, SETTINGS_HINT.to_owned())
}

/// Turns a failed catalog query into a message with a hint.
pub(crate) fn query_error(target: &str, what: &str, e: &tokio_postgres::Error) -> Error {
    let (reason, hint) = if let Some(db) = e.as_db_error() {
        let code = db.code();
        let hint = if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            "the role needs to read the system catalogs (pg_class, pg_attribute, …); connect \
             as a role that can"
        } else if *code == SqlState::QUERY_CANCELED {
            "the query was cancelled (statement_timeout?); raise the timeout for this role \
             and retry"
        } else {
            "this may be an unsupported server version or a bug in tack; please report it \
             with the server version"
        };
        (db_reason(db), hint)
    } else if e.is_closed() {
        (
            "the connection was closed".to_owned(),
            "the server may have restarted or dropped the session; check its log and retry",
        )
    } else {
        (chain(e), "check the connection to the server and retry")
    };
    Error::Query {
        target: target.to_owned(),
        what: what.to_owned(),
        reason,
        hint: hint.to_owned(),
    }
}

/// An answer from the server that the adapter cannot use.
pub(crate) fn unexpected(target: &str, what: &str, reason: String) -> Error {
    Error::Query {
        target: target.to_owned(),
        what: what.to_owned(),
        reason,
        hint: "this may be an unsupported server version or a bug in tack; please report it \
               with the server version"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_target_and_hint() {
        let e = Error::Connect {
            target: "postgres://u:***@h:5432/db".to_owned(),
            reason: "connection refused".to_owned(),
            hint: "is the server running?".to_owned(),
        };
        assert_eq!(
            e.to_string(),
            "could not connect to postgres://u:***@h:5432/db: connection refused — is the \
             server running?"
        );
        assert_eq!(e.target(), "postgres://u:***@h:5432/db");
    }
}
