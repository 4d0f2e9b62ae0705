#!/usr/bin/env python3
"""Section 1: algorithm matrix.

For every case: a fresh small table (200 rows) is built, then the statement is run
once per (ALGORITHM, LOCK) combination on its own fresh copy:
  - no clause at all (server default)           -> how the server really executes it
  - LOCK=NONE only (default algorithm)
  - ALGORITHM=INSTANT|NOCOPY|INPLACE|COPY with LOCK=NONE; if refused, also SHARED and EXCLUSIVE
Per run we record: accepted/refused, error code+message, rows affected, info string,
warnings, and rebuild evidence (TABLE_ID / SPACE in INNODB_SYS_TABLES, .ibd inode,
Handler_write (session), Innodb_instant_alter_column (global) deltas) plus an
optional check query (e.g. values given to existing rows).

Usage: matrix.py [name-substring ...]   -> writes results/matrix.json
"""
import sys
import json
from lib import connect, q, q1, run_stmt, reset_db, snapshot, diff, dump

DB = "research_matrix"
NROWS = 200

BASE_COLS = [
    ("name VARCHAR(50) NOT NULL DEFAULT ''", "CONCAT('name',seq)"),
    ("v10 VARCHAR(10)", "CONCAT('v',seq)"),
    ("v50 VARCHAR(50)", "CONCAT('v50-',seq)"),
    ("v100 VARCHAR(100)", "CONCAT('v100-',seq)"),
    ("i INT", "seq*10"),
    ("u BIGINT", "seq"),
    ("qty INT NOT NULL DEFAULT 0", "seq%50"),
    ("k1 INT", "seq%7"),
    ("k2 INT", "seq%11"),
    ("body TEXT", "REPEAT(CONCAT('body',seq,' '),5)"),
    ("created DATETIME", "'2024-01-01 00:00:00' + INTERVAL seq MINUTE"),
    ("status ENUM('a','b','c') NOT NULL DEFAULT 'a'", "ELT(1+seq%3,'a','b','c')"),
    ("price DECIMAL(10,2)", "seq/3"),
    ("code CHAR(10)", "CONCAT('c',seq)"),
    ("lat VARCHAR(100) CHARACTER SET latin1", "CONCAT('lat',seq)"),
    ("nn INT NULL", "seq"),
    ("wn INT NULL", "IF(seq%5=0,NULL,seq)"),
    ("nnn INT NOT NULL DEFAULT 0", "seq"),
]
BASE_KEYS = ["KEY idx_name (name)", "KEY idx_qty (qty)", "KEY idx_k (k1,k2)", "KEY idx_code (code)"]


def setup_sql(extra_cols=(), extra_keys=(), charset="utf8mb4", pk="auto", row_format="DYNAMIC",
              partition="", pre=(), post=(), table="t", drop_cols=()):
    cols = [c for c in BASE_COLS if c[0].split()[0] not in drop_cols] + list(extra_cols)
    if pk == "auto":
        idcol = "id INT NOT NULL AUTO_INCREMENT"
        keys = ["PRIMARY KEY (id)"]
    elif pk == "plain":
        idcol = "id INT NOT NULL"
        keys = ["PRIMARY KEY (id)"]
    else:  # no primary key
        idcol = "id INT NOT NULL"
        keys = []
    keys += [k for k in BASE_KEYS if not any(d in k for d in drop_cols)] + list(extra_keys)
    ddl = (f"CREATE TABLE {table} (\n  " + ",\n  ".join([idcol] + [c[0] for c in cols] + keys) +
           f"\n) ENGINE=InnoDB ROW_FORMAT={row_format} DEFAULT CHARSET={charset}" + (f" {partition}" if partition else ""))
    ins = (f"INSERT INTO {table} (id, " + ", ".join(c[0].split()[0] for c in cols if c[1]) + ") SELECT seq, " +
           ", ".join(c[1] for c in cols if c[1]) + f" FROM seq_1_to_{NROWS}")
    return list(pre) + [ddl, ins] + list(post)


def C(name, op, group, **kw):
    d = dict(name=name, op=op, group=group)
    d.update(kw)
    return d


VALCHK = "SELECT COUNT(*), COUNT(DISTINCT {c}), SUM({c} IS NULL), MIN({c}), MAX({c}) FROM t"
FK_PRE = ["CREATE TABLE p (id INT NOT NULL PRIMARY KEY, x INT) ENGINE=InnoDB",
          f"INSERT INTO p SELECT seq, seq FROM seq_1_to_{NROWS}"]
FK_COLS = [("pid INT", "seq"), ("pid2 INT", "seq")]
PART = ("PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (100), "
        "PARTITION p1 VALUES LESS THAN (200), PARTITION p2 VALUES LESS THAN (300))")

