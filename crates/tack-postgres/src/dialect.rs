//! [`Postgres`]: the PostgreSQL front end and rule base behind the core's [`Dialect`] seam.

use crate::changes::{self, RuleId};
use crate::lock::LockMode;
use crate::sql::PgName;
use tack_core::plan::{Plan, PlanOptions};
use tack_core::{
    AlterAction, Assessment, Catalog, Change, Context, Dialect, Engine, ParsedFile, QualifiedName,
    RuleInfo, Statement,
};

/// PostgreSQL's dialect: parse with the real grammar, judge with the rule base, plan with the
/// recipes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    type Lock = LockMode;

    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    fn parse(&self, text: &str) -> ParsedFile {
        crate::front_end::parse(text)
    }

    fn rules(&self) -> &'static [RuleInfo] {
        changes::RULES
    }

    fn assess(&self, change: &Change, ctx: &Context) -> Assessment<LockMode> {
        changes::assess(change, ctx)
    }

    fn outside_transaction_only(&self, change: &Change) -> Option<(&'static RuleInfo, String)> {
        let what = match change {
            Change::CreateIndex {
                concurrently: true, ..
            } => "CREATE INDEX CONCURRENTLY",
            Change::DropIndex {
                concurrently: true, ..
            } => "DROP INDEX CONCURRENTLY",
            Change::Reindex {
                concurrently: true, ..
            } => "REINDEX CONCURRENTLY",
            Change::AlterTable { actions, .. }
                if actions.iter().any(|a| {
                    matches!(
                        a,
                        AlterAction::DetachPartition {
                            concurrently: true,
                            ..
                        }
                    )
                }) =>
            {
                "DETACH PARTITION CONCURRENTLY"
            }
            _ => return None,
        };
        Some((RuleId::ConcurrentlyInTransaction.info(), what.to_owned()))
    }

    fn ddl_commits_implicitly(&self) -> bool {
        false
    }

    fn with_lock_timeout(&self, statement: &str) -> String {
        format!("SET lock_timeout = '1s';\n{statement}")
    }

    fn quote_name(&self, name: &QualifiedName) -> String {
        name.sql()
    }

    fn empty_catalog(&self, connected: bool) -> Catalog {
        Catalog::new(connected, "public", crate::builtins::builtin_volatility)
    }

    fn plan(
        &self,
        migration: &str,
        statements: &[Statement],
        catalog: &mut Catalog,
        options: &PlanOptions,
    ) -> Plan {
        crate::planner::plan(migration, statements, catalog, options)
    }
}
