"""A real Virtuoso 7 on free loopback ports (scripts/virtuoso.sh), for as long as a ``with`` lasts.

Every caller gets a data folder and ports of its own. tests/conftest.py starts one for the run and
loads the repository's graph into it once (``virtuoso``, ``virtuoso_kg``); tests of loading itself
start a scratch one, so the loaded one is never changed under the others.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from support.project import REPO

SCRIPT = REPO / "scripts" / "virtuoso.sh"


@contextmanager
def running_virtuoso(folder: Path) -> Iterator[dict[str, str]]:
    """Virtuoso with its database in ``folder``; yields its URLs (``VIRTUOSO_SPARQL``, ``VIRTUOSO_UPDATE``, …).

    Skips the test when Virtuoso is not installed (scripts/test.sh installs it).
    """
    if shutil.which("virtuoso-t") is None:
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource-7; scripts/test.sh does)")
    started = subprocess.run(["bash", str(SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=90)
    assert started.returncode == 0, started.stderr
    try:
        yield dict(line.split("=", 1) for line in started.stdout.split())
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(folder)], capture_output=True, timeout=60)


def with_credentials(url: str) -> str:
    """``url`` with Virtuoso's default dba:dba credentials in it (its update endpoint asks for digest auth)."""
    return url.replace("http://", "http://dba:dba@")


def graph_store_client(urls: dict[str, str]) -> Any:
    """An ``EndpointStore`` on the Virtuoso at ``urls`` that loads through its Graph Store Protocol (dba:dba)."""
    from westminster_kg.store.endpoint import EndpointStore

    return EndpointStore(
        urls["VIRTUOSO_SPARQL"],
        urls["VIRTUOSO_UPDATE"],
        graph_store_url=urls["VIRTUOSO_GSP"],
        auth=("dba", "dba"),
        timeout=120,
    )
