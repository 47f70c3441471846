#!/usr/bin/env bash
# Runs the test suite several times in a row while a CPU-burning load of our own keeps every core
# busy, and reports each run's wall time, load average and result: the suite must pass on a busy
# machine (issue 9), so no test may depend on how fast the machine is.
#
# The load is bounded twice: one burner process per core (nproc), each of which stops by itself after
# BURN_MINUTES, and all of them are killed by their process ids when this script exits, however it
# exits (trap). Each run gets a cache folder of its own (XDG_CACHE_HOME), so every run starts cold, as
# a fresh clone does.
#
# Usage: scripts/busy_suite.sh [pytest arguments...]
#   RUNS=3 BURN_MINUTES=60 WORKERS=auto scripts/busy_suite.sh          # the whole suite, three times
#   RUNS=1 scripts/busy_suite.sh -m "not slow"                           # the fast tier once
# Exit status: 0 when every run passed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-3}"
BURN_MINUTES="${BURN_MINUTES:-60}"
WORKERS="${WORKERS:-auto}"
PYTHON="${WMKG_VENV:-.venv}/bin/python"
[ -x "$PYTHON" ] || { echo "busy_suite: no venv at ${WMKG_VENV:-.venv} (run scripts/test.sh once)" >&2; exit 2; }
case "$RUNS$BURN_MINUTES" in *[!0-9]*) echo "busy_suite: RUNS and BURN_MINUTES must be whole numbers" >&2; exit 2 ;; esac

scratch="$(mktemp -d)"
burners=()
stop_burners() {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${burners[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap stop_burners EXIT
trap 'exit 130' INT TERM

# One burner per core: a pure-Python spin that ends on its own after BURN_MINUTES.
for _ in $(seq "$(nproc)"); do
  "$PYTHON" -c "
import time
end = time.monotonic() + 60 * $BURN_MINUTES
while time.monotonic() < end:
    sum(range(10_000))
" &
  burners+=("$!")
done
echo "busy_suite: $(nproc) burner(s) running (pids ${burners[*]}), at most $BURN_MINUTES min" >&2

report="$scratch/report"
failed=0
for run in $(seq "$RUNS"); do
  cache="$scratch/cache-$run"
  mkdir -p "$cache"
  load_before="$(cut -d' ' -f1 /proc/loadavg)"
  start="$(date +%s.%N)"
  set +e
  XDG_CACHE_HOME="$cache" "$PYTHON" -m pytest -q -p no:cacheprovider -n "$WORKERS" --dist loadfile --no-loadscope-reorder \
    --maxprocesses 4 "$@" >"$scratch/run-$run.log" 2>&1
  status=$?
  set -e
  end="$(date +%s.%N)"
  load_after="$(cut -d' ' -f1 /proc/loadavg)"
  summary="$(tail -n 1 "$scratch/run-$run.log")"
  # pytest's 5 ("no tests collected") is a failure here too.
  if [ "$status" -ne 0 ]; then
    failed=1
    grep -E "^(FAILED|ERROR)" "$scratch/run-$run.log" >&2 || tail -n 30 "$scratch/run-$run.log" >&2
  fi
  line="$(printf 'run %s: %6.1f s wall, load %s -> %s, exit %s: %s' "$run" \
    "$(awk "BEGIN { print $end - $start }")" "$load_before" "$load_after" "$status" "$summary")"
  echo "$line" | tee -a "$report"
done
echo "busy_suite: $RUNS run(s) under $(nproc) burner(s):" >&2
cat "$report" >&2
exit "$failed"
