"""Seconds per test module, from a pytest ``--durations=0`` report, as tests/module_seconds.json.

scripts/test.sh hands each test module to one pytest-xdist worker, longest first (tests/conftest.py
reads this file), so that no long module starts last on one worker while the other waits. The
figures only order the work: stale ones cost a little wall time, never a result.

Usage: ``pytest -n 2 --dist loadfile --durations=0 | python scripts/module_seconds.py``
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "tests" / "module_seconds.json"
LINE = re.compile(r"^\s*([\d.]+)s (?:setup|call|teardown)\s+tests/([\w/]+\.py)::")


def main() -> None:
    """Read the report on stdin; write the JSON (modules sorted by name, seconds to 0.1)."""
    seconds: Counter[str] = Counter()
    for line in sys.stdin:
        if match := LINE.match(line):
            seconds[match.group(2)] += float(match.group(1))
    if not seconds:
        sys.exit("no --durations=0 lines on stdin: run pytest with --durations=0 and pipe its report here")
    TARGET.write_text(json.dumps({m: round(s, 1) for m, s in sorted(seconds.items())}, indent=1) + "\n")
    print(f"wrote {TARGET}: {len(seconds)} modules")


if __name__ == "__main__":
    main()
