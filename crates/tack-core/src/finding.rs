//! Findings: what the linter reports about one statement, in one shape for every engine.

use crate::rule::RuleInfo;
pub use crate::rule::Severity;
use serde::Serialize;

/// One problem with one statement. Positions are byte offsets into the statement's source file;
/// the renderer turns them into line:column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// Byte offset of the statement (or of the offending token) in its file.
    pub offset: usize,
    /// Length in bytes of the span to underline.
    pub len: usize,
    /// The statement's text.
    pub statement: String,
    /// The strongest lock the statement takes on the affected table, by the engine's own name
    /// (`AccessExclusiveLock` on PostgreSQL, the `LOCK=` level on MySQL/MariaDB).
    pub lock: Option<String>,
    /// The engine's algorithm for the change, where it has one (MySQL/MariaDB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// The metadata lock taken besides the table lock (MySQL/MariaDB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_lock: Option<String>,
    pub blocks_reads: bool,
    pub blocks_writes: bool,
    pub rewrite: bool,
    pub scan: bool,
    /// The table the claim is about, as SQL.
    pub table: Option<String>,
    /// How long the lock would be held at this table's size, when the size is known.
    pub estimate: Option<String>,
    /// One line: what happens.
    pub message: String,
    /// Why it matters.
    pub why: String,
    /// The safe alternative, as SQL for this statement (or a short instruction when no SQL fits).
    pub fix: Option<String>,
}

impl Finding {
    /// A finding that is not about a statement's effect (syntax errors, unreadable input).
    pub fn diagnostic(
        rule: impl Into<&'static RuleInfo>,
        offset: usize,
        len: usize,
        message: String,
        statement: &str,
    ) -> Self {
        let info = rule.into();
        Finding {
            rule: info.name,
            severity: info.severity,
            offset,
            len,
            statement: statement.trim().to_owned(),
            lock: None,
            algorithm: None,
            metadata_lock: None,
            blocks_reads: false,
            blocks_writes: false,
            rewrite: false,
            scan: false,
            table: None,
            estimate: None,
            message,
            why: info.why.to_owned(),
            fix: None,
        }
    }
}
