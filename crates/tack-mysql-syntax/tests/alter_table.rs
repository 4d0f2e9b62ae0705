//! `ALTER TABLE`: every operation, MariaDB extensions, and how operations are separated.

mod common;

use common::{alter_table, specs};
use tack_mysql_syntax::{
    AlterAlgorithm, AlterColumnAction, AlterLock, AlterSpecKind, ColumnPosition, DefaultKind,
    DropBehavior, IndexKind, IndexVisibility, LockWait, PartitionAction,
};

#[test]
fn mariadb_online_alter_with_wait_and_nocopy() {
    let alter = alter_table(
        "ALTER ONLINE IGNORE TABLE IF EXISTS shop.orders WAIT 5 \
         ADD COLUMN IF NOT EXISTS note TEXT NULL AFTER status, ALGORITHM=NOCOPY, LOCK=NONE",
    );
    assert!(alter.online && alter.ignore && alter.if_exists);
    assert_eq!(alter.name.to_string(), "shop.orders");
    assert_eq!(alter.wait, Some(LockWait::Wait("5".into())));
    assert_eq!(alter.wait.as_ref().unwrap().seconds(), Some(5.0));
    assert_eq!(alter.algorithm(), Some(AlterAlgorithm::Nocopy));
    assert_eq!(alter.lock(), Some(AlterLock::None));
    let AlterSpecKind::AddColumn {
        if_not_exists,
        column,
        position,
    } = &alter.specs[0].kind
    else {
        panic!("{:?}", alter.specs[0]);
    };
    assert!(*if_not_exists);
    assert_eq!(column.name.value, "note");
    assert_eq!(column.data_type.name, "text");
    assert!(matches!(position, Some(ColumnPosition::After(c)) if c.value == "status"));
    assert_eq!(
        alter.specs[0].span.text("ALTER ONLINE IGNORE TABLE IF EXISTS shop.orders WAIT 5 ADD COLUMN IF NOT EXISTS note TEXT NULL AFTER status, ALGORITHM=NOCOPY, LOCK=NONE"),
        "ADD COLUMN IF NOT EXISTS note TEXT NULL AFTER status"
    );
    assert_eq!(
        alter_table("ALTER TABLE t NOWAIT FORCE").wait,
        Some(LockWait::NoWait)
    );
}

#[test]
fn add_forms() {
    let s = specs(
        "ALTER TABLE t ADD a INT FIRST, ADD COLUMN (b INT, c INT, INDEX (b)), \
         ADD INDEX IF NOT EXISTS idx_a USING BTREE (a) COMMENT 'x' INVISIBLE KEY_BLOCK_SIZE=4, \
         ADD KEY (c), ADD UNIQUE (a, b), ADD CONSTRAINT uq UNIQUE KEY uq_idx (c), \
         ADD PRIMARY KEY (a), ADD FULLTEXT INDEX ft (b), ADD SPATIAL KEY sp (c), \
         ADD CONSTRAINT fk FOREIGN KEY IF NOT EXISTS (a) REFERENCES u (id) ON DELETE RESTRICT, \
         ADD FOREIGN KEY (b) REFERENCES db.u (id), ADD CONSTRAINT chk CHECK (a > 0), \
         ADD CHECK (b < 5), ADD IF NOT EXISTS d DATE",
    );
    assert!(matches!(
        &s[0],
        AlterSpecKind::AddColumn {
            position: Some(ColumnPosition::First),
            ..
        }
    ));
    let AlterSpecKind::AddColumns {
        columns, indexes, ..
    } = &s[1]
    else {
        panic!()
    };
    assert_eq!(columns.len(), 2);
    assert_eq!(indexes.len(), 1);
    let AlterSpecKind::AddIndex(index) = &s[2] else {
        panic!()
    };
    assert!(index.if_not_exists);
    assert_eq!(index.name.as_ref().unwrap().value, "idx_a");
    assert_eq!(index.options.visibility, Some(IndexVisibility::Invisible));
    assert_eq!(index.options.key_block_size, Some(4));
    let kinds: Vec<_> = s[3..9]
        .iter()
        .map(|k| match k {
            AlterSpecKind::AddIndex(i) => i.kind,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            IndexKind::Index,
            IndexKind::Unique,
            IndexKind::Unique,
            IndexKind::Primary,
            IndexKind::Fulltext,
            IndexKind::Spatial
        ]
    );
    let AlterSpecKind::AddIndex(uq) = &s[5] else {
        panic!()
    };
    assert_eq!(uq.constraint_name.as_ref().unwrap().value, "uq");
    assert_eq!(uq.name.as_ref().unwrap().value, "uq_idx");
    let AlterSpecKind::AddForeignKey(fk) = &s[9] else {
        panic!()
    };
    assert!(fk.if_not_exists);
    assert_eq!(fk.constraint_name.as_ref().unwrap().value, "fk");
    assert!(
        matches!(&s[10], AlterSpecKind::AddForeignKey(fk) if fk.references.table.to_string() == "db.u")
    );
    assert!(
        matches!(&s[11], AlterSpecKind::AddCheck(c) if c.name.as_ref().unwrap().value == "chk")
    );
    assert!(matches!(&s[12], AlterSpecKind::AddCheck(c) if c.name.is_none()));
    assert!(matches!(
        &s[13],
        AlterSpecKind::AddColumn {
            if_not_exists: true,
            ..
        }
    ));
}

