//! Splits a script into statements the way the mysql command-line client does.
//!
//! Statements end at `;`, or at the delimiter set by a `DELIMITER xx` command line (which
//! the client, not the server, interprets; it is recognised where a statement would start,
//! and its line is not part of any statement). A custom delimiter is found anywhere outside
//! strings, quoted identifiers and comments, even inside a word (`END$$`).
//!
//! Stored programs and compound statements contain `;` in their bodies. Without a `DELIMITER`
//! the client would cut them at the first `;`; this splitter instead tracks
//! `BEGIN … END`, `CASE … END [CASE]`, `IF … END IF`, `LOOP`, `WHILE`, `REPEAT` and `FOR`
//! nesting inside `CREATE PROCEDURE | FUNCTION | TRIGGER | EVENT`, `ALTER EVENT` and MariaDB's
//! top-level compound statements (`BEGIN NOT ATOMIC`, `IF`, …), so such a statement stays
//! whole. If its blocks never close — before the end of input, a `DELIMITER` line or the next
//! `CREATE` of a stored program — the statement is cut at its first `;` as the client would,
//! with an error pointing at the unclosed `BEGIN`.
//!
//! Under a custom delimiter, statements other than stored programs are still split at `;`:
//! the client sends `a; b$$` as one multi-statement query and the server runs both.
//!
//! Each statement's span runs from its first token to the end of its last token; comments
//! before it are not part of it. Every comment is kept, and each statement knows which
//! comments precede it (`leading`) and which follow its delimiter on the same line
//! (`trailing`), so directives such as `-- tack:ignore <rule> <reason>` can be attached.

use std::ops::Range;

use super::ast::ParseError;
use super::lexer::{Comment, Lexed, Lexer, Token, TokenKind};
use super::span::Span;

/// One statement found by [`split`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitStatement {
    /// From the first token to the end of the last token.
    pub span: Span,
    /// Indices into [`SplitScript::tokens`].
    pub tokens: Range<usize>,
    /// The delimiter that ended it; `None` at the end of input.
    pub delimiter: Option<Span>,
    /// Indices into [`SplitScript::comments`] of the comments before the statement.
    pub leading_comments: Range<usize>,
    /// Indices into [`SplitScript::comments`] of the comments after its delimiter on the same
    /// line.
    pub trailing_comments: Range<usize>,
    /// Indices into [`SplitScript::errors`] of the errors inside the statement (unterminated
    /// strings or comments, unclosed blocks).
    pub errors: Vec<usize>,
}

/// Everything [`split`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SplitScript {
    /// The statements, in order.
    pub statements: Vec<SplitStatement>,
    /// All tokens of all statements (delimiters and `DELIMITER` lines excluded).
    pub tokens: Vec<Token>,
    /// All comments, in order.
    pub comments: Vec<Comment>,
    /// Errors found while tokenizing and splitting, in order.
    pub errors: Vec<ParseError>,
    /// Spans of the `DELIMITER xx` command lines.
    pub delimiter_commands: Vec<Span>,
}

impl SplitScript {
    /// The tokens of `statement`.
    pub fn statement_tokens(&self, statement: &SplitStatement) -> &[Token] {
        self.tokens.get(statement.tokens.clone()).unwrap_or(&[])
    }
}

/// Splits `text` into statements.
pub fn split(text: &str) -> SplitScript {
    Splitter::new(text).run()
}

/// Words that open a block closed by `END [word]` when they start a statement in a body.
const BLOCK_WORDS: [&str; 6] = ["IF", "CASE", "LOOP", "WHILE", "REPEAT", "FOR"];

/// Tracks block nesting in stored program bodies.
#[derive(Debug, Clone)]
struct BlockTracker {
    /// Spans of the currently open block keywords, outermost first.
    open: Vec<Span>,
    /// Whether the next word starts a statement inside a body.
    at_statement_start: bool,
    /// Whether the previous word was `END` (so `IF`, `CASE`… close rather than open).
    after_end: bool,
    /// Whether the previous token was `.` (so the next word is a name: `NEW.end`).
    after_dot: bool,
}

impl Default for BlockTracker {
    fn default() -> Self {
        // A statement's first word starts a statement (MariaDB's top-level `IF … END IF`).
        BlockTracker {
            open: Vec::new(),
            at_statement_start: true,
            after_end: false,
            after_dot: false,
        }
    }
}

