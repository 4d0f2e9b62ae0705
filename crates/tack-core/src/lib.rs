//! tack's pure core: the data model shared by every stage of the pipeline (versions, lock modes,
//! changes, catalog facts, findings), the PostgreSQL rule base that says what each change costs
//! on a given version, and the linter that walks a run of statements and reports findings.
//!
//! Nothing here does I/O: every function is a pure function of its inputs, so the rule base can be
//! unit-tested exhaustively and proven against real servers by the integration tests.

pub mod catalog;
pub mod change;
pub mod estimate;
pub mod finding;
pub mod lint;
pub mod lock;
pub mod plan;
pub mod rules;
pub mod schema;
pub mod version;

pub use catalog::{Catalog, ColumnFacts, ConstraintFacts, IndexFacts, TableFacts, Volatility};
pub use change::{
    AlterAction, Change, ColumnSpec, ConstraintKind, ConstraintSpec, Expr, QualifiedName,
    RowFilter, TypeSpec,
};
pub use finding::{Finding, Severity};
pub use lint::{LintOptions, Linter, Statement};
pub use lock::LockMode;
pub use rules::{effects, Effect, RuleId, RULES};
pub use version::Version;
