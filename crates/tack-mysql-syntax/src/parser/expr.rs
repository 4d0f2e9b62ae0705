//! Expressions as token runs: no tree is built. [`analyze`] turns a run of tokens into an
//! [`Expr`] (span, text, functions called, columns referenced, whether it is a constant literal
//! or has a subquery) and [`where_shape`] classifies a `WHERE` condition.

use super::ast::{Expr, WhereShape};
use super::cursor::upper_ascii;
use super::lexer::{identifier_value, Token, TokenKind};
use super::span::Span;

/// Words that are part of expression syntax rather than column names (sorted, upper-case).
const EXPRESSION_KEYWORDS: &[&str] = &[
    "AGAINST",
    "ALL",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "BETWEEN",
    "BINARY",
    "BOOLEAN",
    "BOTH",
    "BY",
    "CASE",
    "COLLATE",
    "CROSS",
    "CURRENT",
    "DEFAULT",
    "DESC",
    "DISTINCT",
    "DISTINCTROW",
    "DIV",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXISTS",
    "EXPANSION",
    "FALSE",
    "FOLLOWING",
    "FOR",
    "FROM",
    "GROUP",
    "HAVING",
    "HIGH_PRIORITY",
    "IN",
    "INNER",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "LANGUAGE",
    "LATERAL",
    "LEADING",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LOCK",
    "MOD",
    "MODE",
    "NATURAL",
    "NOT",
    "NULL",
    "NULLS",
    "OF",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PARTITION",
    "PRECEDING",
    "QUERY",
    "RANGE",
    "RECURSIVE",
    "REGEXP",
    "RIGHT",
    "RLIKE",
    "ROLLUP",
    "ROWS",
    "SELECT",
    "SEPARATOR",
    "SHARE",
    "SOME",
    "SOUNDS",
    "SQL_CALC_FOUND_ROWS",
    "STRAIGHT_JOIN",
    "THEN",
    "TRAILING",
    "TRUE",
    "UNBOUNDED",
    "UNION",
    "UNKNOWN",
    "UPDATE",
    "USING",
    "VALUES",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "XOR",
];

/// Words followed by `(` that are not function calls.
const NOT_FUNCTIONS: &[&str] = &[
    "AGAINST", "ALL", "AND", "ANY", "AS", "BETWEEN", "BINARY", "ELSE", "EXISTS", "FROM", "IN",
    "INTERVAL", "IS", "JOIN", "LIKE", "NOT", "ON", "OR", "OVER", "REGEXP", "RLIKE", "SELECT",
    "SOME", "THEN", "UNION", "USING", "VALUES", "WHEN", "WHERE", "WITH", "XOR",
];

/// Functions that may be called without parentheses.
const BARE_FUNCTIONS: &[&str] = &[
    "CURRENT_DATE",
    "CURRENT_ROLE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURRENT_USER",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "UTC_DATE",
    "UTC_TIME",
    "UTC_TIMESTAMP",
];

/// Interval and `EXTRACT` units.
const TIME_UNITS: &[&str] = &[
    "DAY",
    "DAY_HOUR",
    "DAY_MICROSECOND",
    "DAY_MINUTE",
    "DAY_SECOND",
    "HOUR",
    "HOUR_MICROSECOND",
    "HOUR_MINUTE",
    "HOUR_SECOND",
    "MICROSECOND",
    "MINUTE",
    "MINUTE_MICROSECOND",
    "MINUTE_SECOND",
    "MONTH",
    "QUARTER",
    "SECOND",
    "SECOND_MICROSECOND",
    "WEEK",
    "YEAR",
    "YEAR_MONTH",
];

/// Words that, before a string, make a typed literal (`DATE '2024-01-01'`).
const LITERAL_PREFIXES: &[&str] = &["DATE", "TIME", "TIMESTAMP"];

fn in_list(list: &[&str], word: &str) -> bool {
    let mut buffer = [0u8; 32];
    upper_ascii(word, &mut buffer).is_some_and(|upper| list.binary_search(&upper).is_ok())
}

