#!/usr/bin/env python3
"""Section 2: instant history / row versions.

A. Walk a table through instant ADD / ADD FIRST / DROP / reorder / FORCE and snapshot every
   information_schema view that could reveal the non-canonical (instant) format; compare with a
   freshly created table of the same definition.
B. Limits: repeat instant ADD+DROP until INSTANT is refused; repeat instant reorder; repeat instant ADD.
C. History-dependent refusals (dropped FULLTEXT leaves FTS_DOC_ID, etc.).
D. innodb_instant_alter_column_allowed = never / add_last / add_drop_reorder (SET GLOBAL, restored).

Writes results/history.json and prints a readable log.
"""
import json
from lib import connect, q, q1, run_stmt, reset_db, snapshot, diff, dump

DB = "research_hist"
OUT = {}


def views(conn, table):
    name = f"{DB}/{table}"
    tid = q1(conn, "SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME=%s", (name,))[0]
    r = {}
    r["SYS_TABLES"] = [list(x) for x in q(conn, "SELECT NAME, FLAG, N_COLS, ROW_FORMAT, ZIP_PAGE_SIZE, SPACE_TYPE "
                                                "FROM information_schema.INNODB_SYS_TABLES WHERE TABLE_ID=%s", (tid,))]
    r["SYS_COLUMNS"] = [list(x) for x in q(conn, "SELECT NAME, POS, MTYPE, PRTYPE, LEN FROM "
                                                 "information_schema.INNODB_SYS_COLUMNS WHERE TABLE_ID=%s ORDER BY POS", (tid,))]
    r["SYS_INDEXES"] = [list(x) for x in q(conn, "SELECT NAME, TYPE, N_FIELDS, MERGE_THRESHOLD FROM "
                                                 "information_schema.INNODB_SYS_INDEXES WHERE TABLE_ID=%s ORDER BY INDEX_ID", (tid,))]
    r["SYS_FIELDS"] = [list(x) for x in q(conn, "SELECT i.NAME, f.NAME, f.POS FROM information_schema.INNODB_SYS_FIELDS f "
                                                "JOIN information_schema.INNODB_SYS_INDEXES i USING (INDEX_ID) "
                                                "WHERE i.TABLE_ID=%s ORDER BY i.INDEX_ID, f.POS", (tid,))]
    r["TABLESTATS"] = [list(x) for x in q(conn, "SELECT NUM_ROWS, CLUST_INDEX_SIZE, OTHER_INDEX_SIZE FROM "
                                                "information_schema.INNODB_SYS_TABLESTATS WHERE TABLE_ID=%s", (tid,))]
    r["TABLES"] = [list(x) for x in q(conn, "SELECT ROW_FORMAT, TABLE_ROWS, AVG_ROW_LENGTH, DATA_LENGTH, CREATE_OPTIONS "
                                            "FROM information_schema.TABLES WHERE TABLE_SCHEMA=%s AND TABLE_NAME=%s", (DB, table))]
    # number of records on the clustered-index page(s) currently in the buffer pool:
    # the hidden metadata record of an instant-altered table is counted here.
    q(conn, f"SELECT COUNT(*) FROM `{table}`")  # make sure the page is cached
    r["BUFFER_PAGE_PRIMARY"] = [list(x) for x in q(conn,
        "SELECT PAGE_TYPE, NUMBER_RECORDS, DATA_SIZE FROM information_schema.INNODB_BUFFER_PAGE "
        "WHERE TABLE_NAME=%s AND INDEX_NAME='PRIMARY' ORDER BY PAGE_NUMBER",
        (f"`{DB}`.`{table}`",))]
    r["rows"] = q1(conn, f"SELECT COUNT(*) FROM `{table}`")[0]
    return r


