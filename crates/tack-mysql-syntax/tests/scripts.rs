//! Whole scripts as migration tools and mysqldump write them: splitting, `DELIMITER`,
//! executable comments, comment placement.

mod common;

use common::clean;
use tack_mysql_syntax::{parse, split, RoutineKind, StatementKind};

const MYSQLDUMP: &str = r#"-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------
-- Server version	8.0.36

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!50503 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Table structure for table `orders`
--

DROP TABLE IF EXISTS `orders`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!50503 SET character_set_client = utf8mb4 */;
CREATE TABLE `orders` (
  `id` int NOT NULL AUTO_INCREMENT,
  `total` decimal(10,2) DEFAULT NULL,
  `created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `orders`
--

LOCK TABLES `orders` WRITE;
/*!40000 ALTER TABLE `orders` DISABLE KEYS */;
INSERT INTO `orders` VALUES (1,9.99,'2024-01-01 00:00:00'),(2,'it''s; not a delimiter','2024-01-02 00:00:00');
/*!40000 ALTER TABLE `orders` ENABLE KEYS */;
UNLOCK TABLES;
/*!50003 SET @saved_cs_client      = @@character_set_client */ ;
/*!50003 SET sql_mode              = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES' */ ;
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `orders_bi` BEFORE INSERT ON `orders` FOR EACH ROW BEGIN
  IF NEW.total < 0 THEN
    SET NEW.total = 0;
  END IF;
END */;;
DELIMITER ;
/*!50003 SET sql_mode              = @saved_sql_mode */ ;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;

-- Dump completed on 2024-05-01 12:00:00
"#;

#[test]
fn mysqldump_output() {
    let script = clean(MYSQLDUMP);
    let kinds: Vec<&str> = script
        .statements
        .iter()
        .map(|s| match &s.kind {
            StatementKind::Set(_) => "set",
            StatementKind::SetNames { .. } => "names",
            StatementKind::DropTable(_) => "drop",
            StatementKind::CreateTable(_) => "create",
            StatementKind::LockTables(_) => "lock",
            StatementKind::AlterTable(_) => "alter",
            StatementKind::Insert(_) => "insert",
            StatementKind::UnlockTables => "unlock",
            StatementKind::CreateRoutine(_) => "trigger",
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "set", "set", "set", "names", "set", "set", "set", "set", "set", "set", "drop", "set",
            "set", "create", "set", "lock", "alter", "insert", "alter", "unlock", "set", "set",
            "trigger", "set", "set", "set", "set"
        ]
    );
    let StatementKind::Set(fk) = &script.statements[7].kind else {
        panic!()
    };
    assert_eq!(fk[1].name, "foreign_key_checks");
    assert_eq!(fk[1].value.text, "0");
    let trigger = &script.statements[22];
    let StatementKind::CreateRoutine(routine) = &trigger.kind else {
        panic!()
    };
    assert_eq!(routine.kind, RoutineKind::Trigger);
    assert_eq!(routine.definer.as_deref(), Some("`root`@`localhost`"));
    assert_eq!(routine.trigger.as_ref().unwrap().table.name.value, "orders");
    assert!(trigger.text(MYSQLDUMP).ends_with("END IF;\nEND"));
    assert_eq!(trigger.delimiter.unwrap().text(MYSQLDUMP), ";;");
    assert_eq!(script.delimiter_commands.len(), 2);
    let create = &script.statements[13];
    let leading: Vec<_> = script
        .leading_comments(create)
        .iter()
        .map(|c| c.body.as_str())
        .collect();
    assert!(leading.is_empty(), "{leading:?}");
    let drop = &script.statements[10];
    let leading: Vec<_> = script
        .leading_comments(drop)
        .iter()
        .map(|c| c.body.as_str())
        .collect();
    assert_eq!(leading, vec!["", "Table structure for table `orders`", ""]);
}

#[test]
fn delimiter_procedure_block() {
    let sql = "DELIMITER $$
DROP PROCEDURE IF EXISTS backfill_totals$$
CREATE PROCEDURE backfill_totals(IN batch INT)
BEGIN
  DECLARE done INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
  lbl: LOOP
    UPDATE orders SET total = 0 WHERE total IS NULL LIMIT batch;
    IF ROW_COUNT() = 0 THEN
      LEAVE lbl;
    END IF;
  END LOOP lbl;
END$$
DELIMITER ;
CALL backfill_totals(1000);
";
    let script = clean(sql);
    assert_eq!(script.statements.len(), 3);
    assert!(matches!(
        script.statements[0].kind,
        StatementKind::DropRoutine(_)
    ));
    let StatementKind::CreateRoutine(routine) = &script.statements[1].kind else {
        panic!()
    };
    assert_eq!(routine.kind, RoutineKind::Procedure);
    assert_eq!(routine.name.name.value, "backfill_totals");
    assert!(routine.body.unwrap().text(sql).starts_with("BEGIN"));
    assert!(script.statements[1]
        .text(sql)
        .ends_with("END LOOP lbl;\nEND"));
    assert!(matches!(script.statements[2].kind, StatementKind::Call(_)));
}

#[test]
fn routines_without_delimiter_keep_their_bodies() {
    let sql = "CREATE FUNCTION grade(score INT) RETURNS CHAR(1) DETERMINISTIC
BEGIN
  DECLARE g CHAR(1);
  CASE
    WHEN score >= 90 THEN SET g = 'A';
    ELSE SET g = 'F';
  END CASE;
  WHILE score > 100 DO SET score = score - 1; END WHILE;
  REPEAT SET score = score + 1; UNTIL score > 0 END REPEAT;
  RETURN IF(g IS NULL, 'F', g);
END;
CREATE TABLE after_function (id INT);
CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW SET NEW.updated_at = NOW();
ALTER TABLE after_function ADD COLUMN b INT;
";
    let script = clean(sql);
    let kinds: Vec<_> = script
        .statements
        .iter()
        .map(|s| std::mem::discriminant(&s.kind))
        .collect();
    assert_eq!(kinds.len(), 4, "{:#?}", script.statements);
    assert!(matches!(
        script.statements[0].kind,
        StatementKind::CreateRoutine(_)
    ));
    assert!(matches!(
        script.statements[1].kind,
        StatementKind::CreateTable(_)
    ));
    assert!(matches!(
        script.statements[2].kind,
        StatementKind::CreateRoutine(_)
    ));
    assert!(matches!(
        script.statements[3].kind,
        StatementKind::AlterTable(_)
    ));
}

#[test]
fn mariadb_compound_statement_at_top_level() {
    let sql = "BEGIN NOT ATOMIC\n  DECLARE x INT DEFAULT 1;\n  IF x THEN SELECT 1; END IF;\nEND;\nSELECT 2;";
    let script = clean(sql);
    assert_eq!(script.statements.len(), 2);
    assert_eq!(script.statements[0].kind, StatementKind::Compound);
}

#[test]
fn tack_ignore_comments_are_attached() {
    let sql = "-- Migration: add tracking
SET lock_wait_timeout = 5;

-- tack:ignore add-column-volatile-default backfilled by job
/* reviewed */
ALTER TABLE orders ADD COLUMN tracking_id CHAR(36) NOT NULL DEFAULT (uuid()); -- tack:ignore lock-timeout set above
CREATE INDEX idx_tracking ON orders (tracking_id) /* inside */;
";
    let script = clean(sql);
    let bodies = |range: &[tack_mysql_syntax::Comment]| -> Vec<String> {
        range.iter().map(|c| c.body.clone()).collect()
    };
    let set = &script.statements[0];
    assert_eq!(
        bodies(script.leading_comments(set)),
        vec!["Migration: add tracking"]
    );
    let alter = &script.statements[1];
    assert_eq!(
        bodies(script.leading_comments(alter)),
        vec![
            "tack:ignore add-column-volatile-default backfilled by job",
            "reviewed"
        ]
    );
    assert_eq!(
        bodies(script.trailing_comments(alter)),
        vec!["tack:ignore lock-timeout set above"]
    );
    let index = &script.statements[2];
    assert!(script.leading_comments(index).is_empty());
    assert_eq!(
        index.text(sql),
        "CREATE INDEX idx_tracking ON orders (tracking_id)"
    );
    assert_eq!(script.comments.len(), 5);
    let leading = &script.comments[alter.leading_comments.start];
    assert_eq!(
        leading.span.text(sql),
        "-- tack:ignore add-column-volatile-default backfilled by job"
    );
}

#[test]
fn statement_spans_exclude_delimiters_and_leading_comments() {
    let sql = "  /* a */ SELECT 1 ;\n\n-- b\nUPDATE t SET x = 1\n";
    let script = parse(sql);
    let texts: Vec<_> = script.statements.iter().map(|s| s.text(sql)).collect();
    assert_eq!(texts, vec!["SELECT 1", "UPDATE t SET x = 1"]);
    assert_eq!(script.statements[0].delimiter.unwrap().text(sql), ";");
    assert!(script.statements[1].delimiter.is_none());
    let split = split(sql);
    assert_eq!(split.statements.len(), 2);
    assert_eq!(split.statement_tokens(&split.statements[1]).len(), 6);
}

#[test]
fn rails_and_laravel_migrations() {
    let sql = "CREATE TABLE `schema_migrations` (`version` varchar(255) NOT NULL PRIMARY KEY);
CREATE TABLE `ar_internal_metadata` (`key` varchar(255) NOT NULL PRIMARY KEY, `value` varchar(255), `created_at` datetime(6) NOT NULL, `updated_at` datetime(6) NOT NULL);
ALTER TABLE `posts` ADD `published_at` datetime(6);
CREATE INDEX `index_posts_on_published_at` ON `posts` (`published_at`);
ALTER TABLE `comments` ADD CONSTRAINT `fk_rails_2fd19c0db7` FOREIGN KEY (`post_id`) REFERENCES `posts` (`id`);
alter table `users` add `api_token` varchar(80) null after `password`;
alter table `users` add unique `users_api_token_unique`(`api_token`);
alter table `flights` add constraint `flights_airline_id_foreign` foreign key (`airline_id`) references `airlines` (`id`) on delete cascade;
alter table `users` modify `name` varchar(50) not null;
alter table `users` rename column `from` to `to`;
alter table `users` drop index `users_email_unique`;
alter table `users` drop `votes`, drop `avatar`;
INSERT INTO `schema_migrations` (`version`) VALUES ('20240501120000');
";
    let script = clean(sql);
    assert_eq!(script.statements.len(), 13);
}
