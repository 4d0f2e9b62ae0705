//! The engine seam, pure half: what an engine's front end and rule base offer the linter, the
//! planner and the use cases — parse a file into [`Change`]s, judge a change, plan a migration,
//! quote a name — without any I/O. Each engine crate implements [`Dialect`]; the connected half
//! (catalog, runner, state store) is the executor's `Target` and `StateStore`.

use crate::catalog::{Catalog, TableFacts, Volatility};
use crate::change::{Change, Expr, QualifiedName};
use crate::effect::{Assessment, Effect, LockKind};
use crate::engine::{Engine, Version};
use crate::estimate;
use crate::plan::{Plan, PlanOptions};
use crate::rule::RuleInfo;

/// A `-- tack:ignore <rule> <reason>` comment attached to a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    pub rule: String,
    pub reason: Option<String>,
    /// Byte offset of the comment in the file.
    pub offset: usize,
    pub len: usize,
}

/// A statement of a file, placed and understood.
#[derive(Debug, Clone)]
pub struct ParsedStatement {
    /// Byte offset of the statement's first token.
    pub offset: usize,
    /// Byte length up to (not including) the terminating delimiter.
    pub len: usize,
    pub change: Change,
    pub ignores: Vec<Ignore>,
}

/// A statement the engine's grammar rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the offending token (or of the statement when it cannot be placed).
    pub offset: usize,
    /// Bytes to underline.
    pub len: usize,
    pub message: String,
    /// Byte range of the whole statement it belongs to.
    pub statement: (usize, usize),
}

/// A file, parsed: every statement that parsed, and every one that did not (never dropped).
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    pub statements: Vec<ParsedStatement>,
    pub errors: Vec<SyntaxError>,
}

/// One parsed statement, placed in its file, as the linter and planner walk it.
#[derive(Debug, Clone)]
pub struct Statement<'a> {
    pub offset: usize,
    pub len: usize,
    pub text: &'a str,
    pub change: &'a Change,
    pub ignores: &'a [Ignore],
}

impl<'a> Statement<'a> {
    /// The statements of a parsed file, with their text.
    pub fn all(text: &'a str, parsed: &'a ParsedFile) -> Vec<Statement<'a>> {
        parsed
            .statements
            .iter()
            .map(|s| Statement {
                offset: s.offset,
                len: s.len,
                text: text.get(s.offset..s.offset + s.len).unwrap_or(""),
                change: &s.change,
                ignores: &s.ignores,
            })
            .collect()
    }

    /// Allowed by `allow` (rule ids, or "all"), or accepted on the statement with
    /// `-- tack:ignore <rule> <reason>`.
    pub fn allowed(&self, allow: &[String], rule: &str) -> bool {
        allow.iter().any(|a| a == rule || a == "all")
            || self
                .ignores
                .iter()
                .any(|i| i.reason.is_some() && (i.rule == rule || i.rule == "all"))
    }
}

/// What the rules may consult: the target's version and the catalog as it stands at this
/// statement (including what earlier statements of the run created).
pub struct Context<'a> {
    pub version: Version,
    pub catalog: &'a Catalog,
    /// The statement runs inside a transaction block.
    pub in_transaction: bool,
}

impl Context<'_> {
    pub fn table(&self, name: &QualifiedName) -> Option<&TableFacts> {
        self.catalog.table(name)
    }

    /// A table created earlier in this run is new and empty: nothing done to it can hurt traffic.
    pub fn is_new(&self, name: &QualifiedName) -> bool {
        self.table(name).is_some_and(TableFacts::is_empty_for_sure)
    }

    /// The volatility of an expression: the most volatile function it calls. Unknown functions
    /// count as volatile; the second value names them so the finding can say so.
    pub fn volatility(&self, expr: &Expr) -> (Volatility, Vec<String>) {
        let mut worst = Volatility::Immutable;
        let mut unknown = Vec::new();
        if expr.has_subquery {
            worst = Volatility::Volatile;
        }
        for f in &expr.functions {
            match self.catalog.function_volatility(f) {
                Some(v) => worst = worst.max(v),
                None => {
                    worst = Volatility::Volatile;
                    unknown.push(f.clone());
                }
            }
        }
        (worst, unknown)
    }

    /// "≈ 4 min (3.2 GiB, 20M rows)" when the size is known.
    pub fn estimate<L: LockKind>(&self, effect: &Effect<L>) -> Option<String> {
        let work = effect.work?;
        let facts = self.table(&effect.table)?;
        let bytes = facts.bytes?;
        Some(estimate::describe(
            work,
            bytes,
            facts.index_bytes.unwrap_or(0),
            facts.rows,
        ))
    }
}

/// An engine's front end and rule base: pure functions of their inputs.
pub trait Dialect: Sync {
    /// The engine's lock vocabulary.
    type Lock: LockKind;

    fn engine(&self) -> Engine;

    /// Splits and parses a migration file.
    fn parse(&self, text: &str) -> ParsedFile;

    /// The engine's rules (the linter's own generic rules are in `rule::generic`).
    fn rules(&self) -> &'static [RuleInfo];

    /// Judges one statement in context: its effects and what is dangerous about it.
    fn assess(&self, change: &Change, ctx: &Context) -> Assessment<Self::Lock>;

    /// Statements that fail inside a transaction block: the rule to report and what to call
    /// the operation (`CREATE INDEX CONCURRENTLY`).
    fn outside_transaction_only(&self, change: &Change) -> Option<(&'static RuleInfo, String)>;

    /// Whether a schema change commits the open transaction (MySQL) instead of joining it.
    fn ddl_commits_implicitly(&self) -> bool;

    /// The statement, preceded by what gives it a short lock timeout.
    fn with_lock_timeout(&self, statement: &str) -> String;

    /// A name written as SQL, quoted where the engine needs it.
    fn quote_name(&self, name: &QualifiedName) -> String;

    /// An empty catalog for this engine (default schema, built-in function volatilities).
    fn empty_catalog(&self, connected: bool) -> Catalog;

    /// Plans one migration. Statements are read in order, and `catalog` learns from each one,
    /// so the next migration is planned against the schema this one leaves.
    fn plan(
        &self,
        migration: &str,
        statements: &[Statement],
        catalog: &mut Catalog,
        options: &PlanOptions,
    ) -> Plan;
}
