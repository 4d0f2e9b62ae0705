//! Statements other than `CREATE TABLE` / `ALTER TABLE`.

mod common;

use common::{clean, one};
use tack_mysql_syntax::{
    AlterAlgorithm, AlterLock, IndexKind, InsertSource, LockWait, MaintenanceOperation, OnlineMode,
    RoutineKind, StatementKind, TableLockType, TransactionStatement, TriggerEvent, TriggerTiming,
    VariableScope, WhereShape,
};

#[test]
fn create_index() {
    let StatementKind::CreateIndex(index) = one(
        "CREATE ONLINE UNIQUE INDEX IF NOT EXISTS idx_email ON users (email(50), id DESC) \
         WAIT 10 COMMENT 'x' ALGORITHM = INPLACE LOCK = NONE",
    ) else {
        panic!()
    };
    assert_eq!(index.online, Some(OnlineMode::Online));
    assert_eq!(index.index.kind, IndexKind::Unique);
    assert!(index.index.if_not_exists);
    assert_eq!(index.index.name.as_ref().unwrap().value, "idx_email");
    assert_eq!(index.table.name.value, "users");
    assert_eq!(index.index.parts.len(), 2);
    assert_eq!(index.wait, Some(LockWait::Wait("10".into())));
    assert_eq!(index.algorithm, Some(AlterAlgorithm::Inplace));
    assert_eq!(index.lock, Some(AlterLock::None));
    assert_eq!(index.index.options.comment.as_deref(), Some("x"));

    let StatementKind::CreateIndex(index) =
        one("CREATE FULLTEXT INDEX ft ON posts (title, body) WITH PARSER ngram")
    else {
        panic!()
    };
    assert_eq!(index.index.kind, IndexKind::Fulltext);
    assert_eq!(index.index.options.parser.as_deref(), Some("ngram"));
    let StatementKind::CreateIndex(index) =
        one("CREATE OR REPLACE INDEX i USING HASH ON t (a) INVISIBLE")
    else {
        panic!()
    };
    assert!(index.or_replace);
    assert!(index.index.options.using.is_some());
}

#[test]
fn drop_index_rename_truncate_drop_table() {
    let StatementKind::DropIndex(drop) =
        one("DROP INDEX IF EXISTS `PRIMARY` ON db.t NOWAIT ALGORITHM=INSTANT LOCK=SHARED")
    else {
        panic!()
    };
    assert!(drop.if_exists);
    assert_eq!(drop.name.value, "PRIMARY");
    assert_eq!(drop.table.to_string(), "db.t");
    assert_eq!(drop.wait, Some(LockWait::NoWait));
    assert_eq!(drop.algorithm, Some(AlterAlgorithm::Instant));
    assert_eq!(drop.lock, Some(AlterLock::Shared));

    let StatementKind::RenameTable(rename) =
        one("RENAME TABLE IF EXISTS a WAIT 2 TO a_old, a_new TO a")
    else {
        panic!()
    };
    assert!(rename.if_exists);
    assert_eq!(rename.wait, Some(LockWait::Wait("2".into())));
    let pairs: Vec<_> = rename
        .renames
        .iter()
        .map(|r| (r.from.to_string(), r.to.to_string()))
        .collect();
    assert_eq!(
        pairs,
        vec![("a".into(), "a_old".into()), ("a_new".into(), "a".into())]
    );

    let StatementKind::TruncateTable(t) = one("TRUNCATE TABLE logs WAIT 1") else {
        panic!()
    };
    assert_eq!(t.table.name.value, "logs");
    assert!(matches!(
        one("TRUNCATE logs"),
        StatementKind::TruncateTable(_)
    ));

    let StatementKind::DropTable(drop) =
        one("DROP TEMPORARY TABLE IF EXISTS a, db.b NOWAIT CASCADE")
    else {
        panic!()
    };
    assert!(drop.temporary && drop.if_exists);
    assert_eq!(drop.tables.len(), 2);
    assert!(drop.behavior.is_some());
}

