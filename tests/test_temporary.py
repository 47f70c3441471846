"""Temporary stores leave nothing in TMPDIR (issue 23 item 9): removed on every exit path a process
has, and a killed process's removed by the next start, only when its owner is provably gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from support import DATA, make_project, wmkg

from westminster_kg.store.temporary import TemporaryFolder, process_start, remove_abandoned, temporary_folder

PATIENCE = 300  # seconds: bounds on hangs, never measures of speed


def ours(tmp: Path, kind: str = "") -> list[Path]:
    return sorted(tmp.glob(f"wmkg-{kind}*"))


def dead_pid() -> int:
    """The PID of a process that has ended (and been reaped)."""
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def test_a_folder_is_removed_when_its_block_ends_however_it_ends(tmp_path: Path) -> None:
    with temporary_folder("import", tmp_path) as folder:
        (folder / "data").write_text("x")
        assert folder.is_dir() and folder.name.startswith(f"wmkg-import-{os.getpid()}-")
    assert not folder.exists()
    with pytest.raises(RuntimeError), temporary_folder("import", tmp_path) as folder:
        raise RuntimeError
    assert not folder.exists()


def test_only_folders_whose_owner_is_provably_gone_are_removed(tmp_path: Path) -> None:
    alive = TemporaryFolder("serve", tmp_path)
    gone = tmp_path / f"wmkg-import-{dead_pid()}-1-00ff"
    reused = (
        tmp_path / f"wmkg-serve-{os.getpid()}-{(process_start(os.getpid()) or 0) + 1}-00ff"
    )  # our PID, another start
    unknown = tmp_path / "wmkg-import-k3y_x8l1"  # tempfile's naming, from before: its owner cannot be told
    stranger = tmp_path / "someone-elses"
    for folder in (gone, reused, unknown, stranger):
        folder.mkdir()
    removed = remove_abandoned(tmp_path)
    assert sorted(removed) == sorted([gone, reused])
    assert alive.path.is_dir() and unknown.is_dir() and stranger.is_dir()
    alive.cleanup()
    assert not alive.path.exists()


def _wmkg(tmp: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.Popen(
        [sys.executable, "-m", "westminster_kg.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A run started in the background (nohup, `cmd &`) ignores SIGINT, and an ignored signal is
        # inherited and kept ignored (as it should be): the command is given SIGINT's default back.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_folder(tmp: Path, kind: str, process: subprocess.Popen) -> Path:
    deadline = time.monotonic() + PATIENCE
    while not (found := ours(tmp, kind)):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the command never made its temporary store"
        time.sleep(0.01)
    return found[0]


@pytest.fixture(scope="module")
def big_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An N-Triples file big enough to take a moment to read, written once for the module (only read)."""
    data = tmp_path_factory.mktemp("big") / "big.nt"
    data.write_text(
        "".join(f'<http://example.org/r{i}> <http://example.org/p> "value number {i}" .\n' for i in range(400_000)),
        encoding="utf-8",
    )
    return data


@pytest.fixture
def big_import(tmp_path: Path, big_data: Path) -> tuple[Path, Path, Path]:
    """A project, a private TMPDIR, and the module's big N-Triples file."""
    root = make_project(tmp_path / "root", DATA / "valid" / "slice.ttl")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return root, tmp, big_data


@pytest.mark.slow  # imports in subprocesses
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_a_stopped_import_removes_its_temporary_store(big_import: tuple[Path, Path, Path], how: str) -> None:
    root, tmp, data = big_import
    process = _wmkg(tmp, "--root", str(root), "import", str(data), "--graph", "big")
    _wait_for_folder(tmp, "import", process)
    os.kill(process.pid, getattr(signal, how))
    _, stderr = process.communicate(timeout=PATIENCE)
    assert process.returncode != 0 and "Traceback" not in stderr, (process.returncode, stderr)
    assert not ours(tmp) and not (root / "imports" / "big.nq").exists(), (ours(tmp), stderr)


@pytest.mark.slow  # imports and a server in subprocesses
@pytest.mark.parametrize("kind", ["import", "serve"])
def test_a_killed_processs_store_is_removed_by_the_next_import(
    big_import: tuple[Path, Path, Path], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, tmp, data = big_import
    if kind == "import":
        process = _wmkg(tmp, "--root", str(root), "import", str(data), "--graph", "big")
    else:
        process = _wmkg(tmp, "--root", str(root), "serve", "--port", "0", "--workers", "1")
    left = _wait_for_folder(tmp, kind, process)
    os.killpg(process.pid, signal.SIGKILL)  # the whole session: a server's workers too
    process.communicate(timeout=PATIENCE)
    assert left.is_dir()  # SIGKILL runs no clean-up
    small = root.parent / "small.nt"
    small.write_text('<http://example.org/a> <http://example.org/p> "a" .\n', encoding="utf-8")
    # The next import in this process (support.cli), with the same TMPDIR: it cleans up as it starts.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    done = wmkg("--root", str(root), "import", str(small), "--graph", "small")
    assert done.returncode == 0, done.stderr
    assert not ours(tmp)  # the killed process's store and the new import's own, both gone
