//! Tokenizer for the MySQL/MariaDB dialect, working over `&str` with byte offsets.
//!
//! It recognises unquoted words (identifiers and keywords alike: the parser decides), backtick
//! quoted identifiers, `'…'` and `"…"` strings (`ANSI_QUOTES` is assumed off, so `"…"` is a
//! string; backslash escapes and doubled quotes), numbers (`12`, `1.5`, `.5`, `1e3`, `0x1F`,
//! `X'0F'`, `0b01`, `b'01'`), character set introducers (`_utf8mb4'…'`, `N'…'`), user and system
//! variables (`@v`, `@'v'`, `@@session.v`), `?` placeholders and operators.
//!
//! Comments (`-- ` with a following space or control character, `#…`, `/* … */`) are returned
//! as [`Comment`]s. Executable comments — `/*! … */`, `/*!50700 … */` and MariaDB's
//! `/*M! … */`, `/*M!100100 … */` — are treated as code: their markers are skipped and their
//! content is tokenized like the rest of the text.
//!
//! The lexer never panics. An unterminated string, quoted identifier, comment or executable
//! comment yields a token (or comment) running to the end of the input plus a [`LexError`] at
//! the opening quote or marker. When a custom statement delimiter is set (the mysql client's
//! `DELIMITER` command, handled by [`super::split()`]), the lexer reports it wherever it starts
//! outside strings and comments, even in the middle of a word as in `END$$`.

use super::span::Span;

/// The category of a [`Token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// An unquoted identifier or keyword, such as `ALTER` or `users`.
    Word,
    /// A backtick-quoted identifier: `` `order` ``.
    QuotedIdent,
    /// A string literal in single or double quotes, optionally with an introducer
    /// (`_utf8mb4'x'`, `N'x'`).
    String,
    /// A decimal integer or floating point number: `12`, `1.5`, `.5`, `1e3`.
    Number,
    /// A hexadecimal literal: `0x1F` or `X'1F'`.
    HexNumber,
    /// A bit-value literal: `0b01` or `b'01'`.
    BitNumber,
    /// A user variable: `@name`, `@'name'`, `` @`name` ``.
    UserVariable,
    /// A system variable: `@@name`, `@@session.name`, `@@global.name`.
    SystemVariable,
    /// A `?` placeholder.
    Placeholder,
    /// An operator or punctuation, such as `(`, `,`, `=`, `<=>`, `:=`, `->>`.
    Operator,
}

/// One token: its kind and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token {
    /// What kind of token this is.
    pub kind: TokenKind,
    /// Where it is in the source text.
    pub span: Span,
}

impl Token {
    /// The source text of the token.
    pub fn text<'t>(&self, source: &'t str) -> &'t str {
        self.span.text(source)
    }
}

/// How a comment was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentStyle {
    /// `-- comment` up to the end of the line.
    DoubleDash,
    /// `# comment` up to the end of the line.
    Hash,
    /// `/* comment */` (possibly spanning lines).
    Block,
}

/// A comment in the source text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Comment {
    /// The whole comment, markers included (a line comment ends before its newline).
    pub span: Span,
    /// How it was written.
    pub style: CommentStyle,
    /// The comment's text without its markers, and without surrounding whitespace.
    pub body: String,
}

/// A tokenization error: an unterminated string, quoted identifier or comment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LexError {
    /// Byte offset of the opening quote or comment marker.
    pub offset: usize,
    /// Length of the opening quote or marker.
    pub len: usize,
    /// What went wrong.
    pub message: String,
}

/// Everything [`tokenize`] found in a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tokens {
    /// The tokens, in order.
    pub tokens: Vec<Token>,
    /// The comments, in order.
    pub comments: Vec<Comment>,
    /// Unterminated strings, identifiers and comments.
    pub errors: Vec<LexError>,
}

