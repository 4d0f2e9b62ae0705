#!/usr/bin/env python3
"""Render results/matrix.json as markdown (results/matrix.md): one block per case."""
import json
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "results/matrix.json"
dst = sys.argv[2] if len(sys.argv) > 2 else "results/matrix.md"
R = json.load(open(src))


def ev(r):
    d = r["diff"]
    parts = [f"table_id {d['table_ids_before']}->{d['table_ids_after']}",
             f"inode_changed={d['inode_changed']}", f"Handler_write+{d['handler_write']}",
             f"Innodb_instant_alter_column+{d['instant_counter']}"]
    return ", ".join(parts)


out = []
for c in R:
    case = c["case"]
    out.append(f"### {case['name']}\n")
    out.append(f"Group: {case['group']}. Operation: `{case['op']}`" +
               (" (ALTER IGNORE)" if case.get("ignore") else "") +
               (f"; session pre-statements: `{'; '.join(case['pre'])}`" if case.get("pre") else "") +
               (f"; table variant: `{json.dumps(case['setup'])}`" if case.get("setup") else "") + "\n")
    out.append("| ALGORITHM / LOCK | result | rows affected / info | observed | evidence |")
    out.append("|---|---|---|---|---|")
    for r in c["runs"]:
        combo = f"{r['algo']} / {r['lock'] or '(none)'}"
        if r.get("via"):
            combo += " (via SET SESSION alter_algorithm; LOCK clause not accepted by parser)"
        if r["ok"]:
            res = "accepted"
            w = r.get("warnings") or []
            if w:
                res += "; warnings: " + "; ".join(f"{x[1]} {x[2]}" for x in w[:3]) + (" ..." if len(w) > 3 else "")
            info = f"{r.get('affected')} / `{r.get('info','')}`"
        else:
            res = f"**{r['err_code']}** {r['err_msg']}"
            info = ""
        out.append(f"| {combo} | {res} | {info} | {r['class'] if r['ok'] else ''} | {ev(r) if r['ok'] else ''} |")
    checks = [(f"{r['algo']}/{r['lock']}", r["check"]) for r in c["runs"] if r.get("check")]
    if checks:
        out.append("")
        out.append(f"Check query `{case['check']}`:\n")
        for k, v in checks:
            out.append(f"- {k}: `{v}`")
    d0 = c["runs"][0]
    if d0.get("show_create") and case["group"] in ("charset", "add column", "partition"):
        out.append("\n<details><summary>SHOW CREATE TABLE after default run</summary>\n\n```sql\n" + d0["show_create"] + "\n```\n</details>")
    out.append("")
open(dst, "w").write("\n".join(out))
print("wrote", dst)
