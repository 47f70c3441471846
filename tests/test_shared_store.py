"""Query workers that share one on-disk store instead of each holding a copy of the data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import DATA, make_project, pool_answer

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings
from westminster_kg.web.workers import QueryPool, QueryTimeoutError

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

pytestmark = pytest.mark.slow  # worker processes and CLI subprocesses


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """The valid slice, loaded once for the module: the pools only read it (each writes its own dump)."""
    return KnowledgeGraph.load(make_project(tmp_path_factory.mktemp("shared") / "mini", DATA / "valid" / "slice.ttl"))


def test_workers_open_one_store_folder_and_answer_from_it(kg: KnowledgeGraph) -> None:
    pool = QueryPool(kg, 2)
    try:
        assert Path(pool.dump).is_dir()  # an Oxigraph folder, not a dump each worker parses
        for _ in range(3):
            result, truncated = pool_answer(pool, COUNT, timeout=60, max_rows=10)
            assert int(result.rows[0][0]) == len(kg.store) and not truncated
    finally:
        pool.close()
    assert not Path(pool.dump).exists()


def test_small_data_is_loaded_into_each_workers_memory_from_one_dump(kg: KnowledgeGraph) -> None:
    small, large = QueryPool(kg, 1, in_memory_quads=len(kg.store)), QueryPool(kg, 1, in_memory_quads=len(kg.store) - 1)
    try:
        assert Path(small.dump).is_file() and small.dump.endswith(".nq")
        assert Path(large.dump).is_dir()  # one quad more than the bound: read from disk
        for pool in (small, large):
            result, _ = pool_answer(pool, COUNT, timeout=60, max_rows=10)
            assert int(result.rows[0][0]) == len(kg.store)
    finally:
        small.close()
        large.close()
    assert not Path(small.dump).exists()


def test_with_store_the_workers_read_its_live_generation(tmp_path: Path) -> None:
    root = make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")
    kg = KnowledgeGraph.load(root, store_dir=tmp_path / "store")
    pool = QueryPool(kg, 1)
    try:
        assert Path(pool.dump) == tmp_path / "store" / kg.store.generation
        result, _ = pool_answer(pool, COUNT, timeout=60, max_rows=10)
        assert int(result.rows[0][0]) == len(kg.store)
    finally:
        pool.close()
    assert (tmp_path / "store" / kg.store.generation).is_dir()  # the pool never removes --store's data


def test_the_worker_count_defaults_to_the_cpus_this_process_may_use() -> None:
    assert Settings().workers == len(os.sched_getaffinity(0))


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def test_workers_are_forked_by_one_spawner_and_start_without_it_too(
    kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    from westminster_kg.web import spawner

    pools = [QueryPool(kg, 2), QueryPool(kg, 1)]
    try:
        workers = [w.process for pool in pools for w in pool._all]
        assert all(isinstance(w, spawner.ForkedWorker) for w in workers)
        assert {_parent_of(w.pid) for w in workers} == {spawner._spawner["process"].pid}  # one spawner for all
        for pool in pools:
            assert int(pool_answer(pool, COUNT, timeout=60, max_rows=10)[0].rows[0][0]) == len(kg.store)
    finally:
        for pool in pools:
            pool.close()
    assert all(w.poll() is not None for w in workers)  # closed pools leave no worker behind

    monkeypatch.setattr(spawner, "spawn", lambda *request: None)  # no spawner: plain subprocesses
    pool = QueryPool(kg, 1)
    try:
        assert all(w.process.__class__.__name__ == "Popen" for w in pool._all)
        assert int(pool_answer(pool, COUNT, timeout=60, max_rows=10)[0].rows[0][0]) == len(kg.store)
    finally:
        pool.close()


def test_a_stopped_spawner_is_replaced_and_workers_keep_coming(
    kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A spawner stopped with SIGSTOP once blocked every worker replacement (and reload): /sparql was 503 until
    # it resumed. A fork now has a deadline; a spawner past it is killed and the worker starts anyway.
    import signal

    from westminster_kg.web import spawner

    monkeypatch.setattr(spawner, "FORK_SECONDS", 1.0)
    spawner._stop()  # a spawner of its own, started with the shorter fork deadline
    pool = QueryPool(kg, 1)
    try:
        stopped = spawner._spawner["process"]
        os.kill(stopped.pid, signal.SIGSTOP)
        with pytest.raises(QueryTimeoutError):  # its worker is killed: a new one is asked of the stopped spawner
            pool_answer(pool, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=1, max_rows=1)
        result, _ = pool_answer(pool, COUNT, timeout=120, max_rows=10)  # 120 s: a bound on a hang
        assert int(result.rows[0][0]) == len(kg.store)
        assert stopped.poll() is not None  # the stopped spawner was killed, not left behind
    finally:
        pool.close()
