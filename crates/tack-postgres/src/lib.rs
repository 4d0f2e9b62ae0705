//! tack's PostgreSQL engine: everything tack knows and does about PostgreSQL, behind the core's
//! engine-neutral seam.
//!
//! ```text
//! front_end ─► changes (rule + recipe + plan expansion + undo, one module per kind of change)
//!                 │                     ▲
//!                 ▼                     │
//!              planner ──────────────────┘        schema (model, diff, fingerprint)
//!
//! server: connect (TLS) · catalog facts · introspection · runner (executor Target + StateStore)
//!         · throttles · backfill SQL · scratch databases
//! ```
//!
//! What belongs here: anything that is true of PostgreSQL and not of another engine — its
//! grammar, lock modes, rule base, recipes, catalog queries, state store, SQL text.
//! What must not: engine-neutral logic (the linter's state machine, the executor's retries and
//! batching, the use cases) — those are `tack-core`, `tack-exec` and `tack-ops`, which reach
//! PostgreSQL only through [`Postgres`] (the [`Dialect`](tack_core::Dialect)) and the
//! `server` adapter.

pub mod builtins;
pub mod changes;
mod dialect;
pub mod front_end;
pub mod lock;
pub mod planner;
pub mod schema;
pub mod server;
pub mod sql;

pub use dialect::Postgres;
pub use lock::LockMode;
pub use server::{
    classify, connect, describe, introspect, is_utc, redact, type_modifiers, ConnectOptions,
    Connection, Error, PgRunner, RootCerts, SslMode, TlsSettings, DEFAULT_APPLICATION_NAME,
    DEFAULT_CONNECT_TIMEOUT, SETTINGS_HINT,
};
