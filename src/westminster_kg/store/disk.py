"""The on-disk Oxigraph store (``wmkg --store DIR``): parse once, reopen in milliseconds.

The folder holds generations of one store and a pointer to the live one::

    DIR/active                 symlink → store-<id>      (replaced atomically by rename)
    DIR/store-<id>/            an Oxigraph (RocksDB) folder
    DIR/store-<id>.json        what it was built from: fingerprint, pyoxigraph version, build time
    DIR/.build-<pid>-<token>/  a rebuild in progress (removed when its process is gone)

A rebuild is written into a fresh ``.build-*`` folder and only becomes live when the ``active``
symlink is swapped by ``os.replace`` (atomic on POSIX), so a process killed mid-rebuild leaves the
previous generation intact and openable. The live generation is opened read-only: several
processes (the web app and a CLI call) can share it, and nothing a query does can change it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from westminster_kg.errors import InputError, StoreError
from westminster_kg.kept_store import ACTIVE, METADATA_VERSION, built_from, generation_metadata, live_generation
from westminster_kg.project import Project, SourceFile
from westminster_kg.store import Quad, QueryResult
from westminster_kg.store.oxigraph import OX_FORMATS, OxigraphStore

LOCK = ".lock"  # held by the one process building a generation
BULK_LOAD_BYTES = 8 * 1024 * 1024


def sources_fingerprint(sources: list[SourceFile], project: Project | None) -> str:
    """The project's fingerprint when ``sources`` are all its files, else the same hash over them."""
    if project is not None and sources == project.source_files():
        return project.fingerprint()
    digest = hashlib.sha256()
    for source in sources:
        name = project.relative(source.path) if project else str(source.path)
        digest.update(name.encode())
        digest.update(b"\0" + source.graph.encode() + b"\0")
        digest.update(source.path.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def _exclusive(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on ``path`` (created if missing), released on exit or when the process dies;
    yields whether it is held (``wait=False`` gives up at once when another process holds it)."""
    import fcntl

    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process: leave its folder alone
        return True
    return True


class PersistentOxigraphStore:
    """An Oxigraph store kept in ``path``, rebuilt only when the source files change.

    Attributes:
        rebuilt: whether the last ``load`` parsed the files (``False`` when the store was current).
        builds: how many times this object parsed files (a load counter for tests).
    """

    name = "oxigraph"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the store folder: {exc.strerror}") from exc
        self._check_folder()
        with _exclusive(self.path / LOCK, wait=False) as held:
            if held:  # else another process is building: its .build- and .active- are not abandoned
                self._remove_abandoned_builds()
        self.rebuilt = False
        self.builds = 0
        self._inner: OxigraphStore | None = None
        self._open_active()

    # --- the folder ----------------------------------------------------------------------------

    def _check_folder(self) -> None:
        """Refuse a folder that holds something else: a rebuild deletes generations it finds."""
        ours = (ACTIVE, "store-", ".build-", ".active-", LOCK)
        strangers = [p.name for p in self.path.iterdir() if not p.name.startswith(ours)]
        if strangers:
            raise StoreError(
                f"{self.path}: not a wmkg store folder (it holds {', '.join(sorted(strangers)[:3])}); "
                "give an empty or new folder"
            )

    def _remove_abandoned_builds(self) -> None:
        for build in self.path.glob(".build-*"):
            pid = build.name.split("-")[1]
            if not pid.isdigit() or not _process_alive(int(pid)):
                shutil.rmtree(build, ignore_errors=True)
        for link in self.path.glob(".active-*"):
            with contextlib.suppress(OSError):
                link.unlink()

    @property
    def generation(self) -> str | None:
        """The folder name of the live generation, or ``None`` before the first build."""
        return live_generation(self.path)

    @property
    def metadata(self) -> dict[str, Any]:
        """What the live generation was built from (empty before the first build)."""
        return generation_metadata(self.path)

    def _open_active(self) -> None:
        self._inner = None
        generation = self.generation
        if generation is not None:
            self._inner = OxigraphStore(self.path / generation, read_only=True)

    def is_current(self, fingerprint: str) -> bool:
        """Whether the live generation was built from exactly these files by this pyoxigraph."""
        return self._inner is not None and built_from(self.metadata, fingerprint)

    # --- loading -------------------------------------------------------------------------------

    def load(self, sources: Iterable[SourceFile], project: Project | None = None) -> None:
        """Reuse the store when the files are unchanged; otherwise rebuild it and swap it in."""
        sources = list(sources)
        fingerprint = sources_fingerprint(sources, project)
        if self.is_current(fingerprint):
            self.rebuilt = False
            return
        # One builder at a time: processes started together (a script running several `wmkg query`)
        # would otherwise each build a generation and delete the one another had just opened.
        with _exclusive(self.path / LOCK):
            self._open_active()
            if self.is_current(fingerprint):  # built by the process we waited for
                self.rebuilt = False
                return
            self._remove_abandoned_builds()
            self._rebuild(sources, project, fingerprint)
        self.rebuilt = True
        self.builds += 1

    def _rebuild(self, sources: list[SourceFile], project: Project | None, fingerprint: str) -> None:
        token = secrets.token_hex(4)
        build = self.path / f".build-{os.getpid()}-{token}"
        started = time.time()
        try:
            store = ox.Store(str(build))
            # bulk_load costs ~0.1 s a call however small the file: small files are parsed in
            # memory and written in one bulk_extend, big ones stream straight to disk.
            small = ox.Store()
            for source in sources:
                big = source.path.stat().st_size > BULK_LOAD_BYTES
                _parse_into(store if big else small, source, project, bulk=big)
            store.bulk_extend(small)
            del small
            store.optimize()
            store.flush()
            quads = len(store)
            del store  # closes RocksDB before the folder is renamed
            generation = f"store-{time.strftime('%Y%m%dT%H%M%S')}-{token}"
            meta = {
                "format": METADATA_VERSION,
                "fingerprint": fingerprint,
                "pyoxigraph": ox.__version__,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "build_seconds": round(time.time() - started, 3),
                "quads": quads,
                "files": len(sources),
            }
            (self.path / f"{generation}.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
            build.rename(self.path / generation)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        previous = self.generation
        # A new symlink under a temporary name, then rename over `active`: readers see either the
        # old generation or the new one, never a missing or half-written pointer.
        pointer = self.path / f".active-{token}"
        pointer.symlink_to(generation)
        os.replace(pointer, self.path / ACTIVE)
        self._open_active()
        self._remove_old_generations(keep={generation, previous})

    def _remove_old_generations(self, keep: set[str | None]) -> None:
        # The generation just replaced is kept: another process may still be reading it.
        for folder in self.path.glob("store-*"):
            if folder.is_dir() and folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)
                with contextlib.suppress(OSError):
                    (self.path / f"{folder.name}.json").unlink()

    # --- the Store interface -------------------------------------------------------------------

    def _live(self) -> OxigraphStore:
        if self._inner is None:
            raise StoreError(f"{self.path}: the store is empty: load the project first")
        return self._inner

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """Answer a query over the union of graphs (``prefixes``: see ``Store.query``)."""
        return self._live().query(sparql, prefixes=prefixes)

    def quads(self) -> Iterator[Quad]:
        """Every quad as rdflib terms."""
        return self._live().quads()

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph from the live generation (the next ``load`` rebuilds)."""
        generation = self.generation
        if generation is None:
            return
        self._inner = None  # release the read-only handle before opening read-write
        writable = OxigraphStore(self.path / generation)
        writable.drop_graph(graph)
        writable.store.flush()
        del writable
        meta_path = self.path / f"{generation}.json"
        meta = self.metadata
        meta["fingerprint"] = "changed-after-build"
        meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        self._open_active()

    def __len__(self) -> int:
        return 0 if self._inner is None else len(self._inner)


def _parse_into(store: Any, source: SourceFile, project: Project | None, *, bulk: bool) -> None:
    """Parse one file into ``store`` (a failed build is thrown away whole, so no staging needed)."""
    name = project.relative(source.path) if project else str(source.path)
    load = store.bulk_load if bulk else store.load
    try:
        load(path=str(source.path), format=OX_FORMATS[source.format], to_graph=ox.NamedNode(source.graph))
    except SyntaxError as exc:
        line = exc.args[1][1] if len(exc.args) > 1 and exc.args[1] else None
        where = f"{name}:{line}" if line else name
        raise InputError(f"{where}: {exc.args[0]}") from exc
    except OSError as exc:
        raise InputError(f"{name}: {exc}") from exc
