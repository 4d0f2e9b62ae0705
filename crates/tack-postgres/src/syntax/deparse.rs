//! Turning pieces of a parse tree back into SQL text for messages and fixes, with PostgreSQL's
//! own deparser: each piece is wrapped in the smallest statement that holds it, deparsed, and the
//! wrapper's text removed. The most common simple shapes (constants, bare function calls, column
//! names, casts of those, plain column lists) are written directly: a deparse round-trips the
//! tree through protobuf and costs more than parsing the statement did.

use pg_query::protobuf::{self, node::Node as N, Node};

/// A placeholder relation name used while deparsing fragments.
const PLACEHOLDER: &str = "tack_placeholder";

fn deparse(stmt: N) -> Option<String> {
    let tree = protobuf::ParseResult {
        version: 180000,
        stmts: vec![protobuf::RawStmt {
            stmt: Some(Box::new(Node { node: Some(stmt) })),
            stmt_location: 0,
            stmt_len: 0,
        }],
    };
    pg_query::deparse(&tree, Default::default()).ok()
}

fn placeholder() -> protobuf::RangeVar {
    protobuf::RangeVar {
        relname: PLACEHOLDER.to_owned(),
        inh: true,
        relpersistence: "p".to_owned(),
        ..Default::default()
    }
}

fn names(nodes: &[Node]) -> Option<String> {
    let parts: Option<Vec<String>> = nodes
        .iter()
        .map(|n| match &n.node {
            Some(N::String(s)) => Some(crate::sql::quote_ident(&s.sval)),
            _ => None,
        })
        .collect();
    parts.map(|p| p.join("."))
}

/// Simple expressions written without the deparser; `None` for anything else.
fn simple_expr(node: &Node) -> Option<String> {
    use protobuf::a_const::Val;
    match node.node.as_ref()? {
        N::AConst(c) if c.isnull => Some("NULL".to_owned()),
        N::AConst(c) => match c.val.as_ref()? {
            Val::Ival(i) => Some(i.ival.to_string()),
            Val::Fval(f) => Some(f.fval.clone()),
            Val::Boolval(b) => Some(b.boolval.to_string()),
            Val::Sval(s) => Some(crate::sql::quote_literal(&s.sval)),
            Val::Bsval(_) => None,
        },
        N::FuncCall(f)
            if f.args.is_empty()
                && f.agg_order.is_empty()
                && f.agg_filter.is_none()
                && f.over.is_none()
                && !f.agg_star
                && !f.agg_distinct
                && !f.agg_within_group
                && f.funcformat == protobuf::CoercionForm::CoerceExplicitCall as i32 =>
        {
            Some(format!("{}()", names(&f.funcname)?))
        }
        N::ColumnRef(c) => names(&c.fields),
        N::TypeCast(t) => Some(format!(
            "{}::{}",
            simple_expr(t.arg.as_deref()?)?,
            super::nodes::type_spec(t.type_name.as_ref()?).sql
        )),
        _ => None,
    }
}

/// An expression as SQL (`now()`, `(price * 2)`), or `None` if the deparser refuses it.
pub fn expr(node: &Node) -> Option<String> {
    if let Some(text) = simple_expr(node) {
        return Some(text);
    }
    let select = protobuf::SelectStmt {
        target_list: vec![Node {
            node: Some(N::ResTarget(Box::new(protobuf::ResTarget {
                val: Some(Box::new(node.clone())),
                ..Default::default()
            }))),
        }],
        limit_option: protobuf::LimitOption::Default as i32,
        op: protobuf::SetOperation::SetopNone as i32,
        ..Default::default()
    };
    deparse(N::SelectStmt(Box::new(select)))?
        .strip_prefix("SELECT ")
        .map(str::to_owned)
}

/// A table constraint as SQL, without its name (`CHECK (price > 0)`).
pub fn constraint(c: &protobuf::Constraint) -> Option<String> {
    let mut c = c.clone();
    c.conname.clear();
    c.skip_validation = false;
    c.initially_valid = true;
    let cmd = protobuf::AlterTableCmd {
        subtype: protobuf::AlterTableType::AtAddConstraint as i32,
        def: Some(Box::new(Node {
            node: Some(N::Constraint(Box::new(c))),
        })),
        behavior: protobuf::DropBehavior::DropRestrict as i32,
        ..Default::default()
    };
    let stmt = protobuf::AlterTableStmt {
        relation: Some(placeholder()),
        cmds: vec![Node {
            node: Some(N::AlterTableCmd(Box::new(cmd))),
        }],
        objtype: protobuf::ObjectType::ObjectTable as i32,
        missing_ok: false,
    };
    let text = deparse(N::AlterTableStmt(stmt))?;
    let prefix = format!("ALTER TABLE {PLACEHOLDER} ADD ");
    text.strip_prefix(&prefix)
        .map(|rest| rest.strip_prefix("CONSTRAINT ").unwrap_or(rest).to_owned())
}

/// What follows `ON <table>` in a CREATE INDEX (`USING btree (email) WHERE deleted_at IS NULL`).
pub fn index_definition(stmt: &protobuf::IndexStmt) -> Option<String> {
    if let Some(text) = simple_index_definition(stmt) {
        return Some(text);
    }
    let mut s = stmt.clone();
    s.idxname.clear();
    s.relation = Some(placeholder());
    s.concurrent = false;
    s.unique = false;
    s.if_not_exists = false;
    let text = deparse(N::IndexStmt(Box::new(s)))?;
    let marker = format!("ON {PLACEHOLDER} ");
    text.find(&marker)
        .map(|i| text[i + marker.len()..].to_owned())
}

/// The SET list of an UPDATE (`status = 'done', updated_at = now()`).
pub fn update_set(stmt: &protobuf::UpdateStmt) -> Option<String> {
    let s = protobuf::UpdateStmt {
        relation: Some(placeholder()),
        target_list: stmt.target_list.clone(),
        ..Default::default()
    };
    let text = deparse(N::UpdateStmt(Box::new(s)))?;
    text.strip_prefix(&format!("UPDATE {PLACEHOLDER} SET "))
        .map(str::to_owned)
}

/// `USING btree (a, b)` for an index on plain columns with default options.
fn simple_index_definition(stmt: &protobuf::IndexStmt) -> Option<String> {
    if stmt.where_clause.is_some()
        || !stmt.index_including_params.is_empty()
        || !stmt.options.is_empty()
        || !stmt.table_space.is_empty()
        || stmt.nulls_not_distinct
    {
        return None;
    }
    let columns: Option<Vec<String>> = stmt
        .index_params
        .iter()
        .map(|p| match &p.node {
            Some(N::IndexElem(e))
                if e.expr.is_none()
                    && !e.name.is_empty()
                    && e.collation.is_empty()
                    && e.opclass.is_empty()
                    && e.ordering <= protobuf::SortByDir::SortbyDefault as i32
                    && e.nulls_ordering <= protobuf::SortByNulls::SortbyNullsDefault as i32 =>
            {
                Some(crate::sql::quote_ident(&e.name))
            }
            _ => None,
        })
        .collect();
    let method = if stmt.access_method.is_empty() {
        "btree"
    } else {
        stmt.access_method.as_str()
    };
    Some(format!("USING {method} ({})", columns?.join(", ")))
}
