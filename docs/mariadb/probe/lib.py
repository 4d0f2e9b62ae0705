"""Shared helpers for the MariaDB 10.11 schema-change probes.

Only databases named research_* are created/dropped. Nothing global is changed.
"""
import os
import time
import json
import pymysql
from pymysql.constants import CLIENT

HOST = "127.0.0.1"
USER = "root"
DATADIR = "/var/lib/mysql"


def connect(db=None, autocommit=True, **kw):
    return pymysql.connect(host=HOST, user=USER, password="", database=db,
                           autocommit=autocommit, client_flag=CLIENT.MULTI_STATEMENTS,
                           **kw)


def q(conn, sql, args=None):
    with conn.cursor() as c:
        c.execute(sql, args)
        try:
            return c.fetchall()
        except Exception:
            return None


def q1(conn, sql, args=None):
    r = q(conn, sql, args)
    return r[0] if r else None


def status(conn, name, scope="SESSION"):
    r = q1(conn, f"SHOW {scope} STATUS LIKE %s", (name,))
    return int(r[1]) if r else None


def innodb_tables(conn, db):
    """name -> (table_id, space, n_cols, flag, row_format) for all InnoDB tables of db."""
    rows = q(conn, "SELECT NAME, TABLE_ID, SPACE, N_COLS, FLAG, ROW_FORMAT FROM information_schema.INNODB_SYS_TABLES "
                   "WHERE NAME LIKE %s", (db + "/%",))
    return {r[0]: dict(table_id=r[1], space=r[2], n_cols=r[3], flag=r[4], row_format=r[5]) for r in rows}


def ibd_inodes(db):
    d = os.path.join(DATADIR, db)
    out = {}
    try:
        for f in os.listdir(d):
            if f.endswith(".ibd"):
                st = os.stat(os.path.join(d, f))
                out[f] = st.st_ino
    except FileNotFoundError:
        pass
    return out


def snapshot(conn, db):
    return dict(
        tables=innodb_tables(conn, db),
        inodes=ibd_inodes(db),
        handler_write=status(conn, "Handler_write"),
        instant=status(conn, "Innodb_instant_alter_column", "GLOBAL"),
    )


def diff(before, after, table="t"):
    """Summarise what changed for table `table` (and its partitions)."""
    def pick(d):
        return {k: v for k, v in d.items() if k.split("/", 1)[1] == table or
                k.split("/", 1)[1].startswith(table + "#")}
    tb, ta = pick(before["tables"]), pick(after["tables"])
    ib = {k: v for k, v in before["inodes"].items() if k == table + ".ibd" or k.startswith(table + "#")}
    ia = {k: v for k, v in after["inodes"].items() if k == table + ".ibd" or k.startswith(table + "#")}
    ids_b = set(v["table_id"] for v in tb.values())
    ids_a = set(v["table_id"] for v in ta.values())
    same_ids = set(v["table_id"] for v in tb.values()) & set(v["table_id"] for v in ta.values())
    return dict(
        table_ids_before=sorted(v["table_id"] for v in tb.values()),
        table_ids_after=sorted(v["table_id"] for v in ta.values()),
        table_id_changed=bool(ta) and not any(v["table_id"] in same_ids for v in ta.values()) if tb else None,
        ids_kept=len(ids_b & ids_a), ids_removed=len(ids_b - ids_a), ids_added=len(ids_a - ids_b),
        partitioned=any('#' in k for k in list(tb) + list(ta)),
        any_table_id_changed=sorted(v["table_id"] for v in tb.values()) != sorted(v["table_id"] for v in ta.values()),
        n_cols=[(k.split('/', 1)[1], tb.get(k, {}).get("n_cols"), v["n_cols"]) for k, v in ta.items()],
        inode_changed=sorted(ib.values()) != sorted(ia.values()),
        handler_write=after["handler_write"] - before["handler_write"],
        instant_counter=after["instant"] - before["instant"],
    )


def run_stmt(conn, sql):
    """Execute one statement; return dict(ok, affected, info, warnings, err_code, err_msg, secs)."""
    res = dict(sql=sql)
    t0 = time.monotonic()
    try:
        with conn.cursor() as c:
            n = c.execute(sql)
            res["ok"] = True
            res["affected"] = n
            if c.description:  # statement returned a result set (OPTIMIZE, CHECK ...)
                res["resultset"] = [list(x) for x in c.fetchall()]
            msg = conn._result.message if conn._result and conn._result.message else b""
            if msg and msg[0] == len(msg) - 1:  # strip length-encoded prefix
                msg = msg[1:]
            res["info"] = msg.decode(errors="replace")
            c.execute("SHOW WARNINGS")
            res["warnings"] = [list(w) for w in c.fetchall()]
    except pymysql.MySQLError as e:
        res["ok"] = False
        res["err_code"] = e.args[0]
        res["err_msg"] = e.args[1] if len(e.args) > 1 else str(e)
    res["secs"] = round(time.monotonic() - t0, 4)
    return res


def reset_db(conn, db):
    q(conn, f"DROP DATABASE IF EXISTS `{db}`")
    q(conn, f"CREATE DATABASE `{db}`")
    q(conn, f"USE `{db}`")


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, default=str)