#[test]
fn change_modify_drop_rename() {
    let s = specs(
        "ALTER TABLE t CHANGE COLUMN IF EXISTS old_name new_name VARCHAR(100) NOT NULL AFTER id, \
         CHANGE x y INT, MODIFY COLUMN IF EXISTS z BIGINT UNSIGNED FIRST, MODIFY w TEXT, \
         DROP COLUMN IF EXISTS a CASCADE, DROP b, DROP INDEX IF EXISTS idx, DROP KEY `PRIMARY`, \
         DROP PRIMARY KEY, DROP FOREIGN KEY IF EXISTS fk1, DROP CHECK IF EXISTS chk, \
         DROP CONSTRAINT c1, RENAME COLUMN p TO q, RENAME INDEX i1 TO i2, RENAME KEY k1 TO k2, \
         RENAME TO db2.t2",
    );
    let AlterSpecKind::ChangeColumn {
        if_exists,
        old_name,
        column,
        position,
    } = &s[0]
    else {
        panic!()
    };
    assert!(*if_exists);
    assert_eq!(old_name.value, "old_name");
    assert_eq!(column.name.value, "new_name");
    assert_eq!(column.data_type.length, Some(100));
    assert!(matches!(position, Some(ColumnPosition::After(_))));
    assert!(matches!(
        &s[1],
        AlterSpecKind::ChangeColumn {
            if_exists: false,
            ..
        }
    ));
    assert!(matches!(
        &s[2],
        AlterSpecKind::ModifyColumn {
            if_exists: true,
            position: Some(ColumnPosition::First),
            ..
        }
    ));
    assert!(matches!(
        &s[3],
        AlterSpecKind::ModifyColumn {
            if_exists: false,
            ..
        }
    ));
    assert!(matches!(
        &s[4],
        AlterSpecKind::DropColumn {
            if_exists: true,
            behavior: Some(DropBehavior::Cascade),
            ..
        }
    ));
    assert!(
        matches!(&s[5], AlterSpecKind::DropColumn { if_exists: false, name, .. } if name.value == "b")
    );
    assert!(matches!(
        &s[6],
        AlterSpecKind::DropIndex {
            if_exists: true,
            ..
        }
    ));
    assert!(matches!(&s[7], AlterSpecKind::DropIndex { name, .. } if name.value == "PRIMARY"));
    assert_eq!(s[8], AlterSpecKind::DropPrimaryKey);
    assert!(matches!(
        &s[9],
        AlterSpecKind::DropForeignKey {
            if_exists: true,
            ..
        }
    ));
    assert!(matches!(
        &s[10],
        AlterSpecKind::DropCheck {
            if_exists: true,
            ..
        }
    ));
    assert!(matches!(
        &s[11],
        AlterSpecKind::DropConstraint {
            if_exists: false,
            ..
        }
    ));
    assert!(
        matches!(&s[12], AlterSpecKind::RenameColumn { from, to } if from.value == "p" && to.value == "q")
    );
    assert!(matches!(&s[13], AlterSpecKind::RenameIndex { .. }));
    assert!(matches!(&s[14], AlterSpecKind::RenameIndex { .. }));
    assert!(matches!(&s[15], AlterSpecKind::RenameTable { to } if to.to_string() == "db2.t2"));
    assert!(matches!(
        &specs("ALTER TABLE a RENAME AS b")[0],
        AlterSpecKind::RenameTable { .. }
    ));
    assert!(matches!(
        &specs("ALTER TABLE a RENAME b")[0],
        AlterSpecKind::RenameTable { .. }
    ));
}

