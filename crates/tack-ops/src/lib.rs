//! tack's use cases, over the engine seam: what each command does, apart from reading its
//! arguments and printing its result (that is the binary's).
//!
//! ```text
//!  project (files, layouts, tack.sum, history checks) ─┐
//!                                                        ├─► lint · plan · apply · status ·
//!  facts (version + catalog, or assumed)  ◄── Engine ───┘     drift · diff · complete ·
//!                                              │               rollback · forget · demo
//!                         Dialect (tack-core) ─┤
//!            Target + StateStore (tack-exec) ──┘ (implemented by tack-postgres)
//! ```
//!
//! What belongs here: a use case's logic, engine-neutral where it can be (generic over
//! [`Engine`]), and the engine-specific glue in one file per engine (`postgres.rs`).
//! What must not: argument parsing, configuration files and rendering (the binary's), SQL and
//! drivers (the engine crates').

pub mod apply;
pub mod demo;
pub mod drift;
pub mod engine;
pub mod error;
pub mod facts;
pub mod lifecycle;
pub mod lint;
pub mod migrations;
pub mod plan;
pub mod postgres;
pub mod project;
pub mod status;

pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use postgres::PgEngine;

/// This tack's version, recorded with every migration it runs.
pub const TACK_VERSION: &str = env!("CARGO_PKG_VERSION");