#[test]
fn maintenance() {
    let StatementKind::TableMaintenance(m) = one("OPTIMIZE NO_WRITE_TO_BINLOG TABLE a, b") else {
        panic!()
    };
    assert_eq!(m.operation, MaintenanceOperation::Optimize);
    assert!(m.no_write_to_binlog);
    assert_eq!(m.tables.len(), 2);
    let StatementKind::TableMaintenance(m) = one("ANALYZE LOCAL TABLE t PERSISTENT FOR ALL") else {
        panic!()
    };
    assert_eq!(m.operation, MaintenanceOperation::Analyze);
    assert!(matches!(
        one("CHECK TABLE t QUICK"),
        StatementKind::TableMaintenance(_)
    ));
    assert!(matches!(
        one("REPAIR TABLE t USE_FRM"),
        StatementKind::TableMaintenance(_)
    ));
    assert!(matches!(
        one("CHECKSUM TABLE t"),
        StatementKind::TableMaintenance(_)
    ));
    assert!(matches!(
        one("ANALYZE SELECT 1"),
        StatementKind::Other { .. }
    ));
}

#[test]
fn views() {
    let StatementKind::CreateView(view) = one(
        "CREATE OR REPLACE ALGORITHM=MERGE DEFINER=`app`@`%` SQL SECURITY INVOKER VIEW v_active (id, name) \
         AS SELECT id, UPPER(name) FROM users WHERE active = 1 WITH CASCADED CHECK OPTION",
    ) else {
        panic!()
    };
    assert!(view.or_replace);
    assert_eq!(view.algorithm.as_deref(), Some("MERGE"));
    assert_eq!(view.definer.as_deref(), Some("`app`@`%`"));
    assert_eq!(view.sql_security.as_deref(), Some("INVOKER"));
    assert_eq!(view.columns.len(), 2);
    assert_eq!(
        view.query.text,
        "SELECT id, UPPER(name) FROM users WHERE active = 1"
    );
    assert_eq!(view.query.functions, vec!["upper"]);
    assert_eq!(view.check_option.as_deref(), Some("CASCADED"));
    let StatementKind::DropView(drop) = one("DROP VIEW IF EXISTS v1, v2") else {
        panic!()
    };
    assert_eq!(drop.views.len(), 2);
}

#[test]
fn routines_are_opaque_with_headers() {
    let sql = "CREATE DEFINER=CURRENT_USER TRIGGER IF NOT EXISTS trg_audit AFTER INSERT OR UPDATE ON app.orders FOR EACH ROW FOLLOWS other \
               BEGIN INSERT INTO audit VALUES (NEW.id); END";
    let StatementKind::CreateRoutine(routine) = one(sql) else {
        panic!()
    };
    assert_eq!(routine.kind, RoutineKind::Trigger);
    assert_eq!(routine.definer.as_deref(), Some("CURRENT_USER"));
    assert!(routine.if_not_exists);
    let trigger = routine.trigger.as_ref().unwrap();
    assert_eq!(trigger.timing, TriggerTiming::After);
    assert_eq!(
        trigger.events,
        vec![TriggerEvent::Insert, TriggerEvent::Update]
    );
    assert_eq!(trigger.table.to_string(), "app.orders");
    assert_eq!(
        routine.body.unwrap().text(sql),
        "BEGIN INSERT INTO audit VALUES (NEW.id); END"
    );

    let sql = "CREATE FUNCTION f(x INT) RETURNS DECIMAL(10,2) UNSIGNED DETERMINISTIC NO SQL COMMENT 'c' RETURN x * 2";
    let StatementKind::CreateRoutine(routine) = one(sql) else {
        panic!()
    };
    assert_eq!(routine.kind, RoutineKind::Function);
    assert_eq!(routine.body.unwrap().text(sql), "RETURN x * 2");

    let sql = "CREATE OR REPLACE PROCEDURE p(IN a INT, OUT b TEXT) SQL SECURITY INVOKER BEGIN SELECT a; END";
    let StatementKind::CreateRoutine(routine) = one(sql) else {
        panic!()
    };
    assert!(routine.or_replace);
    assert_eq!(routine.body.unwrap().text(sql), "BEGIN SELECT a; END");

    let sql = "CREATE EVENT IF NOT EXISTS purge ON SCHEDULE EVERY 1 DAY STARTS CURRENT_TIMESTAMP DO DELETE FROM logs WHERE at < NOW() - INTERVAL 30 DAY";
    let StatementKind::CreateRoutine(routine) = one(sql) else {
        panic!()
    };
    assert_eq!(routine.kind, RoutineKind::Event);
    assert!(routine
        .body
        .unwrap()
        .text(sql)
        .starts_with("DELETE FROM logs"));

    let StatementKind::DropRoutine(drop) = one("DROP TRIGGER IF EXISTS db.trg") else {
        panic!()
    };
    assert_eq!(drop.kind, RoutineKind::Trigger);
    assert!(drop.if_exists);
    assert!(matches!(
        one("DROP PROCEDURE p"),
        StatementKind::DropRoutine(_)
    ));
}