impl BlockTracker {
    fn feed(&mut self, token: &Token, text: &str) {
        let word = match token.kind {
            TokenKind::Word => token.text(text),
            TokenKind::Operator => {
                let op = token.text(text);
                self.at_statement_start = op == ";" || op == ":";
                self.after_end = false;
                self.after_dot = op == ".";
                return;
            }
            _ => {
                self.at_statement_start = false;
                self.after_end = false;
                self.after_dot = false;
                return;
            }
        };
        if std::mem::take(&mut self.after_dot) {
            self.at_statement_start = false;
            self.after_end = false;
            return;
        }
        let is = |kw: &str| word.eq_ignore_ascii_case(kw);
        let was_start = self.at_statement_start;
        if std::mem::take(&mut self.after_end) && BLOCK_WORDS.iter().any(|kw| is(kw)) {
            self.at_statement_start = false;
            return;
        }
        self.at_statement_start = false;
        if is("BEGIN") {
            self.open.push(token.span);
            self.at_statement_start = true;
        } else if is("END") {
            self.open.pop();
            self.after_end = true;
        } else if is("CASE") {
            self.open.push(token.span);
        } else if is("IF") || is("WHILE") || is("FOR") {
            if was_start {
                self.open.push(token.span);
            }
        } else if is("LOOP") || is("REPEAT") {
            if was_start {
                self.open.push(token.span);
                self.at_statement_start = true;
            }
        } else if is("THEN") || is("ELSE") || is("DO") || is("ROW") {
            self.at_statement_start = true;
        }
    }

    fn depth(&self) -> usize {
        self.open.len()
    }
}

/// Whether a statement starting with `tokens` is a stored program or compound statement whose
/// body may contain `;`.
fn is_compound_statement(tokens: &[Token], text: &str) -> bool {
    let word = |i: usize| -> Option<&str> {
        tokens
            .get(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(text))
    };
    let is = |i: usize, kw: &str| word(i).is_some_and(|w| w.eq_ignore_ascii_case(kw));
    // A label: `lbl: BEGIN NOT ATOMIC`.
    let first = if tokens.get(1).is_some_and(|t| t.text(text) == ":") {
        2
    } else {
        0
    };
    if is(first, "BEGIN") {
        return is(first + 1, "NOT") && is(first + 2, "ATOMIC");
    }
    if BLOCK_WORDS.iter().any(|kw| is(first, kw)) {
        return true;
    }
    if !(is(0, "CREATE") || is(0, "ALTER")) {
        return false;
    }
    for i in 1..tokens.len().min(40) {
        let Some(w) = word(i) else { continue };
        let w = w.to_ascii_uppercase();
        match w.as_str() {
            "PROCEDURE" | "FUNCTION" | "TRIGGER" | "EVENT" | "PACKAGE" => return true,
            "TABLE" | "INDEX" | "VIEW" | "DATABASE" | "SCHEMA" | "USER" | "ROLE" | "SEQUENCE"
            | "SERVER" | "TABLESPACE" | "LOGFILE" | "UNIQUE" | "FULLTEXT" | "SPATIAL"
            | "TEMPORARY" => return false,
            _ => {}
        }
    }
    false
}

/// Where to go back to if a compound statement's blocks never close.
#[derive(Debug, Clone)]
struct Rewind<'a> {
    lexer: Lexer<'a>,
    /// Number of statement tokens before the first `;`.
    tokens: usize,
    comments: usize,
    errors: usize,
    semicolon: Span,
}

/// The statement being collected.
#[derive(Debug, Default)]
struct Pending<'a> {
    first_token: usize,
    leading_start: usize,
    leading_end: Option<usize>,
    compound: Option<bool>,
    blocks: BlockTracker,
    rewind: Option<Rewind<'a>>,
    errors: Vec<usize>,
}

struct Splitter<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    out: SplitScript,
    pending: Pending<'a>,
    /// End of the previous statement's delimiter (or trailing comment), while comments on
    /// the same line still count as trailing.
    trailing_from: Option<usize>,
    /// How often the end of input was reached inside an unclosed block.
    end_of_input_rewinds: usize,
    /// Whether stored program bodies are kept whole (switched off after too many unclosed
    /// blocks).
    track_blocks: bool,
}

