#!/usr/bin/env python3
"""Summarise the lint benchmark and rewrite its section of docs/BENCHMARKS.md.

Inputs: hyperfine's --export-json (wall time per run), measure_cpu.py's JSON
(user + sys CPU per run) and gen_corpus.py's --stats JSON. Output: the part of
the doc between <!-- lint-bench:start --> and <!-- lint-bench:end --> is
replaced (appended if absent; other sections are left alone), and the table is
printed to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

START = "<!-- lint-bench:start -->"
END = "<!-- lint-bench:end -->"
HEADING = "## tack lint vs squawk"
INTRO = """# Benchmarks

Performance measurements of tack. Each section says how it was measured and
the exact command that reproduces it; numbers from different machines are not
comparable.
"""
GOAL = 0.8  # tack's median wall time must be <= GOAL x squawk's


def sh(cmd: str) -> str:
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""


def machine() -> str:
    model = ""
    for line in sh("lscpu").splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
            break
    mem_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return (f"{model or platform.processor() or 'unknown CPU'}, {sh('nproc') or '?'} cores, "
            f"{mem_gib:.0f} GiB RAM, {os_name}, Linux {platform.release()}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def replace_section(doc: str, section: str) -> str:
    block = f"{START}\n{section.rstrip()}\n{END}"
    if START in doc and END in doc:
        pre, rest = doc.split(START, 1)
        _, post = rest.split(END, 1)
        return pre + block + post
    # an unmarked hand-written section with the same heading: replace it
    m = re.search(rf"^{re.escape(HEADING)}\s*$", doc, flags=re.M)
    if m:
        nxt = re.search(r"^## ", doc[m.end():], flags=re.M)
        end = m.end() + nxt.start() if nxt else len(doc)
        return doc[: m.start()] + block + "\n\n" + doc[end:].lstrip("\n")
    return doc.rstrip("\n") + "\n\n" + block + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hyperfine", required=True)
    ap.add_argument("--cpu", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--doc", default="docs/BENCHMARKS.md")
    ap.add_argument("--version", action="append", default=[], metavar="'TOOL VERSION'",
                    help="a tool version to list (repeatable)")
    ap.add_argument("--standin", default="",
                    help="the command measured in place of tack, if tack was not built")
    ap.add_argument("--reproduce", default="bash bench/lint.sh")
    ap.add_argument("--load", default="", help="/proc/loadavg's 1/5/15-min figures before the run")
    args = ap.parse_args()

    hf = json.loads(Path(args.hyperfine).read_text())
    cpu = json.loads(Path(args.cpu).read_text())
    stats = json.loads(Path(args.stats).read_text())

    rows = {}
    for r in hf["results"]:
        name = r["command"]
        c = cpu["results"][name]
        bad = sorted({code for code in r.get("exit_codes", []) + c["exit_codes"]
                      if code not in (0, 1)})
        if bad:
            print(f"report: {name} exited with {bad}: a failed run is not a measurement",
                  file=sys.stderr)
            return 1
        rows[name] = {
            "command": c["command"],
            "wall": statistics.median(r["times"]),
            "wall_min": min(r["times"]),
            "wall_max": max(r["times"]),
            "runs": len(r["times"]),
            "cpu": statistics.median(c["cpu"]),
            "cpu_runs": len(c["cpu"]),
        }
    if "tack" not in rows or "squawk" not in rows:
        print("report: need results named 'tack' and 'squawk'", file=sys.stderr)
        return 1
    t, s = rows["tack"], rows["squawk"]
    wall_ratio = t["wall"] / s["wall"]
    cpu_ratio = t["cpu"] / s["cpu"] if s["cpu"] else float("nan")

    lines = [HEADING, ""]
    if args.standin:
        lines += [f"> **Not a result yet:** tack was not built when this ran, so the tack row "
                  f"measures a stand-in (`{args.standin}`). Run `{args.reproduce}` to measure tack.", ""]
    versions = ", ".join(args.version)
    lines += [
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()}.",
        f"Tools: {versions}." if versions else "",
        "",
        f"Corpus: {stats['files']} Flyway-style migration files, {stats['statements']:,} statements "
        f"({stats['lines']:,} lines, {stats['bytes'] / 1e6:.2f} MB), generated by "
        f"`bench/gen_corpus.py --seed {stats['seed']}`; `bench/verify_corpus.sh` applies it to "
        f"PostgreSQL without error. Both linters print JSON findings (to /dev/null) and exit 1 "
        f"because the corpus has findings; a run with any other non-zero exit is rejected.",
        "",
        f"Wall time: hyperfine, {hf_runs(rows)} runs per tool after warm-up, no shell (`-N`). "
        f"CPU time (user + sys of the process, from `wait4`): `bench/measure_cpu.py`, "
        f"{t['cpu_runs']} runs per tool, interleaved. Medians are reported."
        + (f" Load average just before the run: {args.load} (other work on the machine "
           f"adds noise to wall time more than to CPU time)." if args.load else ""),
        "",
        "| tool | command | median wall | wall min … max | median CPU (user+sys) | CPU / wall |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name in ("tack", "squawk"):
        r = rows[name]
        lines.append(f"| {name} | `{r['command']}` | {ms(r['wall'])} | "
                     f"{ms(r['wall_min'])} … {ms(r['wall_max'])} | {ms(r['cpu'])} | "
                     f"{r['cpu'] / r['wall']:.2f} |")
    verdict = "met" if wall_ratio <= GOAL else "not met"
    if args.standin:
        verdict = "not evaluated: stand-in, not tack"
    lines += [
        f"| **tack / squawk** | | **{wall_ratio:.2f}×** | | **{cpu_ratio:.2f}×** | |",
        "",
        "CPU / wall above 1 means the tool used more than one core; such a tool's wall time "
        "depends more on what else the machine is doing.",
        "",
        f"Goal: tack's median wall time ≤ {GOAL}× squawk's — **{verdict}**.",
        "",
        "Reproduce (installs squawk-cli into bench/out/venv and hyperfine if missing, "
        "builds tack, regenerates the corpus, measures, and rewrites this section):",
        "",
        "```sh",
        args.reproduce,
        "```",
    ]
    section = "\n".join(line for i, line in enumerate(lines)
                        if line or (i and lines[i - 1]))  # no double blank lines

    doc_path = Path(args.doc)
    doc = doc_path.read_text() if doc_path.exists() else INTRO
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    doc_path.write_text(replace_section(doc, section))
    print(section)
    print(f"\nreport: wrote the lint section of {doc_path}", file=sys.stderr)
    return 0


def hf_runs(rows: dict) -> str:
    runs = sorted({r["runs"] for r in rows.values()})
    return "/".join(str(n) for n in runs)


if __name__ == "__main__":
    sys.exit(main())
