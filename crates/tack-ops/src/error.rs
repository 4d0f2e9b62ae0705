//! The use cases' error: what went wrong, where, and what to do — typed by kind so the binary can
//! choose the exit code (usage and input problems, connection and database problems) without
//! reading the message.

use std::fmt;

/// What kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line or `tack.toml` asks for something that cannot be done.
    Usage,
    /// A file: missing, unreadable, not SQL, does not parse.
    Input,
    /// The database cannot be reached (or refused the connection).
    Connection,
    /// The database answered with an error outside a migration step.
    Database,
    /// The project's records disagree (history, tack.sum, files): a person has to decide.
    State,
}

/// An error a command reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    /// What went wrong.
    pub what: String,
    /// Where (a file:line:col, a database, a migration), when it is about one place.
    pub place: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, what: impl Into<String>) -> Self {
        Error {
            kind,
            what: what.into(),
            place: None,
            hint: None,
        }
    }

    pub fn usage(what: impl Into<String>) -> Self {
        Error::new(ErrorKind::Usage, what)
    }

    pub fn input(what: impl Into<String>) -> Self {
        Error::new(ErrorKind::Input, what)
    }

    pub fn connection(what: impl Into<String>) -> Self {
        Error::new(ErrorKind::Connection, what)
    }

    pub fn database(what: impl Into<String>) -> Self {
        Error::new(ErrorKind::Database, what)
    }

    pub fn state(what: impl Into<String>) -> Self {
        Error::new(ErrorKind::State, what)
    }

    /// Where it happened.
    pub fn at(mut self, place: impl Into<String>) -> Self {
        self.place = Some(place.into());
        self
    }

    /// What to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds context in front of the message ("reading the schema: …").
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.what = format!("{context}: {}", self.what);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(place) = &self.place {
            write!(f, "{place}: ")?;
        }
        f.write_str(&self.what)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Messages that already say what, where and what to do (most input checks) are input errors.
impl From<String> for Error {
    fn from(what: String) -> Self {
        Error::input(what)
    }
}

impl From<tack_postgres::Error> for Error {
    fn from(e: tack_postgres::Error) -> Self {
        let kind = match &e {
            tack_postgres::Error::Query { .. } => ErrorKind::Database,
            _ => ErrorKind::Connection,
        };
        Error::new(kind, e.to_string())
    }
}

impl From<tack_exec::TargetError> for Error {
    fn from(e: tack_exec::TargetError) -> Self {
        let kind = match e.kind {
            tack_exec::ErrorKind::Connection => ErrorKind::Connection,
            _ => ErrorKind::Database,
        };
        Error::new(kind, e.message)
    }
}

impl From<tack_exec::ExecError> for Error {
    fn from(e: tack_exec::ExecError) -> Self {
        match e {
            tack_exec::ExecError::Target(t) => t.into(),
            other => Error::state(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