/// How often the splitter goes back after reaching the end of input inside an unclosed block.
const MAX_END_OF_INPUT_REWINDS: usize = 16;

impl<'a> Splitter<'a> {
    fn new(text: &'a str) -> Self {
        Splitter {
            text,
            lexer: Lexer::new(text),
            out: SplitScript::default(),
            pending: Pending::default(),
            trailing_from: None,
            end_of_input_rewinds: 0,
            track_blocks: true,
        }
    }

    fn run(mut self) -> SplitScript {
        loop {
            while let Some(item) = self.lexer.next_item() {
                match item {
                    Lexed::Token(token) => self.token(token),
                    Lexed::Comment(comment) => self.comment(comment),
                    Lexed::Error(error) => {
                        let in_statement = self.statement_has_tokens();
                        self.push_error(error.offset, error.len, error.message, in_statement);
                    }
                    Lexed::Delimiter(span) => self.finish(Some(span)),
                }
            }
            let compound = self.pending.compound.unwrap_or_else(|| {
                let tokens = &self.out.tokens[self.pending.first_token..];
                is_compound_statement(tokens, self.text)
            });
            let unclosed = compound
                && self.track_blocks
                && self.pending.blocks.depth() > 0
                && !self.lexer.has_custom_delimiter();
            if !unclosed {
                break;
            }
            // Each way back rescans the rest of the input, so after a few of them block
            // tracking is switched off: a script full of unclosed blocks stays linear.
            if self.pending.rewind.is_some() {
                self.end_of_input_rewinds += 1;
                if self.end_of_input_rewinds >= MAX_END_OF_INPUT_REWINDS {
                    self.track_blocks = false;
                }
                self.cut_unclosed_statement(None);
                continue;
            }
            self.unclosed_block_error();
            break;
        }
        self.finish(None);
        self.out
    }

    fn push_error(&mut self, offset: usize, len: usize, message: String, in_statement: bool) {
        let index = self.out.errors.len();
        self.out.errors.push(ParseError {
            offset,
            len,
            message,
            statement_span: None,
        });
        if in_statement {
            self.pending.errors.push(index);
        }
    }

    fn statement_has_tokens(&self) -> bool {
        self.out.tokens.len() > self.pending.first_token
    }

    fn comment(&mut self, comment: Comment) {
        let index = self.out.comments.len();
        if !self.statement_has_tokens() {
            let same_line = self.trailing_from.is_some_and(|from| {
                self.text
                    .get(from..comment.span.offset)
                    .is_some_and(|gap| !gap.contains('\n'))
            });
            if same_line {
                if let Some(previous) = self.out.statements.last_mut() {
                    previous.trailing_comments.end = index + 1;
                }
                self.pending.leading_start = index + 1;
                self.trailing_from = Some(comment.span.end());
            } else {
                self.trailing_from = None;
            }
        }
        self.out.comments.push(comment);
    }

    fn token(&mut self, token: Token) {
        let text = self.text;
        let token_text = token.text(text);
        if !self.statement_has_tokens() {
            if token.kind == TokenKind::Word
                && token_text.eq_ignore_ascii_case("DELIMITER")
                && !self.lexer.in_executable_comment()
                && text[token.span.end()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_ascii_whitespace())
            {
                self.delimiter_command(token);
                return;
            }
            self.pending.leading_end = Some(self.out.comments.len());
            self.trailing_from = None;
        }
        if token.kind == TokenKind::Operator && token_text == ";" {
            let tokens = &self.out.tokens[self.pending.first_token..];
            let compound = *self
                .pending
                .compound
                .get_or_insert_with(|| is_compound_statement(tokens, text));
            if compound && self.lexer.has_custom_delimiter() {
                // Only the delimiter ends a stored program.
            } else if compound && self.track_blocks && self.pending.blocks.depth() > 0 {
                if self.next_starts_new_program() {
                    self.cut_unclosed_statement(Some(token.span));
                    return;
                }
                if self.pending.rewind.is_none() {
                    self.pending.rewind = Some(Rewind {
                        lexer: self.lexer.clone(),
                        tokens: self.out.tokens.len(),
                        comments: self.out.comments.len(),
                        errors: self.out.errors.len(),
                        semicolon: token.span,
                    });
                }
            } else {
                self.finish(Some(token.span));
                return;
            }
        }
        self.pending.blocks.feed(&token, text);
        self.out.tokens.push(token);
    }