/// Tokenizes `text` with the default `;` delimiter. `;` is returned as an operator token.
pub fn tokenize(text: &str) -> Tokens {
    let mut lexer = Lexer::new(text);
    let mut out = Tokens::default();
    while let Some(item) = lexer.next_item() {
        match item {
            Lexed::Token(token) => out.tokens.push(token),
            Lexed::Comment(comment) => out.comments.push(comment),
            Lexed::Error(error) => out.errors.push(error),
            Lexed::Delimiter(_) => {}
        }
    }
    out
}

/// One item produced by the [`Lexer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lexed {
    Token(Token),
    Comment(Comment),
    Error(LexError),
    /// The custom delimiter set with [`Lexer::set_delimiter`] was found here.
    Delimiter(Span),
}

/// An incremental tokenizer. Cloning it is cheap, which the splitter uses for lookahead and
/// for rewinding.
#[derive(Debug, Clone)]
pub(crate) struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Offset and marker length of the open executable comment, if inside one.
    executable_comment: Option<(usize, usize)>,
    /// The custom statement delimiter (never `;`), if one is set.
    delimiter: Option<&'a str>,
    /// An error to report before the next item.
    pending_error: Option<LexError>,
    /// End offset and kind of the last token, to tell `t.5` (a name) from `.5` (a number).
    last_token: Option<Token>,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            executable_comment: None,
            delimiter: None,
            pending_error: None,
            last_token: None,
        }
    }

    /// Moves to `offset`, which must be a char boundary (the splitter only passes line ends).
    pub(crate) fn seek(&mut self, offset: usize) {
        if self.text.is_char_boundary(offset) {
            self.pos = offset;
        }
    }

    /// Whether the lexer is inside an executable comment `/*! … */`.
    pub(crate) fn in_executable_comment(&self) -> bool {
        self.executable_comment.is_some()
    }

    /// Sets the custom delimiter; `None` (or `;`) restores the default.
    pub(crate) fn set_delimiter(&mut self, delimiter: Option<&'a str>) {
        self.delimiter = delimiter.filter(|d| !d.is_empty() && *d != ";");
    }

    /// Whether a custom delimiter is in force.
    pub(crate) fn has_custom_delimiter(&self) -> bool {
        self.delimiter.is_some()
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn delimiter_at(&self, at: usize) -> bool {
        match self.delimiter {
            Some(d) => self
                .bytes
                .get(at..)
                .is_some_and(|rest| rest.starts_with(d.as_bytes())),
            None => false,
        }
    }

    /// The next token, comment, error or delimiter; `None` at the end of the input.
    pub(crate) fn next_item(&mut self) -> Option<Lexed> {
        loop {
            if let Some(error) = self.pending_error.take() {
                return Some(Lexed::Error(error));
            }
            while self.byte(self.pos).is_some_and(is_whitespace) {
                self.pos += 1;
            }
            let start = self.pos;
            let Some(first) = self.byte(start) else {
                return self.executable_comment.take().map(|(offset, len)| {
                    Lexed::Error(LexError {
                        offset,
                        len,
                        message: "unterminated executable comment: no closing */".to_owned(),
                    })
                });
            };
            if self.delimiter_at(start) {
                let len = self.delimiter.map_or(0, str::len);
                self.pos += len;
                self.last_token = None;
                return Some(Lexed::Delimiter(Span::new(start, len)));
            }
            let second = self.byte(start + 1);
            match first {
                b'*' if second == Some(b'/') && self.executable_comment.is_some() => {
                    self.pos += 2;
                    self.executable_comment = None;
                    continue;
                }
                b'-' if second == Some(b'-')
                    && self.byte(start + 2).is_none_or(|b| b <= b' ' || b == 0x7f) =>
                {
                    return Some(self.line_comment(start, 2, CommentStyle::DoubleDash));
                }
                b'#' => return Some(self.line_comment(start, 1, CommentStyle::Hash)),
                b'/' if second == Some(b'*') => {
                    let third = self.byte(start + 2);
                    let marker_len = if third == Some(b'!') {
                        3
                    } else if matches!(third, Some(b'M' | b'm'))
                        && self.byte(start + 3) == Some(b'!')
                    {
                        4
                    } else {
                        return Some(self.block_comment(start));
                    };
                    self.pos = start + marker_len;
                    while self.byte(self.pos).is_some_and(|b| b.is_ascii_digit()) {
                        self.pos += 1;
                    }
                    self.executable_comment = Some((start, marker_len));
                    continue;
                }
                _ => {}
            }
            let token = self.token(start, first, second);
            self.last_token = Some(token);
            return Some(Lexed::Token(token));
        }
    }

    fn line_comment(&mut self, start: usize, marker_len: usize, style: CommentStyle) -> Lexed {
        let end = match self.bytes[start..].iter().position(|&b| b == b'\n') {
            Some(n) => start + n,
            None => self.bytes.len(),
        };
        self.pos = end;
        let body = self.text.get(start + marker_len..end).unwrap_or("").trim();
        Lexed::Comment(Comment {
            span: Span::between(start, end),
            style,
            body: body.to_owned(),
        })
    }

    fn block_comment(&mut self, start: usize) -> Lexed {
        let body_start = start + 2;
        let close = find(self.bytes, body_start, b"*/");
        let (body_end, end) = match close {
            Some(at) => (at, at + 2),
            None => {
                self.pending_error = Some(LexError {
                    offset: start,
                    len: 2,
                    message: "unterminated comment: /* has no closing */".to_owned(),
                });
                (self.bytes.len(), self.bytes.len())
            }
        };
        self.pos = end;
        let body = self.text.get(body_start..body_end).unwrap_or("").trim();
        Lexed::Comment(Comment {
            span: Span::between(start, end),
            style: CommentStyle::Block,
            body: body.to_owned(),
        })
    }

    fn token(&mut self, start: usize, first: u8, second: Option<u8>) -> Token {
        let kind = match first {
            b'\'' | b'"' => {
                self.pos = self.quoted(start, first, true, "string");
                TokenKind::String
            }
            b'`' => {
                self.pos = self.quoted(start, b'`', false, "quoted identifier");
                TokenKind::QuotedIdent
            }
            b'@' => self.variable(start),
            b'?' => {
                self.pos = start + 1;
                TokenKind::Placeholder
            }
            b'0'..=b'9' => self.number_or_word(start),
            b'.' if second.is_some_and(|b| b.is_ascii_digit()) && !self.follows_name(start) => {
                self.pos = self.decimal_end(start);
                TokenKind::Number
            }
            b if is_word_byte(b) => self.word(start),
            _ => {
                self.pos = start + self.operator_len(start);
                TokenKind::Operator
            }
        };
        Token {
            kind,
            span: Span::between(start, self.pos),
        }
    }

    /// Whether the previous token is a name ending right at `at` (so `.` there is a qualifier).
    fn follows_name(&self, at: usize) -> bool {
        self.last_token.is_some_and(|t| {
            t.span.end() == at && matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
        })
    }

    /// Scans a quoted run starting with the quote at `start`; returns the end offset.
    fn quoted(&mut self, start: usize, quote: u8, backslash_escapes: bool, what: &str) -> usize {
        let mut i = start + 1;
        while let Some(b) = self.byte(i) {
            if backslash_escapes && b == b'\\' {
                i += 2;
            } else if b == quote {
                if self.byte(i + 1) == Some(quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i += 1;
            }
        }
        self.pending_error = Some(LexError {
            offset: start,
            len: 1,
            message: format!("unterminated {what}: no closing {}", quote as char),
        });
        self.bytes.len()
    }

    fn variable(&mut self, start: usize) -> TokenKind {
        if self.byte(start + 1) == Some(b'@') {
            let mut i = self.word_end(start + 2);
            if i > start + 2 && self.byte(i) == Some(b'.') {
                match self.byte(i + 1) {
                    Some(b'`') => i = self.quoted(i + 1, b'`', false, "quoted identifier"),
                    Some(b) if is_word_byte(b) => i = self.word_end(i + 1),
                    _ => {}
                }
            } else if i == start + 2 && self.byte(i) == Some(b'`') {
                i = self.quoted(i, b'`', false, "quoted identifier");
            }
            self.pos = i;
            return TokenKind::SystemVariable;
        }
        match self.byte(start + 1) {
            Some(q @ (b'\'' | b'"' | b'`')) => {
                self.pos = self.quoted(start + 1, q, q != b'`', "quoted variable name");
                if let Some(error) = self.pending_error.as_mut() {
                    error.offset = start;
                    error.len = 2;
                }
                TokenKind::UserVariable
            }
            Some(b) if is_word_byte(b) || b == b'.' => {
                let mut i = start + 1;
                while self
                    .byte(i)
                    .is_some_and(|b| (is_word_byte(b) || b == b'.') && !self.delimiter_at(i))
                {
                    i += 1;
                }
                self.pos = i;
                TokenKind::UserVariable
            }
            _ => {
                self.pos = start + 1;
                TokenKind::Operator
            }
        }
    }

    /// End of a run of identifier bytes from `from`, stopping before a custom delimiter.
    fn word_end(&self, from: usize) -> usize {
        let mut i = from;
        while self.byte(i).is_some_and(is_word_byte) && !self.delimiter_at(i) {
            i += 1;
        }
        i
    }

    fn word(&mut self, start: usize) -> TokenKind {
        let end = self.word_end(start);
        let word = &self.bytes[start..end];
        let next = self.byte(end);
        // X'0F', B'01', N'text' and _charset'text'.
        if next == Some(b'\'') || (next == Some(b'"') && word.first() == Some(&b'_')) {
            let kind = match word {
                b"x" | b"X" => Some(TokenKind::HexNumber),
                b"b" | b"B" => Some(TokenKind::BitNumber),
                b"n" | b"N" => Some(TokenKind::String),
                [b'_', rest @ ..] if !rest.is_empty() => Some(TokenKind::String),
                _ => None,
            };
            if let Some(kind) = kind {
                let quote = next.unwrap_or(b'\'');
                let escapes = kind == TokenKind::String;
                self.pos = self.quoted(end, quote, escapes, "string");
                if let Some(error) = self.pending_error.as_mut() {
                    error.offset = start;
                    error.len = end + 1 - start;
                }
                return kind;
            }
        }
        self.pos = end;
        TokenKind::Word
    }

    /// A token starting with a digit: a number, unless identifier characters follow
    /// (`1abc` and `0x1G` are names in MySQL).
    fn number_or_word(&mut self, start: usize) -> TokenKind {
        let prefixed = |radix_byte: &[u8], is_digit: fn(&u8) -> bool| -> Option<usize> {
            let second = self.byte(start + 1)?;
            if self.byte(start) != Some(b'0') || !radix_byte.contains(&second) {
                return None;
            }
            let digits = self.bytes[start + 2..]
                .iter()
                .take_while(|b| is_digit(b))
                .count();
            (digits > 0).then_some(start + 2 + digits)
        };
        let (end, kind, fractional) =
            if let Some(end) = prefixed(b"x", |b: &u8| b.is_ascii_hexdigit()) {
                (end, TokenKind::HexNumber, false)
            } else if let Some(end) = prefixed(b"b", |b: &u8| *b == b'0' || *b == b'1') {
                (end, TokenKind::BitNumber, false)
            } else {
                let end = self.decimal_end(start);
                let fractional = self.bytes[start..end].contains(&b'.');
                (end, TokenKind::Number, fractional)
            };
        if !fractional && self.byte(end).is_some_and(is_word_byte) && !self.delimiter_at(end) {
            self.pos = self.word_end(start);
            return TokenKind::Word;
        }
        self.pos = end;
        kind
    }

    /// End of a decimal number `digits [. digits] [e [+-] digits]` starting at `start`.
    fn decimal_end(&self, start: usize) -> usize {
        let digits_from = |i: usize| {
            i + self.bytes[i.min(self.bytes.len())..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        };
        let mut i = digits_from(start);
        if self.byte(i) == Some(b'.') && !self.delimiter_at(i) {
            i = digits_from(i + 1);
        }
        if matches!(self.byte(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(self.byte(j), Some(b'+' | b'-')) {
                j += 1;
            }
            let exponent_end = digits_from(j);
            if exponent_end > j {
                i = exponent_end;
            }
        }
        i
    }

    fn operator_len(&self, start: usize) -> usize {
        const LONG_OPERATORS: [&[u8]; 12] = [
            b"<=>", b"->>", b"<=", b">=", b"<>", b"!=", b":=", b"||", b"&&", b"<<", b">>", b"->",
        ];
        for op in LONG_OPERATORS {
            let fits = self
                .bytes
                .get(start..)
                .is_some_and(|rest| rest.starts_with(op));
            if fits && !(1..op.len()).any(|k| self.delimiter_at(start + k)) {
                return op.len();
            }
        }
        // A single character; always ASCII here, since non-ASCII characters start words.
        self.text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(1, char::len_utf8)
    }
}

/// Whether `b` may appear in an unquoted identifier (bytes of non-ASCII characters included).
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Position of `needle` in `haystack` at or after `from`.
fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The value of a string literal token: quotes and any introducer removed, escapes resolved.
/// Adjacent literals are concatenated by the caller.
pub fn string_value(token_text: &str) -> String {
    let Some(quote_at) = token_text.find(['\'', '"']) else {
        return token_text.to_owned();
    };
    let quote = token_text[quote_at..].chars().next().unwrap_or('\'');
    let inner = &token_text[quote_at + 1..];
    let inner = inner.strip_suffix(quote).unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('0') => out.push('\0'),
                Some('b') => out.push('\u{8}'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('Z') => out.push('\u{1a}'),
                Some(c @ ('%' | '_')) => {
                    out.push('\\');
                    out.push(c);
                }
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else if c == quote {
            // A doubled quote stands for one quote.
            if chars.peek() == Some(&quote) {
                chars.next();
            }
            out.push(quote);
        } else {
            out.push(c);
        }
    }
    out
}

/// The name of a quoted identifier token with its backticks removed (a doubled backtick stands
/// for one), or the text of an unquoted word as written.
pub fn identifier_value(token_text: &str) -> String {
    match token_text.strip_prefix('`') {
        Some(inner) => inner.strip_suffix('`').unwrap_or(inner).replace("``", "`"),
        None => token_text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(text)
            .tokens
            .iter()
            .map(|t| (t.kind, t.text(text)))
            .collect()
    }

    #[test]
    fn words_quoted_identifiers_and_strings() {
        use TokenKind::*;
        assert_eq!(
            kinds("SELECT `a``b`, 'it''s', \"x\\\"y\" FROM t"),
            vec![
                (Word, "SELECT"),
                (QuotedIdent, "`a``b`"),
                (Operator, ","),
                (String, "'it''s'"),
                (Operator, ","),
                (String, "\"x\\\"y\""),
                (Word, "FROM"),
                (Word, "t"),
            ]
        );
        assert_eq!(identifier_value("`a``b`"), "a`b");
        assert_eq!(string_value("'it''s'"), "it's");
        assert_eq!(string_value("\"x\\\"y\""), "x\"y");
        assert_eq!(string_value("_utf8mb4'caf\\n'"), "caf\n");
        assert_eq!(string_value("'50\\%'"), "50\\%");
    }

    #[test]
    fn numbers_and_literals() {
        use TokenKind::*;
        assert_eq!(
            kinds("1 1.5 .5 1e3 1.5E-3 0x1F X'0F' 0b01 b'01' N'x' _utf8mb4'y' 1abc 0x1G 3."),
            vec![
                (Number, "1"),
                (Number, "1.5"),
                (Number, ".5"),
                (Number, "1e3"),
                (Number, "1.5E-3"),
                (HexNumber, "0x1F"),
                (HexNumber, "X'0F'"),
                (BitNumber, "0b01"),
                (BitNumber, "b'01'"),
                (String, "N'x'"),
                (String, "_utf8mb4'y'"),
                (Word, "1abc"),
                (Word, "0x1G"),
                (Number, "3."),
            ]
        );
        assert_eq!(
            kinds("t.5"),
            vec![(Word, "t"), (Operator, "."), (Number, "5")]
        );
    }

    #[test]
    fn variables_placeholders_and_operators() {
        use TokenKind::*;
        assert_eq!(
            kinds("@a := @@session.sql_mode <=> ? ->> 'x' @'q' 'u'@'%' a||b != c"),
            vec![
                (UserVariable, "@a"),
                (Operator, ":="),
                (SystemVariable, "@@session.sql_mode"),
                (Operator, "<=>"),
                (Placeholder, "?"),
                (Operator, "->>"),
                (String, "'x'"),
                (UserVariable, "@'q'"),
                (String, "'u'"),
                (UserVariable, "@'%'"),
                (Word, "a"),
                (Operator, "||"),
                (Word, "b"),
                (Operator, "!="),
                (Word, "c"),
            ]
        );
    }

    #[test]
    fn comments() {
        let text = "a -- one\nb #two\nc /* three */ d --x\n--\n";
        let out = tokenize(text);
        let bodies: Vec<_> = out.comments.iter().map(|c| c.body.as_str()).collect();
        assert_eq!(bodies, vec!["one", "two", "three", ""]);
        let words: Vec<_> = out.tokens.iter().map(|t| t.text(text)).collect();
        assert_eq!(words, vec!["a", "b", "c", "d", "-", "-", "x"]);
        assert_eq!(out.comments[0].style, CommentStyle::DoubleDash);
        assert_eq!(out.comments[0].span.text(text), "-- one");
    }

    #[test]
    fn executable_comments_are_code() {
        let text = "/*!40101 SET NAMES utf8 */; /*M!100100 SET x=1*/ /*! a */";
        let words: Vec<_> = tokenize(text).tokens.iter().map(|t| t.text(text)).collect();
        assert_eq!(
            words,
            vec!["SET", "NAMES", "utf8", ";", "SET", "x", "=", "1", "a"]
        );
        assert!(tokenize(text).comments.is_empty());
    }

    #[test]
    fn unterminated_things_are_errors_with_offsets() {
        for (text, offset) in [
            ("SELECT 'abc", 7),
            ("SELECT `abc", 7),
            ("SELECT \"abc\\\"", 7),
            ("SELECT 1 /* abc", 9),
            ("x /*!40101 SET a=1", 2),
            ("X'0F", 0),
            ("@'abc", 0),
        ] {
            let out = tokenize(text);
            assert_eq!(out.errors.len(), 1, "{text}");
            assert_eq!(out.errors[0].offset, offset, "{text}");
        }
    }

    #[test]
    fn custom_delimiter_splits_words() {
        let text = "END$$ x";
        let mut lexer = Lexer::new(text);
        lexer.set_delimiter(Some("$$"));
        let mut items = Vec::new();
        while let Some(item) = lexer.next_item() {
            items.push(item);
        }
        assert_eq!(items.len(), 3);
        assert!(matches!(items[1], Lexed::Delimiter(s) if s == Span::new(3, 2)));
    }

    #[test]
    fn non_ascii_identifiers() {
        let text = "SELECT café, `naïve` FROM tëst";
        let words: Vec<_> = tokenize(text).tokens.iter().map(|t| t.text(text)).collect();
        assert_eq!(
            words,
            vec!["SELECT", "café", ",", "`naïve`", "FROM", "tëst"]
        );
    }
}
