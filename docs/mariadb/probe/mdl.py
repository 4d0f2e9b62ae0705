#!/usr/bin/env python3
"""Section 5: metadata locks.

A holds an open transaction that read the table; B runs an instant ALTER; C runs a SELECT.
Timings, PROCESSLIST states, INNODB_TRX visibility and METADATA_LOCK_INFO are recorded.
Then: lock_wait_timeout=1, ALTER ... WAIT n / NOWAIT, and which kinds of open transactions
show up in INNODB_TRX.

The metadata_lock_info plugin is installed for the test and uninstalled at the end
(only if it was not installed before).
"""
import time
import threading
import pymysql
from lib import connect, q, q1, run_stmt, reset_db, dump

DB = "research_mdl"
OUT = {}
T0 = time.monotonic()


def now():
    return round(time.monotonic() - T0, 3)


def log(*a):
    print(f"[{now():7.3f}]", *a, flush=True)


def bg(conn, sql, result, key):
    def run():
        result[key + "_start"] = now()
        r = run_stmt(conn, sql)
        result[key + "_end"] = now()
        result[key] = {k: r.get(k) for k in ("ok", "err_code", "err_msg", "affected", "secs")}
        log(f"{key} finished: {result[key]}")
    th = threading.Thread(target=run)
    th.start()
    return th


def observe(mon, ids, label):
    pl = q(mon, "SELECT ID, COMMAND, TIME, STATE, LEFT(INFO,80) FROM information_schema.PROCESSLIST "
                "WHERE ID IN (%s) ORDER BY ID" % ",".join(str(i) for i in ids.values()))
    trx = q(mon, "SELECT trx_id, trx_state, trx_started, trx_mysql_thread_id, trx_query, trx_operation_state, "
                 "trx_tables_in_use, trx_tables_locked, trx_rows_locked, trx_isolation_level, trx_is_read_only "
                 "FROM information_schema.INNODB_TRX")
    try:
        mdl = q(mon, "SELECT THREAD_ID, LOCK_MODE, LOCK_DURATION, LOCK_TYPE, TABLE_SCHEMA, TABLE_NAME "
                     "FROM information_schema.METADATA_LOCK_INFO WHERE TABLE_SCHEMA=%s OR TABLE_SCHEMA IS NULL "
                     "OR TABLE_SCHEMA=''", (DB,))
    except pymysql.MySQLError as e:
        mdl = f"unavailable: {e}"
    names = {v: k for k, v in ids.items()}
    res = dict(label=label,
               processlist=[[names.get(r[0], r[0])] + list(r[1:]) for r in pl],
               innodb_trx=[[str(x) for x in r[:3]] + [names.get(r[3], r[3])] + [str(x) for x in r[4:]] for r in trx],
               metadata_lock_info=mdl if isinstance(mdl, str) else
               [[names.get(r[0], r[0])] + list(r[1:]) for r in mdl])
    log(f"--- {label}")
    for k in ("processlist", "innodb_trx", "metadata_lock_info"):
        v = res[k]
        if isinstance(v, str):
            log(f"  {k}: {v}")
        else:
            for row in v:
                log(f"  {k}: {row}")
    return res


def main():
    mon = connect()
    OUT["variables"] = {r[0]: r[1] for r in q(mon, "SHOW GLOBAL VARIABLES WHERE Variable_name IN "
                                                   "('lock_wait_timeout','innodb_lock_wait_timeout','tx_isolation',"
                                                   "'transaction_isolation','autocommit')")}
    log("variables:", OUT["variables"])
    plugin_before = q(mon, "SELECT PLUGIN_NAME, PLUGIN_STATUS FROM information_schema.PLUGINS "
                           "WHERE PLUGIN_NAME='METADATA_LOCK_INFO'")
    installed_here = False
    if not plugin_before:
        r = run_stmt(mon, "INSTALL SONAME 'metadata_lock_info'")
        OUT["install_plugin"] = {k: r.get(k) for k in ("ok", "err_code", "err_msg")}
        installed_here = r["ok"]
        log("INSTALL SONAME 'metadata_lock_info':", OUT["install_plugin"])
    try:
        reset_db(mon, DB)
        q(mon, "CREATE TABLE t (id INT PRIMARY KEY, a INT) ENGINE=InnoDB")
        q(mon, "INSERT INTO t SELECT seq, seq FROM seq_1_to_1000")
        OUT["scenario1"] = scenario1(mon)
        OUT["scenario2"] = scenario2(mon)
        OUT["wait_nowait"] = wait_nowait(mon)
        OUT["innodb_trx_visibility"] = trx_visibility(mon)
    finally:
        q(mon, f"DROP DATABASE IF EXISTS {DB}")
        if installed_here:
            r = run_stmt(mon, "UNINSTALL SONAME 'metadata_lock_info'")
            log("UNINSTALL SONAME 'metadata_lock_info':", r.get("ok"), r.get("err_msg"))
        left = q(mon, "SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_NAME='METADATA_LOCK_INFO'")
        log("plugin still installed after cleanup:", bool(left))
    dump("results/mdl.json", OUT)


