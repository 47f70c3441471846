#!/usr/bin/env bash
# Installs everything the tests need (Debian packages when missing, a venv with the package and
# its test extras), then checks what a reviewer checks: ruff (lint and format), canonical Turtle,
# the docs-drift tests, the mutation tests of the validation gates and of the surface oracle, and the
# whole suite.
# `.ci/run` calls exactly this script; arguments go to the final pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource-7)
command -v wrk >/dev/null 2>&1 || need+=(wrk)  # tests/test_benchmarks_compare.py runs compare.py's Lua under wrk
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Bytecode is cached (some containers set PYTHONDONTWRITEBYTECODE=1): without it every pytest process
# (each xdist worker, each mutant's run) compiles and assertion-rewrites the test modules and the
# hypothesis plugin from source again, about 3.5 s of CPU a process.
unset PYTHONDONTWRITEBYTECODE

VENV="${WMKG_VENV:-.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
# cffconvert (which checks CITATION.cff) pins jsonschema<4 and the test extra needs jsonschema>=4.18:
# it gets a venv of its own inside the test venv, where tests/test_scholarly.py looks for it.
CFF_VENV="$VENV/cffconvert"
if [ ! -x "$CFF_VENV/bin/cffconvert" ]; then
  python3 -m venv "$CFF_VENV"
  "$CFF_VENV/bin/python" -m pip install -q --disable-pip-version-check 'cffconvert==2.0.0'
fi

# What a reviewer checks, cheapest first, each failing the run on its own.
step() { echo "== $*" >&2; }
step "ruff check"
"$VENV/bin/ruff" check .
step "ruff format --check"
"$VENV/bin/ruff" format --check .

# The curated Turtle in canonical form (wmkg fmt): a drift fails the run and lists the files.
step "wmkg fmt --check"
"$VENV/bin/wmkg" fmt --check

# The docs that are generated from or checked against the code (docs/queries.md, the module graph in
# docs/architecture.md, vocab.py, the README's command list): a drift fails here, before the suite.
# Only the modules that hold docs tests are collected (each marks them in its own text, `mark.docs`;
# collecting the whole suite costs some ten seconds of CPU a process), on two workers: the transcripts of
# one page run in one test, the pages side by side.
step "docs drift"
docs_modules=$(grep -l 'mark\.docs' tests/test_*.py)
# shellcheck disable=SC2086 # one word per module
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -n 2 --dist load -m docs $docs_modules

# Every validation gate bites: each check query and shape, silenced in turn, makes the tests fail.
step "scripts/mutate_checks.py"
"$VENV/bin/python" scripts/mutate_checks.py

# Every surface oracle bites: each flipped direction, dropped hedge and swapped stance, in a template
# or in the data a surface is built from, makes its oracle tests fail. (Both mutation scripts test two
# mutants at a time, each in a scratch copy of its own: scripts/scratch_runs.py.)
step "scripts/mutate_surfaces.py"
"$VENV/bin/python" scripts/mutate_surfaces.py

# pytest exits 5 when it collected no test: that must fail, never pass silently.
# A test module to a worker, so a module's costly fixture (a server, Chromium, Virtuoso) is started once; longest modules first (tests/conftest.py). The docs
# tests ran in their own step above (their transcripts run wmkg commands in bash: a minute or so), so
# they are not run twice. Arguments after these win (-n 0 runs in one process, -m picks other tests).
# One worker a core (at most 4). A third worker on two cores filled most of the cores' idle time (42 s
# of the run down to 6 s) but cost more than that: its own collection and session fixtures (the app
# and its query workers, Chromium, the rdflib reference) took 47 s more CPU. Alternated runs of the same tree:
# two workers 228.5 and 216.7 s (392 s CPU), three 248.3 and 221.5 s (439 s CPU).
workers=$(nproc)
if [ "$workers" -gt 4 ]; then workers=4; fi
step "pytest -n $workers --dist loadfile --no-loadscope-reorder -m 'not docs' $*"
set +e
"$VENV/bin/python" -m pytest -n "$workers" --dist loadfile --no-loadscope-reorder -m "not docs" "$@"
status=$?
set -e
if [ $status -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit $status