    /// After a `;` inside an open block: whether the text goes on with something that cannot
    /// be inside a stored program body (a `DELIMITER` line or another `CREATE PROCEDURE`…).
    fn next_starts_new_program(&self) -> bool {
        let mut lookahead = self.lexer.clone();
        let mut tokens = Vec::new();
        while tokens.len() < 12 {
            match lookahead.next_item() {
                Some(Lexed::Token(t)) => tokens.push(t),
                Some(Lexed::Comment(_)) => {}
                _ => break,
            }
        }
        let Some(first) = tokens.first() else {
            return false;
        };
        let first_text = first.text(self.text);
        if first_text.eq_ignore_ascii_case("DELIMITER") {
            return true;
        }
        first_text.eq_ignore_ascii_case("CREATE")
            && is_compound_statement(&tokens, self.text)
            && !tokens
                .iter()
                .any(|t| t.text(self.text).eq_ignore_ascii_case("TABLE"))
    }

    /// Records an error at the outermost block of the current statement that is not closed.
    fn unclosed_block_error(&mut self) {
        let Some(opener) = self.pending.blocks.open.first().copied() else {
            return;
        };
        let word = opener.text(self.text).to_ascii_uppercase();
        self.push_error(
            opener.offset,
            opener.len,
            format!(
                "{word} block is never closed with END; the statement was cut at its first ';'"
            ),
            true,
        );
    }

    /// Cuts the current compound statement, whose blocks never close, at its first `;` as
    /// the mysql client would, and resumes after that `;`. `at_semicolon` is the `;` just
    /// read, used when it is the statement's first.
    fn cut_unclosed_statement(&mut self, at_semicolon: Option<Span>) {
        let semicolon = match self.pending.rewind.take() {
            Some(rewind) => {
                self.out.tokens.truncate(rewind.tokens);
                self.out.comments.truncate(rewind.comments);
                self.out.errors.truncate(rewind.errors);
                self.pending.errors.retain(|&e| e < rewind.errors);
                self.lexer = rewind.lexer;
                Some(rewind.semicolon)
            }
            None => at_semicolon,
        };
        self.unclosed_block_error();
        self.finish(semicolon);
    }

    fn delimiter_command(&mut self, keyword: Token) {
        let text = self.text;
        let line_end = text[keyword.span.end()..]
            .find('\n')
            .map_or(text.len(), |n| keyword.span.end() + n);
        let rest = &text[keyword.span.end()..line_end];
        let argument = rest.split_ascii_whitespace().next();
        let command = Span::between(keyword.span.offset, line_end);
        let command = Span::new(command.offset, command.text(text).trim_end().len());
        self.out.delimiter_commands.push(command);
        match argument {
            Some(delimiter) => self.lexer.set_delimiter(Some(delimiter)),
            None => self.out.errors.push(ParseError {
                offset: keyword.span.offset,
                len: keyword.span.len,
                message: "DELIMITER needs a delimiter string on the same line".to_owned(),
                statement_span: Some(command),
            }),
        }
        self.lexer.seek(line_end);
        self.pending.leading_end = None;
        self.trailing_from = None;
    }

    fn finish(&mut self, delimiter: Option<Span>) {
        let pending = std::mem::take(&mut self.pending);
        let token_range = pending.first_token..self.out.tokens.len();
        if token_range.is_empty() {
            // An empty statement: its comments lead the next one.
            self.pending.first_token = token_range.start;
            self.pending.leading_start = pending.leading_start;
            return;
        }
        let first = self.out.tokens[token_range.start].span;
        let last = self.out.tokens[token_range.end - 1].span;
        let span = Span::between(first.offset, last.end());
        for &e in &pending.errors {
            if let Some(error) = self.out.errors.get_mut(e) {
                error.statement_span = Some(span);
            }
        }
        let leading_end = pending.leading_end.unwrap_or(pending.leading_start);
        let after = self.out.comments.len();
        self.out.statements.push(SplitStatement {
            span,
            tokens: token_range.clone(),
            delimiter,
            leading_comments: pending.leading_start..leading_end.max(pending.leading_start),
            trailing_comments: after..after,
            errors: pending.errors,
        });
        self.trailing_from = Some(delimiter.map_or(last.end(), |d| d.end()));
        self.pending.first_token = token_range.end;
        self.pending.leading_start = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        split(text)
            .statements
            .iter()
            .map(|s| s.span.text(text))
            .collect()
    }

