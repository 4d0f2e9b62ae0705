//! The PostgreSQL rule base and its recipes, one kind of change per module: `create_table`,
//! `add_column`, `not_null`, `constraints`, `indexes`, `column_type`, `renames_drops`,
//! `partitions`, `rebuilds`, `enums`, `dml`, `session` (transactions, lock timeouts), `opaque`
//! (what tack cannot see into). Each module holds, for its kind of change:
//!
//! * the **mapping** — `map*`: from pg_query's parse tree to the core's [`Change`] (the syntax
//!   layer, `crate::syntax`, only splits, parses and places statements);
//! * the **rule** — `assess`: the [`Effect`] the server is claimed to have (lock, rewrite, scan;
//!   proven against real servers by `tests/proven_rules.rs`) and the verdicts the linter reports;
//! * the **recipe** — the safe sequence of steps, written once ([`recipe::Recipe`]) and used both
//!   as the linter's fix and by the planner;
//! * the **plan expansion** — `plan`: how the planner turns the statement into steps;
//! * the **undo** of the statement run as written (how `tack rollback` reverses it);
//! * their unit tests.
//!
//! `registry` lists the rules (what `docs/rules.md` is generated from); `probes` holds the
//! catalog queries that tell whether a step is done. Transaction-level rules (locks held across
//! statements, a missing lock timeout) are the core linter's, which owns that state.

pub mod add_column;
pub mod column_type;
pub mod constraints;
pub mod create_table;
pub mod dml;
pub mod enums;
pub mod indexes;
pub mod not_null;
pub mod opaque;
pub mod partitions;
pub mod probes;
pub mod rebuilds;
pub mod recipe;
mod registry;
pub mod renames_drops;
pub mod session;

pub use column_type::type_change_rewrites;
pub use registry::{RuleId, RULES};

use crate::lock::LockMode;
use crate::syntax::nodes;
use pg_query::protobuf::{self, node::Node as N};
use tack_core::plan::Undo;
use tack_core::{AlterAction, Change, Context, QualifiedName};

/// Maps one top-level statement of pg_query's parse tree to a [`Change`], by its kind.
pub fn map(node: &N) -> Change {
    match node {
        N::AlterTableStmt(s) => map_alter_table(s),
        N::CreateStmt(s) => create_table::map_create(s),
        N::CreateTableAsStmt(s) => {
            create_table::map_create_as(s).unwrap_or_else(|| opaque::map_other(node))
        }
        N::IndexStmt(s) => indexes::map_create(s, node),
        N::DropStmt(s) => renames_drops::map_drop(s, node),
        N::ReindexStmt(s) => indexes::map_reindex(s, node),
        N::RenameStmt(s) => renames_drops::map_rename(s, node),
        N::TruncateStmt(s) => rebuilds::map_truncate(s),
        N::VacuumStmt(s) => rebuilds::map_vacuum(s, node),
        N::ClusterStmt(s) => rebuilds::map_cluster(s),
        N::AlterEnumStmt(s) => enums::map(s, node),
        N::UpdateStmt(s) => dml::map_update(s, node),
        N::DeleteStmt(s) => dml::map_delete(s, node),
        N::CreateFunctionStmt(s) => opaque::map_create_function(s),
        N::TransactionStmt(s) => session::map_transaction(s, node),
        N::VariableSetStmt(s) if s.name == "lock_timeout" => session::map_lock_timeout(s),
        _ => opaque::map_other(node),
    }
}

/// Maps `ALTER TABLE`: each action by the module of its kind.
fn map_alter_table(s: &protobuf::AlterTableStmt) -> Change {
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
    let table = nodes::range_var(rel);
    let mut actions = Vec::new();
    for cmd in &s.cmds {
        let Some(N::AlterTableCmd(cmd)) = &cmd.node else {
            continue;
        };
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        let column = cmd.name.clone();
        let action = match A::try_from(cmd.subtype) {
            Ok(A::AtAddColumn) => add_column::map_add(def, cmd.missing_ok),
            Ok(A::AtDropColumn) => Some(AlterAction::DropColumn { column }),
            Ok(A::AtAlterColumnType) => column_type::map(column, def),
            Ok(A::AtSetNotNull) => Some(AlterAction::SetNotNull { column }),
            Ok(A::AtDropNotNull) => Some(AlterAction::DropNotNull { column }),
            Ok(A::AtColumnDefault) => Some(not_null::map_default(column, cmd.def.as_deref())),
            Ok(A::AtAddConstraint) => constraints::map_add(def),
            Ok(A::AtValidateConstraint) => Some(AlterAction::ValidateConstraint { name: column }),
            Ok(A::AtDropConstraint) => Some(AlterAction::DropConstraint { name: column }),
            Ok(A::AtAttachPartition) => partitions::map(def, true),
            Ok(A::AtDetachPartition) => partitions::map(def, false),
            Ok(A::AtSetLogged) => Some(AlterAction::SetLogged),
            Ok(A::AtSetUnLogged) => Some(AlterAction::SetUnlogged),
            Ok(other) => Some(AlterAction::Other {
                description: format!("{other:?}").trim_start_matches("At").to_owned(),
            }),
            Err(_) => None,
        };
        actions.extend(action);
    }
    Change::AlterTable { table, actions }
}

