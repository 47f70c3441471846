"""The machine a benchmark ran on, as run.py and compare.py both report it (Linux /proc files)."""

from __future__ import annotations

import platform
import re
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (``platform.processor()`` where it has none)."""
    return next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )


def memory_gb() -> float:
    """Total memory in GiB, to one decimal, from /proc/meminfo."""
    match = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    return round(int(match.group(1)) / 1024 / 1024, 1) if match else 0.0
