#!/usr/bin/env python3
"""Section 4: do concurrent writes / reads wait while the ALTER runs?

For each scenario a fresh table of NROWS rows is built. A worker connection runs a tight loop
(autocommit) of INSERT + UPDATE-by-PK (or SELECT-by-PK for read scenarios) starting 1 s before
the ALTER and stopping 1 s after it. Every operation's start time and latency are recorded.
Reported: ALTER duration, number of worker ops that *completed* while the ALTER was running,
max / p99 latency of ops that overlapped the ALTER, and the longest gap with no completed op.

Usage: concurrency.py [NROWS]
"""
import sys
import time
import random
import threading
import statistics
from lib import connect, q, q1, run_stmt, reset_db, dump

DB = "research_conc"
NROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 500000


def build(conn):
    reset_db(conn, DB)
    q(conn, "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL, b INT, "
            "v VARCHAR(50), pad VARCHAR(200), KEY ib (b)) ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4")
    q(conn, f"INSERT INTO t (a, b, v, pad) SELECT seq, seq % 1000, CONCAT('v', seq), REPEAT('p', 100) "
            f"FROM seq_1_to_{NROWS}")


def worker(kind, stop, ops):
    c = connect(DB)
    cur = c.cursor()
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            if kind == "write":
                cur.execute("INSERT INTO t (a, b, v, pad) VALUES (1, 1, 'w', 'w')")
                cur.execute("UPDATE t SET b = b + 1 WHERE id = %s", (random.randint(1, NROWS),))
            else:
                cur.execute("SELECT a, v FROM t WHERE id = %s", (random.randint(1, NROWS),))
                cur.fetchall()
            ops.append((t0, time.monotonic() - t0, None))
        except Exception as e:  # record errors too
            ops.append((t0, time.monotonic() - t0, str(e)))
    c.close()


def scenario(label, sql, kind):
    conn = connect()
    build(conn)
    q(conn, f"USE {DB}")
    stop = threading.Event()
    ops = []
    th = threading.Thread(target=worker, args=(kind, stop, ops))
    th.start()
    time.sleep(1.0)
    a0 = time.monotonic()
    r = run_stmt(conn, sql)
    a1 = time.monotonic()
    time.sleep(1.0)
    stop.set()
    th.join()
    before = [o for o in ops if o[0] + o[1] < a0]
    overlap = [o for o in ops if o[0] < a1 and o[0] + o[1] > a0]
    completed_during = [o for o in ops if a0 <= o[0] + o[1] <= a1]
    base = [o[1] for o in before] or [0]
    lat = sorted(o[1] for o in overlap) or [0]
    ends = sorted([a0] + [o[0] + o[1] for o in ops if a0 <= o[0] + o[1] <= a1] + [a1])
    max_gap = max(b - a for a, b in zip(ends, ends[1:])) if len(ends) > 1 else a1 - a0
    res = dict(label=label, sql=sql, kind=kind, ok=r["ok"], err=r.get("err_msg"), affected=r.get("affected"),
               alter_secs=round(a1 - a0, 3), ops_total=len(ops), ops_completed_during_alter=len(completed_during),
               ops_overlapping=len(overlap), baseline_median_ms=round(statistics.median(base) * 1000, 2),
               baseline_max_ms=round(max(base) * 1000, 2),
               overlap_max_ms=round(lat[-1] * 1000, 1), overlap_p99_ms=round(lat[int(len(lat) * 0.99) - 1 if len(lat) > 1 else 0] * 1000, 1),
               longest_gap_without_completed_op_ms=round(max_gap * 1000, 1),
               errors=list({o[2] for o in ops if o[2]})[:3])
    if overlap:
        worst = max(overlap, key=lambda o: o[1])
        res["worst_op_started_rel_alter_start_s"] = round(worst[0] - a0, 3)
        res["worst_op_ended_rel_alter_end_s"] = round(worst[0] + worst[1] - a1, 3)
    print(f"{label:<48} alter={res['alter_secs']:>6}s ok={r['ok']} ops_done_during={res['ops_completed_during_alter']:>6} "
          f"max_lat={res['overlap_max_ms']:>7}ms p99={res['overlap_p99_ms']:>6}ms gap={res['longest_gap_without_completed_op_ms']:>7}ms "
          f"baseline_med={res['baseline_median_ms']}ms worst_op: start {res.get('worst_op_started_rel_alter_start_s')}s after ALTER start, "
          f"ended {res.get('worst_op_ended_rel_alter_end_s')}s after ALTER end", flush=True)
    q(conn, f"DROP DATABASE {DB}")
    conn.close()
    return res


def main():
    scen = [
        ("INSTANT ADD COLUMN (default)", "ALTER TABLE t ADD COLUMN n INT", "write"),
        ("NOCOPY ADD INDEX (default)", "ALTER TABLE t ADD INDEX ia (a)", "write"),
        ("INPLACE rebuild FORCE (default)", "ALTER TABLE t FORCE", "write"),
        ("INPLACE rebuild NULL->NOT NULL b (default)", "ALTER TABLE t MODIFY b INT NOT NULL DEFAULT 0", "write"),
        ("COPY INT->BIGINT (default)", "ALTER TABLE t MODIFY a BIGINT NOT NULL", "write"),
        ("COPY INT->BIGINT, reads only", "ALTER TABLE t MODIFY a BIGINT NOT NULL", "read"),
        ("COPY INT->BIGINT LOCK=EXCLUSIVE, reads only", "ALTER TABLE t MODIFY a BIGINT NOT NULL, LOCK=EXCLUSIVE", "read"),
        ("INPLACE FORCE LOCK=SHARED, writes", "ALTER TABLE t FORCE, LOCK=SHARED", "write"),
        ("ADD FULLTEXT (default=LOCK SHARED), writes", "ALTER TABLE t ADD FULLTEXT INDEX fv (v)", "write"),
    ]
    out = [scenario(*s) for s in scen]
    dump("results/concurrency.json", dict(nrows=NROWS, scenarios=out))


if __name__ == "__main__":
    main()
