//! tack's engine-neutral core: the vocabulary every stage of the pipeline shares, whatever the
//! database.
//!
//! What belongs here: names, changes (what a statement does), catalog facts, effects (what a lock
//! blocks — reads, writes, DDL — whether the table is rewritten or copied, whether it is scanned,
//! with the engine's own lock label), engine versions, rules' documentation, findings, the linter's
//! state machine, the plan model (the only one: planners produce it, the executor runs it) with
//! its lifecycle (start, complete, undo), and the [`Dialect`] trait each engine implements.
//!
//! What must not: anything one engine says differently from another (lock modes, SQL text,
//! catalog queries, version rules — those live in `tack-postgres` and `tack-mysql`), and any I/O:
//! every function here is a pure function of its inputs.

pub mod catalog;
pub mod change;
pub mod dialect;
pub mod digest;
pub mod effect;
pub mod engine;
pub mod estimate;
pub mod finding;
pub mod lint;
pub mod name;
pub mod plan;
pub mod rule;
pub mod source;

pub use catalog::{
    Catalog, ColumnFacts, ConstraintFacts, ConstraintType, IndexFacts, TableFacts, Volatility,
};
pub use change::{
    AlterAction, Change, ColumnSpec, ConstraintKind, ConstraintSpec, Expr, RowFilter, TypeSpec,
};
pub use dialect::{Context, Dialect, Ignore, ParsedFile, ParsedStatement, Statement, SyntaxError};
pub use effect::{Assessment, Effect, LockKind, Verdict};
pub use engine::{Engine, EngineVersion, Version};
pub use finding::{Finding, Severity};
pub use lint::{LintOptions, Linter};
pub use name::QualifiedName;
pub use rule::RuleInfo;
pub use source::SourceFile;
