//! Throwaway PostgreSQL clusters from the installed server binaries, as a library: `tack demo`
//! starts one, and the test kit starts its shared test servers with it.
//!
//! ```no_run
//! use tack_cluster::{Cluster, ClusterOptions, OnDrop};
//!
//! # fn main() -> Result<(), tack_cluster::Error> {
//! let bin = tack_cluster::first_bin_dir()?; // or an error saying what to install
//! let mut opts = ClusterOptions::new(&bin.path, "/tmp/my-cluster/data");
//! opts.settings.push(("fsync".into(), "off".into()));
//! opts.on_drop = OnDrop::StopAndRemove;
//! let cluster = Cluster::start(opts)?;
//! println!("PostgreSQL {} at {}", cluster.version(), cluster.url("postgres"));
//! // dropping `cluster` stops the server and deletes the data dir
//! # Ok(())
//! # }
//! ```
//!
//! * [`find_bin_dirs`] finds directories with `initdb`, `pg_ctl` and `postgres`, one per
//!   major version (see [`discovery`] for where it looks).
//! * [`Cluster::start`] runs `initdb` when the data dir is new, then `pg_ctl start` on a free
//!   port (or the one given), listening on 127.0.0.1 and on a unix socket in the data dir, and
//!   waits until the server accepts connections. [`Cluster::stop`] and, by default, dropping
//!   the cluster stop it; [`OnDrop`] says what dropping does.
//! * PostgreSQL refuses to run as root: when we are root, the server runs as an unprivileged OS
//!   user ([`RunAs`]: `postgres`, else a fallback user created with `useradd --system`), and
//!   binaries that user cannot run in place are copied where it can.
//!
//! Errors ([`Error`]) say what failed and what to do. Everything here blocks.
//!
//! What belongs here: running PostgreSQL server processes. What must not: SQL beyond checking
//! that a server answers, and anything about migrations.

pub mod cluster;
pub mod discovery;
mod error;
pub mod sys;

pub use cluster::{percent_encode, Cluster, ClusterOptions, OnDrop};
pub use discovery::{find_bin_dirs, first_bin_dir, BinDir};
pub use error::{Error, INSTALL_HINT};
pub use sys::{OsUser, RunAs};
