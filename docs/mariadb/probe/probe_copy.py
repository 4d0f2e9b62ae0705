#!/usr/bin/env python3
"""Section 6: does `CREATE TABLE probe LIKE t` + the same ALTER predict what the real table does?

For each case: build the real table (with its history / data / FKs), create `probe` LIKE it,
run the ALTER on the probe and on the real table (fresh setup per algorithm variant), and
compare accepted/refused + observed kind (instant / no-rebuild / rebuild / COPY).
SET GLOBAL innodb_default_row_format is changed temporarily for one case and restored.
"""
from lib import connect, q, q1, run_stmt, reset_db, snapshot, diff, dump

DB = "research_probe"


def kind(r, d):
    if not r["ok"]:
        return f"ERR {r['err_code']}"
    if d["handler_write"] > 0 or (r.get("affected") or 0) > 0:
        return "COPY"
    if d["any_table_id_changed"]:
        return "rebuild"
    if d["instant_counter"] > 0:
        return "instant"
    return "no-rebuild"


def run_on(conn, table, op, clause):
    sql = f"ALTER TABLE {table} {op}" + (f", {clause}" if clause else "")
    b = snapshot(conn, DB)
    r = run_stmt(conn, sql)
    a = snapshot(conn, DB)
    d = diff(b, a, table)
    return dict(sql=sql, kind=kind(r, d), msg=r.get("err_msg"), table_id_changed=d["any_table_id_changed"],
                affected=r.get("affected"))


BASE = ["CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, v50 VARCHAR(50), w INT NULL, body TEXT) "
        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        "INSERT INTO t SELECT seq, seq, seq % 10, CONCAT('v', seq), IF(seq % 5 = 0, NULL, seq), 'x' FROM seq_1_to_1000"]
FK = ["CREATE TABLE p (id INT PRIMARY KEY) ENGINE=InnoDB", "INSERT INTO p SELECT seq FROM seq_1_to_1000",
      "CREATE TABLE t (id INT PRIMARY KEY, pid INT, a INT, KEY (pid), CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id)) "
      "ENGINE=InnoDB",
      "INSERT INTO t SELECT seq, seq, seq FROM seq_1_to_1000"]
CYCLES = ["CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT) ENGINE=InnoDB",
          "INSERT INTO t SELECT seq, seq, seq FROM seq_1_to_100"] + [
    s for i in range(1, 1015) for s in (f"ALTER TABLE t ADD COLUMN x{i} INT, ALGORITHM=INSTANT",
                                        f"ALTER TABLE t DROP COLUMN x{i}, ALGORITHM=INSTANT")]

CASES = [
    ("canonical table, ADD COLUMN", BASE, "t", "ADD COLUMN n INT"),
    ("after instant DROP + ADD FIRST history, ADD COLUMN", BASE + [
        "ALTER TABLE t DROP COLUMN b, ALGORITHM=INSTANT", "ALTER TABLE t ADD COLUMN f INT FIRST, ALGORITHM=INSTANT"],
     "t", "ADD COLUMN n INT"),
    ("1014 instant ADD+DROP cycles, then ADD COLUMN", CYCLES, "t", "ADD COLUMN n INT"),
    ("FULLTEXT index was dropped (hidden FTS_DOC_ID remains), ADD COLUMN", BASE + [
        "ALTER TABLE t ADD FULLTEXT INDEX ft (body)", "ALTER TABLE t DROP INDEX ft"], "t", "ADD COLUMN n INT"),
    ("FK child: MODIFY pid INT->BIGINT", FK, "t", "MODIFY pid BIGINT"),
    ("FK parent: MODIFY p.id INT->BIGINT", FK, "p", "MODIFY id BIGINT"),
    ("FK child: RENAME COLUMN pid", FK, "t", "RENAME COLUMN pid TO pid2"),
    ("FK child: DROP INDEX backing the FK", FK, "t", "DROP INDEX pid"),
    ("FK parent: DROP PRIMARY KEY, ADD PRIMARY KEY", FK, "p", "DROP PRIMARY KEY, ADD PRIMARY KEY (id)"),
    ("data: NULL->NOT NULL with NULLs present", BASE, "t", "MODIFY w INT NOT NULL"),
    ("data: ADD UNIQUE with duplicates", BASE, "t", "ADD UNIQUE INDEX ux (b)"),
    ("data: VARCHAR shrink below data length", BASE, "t", "MODIFY v50 VARCHAR(2)"),
    ("data: ADD CHECK violated by rows", BASE, "t", "ADD CONSTRAINT ck CHECK (a > 500)"),
    ("implicit ROW_FORMAT (created under innodb_default_row_format=redundant): VARCHAR(50)->VARCHAR(100)",
     ["SET GLOBAL innodb_default_row_format='redundant'",
      "CREATE TABLE t (id INT PRIMARY KEY, v50 VARCHAR(50)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
      "SET GLOBAL innodb_default_row_format='dynamic'",
      "INSERT INTO t SELECT seq, 'x' FROM seq_1_to_100"], "t", "MODIFY v50 VARCHAR(100)"),
]


def main():
    conn = connect()
    orig_rf = q1(conn, "SELECT @@GLOBAL.innodb_default_row_format")[0]
    out = []
    try:
        for label, setup, table, op in CASES:
            row = dict(case=label, op=op, table=table)
            for clause_label, clause in (("INSTANT", "ALGORITHM=INSTANT, LOCK=NONE"), ("DEFAULT", None)):
                reset_db(conn, DB)
                for s in setup:
                    q(conn, s)
                q(conn, f"CREATE TABLE probe LIKE {table}")
                if clause_label == "INSTANT":
                    row["show_create_real"] = q1(conn, f"SHOW CREATE TABLE {table}")[1]
                    row["show_create_probe"] = q1(conn, "SHOW CREATE TABLE probe")[1]
                    row["row_format"] = {n: rf for n, rf in q(conn, "SELECT NAME, ROW_FORMAT FROM "
                                         "information_schema.INNODB_SYS_TABLES WHERE NAME IN (%s, %s)",
                                         (f"{DB}/{table}", f"{DB}/probe"))}
                pr = run_on(conn, "probe", op, clause)
                rr = run_on(conn, table, op, clause)
                row[clause_label] = dict(probe=pr, real=rr, agree=pr["kind"] == rr["kind"])
            out.append(row)
            print(f"{label:<95} INSTANT: probe={row['INSTANT']['probe']['kind']:<10} real={row['INSTANT']['real']['kind']:<10}"
                  f" | DEFAULT: probe={row['DEFAULT']['probe']['kind']:<10} real={row['DEFAULT']['real']['kind']:<10}"
                  f" {'' if row['INSTANT']['agree'] and row['DEFAULT']['agree'] else '  <-- DIFFERS'}", flush=True)
            for k in ("INSTANT", "DEFAULT"):
                for side in ("probe", "real"):
                    if row[k][side]["msg"]:
                        print(f"      {k}/{side}: {row[k][side]['msg']}")
            if row["row_format"] and len(set(row["row_format"].values())) > 1:
                print("      row formats:", row["row_format"])
    finally:
        q(conn, f"SET GLOBAL innodb_default_row_format='{orig_rf}'")
        print("restored innodb_default_row_format =", q1(conn, "SELECT @@GLOBAL.innodb_default_row_format")[0])
        q(conn, f"DROP DATABASE IF EXISTS {DB}")
    dump("results/probe_copy.json", out)


if __name__ == "__main__":
    main()
