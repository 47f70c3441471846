"""Where kept Oxigraph stores live and which generation of one is live: read without rdflib.

A store folder (``wmkg --store DIR``, or the one ``wmkg query`` keeps in the user's cache folder) holds
generations ``store-<id>/``, each with ``store-<id>.json`` saying what it was built from, and a symlink
``active`` to the live one (``westminster_kg.store.disk`` builds them). These few functions read that
layout, for the disk store and for ``westminster_kg.quick``, which answers a cold ``wmkg query`` from
the kept store without importing rdflib.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ACTIVE = "active"  # the symlink to the live generation
METADATA_VERSION = 1
APP_NAME = "westminster-kg"


def cache_home() -> Path:
    """The platform's user cache folder for westminster-kg (XDG on Linux, as platformdirs would say)."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / APP_NAME


def user_store_folder(fingerprint: str) -> Path:
    """The kept store for files with this fingerprint (the folder may not exist yet)."""
    return cache_home() / "stores" / fingerprint[:32]


def live_generation(folder: Path) -> str | None:
    """The folder name of the live generation in ``folder``, or ``None`` before the first build."""
    active = folder / ACTIVE
    if not active.is_symlink():
        return None
    target = os.readlink(active)
    return target if (folder / target).is_dir() else None


def generation_metadata(folder: Path) -> dict[str, Any]:
    """What the live generation was built from (empty before the first build or when unreadable)."""
    generation = live_generation(folder)
    if generation is None:
        return {}
    try:
        return json.loads((folder / f"{generation}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # unreadable metadata only costs a rebuild


def built_from(metadata: dict[str, Any], fingerprint: str) -> bool:
    """Whether a generation with this metadata was built from exactly these files by this pyoxigraph."""
    import pyoxigraph as ox

    return (
        metadata.get("fingerprint") == fingerprint
        and metadata.get("pyoxigraph") == ox.__version__
        and metadata.get("format") == METADATA_VERSION
    )


__all__ = [
    "ACTIVE",
    "APP_NAME",
    "METADATA_VERSION",
    "built_from",
    "cache_home",
    "generation_metadata",
    "live_generation",
    "user_store_folder",
]
