//! The token cursor shared by all statement parsers: lookahead, keyword matching, and the
//! small building blocks (identifiers, qualified names, literals, parenthesised groups,
//! `WAIT`/`ALGORITHM`/`LOCK` clauses) with errors that point at the offending token.

use super::ast::{AlterAlgorithm, AlterLock, Expr, Ident, LockWait, ObjectName, ParseError};
use super::expr;
use super::lexer::{identifier_value, string_value, Token, TokenKind};
use super::span::Span;

/// The result type of the parsers.
pub(crate) type PResult<T> = Result<T, ParseError>;

/// Words that cannot be used as unquoted identifiers in either MySQL or MariaDB (a subset of
/// their reserved words, sorted, upper-case). Used to give precise errors such as
/// `expected column name, found "SELECT"`.
const RESERVED: &[&str] = &[
    "ADD",
    "ALL",
    "ALTER",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "BEFORE",
    "BETWEEN",
    "BIGINT",
    "BINARY",
    "BLOB",
    "BOTH",
    "BY",
    "CALL",
    "CASCADE",
    "CASE",
    "CHANGE",
    "CHAR",
    "CHARACTER",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "CONSTRAINT",
    "CONVERT",
    "CREATE",
    "CROSS",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURRENT_USER",
    "DATABASE",
    "DATABASES",
    "DECIMAL",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DISTINCT",
    "DIV",
    "DOUBLE",
    "DROP",
    "ELSE",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FLOAT",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULLTEXT",
    "GRANT",
    "GROUP",
    "HAVING",
    "IF",
    "IGNORE",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INT",
    "INTEGER",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "KEYS",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LOCK",
    "LONG",
    "MOD",
    "NOT",
    "NULL",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "PRIMARY",
    "REFERENCES",
    "RENAME",
    "REPLACE",
    "RIGHT",
    "SELECT",
    "SET",
    "SMALLINT",
    "SPATIAL",
    "TABLE",
    "THEN",
    "TINYINT",
    "TO",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UNSIGNED",
    "UPDATE",
    "USING",
    "VALUES",
    "VARCHAR",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
    "ZEROFILL",
];

/// Whether `word` is in [`RESERVED`].
pub(crate) fn is_reserved(word: &str) -> bool {
    let mut buffer = [0u8; 24];
    let Some(upper) = upper_ascii(word, &mut buffer) else {
        return false;
    };
    RESERVED.binary_search(&upper).is_ok()
}

/// `word` upper-cased into `buffer`, if it is short ASCII.
pub(crate) fn upper_ascii<'b>(word: &str, buffer: &'b mut [u8]) -> Option<&'b str> {
    let bytes = word.as_bytes();
    let target = buffer.get_mut(..bytes.len())?;
    for (out, b) in target.iter_mut().zip(bytes) {
        *out = b.to_ascii_uppercase();
    }
    std::str::from_utf8(target).ok()
}