CASES = [
    # ---- ADD COLUMN
    C("ADD COLUMN nullable last", "ADD COLUMN c_new INT NULL", "add column", check=VALCHK.format(c="c_new")),
    C("ADD COLUMN constant DEFAULT", "ADD COLUMN c_new INT NULL DEFAULT 42", "add column", check=VALCHK.format(c="c_new")),
    C("ADD COLUMN NOT NULL no default", "ADD COLUMN c_new INT NOT NULL", "add column", check=VALCHK.format(c="c_new")),
    C("ADD COLUMN VARCHAR NOT NULL no default", "ADD COLUMN c_new VARCHAR(20) NOT NULL", "add column",
      check=VALCHK.format(c="c_new")),
    C("ADD COLUMN NOT NULL DEFAULT", "ADD COLUMN c_new INT NOT NULL DEFAULT 7", "add column", check=VALCHK.format(c="c_new")),
    C("ADD COLUMN FIRST", "ADD COLUMN c_new INT NULL FIRST", "add column"),
    C("ADD COLUMN AFTER", "ADD COLUMN c_new INT NULL AFTER name", "add column"),
    C("ADD COLUMN DEFAULT (UUID())", "ADD COLUMN c_new CHAR(36) DEFAULT (UUID())", "add column",
      check=VALCHK.format(c="c_new")),
    C("ADD COLUMN DATETIME DEFAULT CURRENT_TIMESTAMP", "ADD COLUMN c_new DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)",
      "add column", check=VALCHK.format(c="c_new")),
    C("ADD COLUMN TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP",
      "ADD COLUMN c_new TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP", "add column", check=VALCHK.format(c="c_new")),
    C("ADD COLUMN DEFAULT (NOW())", "ADD COLUMN c_new DATETIME(6) DEFAULT (NOW(6))", "add column",
      check=VALCHK.format(c="c_new")),
    C("ADD COLUMN DEFAULT (SYSDATE(6))", "ADD COLUMN c_new DATETIME(6) DEFAULT (SYSDATE(6))", "add column",
      check=VALCHK.format(c="c_new")),
    C("ADD COLUMN DEFAULT (RAND())", "ADD COLUMN c_new DOUBLE DEFAULT (RAND())", "add column",
      check=VALCHK.format(c="c_new")),
    C("ADD COLUMN DEFAULT (1+1) (constant expression)", "ADD COLUMN c_new INT DEFAULT (1+1)", "add column",
      check=VALCHK.format(c="c_new")),
    C("ADD COLUMN AUTO_INCREMENT (+UNIQUE KEY)", "ADD COLUMN c_new INT NOT NULL AUTO_INCREMENT, ADD UNIQUE KEY ux_new (c_new)",
      "add column", setup=dict(pk="plain"), check=VALCHK.format(c="c_new")),
    C("ADD COLUMN IF NOT EXISTS (new column)", "ADD COLUMN IF NOT EXISTS c_new INT", "add column"),
    C("ADD COLUMN IF NOT EXISTS (column exists)", "ADD COLUMN IF NOT EXISTS i INT", "add column"),
    C("ADD COLUMN VIRTUAL generated", "ADD COLUMN c_new INT AS (qty*2) VIRTUAL", "add column", check=VALCHK.format(c="c_new")),
    C("ADD COLUMN STORED generated", "ADD COLUMN c_new INT AS (qty*2) STORED", "add column", check=VALCHK.format(c="c_new")),
    C("ADD COLUMN VIRTUAL generated + INDEX on it", "ADD COLUMN c_new INT AS (qty*2) VIRTUAL, ADD INDEX idx_new (c_new)",
      "add column"),
    C("ADD COLUMN nullable last (partitioned table)", "ADD COLUMN c_new INT NULL", "add column",
      setup=dict(partition=PART)),
    C("ADD COLUMN nullable last (table has FULLTEXT)", "ADD COLUMN c_new INT NULL", "add column",
      setup=dict(extra_keys=["FULLTEXT KEY ft_body (body)"])),
    C("ADD COLUMN AFTER (table has FULLTEXT)", "ADD COLUMN c_new INT NULL AFTER name", "add column",
      setup=dict(extra_keys=["FULLTEXT KEY ft_body (body)"])),
    C("ADD COLUMN nullable last (ROW_FORMAT=COMPRESSED)", "ADD COLUMN c_new INT NULL", "add column",
      setup=dict(row_format="COMPRESSED")),
    C("ADD COLUMN nullable last (ROW_FORMAT=REDUNDANT)", "ADD COLUMN c_new INT NULL", "add column",
      setup=dict(row_format="REDUNDANT")),
    # ---- DROP COLUMN
    C("DROP COLUMN", "DROP COLUMN v10", "drop column"),
    C("DROP COLUMN (single-column index on it)", "DROP COLUMN qty", "drop column"),
    C("DROP COLUMN (part of composite index)", "DROP COLUMN k2", "drop column"),
    C("DROP COLUMN (table has FULLTEXT)", "DROP COLUMN v10", "drop column",
      setup=dict(extra_keys=["FULLTEXT KEY ft_body (body)"])),
    C("DROP COLUMN (ROW_FORMAT=COMPRESSED)", "DROP COLUMN v10", "drop column", setup=dict(row_format="COMPRESSED")),
    # ---- rename / reorder / comment
    C("RENAME COLUMN", "RENAME COLUMN v10 TO v10_renamed", "rename/reorder"),
    C("RENAME COLUMN (indexed column)", "RENAME COLUMN code TO code_renamed", "rename/reorder"),
    C("CHANGE old new same type", "CHANGE v10 v10_renamed VARCHAR(10)", "rename/reorder"),
    C("MODIFY reorder (AFTER)", "MODIFY v10 VARCHAR(10) AFTER id", "rename/reorder"),
    C("MODIFY reorder (FIRST)", "MODIFY v10 VARCHAR(10) FIRST", "rename/reorder"),
    C("MODIFY comment only", "MODIFY v10 VARCHAR(10) COMMENT 'hello'", "rename/reorder"),
    C("MODIFY reorder (table has FULLTEXT)", "MODIFY v10 VARCHAR(10) AFTER id", "rename/reorder",
      setup=dict(extra_keys=["FULLTEXT KEY ft_body (body)"])),
    # ---- type changes
    C("INT -> BIGINT", "MODIFY i BIGINT", "type change"),
    C("INT -> BIGINT (indexed NOT NULL column)", "MODIFY qty BIGINT NOT NULL DEFAULT 0", "type change"),
    C("INT -> INT UNSIGNED", "MODIFY i INT UNSIGNED", "type change"),
    C("BIGINT -> INT", "MODIFY u INT", "type change"),
    C("VARCHAR(10) -> VARCHAR(60) utf8mb4 (40->240 bytes)", "MODIFY v10 VARCHAR(60)", "type change"),
    C("VARCHAR(50) -> VARCHAR(100) utf8mb4 (200->400 bytes)", "MODIFY v50 VARCHAR(100)", "type change"),
    C("VARCHAR(50) -> VARCHAR(100) indexed (name)", "MODIFY name VARCHAR(100) NOT NULL DEFAULT ''", "type change"),
    C("VARCHAR(100) -> VARCHAR(200) utf8mb4 (400->800 bytes)", "MODIFY v100 VARCHAR(200)", "type change"),
    C("VARCHAR(100) -> VARCHAR(50) shrink (data fits)", "MODIFY v100 VARCHAR(50)", "type change"),
    C("VARCHAR(100) -> VARCHAR(5) shrink (data does not fit)", "MODIFY v100 VARCHAR(5)", "type change"),
    C("VARCHAR(100) -> TEXT", "MODIFY v100 TEXT", "type change"),
    C("latin1 VARCHAR(100) -> VARCHAR(200) (100->200 bytes)", "MODIFY lat VARCHAR(200) CHARACTER SET latin1", "type change"),
    C("latin1 VARCHAR(100) -> VARCHAR(300) (100->300 bytes)", "MODIFY lat VARCHAR(300) CHARACTER SET latin1", "type change"),
    C("CHAR(10) -> VARCHAR(10)", "MODIFY code VARCHAR(10)", "type change"),
    C("CHAR(10) -> CHAR(20)", "MODIFY code CHAR(20)", "type change"),
    C("DATETIME -> TIMESTAMP", "MODIFY created TIMESTAMP NULL", "type change"),
    C("ENUM append value at end", "MODIFY status ENUM('a','b','c','d') NOT NULL DEFAULT 'a'", "type change"),
    C("ENUM insert value in middle", "MODIFY status ENUM('a','x','b','c') NOT NULL DEFAULT 'a'", "type change"),
    C("DECIMAL(10,2) -> DECIMAL(12,2)", "MODIFY price DECIMAL(12,2)", "type change"),
    # ---- nullability / defaults
    C("NULL -> NOT NULL (no NULLs present)", "MODIFY nn INT NOT NULL", "null/default"),
    C("NULL -> NOT NULL (NULLs present, strict)", "MODIFY wn INT NOT NULL", "null/default"),
    C("NULL -> NOT NULL (NULLs present, ALTER IGNORE)", "MODIFY wn INT NOT NULL", "null/default", ignore=True,
      check="SELECT COUNT(*), SUM(wn=0), SUM(wn IS NULL) FROM t"),
    C("NULL -> NOT NULL (NULLs present, non-strict sql_mode)", "MODIFY wn INT NOT NULL", "null/default",
      pre=["SET SESSION sql_mode=''"], check="SELECT COUNT(*), SUM(wn=0), SUM(wn IS NULL) FROM t"),
    C("NOT NULL -> NULL", "MODIFY nnn INT NULL DEFAULT 0", "null/default"),
    C("ALTER COLUMN SET DEFAULT", "ALTER COLUMN i SET DEFAULT 5", "null/default"),
    C("ALTER COLUMN DROP DEFAULT", "ALTER COLUMN qty DROP DEFAULT", "null/default"),
    C("MODIFY only changing DEFAULT", "MODIFY i INT DEFAULT 5", "null/default"),
    # ---- indexes
    C("ADD INDEX", "ADD INDEX idx_i (i)", "index"),
    C("ADD UNIQUE", "ADD UNIQUE INDEX ux_i (i)", "index"),
    C("ADD UNIQUE (duplicates present)", "ADD UNIQUE INDEX ux_qty (qty)", "index"),
    C("DROP INDEX", "DROP INDEX idx_code", "index"),
    C("DROP INDEX + ADD INDEX same name (redefine)", "DROP INDEX idx_code, ADD INDEX idx_code (code, i)", "index"),
    C("RENAME INDEX", "RENAME INDEX idx_code TO idx_code2", "index"),
    C("ADD FULLTEXT (first)", "ADD FULLTEXT INDEX ft_body (body)", "index"),
    C("ADD FULLTEXT (second)", "ADD FULLTEXT INDEX ft_v100 (v100)", "index",
      setup=dict(extra_keys=["FULLTEXT KEY ft_body (body)"])),
    C("DROP FULLTEXT (only one)", "DROP INDEX ft_body", "index",
      setup=dict(extra_keys=["FULLTEXT KEY ft_body (body)"])),
    C("ADD SPATIAL", "ADD SPATIAL INDEX sp_pt (pt)", "index",
      setup=dict(extra_cols=[("pt POINT NOT NULL", "POINT(seq,seq)")])),
    C("ALTER INDEX IGNORED", "ALTER INDEX idx_code IGNORED", "index"),
    C("ALTER INDEX NOT IGNORED", "ALTER INDEX idx_code NOT IGNORED", "index",
      setup=dict(post=["ALTER TABLE t ALTER INDEX idx_code IGNORED"])),
    # ---- primary key
    C("ADD PRIMARY KEY (table without PK)", "ADD PRIMARY KEY (id)", "primary key", setup=dict(pk="none")),
    C("DROP PRIMARY KEY", "DROP PRIMARY KEY", "primary key", setup=dict(pk="plain")),
    C("DROP PRIMARY KEY (AUTO_INCREMENT id)", "DROP PRIMARY KEY", "primary key"),
    C("DROP PRIMARY KEY, ADD PRIMARY KEY(id, i)", "DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)", "primary key",
      setup=dict(pk="plain")),
    # ---- foreign keys
    C("ADD FOREIGN KEY (fk_checks=1, column indexed)", "ADD CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES p(id)",
      "foreign key", setup=dict(pre=FK_PRE, extra_cols=FK_COLS, extra_keys=["KEY idx_pid (pid)"])),
    C("ADD FOREIGN KEY (fk_checks=0, column indexed)", "ADD CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES p(id)",
      "foreign key", setup=dict(pre=FK_PRE, extra_cols=FK_COLS, extra_keys=["KEY idx_pid (pid)"]),
      pre=["SET SESSION foreign_key_checks=0"]),
    C("ADD FOREIGN KEY (fk_checks=1, column not indexed)", "ADD CONSTRAINT fk_pid2 FOREIGN KEY (pid2) REFERENCES p(id)",
      "foreign key", setup=dict(pre=FK_PRE, extra_cols=FK_COLS)),
    C("ADD FOREIGN KEY (fk_checks=0, column not indexed)", "ADD CONSTRAINT fk_pid2 FOREIGN KEY (pid2) REFERENCES p(id)",
      "foreign key", setup=dict(pre=FK_PRE, extra_cols=FK_COLS), pre=["SET SESSION foreign_key_checks=0"]),
    C("ADD FOREIGN KEY (fk_checks=1, orphan rows)", "ADD CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES p(id)",
      "foreign key", setup=dict(pre=FK_PRE, extra_cols=[("pid INT", "seq+150")], extra_keys=["KEY idx_pid (pid)"])),
    C("ADD FOREIGN KEY (fk_checks=0, orphan rows)", "ADD CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES p(id)",
      "foreign key", setup=dict(pre=FK_PRE, extra_cols=[("pid INT", "seq+150")], extra_keys=["KEY idx_pid (pid)"]),
      pre=["SET SESSION foreign_key_checks=0"]),
    C("DROP FOREIGN KEY", "DROP FOREIGN KEY fk_pid", "foreign key",
      setup=dict(pre=FK_PRE, extra_cols=FK_COLS,
                 extra_keys=["KEY idx_pid (pid)", "CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES p (id)"])),
    C("MODIFY FK child column INT->BIGINT", "MODIFY pid BIGINT", "foreign key",
      setup=dict(pre=FK_PRE, extra_cols=FK_COLS,
                 extra_keys=["KEY idx_pid (pid)", "CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES p (id)"])),
    C("ADD COLUMN on FK child table", "ADD COLUMN c_new INT", "foreign key",
      setup=dict(pre=FK_PRE, extra_cols=FK_COLS,
                 extra_keys=["KEY idx_pid (pid)", "CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES p (id)"])),
    # ---- check constraints
    C("ADD CONSTRAINT CHECK", "ADD CONSTRAINT chk_qty CHECK (qty >= 0)", "check"),
    C("ADD CONSTRAINT CHECK (violated by rows)", "ADD CONSTRAINT chk_qty CHECK (qty > 10)", "check"),
    C("DROP CONSTRAINT (CHECK)", "DROP CONSTRAINT chk_qty", "check",
      setup=dict(extra_keys=["CONSTRAINT chk_qty CHECK (qty >= 0)"])),
    # ---- charset
    C("CONVERT TO CHARACTER SET utf8mb4 (from latin1)", "CONVERT TO CHARACTER SET utf8mb4", "charset",
      setup=dict(charset="latin1")),
    C("CONVERT TO CHARACTER SET utf8mb4 (from utf8mb3)", "CONVERT TO CHARACTER SET utf8mb4", "charset",
      setup=dict(charset="utf8mb3")),
    C("CONVERT TO CHARACTER SET utf8mb4 (already utf8mb4, latin1 column)", "CONVERT TO CHARACTER SET utf8mb4", "charset"),
    C("DEFAULT CHARACTER SET utf8mb4 (table default only, from latin1)", "DEFAULT CHARACTER SET utf8mb4", "charset",
      setup=dict(charset="latin1")),
    C("column charset latin1 -> utf8mb4", "MODIFY lat VARCHAR(100) CHARACTER SET utf8mb4", "charset"),
    C("column utf8mb3 -> utf8mb4 (non-indexed)", "MODIFY v10 VARCHAR(10) CHARACTER SET utf8mb4", "charset",
      setup=dict(charset="utf8mb3")),
    C("column utf8mb3 -> utf8mb4 (indexed)", "MODIFY code CHAR(10) CHARACTER SET utf8mb4", "charset",
      setup=dict(charset="utf8mb3")),
    C("column collation change (non-indexed)", "MODIFY v10 VARCHAR(10) COLLATE utf8mb4_bin", "charset"),
    C("column collation change (indexed)", "MODIFY code CHAR(10) COLLATE utf8mb4_bin", "charset"),
    # ---- table options
    C("ENGINE=InnoDB (same engine)", "ENGINE=InnoDB", "table"),
    C("ROW_FORMAT=COMPRESSED", "ROW_FORMAT=COMPRESSED", "table"),
    C("ROW_FORMAT=COMPACT (from DYNAMIC)", "ROW_FORMAT=COMPACT", "table"),
    C("ROW_FORMAT=DYNAMIC (unchanged)", "ROW_FORMAT=DYNAMIC", "table"),
    C("FORCE", "FORCE", "table"),
    C("OPTIMIZE TABLE", "OPTIMIZE TABLE t", "table", raw=True),
    C("COMMENT='x'", "COMMENT='x'", "table"),
    C("AUTO_INCREMENT=n", "AUTO_INCREMENT=1000", "table"),
    C("RENAME TABLE", "RENAME TABLE t TO t_renamed", "rename table", raw=True, after_table="t_renamed"),
    C("ALTER TABLE RENAME TO", "RENAME TO t_renamed", "rename table", after_table="t_renamed"),
    C("ALTER TABLE RENAME TO + ADD COLUMN", "RENAME TO t_renamed, ADD COLUMN c_new INT", "rename table",
      after_table="t_renamed"),
    C("TRUNCATE TABLE", "TRUNCATE TABLE t", "table", raw=True),
    # ---- partitioning
    C("PARTITION BY RANGE (unpartitioned table)",
      "PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN MAXVALUE)",
      "partition"),
    C("ADD PARTITION", "ADD PARTITION (PARTITION p3 VALUES LESS THAN (400))", "partition", setup=dict(partition=PART)),
    C("DROP PARTITION", "DROP PARTITION p0", "partition", setup=dict(partition=PART)),
    C("TRUNCATE PARTITION", "TRUNCATE PARTITION p1", "partition", setup=dict(partition=PART)),
    C("REORGANIZE PARTITION",
      "REORGANIZE PARTITION p2 INTO (PARTITION p2a VALUES LESS THAN (250), PARTITION p2b VALUES LESS THAN (300))",
      "partition", setup=dict(partition=PART)),
    C("REMOVE PARTITIONING", "REMOVE PARTITIONING", "partition", setup=dict(partition=PART)),
    # ---- mixed
    C("MIXED: instant ADD COLUMN + ADD INDEX", "ADD COLUMN c_new INT NULL, ADD INDEX idx_i (i)", "mixed"),
    C("MIXED: instant ADD COLUMN + DROP INDEX", "ADD COLUMN c_new INT NULL, DROP INDEX idx_code", "mixed"),
    C("MIXED: instant ADD COLUMN + INT->BIGINT", "ADD COLUMN c_new INT NULL, MODIFY i BIGINT", "mixed"),
    C("MIXED: instant ADD COLUMN + FORCE", "ADD COLUMN c_new INT NULL, FORCE", "mixed"),
    C("MIXED: ADD COLUMN + DROP COLUMN + reorder", "ADD COLUMN c_new INT NULL, DROP COLUMN v10, MODIFY v50 VARCHAR(50) FIRST",
      "mixed"),
    C("MIXED: instant ADD COLUMN + ADD FULLTEXT", "ADD COLUMN c_new INT NULL, ADD FULLTEXT INDEX ft_body (body)", "mixed"),
]


