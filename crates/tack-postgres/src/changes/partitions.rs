//! ATTACH / DETACH PARTITION.

use super::{Assessment, Effect, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::{quote_ident, PgName};
use crate::syntax::nodes;
use pg_query::protobuf::node::Node as N;
use tack_core::plan::Undo;
use tack_core::{AlterAction, ConstraintType, Context, QualifiedName};
/// Maps `ATTACH PARTITION` / `DETACH PARTITION [CONCURRENTLY]`.
pub fn map(def: Option<&N>, attach: bool) -> Option<AlterAction> {
    let Some(N::PartitionCmd(p)) = def else {
        return None;
    };
    let partition = nodes::range_var(p.name.as_ref()?);
    Some(if attach {
        AlterAction::AttachPartition { partition }
    } else {
        AlterAction::DetachPartition {
            partition,
            concurrently: p.concurrent,
        }
    })
}

pub fn assess_attach(
    parent: &QualifiedName,
    partition: &QualifiedName,
    ctx: &Context,
    out: &mut Assessment,
) {
    // From 12 the parent is locked ShareUpdateExclusive; before, AccessExclusive.
    let parent_lock = if ctx.version.at_least(12) {
        LockMode::ShareUpdateExclusive
    } else {
        LockMode::AccessExclusive
    };
    let facts = ctx.table(partition);
    // A validated CHECK on the partition may imply the bound; tack cannot prove implication
    // itself, so any validated CHECK known on the partition is taken as the matching one.
    let has_check = facts.is_some_and(|f| {
        f.constraints
            .iter()
            .any(|c| c.kind == ConstraintType::Check && c.validated)
    });
    let empty = ctx.is_new(partition);
    let mut effect = Effect::new(parent, parent_lock).also(partition, LockMode::AccessExclusive);
    if !has_check && !empty {
        effect = effect.scan();
    }
    out.push_effect(effect);
    if has_check || empty || ctx.is_new(parent) {
        return;
    }
    let p = partition.sql();
    let check = partition.sibling(&format!("{}_bound", partition.name));
    let mut v = Verdict::new(
        RuleId::AttachPartition,
        format!("attaching {p} scans it to check the partition bound while it is locked AccessExclusive"),
        Some(format!(
            "ALTER TABLE {p} ADD CONSTRAINT {c} CHECK (<the partition bound as a condition>) NOT VALID;\n\
             ALTER TABLE {p} VALIDATE CONSTRAINT {c};\n\
             ALTER TABLE {} ATTACH PARTITION {p} FOR VALUES …;  -- no scan: the check implies the bound\n\
             ALTER TABLE {p} DROP CONSTRAINT {c};",
            parent.sql(),
            c = quote_ident(&check.name)
        )),
    );
    if !ctx.catalog.connected {
        v = v.assuming("no validated CHECK on the partition implies the bound (not connected)");
    }
    out.verdicts.push(v);
}

pub fn assess_detach(
    parent: &QualifiedName,
    partition: &QualifiedName,
    concurrently: bool,
    ctx: &Context,
    out: &mut Assessment,
) {
    if concurrently {
        out.push_effect(
            Effect::new(parent, LockMode::ShareUpdateExclusive)
                .also(partition, LockMode::AccessExclusive),
        );
        return;
    }
    out.push_effect(
        Effect::new(parent, LockMode::AccessExclusive).also(partition, LockMode::AccessExclusive),
    );
    if ctx.is_new(parent) {
        return;
    }
    let fix = if ctx.version.at_least(14) {
        format!(
            "-- outside a transaction block:\nALTER TABLE {} DETACH PARTITION {} CONCURRENTLY;",
            parent.sql(),
            partition.sql()
        )
    } else {
        "-- before 14 a detach always locks the parent AccessExclusive: run it with SET lock_timeout = '1s' and retry"
            .to_owned()
    };
    out.verdicts.push(Verdict::new(
        RuleId::DetachPartition,
        format!(
            "detaching {} locks {} AccessExclusive: every query on it waits",
            partition.sql(),
            parent.sql()
        ),
        Some(fix),
    ));
}

/// Undoing ATTACH (detach it again) and DETACH (its bound is not kept).
pub fn undo(parent: &QualifiedName, action: &AlterAction) -> Undo {
    match action {
        AlterAction::AttachPartition { partition } => Undo::Sql {
            sql: format!(
                "ALTER TABLE {} DETACH PARTITION {}",
                parent.sql(),
                partition.sql()
            ),
            transactional: true,
        },
        _ => Undo::Irreversible {
            reason: "tack does not keep the partition bound to attach it again".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;

    #[test]
    fn attach_scans_the_partition_and_locks_the_parent_lightly_from_12() {
        let sql = "ALTER TABLE pt ATTACH PARTITION pt_2 FOR VALUES FROM (10) TO (20)";
        let a = assess_sql(sql, 15);
        assert_eq!(a.verdicts[0].rule.name, "attach-partition-scan");
        let e = &a.effects[0];
        assert_eq!(
            e.lock.map(|l| l.pg_name()),
            Some("ShareUpdateExclusiveLock")
        );
        assert!(e.scan);
        assert_eq!(e.also_locks[0].1.pg_name(), "AccessExclusiveLock");
        let old = assess_sql(sql, 11);
        assert_eq!(
            old.effects[0].lock.map(|l| l.pg_name()),
            Some("AccessExclusiveLock")
        );
    }

    #[test]
    fn detach_is_refused_before_concurrently_exists() {
        let a = assess_sql("ALTER TABLE pt DETACH PARTITION pt_1", 15);
        assert!(a.verdicts[0]
            .fix
            .as_deref()
            .unwrap()
            .contains("CONCURRENTLY"));
        let a = assess_sql("ALTER TABLE pt DETACH PARTITION pt_1", 13);
        assert!(!a.verdicts[0]
            .fix
            .as_deref()
            .unwrap()
            .contains("DETACH PARTITION pt_1 CONCURRENTLY"));
        assert!(
            assess_sql("ALTER TABLE pt DETACH PARTITION pt_1 CONCURRENTLY", 15)
                .verdicts
                .is_empty()
        );
    }
}
