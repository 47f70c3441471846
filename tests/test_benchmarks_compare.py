"""benchmarks/compare.py's command line and report blocks (no timing: speed is measured only by running it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import compare  # noqa: E402
from compare_report import keep_blocks  # noqa: E402


@pytest.mark.slow
def test_help_names_the_options_and_exits_zero() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "compare.py"), "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for option in ("--quick", "--endpoint", "--stores", "--duration", "--root", "--store"):
        assert option in done.stdout


def test_quick_fills_in_short_defaults_and_explicit_values_win() -> None:
    quick = compare.parse_args(["--quick"])
    assert (quick.duration, quick.cli_runs, quick.rss_workers, quick.label) == (4.0, 5, [], "article")
    full = compare.parse_args(["--duration", "7", "--rss-workers", "1,4", "--stores", "wmkg,virtuoso"])
    assert (full.duration, full.rss_workers, full.stores) == (7.0, [1, 4], ["wmkg", "virtuoso"])


def test_endpoint_alone_is_accepted() -> None:
    args = compare.parse_args(["--stores", "none", "--endpoint", "http://127.0.0.1:8890/sparql"])
    assert args.stores == [] and args.endpoint == ["http://127.0.0.1:8890/sparql"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--stores", "none"], "needs at least one --endpoint"),
        (["--stores", "wmkg,fuseki"], "unknown store 'fuseki'"),
        (["--endpoint", "ftp://example.org/sparql"], "--endpoint 'ftp://example.org/sparql'"),
        (["--rss-workers", "two"], "--rss-workers 'two'"),
        (["--duration", "0"], "--duration must be positive"),
        (["--root", "/nonexistent-wmkg-root"], "not a project folder"),
    ],
)
def test_bad_options_fail_with_one_clear_line(argv: list[str], says: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH / "compare.py"), *argv], capture_output=True, text=True)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_run_py_keeps_the_compare_sections_when_it_rewrites_the_file() -> None:
    block = "<!-- compare:article:begin -->\n## Side by side\n\nnumbers\n<!-- compare:article:end -->\n"
    old = "# Benchmarks\n\n" + block + "\n## Targets\n\nold\n"
    new = "# Benchmarks\n\nintro\n\n## Targets\n\nnew\n"
    merged = keep_blocks(old, new)
    assert merged.count(block) == 1
    assert merged.index("intro") < merged.index(block) < merged.index("## Targets\n\nnew")
    assert keep_blocks(merged, merged) == merged