ENUM255 = "ENUM(" + ",".join(f"'v{i}'" for i in range(255)) + ")"
ENUM256 = "ENUM(" + ",".join(f"'v{i}'" for i in range(256)) + ")"
FK_T = dict(pre=FK_PRE, extra_cols=FK_COLS,
            extra_keys=["KEY idx_pid (pid)", "CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES p (id)"])

EXTRA_CASES = [
    C("CONVERT TO CHARACTER SET utf8mb4 (from utf8mb3, no latin1 column)", "CONVERT TO CHARACTER SET utf8mb4",
      "charset", setup=dict(charset="utf8mb3", drop_cols=("lat",))),
    C("CONVERT TO CHARACTER SET utf8mb4 (already utf8mb4, no latin1 column)", "CONVERT TO CHARACTER SET utf8mb4",
      "charset", setup=dict(drop_cols=("lat",))),
    C("VARCHAR(10) -> VARCHAR(100) utf8mb4 (40->400 bytes)", "MODIFY v10 VARCHAR(100)", "type change"),
    C("VARCHAR(31) -> VARCHAR(64) utf8mb4 (124->256 bytes)", "MODIFY c31 VARCHAR(64)", "type change",
      setup=dict(extra_cols=[("c31 VARCHAR(31)", "CONCAT('x',seq)")])),
    C("VARCHAR(32) -> VARCHAR(64) utf8mb4 (128->256 bytes)", "MODIFY c32 VARCHAR(64)", "type change",
      setup=dict(extra_cols=[("c32 VARCHAR(32)", "CONCAT('x',seq)")])),
    C("latin1 VARCHAR(200) -> VARCHAR(300) (200->300 bytes)", "MODIFY l200 VARCHAR(300) CHARACTER SET latin1",
      "type change", setup=dict(extra_cols=[("l200 VARCHAR(200) CHARACTER SET latin1", "CONCAT('x',seq)")])),
    C("VARCHAR(50) -> VARCHAR(100) utf8mb4 (ROW_FORMAT=REDUNDANT)", "MODIFY v50 VARCHAR(100)", "type change",
      setup=dict(row_format="REDUNDANT")),
    C("INT -> BIGINT (ROW_FORMAT=REDUNDANT)", "MODIFY i BIGINT", "type change", setup=dict(row_format="REDUNDANT")),
    C("NOT NULL -> NULL (ROW_FORMAT=REDUNDANT)", "MODIFY nnn INT NULL DEFAULT 0", "null/default",
      setup=dict(row_format="REDUNDANT")),
    C("ENUM append at end crossing 255->256 values", f"MODIFY e {ENUM256}", "type change",
      setup=dict(extra_cols=[(f"e {ENUM255}", "'v1'")])),
    C("SET append value at end", "MODIFY s SET('a','b','c','d')", "type change",
      setup=dict(extra_cols=[("s SET('a','b','c')", "'a,b'")])),
    C("VARCHAR -> VARBINARY? (VARCHAR(10) -> VARCHAR(10) BINARY collation)", "MODIFY v10 VARCHAR(10) COLLATE utf8mb4_bin",
      "charset"),
    C("MODIFY FK child column INT->BIGINT (fk_checks=0)", "MODIFY pid BIGINT", "foreign key", setup=FK_T,
      pre=["SET SESSION foreign_key_checks=0"]),
    C("RENAME COLUMN used by FK (child side)", "RENAME COLUMN pid TO pid_renamed", "foreign key", setup=FK_T),
    C("DROP INDEX backing an FK", "DROP INDEX idx_pid", "foreign key", setup=FK_T),
    C("ADD UNIQUE (duplicates, ALTER IGNORE)", "ADD UNIQUE INDEX ux_qty (qty)", "index", ignore=True,
      check="SELECT COUNT(*) FROM t"),
    C("ADD COLUMN + ADD INDEX on the new column", "ADD COLUMN c_new INT NULL, ADD INDEX idx_new (c_new)", "mixed"),
    C("ADD COLUMN + RENAME COLUMN", "ADD COLUMN c_new INT NULL, RENAME COLUMN v10 TO v10_renamed", "mixed"),
    C("ADD COLUMN + ALTER COLUMN SET DEFAULT", "ADD COLUMN c_new INT NULL, ALTER COLUMN i SET DEFAULT 5", "mixed"),
    C("ADD COLUMN + VARCHAR widen (instant kind)", "ADD COLUMN c_new INT NULL, MODIFY v100 VARCHAR(200)", "mixed"),
    C("ADD INDEX + DROP INDEX (different)", "ADD INDEX idx_i (i), DROP INDEX idx_code", "mixed"),
    C("ADD COLUMN TEXT NOT NULL (no default)", "ADD COLUMN c_new TEXT NOT NULL", "add column",
      check=VALCHK.format(c="c_new")),
    C("ADD COLUMN BLOB DEFAULT ('x')", "ADD COLUMN c_new BLOB DEFAULT ('x')", "add column", check=VALCHK.format(c="c_new")),
    C("ADD COLUMN JSON (LONGTEXT + CHECK)", "ADD COLUMN c_new JSON", "add column"),
    C("ADD COLUMN DEFAULT (NEXTVAL(seq))", "ADD COLUMN c_new INT DEFAULT (NEXTVAL(sq))", "add column",
      setup=dict(pre=["CREATE SEQUENCE sq"]), check=VALCHK.format(c="c_new")),
    C("FORCE (table has SPATIAL index)", "FORCE", "table",
      setup=dict(extra_cols=[("pt POINT NOT NULL", "POINT(seq,seq)")], extra_keys=["SPATIAL KEY sp_pt (pt)"])),
    C("ADD COLUMN (table has SPATIAL index)", "ADD COLUMN c_new INT", "add column",
      setup=dict(extra_cols=[("pt POINT NOT NULL", "POINT(seq,seq)")], extra_keys=["SPATIAL KEY sp_pt (pt)"])),
    C("PAGE_COMPRESSED=1", "PAGE_COMPRESSED=1", "table"),
    C("KEY_BLOCK_SIZE=8 (DYNAMIC table)", "KEY_BLOCK_SIZE=8", "table"),
    C("STATS_PERSISTENT=0 (table option)", "STATS_PERSISTENT=0", "table"),
    C("ADD SYSTEM VERSIONING", "ADD SYSTEM VERSIONING", "table"),
    C("ORDER BY", "ORDER BY qty", "table"),
    # raw statements (exact text)
    C("raw: ALTER TABLE ... PARTITION BY with ALGORITHM=INSTANT only",
      "ALTER TABLE t ALGORITHM=INSTANT PARTITION BY HASH (id) PARTITIONS 2", "partition", raw=True),
    C("raw: CREATE INDEX ... ALGORITHM=INPLACE LOCK=NONE", "CREATE INDEX idx_i ON t (i) ALGORITHM=INPLACE LOCK=NONE",
      "index", raw=True),
    C("raw: CREATE INDEX ... ALGORITHM=INSTANT", "CREATE INDEX idx_i ON t (i) ALGORITHM=INSTANT", "index", raw=True),
    C("raw: DROP INDEX ... ON t ALGORITHM=NOCOPY LOCK=NONE", "DROP INDEX idx_code ON t ALGORITHM=NOCOPY LOCK=NONE",
      "index", raw=True),
    C("raw: ALTER ONLINE TABLE ... ADD COLUMN", "ALTER ONLINE TABLE t ADD COLUMN c_new INT", "add column", raw=True),
    C("raw: ALTER ONLINE TABLE ... INT->BIGINT", "ALTER ONLINE TABLE t MODIFY i BIGINT", "type change", raw=True),
    C("raw: ALTER ONLINE TABLE ... ADD INDEX", "ALTER ONLINE TABLE t ADD INDEX idx_i (i)", "index", raw=True),
    C("raw: ALTER TABLE ... ADD COLUMN, ALGORITHM=INSTANT, LOCK=EXCLUSIVE",
      "ALTER TABLE t ADD COLUMN c_new INT, ALGORITHM=INSTANT, LOCK=EXCLUSIVE", "add column", raw=True),
    C("raw: ALTER TABLE ... ADD COLUMN, LOCK=SHARED (no algorithm)",
      "ALTER TABLE t ADD COLUMN c_new INT, LOCK=SHARED", "add column", raw=True),
    C("raw: ALTER TABLE ... ADD INDEX, LOCK=SHARED (no algorithm)",
      "ALTER TABLE t ADD INDEX idx_i (i), LOCK=SHARED", "index", raw=True),
    C("raw: ALTER TABLE ... MODIFY INT->BIGINT, LOCK=EXCLUSIVE (no algorithm)",
      "ALTER TABLE t MODIFY i BIGINT, LOCK=EXCLUSIVE", "type change", raw=True),
    C("raw: SET STATEMENT alter_algorithm='INSTANT' FOR ALTER ... INT->BIGINT",
      "SET STATEMENT alter_algorithm='INSTANT' FOR ALTER TABLE t MODIFY i BIGINT", "type change", raw=True),
    C("raw: SET STATEMENT alter_algorithm='INSTANT' FOR ALTER ... ADD COLUMN",
      "SET STATEMENT alter_algorithm='INSTANT' FOR ALTER TABLE t ADD COLUMN c_new INT", "add column", raw=True),
    C("raw: ALTER TABLE ... ALGORITHM=INSTANT overrides alter_algorithm=COPY",
      "SET STATEMENT alter_algorithm='COPY' FOR ALTER TABLE t ADD COLUMN c_new INT, ALGORITHM=INSTANT", "add column",
      raw=True),
    C("raw: alter_algorithm=COPY with no clause", "SET STATEMENT alter_algorithm='COPY' FOR ALTER TABLE t ADD COLUMN c_new INT",
      "add column", raw=True),
]


