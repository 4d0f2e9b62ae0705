#!/usr/bin/env python3
"""Section 3: how to tell INSTANT / NOCOPY / INPLACE-rebuild / COPY apart from outside.

Part 1: one representative ALTER per algorithm on a 50k-row table; print every signal.
Part 2: cross-check over all accepted runs of results/matrix*.json (if present).
"""
import os
import json
import time
from lib import connect, q, q1, run_stmt, reset_db, status, DATADIR, dump

DB = "research_detect"


def signals(conn):
    s = {}
    r = q1(conn, "SELECT TABLE_ID, SPACE, N_COLS FROM information_schema.INNODB_SYS_TABLES WHERE NAME=%s", (f"{DB}/t",))
    s["table_id"], s["space"], s["n_cols"] = r
    st = os.stat(os.path.join(DATADIR, DB, "t.ibd"))
    s["ibd_inode"], s["ibd_size"] = st.st_ino, st.st_size
    s["frm_mtime"] = os.stat(os.path.join(DATADIR, DB, "t.frm")).st_mtime
    r = q1(conn, "SELECT CREATE_TIME, UPDATE_TIME FROM information_schema.TABLES WHERE TABLE_SCHEMA=%s AND TABLE_NAME='t'", (DB,))
    s["create_time"], s["update_time"] = str(r[0]), str(r[1])
    for v in ("Handler_write", "Handler_read_rnd_next", "Handler_tmp_write", "Created_tmp_tables", "Com_alter_table"):
        s[v] = status(conn, v)
    for v in ("Innodb_instant_alter_column", "Innodb_onlineddl_rowlog_rows", "Innodb_onlineddl_pct_progress",
              "Innodb_pages_created", "Innodb_pages_written", "Innodb_buffer_pool_write_requests"):
        s[v] = status(conn, v, "GLOBAL")
    return s


def main():
    conn = connect()
    out = {"part1": []}
    cases = [
        ("INSTANT (ADD COLUMN)", "ALTER TABLE t ADD COLUMN n INT, ALGORITHM=INSTANT"),
        ("INSTANT (metadata-only: RENAME COLUMN)", "ALTER TABLE t RENAME COLUMN a TO a2, ALGORITHM=INSTANT"),
        ("INSTANT (VARCHAR widen)", "ALTER TABLE t MODIFY v VARCHAR(40), ALGORITHM=INSTANT"),
        ("NOCOPY (ADD INDEX)", "ALTER TABLE t ADD INDEX ia (a), ALGORITHM=NOCOPY"),
        ("INPLACE rebuild (FORCE)", "ALTER TABLE t FORCE, ALGORITHM=INPLACE"),
        ("INPLACE rebuild (NULL->NOT NULL)", "ALTER TABLE t MODIFY a INT NOT NULL, ALGORITHM=INPLACE"),
        ("COPY (INT->BIGINT)", "ALTER TABLE t MODIFY a BIGINT, ALGORITHM=COPY"),
        ("COPY forced (ADD COLUMN, ALGORITHM=COPY)", "ALTER TABLE t ADD COLUMN n INT, ALGORITHM=COPY"),
    ]
    for label, sql in cases:
        reset_db(conn, DB)
        q(conn, "CREATE TABLE t (id INT PRIMARY KEY, a INT, v VARCHAR(10), pad CHAR(100)) ENGINE=InnoDB")
        q(conn, "INSERT INTO t SELECT seq, seq, 'v', 'x' FROM seq_1_to_50000")
        time.sleep(1.1)  # so that a timestamp change would be visible
        b = signals(conn)
        r = run_stmt(conn, sql)
        a = signals(conn)
        delta = {}
        for k in b:
            if isinstance(b[k], (int, float)) and k not in ("table_id", "space", "ibd_inode", "n_cols", "frm_mtime", "ibd_size"):
                delta[k] = a[k] - b[k]
            else:
                delta[k] = f"{b[k]} -> {a[k]}" if b[k] != a[k] else "same"
        row = dict(label=label, sql=sql, ok=r["ok"], affected=r.get("affected"), info=r.get("info"),
                   secs=r["secs"], err=r.get("err_msg"), delta=delta)
        out["part1"].append(row)
        print(f"\n## {label}\n{sql}\n  ok={r['ok']} affected={r.get('affected')} info={r.get('info')!r} secs={r['secs']}")
        for k, v in delta.items():
            print(f"  {k:<36} {v}")

    # Part 2: cross-check over matrix results
    rows = []
    for f in ("results/matrix.json", "results/matrix_extra.json"):
        if os.path.exists(f):
            for c in json.load(open(f)):
                for r in c["runs"]:
                    if r["ok"] and not r.get("resultset") and not c["case"].get("after_table"):
                        d = r["diff"]
                        rows.append(dict(case=c["case"]["name"], algo=r["algo"], lock=r["lock"],
                                         idchg=d["any_table_id_changed"], inode=d["inode_changed"],
                                         aff=(r.get("affected") or 0) > 0, hw=d["handler_write"] > 0,
                                         inst=d["instant_counter"] > 0, part=d["partitioned"]))
    combos = {}
    for r in rows:
        k = (r["idchg"], r["inode"], r["aff"], r["hw"], r["inst"])
        combos.setdefault(k, []).append(f"{r['case']} [{r['algo']}/{r['lock']}]")
    print("\n## Part 2: signal combinations over all accepted matrix runs")
    print("(table_id changed, .ibd inode changed, rows affected>0, Handler_write>0, Innodb_instant_alter_column+) : count, examples")
    out["part2"] = []
    for k, v in sorted(combos.items(), key=lambda x: -len(x[1])):
        print(f"  {k}: {len(v)}  e.g. {v[:4]}")
        out["part2"].append(dict(signals=dict(zip(["table_id_changed", "inode_changed", "affected_gt0", "handler_write_gt0",
                                                   "instant_counter"], k)), count=len(v), examples=v[:12]))
    q(conn, f"DROP DATABASE IF EXISTS {DB}")
    dump("results/rebuild_detect.json", out)


if __name__ == "__main__":
    main()
