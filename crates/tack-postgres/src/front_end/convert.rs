//! From pg_query's parse tree to tack's [`Change`]s.

use super::deparse;
use pg_query::protobuf::{self, node::Node as N, Node};
use pg_query::NodeRef;
use tack_core::change::ReindexKind;
use tack_core::{
    AlterAction, Change, ColumnSpec, ConstraintKind, ConstraintSpec, Expr, QualifiedName,
    RowFilter, TypeSpec, Volatility,
};

/// Maps one top-level statement.
pub fn change(node: &N) -> Change {
    match node {
        N::AlterTableStmt(s) => alter_table(s),
        N::CreateStmt(s) => create_table(s),
        N::CreateTableAsStmt(s) => match s.into.as_ref().and_then(|i| i.rel.as_ref()) {
            Some(rel) => Change::CreateTableAs {
                table: range_var(rel),
            },
            None => other(node),
        },
        N::IndexStmt(s) => match &s.relation {
            Some(rel) => Change::CreateIndex {
                name: non_empty(&s.idxname),
                table: range_var(rel),
                unique: s.unique,
                concurrently: s.concurrent,
                if_not_exists: s.if_not_exists,
                definition_sql: deparse::index_definition(s).unwrap_or_else(|| "(…)".to_owned()),
            },
            None => other(node),
        },
        N::DropStmt(s) => drop(s, node),
        N::ReindexStmt(s) => reindex(s, node),
        N::RenameStmt(s) => rename(s, node),
        N::TruncateStmt(s) => Change::Truncate {
            tables: s.relations.iter().filter_map(node_range_var).collect(),
        },
        N::VacuumStmt(s) => {
            let full = s.is_vacuumcmd
                && s.options.iter().any(|o| match &o.node {
                    Some(N::DefElem(d)) => d.defname == "full" && def_bool(d),
                    _ => false,
                });
            if full {
                Change::VacuumFull {
                    tables: s
                        .rels
                        .iter()
                        .filter_map(|r| match &r.node {
                            Some(N::VacuumRelation(v)) => v.relation.as_ref().map(range_var),
                            _ => None,
                        })
                        .collect(),
                }
            } else {
                other(node)
            }
        }
        N::ClusterStmt(s) => Change::Cluster {
            table: s.relation.as_ref().map(range_var),
        },
        N::AlterEnumStmt(s) if s.old_val.is_empty() => Change::AlterEnumAddValue {
            type_name: qualified(&strings(&s.type_name)),
            value: s.new_val.clone(),
        },
        N::UpdateStmt(s) => match &s.relation {
            Some(rel) => Change::Update {
                table: range_var(rel),
                filter: row_filter(s.where_clause.as_deref()),
                assignments: assignments(&s.target_list),
                set_sql: deparse::update_set(s).unwrap_or_else(|| "…".to_owned()),
                where_sql: s.where_clause.as_deref().and_then(deparse::expr),
            },
            None => other(node),
        },
        N::DeleteStmt(s) => match &s.relation {
            Some(rel) => Change::Delete {
                table: range_var(rel),
                filter: row_filter(s.where_clause.as_deref()),
                where_sql: s.where_clause.as_deref().and_then(deparse::expr),
            },
            None => other(node),
        },
        N::CreateFunctionStmt(s) => Change::CreateFunction {
            name: qualified(&strings(&s.funcname)),
            volatility: s
                .options
                .iter()
                .find_map(|o| match &o.node {
                    Some(N::DefElem(d)) if d.defname == "volatility" => {
                        match def_string(d).as_deref() {
                            Some("immutable") => Some(Volatility::Immutable),
                            Some("stable") => Some(Volatility::Stable),
                            _ => Some(Volatility::Volatile),
                        }
                    }
                    _ => None,
                })
                .unwrap_or(Volatility::Volatile),
        },
        N::TransactionStmt(s) => {
            use protobuf::TransactionStmtKind as K;
            match K::try_from(s.kind) {
                Ok(K::TransStmtBegin | K::TransStmtStart) => Change::Begin,
                Ok(K::TransStmtCommit | K::TransStmtCommitPrepared) => Change::Commit,
                Ok(K::TransStmtRollback | K::TransStmtRollbackPrepared) => Change::Rollback,
                _ => other(node),
            }
        }
        N::VariableSetStmt(s) if s.name == "lock_timeout" => {
            use protobuf::VariableSetKind as K;
            let millis = match K::try_from(s.kind) {
                Ok(K::VarSetValue) => s.args.first().and_then(duration_millis),
                _ => None,
            };
            Change::SetLockTimeout {
                millis: millis.filter(|m| *m > 0),
                local: s.is_local,
            }
        }
        _ => other(node),
    }
}