#[test]
fn databases_and_use() {
    let StatementKind::CreateDatabase(db) = one(
        "CREATE DATABASE IF NOT EXISTS `shop` DEFAULT CHARACTER SET utf8mb4 DEFAULT COLLATE utf8mb4_unicode_ci",
    ) else {
        panic!()
    };
    assert!(db.if_not_exists);
    assert_eq!(db.name.value, "shop");
    assert_eq!(db.options.len(), 2);
    assert!(matches!(
        one("CREATE SCHEMA s"),
        StatementKind::CreateDatabase(_)
    ));
    assert!(
        matches!(one("DROP DATABASE IF EXISTS s"), StatementKind::DropDatabase(d) if d.if_exists)
    );
    assert!(matches!(one("USE `shop`"), StatementKind::Use(db) if db.value == "shop"));
}

#[test]
fn set_statements() {
    let StatementKind::Set(assignments) = one(
        "SET foreign_key_checks=0, SESSION lock_wait_timeout = 5, @@GLOBAL.max_connections=10, \
         @@session.sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE', @old := @@sql_mode, GLOBAL innodb_lock_wait_timeout = DEFAULT, \
         @@SQL_NOTES = 0, LOCAL x = ON",
    ) else {
        panic!()
    };
    let summary: Vec<_> = assignments
        .iter()
        .map(|a| (a.scope, a.name.as_str(), a.value.text.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (VariableScope::Session, "foreign_key_checks", "0"),
            (VariableScope::Session, "lock_wait_timeout", "5"),
            (VariableScope::Global, "max_connections", "10"),
            (
                VariableScope::Session,
                "sql_mode",
                "'STRICT_TRANS_TABLES,NO_ZERO_DATE'"
            ),
            (VariableScope::User, "old", "@@sql_mode"),
            (VariableScope::Global, "innodb_lock_wait_timeout", "DEFAULT"),
            (VariableScope::Session, "sql_notes", "0"),
            (VariableScope::Session, "x", "ON"),
        ]
    );
    assert_eq!(
        one("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci"),
        StatementKind::SetNames {
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_unicode_ci".into())
        }
    );
    assert_eq!(
        one("SET CHARACTER SET utf8"),
        StatementKind::SetCharacterSet(Some("utf8".into()))
    );
    assert!(matches!(
        one("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"),
        StatementKind::SetTransaction { scope: Some(VariableScope::Session), characteristics } if characteristics == "ISOLATION LEVEL READ COMMITTED"
    ));
    let StatementKind::SetStatementFor {
        assignments,
        statement,
    } = one("SET STATEMENT lock_wait_timeout=5, max_statement_time=60 FOR ALTER TABLE t ADD x INT")
    else {
        panic!()
    };
    assert_eq!(assignments.len(), 2);
    assert!(matches!(statement.kind, StatementKind::AlterTable(_)));
    assert!(matches!(
        one("SET PASSWORD FOR 'a'@'%' = 'x'"),
        StatementKind::Other { .. }
    ));
}