def compare(conn, table, label, log):
    """Compare `table` with a fresh table created from its SHOW CREATE TABLE."""
    ddl = q1(conn, f"SHOW CREATE TABLE `{table}`")[1]
    q(conn, "DROP TABLE IF EXISTS fresh")
    q(conn, ddl.replace(f"CREATE TABLE `{table}`", "CREATE TABLE `fresh`", 1))
    q(conn, f"INSERT INTO fresh SELECT * FROM `{table}`")
    a, b = views(conn, table), views(conn, "fresh")
    differences = {}
    for k in a:
        va, vb = a[k], b[k]
        if k == "SYS_TABLES":
            va = [x[1:] for x in va]
            vb = [x[1:] for x in vb]
        if va != vb:
            differences[k] = dict(altered=va, fresh=vb)
    log.append(dict(step=label, views=a, differences_vs_fresh=differences))
    print(f"--- {label}: differences vs fresh copy: {list(differences) or 'none'}")
    for k, v in differences.items():
        print(f"    {k}: altered={v['altered']}\n    {' ' * len(k)}  fresh  ={v['fresh']}")
    q(conn, "DROP TABLE fresh")


def alter(conn, sql, log=None):
    before = snapshot(conn, DB)
    r = run_stmt(conn, sql)
    after = snapshot(conn, DB)
    r["diff"] = diff(before, after, "t")
    tag = "OK" if r["ok"] else f"ERR {r['err_code']} {r['err_msg']}"
    print(f"{sql}\n    -> {tag}; table_id {r['diff']['table_ids_before']}->{r['diff']['table_ids_after']}, "
          f"instant_counter+{r['diff']['instant_counter']}, affected={r.get('affected')}")
    if log is not None:
        log.append(r)
    return r


def part_a(conn):
    print("\n===== A. information_schema after instant operations")
    reset_db(conn, DB)
    q(conn, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(20), c INT, d INT) ENGINE=InnoDB ROW_FORMAT=DYNAMIC")
    q(conn, "INSERT INTO t SELECT seq, seq, CONCAT('b',seq), seq, seq FROM seq_1_to_100")
    log = []
    compare(conn, "t", "S0 fresh CREATE", log)
    steps = [
        ("S1 instant ADD COLUMN e (last)", "ALTER TABLE t ADD COLUMN e INT, ALGORITHM=INSTANT"),
        ("S2 instant ADD COLUMN f FIRST", "ALTER TABLE t ADD COLUMN f INT FIRST, ALGORITHM=INSTANT"),
        ("S3 instant DROP COLUMN b", "ALTER TABLE t DROP COLUMN b, ALGORITHM=INSTANT"),
        ("S4 instant ADD after DROP (still instant?)", "ALTER TABLE t ADD COLUMN g INT, ALGORITHM=INSTANT"),
        ("S5 instant reorder c AFTER id", "ALTER TABLE t MODIFY c INT AFTER id, ALGORITHM=INSTANT"),
        ("S6 rename column (metadata only)", "ALTER TABLE t RENAME COLUMN d TO d2, ALGORITHM=INSTANT"),
        ("S7 FORCE (rebuild)", "ALTER TABLE t FORCE"),
    ]
    for label, sql in steps:
        alter(conn, sql, log)
        compare(conn, "t", label, log)
    # only ADD last, on a separate table
    q(conn, "DROP TABLE t")
    q(conn, "CREATE TABLE t (id INT PRIMARY KEY, a INT) ENGINE=InnoDB")
    q(conn, "INSERT INTO t SELECT seq, seq FROM seq_1_to_100")
    alter(conn, "ALTER TABLE t ADD COLUMN b INT DEFAULT 5, ALGORITHM=INSTANT", log)
    compare(conn, "t", "T1 only instant ADD last (with default)", log)
    q(conn, "UPDATE t SET b = 1")
    compare(conn, "t", "T2 after UPDATE of every row (metadata record still there?)", log)
    q(conn, "DELETE FROM t")
    compare(conn, "t", "T3 after DELETE of all rows", log)
    OUT["A"] = log


