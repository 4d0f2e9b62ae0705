//! tack's PostgreSQL engine: everything tack knows and does about PostgreSQL, behind the core's
//! engine-neutral seam.
//!
//! ```text
//!  syntax (pg_query: split, parse, place errors; node helpers, deparse)
//!     ▲
//!  changes (per kind of change: mapping + rule + recipe + plan expansion + undo + tests)
//!     ▲                    ▲
//!  front_end (parse)    planner (walks a migration, asks each kind for its plan)
//!     ▲                    ▲
//!  dialect (Postgres: the core's Dialect)         schema (model, diff, fingerprint)
//!
//!  server: connect (TLS) · catalog facts · introspection · runner (executor Target +
//!          StateStore) · state store · throttles · scratch databases · demo workload and
//!          dataset — uses front_end, backfill_sql (the backfill's SQL, also the planner's), never
//!          the other way round
//! ```
//!
//! Arrows point at what a module uses; no two modules use each other.
//!
//! What belongs here: anything that is true of PostgreSQL and not of another engine — its
//! grammar, lock modes, rule base, recipes, catalog queries, state store, SQL text.
//! What must not: engine-neutral logic (the linter's state machine, the executor's retries and
//! batching, the use cases) — those are `tack-core`, `tack-exec` and `tack-ops`, which reach
//! PostgreSQL only through [`Postgres`] (the [`Dialect`](tack_core::Dialect)) and the
//! `server` adapter.

pub mod backfill_sql;
pub mod builtins;
pub mod changes;
mod dialect;
pub mod front_end;
pub mod lock;
pub mod planner;
pub mod schema;
pub mod server;
pub mod sql;
pub mod syntax;

pub use dialect::Postgres;
pub use lock::LockMode;
pub use server::{
    classify, connect, describe, introspect, is_utc, redact, type_modifiers, ConnectOptions,
    Connection, Error, PgRunner, RootCerts, SslMode, TlsSettings, DEFAULT_APPLICATION_NAME,
    DEFAULT_CONNECT_TIMEOUT, SETTINGS_HINT,
};
