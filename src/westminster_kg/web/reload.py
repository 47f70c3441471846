"""Live data: a running ``wmkg serve`` picks up ``wmkg import``, ``--drop`` and edits to the curated files.

A watcher thread compares a cheap fingerprint of the source files (each file's path, size and
modification time: no file is read) every ``interval`` seconds. When it changes, the whole graph
is loaded again off to the side: a new store, its label index and a new pool of query workers.
Only when all of that is ready does the app switch to it, in one assignment; a request that started
on the old data finishes on the old workers, which are stopped as soon as their last query ends
(``QueryPool.retire``). So a query sees the old data or the new, never half. A file that does not parse
(an edit in progress) leaves the old data serving and is tried again at the next change.

Reloads coalesce, so memory and processes do not grow with how often files change: a change is loaded
once the files have stood still for one ``interval`` (or, while they keep changing, at most every
``MAX_PENDING_CHECKS`` intervals), and never while the pool before last still answers a query — at
most two pools are ever alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from westminster_kg.errors import WmkgError

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph
    from westminster_kg.project import Project
    from westminster_kg.web.base import Site

log = logging.getLogger("westminster_kg.web")

# Stores whose data comes from the project's files (an endpoint keeps its own data).
RELOADABLE = ("oxigraph", "memory")
MAX_PENDING_CHECKS = 10  # files that never stand still are still loaded this often (in intervals)


def file_stamps(project: Project) -> tuple[tuple[str, int, int], ...]:
    """(path, size, modification time in ns) of every source file: changes when a file is written,
    added or removed, without reading any."""
    stamps = []
    for source in project.source_files():
        try:
            status = source.path.stat()
        except OSError:  # removed between the listing and the stat: the next check sees it
            continue
        stamps.append((str(source.path), status.st_size, status.st_mtime_ns))
    return tuple(stamps)


def default_loader(kg: KnowledgeGraph) -> Callable[[], KnowledgeGraph] | None:
    """How to load ``kg`` again from its project's files, or ``None`` when its store is an endpoint."""
    if kg.store.name not in RELOADABLE:
        return None
    from westminster_kg.knowledge_graph import KnowledgeGraph

    backend = "memory" if kg.store.name == "memory" else "oxigraph"
    store_dir = getattr(kg.store, "path", None)  # the on-disk store's folder (None in memory)
    return lambda: KnowledgeGraph.load(kg.project.root, backend=backend, store_dir=store_dir)


class Reloader:
    """Watches the project's files and swaps in new data, a new label index and new workers."""

    def __init__(self, web: Site, loader: Callable[[], KnowledgeGraph], interval: float = 1.0) -> None:
        self.web = web
        self.loader = loader
        self.interval = interval
        self.stamps = file_stamps(web.kg.project)
        self.generation = 0  # how many times new data was swapped in (caches may key on it)
        self.failures = 0
        self._seen: tuple | None = None  # the stamps at the last look, while a change waits to settle
        self._pending = 0  # looks since a change was first seen and not yet loaded
        self._retiring: Any = None  # the pool new data replaced, until its last query has ended
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the watcher thread (a daemon: it never keeps the process alive)."""
        self._thread = threading.Thread(target=self._run, name="wmkg-reload", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (waits for a reload in progress to finish) and close a pool still retiring."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(60)
        if self._retiring is not None:
            self._retiring.close()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the watcher must outlive any one failed reload
                log.exception("reloading the data failed; the old data keeps serving")

    def check(self, *, settle: bool = True) -> bool:
        """Reload when the files changed and have settled; whether new data was swapped in.

        Args:
            settle: wait for the files to stand still for one look (``False``: load any change now).
        """
        with self._lock:
            stamps = file_stamps(self.web.kg.project)
            if stamps == self.stamps:
                self._seen, self._pending = None, 0
                return False
            self._pending += 1
            still_changing = stamps != self._seen
            self._seen = stamps
            if settle and still_changing and self._pending < MAX_PENDING_CHECKS:
                return False  # written a moment ago: more writes may follow
            if self._retiring is not None and not self._retiring.closed:
                return False  # the pool before last still answers a query: at most two pools alive
            try:
                kg = self.loader()
                kg.resolver  # noqa: B018 - index the labels before the first request needs them
                pool = self._new_pool(kg)
            except WmkgError as exc:
                # A file mid-edit or a broken import: keep serving the old data, try at the next change.
                self.stamps = stamps
                self.failures += 1
                log.warning("the files changed but do not load (%s); the old data keeps serving", exc)
                return False
            self._swap(kg, pool)
            self.stamps, self._seen, self._pending = stamps, None, 0
            self.generation += 1
            log.info("new data is live (generation %d, %d quads)", self.generation, len(kg.store))
            return True

    def _new_pool(self, kg: KnowledgeGraph) -> Any:
        return self.web.start_pool(kg)

    def _swap(self, kg: KnowledgeGraph, pool: Any) -> None:
        # One assignment (Site.swap): a request that read the snapshot answers wholly from one side.
        old_pool = self.web.swap(kg, pool)
        if old_pool is not None:
            # Queries already on the old workers finish there; the workers stop when the last one ends.
            old_pool.retire()
            self._retiring = old_pool


__all__ = ["Reloader", "default_loader", "file_stamps"]
