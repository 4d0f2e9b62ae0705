//! `CREATE TABLE`: columns, data types, defaults, keys, constraints, options, partitions.

mod common;

use common::{create_table, one};
use tack_mysql_syntax::{
    DefaultKind, GeneratedStorage, IndexKind, IndexType, IndexVisibility, InlineKey,
    ReferentialAction, SortOrder, StatementKind,
};

#[test]
fn laravel_users_table() {
    let table = create_table(
        "create table `users` (`id` bigint unsigned not null auto_increment primary key, \
         `name` varchar(255) not null, `email` varchar(255) not null, \
         `email_verified_at` timestamp null, `password` varchar(255) not null, \
         `remember_token` varchar(100) null, `created_at` timestamp null, \
         `updated_at` timestamp null) default character set utf8mb4 collate 'utf8mb4_unicode_ci'",
    );
    assert_eq!(table.name.name.value, "users");
    assert!(table.name.name.quoted);
    assert_eq!(table.columns.len(), 8);
    let id = &table.columns[0];
    assert_eq!(id.data_type.name, "bigint");
    assert!(id.data_type.unsigned);
    assert_eq!(id.nullable, Some(false));
    assert!(id.auto_increment);
    assert_eq!(id.key, Some(InlineKey::Primary));
    let name = &table.columns[1];
    assert_eq!(name.data_type.name, "varchar");
    assert_eq!(name.data_type.length, Some(255));
    assert_eq!(table.columns[3].nullable, Some(true));
    let options: Vec<_> = table
        .options
        .iter()
        .map(|o| (o.name.as_str(), o.value.as_str()))
        .collect();
    assert_eq!(
        options,
        vec![
            ("CHARACTER SET", "utf8mb4"),
            ("COLLATE", "utf8mb4_unicode_ci")
        ]
    );
}