#[test]
fn transactions_and_locks() {
    use TransactionStatement::*;
    let script = clean(
        "START TRANSACTION; START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT; BEGIN; BEGIN WORK; \
         COMMIT; COMMIT WORK AND NO CHAIN NO RELEASE; ROLLBACK; ROLLBACK TO SAVEPOINT s1; \
         SAVEPOINT s1; RELEASE SAVEPOINT s1",
    );
    let kinds: Vec<_> = script
        .statements
        .iter()
        .map(|s| match &s.kind {
            StatementKind::Transaction(t) => t.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds[0],
        Start {
            read_only: None,
            consistent_snapshot: false
        }
    );
    assert_eq!(
        kinds[1],
        Start {
            read_only: Some(true),
            consistent_snapshot: true
        }
    );
    assert_eq!(kinds[2], Begin);
    assert_eq!(kinds[4], Commit);
    assert!(kinds[6].ends_transaction());
    assert!(matches!(&kinds[7], Rollback { to_savepoint: Some(s) } if s.value == "s1"));
    assert!(!kinds[7].ends_transaction());
    assert!(matches!(kinds[9], ReleaseSavepoint(_)));

    let StatementKind::LockTables(lock) = one(
        "LOCK TABLES a READ, b AS bb WRITE, c LOW_PRIORITY WRITE, d READ LOCAL, e WRITE CONCURRENT",
    ) else {
        panic!()
    };
    let types: Vec<_> = lock.tables.iter().map(|t| t.lock).collect();
    assert_eq!(
        types,
        vec![
            TableLockType::Read,
            TableLockType::Write,
            TableLockType::LowPriorityWrite,
            TableLockType::ReadLocal,
            TableLockType::WriteConcurrent
        ]
    );
    assert_eq!(lock.tables[1].alias.as_ref().unwrap().value, "bb");
    assert_eq!(one("UNLOCK TABLES"), StatementKind::UnlockTables);
    assert!(matches!(one("START SLAVE"), StatementKind::Other { .. }));
}

#[test]
fn inserts() {
    let StatementKind::Insert(insert) = one(
        "INSERT IGNORE INTO `schema_migrations` (`version`) VALUES ('20240101000000'), ('20240102000000') \
         ON DUPLICATE KEY UPDATE version = VALUES(version)",
    ) else {
        panic!()
    };
    assert!(insert.ignore);
    assert_eq!(insert.table.name.value, "schema_migrations");
    assert_eq!(insert.columns[0].value, "version");
    assert!(matches!(
        &insert.source,
        InsertSource::Values { rows: 2, .. }
    ));
    assert!(!insert.is_select());
    assert_eq!(insert.on_duplicate_key_update.as_ref().unwrap().len(), 1);

    let StatementKind::Insert(insert) =
        one("REPLACE INTO t2 (a, b) SELECT a, uuid() FROM t1 WHERE a > 5")
    else {
        panic!()
    };
    assert!(insert.replace && insert.is_select());
    let InsertSource::Select(query) = &insert.source else {
        panic!()
    };
    assert_eq!(query.functions, vec!["uuid"]);

    let StatementKind::Insert(insert) = one("INSERT INTO t SET a = 1, b = NOW()") else {
        panic!()
    };
    assert!(matches!(&insert.source, InsertSource::Set(a) if a.len() == 2));
    let StatementKind::Insert(insert) = one("INSERT INTO t TABLE u") else {
        panic!()
    };
    assert!(insert.is_select());
    let StatementKind::Insert(insert) =
        one("INSERT INTO t VALUES (1, 'x') AS new ON DUPLICATE KEY UPDATE b = new.b")
    else {
        panic!()
    };
    assert!(insert.on_duplicate_key_update.is_some());
    assert!(matches!(
        one("INSERT INTO t () VALUES ()"),
        StatementKind::Insert(_)
    ));
    assert!(matches!(
        one("INSERT INTO t (a) VALUES (1) RETURNING id"),
        StatementKind::Insert(_)
    ));
}

#[test]
fn updates() {
    let StatementKind::Update(update) = one(
        "UPDATE LOW_PRIORITY IGNORE users u SET u.status = 'active', updated_at = NOW() \
         WHERE u.id IN (1, 2, 3) AND tenant_id = ? ORDER BY id LIMIT 1000",
    ) else {
        panic!()
    };
    assert!(update.low_priority && update.ignore);
    assert_eq!(update.tables[0].alias.as_ref().unwrap().value, "u");
    assert_eq!(update.assignments[0].qualifier.as_ref().unwrap().value, "u");
    assert_eq!(update.assignments[0].column.value, "status");
    assert_eq!(update.assignments[1].value.functions, vec!["now"]);
    assert_eq!(
        update.where_shape,
        WhereShape::ConstantEquality {
            columns: vec!["u.id".into(), "tenant_id".into()]
        }
    );
    assert_eq!(update.order_by.as_ref().unwrap().text, "id");
    assert_eq!(update.limit.as_ref().unwrap().text, "1000");
    assert!(!update.is_multi_table());

    let StatementKind::Update(update) = one("UPDATE accounts SET balance = balance * 1.01") else {
        panic!()
    };
    assert_eq!(update.where_shape, WhereShape::Absent);
    assert!(update.limit.is_none());

    let StatementKind::Update(update) = one(
        "UPDATE orders o INNER JOIN customers c ON c.id = o.customer_id LEFT OUTER JOIN x USING (id) \
         SET o.region = c.region WHERE c.created_at > '2024-01-01'",
    ) else {
        panic!()
    };
    assert!(update.is_multi_table());
    let names: Vec<_> = update
        .tables
        .iter()
        .map(|t| t.name.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["orders", "customers", "x"]);
    assert_eq!(update.where_shape, WhereShape::Other);
    assert!(
        matches!(one("UPDATE a, b SET a.x = b.y WHERE a.id = b.id"), StatementKind::Update(u) if u.tables.len() == 2)
    );
}

#[test]
fn deletes() {
    let StatementKind::Delete(delete) =
        one("DELETE QUICK FROM sessions WHERE expires_at < NOW() ORDER BY id LIMIT 500")
    else {
        panic!()
    };
    assert!(delete.quick);
    assert!(!delete.multi_table);
    assert_eq!(delete.targets[0].name.value, "sessions");
    assert_eq!(delete.where_shape, WhereShape::Other);
    assert!(delete.limit.is_some());

    let StatementKind::Delete(delete) = one("DELETE FROM t WHERE id = 5") else {
        panic!()
    };
    assert_eq!(
        delete.where_shape,
        WhereShape::ConstantEquality {
            columns: vec!["id".into()]
        }
    );
    let StatementKind::Delete(delete) = one("DELETE FROM t") else {
        panic!()
    };
    assert_eq!(delete.where_shape, WhereShape::Absent);

    let StatementKind::Delete(delete) =
        one("DELETE t1, t2.* FROM t1 JOIN t2 ON t1.id = t2.id WHERE t1.x = 1")
    else {
        panic!()
    };
    assert!(delete.multi_table);
    assert_eq!(delete.targets.len(), 2);
    assert_eq!(delete.tables.len(), 2);
    let StatementKind::Delete(delete) =
        one("DELETE FROM t1.*, t2 USING t1, t2, t3 WHERE t1.id = t2.id")
    else {
        panic!()
    };
    assert!(delete.multi_table);
    assert_eq!(delete.tables.len(), 3);
    assert!(matches!(
        one("DELETE FROM t AS a WHERE a.x = 1 RETURNING *"),
        StatementKind::Delete(_)
    ));
}

#[test]
fn accounts_flush_call_select_other() {
    let StatementKind::Grant(grant) = one(
        "GRANT SELECT, INSERT (a, b), ALTER ROUTINE ON `shop`.* TO 'app'@'%' IDENTIFIED BY 'x' WITH GRANT OPTION",
    ) else {
        panic!()
    };
    assert_eq!(
        grant.privileges,
        vec!["SELECT", "INSERT (a, b)", "ALTER ROUTINE"]
    );
    assert_eq!(grant.object.as_deref(), Some("`shop`.*"));
    assert_eq!(grant.grantees, vec!["'app'@'%'"]);
    let StatementKind::Revoke(revoke) =
        one("REVOKE ALL PRIVILEGES, GRANT OPTION FROM app@localhost, 'b'")
    else {
        panic!()
    };
    assert_eq!(revoke.privileges, vec!["ALL PRIVILEGES", "GRANT OPTION"]);
    assert_eq!(revoke.grantees, vec!["app@localhost", "'b'"]);
    assert!(matches!(one("GRANT r1 TO u1"), StatementKind::Grant(_)));

    let StatementKind::CreateUser(user) =
        one("CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'secret', 'ro'@'10.%' REQUIRE SSL")
    else {
        panic!()
    };
    assert!(user.if_exists);
    assert_eq!(user.users, vec!["'app'@'%'", "'ro'@'10.%'"]);
    assert!(
        matches!(one("DROP USER IF EXISTS 'x'@'%'"), StatementKind::DropUser(u) if u.users.len() == 1)
    );

    let StatementKind::Flush(flush) = one("FLUSH LOCAL TABLES t1, t2 WITH READ LOCK") else {
        panic!()
    };
    assert!(flush.no_write_to_binlog);
    assert_eq!(flush.options, vec!["TABLES t1", "t2 WITH READ LOCK"]);
    assert!(matches!(one("FLUSH PRIVILEGES"), StatementKind::Flush(_)));

    let StatementKind::Call(call) = one("CALL db.backfill(100, 'x', NOW())") else {
        panic!()
    };
    assert_eq!(call.procedure.to_string(), "db.backfill");
    assert_eq!(call.arguments.len(), 3);
    assert!(matches!(one("CALL p"), StatementKind::Call(c) if c.arguments.is_empty()));

    let StatementKind::Select(query) = one("SELECT * FROM t WHERE id = 1 FOR UPDATE") else {
        panic!()
    };
    assert!(query.locking_read && !query.into);
    assert!(
        matches!(one("SELECT a INTO @a FROM t LOCK IN SHARE MODE"), StatementKind::Select(q) if q.into && q.locking_read)
    );
    assert!(matches!(
        one("WITH x AS (SELECT 1) SELECT * FROM x"),
        StatementKind::Select(_)
    ));
    assert!(matches!(
        one("(SELECT 1) UNION (SELECT 2)"),
        StatementKind::Select(_)
    ));

    for (sql, keywords) in [
        ("SHOW TABLES", vec!["SHOW", "TABLES"]),
        ("CREATE SEQUENCE s START WITH 1", vec!["CREATE", "SEQUENCE"]),
        (
            "ALTER DATABASE d CHARACTER SET utf8",
            vec!["ALTER", "DATABASE"],
        ),
        ("DO SLEEP(1)", vec!["DO", "SLEEP"]),
        ("EXPLAIN SELECT 1", vec!["EXPLAIN", "SELECT"]),
        ("XA START 'x'", vec!["XA", "START"]),
        ("PREPARE s FROM 'SELECT 1'", vec!["PREPARE", "S"]),
    ] {
        assert_eq!(
            one(sql),
            StatementKind::Other {
                keywords: keywords.into_iter().map(String::from).collect()
            },
            "{sql}"
        );
    }
    assert_eq!(
        one("BEGIN NOT ATOMIC SELECT 1; END"),
        StatementKind::Compound
    );
}
