#!/usr/bin/env bash
# Runs every benchmark once, in sequence, and prints their tables. Extra arguments (e.g.
# --pg) are not passed on: run a script by itself for its options.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0
for script in edits parallel_tools loop_overhead stall_retry ws_latency long_session ws_scale storm outbox_takeover; do
    echo "=== bench/${script}.py"
    start=$(date +%s)
    if ! "$PY" "bench/${script}.py"; then
        echo "!!! bench/${script}.py could not complete"
        status=1
    fi
    echo "    ($(( $(date +%s) - start )) s)"
done
exit $status