    #[test]
    fn splits_on_semicolons() {
        assert_eq!(
            texts("SELECT 1; SELECT ';' ;\n;; SELECT 3"),
            vec!["SELECT 1", "SELECT ';'", "SELECT 3"]
        );
    }

    #[test]
    fn delimiter_command() {
        let text = "DELIMITER $$\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND$$\nDELIMITER ;\nSELECT 3;";
        let out = split(text);
        assert_eq!(
            texts(text),
            vec![
                "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND",
                "SELECT 3"
            ]
        );
        assert_eq!(out.delimiter_commands.len(), 2);
        assert_eq!(out.delimiter_commands[0].text(text), "DELIMITER $$");
        assert!(out.errors.is_empty());
    }

    #[test]
    fn routine_without_delimiter_stays_whole() {
        let text = "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN\n  IF NEW.end IS NULL THEN SET NEW.end = 1; END IF;\n  CASE WHEN 1 THEN SET @x = 1; ELSE BEGIN END; END CASE;\nEND;\nSELECT 2;";
        assert_eq!(texts(text).len(), 2);
        assert!(texts(text)[0].ends_with("END CASE;\nEND"));
    }

    #[test]
    fn custom_delimiter_still_splits_plain_statements_at_semicolons() {
        let text = "DELIMITER //\nSET a = 1; SET b = 2//\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER ;";
        assert_eq!(
            texts(text),
            vec![
                "SET a = 1",
                "SET b = 2",
                "CREATE PROCEDURE p() BEGIN SELECT 1; END"
            ]
        );
    }

    #[test]
    fn labels_and_nested_blocks() {
        let text = "CREATE PROCEDURE p() outer_block: BEGIN\n  inner_loop: LOOP\n    WHILE 1 DO SELECT 1; END WHILE;\n    REPEAT SELECT 2; UNTIL 1 END REPEAT;\n    LEAVE inner_loop;\n  END LOOP inner_loop;\nEND outer_block;\nIF 1 THEN SELECT 3; ELSEIF 2 THEN SELECT 4; ELSE SELECT 5; END IF;\nSELECT 6";
        let got = texts(text);
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[0].ends_with("END outer_block"));
        assert!(got[1].starts_with("IF 1") && got[1].ends_with("END IF"));
    }

    #[test]
    fn unclosed_routine_is_cut_at_first_semicolon() {
        let text = "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2;\nCREATE TABLE t (a int);";
        let out = split(text);
        let got: Vec<_> = out.statements.iter().map(|s| s.span.text(text)).collect();
        assert_eq!(
            got,
            vec![
                "CREATE PROCEDURE p() BEGIN SELECT 1",
                "SELECT 2",
                "CREATE TABLE t (a int)"
            ]
        );
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].offset, 21);
    }

    #[test]
    fn leading_and_trailing_comments() {
        let text = "-- first\nALTER TABLE a ADD b int; -- trailing\n/* lead */\n-- tack:ignore x y\nDROP TABLE c";
        let out = split(text);
        let c = |r: &Range<usize>| -> Vec<&str> {
            out.comments[r.clone()]
                .iter()
                .map(|c| c.body.as_str())
                .collect()
        };
        assert_eq!(c(&out.statements[0].leading_comments), vec!["first"]);
        assert_eq!(c(&out.statements[0].trailing_comments), vec!["trailing"]);
        assert_eq!(
            c(&out.statements[1].leading_comments),
            vec!["lead", "tack:ignore x y"]
        );
    }

    #[test]
    fn mysqldump_executable_comments() {
        let text = "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/*!40101 SET NAMES utf8mb4 */;\nDELIMITER ;;\n/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW BEGIN\nSET NEW.x = 1;\nEND */;;\nDELIMITER ;\n";
        let got = texts(text);
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0],
            "SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT"
        );
        assert!(got[2].starts_with("CREATE*/"));
        assert!(got[2].ends_with("END"));
    }
}