#[test]
fn alter_column_and_index() {
    let s = specs(
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT 0, ALTER b DROP DEFAULT, \
         ALTER COLUMN c SET DEFAULT (uuid()), ALTER d SET INVISIBLE, ALTER e SET VISIBLE, \
         ALTER INDEX i1 INVISIBLE, ALTER INDEX i2 VISIBLE, ALTER KEY i3 IGNORED, \
         ALTER INDEX i4 NOT IGNORED, ALTER CHECK c1 NOT ENFORCED, ALTER COLUMN f SET DEFAULT CURRENT_TIMESTAMP",
    );
    let AlterSpecKind::AlterColumn {
        column,
        action: AlterColumnAction::SetDefault(default),
    } = &s[0]
    else {
        panic!()
    };
    assert_eq!(column.value, "a");
    assert_eq!(default.kind, DefaultKind::Literal);
    assert!(matches!(
        &s[1],
        AlterSpecKind::AlterColumn {
            action: AlterColumnAction::DropDefault,
            ..
        }
    ));
    assert!(
        matches!(&s[2], AlterSpecKind::AlterColumn { action: AlterColumnAction::SetDefault(d), .. } if d.kind == DefaultKind::Expression && d.expr.functions == vec!["uuid"])
    );
    assert!(matches!(
        &s[3],
        AlterSpecKind::AlterColumn {
            action: AlterColumnAction::SetInvisible,
            ..
        }
    ));
    assert!(matches!(
        &s[4],
        AlterSpecKind::AlterColumn {
            action: AlterColumnAction::SetVisible,
            ..
        }
    ));
    let visibilities: Vec<_> = s[5..9]
        .iter()
        .map(|k| match k {
            AlterSpecKind::AlterIndex { visibility, .. } => *visibility,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        visibilities,
        vec![
            IndexVisibility::Invisible,
            IndexVisibility::Visible,
            IndexVisibility::Ignored,
            IndexVisibility::NotIgnored
        ]
    );
    assert!(matches!(
        &s[9],
        AlterSpecKind::AlterCheck {
            enforced: false,
            ..
        }
    ));
    assert!(
        matches!(&s[10], AlterSpecKind::AlterColumn { action: AlterColumnAction::SetDefault(d), .. } if matches!(d.kind, DefaultKind::CurrentTimestamp { .. }))
    );
}

#[test]
fn table_options_without_commas_and_charset_conversion() {
    let s = specs(
        "ALTER TABLE t ENGINE=InnoDB ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8 \
         DEFAULT CHARACTER SET = utf8mb4 COLLATE utf8mb4_unicode_ci, AUTO_INCREMENT = 1000, \
         COMMENT = 'orders', STATS_PERSISTENT=1, ENCRYPTED=YES, PAGE_COMPRESSED=1, \
         CHARSET latin1, engine_specific_thing = 3",
    );
    let options: Vec<_> = s
        .iter()
        .map(|k| match k {
            AlterSpecKind::TableOption(o) => (o.name.as_str(), o.value.as_str()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        options,
        vec![
            ("ENGINE", "InnoDB"),
            ("ROW_FORMAT", "COMPRESSED"),
            ("KEY_BLOCK_SIZE", "8"),
            ("CHARACTER SET", "utf8mb4"),
            ("COLLATE", "utf8mb4_unicode_ci"),
            ("AUTO_INCREMENT", "1000"),
            ("COMMENT", "orders"),
            ("STATS_PERSISTENT", "1"),
            ("ENCRYPTED", "YES"),
            ("PAGE_COMPRESSED", "1"),
            ("CHARACTER SET", "latin1"),
            ("ENGINE_SPECIFIC_THING", "3"),
        ]
    );
    let s = specs(
        "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci, ALGORITHM=COPY",
    );
    assert_eq!(
        s[0],
        AlterSpecKind::ConvertToCharset {
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_0900_ai_ci".into())
        }
    );
    assert_eq!(s[1], AlterSpecKind::Algorithm(AlterAlgorithm::Copy));
    assert!(matches!(
        &specs("ALTER TABLE t CONVERT TO CHARSET DEFAULT")[0],
        AlterSpecKind::ConvertToCharset { charset: None, .. }
    ));
}

#[test]
fn algorithm_lock_and_misc_operations() {
    let s = specs(
        "ALTER TABLE t ALGORITHM INPLACE, LOCK SHARED, ALGORITHM=INSTANT, LOCK=EXCLUSIVE, \
         ALGORITHM=DEFAULT, LOCK=DEFAULT, FORCE, DISCARD TABLESPACE, IMPORT TABLESPACE, \
         ENABLE KEYS, DISABLE KEYS, ORDER BY a, b DESC, WITHOUT VALIDATION, \
         ADD SYSTEM VERSIONING, DROP SYSTEM VERSIONING",
    );
    assert_eq!(
        s,
        vec![
            AlterSpecKind::Algorithm(AlterAlgorithm::Inplace),
            AlterSpecKind::Lock(AlterLock::Shared),
            AlterSpecKind::Algorithm(AlterAlgorithm::Instant),
            AlterSpecKind::Lock(AlterLock::Exclusive),
            AlterSpecKind::Algorithm(AlterAlgorithm::Default),
            AlterSpecKind::Lock(AlterLock::Default),
            AlterSpecKind::Force,
            AlterSpecKind::DiscardTablespace,
            AlterSpecKind::ImportTablespace,
            AlterSpecKind::EnableKeys,
            AlterSpecKind::DisableKeys,
            match &s[11] {
                AlterSpecKind::OrderBy(e) => {
                    assert_eq!(e.text, "a, b DESC");
                    s[11].clone()
                }
                other => panic!("{other:?}"),
            },
            AlterSpecKind::Validation(false),
            AlterSpecKind::AddSystemVersioning,
            AlterSpecKind::DropSystemVersioning,
        ]
    );
    assert!(alter_table("ALTER TABLE t").specs.is_empty());
}

#[test]
fn partition_operations() {
    let s = specs(
        "ALTER TABLE t ADD PARTITION (PARTITION p5 VALUES LESS THAN (500)), \
         DROP PARTITION IF EXISTS p0, p1, TRUNCATE PARTITION ALL, COALESCE PARTITION 2, \
         REORGANIZE PARTITION p2, p3 INTO (PARTITION p23 VALUES LESS THAN (400)), \
         EXCHANGE PARTITION p4 WITH TABLE t_archive WITHOUT VALIDATION, \
         ANALYZE PARTITION p1, CHECK PARTITION ALL, OPTIMIZE PARTITION p1, \
         REBUILD PARTITION p1, p2, REPAIR PARTITION p3, DISCARD PARTITION p1 TABLESPACE, \
         IMPORT PARTITION ALL TABLESPACE, REMOVE PARTITIONING",
    );
    let ops: Vec<_> = s
        .iter()
        .map(|k| match k {
            AlterSpecKind::Partition(p) => p.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ops[0].action, PartitionAction::Add);
    assert_eq!(ops[0].new_partitions[0].value, "p5");
    assert_eq!(ops[1].action, PartitionAction::Drop);
    assert!(ops[1].if_exists);
    assert_eq!(ops[1].partitions.len(), 2);
    assert!(ops[2].all);
    assert_eq!(ops[3].count, Some(2));
    assert_eq!(ops[4].partitions.len(), 2);
    assert_eq!(ops[4].new_partitions[0].value, "p23");
    assert_eq!(ops[5].action, PartitionAction::Exchange);
    assert_eq!(ops[5].table.as_ref().unwrap().name.value, "t_archive");
    let actions: Vec<_> = ops[6..].iter().map(|o| o.action).collect();
    assert_eq!(
        actions,
        vec![
            PartitionAction::Analyze,
            PartitionAction::Check,
            PartitionAction::Optimize,
            PartitionAction::Rebuild,
            PartitionAction::Repair,
            PartitionAction::Discard,
            PartitionAction::Import,
            PartitionAction::RemovePartitioning,
        ]
    );

    let s = specs("ALTER TABLE t ENGINE=InnoDB PARTITION BY HASH(id) PARTITIONS 4");
    assert!(matches!(&s[0], AlterSpecKind::TableOption(_)));
    assert!(matches!(&s[1], AlterSpecKind::PartitionBy(p) if p.partitions == Some(4)));
    let s = specs("ALTER TABLE t CONVERT PARTITION p1 TO TABLE t_p1, ALGORITHM=INPLACE");
    assert!(
        matches!(&s[0], AlterSpecKind::Partition(p) if p.action == PartitionAction::ConvertToTable)
    );
    let s = specs("ALTER TABLE t CONVERT TABLE t_p1 TO PARTITION p1 VALUES LESS THAN (100)");
    assert!(
        matches!(&s[0], AlterSpecKind::Partition(p) if p.action == PartitionAction::ConvertTableToPartition)
    );
    let s = specs("ALTER TABLE t ADD PARTITION PARTITIONS 3");
    assert!(matches!(&s[0], AlterSpecKind::Partition(p) if p.count == Some(3)));
}

#[test]
fn flyway_style_multi_operation_alter() {
    let s = specs(
        "ALTER TABLE `customer`
            ADD COLUMN `loyalty_points` INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'points' AFTER `email`,
            ADD COLUMN `tier` ENUM('bronze','silver','gold') NOT NULL DEFAULT 'bronze',
            ADD INDEX `idx_customer_tier` (`tier`),
            MODIFY COLUMN `email` VARCHAR(320) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
            DROP COLUMN `legacy_flag`,
            ALGORITHM=INPLACE, LOCK=NONE",
    );
    assert_eq!(s.len(), 7);
    let AlterSpecKind::ModifyColumn { column, .. } = &s[3] else {
        panic!()
    };
    assert_eq!(column.data_type.charset.as_deref(), Some("utf8mb4"));
    assert_eq!(column.data_type.collation.as_deref(), Some("utf8mb4_bin"));
}
