#!/usr/bin/env python3
"""innodb_online_alter_log_max_size: shrink it temporarily (SET GLOBAL, restored) and run an
INPLACE rebuild while another connection writes; see whether the ALTER fails."""
import time, threading, random
from lib import connect, q, q1, run_stmt, reset_db, dump

DB = "research_olog"
conn = connect()
orig = q1(conn, "SELECT @@GLOBAL.innodb_online_alter_log_max_size")[0]
out = dict(original=orig, runs=[])
try:
    for size in (65536, orig):
        reset_db(conn, DB)
        q(conn, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, a INT, pad VARCHAR(200), big VARCHAR(3000)) ENGINE=InnoDB")
        q(conn, "INSERT INTO t (a, pad) SELECT seq, REPEAT('p',150) FROM seq_1_to_300000")
        q(conn, f"SET GLOBAL innodb_online_alter_log_max_size={size}")
        stop = threading.Event(); n = [0]
        def w():
            c = connect(DB); cur = c.cursor()
            while not stop.is_set():
                cur.execute("UPDATE t SET big=REPEAT(CHAR(65+FLOOR(RAND()*26)),2500) WHERE id BETWEEN %s AND %s+20", (x := random.randint(1, 300000), x)); n[0] += 1
            c.close()
        th = threading.Thread(target=w); th.start(); time.sleep(0.3)
        r = run_stmt(conn, "ALTER TABLE t FORCE, ALGORITHM=INPLACE, LOCK=NONE")
        stop.set(); th.join()
        row = dict(log_max_size=size, ok=r["ok"], err_code=r.get("err_code"), err_msg=r.get("err_msg"), secs=r["secs"], concurrent_updates=n[0])
        out["runs"].append(row); print(row)
finally:
    q(conn, f"SET GLOBAL innodb_online_alter_log_max_size={orig}")
    print("restored:", q1(conn, "SELECT @@GLOBAL.innodb_online_alter_log_max_size")[0])
    q(conn, f"DROP DATABASE IF EXISTS {DB}")
dump("results/online_log.json", out)
