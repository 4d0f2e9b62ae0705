#!/usr/bin/env python3
"""Per-run wall and CPU (user + sys) time of commands, via wait4's rusage.

hyperfine's JSON only has the mean user/system time, so the CPU medians come
from this loop. Runs of the tools are interleaved (a, b, a, b, ...) so that
background load on the machine hits them alike. Commands are split with shlex
and run without a shell and without glob expansion, exactly like `hyperfine -N`
runs them. stdout/stderr go to /dev/null.

Before measuring, each command runs once with its output captured: exit 0 or 1
(1 = findings, for both linters) with a non-empty report on stdout is accepted;
anything else aborts, since hyperfine --ignore-failure would otherwise time a
crash, a usage error or an empty file list (squawk exits 1 for that too).

Usage: measure_cpu.py [--check-only] --runs 20 --warmup 3 --out cpu.json NAME=COMMAND ...
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time


def argv_of(command: str) -> list[str]:
    return shlex.split(command)


def check(name: str, argv: list[str]) -> bool:
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    except OSError as e:
        print(f"measure_cpu: {name}: cannot run {argv[0]}: {e}", file=sys.stderr)
        return False
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-20:]
        print(f"measure_cpu: {name} exited {proc.returncode} with {len(proc.stdout)} bytes "
              f"on stdout (want exit 0/1 and a report): {shlex.join(argv)}", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr)
        return False
    print(f"measure_cpu: {name}: exit {proc.returncode}, {len(proc.stdout)} bytes on stdout",
          file=sys.stderr)
    return True


def run_once(argv: list[str]) -> tuple[float, float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime, ru.ru_stime, proc.returncode


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--out")
    ap.add_argument("--check-only", action="store_true")
    ap.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    args = ap.parse_args()

    cmds = []
    for spec in args.commands:
        name, sep, command = spec.partition("=")
        if not sep:
            ap.error(f"expected NAME=COMMAND, got {spec!r}")
        cmds.append((name, command, argv_of(command)))

    if not all([check(name, argv) for name, _, argv in cmds]):
        return 1
    if args.check_only:
        return 0
    if not args.out:
        ap.error("--out is required")
    for _ in range(args.warmup):
        for _, _, argv in cmds:
            run_once(argv)
    results = {name: {"command": command, "wall": [], "user": [], "system": [],
                      "cpu": [], "exit_codes": []}
               for name, command, _ in cmds}
    for _ in range(args.runs):
        for name, _, argv in cmds:
            wall, user, system, code = run_once(argv)
            r = results[name]
            r["wall"].append(wall)
            r["user"].append(user)
            r["system"].append(system)
            r["cpu"].append(user + system)
            r["exit_codes"].append(code)
    with open(args.out, "w") as f:
        json.dump({"runs": args.runs, "warmup": args.warmup, "results": results}, f, indent=2)
    print(f"measure_cpu: {args.runs} interleaved runs of {len(cmds)} commands -> {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