def part_b(conn):
    print("\n===== B. limits")
    res = {}
    # B1: repeated instant ADD + DROP of a column
    reset_db(conn, DB)
    q(conn, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT) ENGINE=InnoDB")
    q(conn, "INSERT INTO t SELECT seq, seq, seq FROM seq_1_to_100")
    n = 0
    last = None
    for i in range(1, 3001):
        r1 = run_stmt(conn, f"ALTER TABLE t ADD COLUMN x{i} INT, ALGORITHM=INSTANT")
        if not r1["ok"]:
            last = ("ADD", i, r1)
            break
        r2 = run_stmt(conn, f"ALTER TABLE t DROP COLUMN x{i}, ALGORITHM=INSTANT")
        if not r2["ok"]:
            last = ("DROP", i, r2)
            break
        n = i
    ncols = q1(conn, f"SELECT N_COLS FROM information_schema.INNODB_SYS_TABLES WHERE NAME='{DB}/t'")[0]
    res["add_drop_cycles_ok"] = n
    res["add_drop_stop"] = None if not last else dict(op=last[0], i=last[1], err=last[2].get("err_code"),
                                                       msg=last[2].get("err_msg"))
    res["add_drop_n_cols_after"] = ncols
    print(f"B1 instant ADD+DROP cycles succeeded: {n}; stop: {res['add_drop_stop']}; N_COLS now {ncols}")
    if last:
        r = alter(conn, f"ALTER TABLE t ADD COLUMN y INT")
        res["add_drop_after_limit_default"] = dict(ok=r["ok"], diff=r["diff"], err=r.get("err_code"))
        r = alter(conn, "ALTER TABLE t ADD COLUMN z INT, ALGORITHM=INSTANT")
        res["after_rebuild_instant_again"] = r["ok"]
    # B2: repeated instant reorder
    reset_db(conn, DB)
    q(conn, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c INT) ENGINE=InnoDB")
    q(conn, "INSERT INTO t SELECT seq, seq, seq, seq FROM seq_1_to_100")
    ok = 0
    stop = None
    for i in range(1, 501):
        col = "a" if i % 2 else "c"
        r = run_stmt(conn, f"ALTER TABLE t MODIFY {col} INT FIRST, ALGORITHM=INSTANT")
        if not r["ok"]:
            stop = dict(i=i, err=r["err_code"], msg=r["err_msg"])
            break
        ok = i
    res["reorder_ok"] = ok
    res["reorder_stop"] = stop
    print(f"B2 instant reorders succeeded: {ok}; stop: {stop}")
    # B3: repeated instant ADD (no drop): column-count limit
    reset_db(conn, DB)
    q(conn, "CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB")
    q(conn, "INSERT INTO t SELECT seq FROM seq_1_to_100")
    ok = 0
    stop = None
    for i in range(1, 1101):
        r = run_stmt(conn, f"ALTER TABLE t ADD COLUMN x{i} TINYINT, ALGORITHM=INSTANT")
        if not r["ok"]:
            stop = dict(i=i, err=r["err_code"], msg=r["err_msg"])
            break
        ok = i
    res["add_only_ok"] = ok
    res["add_only_stop"] = stop
    print(f"B3 instant ADD COLUMN (no drops) succeeded: {ok}; stop: {stop}")
    OUT["B"] = res


def part_c(conn):
    print("\n===== C. history-dependent refusals")
    log = []
    reset_db(conn, DB)
    # C1: FULLTEXT index dropped -> hidden FTS_DOC_ID stays
    q(conn, "CREATE TABLE t (id INT PRIMARY KEY, body TEXT, FULLTEXT KEY ft (body)) ENGINE=InnoDB")
    q(conn, "INSERT INTO t SELECT seq, CONCAT('word', seq) FROM seq_1_to_100")
    alter(conn, "ALTER TABLE t DROP INDEX ft", log)
    cols = q(conn, f"SELECT c.NAME FROM information_schema.INNODB_SYS_COLUMNS c JOIN information_schema.INNODB_SYS_TABLES t "
                   f"USING (TABLE_ID) WHERE t.NAME='{DB}/t'")
    print("    SYS_COLUMNS after DROP INDEX ft:", [c[0] for c in cols])
    log.append(dict(sys_columns_after_drop_ft=[c[0] for c in cols]))
    alter(conn, "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT", log)
    q(conn, "CREATE TABLE probe LIKE t")
    r = run_stmt(conn, "ALTER TABLE probe ADD COLUMN c INT, ALGORITHM=INSTANT")
    print(f"    same ALTER on CREATE TABLE probe LIKE t: {'OK' if r['ok'] else r['err_code']}")
    log.append(dict(probe_like=r))
    alter(conn, "ALTER TABLE t ADD COLUMN c INT", log)
    alter(conn, "ALTER TABLE t ADD COLUMN d INT, ALGORITHM=INSTANT", log)
    # C2: instant-dropped column then try operations
    reset_db(conn, DB)
    q(conn, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c VARCHAR(10)) ENGINE=InnoDB")
    q(conn, "INSERT INTO t SELECT seq, seq, seq, 'x' FROM seq_1_to_100")
    alter(conn, "ALTER TABLE t DROP COLUMN b, ALGORITHM=INSTANT", log)
    for sql in ["ALTER TABLE t ADD COLUMN d INT FIRST, ALGORITHM=INSTANT",
                "ALTER TABLE t MODIFY c VARCHAR(20), ALGORITHM=INSTANT",
                "ALTER TABLE t ADD INDEX ia (a), ALGORITHM=NOCOPY",
                "ALTER TABLE t ROW_FORMAT=COMPRESSED, ALGORITHM=INPLACE",
                "ALTER TABLE t ADD COLUMN e INT, ALGORITHM=INSTANT"]:
        alter(conn, sql, log)
    # C3: instant ADD then ROW_FORMAT change back
    OUT["C"] = log


