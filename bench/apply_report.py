#!/usr/bin/env python3
"""Summarise bench/apply.sh results and rewrite the apply-bench section of docs/BENCHMARKS.md.

usage: apply_report.py OUT_DIR BENCHMARKS_MD [--no-write]

Per scenario (OUT_DIR/<s>.json + pgbench per-transaction logs OUT_DIR/pgbench_<s>.*):
- total time: wall time of the change (end - start)
- latency p50/p99: transactions that overlap the change window (began <= end, completed >= start)
- longest stall: the longest interval with no transaction completing that overlaps the change
  (from the last completion before the start to the first completion after the end, if no
  transaction completes in between)
- WAL: pg_wal_lsn_diff over the change (includes the workload's own WAL); the workload's WAL rate
  measured in the lead-in before the change is given to put it in proportion.
"""
import glob
import json
import os
import shutil
import platform
import re
import subprocess
import sys

ORDER = ["naive", "update", "tack", "reshape"]
LABEL = {
    "naive": "(a) naive `ADD COLUMN … NOT NULL DEFAULT gen_random_uuid()`",
    "update": "(b) add nullable + one `UPDATE` + `SET NOT NULL`",
    "tack": "(c) `tack apply`",
    "reshape": "(d) reshape",
}


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def workload(out, s, start, end):
    done = []  # (completion_s, latency_s)
    failed = 0
    for f in glob.glob(os.path.join(out, f"pgbench_{s}.*")):
        with open(f) as fh:
            for line in fh:
                p = line.split()
                if len(p) < 6:
                    continue
                if not p[2].isdigit():
                    failed += 1
                    continue
                lat = int(p[2]) / 1e6
                t = int(p[4]) + int(p[5]) / 1e6
                done.append((t, lat))
    done.sort()
    if not done:
        return None
    lats = sorted(lat for t, lat in done if t >= start and t - lat <= end)
    times = [t for t, _ in done]
    before = [t for t in times if t < start]
    inside = [t for t in times if start <= t <= end]
    after = [t for t in times if t > end]
    pts = ([before[-1]] if before else [start]) + inside + ([after[0]] if after else [end])
    stall, at = 0.0, None
    for a, b in zip(pts, pts[1:]):
        if b - a > stall:
            stall, at = b - a, a
    n_in = len(inside)
    lead = [t for t in times if start - 5 <= t < start]
    return {
        "tx_during": n_in,
        "tps_during": n_in / (end - start) if end > start else None,
        "tps_before": len(lead) / 5.0,
        "p50_ms": pct(lats, 50) * 1e3 if lats else None,
        "p99_ms": pct(lats, 99) * 1e3 if lats else None,
        "max_ms": lats[-1] * 1e3 if lats else None,
        "stall_s": stall,
        "stall_at_s": (at - start) if at is not None else None,
        "failed": failed,
    }