def combos():
    yield ("DEFAULT", None)
    yield ("DEFAULT", "NONE")
    for algo in ("INSTANT", "NOCOPY", "INPLACE", "COPY"):
        yield (algo, "NONE")


def build_stmt(case, algo, lock, placement="suffix"):
    if case.get("raw"):
        return case["op"]
    head = "ALTER IGNORE TABLE t" if case.get("ignore") else "ALTER TABLE t"
    clause = []
    if algo != "DEFAULT":
        clause.append(f"ALGORITHM={algo}")
    if lock:
        clause.append(f"LOCK={lock}")
    if not clause:
        return f"{head} {case['op']}"
    if placement == "suffix":
        return f"{head} {case['op']}, {', '.join(clause)}"
    if placement == "prefix":
        return f"{head} {', '.join(clause)}, {case['op']}"
    if placement == "prefix_nocomma":
        return f"{head} {', '.join(clause)} {case['op']}"
    # "session": clause expressed through SET SESSION alter_algorithm (LOCK cannot be expressed)
    return f"{head} {case['op']}"


def classify(r):
    if not r.get("ok"):
        return "refused"
    d = r["diff"]
    if d["handler_write"] > 0 or ((r.get("affected") or 0) > 0 and not r.get("resultset")):
        return "COPY"
    if d["any_table_id_changed"]:
        if d["partitioned"] and d["ids_kept"] > 0:
            return f"partition-level(kept {d['ids_kept']}, removed {d['ids_removed']}, new {d['ids_added']})"
        return "rebuild(inplace)"
    if d["instant_counter"] > 0:
        return "instant(metadata record)"
    return "no-rebuild"