/// What a statement does to one table, in PostgreSQL's lock modes.
pub type Effect = tack_core::Effect<LockMode>;
/// Effects plus verdicts for one statement.
pub type Assessment = tack_core::Assessment<LockMode>;
pub use tack_core::Verdict;

/// How a kind of change is made safe, as the planner is told: run the statement as written
/// (why), run a recipe instead, let the rule base judge it (as written when nothing is wrong,
/// else refused with the rule's fix), or refuse it outright.
#[derive(Debug)]
pub enum Planned {
    /// Statements the executor owns (transaction control, lock timeouts): nothing to run.
    Nothing,
    AsWritten(&'static str),
    Recipe(recipe::Recipe),
    Judge,
    Refuse {
        rule: &'static tack_core::RuleInfo,
        reason: String,
        recipe: Option<String>,
    },
}

/// The planner's question for one statement: how is it made safe?
pub fn plan(stmt: &tack_core::Statement, ctx: &Context) -> Planned {
    match stmt.change {
        // The executor owns transactions and timeouts: each step gets its own.
        Change::Begin | Change::Commit | Change::Rollback | Change::SetLockTimeout { .. } => {
            Planned::Nothing
        }
        Change::AlterTable { table, actions } if !ctx.is_new(table) => match actions.as_slice() {
            [action] => match action {
                AlterAction::AddColumn { column, .. } => add_column::plan(ctx, table, column),
                AlterAction::SetNotNull { column } => not_null::plan(ctx, table, action, column),
                AlterAction::AddConstraint(spec) => constraints::plan(ctx, stmt, table, spec),
                _ => Planned::Judge,
            },
            _ if actions.iter().all(|a| is_cheap(ctx, table, a)) => {
                Planned::AsWritten("metadata-only changes, run together with the lock timeout")
            }
            _ => Planned::Refuse {
                rule: tack_core::rule::generic::RuleId::LockHeldAcrossStatements.info(),
                reason: "several actions in one ALTER TABLE hold one AccessExclusiveLock for all \
                         of them, and at least one scans or rewrites"
                    .to_owned(),
                recipe: Some(
                    "-- write one ALTER TABLE statement per action; tack then plans each safely"
                        .to_owned(),
                ),
            },
        },
        Change::CreateIndex { .. } | Change::DropIndex { .. } | Change::Reindex { .. } => {
            indexes::plan(ctx, stmt)
        }
        Change::Update { .. } => dml::plan(ctx, stmt),
        _ => Planned::Judge,
    }
}

/// True when the action is metadata-only on this version and catalog.
pub fn is_cheap(ctx: &Context, table: &QualifiedName, action: &AlterAction) -> bool {
    let change = Change::AlterTable {
        table: table.clone(),
        actions: vec![action.clone()],
    };
    assess(&change, ctx)
        .effects
        .iter()
        .all(|e| !e.scan && !e.rewrite)
}

/// Judges one statement. Transaction-scoped rules are the linter's.
pub fn assess(change: &Change, ctx: &Context) -> Assessment {
    let mut out = Assessment::default();
    match change {
        Change::AlterTable { table, actions } => {
            for action in actions {
                assess_action(table, action, ctx, &mut out);
            }
        }
        Change::CreateTable {
            table,
            constraints,
            columns,
            ..
        } => create_table::assess(table, columns, constraints, &mut out),
        Change::CreateIndex { .. } | Change::DropIndex { .. } | Change::Reindex { .. } => {
            indexes::assess(change, ctx, &mut out)
        }
        Change::RenameTable { .. }
        | Change::RenameColumn { .. }
        | Change::DropTable { .. }
        | Change::RenameConstraint { .. } => renames_drops::assess(change, ctx, &mut out),
        Change::Truncate { .. } | Change::VacuumFull { .. } | Change::Cluster { .. } => {
            rebuilds::assess(change, ctx, &mut out)
        }
        Change::AlterEnumAddValue { .. } => enums::assess(change, ctx, &mut out),
        Change::Update { .. } | Change::Delete { .. } => dml::assess(change, ctx, &mut out),
        Change::CreateTableAs { .. }
        | Change::CreateFunction { .. }
        | Change::Begin
        | Change::Commit
        | Change::Rollback
        | Change::SetLockTimeout { .. }
        | Change::Other { .. } => {}
    }
    out
}

fn assess_action(table: &QualifiedName, action: &AlterAction, ctx: &Context, out: &mut Assessment) {
    match action {
        AlterAction::AddColumn { column, .. } => add_column::assess(table, column, ctx, out),
        AlterAction::SetNotNull { column } => not_null::assess_set(table, column, ctx, out),
        AlterAction::DropNotNull { .. }
        | AlterAction::SetDefault { .. }
        | AlterAction::DropDefault { .. }
        | AlterAction::DropConstraint { .. }
        | AlterAction::Other { .. } => {
            out.push_effect(Effect::new(table, LockMode::AccessExclusive))
        }
        AlterAction::AddConstraint(spec) => constraints::assess_add(table, spec, ctx, out),
        AlterAction::ValidateConstraint { .. } => constraints::assess_validate(table, out),
        AlterAction::AlterColumnType {
            column,
            new_type,
            using,
        } => column_type::assess(table, column, new_type, using.as_ref(), ctx, out),
        AlterAction::DropColumn { column } => {
            renames_drops::assess_drop_column(table, column, ctx, out)
        }
        AlterAction::AttachPartition { partition } => {
            partitions::assess_attach(table, partition, ctx, out)
        }
        AlterAction::DetachPartition {
            partition,
            concurrently,
        } => partitions::assess_detach(table, partition, *concurrently, ctx, out),
        AlterAction::SetLogged | AlterAction::SetUnlogged => {
            rebuilds::assess_set_logged(table, action, ctx, out)
        }
    }
}

/// The claimed effects of a statement: what the proof tests compare with the server.
pub fn effects(change: &Change, ctx: &Context) -> Vec<Effect> {
    assess(change, ctx).effects
}

/// A catalog query that says whether a statement run as written has already taken effect (so a
/// resumed or re-planned migration does not run it twice); None when the catalog cannot tell
/// (data changes, functions, views).
pub fn done_probe(change: &Change) -> Option<String> {
    match change {
        Change::CreateTable { table, .. } | Change::CreateTableAs { table } => {
            Some(probes::relation_exists(table))
        }
        Change::AlterTable { table, actions } => match actions.as_slice() {
            [action] => done_probe_action(table, action),
            _ => None,
        },
        Change::CreateIndex {
            name: Some(name),
            table,
            ..
        } => Some(probes::index_valid(&table.sibling(name))),
        Change::DropIndex { indexes, .. } | Change::DropTable { tables: indexes } => {
            Some(probes::all(
                &indexes
                    .iter()
                    .map(probes::relation_absent)
                    .collect::<Vec<_>>(),
            ))
        }
        Change::RenameTable { table, new_name } => Some(probes::all(&[
            probes::relation_absent(table),
            probes::relation_exists(&table.sibling(new_name)),
        ])),
        Change::RenameColumn {
            table,
            column,
            new_name,
        } => Some(probes::all(&[
            probes::column_absent(table, column),
            probes::column_exists(table, new_name),
        ])),
        _ => None,
    }
}

fn done_probe_action(table: &QualifiedName, action: &AlterAction) -> Option<String> {
    Some(match action {
        AlterAction::AddColumn { column, .. } => probes::column_exists(table, &column.name),
        AlterAction::DropColumn { column } => probes::column_absent(table, column),
        AlterAction::SetNotNull { column } => probes::column_not_null(table, column),
        AlterAction::DropNotNull { column } => probes::column_nullable(table, column),
        AlterAction::AddConstraint(spec) => {
            probes::constraint_exists(table, &recipe::name_of(table, spec))
        }
        AlterAction::ValidateConstraint { name } => probes::constraint_validated(table, name),
        AlterAction::DropConstraint { name } => probes::constraint_absent(table, name),
        _ => return None,
    })
}

/// How `tack rollback` reverses a statement that ran as written.
pub fn undo(change: &Change, ctx: &Context) -> Undo {
    match change {
        Change::AlterTable { table, actions } => {
            // Several actions: undone together, newest first, in one statement.
            let mut parts = Vec::new();
            for action in actions.iter().rev() {
                match undo_action(table, action, ctx) {
                    Undo::Nothing => {}
                    Undo::Sql { sql, .. } => parts.push(sql),
                    irreversible @ Undo::Irreversible { .. } => return irreversible,
                }
            }
            if parts.is_empty() {
                Undo::Nothing
            } else {
                Undo::Sql {
                    sql: parts.join(";\n"),
                    transactional: true,
                }
            }
        }
        Change::CreateTable { .. } | Change::CreateTableAs { .. } => create_table::undo(change),
        Change::CreateIndex { .. } | Change::DropIndex { .. } | Change::Reindex { .. } => {
            indexes::undo(change)
        }
        Change::RenameTable { .. }
        | Change::RenameColumn { .. }
        | Change::DropTable { .. }
        | Change::RenameConstraint { .. } => renames_drops::undo(change),
        Change::Truncate { .. } | Change::VacuumFull { .. } | Change::Cluster { .. } => {
            rebuilds::undo(change)
        }
        Change::AlterEnumAddValue { .. } => enums::undo(change),
        Change::Update { .. } | Change::Delete { .. } => dml::undo(change),
        Change::Begin | Change::Commit | Change::Rollback | Change::SetLockTimeout { .. } => {
            Undo::Nothing
        }
        Change::CreateFunction { .. } | Change::Other { .. } => opaque::undo(change),
    }
}

fn undo_action(table: &QualifiedName, action: &AlterAction, ctx: &Context) -> Undo {
    match action {
        AlterAction::AddColumn { .. } => add_column::undo(table, action),
        AlterAction::SetNotNull { .. }
        | AlterAction::DropNotNull { .. }
        | AlterAction::SetDefault { .. }
        | AlterAction::DropDefault { .. } => not_null::undo(table, action, ctx),
        AlterAction::AddConstraint(_)
        | AlterAction::ValidateConstraint { .. }
        | AlterAction::DropConstraint { .. } => constraints::undo(table, action),
        AlterAction::AlterColumnType { .. } => column_type::undo(),
        AlterAction::DropColumn { .. } => renames_drops::undo_drop_column(),
        AlterAction::AttachPartition { .. } | AlterAction::DetachPartition { .. } => {
            partitions::undo(table, action)
        }
        AlterAction::SetLogged | AlterAction::SetUnlogged => rebuilds::undo_set_logged(),
        AlterAction::Other { description } => Undo::Irreversible {
            reason: format!("tack cannot tell how to reverse `{description}`"),
        },
    }
}

/// Helpers for the unit tests beside each change: parse with the real front end, judge and plan
/// offline (or with a table's index known), on a given major version.
#[cfg(test)]
pub(crate) mod test_support {
    use super::Assessment;
    use crate::Postgres;
    use tack_core::plan::{Plan, PlanOptions};
    use tack_core::{Catalog, Context, Dialect, IndexFacts, Statement, TableFacts, Version};