def tack_events(out):
    path = os.path.join(out, "tack.events.jsonl")
    r = {"steps": [], "retries": 0}
    if not os.path.exists(path):
        return r
    batches = []
    sql = {}
    for line in open(path):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        ev = e.get("event")
        if ev == "step_started":
            sql[e["step"]] = e["sql"].split(" -- ")[0]
        if ev == "backfill_finished":
            r["backfill_rows"] = e["rows_done"]
            r["backfill_s"] = e["seconds"]
        elif ev == "batch_done":
            batches.append(e)
        elif ev == "step_finished":
            r["steps"].append((sql.get(e["step"], e["step"]), e["seconds"], e["attempts"]))
        elif ev == "lock_retry":
            r["retries"] += 1
        elif ev == "run_finished":
            r["ok"] = e["ok"]
            r["run_s"] = e["seconds"]
    r["batches"] = len(batches)
    if batches:
        r["batch_ms_p50"] = sorted(b["millis"] for b in batches)[len(batches) // 2]
        r["batch_size_last"] = batches[-1]["size"]
        r["batch_unit"] = batches[-1]["unit"]
    return r


def fmt(v, spec, unit=""):
    return "n/a" if v is None else format(v, spec) + unit


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
        mem = f", {kb / 1048576:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    osname = ""
    try:
        osname = re.search(r'PRETTY_NAME="([^"]+)"', open("/etc/os-release").read()).group(1)
    except (OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {osname}, Linux {platform.release()}"


def reshape_binary():
    """Where bench/apply.sh finds reshape: on PATH, else its own install root."""
    for candidate in (shutil.which("reshape"), "/opt/tack/reshape/bin/reshape", os.path.expanduser("~/.cargo/bin/reshape")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return "reshape"


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
    except Exception:
        return "n/a"


def main():
    out, md = sys.argv[1], sys.argv[2]
    write = "--no-write" not in sys.argv
    rd = lambda n, d="?": open(os.path.join(out, n)).read().strip() if os.path.exists(os.path.join(out, n)) else d
    rows, res = [], {}
    for s in ORDER:
        p = os.path.join(out, f"{s}.json")
        if not os.path.exists(p):
            continue
        r = json.load(open(p))
        extra = os.path.join(out, f"{s}.extra.json")
        if os.path.exists(extra):
            r.update(json.load(open(extra)))
        total = r["end"] - r["start"]
        r["total_s"] = total
        r["w"] = workload(out, s, r["start"], r["end"])
        nrows = r["scale"] * 100000
        if s == "naive":
            r["rows_s"] = nrows / total  # rewrite of the table, all rows at once
        elif s == "update":
            r["rows_s"] = nrows / r["update_seconds"]
        elif s == "tack":
            r["t"] = tack_events(out)
            if r["t"].get("backfill_s"):
                r["rows_s"] = r["t"]["backfill_rows"] / r["t"]["backfill_s"]
        elif s == "reshape":
            if r["rc"] == 0:
                r["rows_s"] = nrows / total
        res[s] = r
    lines = []
    any_r = next(iter(res.values()), None)
    scale = any_r["scale"] if any_r else "?"
    nrows = any_r["scale"] * 100000 if any_r else 0
    lines.append("## tack apply vs naive DDL, one UPDATE, and reshape, under pgbench")
    lines.append("")
    lines.append(
        f"Measured {rd('date.txt')} on {machine()}; PostgreSQL "
        f"{tool_version(['psql', '-X', '-At', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-c', 'show server_version'])} "
        "(stock settings: shared_buffers 128MB, max_wal_size 1GB), same machine. "
        f"Tools: {tool_version(['target/release/tack', '--version'])}, "
        f"{tool_version([reshape_binary(), '--version'])}."
    )
    lines.append("")
    lines.append(
        f"Table: `pgbench_accounts` at pgbench scale {scale} ({nrows:,} rows, PK `aid`), a fresh database per "
        "scenario (`pgbench -i -q`, then `CHECKPOINT`). Change: add `tracking_id uuid` filled with "
        "`gen_random_uuid()` for every row and made `NOT NULL`. Workload: `pgbench -c 4 -j 2 -P 1 -n --log` "
        "(built-in TPC-B-like script, which updates `pgbench_accounts` by `aid`), started 5 s before the "
        "change and stopped 2 s after it."
    )
    lines.append("")
    lines.append(
        "Load average (1/5/15 min) before each scenario: "
        + "; ".join(f"{s} {res[s]['loadavg']}" for s in ORDER if s in res)
        + f"; at the end {rd('loadavg_end.txt')}. The 2 cores are shared with PostgreSQL, pgbench and "
        "the tool under test, and with other work on the machine."
    )
    lines.append("")
    lines.append(
        "| scenario | total time | backfill rows/s | workload p50 | workload p99 | longest stall | tps during (before) | WAL during change | result |"
    )
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for s in ORDER:
        if s not in res:
            lines.append(f"| {LABEL[s]} | not run | | | | | | | |")
            continue
        r = res[s]
        w = r["w"] or {}
        ok = r["rc"] == 0
        chk = r.get("check", "").split()
        verdict = "ok" if ok else f"**failed (exit {r['rc']})**"
        if ok and len(chk) == 3:
            verdict += f"; NULLs {chk[0]}, distinct {int(chk[1]):,}/{int(chk[2]):,}, attnotnull {r.get('attnotnull')}"
        wal = r.get("wal_bytes")
        lines.append(
            f"| {LABEL[s]} | {r['total_s']:.1f} s | {fmt(r.get('rows_s'), ',.0f')} | "
            f"{fmt(w.get('p50_ms'), '.1f', ' ms')} | {fmt(w.get('p99_ms'), '.1f', ' ms')} | "
            f"{fmt(w.get('stall_s'), '.3f', ' s')} | {fmt(w.get('tps_during'), '.0f')} ({fmt(w.get('tps_before'), '.0f')}) | "
            f"{fmt(wal / 2**20 if wal is not None else None, ',.0f', ' MiB')} | {verdict} |"
        )
    lines.append("")
    # details
    det = []
    if "update" in res:
        r = res["update"]
        det.append(
            f"- (b): `ADD COLUMN tracking_id uuid`, `SET DEFAULT gen_random_uuid()`, one "
            f"`UPDATE pgbench_accounts SET tracking_id = gen_random_uuid()` ({r.get('update_seconds', 0):.1f} s; rows/s "
            f"= rows / this), then `SET NOT NULL` ({r.get('set_not_null_seconds', 0):.1f} s, a full scan under ACCESS EXCLUSIVE), "
            "each statement in its own transaction."
        )
    if "naive" in res:
        det.append("- (a): rows/s for the naive statement is rows / total time (it rewrites the table under ACCESS EXCLUSIVE).")
    if "tack" in res:
        t = res["tack"].get("t", {})
        steps = "; ".join(f"`{n}` {sec:.2f} s" + (f" ({a} attempts)" if a > 1 else "") for n, sec, a in t.get("steps", []))
        det.append(
            f"- (c): `tack apply <dir> --database-url … --log-format json` with defaults (lock_timeout 1 s, batch-time 200ms). "
            f"Backfill rows/s = `backfill_finished.rows_done / seconds` ({t.get('backfill_rows', 'n/a')} rows in "
            f"{fmt(t.get('backfill_s'), '.1f', ' s')}, {t.get('batches', 0)} batches, median batch {t.get('batch_ms_p50', 'n/a')} ms, "
            f"last batch size {t.get('batch_size_last', 'n/a')} {t.get('batch_unit', '')}); the rows it did not write were filled by "
            f"tack's temporary trigger when the workload updated them first. All {nrows:,} rows / backfill time = "
            f"{fmt(nrows / t['backfill_s'] if t.get('backfill_s') else None, ',.0f')} rows/s. Lock retries: {t.get('retries', 0)}. "
            f"Steps: {steps or 'n/a'}."
        )
    if "reshape" in res:
        r = res["reshape"]
        det.append(
            f"- (d): `reshape migration start --url … --dirs <dir>` then `reshape migration complete` with one `add_column` action "
            f"(`up = \"gen_random_uuid()\"`, `nullable = false`); start {fmt(r.get('start_seconds'), '.1f', ' s')}, complete "
            f"{fmt(r.get('complete_seconds'), '.1f', ' s')}. Rows/s = rows / total time (reshape reports no backfill timing)."
        )
    for s in ORDER:
        if s in res and res[s].get("lead_wal_bytes") and res[s].get("lead_seconds"):
            pass
    leads = [
        f"{s} {res[s]['lead_wal_bytes'] / res[s]['lead_seconds'] / 2**20:.1f} MiB/s"
        for s in ORDER
        if s in res and res[s].get("lead_wal_bytes") is not None and res[s].get("lead_seconds")
    ]
    det.append(
        "- WAL is `pg_wal_lsn_diff` from just before to just after the change and includes the workload's own WAL "
        f"(its rate in the 5 s before the change: {', '.join(leads)})."
    )
    det.append(
        "- p50/p99 are over the transactions that overlap the change (began before its end, completed after its start); "
        "the longest stall is the longest interval with no transaction completing that overlaps the change."
    )
    lines += det
    lines.append("")
    # goals
    g = []
    if "tack" in res:
        tw = res["tack"]["w"] or {}
        st = tw.get("stall_s")
        g.append(
            f"- Longest stall under tack ≤ lock timeout + 50 ms (1.050 s): {fmt(st, '.3f', ' s')} — "
            + ("**met**" if st is not None and st <= 1.05 else "**not met**")
        )
        if "update" in res:
            ratio = res["tack"]["total_s"] / res["update"]["total_s"]
            g.append(
                f"- tack's total time ≤ 1.5× (b): {res['tack']['total_s']:.1f} s vs {res['update']['total_s']:.1f} s = {ratio:.2f}× — "
                + ("**met**" if ratio <= 1.5 else "**not met**")
            )
        if "reshape" in res and res["tack"].get("rows_s") and res["reshape"].get("rows_s"):
            ratio = res["tack"]["rows_s"] / res["reshape"]["rows_s"]
            g.append(
                f"- tack's backfill rows/s ≥ 1.5× reshape's: {res['tack']['rows_s']:,.0f} vs {res['reshape']['rows_s']:,.0f} = {ratio:.2f}× — "
                + ("**met**" if ratio >= 1.5 else "**not met**")
            )
        elif "reshape" in res:
            g.append("- tack's backfill rows/s ≥ 1.5× reshape's: not measured (reshape run failed)")
        else:
            g.append("- tack's backfill rows/s ≥ 1.5× reshape's: not measured (reshape not run)")
    lines.append("Goals:")
    lines.append("")
    lines += g
    lines.append("")
    lines.append("Reproduce (needs PostgreSQL at 127.0.0.1:5432, trust auth, user postgres; pgbench; reshape, which the script installs from crates.io into /opt/tack/reshape when missing):")
    lines.append("")
    lines.append("```sh")
    lines.append("bash bench/apply.sh            # SCALE=10 for 1M rows; SCENARIOS=\"tack reshape\" for a subset")
    lines.append("```")
    body = "\n".join(lines)
    print(body)
    if not write:
        return
    start, end = "<!-- apply-bench:start -->", "<!-- apply-bench:end -->"
    text = open(md).read()
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    open(md, "w").write(text)


if __name__ == "__main__":
    main()