def one_run(conn, case, algo, lock):
    reset_db(conn, DB)
    for s in setup_sql(**case.get("setup", {})):
        q(conn, s)
    for s in case.get("pre", []):
        q(conn, s)
    res = None
    for placement in ("suffix", "prefix", "prefix_nocomma", "session"):
        if placement == "session":
            if algo == "DEFAULT" and lock is None:
                break
            if lock not in (None, "NONE"):
                break
            res0 = res
            q(conn, f"SET SESSION alter_algorithm={algo}")
        stmt = build_stmt(case, algo, lock, placement)
        before = snapshot(conn, DB)
        res = run_stmt(conn, stmt)
        if placement == "session":
            res["via"] = f"SET SESSION alter_algorithm={algo} (LOCK clause is a syntax error here: {res0['err_msg']})"
            q(conn, "SET SESSION alter_algorithm=DEFAULT")
        if res.get("err_code") != 1064 or case.get("raw"):
            break
    after = snapshot(conn, DB)
    res["diff"] = diff(before, after, "t")
    if case.get("after_table"):
        d2 = diff(before, after, case["after_table"])
        # compare old name's ids to new name's ids
        res["diff"]["table_ids_after"] = d2["table_ids_after"]
        res["diff"]["any_table_id_changed"] = res["diff"]["table_ids_before"] != d2["table_ids_after"]
    res["class"] = classify(res)
    if res["ok"] and case.get("check"):
        tbl = case.get("after_table", "t")
        res["check"] = [list(x) for x in q(conn, case["check"].replace(" FROM t", f" FROM {tbl}"))]
    if res["ok"] and algo == "DEFAULT" and lock is None:
        try:
            res["show_create"] = q1(conn, f"SHOW CREATE TABLE {case.get('after_table', 't')}")[1]
        except Exception as e:
            res["show_create"] = str(e)
    # reset session settings changed by pre
    q(conn, "SET SESSION sql_mode=DEFAULT")
    q(conn, "SET SESSION foreign_key_checks=1")
    return res


