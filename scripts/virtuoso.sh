#!/usr/bin/env bash
# A private Virtuoso 7 server on loopback, for tests and benchmarks.
#
#   scripts/virtuoso.sh start DIR    write DIR/virtuoso.ini, start virtuoso-t on two free loopback
#                                    ports, wait until /sparql answers, print the URLs
#   scripts/virtuoso.sh status DIR   print the URLs if the server answers (exit 1 if not)
#   scripts/virtuoso.sh stop DIR     stop the server started in DIR (by its pid), wait for it to exit
#   scripts/virtuoso.sh load DIR FILE.nt GRAPH
#                                    bulk-load one N-Triples/Turtle file into GRAPH (isql, dba:dba)
#
# The Debian package's own service start is refused by policy here, and a shared system server
# would make parallel runs collide, so every caller gets its own data folder and ports.
# Output of start/status is shell-sourceable: VIRTUOSO_SPARQL=..., VIRTUOSO_UPDATE=..., etc.
# VIRTUOSO_BUFFERS (default 20000 ≈ 170 MB of pages) sizes the buffer pool for bigger loads.
set -euo pipefail

command="${1:-}"
dir="${2:-}"
if [ -z "$command" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|status|stop DIR | load DIR FILE GRAPH" >&2
  exit 2
fi
command -v virtuoso-t >/dev/null 2>&1 || { echo "virtuoso-t not found: apt-get install -y virtuoso-opensource-7" >&2; exit 3; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

urls() {
  # shellcheck disable=SC1091
  . "$dir/ports"
  echo "VIRTUOSO_SPARQL=http://127.0.0.1:$HTTP_PORT/sparql"
  echo "VIRTUOSO_UPDATE=http://127.0.0.1:$HTTP_PORT/sparql-auth"
  echo "VIRTUOSO_GSP=http://127.0.0.1:$HTTP_PORT/sparql-graph-crud-auth"
  echo "VIRTUOSO_ISQL_PORT=$ISQL_PORT"
  echo "VIRTUOSO_PID=$(cat "$dir/virtuoso.pid")"
}

answers() {
  # shellcheck disable=SC1091
  . "$dir/ports"
  curl -sf -o /dev/null --max-time 2 \
    "http://127.0.0.1:$HTTP_PORT/sparql?query=ASK%7B%7D&format=application%2Fsparql-results%2Bjson"
}

running() {
  [ -f "$dir/virtuoso.pid" ] && kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null
}

case "$command" in
  start)
    if running; then
      answers && { urls; exit 0; }
    fi
    mkdir -p "$dir/db" "$dir/load"
    isql_port="$(free_port)"
    http_port="$(free_port)"
    while [ "$http_port" = "$isql_port" ]; do http_port="$(free_port)"; done
    printf 'ISQL_PORT=%s\nHTTP_PORT=%s\n' "$isql_port" "$http_port" >"$dir/ports"
    buffers="${VIRTUOSO_BUFFERS:-20000}"
    cat >"$dir/virtuoso.ini" <<EOF
[Database]
DatabaseFile       = $dir/db/virtuoso.db
ErrorLogFile       = $dir/db/virtuoso.log
LockFile           = $dir/db/virtuoso.lck
TransactionFile    = $dir/db/virtuoso.trx
xa_persistent_file = $dir/db/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/db/virtuoso-temp.db
TransactionFile    = $dir/db/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:$isql_port
DisableUnixSocket    = 1
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., $dir/load, /tmp
NumberOfBuffers      = $buffers
MaxDirtyBuffers      = $((buffers * 3 / 4))
MaxQueryMem          = 1G
# One MOVE of a big staging graph is one transaction: the default 50 MB after-image limit aborts
# it at around 10^6 triples.
TransactionAfterImageLimit = 1500000000
ThreadsPerQuery      = 2
VADInstallDir        = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort           = 127.0.0.1:$http_port
ServerRoot           = /var/lib/virtuoso-opensource-7/vsp
ServerThreads        = 10
MaxClientConnections = 10
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 300
EOF
    # Started in the foreground (-f) in a new session so `stop` can end exactly this process.
    setsid virtuoso-t -f -c "$dir/virtuoso.ini" >"$dir/virtuoso.out" 2>&1 </dev/null &
    echo $! >"$dir/virtuoso.pid"
    for _ in $(seq 1 240); do
      if answers; then urls; exit 0; fi
      if ! running; then
        echo "virtuoso-t exited during start-up; see $dir/virtuoso.out and $dir/db/virtuoso.log" >&2
        tail -5 "$dir/virtuoso.out" >&2 || true
        exit 1
      fi
      sleep 0.25
    done
    echo "virtuoso-t did not answer on /sparql within 60 s; see $dir/db/virtuoso.log" >&2
    exit 1
    ;;
  status)
    if running && answers; then urls; exit 0; fi
    echo "not running in $dir" >&2
    exit 1
    ;;
  stop)
    if ! running; then rm -f "$dir/virtuoso.pid"; exit 0; fi
    pid="$(cat "$dir/virtuoso.pid")"
    kill "$pid"
    for _ in $(seq 1 120); do
      kill -0 "$pid" 2>/dev/null || { rm -f "$dir/virtuoso.pid"; exit 0; }
      sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/virtuoso.pid"
    ;;
  load)
    file="${3:?FILE}"
    graph="${4:?GRAPH}"
    # shellcheck disable=SC1091
    . "$dir/ports"
    cp "$file" "$dir/load/"
    name="$(basename "$file")"
    isql-vt "127.0.0.1:$ISQL_PORT" dba dba exec="ld_dir('$dir/load', '$name', '$graph'); rdf_loader_run(); checkpoint;" >/dev/null
    rm -f "$dir/load/$name"
    ;;
  *)
    echo "unknown command $command: use start, status, stop or load" >&2
    exit 2
    ;;
esac