def conns(n):
    cs = [connect(DB) for _ in range(n)]
    return cs, [q1(c, "SELECT CONNECTION_ID()")[0] for c in cs]


def scenario1(mon):
    log("===== scenario 1: A open read trx, B instant ALTER (default lock_wait_timeout), C SELECT")
    (A, B, C), idl = conns(3)
    ids = dict(A=idl[0], B=idl[1], C=idl[2])
    res = {"ids": ids}
    q(A, "START TRANSACTION")
    q(A, "SELECT * FROM t WHERE id=1")
    log("A: START TRANSACTION; SELECT * FROM t WHERE id=1  (kept open)")
    tb = bg(B, "ALTER TABLE t ADD COLUMN x INT, ALGORITHM=INSTANT, LOCK=NONE", res, "B")
    time.sleep(1)
    tc = bg(C, "SELECT COUNT(*) FROM t", res, "C")
    time.sleep(2)
    res["observe"] = observe(mon, ids, "while A holds, B and C waiting")
    res["A_commit_at"] = now()
    q(A, "COMMIT")
    log("A: COMMIT")
    tb.join()
    tc.join()
    res["B_wait_s"] = round(res["B_end"] - res["B_start"], 3)
    res["C_wait_s"] = round(res["C_end"] - res["C_start"], 3)
    log(f"B waited {res['B_wait_s']}s, C waited {res['C_wait_s']}s, A committed at {res['A_commit_at']}")
    for c in (A, B, C):
        c.close()
    return res


def scenario2(mon):
    log("===== scenario 2: same, but B sets SESSION lock_wait_timeout=1")
    (A, B, C), idl = conns(3)
    ids = dict(A=idl[0], B=idl[1], C=idl[2])
    res = {"ids": ids}
    q(A, "START TRANSACTION")
    q(A, "SELECT * FROM t WHERE id=1")
    q(B, "SET SESSION lock_wait_timeout=1")
    tb = bg(B, "ALTER TABLE t ADD COLUMN y INT, ALGORITHM=INSTANT, LOCK=NONE", res, "B")
    time.sleep(0.3)
    tc = bg(C, "SELECT COUNT(*) FROM t", res, "C")
    tb.join()
    tc.join()
    res["B_wait_s"] = round(res["B_end"] - res["B_start"], 3)
    res["C_wait_s"] = round(res["C_end"] - res["C_start"], 3)
    log(f"B: {res['B']} after {res['B_wait_s']}s; C finished after {res['C_wait_s']}s (C started 0.3s after B)")
    q(A, "COMMIT")
    for c in (A, B, C):
        c.close()
    return res


def wait_nowait(mon):
    log("===== WAIT n / NOWAIT")
    (A, B), idl = conns(2)
    res = []
    q(A, "START TRANSACTION")
    q(A, "SELECT * FROM t WHERE id=1")
    for sql in ["ALTER TABLE t WAIT 1 ADD COLUMN z INT",
                "ALTER TABLE t NOWAIT ADD COLUMN z INT",
                "ALTER TABLE t WAIT 0 ADD COLUMN z INT",
                "ALTER TABLE t WAIT 2 ADD COLUMN z INT, ALGORITHM=INSTANT, LOCK=NONE",
                "SET STATEMENT lock_wait_timeout=1 FOR ALTER TABLE t ADD COLUMN z INT",
                "ALTER TABLE t ADD COLUMN z INT, WAIT 1",
                "RENAME TABLE t WAIT 1 TO t2",
                "RENAME TABLE t NOWAIT TO t2",
                "TRUNCATE TABLE t WAIT 1",
                "CREATE INDEX ia ON t (a) WAIT 1",
                "DROP INDEX ia ON t NOWAIT",
                "OPTIMIZE TABLE t WAIT 1",
                "DROP TABLE t NOWAIT"]:
        r = run_stmt(B, sql)
        row = dict(sql=sql, ok=r["ok"], err_code=r.get("err_code"), err_msg=r.get("err_msg"), secs=r["secs"])
        res.append(row)
        log(f"{sql:<72} -> {'OK' if r['ok'] else str(r['err_code']) + ' ' + r['err_msg']} ({r['secs']}s)")
    q(A, "COMMIT")
    A.close()
    B.close()
    return res


