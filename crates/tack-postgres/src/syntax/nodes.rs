//! Helpers over pg_query's parse tree that every kind of change's mapping uses: names, strings,
//! option values, durations, expressions (with the functions they call), types, and the
//! `CHECK (col IS NOT NULL)` shape.

use super::deparse;
use pg_query::protobuf::{self, node::Node as N, Node};
use pg_query::NodeRef;
use tack_core::{Expr, QualifiedName, TypeSpec};

pub fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

pub fn range_var(rv: &protobuf::RangeVar) -> QualifiedName {
    QualifiedName::new(
        (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str()),
        &rv.relname,
    )
}

pub fn node_range_var(node: &Node) -> Option<QualifiedName> {
    match &node.node {
        Some(N::RangeVar(rv)) => Some(range_var(rv)),
        _ => None,
    }
}

pub fn strings(nodes: &[Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(N::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

pub fn qualified(parts: &[String]) -> QualifiedName {
    match parts {
        [.., schema, name] => QualifiedName::new(Some(schema), name),
        [name] => QualifiedName::unqualified(name),
        [] => QualifiedName::unqualified(""),
    }
}

pub fn def_string(d: &protobuf::DefElem) -> Option<String> {
    match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
        Some(N::String(s)) => Some(s.sval.to_lowercase()),
        _ => None,
    }
}

pub fn def_bool(d: &protobuf::DefElem) -> bool {
    match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
        None => true,
        Some(N::Boolean(b)) => b.boolval,
        Some(N::Integer(i)) => i.ival != 0,
        Some(N::String(s)) => matches!(s.sval.to_lowercase().as_str(), "true" | "on" | "1"),
        _ => true,
    }
}

/// `SET lock_timeout = 500` (milliseconds), `'2s'`, `'1min'`.
pub fn duration_millis(node: &Node) -> Option<u64> {
    let N::AConst(c) = node.node.as_ref()? else {
        return None;
    };
    use protobuf::a_const::Val;
    match c.val.as_ref()? {
        Val::Ival(i) => u64::try_from(i.ival).ok(),
        Val::Sval(s) => parse_duration(&s.sval),
        Val::Fval(f) => f.fval.parse::<f64>().ok().map(|v| v as u64),
        _ => None,
    }
}

pub fn parse_duration(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().ok()?;
    let factor = match unit.trim() {
        "" | "ms" => 1.0,
        "us" => 0.001,
        "s" => 1000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    Some((value * factor) as u64)
}

/// Whether fragments are written back as SQL. A new table's definitions never appear in a
/// message or fix, and deparsing them costs more than parsing did.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Render {
    Sql,
    Skip,
}

/// An expression: its SQL, the functions it calls, and whether it has a sub-select.
pub fn expression(node: &Node) -> Expr {
    expression_as(node, Render::Sql)
}

pub fn expression_as(node: &Node, render: Render) -> Expr {
    if render == Render::Skip {
        return Expr::constant("");
    }
    let mut functions = Vec::new();
    let mut has_subquery = false;
    if let Some(n) = &node.node {
        if let N::FuncCall(f) = n {
            functions.push(strings(&f.funcname).join("."));
        }
        for (child, ..) in n.nodes() {
            match child {
                NodeRef::FuncCall(f) => functions.push(strings(&f.funcname).join(".")),
                NodeRef::SubLink(_) => has_subquery = true,
                _ => {}
            }
        }
    }
    functions.sort();
    functions.dedup();
    Expr {
        sql: deparse::expr(node).unwrap_or_else(|| "<expression>".to_owned()),
        functions,
        has_subquery,
    }
}

/// Internal type names written the way people write them.
pub fn display_type_name(name: &str) -> &str {
    match name {
        "int2" => "smallint",
        "int4" => "integer",
        "int8" => "bigint",
        "float4" => "real",
        "float8" => "double precision",
        "bool" => "boolean",
        "bpchar" => "char",
        other => other,
    }
}

pub fn type_spec(tn: &protobuf::TypeName) -> TypeSpec {
    let names = strings(&tn.names);
    let builtin = names.first().is_some_and(|n| n == "pg_catalog");
    let name = names.last().cloned().unwrap_or_default();
    let modifiers: Vec<i64> = tn
        .typmods
        .iter()
        .filter_map(|m| match &m.node {
            Some(N::AConst(c)) => match &c.val {
                Some(protobuf::a_const::Val::Ival(i)) => Some(i64::from(i.ival)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let array = !tn.array_bounds.is_empty();
    let written_name = if builtin || names.len() == 1 {
        display_type_name(&name).to_owned()
    } else {
        names
            .iter()
            .map(|n| crate::sql::quote_ident(n))
            .collect::<Vec<_>>()
            .join(".")
    };
    let mut sql = written_name;
    if !modifiers.is_empty() {
        let mods: Vec<String> = modifiers.iter().map(i64::to_string).collect();
        sql.push_str(&format!("({})", mods.join(", ")));
    }
    if array {
        sql.push_str("[]");
    }
    TypeSpec::new(&name, modifiers, array, &sql)
}

/// The column a `CHECK (col IS NOT NULL)` proves not null; also used on `pg_get_constraintdef`.
pub fn not_null_check_column(definition: &str) -> Option<String> {
    let sql = format!(
        "SELECT 1 FROM t WHERE {}",
        definition.strip_prefix("CHECK ")?
    );
    let parsed = pg_query::parse(&sql, 0).ok()?;
    let stmt = parsed
        .protobuf
        .stmts
        .first()?
        .stmt
        .as_ref()?
        .node
        .as_ref()?;
    let N::SelectStmt(select) = stmt else {
        return None;
    };
    null_test_column(select.where_clause.as_deref()?)
}

pub fn null_test_column(node: &Node) -> Option<String> {
    match node.node.as_ref()? {
        N::NullTest(t) if t.nulltesttype == protobuf::NullTestType::IsNotNull as i32 => {
            match t.arg.as_ref()?.node.as_ref()? {
                N::ColumnRef(c) => match strings(&c.fields).as_slice() {
                    [col] => Some(col.clone()),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}
