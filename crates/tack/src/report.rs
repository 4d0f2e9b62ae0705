//! The result of a lint run, placed in its files: what every renderer formats.

use serde::Serialize;
use tack_core::{Finding, Severity, Version};

/// A migration file as read.
#[derive(Debug)]
pub struct SourceFile {
    /// As shown to the user (the path given, or `<stdin>`).
    pub name: String,
    pub text: String,
    /// Byte offset of each line start, for offset → line:column.
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: String, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start)
            + 1;
        (line + 1, column)
    }
}

/// A finding with its file and line:column range.
#[derive(Debug, Serialize)]
pub struct Located {
    #[serde(skip)]
    pub file_index: usize,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    #[serde(flatten)]
    pub finding: Finding,
}

/// Where the version and catalog facts came from.
#[derive(Debug, Serialize)]
pub struct TargetInfo {
    pub version: Version,
    /// `server`, `--pg-version`, `tack.toml` or `assumed`.
    pub version_source: &'static str,
    pub connected: bool,
    /// Redacted URL of the server read, when connected.
    pub database: Option<String>,
}

#[derive(Debug)]
pub struct Report {
    pub files: Vec<SourceFile>,
    pub findings: Vec<Located>,
    pub target: TargetInfo,
    /// Facts assumed because they could not be read.
    pub assumptions: Vec<String>,
    pub statements: usize,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding.severity == severity)
            .count()
    }
}