/// A cursor over one statement's tokens.
pub(crate) struct Parser<'a> {
    pub(crate) text: &'a str,
    pub(crate) tokens: &'a [Token],
    pub(crate) pos: usize,
    /// Byte offset where the statement ends, for errors at its end.
    pub(crate) end: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(text: &'a str, tokens: &'a [Token], end: usize) -> Self {
        Parser {
            text,
            tokens,
            pos: 0,
            end,
        }
    }

    // ----- lookahead -----

    pub(crate) fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    pub(crate) fn nth(&self, n: usize) -> Option<&'a Token> {
        self.tokens.get(self.pos + n)
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    pub(crate) fn text_of(&self, token: &Token) -> &'a str {
        token.span.text(self.text)
    }

    /// Whether `token` is the keyword `kw` (case-insensitive).
    pub(crate) fn token_is(&self, token: &Token, kw: &str) -> bool {
        token.kind == TokenKind::Word && self.text_of(token).eq_ignore_ascii_case(kw)
    }

    pub(crate) fn nth_is(&self, n: usize, kw: &str) -> bool {
        self.nth(n).is_some_and(|t| self.token_is(t, kw))
    }

    pub(crate) fn peek_is(&self, kw: &str) -> bool {
        self.nth_is(0, kw)
    }

    /// Whether the next tokens are the keywords `kws`, in order.
    pub(crate) fn peek_are(&self, kws: &[&str]) -> bool {
        kws.iter().enumerate().all(|(i, kw)| self.nth_is(i, kw))
    }

    /// The next token's text upper-cased, if it is a word.
    pub(crate) fn peek_word_upper(&self) -> Option<String> {
        self.nth_word_upper(0)
    }

    pub(crate) fn nth_word_upper(&self, n: usize) -> Option<String> {
        self.nth(n)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| self.text_of(t).to_ascii_uppercase())
    }

    pub(crate) fn eat(&mut self, kw: &str) -> bool {
        let matched = self.peek_is(kw);
        if matched {
            self.pos += 1;
        }
        matched
    }

    /// Consumes the keywords `kws` if they all come next.
    pub(crate) fn eat_all(&mut self, kws: &[&str]) -> bool {
        let matched = self.peek_are(kws);
        if matched {
            self.pos += kws.len();
        }
        matched
    }

    /// Consumes whichever of `kws` comes next and returns it.
    pub(crate) fn eat_one_of(&mut self, kws: &[&'static str]) -> Option<&'static str> {
        let found = kws.iter().copied().find(|kw| self.peek_is(kw));
        if found.is_some() {
            self.pos += 1;
        }
        found
    }

    pub(crate) fn expect(&mut self, kw: &str, context: &str) -> PResult<&'a Token> {
        match self.peek() {
            Some(t) if self.token_is(t, kw) => {
                self.pos += 1;
                Ok(t)
            }
            _ => Err(self.expected(&format!("{kw} {context}"))),
        }
    }

    pub(crate) fn is_op(&self, token: &Token, op: &str) -> bool {
        token.kind == TokenKind::Operator && self.text_of(token) == op
    }

    pub(crate) fn peek_op(&self, op: &str) -> bool {
        self.peek().is_some_and(|t| self.is_op(t, op))
    }

    pub(crate) fn nth_op(&self, n: usize, op: &str) -> bool {
        self.nth(n).is_some_and(|t| self.is_op(t, op))
    }

    pub(crate) fn eat_op(&mut self, op: &str) -> bool {
        let matched = self.peek_op(op);
        if matched {
            self.pos += 1;
        }
        matched
    }

    pub(crate) fn expect_op(&mut self, op: &str, context: &str) -> PResult<&'a Token> {
        match self.peek() {
            Some(t) if self.is_op(t, op) => {
                self.pos += 1;
                Ok(t)
            }
            _ => Err(self.expected(&format!("'{op}' {context}"))),
        }
    }

    // ----- spans and errors -----

    /// The span of the next token, or an empty span at the end of the statement.
    pub(crate) fn current_span(&self) -> Span {
        self.peek().map_or(Span::empty_at(self.end), |t| t.span)
    }

    /// Start offset of the token at `index` (or the statement end).
    pub(crate) fn offset_of(&self, index: usize) -> usize {
        self.tokens.get(index).map_or(self.end, |t| t.span.offset)
    }

    /// End offset of the last consumed token.
    pub(crate) fn previous_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(self.offset_of(0), |t| t.span.end())
    }

    /// The span from the token at `start_index` to the last consumed token.
    pub(crate) fn span_from(&self, start_index: usize) -> Span {
        let start = self.offset_of(start_index);
        Span::between(start, self.previous_end().max(start))
    }

    /// A description of the next token for error messages: `"FOO"` or `end of statement`.
    pub(crate) fn found(&self) -> String {
        match self.peek() {
            None => "end of statement".to_owned(),
            Some(t) => describe(self.text_of(t)),
        }
    }

    /// An error at the next token: `expected {what}, found "…"`.
    pub(crate) fn expected(&self, what: &str) -> ParseError {
        self.error_at(
            self.current_span(),
            format!("expected {what}, found {}", self.found()),
        )
    }

    pub(crate) fn error_at(&self, span: Span, message: String) -> ParseError {
        ParseError {
            offset: span.offset,
            len: span.len,
            message,
            statement_span: None,
        }
    }

    /// Fails unless all tokens were consumed.
    pub(crate) fn expect_end(&self, after: &str) -> PResult<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.expected(&format!("end of statement after {after}")))
        }
    }

    // ----- identifiers and names -----

    /// Whether the next token can be an identifier.
    pub(crate) fn peek_ident(&self) -> bool {
        self.peek().is_some_and(|t| self.is_identifier(t))
    }

    pub(crate) fn is_identifier(&self, token: &Token) -> bool {
        match token.kind {
            TokenKind::QuotedIdent => true,
            TokenKind::Word => !is_reserved(self.text_of(token)),
            _ => false,
        }
    }

    pub(crate) fn ident_from(&self, token: &Token) -> Ident {
        Ident {
            value: identifier_value(self.text_of(token)),
            quoted: token.kind == TokenKind::QuotedIdent,
            span: token.span,
        }
    }

    /// An identifier; `what` names it in the error (`column name after ADD COLUMN`).
    pub(crate) fn ident(&mut self, what: &str) -> PResult<Ident> {
        match self.peek() {
            Some(t) if self.is_identifier(t) => {
                self.pos += 1;
                Ok(self.ident_from(t))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// An identifier, also accepting reserved words (for names after keywords that leave no
    /// ambiguity, such as `DROP INDEX `PRIMARY``) and strings.
    pub(crate) fn loose_ident(&mut self, what: &str) -> PResult<Ident> {
        match self.peek() {
            Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent) => {
                self.pos += 1;
                Ok(self.ident_from(t))
            }
            Some(t) if t.kind == TokenKind::String => {
                self.pos += 1;
                Ok(Ident {
                    value: string_value(self.text_of(t)),
                    quoted: true,
                    span: t.span,
                })
            }
            _ => Err(self.expected(what)),
        }
    }

    /// `name` or `schema.name`.
    pub(crate) fn object_name(&mut self, what: &str) -> PResult<ObjectName> {
        let start = self.pos;
        let first = self.ident(what)?;
        if self.peek_op(".") {
            self.pos += 1;
            let second = self.dotted_part(what)?;
            return Ok(ObjectName {
                schema: Some(first),
                name: second,
                span: self.span_from(start),
            });
        }
        Ok(ObjectName {
            span: first.span,
            schema: None,
            name: first,
        })
    }

    /// The part after a `.`, where reserved words and digit-led names are allowed.
    pub(crate) fn dotted_part(&mut self, what: &str) -> PResult<Ident> {
        match self.peek() {
            Some(t)
                if matches!(
                    t.kind,
                    TokenKind::Word | TokenKind::QuotedIdent | TokenKind::Number
                ) =>
            {
                self.pos += 1;
                Ok(self.ident_from(t))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// `( ident, ident … )`.
    pub(crate) fn ident_list(&mut self, what: &str, context: &str) -> PResult<Vec<Ident>> {
        self.expect_op("(", context)?;
        let mut out = vec![self.ident(what)?];
        while self.eat_op(",") {
            out.push(self.ident(what)?);
        }
        self.expect_op(")", &format!("after {what}"))?;
        Ok(out)
    }

    /// One or more comma-separated object names.
    pub(crate) fn object_name_list(&mut self, what: &str) -> PResult<Vec<ObjectName>> {
        let mut out = vec![self.object_name(what)?];
        while self.eat_op(",") {
            out.push(self.object_name(what)?);
        }
        Ok(out)
    }

    // ----- literals and values -----

    /// A string literal (adjacent literals concatenated), unescaped.
    pub(crate) fn string(&mut self, what: &str) -> PResult<String> {
        if !self.peek().is_some_and(|t| t.kind == TokenKind::String) {
            return Err(self.expected(what));
        }
        let mut out = String::new();
        while let Some(t) = self.peek().filter(|t| t.kind == TokenKind::String) {
            out.push_str(&string_value(self.text_of(t)));
            self.pos += 1;
        }
        Ok(out)
    }

    /// An unsigned integer.
    pub(crate) fn number(&mut self, what: &str) -> PResult<u64> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Number => match self.text_of(t).parse::<u64>() {
                Ok(n) => {
                    self.pos += 1;
                    Ok(n)
                }
                Err(_) => Err(self.error_at(
                    t.span,
                    format!("expected {what}, found {} (not an integer)", self.found()),
                )),
            },
            _ => Err(self.expected(what)),
        }
    }

    /// A name-like value: a word, quoted identifier or string (engine names, charsets,
    /// collations), as its value.
    pub(crate) fn name_value(&mut self, what: &str) -> PResult<String> {
        match self.peek() {
            Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent) => {
                self.pos += 1;
                Ok(identifier_value(self.text_of(t)))
            }
            Some(t) if t.kind == TokenKind::String => self.string(what),
            _ => Err(self.expected(what)),
        }
    }

    /// One value token of an option: word, name, string, number; as its value.
    pub(crate) fn option_value(&mut self, what: &str) -> PResult<String> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::String => self.string(what),
            Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent) => {
                self.pos += 1;
                Ok(identifier_value(self.text_of(t)))
            }
            Some(t)
                if matches!(
                    t.kind,
                    TokenKind::Number | TokenKind::HexNumber | TokenKind::BitNumber
                ) =>
            {
                self.pos += 1;
                Ok(self.text_of(t).to_owned())
            }
            Some(t) if self.is_op(t, "-") || self.is_op(t, "+") => {
                let sign = self.text_of(t);
                self.pos += 1;
                match self.peek() {
                    Some(n) if n.kind == TokenKind::Number => {
                        self.pos += 1;
                        Ok(format!("{sign}{}", self.text_of(n)))
                    }
                    _ => Err(self.expected(&format!("number after '{sign}' in {what}"))),
                }
            }
            _ => Err(self.expected(what)),
        }
    }

    // ----- groups and expressions -----

    /// Index of the token closing the `(` at `open`, if balanced within the statement.
    pub(crate) fn matching_paren(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (i, t) in self.tokens.iter().enumerate().skip(open) {
            if t.kind != TokenKind::Operator {
                continue;
            }
            match self.text_of(t) {
                "(" => depth += 1,
                ")" => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// `( … )`: returns the tokens inside as an [`Expr`]; `what` names the expression.
    pub(crate) fn paren_expr(&mut self, what: &str) -> PResult<Expr> {
        let open_span = self.current_span();
        self.expect_op("(", &format!("before {what}"))?;
        let open = self.pos - 1;
        let Some(close) = self.matching_paren(open) else {
            return Err(self.error_at(open_span, format!("'(' before {what} is never closed")));
        };
        if close == open + 1 {
            return Err(self.expected(what));
        }
        self.pos = close + 1;
        Ok(self.expr_of(open + 1, close))
    }

    /// Skips a balanced `( … )` group if one comes next; returns its token range.
    pub(crate) fn skip_parens(&mut self, what: &str) -> PResult<(usize, usize)> {
        let open_span = self.current_span();
        self.expect_op("(", &format!("before {what}"))?;
        let open = self.pos - 1;
        let Some(close) = self.matching_paren(open) else {
            return Err(self.error_at(open_span, format!("'(' of {what} is never closed")));
        };
        self.pos = close + 1;
        Ok((open, close))
    }

    /// The expression made of tokens `start .. end`.
    pub(crate) fn expr_of(&self, start: usize, end: usize) -> Expr {
        let tokens = self.tokens.get(start..end).unwrap_or(&[]);
        expr::analyze(self.text, tokens)
    }

    /// Consumes tokens up to (not including) a depth-0 `,`, `)` or one of `stop_words`, or the
    /// end; returns them as an [`Expr`] (`None` if there are none).
    pub(crate) fn expr_until(&mut self, stop_at_comma: bool, stop_words: &[&str]) -> Option<Expr> {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if t.kind == TokenKind::Operator {
                match self.text_of(t) {
                    "(" => depth += 1,
                    ")" if depth == 0 => break,
                    ")" => depth -= 1,
                    "," if depth == 0 && stop_at_comma => break,
                    _ => {}
                }
            } else if depth == 0
                && t.kind == TokenKind::Word
                && stop_words.iter().any(|w| self.token_is(t, w))
            {
                break;
            }
            self.pos += 1;
        }
        (self.pos > start).then(|| self.expr_of(start, self.pos))
    }

    // ----- clauses shared by several statements -----

    /// `WAIT n` / `NOWAIT` (MariaDB), if present.
    pub(crate) fn lock_wait(&mut self) -> PResult<Option<LockWait>> {
        if self.eat("NOWAIT") {
            return Ok(Some(LockWait::NoWait));
        }
        if self.peek_is("WAIT") {
            self.pos += 1;
            return match self.peek() {
                Some(t) if t.kind == TokenKind::Number => {
                    self.pos += 1;
                    Ok(Some(LockWait::Wait(self.text_of(t).to_owned())))
                }
                _ => Err(self.expected("number of seconds after WAIT")),
            };
        }
        Ok(None)
    }

    /// The value of `ALGORITHM [=] …` (the keyword already consumed).
    pub(crate) fn algorithm_value(&mut self) -> PResult<AlterAlgorithm> {
        self.eat_op("=");
        let algorithm = match self.peek_word_upper().as_deref() {
            Some("DEFAULT") => AlterAlgorithm::Default,
            Some("INSTANT") => AlterAlgorithm::Instant,
            Some("NOCOPY") => AlterAlgorithm::Nocopy,
            Some("INPLACE") => AlterAlgorithm::Inplace,
            Some("COPY") => AlterAlgorithm::Copy,
            _ => {
                return Err(
                    self.expected("DEFAULT, INSTANT, NOCOPY, INPLACE or COPY after ALGORITHM")
                )
            }
        };
        self.pos += 1;
        Ok(algorithm)
    }

    /// The value of `LOCK [=] …` (the keyword already consumed).
    pub(crate) fn lock_value(&mut self) -> PResult<AlterLock> {
        self.eat_op("=");
        let lock = match self.peek_word_upper().as_deref() {
            Some("DEFAULT") => AlterLock::Default,
            Some("NONE") => AlterLock::None,
            Some("SHARED") => AlterLock::Shared,
            Some("EXCLUSIVE") => AlterLock::Exclusive,
            _ => return Err(self.expected("DEFAULT, NONE, SHARED or EXCLUSIVE after LOCK")),
        };
        self.pos += 1;
        Ok(lock)
    }

    /// `IF EXISTS`, if present.
    pub(crate) fn if_exists(&mut self) -> bool {
        self.eat_all(&["IF", "EXISTS"])
    }

    /// `IF NOT EXISTS`, if present.
    pub(crate) fn if_not_exists(&mut self) -> bool {
        self.eat_all(&["IF", "NOT", "EXISTS"])
    }

    /// The leading keywords of the statement, upper-case (at most two words).
    pub(crate) fn leading_keywords(&self) -> Vec<String> {
        leading_keywords(self.text, self.tokens)
    }
}

/// The leading words of `tokens`, upper-case (at most two).
pub(crate) fn leading_keywords(text: &str, tokens: &[Token]) -> Vec<String> {
    tokens
        .iter()
        .take(2)
        .take_while(|t| t.kind == TokenKind::Word)
        .map(|t| t.text(text).to_ascii_uppercase())
        .collect()
}

/// `"text"` for error messages, shortened to 40 characters.
pub(crate) fn describe(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("\"{}…\"", &text[..cut]),
        None => format!("\"{text}\""),
    }
}
