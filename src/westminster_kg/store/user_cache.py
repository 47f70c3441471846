"""A store kept in the user's cache folder, so a CLI call reopens the data instead of parsing it.

``wmkg query`` opens the on-disk store of ``westminster_kg.store.disk`` in
``$XDG_CACHE_HOME/westminster-kg/stores/<fingerprint>/`` (``~/.cache`` without the variable): the
folder is named by the SHA-256 of the source files, so edited files get a new folder, built
atomically by the disk store, and two checkouts with the same files share one. Folders not used for
a day are removed, beyond the most recent few. When no cache folder can be made (a read-only home),
the caller falls back to parsing in memory: the cache only ever saves time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

from westminster_kg.kept_store import APP_NAME, cache_home, user_store_folder  # noqa: F401 - re-exported
from westminster_kg.project import Project

KEEP = 8  # most recently used stores always kept
IDLE_SECONDS = 24 * 3600  # older ones go once unused this long (another process may be reading one)


def cached_store_dir(project: Project) -> Path | None:
    """The store folder for ``project``'s files as they are now, or ``None`` when none can be made."""
    folder = user_store_folder(project.fingerprint())
    stores = folder.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)  # marks it used: pruning goes by modification time
    except OSError:
        return None
    _prune(stores, keep=folder)
    return folder


def _prune(stores: Path, keep: Path) -> None:
    try:
        folders = sorted((p for p in stores.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    now = time.time()
    for folder in folders[KEEP:]:
        with contextlib.suppress(OSError):
            if folder != keep and now - folder.stat().st_mtime > IDLE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)


__all__ = ["cache_home", "cached_store_dir"]