/// Per parenthesis level: the function whose arguments these are, and whether the rest of the
/// level is a type or character set (after `AS` in `CAST`, `USING` in `CONVERT`…).
#[derive(Default)]
struct Frame {
    function: Option<String>,
    type_context: bool,
}

/// Builds an [`Expr`] from `tokens` (possibly empty: then the span is empty).
pub(crate) fn analyze(text: &str, tokens: &[Token]) -> Expr {
    let span = match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => Span::between(first.span.offset, last.span.end()),
        _ => Span::default(),
    };
    let mut functions: Vec<String> = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    let mut has_subquery = false;
    let mut frames: Vec<Frame> = vec![Frame::default()];
    let mut expect_interval_unit = false;
    let mut skip_unit_word = false;
    let word = |i: usize| tokens.get(i).filter(|t| t.kind == TokenKind::Word);
    let is_op = |i: usize, op: &str| {
        tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Operator && t.text(text) == op)
    };
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        let token_text = token.text(text);
        match token.kind {
            TokenKind::Operator => {
                match token_text {
                    "(" => frames.push(Frame::default()),
                    ")" if frames.len() > 1 => {
                        frames.pop();
                    }
                    "," => {
                        if let Some(frame) = frames.last_mut() {
                            if frame.function.as_deref() == Some("convert") {
                                frame.type_context = true;
                            }
                        }
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            TokenKind::Word | TokenKind::QuotedIdent => {}
            _ => {
                i += 1;
                continue;
            }
        }
        // A name chain: a.b.c, possibly a function call or `t.*`.
        let chain_start = i;
        let mut parts = vec![identifier_value(token_text)];
        let mut j = i + 1;
        while is_op(j, ".")
            && tokens.get(j + 1).is_some_and(|t| {
                matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
                    && t.span.offset == tokens[j].span.end()
            })
        {
            parts.push(identifier_value(tokens[j + 1].text(text)));
            j += 2;
        }
        let quoted = token.kind == TokenKind::QuotedIdent;
        let single_word = parts.len() == 1 && !quoted;
        let previous_is = |kw: &str| {
            chain_start > 0
                && word(chain_start - 1).is_some_and(|t| t.text(text).eq_ignore_ascii_case(kw))
        };
        i = j;
        let in_type = frames.last().is_some_and(|f| f.type_context);
        if is_op(j, "(") && in_type {
            // `CHAR(10)` in `CAST(x AS CHAR(10))`: a type, not a call.
            frames.push(Frame {
                function: None,
                type_context: true,
            });
            i = j + 1;
            continue;
        }
        if is_op(j, "(") && !(single_word && in_list(NOT_FUNCTIONS, token_text)) {
            let name = parts.join(".").to_ascii_lowercase();
            if matches!(name.as_str(), "extract" | "timestampdiff" | "timestampadd") {
                skip_unit_word = true;
            }
            push_unique(&mut functions, name.clone());
            // The `(` is handled on the next iteration; remember whose arguments follow.
            frames.push(Frame {
                function: Some(name),
                type_context: false,
            });
            i = j + 1;
            continue;
        }
        if single_word {
            let upper = token_text.to_ascii_uppercase();
            if upper == "SELECT" && frames.len() > 1 {
                has_subquery = true;
            }
            if upper == "INTERVAL" {
                expect_interval_unit = true;
            }
            if (upper == "AS" || upper == "USING") && frames.len() > 1 {
                if let Some(frame) = frames.last_mut() {
                    frame.type_context = true;
                }
            }
            if upper == "NEXT" || upper == "PREVIOUS" {
                let rest_is = |k: usize, kw: &str| {
                    word(chain_start + k).is_some_and(|t| t.text(text).eq_ignore_ascii_case(kw))
                };
                if rest_is(1, "VALUE") && rest_is(2, "FOR") {
                    let name = if upper == "NEXT" {
                        "nextval"
                    } else {
                        "lastval"
                    };
                    push_unique(&mut functions, name.to_owned());
                    i = chain_start + 3;
                    // The sequence name that follows is not a column.
                    if tokens
                        .get(i)
                        .is_some_and(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
                    {
                        i += 1;
                        while is_op(i, ".") && tokens.get(i + 1).is_some() {
                            i += 2;
                        }
                    }
                    continue;
                }
            }
            if in_list(BARE_FUNCTIONS, token_text) {
                push_unique(&mut functions, token_text.to_ascii_lowercase());
                continue;
            }
            if in_list(TIME_UNITS, token_text) && (expect_interval_unit || skip_unit_word) {
                expect_interval_unit = false;
                skip_unit_word = false;
                continue;
            }
            let before_string = tokens.get(j).is_some_and(|t| t.kind == TokenKind::String);
            if before_string
                && (in_list(LITERAL_PREFIXES, token_text) || token_text.starts_with('_'))
            {
                continue;
            }
            if in_list(EXPRESSION_KEYWORDS, token_text) {
                continue;
            }
        }
        skip_unit_word = false;
        let is_alias = previous_is("AS");
        let in_call = frames.last().is_some_and(|f| f.function.is_some());
        let is_table =
            !in_call && (previous_is("FROM") || previous_is("JOIN") || previous_is("INTO"));
        let star = is_op(j, ".") && is_op(j + 1, "*");
        if in_type || is_alias || is_table {
            continue;
        }
        if star {
            i = j + 2;
            continue;
        }
        push_unique(&mut columns, parts.join("."));
    }
    Expr {
        span,
        text: span.text(text).to_owned(),
        functions,
        is_constant_literal: is_constant_literal(text, strip_parens(text, tokens)),
        has_subquery,
        columns,
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// `tokens` without the parentheses enclosing all of them (`((a))` → `a`), in one pass.
fn strip_parens<'t>(text: &str, tokens: &'t [Token]) -> &'t [Token] {
    let is = |t: &Token, op: &str| t.kind == TokenKind::Operator && t.text(text) == op;
    let leading = tokens.iter().take_while(|t| is(t, "(")).count();
    let trailing = tokens.iter().rev().take_while(|t| is(t, ")")).count();
    if leading == 0 || trailing == 0 {
        return tokens;
    }
    // Layer j (opened at j - 1) encloses everything iff the depth stays >= j from its opening
    // to the start of the trailing run of `)`.
    let mut depth = 0isize;
    let mut interior_min = isize::MAX;
    let interior_end = tokens.len() - trailing;
    for (i, t) in tokens.iter().enumerate() {
        if is(t, "(") {
            depth += 1;
        } else if is(t, ")") {
            depth -= 1;
        }
        if i + 1 >= leading && i < interior_end.max(leading) {
            interior_min = interior_min.min(depth);
        }
    }
    if depth != 0 {
        return tokens;
    }
    let layers = leading
        .min(trailing)
        .min(usize::try_from(interior_min).unwrap_or(0));
    &tokens[layers..tokens.len() - layers]
}

/// Whether `tokens` are exactly one literal.
pub(crate) fn is_constant_literal(text: &str, tokens: &[Token]) -> bool {
    literal_len(text, tokens) == Some(tokens.len()) && !tokens.is_empty()
}

/// The number of tokens of the literal at the start of `tokens`, if there is one: a signed
/// number, hex or bit value, string (adjacent strings and an introducer included), `NULL`,
/// `TRUE`, `FALSE`, or `DATE`/`TIME`/`TIMESTAMP` + string.
fn literal_len(text: &str, tokens: &[Token]) -> Option<usize> {
    let first = tokens.first()?;
    let first_text = first.text(text);
    match first.kind {
        TokenKind::Number | TokenKind::HexNumber | TokenKind::BitNumber => Some(1),
        TokenKind::String => Some(count_strings(tokens)),
        TokenKind::Operator if first_text == "-" || first_text == "+" => {
            let next = tokens.get(1)?;
            matches!(next.kind, TokenKind::Number | TokenKind::HexNumber).then_some(2)
        }
        TokenKind::Word => {
            let upper = first_text.to_ascii_uppercase();
            match upper.as_str() {
                "NULL" | "TRUE" | "FALSE" => Some(1),
                _ if in_list(LITERAL_PREFIXES, first_text) || first_text.starts_with('_') => {
                    let strings = count_strings(&tokens[1..]);
                    (strings > 0).then_some(1 + strings)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn count_strings(tokens: &[Token]) -> usize {
    tokens
        .iter()
        .take_while(|t| t.kind == TokenKind::String)
        .count()
}

/// A constant from the point of view of one statement execution: a literal, a placeholder or
/// a user variable.
fn constant_len(text: &str, tokens: &[Token]) -> Option<usize> {
    let first = tokens.first()?;
    match first.kind {
        TokenKind::Placeholder | TokenKind::UserVariable => Some(1),
        _ => literal_len(text, tokens),
    }
}

/// Length of a column reference `a`, `t.a`, `db.t.a` at the start of `tokens`.
fn column_len(text: &str, tokens: &[Token]) -> Option<usize> {
    let is_name = |t: &Token| match t.kind {
        TokenKind::QuotedIdent => true,
        TokenKind::Word => {
            !in_list(EXPRESSION_KEYWORDS, t.text(text)) && !in_list(BARE_FUNCTIONS, t.text(text))
        }
        _ => false,
    };
    if !is_name(tokens.first()?) {
        return None;
    }
    let mut n = 1;
    while tokens.get(n).is_some_and(|t| t.text(text) == ".")
        && tokens.get(n + 1).is_some_and(is_name)
    {
        n += 2;
    }
    (tokens.get(n).is_none_or(|t| t.text(text) != "(")).then_some(n)
}

fn column_name(text: &str, tokens: &[Token]) -> String {
    tokens
        .iter()
        .filter(|t| t.text(text) != ".")
        .map(|t| identifier_value(t.text(text)))
        .collect::<Vec<_>>()
        .join(".")
}

/// Classifies a `WHERE` condition given as tokens (`None`: no `WHERE`).
pub(crate) fn where_shape(text: &str, tokens: Option<&[Token]>) -> WhereShape {
    let Some(tokens) = tokens else {
        return WhereShape::Absent;
    };
    let mut columns = Vec::new();
    for term in conjuncts(text, strip_parens(text, tokens)) {
        match equality_column(text, strip_parens(text, term)) {
            Some(column) => push_unique(&mut columns, column),
            None => return WhereShape::Other,
        }
    }
    if columns.is_empty() {
        WhereShape::Other
    } else {
        WhereShape::ConstantEquality { columns }
    }
}

/// Splits `tokens` at depth-0 `AND` / `&&`.
fn conjuncts<'t>(text: &str, tokens: &'t [Token]) -> Vec<&'t [Token]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        let t_text = t.text(text);
        match t.kind {
            TokenKind::Operator if t_text == "(" => depth += 1,
            TokenKind::Operator if t_text == ")" => depth = depth.saturating_sub(1),
            TokenKind::Operator if t_text == "&&" && depth == 0 => {
                out.push(&tokens[start..i]);
                start = i + 1;
            }
            TokenKind::Word if depth == 0 && t_text.eq_ignore_ascii_case("AND") => {
                out.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&tokens[start..]);
    out
}

/// The column of `col = const`, `const = col`, `col <=> const` or `col IN (const, …)`.
fn equality_column(text: &str, term: &[Token]) -> Option<String> {
    let op_is = |t: Option<&Token>, ops: &[&str]| {
        t.is_some_and(|t| t.kind == TokenKind::Operator && ops.contains(&t.text(text)))
    };
    if let Some(n) = column_len(text, term) {
        let rest = &term[n..];
        if op_is(rest.first(), &["=", "<=>"]) {
            let value = &rest[1..];
            return (constant_len(text, value) == Some(value.len()))
                .then(|| column_name(text, &term[..n]));
        }
        if rest
            .first()
            .is_some_and(|t| t.kind == TokenKind::Word && t.text(text).eq_ignore_ascii_case("IN"))
        {
            return constant_list(text, &rest[1..]).then(|| column_name(text, &term[..n]));
        }
        return None;
    }
    let n = constant_len(text, term)?;
    if !op_is(term.get(n), &["=", "<=>"]) {
        return None;
    }
    let column = &term[n + 1..];
    (column_len(text, column) == Some(column.len())).then(|| column_name(text, column))
}

/// Whether `tokens` are `( const, const, … )`.
fn constant_list(text: &str, tokens: &[Token]) -> bool {
    let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
        return false;
    };
    if first.text(text) != "(" || last.text(text) != ")" || tokens.len() < 3 {
        return false;
    }
    let mut rest = &tokens[1..tokens.len() - 1];
    loop {
        let Some(n) = constant_len(text, rest) else {
            return false;
        };
        rest = &rest[n..];
        match rest.first() {
            None => return true,
            Some(t) if t.text(text) == "," => rest = &rest[1..],
            Some(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn expr(text: &str) -> Expr {
        analyze(text, &tokenize(text).tokens)
    }

    fn shape(text: &str) -> WhereShape {
        where_shape(text, Some(&tokenize(text).tokens))
    }

    #[test]
    fn keyword_lists_are_sorted() {
        for list in [
            EXPRESSION_KEYWORDS,
            NOT_FUNCTIONS,
            BARE_FUNCTIONS,
            TIME_UNITS,
            LITERAL_PREFIXES,
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn functions_and_columns() {
        let e =
            expr("CONCAT(first_name, ' ', `last name`) = UUID() AND t.x > NOW() - INTERVAL 1 DAY");
        assert_eq!(e.functions, vec!["concat", "uuid", "now"]);
        assert_eq!(e.columns, vec!["first_name", "last name", "t.x"]);
        assert!(!e.is_constant_literal);
        assert!(!e.has_subquery);
    }

    #[test]
    fn bare_functions_casts_and_sequences() {
        let e = expr(
            "CAST(a AS CHAR(10)) + CURRENT_TIMESTAMP + NEXT VALUE FOR seq + EXTRACT(YEAR FROM d)",
        );
        assert_eq!(
            e.functions,
            vec!["cast", "current_timestamp", "nextval", "extract"]
        );
        assert_eq!(e.columns, vec!["a", "d"]);
    }

    #[test]
    fn literals() {
        for text in [
            "1",
            "-1.5",
            "'x'",
            "_utf8mb4'x' 'y'",
            "NULL",
            "TRUE",
            "0x1F",
            "((('a')))",
            "DATE '2024-01-01'",
        ] {
            assert!(expr(text).is_constant_literal, "{text}");
        }
        for text in ["1 + 1", "a", "now()", "'a' = 'b'", "(1), (2)"] {
            assert!(!expr(text).is_constant_literal, "{text}");
        }
    }

    #[test]
    fn subqueries() {
        assert!(expr("a IN (SELECT id FROM t)").has_subquery);
        assert!(!expr("SELECT a FROM t").has_subquery);
    }

    #[test]
    fn where_shapes() {
        assert_eq!(
            shape("id = 5 AND `t`.`tenant` IN (1, 2, ?) AND 'x' = name"),
            WhereShape::ConstantEquality {
                columns: vec!["id".into(), "t.tenant".into(), "name".into()]
            }
        );
        assert_eq!(
            shape("(id = @id)"),
            WhereShape::ConstantEquality {
                columns: vec!["id".into()]
            }
        );
        for other in [
            "id > 5",
            "id = 1 OR id = 2",
            "a = b",
            "id BETWEEN 1 AND 5",
            "id IN (SELECT 1)",
            "lower(a) = 'x'",
            "1 = 1",
            "id NOT IN (1)",
        ] {
            assert_eq!(shape(other), WhereShape::Other, "{other}");
        }
    }
}