def run_case(conn, case):
    out = []
    if case.get("raw"):
        out.append(dict(algo="DEFAULT", lock=None, **one_run(conn, case, "DEFAULT", None)))
        return out
    for algo, lock in combos():
        r = one_run(conn, case, algo, lock)
        out.append(dict(algo=algo, lock=lock, **r))
        if algo != "DEFAULT" and not r["ok"] and not r.get("via"):
            for lk in ("SHARED", "EXCLUSIVE"):
                r2 = one_run(conn, case, algo, lk)
                out.append(dict(algo=algo, lock=lk, **r2))
                if r2["ok"]:
                    break
    return out


def main():
    args = sys.argv[1:]
    cases, out = CASES, "results/matrix.json"
    if args and args[0] == "--extra":
        args = args[1:]
        cases, out = EXTRA_CASES, "results/matrix_extra.json"
    filt = args
    if filt:
        out = out.replace(".json", "_partial.json")
    conn = connect()
    results = []
    for case in cases:
        if filt and not any(f.lower() in case["name"].lower() for f in filt):
            continue
        runs = run_case(conn, case)
        results.append(dict(case=case, runs=runs))
        d = runs[0]
        print(f"{case['name']:<60} default={d['class']:<24} affected={d.get('affected')} "
              + " ".join(f"{r['algo']}/{r['lock']}:{'ok' if r['ok'] else r.get('err_code')}" for r in runs[1:]),
              flush=True)
    q(conn, f"DROP DATABASE IF EXISTS {DB}")
    dump(out, results)


if __name__ == "__main__":
    main()