def trx_visibility(mon):
    log("===== which open transactions appear in INNODB_TRX / hold MDL")
    res = []
    variants = [
        ("START TRANSACTION; SELECT (non-locking read)", ["START TRANSACTION", "SELECT * FROM t WHERE id=1"]),
        ("START TRANSACTION only (no statement)", ["START TRANSACTION"]),
        ("START TRANSACTION WITH CONSISTENT SNAPSHOT", ["START TRANSACTION WITH CONSISTENT SNAPSHOT"]),
        ("START TRANSACTION READ ONLY; SELECT", ["START TRANSACTION READ ONLY", "SELECT * FROM t WHERE id=1"]),
        ("autocommit=0; SELECT", ["SET autocommit=0", "SELECT * FROM t WHERE id=1"]),
        ("START TRANSACTION; SELECT ... FOR UPDATE", ["START TRANSACTION", "SELECT * FROM t WHERE id=1 FOR UPDATE"]),
        ("START TRANSACTION; SELECT ... LOCK IN SHARE MODE", ["START TRANSACTION", "SELECT * FROM t WHERE id=1 LOCK IN SHARE MODE"]),
        ("START TRANSACTION; UPDATE", ["START TRANSACTION", "UPDATE t SET a=a WHERE id=1"]),
        ("START TRANSACTION; UPDATE other table only", ["START TRANSACTION", "UPDATE o SET a=a+1"]),
        ("autocommit=1 SELECT then idle (no trx)", ["SELECT * FROM t WHERE id=1"]),
        ("LOCK TABLES t READ", ["LOCK TABLES t READ"]),
        ("SELECT SLEEP(3) FROM t LIMIT 1 still running (autocommit)", None),
    ]
    q(mon, "CREATE TABLE IF NOT EXISTS o (a INT) ENGINE=InnoDB")
    q(mon, "INSERT INTO o VALUES (1)")
    for label, stmts in variants:
        (A, B), (ida, idb) = conns(2)
        th = None
        if stmts is None:
            holder = {}
            th = bg(A, "SELECT SLEEP(3) FROM t LIMIT 1", holder, "A")
            time.sleep(0.3)
        else:
            for s in stmts:
                q(A, s)
        trx = q(mon, "SELECT trx_state, trx_started, trx_is_read_only, trx_tables_in_use, trx_tables_locked, "
                     "trx_rows_locked, trx_query FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id=%s", (ida,))
        try:
            mdl = q(mon, "SELECT LOCK_MODE, LOCK_TYPE, TABLE_NAME FROM information_schema.METADATA_LOCK_INFO "
                         "WHERE THREAD_ID=%s", (ida,))
        except pymysql.MySQLError as e:
            mdl = str(e)
        pl = q1(mon, "SELECT COMMAND, STATE, TIME FROM information_schema.PROCESSLIST WHERE ID=%s", (ida,))
        q(B, "SET SESSION lock_wait_timeout=1")
        r = run_stmt(B, "ALTER TABLE t ADD COLUMN IF NOT EXISTS vis INT, ALGORITHM=INSTANT")
        q(B, "ALTER TABLE t DROP COLUMN IF EXISTS vis") if r["ok"] else None
        row = dict(variant=label, in_innodb_trx=[[str(x) for x in t] for t in trx],
                   metadata_lock_info=mdl if isinstance(mdl, str) else [list(m) for m in mdl],
                   processlist=list(pl) if pl else None,
                   instant_alter_with_lock_wait_timeout_1=("OK" if r["ok"] else f"{r['err_code']} {r['err_msg']}"))
        res.append(row)
        log(f"{label:<55} INNODB_TRX={row['in_innodb_trx']} MDL={row['metadata_lock_info']} "
            f"PL={row['processlist']} ALTER(lwt=1)={row['instant_alter_with_lock_wait_timeout_1']}")
        if th:
            th.join()
        try:
            q(A, "ROLLBACK")
            q(A, "UNLOCK TABLES")
        except Exception:
            pass
        A.close()
        B.close()
    return res


if __name__ == "__main__":
    main()
