#!/bin/bash
# Re-run every probe against the local MariaDB (127.0.0.1:3306, root, no password).
# Creates only research_* databases and drops them; SET GLOBAL changes are restored by each script.
set -e
cd "$(dirname "$0")"
PY=../venv/bin/python   # python3 -m venv ../venv && ../venv/bin/pip install pymysql
mkdir -p results
$PY matrix.py          > results/matrix.log          # section 1 (~4 min)
$PY matrix.py --extra  > results/matrix_extra.log    # section 1, extra cases
$PY report_matrix.py results/matrix.json results/matrix.md
$PY report_matrix.py results/matrix_extra.json results/matrix_extra.md
$PY summarize.py > /dev/null                         # results/summary_table.md
$PY history.py         > results/history.log         # section 2 (uses SET GLOBAL innodb_instant_alter_column_allowed, restored)
$PY empty_canonical.py > results/empty_canonical.log # section 2 (same)
$PY rebuild_detect.py  > results/rebuild_detect.log  # section 3
$PY concurrency.py 500000 > results/concurrency.log  # section 4
$PY mdl.py             > results/mdl.log             # section 5 (installs+uninstalls metadata_lock_info)
$PY probe_copy.py      > results/probe_copy.log      # section 6 (SET GLOBAL innodb_default_row_format, restored)
./like_copies.sh       > results/like_copies.txt     # section 6
$PY online_log.py      > results/online_log.log      # section 7 (SET GLOBAL innodb_online_alter_log_max_size, restored)
./settings.sh          > results/settings.txt        # section 7