def part_d(conn):
    print("\n===== D. innodb_instant_alter_column_allowed")
    orig = q1(conn, "SELECT @@GLOBAL.innodb_instant_alter_column_allowed")[0]
    res = {"original": orig, "runs": []}
    ops = [
        ("ADD last", "ADD COLUMN n INT"),
        ("ADD FIRST", "ADD COLUMN n INT FIRST"),
        ("DROP", "DROP COLUMN b"),
        ("reorder", "MODIFY c INT FIRST"),
        ("VARCHAR widen", "MODIFY v VARCHAR(20)"),
        ("rename column", "RENAME COLUMN c TO c2"),
        ("ADD index", "ADD INDEX ia (a)"),
    ]
    try:
        for val in ("never", "add_last", "add_drop_reorder"):
            for history in ("canonical", "after instant DROP (made under add_drop_reorder)",
                            "after instant ADD last (made under add_drop_reorder)"):
                for label, op in ops:
                    for algo in ("INSTANT", None):
                        q(conn, "SET GLOBAL innodb_instant_alter_column_allowed='add_drop_reorder'")
                        reset_db(conn, DB)
                        q(conn, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c INT, v VARCHAR(10), x INT) ENGINE=InnoDB")
                        q(conn, "INSERT INTO t SELECT seq, seq, seq, seq, 'v', seq FROM seq_1_to_100")
                        if history.startswith("after instant DROP"):
                            q(conn, "ALTER TABLE t DROP COLUMN x, ALGORITHM=INSTANT")
                        elif history.startswith("after instant ADD"):
                            q(conn, "ALTER TABLE t ADD COLUMN y INT, ALGORITHM=INSTANT")
                        q(conn, f"SET GLOBAL innodb_instant_alter_column_allowed='{val}'")
                        sql = f"ALTER TABLE t {op}" + (f", ALGORITHM={algo}" if algo else "")
                        before = snapshot(conn, DB)
                        r = run_stmt(conn, sql)
                        after = snapshot(conn, DB)
                        d = diff(before, after, "t")
                        kind = ("refused" if not r["ok"] else "COPY" if d["handler_write"] else
                                "rebuild" if d["any_table_id_changed"] else
                                "instant(metadata record)" if d["instant_counter"] else "no-rebuild")
                        res["runs"].append(dict(setting=val, history=history, op=label, algo=algo or "DEFAULT", sql=sql,
                                                ok=r["ok"], err=r.get("err_code"), msg=r.get("err_msg"), kind=kind))
                        print(f"{val:<17} {history[:28]:<28} {label:<14} {algo or 'DEFAULT':<8} -> {kind}"
                              + (f" {r['err_code']} {r['err_msg']}" if not r["ok"] else ""))
    finally:
        q(conn, f"SET GLOBAL innodb_instant_alter_column_allowed='{orig}'")
        print("restored innodb_instant_alter_column_allowed =",
              q1(conn, "SELECT @@GLOBAL.innodb_instant_alter_column_allowed")[0])
    OUT["D"] = res


def main():
    conn = connect()
    part_a(conn)
    part_b(conn)
    part_c(conn)
    part_d(conn)
    q(conn, f"DROP DATABASE IF EXISTS {DB}")
    dump("results/history.json", OUT)


if __name__ == "__main__":
    main()
