//! A source file as read (a migration, a schema file, standard input): its name as shown to the
//! user and its text, with byte offsets turned into 1-based line:column for messages.

/// A file as read.
#[derive(Debug, Clone)]
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
        let line = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start)
            + 1;
        (line + 1, column)
    }

    /// `name:line:col` of a byte offset.
    pub fn at(&self, offset: usize) -> String {
        let (line, col) = self.position(offset);
        format!("{}:{line}:{col}", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let f = SourceFile::new("a.sql".into(), "ab\nçd;\n".into());
        assert_eq!(f.position(0), (1, 1));
        assert_eq!(f.position(3), (2, 1));
        assert_eq!(f.position(6), (2, 3));
        assert_eq!(f.position(999), (3, 1));
        assert_eq!(f.at(3), "a.sql:2:1");
    }
}