/// A statement tack has no rule for, named by its kind for messages.
fn other(node: &N) -> Change {
    let tag = match node {
        N::SelectStmt(_) => "SELECT",
        N::InsertStmt(_) => "INSERT",
        N::UpdateStmt(_) => "UPDATE",
        N::DeleteStmt(_) => "DELETE",
        N::CreateFunctionStmt(_) => "CREATE FUNCTION",
        N::CreateTrigStmt(_) => "CREATE TRIGGER",
        N::ViewStmt(_) => "CREATE VIEW",
        N::CreateSeqStmt(_) => "CREATE SEQUENCE",
        N::CreateSchemaStmt(_) => "CREATE SCHEMA",
        N::CreateExtensionStmt(_) => "CREATE EXTENSION",
        N::CreateEnumStmt(_) => "CREATE TYPE",
        N::CommentStmt(_) => "COMMENT",
        N::GrantStmt(_) => "GRANT",
        N::DoStmt(_) => "DO",
        N::VariableSetStmt(_) => "SET",
        N::DropStmt(_) => "DROP",
        N::AlterTableStmt(_) => "ALTER",
        N::TransactionStmt(_) => "transaction control",
        N::CreateRoleStmt(_) => "CREATE ROLE",
        N::AlterRoleStmt(_) | N::AlterRoleSetStmt(_) => "ALTER ROLE",
        N::DropRoleStmt(_) => "DROP ROLE",
        N::GrantRoleStmt(_) => "GRANT ROLE",
        N::CreatedbStmt(_) => "CREATE DATABASE",
        N::AlterDatabaseStmt(_)
        | N::AlterDatabaseSetStmt(_)
        | N::AlterDatabaseRefreshCollStmt(_) => "ALTER DATABASE",
        N::DropdbStmt(_) => "DROP DATABASE",
        N::CreateTableSpaceStmt(_)
        | N::DropTableSpaceStmt(_)
        | N::AlterTableSpaceOptionsStmt(_) => "TABLESPACE",
        N::AlterSystemStmt(_) => "ALTER SYSTEM",
        N::CreateSubscriptionStmt(_) | N::AlterSubscriptionStmt(_) | N::DropSubscriptionStmt(_) => {
            "SUBSCRIPTION"
        }
        N::ReassignOwnedStmt(_) => "REASSIGN OWNED",
        _ => "statement",
    };
    Change::Other {
        tag: tag.to_owned(),
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

pub(crate) fn range_var(rv: &protobuf::RangeVar) -> QualifiedName {
    QualifiedName::new(
        (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str()),
        &rv.relname,
    )
}

fn node_range_var(node: &Node) -> Option<QualifiedName> {
    match &node.node {
        Some(N::RangeVar(rv)) => Some(range_var(rv)),
        _ => None,
    }
}

fn strings(nodes: &[Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(N::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

fn qualified(parts: &[String]) -> QualifiedName {
    match parts {
        [.., schema, name] => QualifiedName::new(Some(schema), name),
        [name] => QualifiedName::unqualified(name),
        [] => QualifiedName::unqualified(""),
    }
}

fn def_string(d: &protobuf::DefElem) -> Option<String> {
    match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
        Some(N::String(s)) => Some(s.sval.to_lowercase()),
        _ => None,
    }
}

fn def_bool(d: &protobuf::DefElem) -> bool {
    match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
        None => true,
        Some(N::Boolean(b)) => b.boolval,
        Some(N::Integer(i)) => i.ival != 0,
        Some(N::String(s)) => matches!(s.sval.to_lowercase().as_str(), "true" | "on" | "1"),
        _ => true,
    }
}

/// `SET lock_timeout = 500` (milliseconds), `'2s'`, `'1min'`.
fn duration_millis(node: &Node) -> Option<u64> {
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

fn parse_duration(text: &str) -> Option<u64> {
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

/// `SET a = expr, b = expr` as pairs; empty if any target is not a plain column.
fn assignments(targets: &[Node]) -> Vec<(String, String)> {
    let pairs: Option<Vec<(String, String)>> = targets
        .iter()
        .map(|t| match &t.node {
            Some(N::ResTarget(r)) if r.indirection.is_empty() && !r.name.is_empty() => {
                let value = r.val.as_deref()?;
                if matches!(value.node, Some(N::MultiAssignRef(_))) {
                    return None;
                }
                let value = deparse::expr(value)?;
                Some((r.name.clone(), value))
            }
            _ => None,
        })
        .collect();
    pairs.unwrap_or_default()
}

/// What a WHERE clause tells about the rows it can touch.
fn row_filter(where_clause: Option<&Node>) -> RowFilter {
    let Some(node) = where_clause.and_then(|n| n.node.as_ref()) else {
        return RowFilter::All;
    };
    match equality_columns(node) {
        Some(columns) if !columns.is_empty() => RowFilter::Equality(columns),
        _ => RowFilter::Other,
    }
}

/// Columns that every matching row must equal to a constant: `a = 1`, `a IN (1, 2)`,
/// `a = ANY($1)`, conjunctions of those (any conjunct suffices), and disjunctions where every
/// branch pins the same columns. `None` when the condition is anything else.
fn equality_columns(node: &N) -> Option<Vec<String>> {
    match node {
        N::AExpr(e) => {
            let op = strings(&e.name);
            let kind = protobuf::AExprKind::try_from(e.kind).ok()?;
            let equality = op.iter().any(|o| o == "=")
                && matches!(
                    kind,
                    protobuf::AExprKind::AexprOp
                        | protobuf::AExprKind::AexprIn
                        | protobuf::AExprKind::AexprOpAny
                );
            if !equality {
                return None;
            }
            let constant = |n: &Option<Box<Node>>| {
                matches!(
                    n.as_ref().and_then(|n| n.node.as_ref()),
                    Some(N::AConst(_) | N::ParamRef(_) | N::TypeCast(_) | N::List(_))
                )
            };
            let column = |n: &Option<Box<Node>>| match n.as_ref().and_then(|n| n.node.as_ref()) {
                Some(N::ColumnRef(c)) => strings(&c.fields).pop(),
                _ => None,
            };
            match (column(&e.lexpr), column(&e.rexpr)) {
                (Some(c), None) if constant(&e.rexpr) => Some(vec![c]),
                (None, Some(c)) if constant(&e.lexpr) => Some(vec![c]),
                _ => None,
            }
        }
        N::BoolExpr(b) => {
            let parts: Vec<Option<Vec<String>>> = b
                .args
                .iter()
                .map(|a| a.node.as_ref().and_then(equality_columns))
                .collect();
            if b.boolop == protobuf::BoolExprType::AndExpr as i32 {
                let cols: Vec<String> = parts.into_iter().flatten().flatten().collect();
                (!cols.is_empty()).then_some(cols)
            } else if b.boolop == protobuf::BoolExprType::OrExpr as i32 {
                let mut sets = parts.into_iter();
                let first = sets.next()??;
                let mut common = first;
                for set in sets {
                    let set = set?;
                    common.retain(|c| set.contains(c));
                }
                (!common.is_empty()).then_some(common)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The functions an expression calls, and whether it has a sub-select.
/// Whether fragments are written back as SQL. A new table's definitions never appear in a
/// message or fix, and deparsing them costs more than parsing did.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Render {
    Sql,
    Skip,
}

fn expression(node: &Node) -> Expr {
    expression_as(node, Render::Sql)
}

fn expression_as(node: &Node, render: Render) -> Expr {
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
fn display_type_name(name: &str) -> &str {
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

pub(crate) fn type_spec(tn: &protobuf::TypeName) -> TypeSpec {
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

fn null_test_column(node: &Node) -> Option<String> {
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

/// A constraint; `column` is set for one written inline on a column definition.
fn constraint_spec(
    c: &protobuf::Constraint,
    column: Option<&str>,
    render: Render,
) -> Option<ConstraintSpec> {
    use protobuf::ConstrType as T;
    let mut c = c.clone();
    let col_node = |name: &str| Node {
        node: Some(N::String(protobuf::String {
            sval: name.to_owned(),
        })),
    };
    let kind = match T::try_from(c.contype).ok()? {
        T::ConstrCheck => ConstraintKind::Check {
            expr: c
                .raw_expr
                .as_deref()
                .map(|e| expression_as(e, render))
                .unwrap_or_else(|| Expr::constant("")),
            not_null_column: c.raw_expr.as_deref().and_then(null_test_column),
        },
        T::ConstrForeign => {
            if let (Some(col), true) = (column, c.fk_attrs.is_empty()) {
                c.fk_attrs.push(col_node(col));
            }
            ConstraintKind::ForeignKey {
                columns: strings(&c.fk_attrs),
                referenced_table: c.pktable.as_ref().map(range_var)?,
                referenced_columns: strings(&c.pk_attrs),
            }
        }
        T::ConstrUnique | T::ConstrPrimary => {
            if let (Some(col), true) = (column, c.keys.is_empty()) {
                c.keys.push(col_node(col));
            }
            let columns = strings(&c.keys);
            let using_index = non_empty(&c.indexname);
            if c.contype == T::ConstrUnique as i32 {
                ConstraintKind::Unique {
                    columns,
                    using_index,
                }
            } else {
                ConstraintKind::PrimaryKey {
                    columns,
                    using_index,
                }
            }
        }
        T::ConstrExclusion => ConstraintKind::Exclude,
        T::ConstrNotnull => ConstraintKind::NotNull {
            column: strings(&c.keys)
                .into_iter()
                .next()
                .or_else(|| column.map(str::to_owned))?,
        },
        _ => return None,
    };
    Some(ConstraintSpec {
        name: non_empty(&c.conname),
        sql: match render {
            Render::Sql => deparse::constraint(&c).unwrap_or_else(|| "<constraint>".to_owned()),
            Render::Skip => String::new(),
        },
        kind,
        not_valid: c.skip_validation,
    })
}

fn column_spec(def: &protobuf::ColumnDef, render: Render) -> ColumnSpec {
    use protobuf::ConstrType as T;
    let mut spec = ColumnSpec {
        name: def.colname.clone(),
        type_spec: def
            .type_name
            .as_ref()
            .map(type_spec)
            .unwrap_or_else(|| TypeSpec::new("", Vec::new(), false, "")),
        not_null: def.is_not_null,
        default: def.raw_default.as_deref().map(|e| expression_as(e, render)),
        generated_stored: None,
        identity: !def.identity.is_empty(),
        constraints: Vec::new(),
    };
    for node in &def.constraints {
        let Some(N::Constraint(c)) = &node.node else {
            continue;
        };
        match T::try_from(c.contype) {
            Ok(T::ConstrNotnull) => spec.not_null = true,
            Ok(T::ConstrNull) => spec.not_null = false,
            Ok(T::ConstrDefault) => {
                spec.default = c.raw_expr.as_deref().map(|e| expression_as(e, render))
            }
            Ok(T::ConstrIdentity) => spec.identity = true,
            Ok(T::ConstrGenerated) => {
                // PostgreSQL 18 adds VIRTUAL generated columns (the default there), which are
                // computed on read: only STORED ones are written into every row.
                if c.generated_kind != "v" {
                    spec.generated_stored = c.raw_expr.as_deref().map(|e| expression_as(e, render));
                }
            }
            Ok(T::ConstrPrimary) => {
                spec.not_null = true;
                spec.constraints
                    .extend(constraint_spec(c, Some(&def.colname), render));
            }
            _ => spec
                .constraints
                .extend(constraint_spec(c, Some(&def.colname), render)),
        }
    }
    spec
}

fn create_table(s: &protobuf::CreateStmt) -> Change {
    let Some(rel) = &s.relation else {
        return Change::Other {
            tag: "CreateStmt".to_owned(),
        };
    };
    let mut columns = Vec::new();
    let mut constraints = Vec::new();
    for elt in &s.table_elts {
        match &elt.node {
            Some(N::ColumnDef(def)) => columns.push(column_spec(def, Render::Skip)),
            Some(N::Constraint(c)) => constraints.extend(constraint_spec(c, None, Render::Skip)),
            _ => {}
        }
    }
    Change::CreateTable {
        table: range_var(rel),
        columns,
        constraints,
        partition_of: s
            .partbound
            .as_ref()
            .and_then(|_| s.inh_relations.first())
            .and_then(node_range_var),
        if_not_exists: s.if_not_exists,
    }
}

fn alter_table(s: &protobuf::AlterTableStmt) -> Change {
    use protobuf::AlterTableType as A;
    let Some(rel) = &s.relation else {
        return Change::Other {
            tag: "AlterTableStmt".to_owned(),
        };
    };
    if s.objtype != protobuf::ObjectType::ObjectTable as i32 {
        return Change::Other {
            tag: format!(
                "ALTER {}",
                protobuf::ObjectType::try_from(s.objtype)
                    .map(|t| format!("{t:?}").trim_start_matches("Object").to_uppercase())
                    .unwrap_or_default()
            ),
        };
    }
    let table = range_var(rel);
    let mut actions = Vec::new();
    for cmd in &s.cmds {
        let Some(N::AlterTableCmd(cmd)) = &cmd.node else {
            continue;
        };
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        let column = cmd.name.clone();
        let action = match A::try_from(cmd.subtype) {
            Ok(A::AtAddColumn) => match def {
                Some(N::ColumnDef(d)) => AlterAction::AddColumn {
                    column: column_spec(d, Render::Sql),
                    if_not_exists: cmd.missing_ok,
                },
                _ => continue,
            },
            Ok(A::AtDropColumn) => AlterAction::DropColumn { column },
            Ok(A::AtAlterColumnType) => match def {
                Some(N::ColumnDef(d)) => AlterAction::AlterColumnType {
                    column,
                    new_type: d
                        .type_name
                        .as_ref()
                        .map(type_spec)
                        .unwrap_or_else(|| TypeSpec::new("", Vec::new(), false, "")),
                    using: d.raw_default.as_deref().map(expression),
                },
                _ => continue,
            },
            Ok(A::AtSetNotNull) => AlterAction::SetNotNull { column },
            Ok(A::AtDropNotNull) => AlterAction::DropNotNull { column },
            Ok(A::AtColumnDefault) => match cmd.def.as_deref() {
                Some(d) => AlterAction::SetDefault {
                    column,
                    default: expression(d),
                },
                None => AlterAction::DropDefault { column },
            },
            Ok(A::AtAddConstraint) => match def {
                Some(N::Constraint(c)) => match constraint_spec(c, None, Render::Sql) {
                    Some(spec) => AlterAction::AddConstraint(spec),
                    None => continue,
                },
                _ => continue,
            },
            Ok(A::AtValidateConstraint) => AlterAction::ValidateConstraint { name: column },
            Ok(A::AtDropConstraint) => AlterAction::DropConstraint { name: column },
            Ok(A::AtAttachPartition) => match def {
                Some(N::PartitionCmd(p)) => match &p.name {
                    Some(name) => AlterAction::AttachPartition {
                        partition: range_var(name),
                    },
                    None => continue,
                },
                _ => continue,
            },
            Ok(A::AtDetachPartition) => match def {
                Some(N::PartitionCmd(p)) => match &p.name {
                    Some(name) => AlterAction::DetachPartition {
                        partition: range_var(name),
                        concurrently: p.concurrent,
                    },
                    None => continue,
                },
                _ => continue,
            },
            Ok(A::AtSetLogged) => AlterAction::SetLogged,
            Ok(A::AtSetUnLogged) => AlterAction::SetUnlogged,
            Ok(other) => AlterAction::Other {
                description: format!("{other:?}").trim_start_matches("At").to_owned(),
            },
            Err(_) => continue,
        };
        actions.push(action);
    }
    Change::AlterTable { table, actions }
}

fn drop(s: &protobuf::DropStmt, node: &N) -> Change {
    use protobuf::ObjectType as O;
    let names: Vec<QualifiedName> = s
        .objects
        .iter()
        .filter_map(|o| match &o.node {
            Some(N::List(l)) => Some(qualified(&strings(&l.items))),
            Some(N::String(name)) => Some(QualifiedName::unqualified(&name.sval)),
            _ => None,
        })
        .collect();
    match O::try_from(s.remove_type) {
        Ok(O::ObjectTable) => Change::DropTable { tables: names },
        Ok(O::ObjectIndex) => Change::DropIndex {
            indexes: names,
            concurrently: s.concurrent,
            if_exists: s.missing_ok,
        },
        _ => other(node),
    }
}

fn reindex(s: &protobuf::ReindexStmt, node: &N) -> Change {
    use protobuf::ReindexObjectType as R;
    let kind = match R::try_from(s.kind) {
        Ok(R::ReindexObjectIndex) => ReindexKind::Index,
        Ok(R::ReindexObjectTable) => ReindexKind::Table,
        Ok(R::ReindexObjectSchema) => ReindexKind::Schema,
        Ok(R::ReindexObjectDatabase) => ReindexKind::Database,
        Ok(R::ReindexObjectSystem) => ReindexKind::System,
        _ => return other(node),
    };
    let name = match &s.relation {
        Some(rel) => range_var(rel),
        None => QualifiedName::unqualified(&s.name),
    };
    let concurrently = s.params.iter().any(|p| match &p.node {
        Some(N::DefElem(d)) => d.defname == "concurrently" && def_bool(d),
        _ => false,
    });
    Change::Reindex {
        kind,
        name,
        concurrently,
    }
}

fn rename(s: &protobuf::RenameStmt, node: &N) -> Change {
    use protobuf::ObjectType as O;
    let Some(rel) = &s.relation else {
        return other(node);
    };
    let table = range_var(rel);
    match O::try_from(s.rename_type) {
        Ok(O::ObjectTable) => Change::RenameTable {
            table,
            new_name: s.newname.clone(),
        },
        Ok(O::ObjectColumn) if s.relation_type == O::ObjectTable as i32 => Change::RenameColumn {
            table,
            column: s.subname.clone(),
            new_name: s.newname.clone(),
        },
        Ok(O::ObjectTabconstraint) => Change::RenameConstraint { table },
        _ => other(node),
    }
}