#[test]
fn rails_schema_with_indexes_and_foreign_keys() {
    let sql = "CREATE TABLE `orders` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `user_id` bigint NOT NULL,
  `total` decimal(10,2) NOT NULL DEFAULT '0.00',
  `status` enum('pending','paid','shipped') COLLATE utf8mb4_bin NOT NULL DEFAULT 'pending',
  `placed_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  `notes` text,
  PRIMARY KEY (`id`),
  UNIQUE KEY `index_orders_on_user_id_and_placed_at` (`user_id`,`placed_at` DESC),
  KEY `index_orders_on_status` (`status`) USING BTREE COMMENT 'hot' INVISIBLE,
  FULLTEXT KEY `ft_notes` (`notes`),
  CONSTRAINT `fk_rails_f868b47f6a` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION,
  CONSTRAINT `total_positive` CHECK ((`total` >= 0))
) ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci ROW_FORMAT=DYNAMIC COMMENT='orders'";
    let table = create_table(sql);
    assert_eq!(table.columns.len(), 6);
    let total = &table.columns[2];
    assert_eq!(
        (total.data_type.length, total.data_type.scale),
        (Some(10), Some(2))
    );
    let default = total.default.as_ref().unwrap();
    assert_eq!(default.kind, DefaultKind::Literal);
    assert_eq!(default.expr.text, "'0.00'");
    let status = &table.columns[3];
    assert_eq!(status.data_type.values, vec!["pending", "paid", "shipped"]);
    assert_eq!(status.data_type.collation.as_deref(), Some("utf8mb4_bin"));
    let placed_at = &table.columns[4];
    assert_eq!(
        placed_at.default.as_ref().unwrap().kind,
        DefaultKind::CurrentTimestamp { precision: Some(6) }
    );
    assert_eq!(
        placed_at.on_update.as_ref().unwrap().functions,
        vec!["current_timestamp"]
    );
    assert_eq!(table.indexes.len(), 4);
    assert_eq!(table.indexes[0].kind, IndexKind::Primary);
    let unique = &table.indexes[1];
    assert_eq!(unique.kind, IndexKind::Unique);
    assert_eq!(unique.parts[1].order, Some(SortOrder::Desc));
    let status_index = &table.indexes[2];
    assert_eq!(status_index.options.using, Some(IndexType::Btree));
    assert_eq!(status_index.options.comment.as_deref(), Some("hot"));
    assert_eq!(
        status_index.options.visibility,
        Some(IndexVisibility::Invisible)
    );
    assert_eq!(table.indexes[3].kind, IndexKind::Fulltext);
    let fk = &table.foreign_keys[0];
    assert_eq!(
        fk.constraint_name.as_ref().unwrap().value,
        "fk_rails_f868b47f6a"
    );
    assert_eq!(fk.references.table.name.value, "users");
    assert_eq!(fk.references.on_delete, Some(ReferentialAction::Cascade));
    assert_eq!(fk.references.on_update, Some(ReferentialAction::NoAction));
    assert_eq!(table.checks[0].expr.columns, vec!["total"]);
    assert_eq!(table.options.len(), 6);
    assert_eq!(table.options[5].value, "orders");
}

#[test]
fn defaults_of_every_form() {
    let table = create_table(
        "CREATE TABLE t (
            a INT DEFAULT NULL,
            b INT DEFAULT -1,
            c VARCHAR(36) DEFAULT (uuid()),
            d CHAR(36) DEFAULT uuid(),
            e DATETIME DEFAULT NOW(),
            f TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            g BIT(1) DEFAULT b'0',
            h DOUBLE DEFAULT (RAND() * 10),
            i INT DEFAULT 1 + 1,
            j VARCHAR(10) DEFAULT _utf8mb4'x' NOT NULL,
            k JSON DEFAULT ('[]'),
            l BOOLEAN DEFAULT TRUE,
            m DATE DEFAULT (CURRENT_DATE + INTERVAL 1 YEAR)
        )",
    );
    let kinds: Vec<_> = table
        .columns
        .iter()
        .map(|c| c.default.as_ref().unwrap().kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            DefaultKind::Null,
            DefaultKind::Literal,
            DefaultKind::Expression,
            DefaultKind::Function,
            DefaultKind::CurrentTimestamp { precision: None },
            DefaultKind::CurrentTimestamp { precision: None },
            DefaultKind::Literal,
            DefaultKind::Expression,
            DefaultKind::Function,
            DefaultKind::Literal,
            DefaultKind::Expression,
            DefaultKind::Literal,
            DefaultKind::Expression,
        ]
    );
    let functions = |i: usize| {
        table.columns[i]
            .default
            .as_ref()
            .unwrap()
            .expr
            .functions
            .clone()
    };
    assert_eq!(functions(2), vec!["uuid"]);
    assert_eq!(functions(3), vec!["uuid"]);
    assert_eq!(functions(7), vec!["rand"]);
    assert_eq!(functions(12), vec!["current_date"]);
    assert!(
        table.columns[10]
            .default
            .as_ref()
            .unwrap()
            .expr
            .is_constant_literal
    );
    assert_eq!(table.columns[9].nullable, Some(false));
    assert_eq!(table.columns[11].data_type.name, "tinyint");
    assert_eq!(table.columns[11].data_type.length, Some(1));
}

#[test]
fn generated_invisible_and_other_column_attributes() {
    let table = create_table(
        "CREATE TABLE p (
            id INT UNSIGNED ZEROFILL,
            first VARCHAR(50) CHARACTER SET latin1 BINARY,
            full_name VARCHAR(101) GENERATED ALWAYS AS (CONCAT(first, ' ', last)) STORED NOT NULL,
            lower_name VARCHAR(101) AS (LOWER(full_name)) PERSISTENT,
            v INT AS (id + 1) VIRTUAL INVISIBLE,
            secret TEXT INVISIBLE COMMENT 'hidden' COLUMN_FORMAT DYNAMIC STORAGE DISK,
            pos POINT NOT NULL SRID 4326,
            qty INT CHECK (qty > 0) CONSTRAINT qty_small CHECK (qty < 100) NOT ENFORCED,
            owner_id INT REFERENCES owners(id) ON DELETE SET NULL,
            u INT UNIQUE KEY,
            blob_col BLOB COMPRESSED,
            price DOUBLE PRECISION(8,2) SIGNED,
            code NATIONAL CHAR VARYING(10),
            history INT WITHOUT SYSTEM VERSIONING
        )",
    );
    let c = &table.columns;
    assert!(c[0].data_type.zerofill && c[0].data_type.unsigned);
    assert_eq!(c[1].data_type.charset.as_deref(), Some("latin1"));
    assert!(c[1].data_type.binary);
    let generated = c[2].generated.as_ref().unwrap();
    assert_eq!(generated.storage, Some(GeneratedStorage::Stored));
    assert_eq!(generated.expr.functions, vec!["concat"]);
    assert_eq!(generated.expr.columns, vec!["first", "last"]);
    assert_eq!(c[2].nullable, Some(false));
    assert_eq!(
        c[3].generated.as_ref().unwrap().storage,
        Some(GeneratedStorage::Persistent)
    );
    assert!(c[4].invisible);
    assert_eq!(
        c[4].generated.as_ref().unwrap().storage,
        Some(GeneratedStorage::Virtual)
    );
    assert_eq!(c[5].comment.as_deref(), Some("hidden"));
    assert_eq!(c[5].column_format.as_deref(), Some("DYNAMIC"));
    assert_eq!(c[5].storage.as_deref(), Some("DISK"));
    assert_eq!(c[6].srid, Some(4326));
    assert_eq!(c[7].checks.len(), 2);
    assert_eq!(c[7].checks[1].name.as_ref().unwrap().value, "qty_small");
    assert_eq!(c[7].checks[1].enforced, Some(false));
    assert_eq!(
        c[8].references.as_ref().unwrap().on_delete,
        Some(ReferentialAction::SetNull)
    );
    assert_eq!(c[9].key, Some(InlineKey::Unique));
    assert!(c[10].compressed);
    assert_eq!(c[11].data_type.name, "double");
    assert_eq!(c[12].data_type.name, "varchar");
    assert_eq!(c[13].system_versioning, Some(false));
}

#[test]
fn like_and_as_select() {
    let table = create_table("CREATE TABLE IF NOT EXISTS app.orders_new LIKE app.orders");
    assert!(table.if_not_exists);
    assert_eq!(table.name.schema.as_ref().unwrap().value, "app");
    assert_eq!(table.like.as_ref().unwrap().to_string(), "app.orders");
    assert!(create_table("CREATE TABLE t2 (LIKE t1)").like.is_some());

    let table = create_table(
        "CREATE TEMPORARY TABLE tmp ENGINE=MEMORY AS SELECT id, NOW() AS at FROM t WHERE x = 1",
    );
    assert!(table.temporary);
    let query = table.query.unwrap();
    assert!(query.text.starts_with("SELECT id"));
    assert_eq!(query.functions, vec!["now"]);
    assert_eq!(table.options[0].value, "MEMORY");

    let table = create_table("CREATE TABLE t (a INT) IGNORE SELECT a FROM u");
    assert_eq!(table.columns.len(), 1);
    assert!(table.query.is_some());
    let table = create_table("CREATE OR REPLACE TABLE t SELECT 1 AS a");
    assert!(table.or_replace);
}

#[test]
fn partitioned_tables() {
    let table = create_table(
        "CREATE TABLE logs (id BIGINT NOT NULL, created DATE NOT NULL, PRIMARY KEY (id, created))
         ENGINE=InnoDB
         PARTITION BY RANGE COLUMNS(created) (
            PARTITION p2023 VALUES LESS THAN ('2024-01-01') ENGINE = InnoDB,
            PARTITION p2024 VALUES LESS THAN ('2025-01-01'),
            PARTITION pmax VALUES LESS THAN (MAXVALUE)
         )",
    );
    let partitioning = table.partition_by.unwrap();
    assert_eq!(partitioning.method, "RANGE COLUMNS");
    assert_eq!(partitioning.expr.unwrap().text, "created");
    let names: Vec<_> = partitioning
        .definitions
        .iter()
        .map(|n| n.value.as_str())
        .collect();
    assert_eq!(names, vec!["p2023", "p2024", "pmax"]);

    let table = create_table("CREATE TABLE h (id INT) PARTITION BY LINEAR HASH (id) PARTITIONS 8");
    let partitioning = table.partition_by.unwrap();
    assert_eq!(partitioning.method, "LINEAR HASH");
    assert_eq!(partitioning.partitions, Some(8));

    let table = create_table("CREATE TABLE k (id INT) PARTITION BY KEY () PARTITIONS 4 ");
    assert_eq!(table.partition_by.unwrap().method, "KEY");

    let table = create_table(
        "CREATE TABLE v (x INT) WITH SYSTEM VERSIONING PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH PARTITIONS 12",
    );
    assert_eq!(table.partition_by.unwrap().method, "SYSTEM_TIME");
    assert_eq!(table.options[0].name, "WITH SYSTEM VERSIONING");
}

#[test]
fn index_variants_in_create_table() {
    let table = create_table(
        "CREATE TABLE s (
            id INT,
            g GEOMETRY NOT NULL,
            doc JSON,
            name VARCHAR(200),
            SPATIAL INDEX sp (g),
            INDEX IF NOT EXISTS by_name (name(20)) KEY_BLOCK_SIZE = 8 IGNORED,
            INDEX func ((CAST(doc->>'$.a' AS UNSIGNED))),
            CONSTRAINT pk PRIMARY KEY USING HASH (id),
            UNIQUE INDEX (name),
            FOREIGN KEY IF NOT EXISTS fk_x (id) REFERENCES x (id) MATCH FULL
        ) PAGE_COMPRESSED=1 ENCRYPTED=YES STATS_PERSISTENT=0",
    );
    let i = &table.indexes;
    assert_eq!(i[0].kind, IndexKind::Spatial);
    assert!(i[1].if_not_exists);
    assert_eq!(i[1].parts[0].prefix_length, Some(20));
    assert_eq!(i[1].options.key_block_size, Some(8));
    assert_eq!(i[1].options.visibility, Some(IndexVisibility::Ignored));
    assert!(i[2].parts[0].expr.is_some());
    assert_eq!(i[2].parts[0].expr.as_ref().unwrap().functions, vec!["cast"]);
    assert_eq!(i[3].kind, IndexKind::Primary);
    assert_eq!(i[3].constraint_name.as_ref().unwrap().value, "pk");
    assert_eq!(i[3].options.using, Some(IndexType::Hash));
    assert_eq!(i[4].kind, IndexKind::Unique);
    assert!(i[4].name.is_none());
    assert!(table.foreign_keys[0].if_not_exists);
    assert_eq!(
        table.foreign_keys[0].references.match_type.as_deref(),
        Some("FULL")
    );
    let names: Vec<_> = table.options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["PAGE_COMPRESSED", "ENCRYPTED", "STATS_PERSISTENT"]
    );
}

#[test]
fn identifiers_keep_case_and_lose_backticks() {
    let table = create_table("CREATE TABLE `My``Table` (`Weird Col` INT, MixedCase INT)");
    assert_eq!(table.name.name.value, "My`Table");
    assert_eq!(table.columns[0].name.value, "Weird Col");
    assert_eq!(table.columns[1].name.value, "MixedCase");
    assert!(table.columns[1].name.eq_ignore_case("mixedcase"));
}

#[test]
fn spans_cover_columns_and_types() {
    let sql = "CREATE TABLE t (a varchar(10) NOT NULL, b int)";
    let table = create_table(sql);
    assert_eq!(table.columns[0].span.text(sql), "a varchar(10) NOT NULL");
    assert_eq!(table.columns[0].data_type.span.text(sql), "varchar(10)");
    assert_eq!(table.columns[1].span.text(sql), "b int");
    assert!(matches!(
        one("create table x (y int)"),
        StatementKind::CreateTable(_)
    ));
}
