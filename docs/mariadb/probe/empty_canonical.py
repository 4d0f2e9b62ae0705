#!/usr/bin/env python3
"""Does a table with instant history become canonical again when emptied (DELETE all / TRUNCATE)?
Detector: with innodb_instant_alter_column_allowed=never (SET GLOBAL, restored), any ALTER on a
non-canonical table is forced to rebuild; on a canonical table ADD INDEX stays no-rebuild."""
import time
from lib import connect, q, q1, run_stmt, reset_db, snapshot, diff, dump
DB = "research_empty"
conn = connect(); orig = q1(conn, "SELECT @@GLOBAL.innodb_instant_alter_column_allowed")[0]
out = []
try:
    for label, empty_sql, wait in [("no emptying (control)", None, 0), ("DELETE FROM t (all rows), wait 10s for purge", "DELETE FROM t", 10),
                                   ("TRUNCATE TABLE t", "TRUNCATE TABLE t", 0)]:
        q(conn, "SET GLOBAL innodb_instant_alter_column_allowed='add_drop_reorder'")
        reset_db(conn, DB)
        q(conn, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT) ENGINE=InnoDB")
        q(conn, "INSERT INTO t SELECT seq, seq, seq FROM seq_1_to_1000")
        q(conn, "ALTER TABLE t DROP COLUMN b, ALGORITHM=INSTANT")
        if empty_sql: q(conn, empty_sql)
        time.sleep(wait)
        q(conn, "SET GLOBAL innodb_instant_alter_column_allowed='never'")
        b = snapshot(conn, DB); r = run_stmt(conn, "ALTER TABLE t ADD INDEX ia (a)"); a = snapshot(conn, DB); d = diff(b, a, "t")
        row = dict(case=label, ok=r["ok"], table_id=f"{d['table_ids_before']}->{d['table_ids_after']}",
                   verdict="rebuild => table was still non-canonical" if d["any_table_id_changed"] else "no rebuild => canonical")
        out.append(row); print(row)
finally:
    q(conn, f"SET GLOBAL innodb_instant_alter_column_allowed='{orig}'")
    print("restored:", q1(conn, "SELECT @@GLOBAL.innodb_instant_alter_column_allowed")[0])
    q(conn, f"DROP DATABASE IF EXISTS {DB}")
dump("results/empty_canonical.json", out)
