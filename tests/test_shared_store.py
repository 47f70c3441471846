"""Query workers that share one on-disk store instead of each holding a copy of the data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import DATA, make_project

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings
from westminster_kg.web.workers import QueryPool

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

pytestmark = pytest.mark.slow  # worker processes and CLI subprocesses


def test_workers_open_one_store_folder_and_answer_from_it(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load(make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl"))
    pool = QueryPool(kg, 2)
    try:
        assert Path(pool.dump).is_dir()  # an Oxigraph folder, not a dump each worker parses
        for _ in range(3):
            result, truncated = pool.run(COUNT, timeout=60, max_rows=10)
            assert int(result.rows[0][0]) == len(kg.store) and not truncated
    finally:
        pool.close()
    assert not Path(pool.dump).exists()


def test_with_store_the_workers_read_its_live_generation(tmp_path: Path) -> None:
    root = make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")
    kg = KnowledgeGraph.load(root, store_dir=tmp_path / "store")
    pool = QueryPool(kg, 1)
    try:
        assert Path(pool.dump) == tmp_path / "store" / kg.store.generation
        result, _ = pool.run(COUNT, timeout=60, max_rows=10)
        assert int(result.rows[0][0]) == len(kg.store)
    finally:
        pool.close()
    assert (tmp_path / "store" / kg.store.generation).is_dir()  # the pool never removes --store's data


def test_the_worker_count_defaults_to_the_cpus_this_process_may_use() -> None:
    assert Settings().workers == len(os.sched_getaffinity(0))
