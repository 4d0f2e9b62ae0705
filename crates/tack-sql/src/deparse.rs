//! Turning pieces of a parse tree back into SQL text for messages and fixes, with PostgreSQL's
//! own deparser: each piece is wrapped in the smallest statement that holds it, deparsed, and the
//! wrapper's text removed.

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

/// An expression as SQL (`now()`, `(price * 2)`), or `None` if the deparser refuses it.
pub fn expr(node: &Node) -> Option<String> {
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
