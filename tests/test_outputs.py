"""`-o` writes what the user meant (issue 12 item 4): through symlinks, never over devices, FIFOs or
directories, keeping the file's mode, never creating folders; one line and a non-zero exit otherwise."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from rdflib import Dataset
from support import run_wmkg

from westminster_kg.errors import InputError
from westminster_kg.turtle import write_atomically


def export(root: Path, target: Path | str):  # noqa: ANN201 - a CompletedProcess
    return run_wmkg("--root", str(root), "export", "--format", "nt", "-o", str(target))


def assert_one_line_refusal(done, *words: str) -> None:  # noqa: ANN001 - a CompletedProcess
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for word in words:
        assert word in done.stderr


@pytest.mark.slow  # the CLI in a subprocess
def test_a_symlink_is_written_through(mini_root: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.nt"
    real.write_text("old\n")
    link = tmp_path / "link.nt"
    link.symlink_to(real)
    done = export(mini_root, link)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    written = real.read_text()
    assert not written.startswith("old") and len(Dataset().parse(data=written, format="nquads")) > 0


@pytest.mark.slow  # the CLI in a subprocess
def test_a_device_is_refused_and_stays_a_device(mini_root: Path) -> None:
    assert_one_line_refusal(export(mini_root, "/dev/null"), "/dev/null", "device")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.slow  # the CLI in a subprocess
def test_a_fifo_is_refused(mini_root: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert_one_line_refusal(export(mini_root, fifo), "FIFO")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.slow  # the CLI in a subprocess
def test_a_directory_is_refused(mini_root: Path, tmp_path: Path) -> None:
    assert_one_line_refusal(export(mini_root, tmp_path), "directory")


@pytest.mark.slow  # the CLI in a subprocess
def test_a_missing_folder_is_not_created(mini_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.nt"
    assert_one_line_refusal(export(mini_root, target), "does not exist")
    assert not (tmp_path / "no").exists()


def test_an_existing_file_keeps_its_mode_and_a_new_one_is_0644(tmp_path: Path) -> None:
    private = tmp_path / "private.nt"
    private.write_text("old\n")
    private.chmod(0o600)
    write_atomically(private, b"new\n")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and private.read_bytes() == b"new\n"
    shared = tmp_path / "shared.nt"
    shared.write_text("old\n")
    shared.chmod(0o664)
    write_atomically(shared, b"new\n")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    old_umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.nt"
        write_atomically(fresh, b"new\n")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    finally:
        os.umask(old_umask)


def test_the_project_may_create_its_own_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        write_atomically(tmp_path / "imports" / "a.nq", b"x")
    write_atomically(tmp_path / "imports" / "a.nq", b"x", create_parents=True)
    assert (tmp_path / "imports" / "a.nq").read_bytes() == b"x"