    fn catalog() -> Catalog {
        Postgres.empty_catalog(false)
    }

    /// Parses `sql` (one or more statements; panics on a syntax error).
    fn parsed(sql: &str) -> tack_core::ParsedFile {
        let parsed = Postgres.parse(sql);
        assert!(parsed.errors.is_empty(), "{sql}: {:?}", parsed.errors);
        parsed
    }

    /// The last statement of `run`, judged after the ones before it (which the catalog learns).
    pub fn assess_run_in(run: &[&str], major: u32, mut catalog: Catalog) -> Assessment {
        let mut last = Assessment::default();
        for sql in run {
            let parsed = parsed(sql);
            for stmt in &parsed.statements {
                let ctx = Context {
                    version: Version::new(major, 0),
                    catalog: &catalog,
                    in_transaction: false,
                };
                last = super::assess(&stmt.change, &ctx);
                catalog.record(&stmt.change);
            }
        }
        last
    }

    pub fn assess_run(run: &[&str], major: u32) -> Assessment {
        assess_run_in(run, major, catalog())
    }

    pub fn assess_sql(sql: &str, major: u32) -> Assessment {
        assess_run(&[sql], major)
    }

    /// Judged with `table` known to have the index `index` (and rows).
    pub fn assess_with_index(sql: &str, table: &str, index: &str) -> Assessment {
        let mut catalog = catalog();
        catalog.insert_table(
            "public",
            table,
            TableFacts {
                indexes: vec![IndexFacts {
                    name: index.to_owned(),
                    unique: false,
                    primary: false,
                    valid: true,
                    columns: vec!["user_id".to_owned()],
                }],
                ..TableFacts::default()
            },
        );
        assess_run_in(&[sql], 15, catalog)
    }

    /// The plan of `sql` with `rule` allowed (`--allow rule`).
    pub fn plan_allowing(sql: &str, rule: &str) -> Plan {
        plan_with(sql, 15, &[rule])
    }

    /// The plan of a one-file migration `V1__test.sql` holding `sql`.
    pub fn plan_sql(sql: &str, major: u32) -> Plan {
        plan_with(sql, major, &[])
    }

    fn plan_with(sql: &str, major: u32, allow: &[&str]) -> Plan {
        let parsed = parsed(sql);
        let statements = Statement::all(sql, &parsed);
        let mut catalog = catalog();
        Postgres.plan(
            "V1__test.sql",
            &statements,
            &mut catalog,
            &PlanOptions {
                version: Version::new(major, 0),
                allow: allow.iter().map(|a| a.to_string()).collect(),
            },
        )
    }
}
