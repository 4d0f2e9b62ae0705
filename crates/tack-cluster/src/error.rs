//! [`Error`]: what went wrong while finding, starting or stopping a cluster, worded to say what
//! failed and what to do about it.

use std::io;
use std::path::PathBuf;

/// What to do when no server binaries are installed.
pub const INSTALL_HINT: &str = "install the postgresql package (e.g. `apt-get install \
     postgresql`) or run scripts/install-test-servers.sh, or point TACK_PG_BINDIRS at a \
     directory holding initdb, pg_ctl and postgres";

/// Why a cluster could not be found, started or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No directory with `initdb`, `pg_ctl` and `postgres` was found.
    #[error("no PostgreSQL server binaries found (looked in {looked_in}): {INSTALL_HINT}")]
    NoServerBinaries {
        /// The places searched, for the message.
        looked_in: String,
    },

    /// A directory given as a bin dir lacks a server program or cannot run it.
    #[error("{path} is not a usable PostgreSQL bin directory: {reason}")]
    BadBinDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong with it, and what to do.
        reason: String,
    },

    /// A file-system operation failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "create".
        action: &'static str,
        /// What it was done to.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },

    /// An external program (`initdb`, `pg_ctl`, `useradd`) failed or could not be run.
    #[error("{program} failed: {detail}")]
    Command {
        /// The program and what it was asked to do, e.g. "pg_ctl start".
        program: String,
        /// Its exit status and output, server log lines, and what to do.
        detail: String,
    },

    /// The OS user the server should run as is unusable.
    #[error("{0}")]
    OsUser(String),

    /// The options cannot work (a data dir path too long for the socket, a port in use, ...).
    #[error("{0}")]
    Options(String),
}

impl Error {
    /// An [`Error::Io`].
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
