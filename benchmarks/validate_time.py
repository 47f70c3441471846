"""A fresh ``wmkg validate``: a new process, the repository's own project, no kept report.

    python benchmarks/validate_time.py [--runs 10] [--warmup 1] [--wmkg PATH ...]

``wmkg validate`` keeps its report in the user's cache folder and prints the kept one while nothing it
depends on changed; here every run (warm-ups included) starts from an empty cache folder (hyperfine's
``--prepare``), so every run validates. Prints, for each ``wmkg`` given (default: the one beside this
Python), hyperfine's median, mean, range and CPU time, and whether the median is under the 2 s target
(issue 22). Several ``--wmkg`` (another checkout's, say) run one after the other in one hyperfine call.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_SECONDS = 2.0


def main(argv: list[str] | None = None) -> int:
    """Run hyperfine on ``wmkg validate``; print the figures; exit 1 when hyperfine cannot run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    default = Path(sys.executable).with_name("wmkg")
    parser.add_argument("--wmkg", nargs="+", default=[str(default)], help=f"wmkg executables (default {default})")
    args = parser.parse_args(argv)
    if shutil.which("hyperfine") is None:
        print("hyperfine is not installed (apt-get install hyperfine)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="wmkg-validate-time-") as scratch:
        cache = Path(scratch) / "cache"
        report = Path(scratch) / "hyperfine.json"
        commands = [f"{shlex.quote(wmkg)} validate" for wmkg in args.wmkg]
        command = ["hyperfine", "--warmup", str(args.warmup), "--runs", str(args.runs)]
        command += ["--prepare", f"rm -rf {shlex.quote(str(cache))}", "--export-json", str(report), *commands]
        # Every run writes its report into this (emptied) folder, never into the user's own cache.
        done = subprocess.run(command, env={**os.environ, "XDG_CACHE_HOME": str(cache)}, check=False)
        if done.returncode != 0:
            print(f"hyperfine failed (exit {done.returncode})", file=sys.stderr)
            return 1
        results = json.loads(report.read_text(encoding="utf-8"))["results"]
    print(f"\n{shlex.join(command[: -len(commands)])} '<wmkg> validate'  (XDG_CACHE_HOME emptied before each run)")
    for result in results:
        median = result["median"]
        verdict = "under" if median < TARGET_SECONDS else "over"
        print(
            f"{result['command']}: median {median:.2f} s, mean {result['mean']:.2f} s, "
            f"range {result['min']:.2f}..{result['max']:.2f} s, CPU user {result['user']:.2f} s + "
            f"system {result['system']:.2f} s; {verdict} the {TARGET_SECONDS:.0f} s target"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
