#!/usr/bin/env python3
"""Build the compact summary table (markdown) from results/matrix.json + results/matrix_extra.json."""
import json
import os


def accepted(runs, algo, locks=("NONE", "SHARED", "EXCLUSIVE")):
    out = []
    for r in runs:
        if r["algo"] == algo and r["lock"] in locks and r["ok"]:
            out.append(r)
    return out


def refused(runs, algo, lock):
    for r in runs:
        if r["algo"] == algo and r["lock"] == lock and not r["ok"]:
            return r
    return None


def default_label(c, runs=None):
    if c in ("instant(metadata record)", "no-rebuild") and runs is not None:
        if accepted(runs, "INSTANT"):
            return "INSTANT" + (" (metadata record)" if c.startswith("instant") else " (metadata only)")
        if accepted(runs, "NOCOPY"):
            return "NOCOPY (no rebuild)"
    return {"instant(metadata record)": "INSTANT (metadata record)", "no-rebuild": "no rebuild",
            "rebuild(inplace)": "INPLACE (rebuild)", "COPY": "COPY"}.get(c, c)


def fmt_check(v, sql):
    v = v[0]
    if sql.startswith("SELECT COUNT(*), COUNT(DISTINCT") and len(v) == 5:
        return f"existing {v[0]} rows got {v[1]} distinct value(s), NULLs={v[2]}, min={v[3]}, max={v[4]}"
    return f"check {v}"


def cell_algo(runs, algo):
    ok = accepted(runs, algo)
    if not ok:
        r = refused(runs, algo, "NONE") or refused(runs, algo, "EXCLUSIVE")
        if r and r.get("via"):
            return f"no ({r['err_code']}, via alter_algorithm)"
        return f"no ({r['err_code']})" if r else "n/a"
    first = ok[0]
    extra = "" if first["lock"] == "NONE" else f" (LOCK={first['lock']} only)"
    if first["class"] == "COPY":
        extra += " **but executes COPY**"
    return "yes" + extra


def row(c):
    runs = c["runs"]
    case = c["case"]
    d = runs[0]
    if case.get("raw"):
        if d["ok"]:
            return [case["name"], default_label(d["class"]), "-", "-", "-",
                    {"COPY": "yes (copy)", "rebuild(inplace)": "yes (in-place)"}.get(d["class"], "no"), "not measured",
                    f"`{case['op']}`"]
        return [case["name"], f"ERROR {d['err_code']}", "-", "-", "-", "-", "-", f"`{case['op']}`: {d['err_msg'][:90]}"]
    if not d["ok"]:
        dflt = f"ERROR {d['err_code']}"
    else:
        dflt = default_label(d["class"], runs)
    dn = [r for r in runs if r["algo"] == "DEFAULT" and r["lock"] == "NONE"]
    dn = dn[0] if dn else None
    inplace_none = [r for r in runs if r["algo"] == "INPLACE" and r["lock"] == "NONE"][0]
    ip = "yes" if inplace_none["ok"] else f"no ({inplace_none['err_code']})"
    if inplace_none.get("via"):
        ip += " via alter_algorithm"
    if not d["ok"]:
        rebuild = "-"
    elif d["class"].startswith("partition"):
        rebuild = "partition-level: " + d["class"].split("(", 1)[1].rstrip(")")
    else:
        rebuild = {"COPY": "yes (copy)", "rebuild(inplace)": "yes (in-place)"}.get(d["class"], "no")
    if dn is None:
        writes = "-"
    elif dn.get("via"):
        writes = "not measured (LOCK clause not accepted)"
    elif dn["ok"]:
        writes = "yes (LOCK=NONE accepted)"
    else:
        writes = f"no (LOCK=NONE → {dn['err_code']})"
    notes = []
    if not d["ok"]:
        notes.append(f"{d['err_code']}: {d['err_msg'][:100]}")
    inst_ref = refused(runs, "INSTANT", "NONE")
    if inst_ref and not accepted(runs, "INSTANT"):
        notes.append(f"INSTANT → {inst_ref['err_code']} “{inst_ref['err_msg'][:110]}”")
    for r in runs:
        if r.get("check") and r["algo"] == "DEFAULT" and r["lock"] is None:
            notes.append(fmt_check(r["check"], case["check"]))
    return [case["name"], dflt, cell_algo(runs, "INSTANT"), cell_algo(runs, "NOCOPY"), ip, rebuild, writes,
            "; ".join(notes)]


def main():
    rows, raw = [], []
    for f in ("results/matrix.json", "results/matrix_extra.json"):
        if os.path.exists(f):
            for c in json.load(open(f)):
                (raw if c["case"]["name"].startswith("raw:") else rows).append(row(c))
    hdr = ["operation", "default algorithm (observed)", "INSTANT?", "NOCOPY?", "INPLACE LOCK=NONE?", "rebuilds?",
           "concurrent writes continue?", "notes"]
    lines = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for r in rows:
        lines.append("| " + " | ".join(str(x).replace("|", "\\|").replace("\n", " ") for x in r) + " |")
    lines += ["", "Exact-statement variants:", "", "| statement | observed | rebuilds? | notes |", "|---|---|---|---|"]
    for r in raw:
        lines.append(f"| {r[0][5:]} | {r[1]} | {r[5]} | {r[7]} |")
    open("results/summary_table.md", "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
