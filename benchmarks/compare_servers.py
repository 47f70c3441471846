"""The stores that benchmarks/compare.py measures, each started privately on a free loopback port.

* ``wmkg serve`` (embedded Oxigraph, in memory or ``--store`` on disk), started from this checkout;
* the Oxigraph server (PyPI ``oxigraph``, the engine wmkg wraps, in the ``bench`` extra): ``oxigraph
  load`` of the N-Quads file into a folder, then ``oxigraph serve-read-only`` on it (RocksDB on disk, as
  wmkg's workers read their shared store); and ``oxigraph serve`` in memory, the file POSTed to it;
* rdflib-endpoint (PyPI ``rdflib-endpoint``, rdflib's memory store behind FastAPI), installed into its
  own virtualenv under benchmarks/out/ so it never touches the project's dependencies;
* Virtuoso 7 (Debian ``virtuoso-opensource-7``) through scripts/virtuoso.sh, bulk-loaded with the
  same N-Quads file as rdflib-endpoint;
* any SPARQL 1.1 endpoint given by URL (nothing started, no memory figure).

Every server runs in its own session so that stopping it ends exactly the processes it started.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
VIRTUOSO_SCRIPT = REPO / "scripts" / "virtuoso.sh"
RDFLIB_ENDPOINT_VERSION = "0.6.3"
RDFLIB_ENDPOINT_VENV = OUT / "rdflib-endpoint-venv"
ASK_ANYTHING = "ASK {}"


def ask_url(sparql: str) -> str:
    """A GET of the smallest query, to poll an endpoint until it answers."""
    return sparql + ("&" if "?" in sparql else "?") + "query=" + quote(ASK_ANYTHING)


class StoreError(RuntimeError):
    """A store could not be started or loaded; the message says which and why."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc, so no extra dependency)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in field 2 may contain spaces and parentheses: split after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _status_kb(pid: int, field: str) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) if match else None


def tree_memory_mb(pid: int | None) -> dict[str, float | int] | None:
    """Peak (VmHWM) and current (VmRSS) resident memory of ``pid`` and all its descendants, summed.

    The sum of per-process peaks is an upper bound of the tree's simultaneous peak; for a server whose
    query workers load the store once and then hold it, the two are the same.
    """
    if pid is None:
        return None
    pids = [pid, *_children(pid)]
    peaks = [_status_kb(p, "VmHWM") for p in pids]
    current = [_status_kb(p, "VmRSS") for p in pids]
    if peaks[0] is None:
        return None
    return {
        "peak_mb": sum(v for v in peaks if v) / 1024,
        "rss_mb": sum(v for v in current if v) / 1024,
        "processes": len([v for v in peaks if v]),
    }


def wait_until_answers(url: str, process: subprocess.Popen | None, what: str, timeout: float) -> None:
    """Poll ``url`` with a SPARQL ASK (or a plain GET) until it answers 200; fail clearly otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StoreError(f"{what} exited with status {process.returncode} while starting")
        try:
            status = httpx.get(url, timeout=2).status_code
        except httpx.HTTPError:
            status = None
        if status == 200:
            return
        if status is not None and 400 <= status < 500:
            # Listening, but this is not its SPARQL endpoint: waiting longer will not help.
            raise StoreError(f"{what} answered {status} on {url}")
        time.sleep(0.25)
    raise StoreError(f"{what} did not answer on {url} within {timeout:g} s")


class Server:
    """One store under test: its name, SPARQL URL, base URL (for wmkg's own pages) and process."""

    name = "?"
    kind = "?"

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.pid: int | None = None
        self.base = ""
        self.sparql = ""
        self.start_s: float | None = None
        self.load_s: float | None = None
        self.version = ""
        self.command = ""
        self.log: Path | None = None  # the server's output; uvicorn's access lines carry each status

    def log_offset(self) -> int:
        """Where the server's log ends now (read the statuses after it with ``statuses_since``)."""
        return self.log.stat().st_size if self.log is not None and self.log.exists() else 0

    def statuses_since(self, offset: int) -> dict[str, int] | None:
        """Responses by HTTP status logged after ``offset`` (uvicorn's access log), or None without a log."""
        if self.log is None or not self.log.exists():
            return None
        with self.log.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
        counts: dict[str, int] = {}
        for status in re.findall(r'HTTP/1\.[01]" (\d{3})', text):
            counts[status] = counts.get(status, 0) + 1
        return counts

    def memory(self) -> dict[str, float | int] | None:
        """The server's memory, or None when it is not ours to measure."""
        return tree_memory_mb(self.pid)

    def _spawn(self, command: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        with log.open("wb") as handle:
            # A new session: stop() signals this process group and nothing else.
            self.process = subprocess.Popen(
                command,
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=env,
                cwd=REPO,
            )
        self.pid = self.process.pid

    def _wait(self, what: str, timeout: float) -> None:
        """Wait until the spawned server answers; if it never does, end it before saying so."""
        try:
            wait_until_answers(ask_url(self.sparql), self.process, what, timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """End the server's own process group and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


class Wmkg(Server):
    """``wmkg serve`` from this checkout."""

    name = "wmkg"
    kind = "wmkg serve (Oxigraph)"

    def __init__(self, root: Path | None, store: Path | None, workers: int | None, timeout: float) -> None:
        super().__init__()
        wmkg = Path(sys.executable).with_name("wmkg")
        if not wmkg.exists():
            raise StoreError(f"{wmkg} not found: pip install -e . in this checkout first")
        port = free_port()
        command = [str(wmkg)]
        if root is not None:
            command += ["--root", str(root)]
        if store is not None:
            command += ["--store", str(store)]
        command += ["serve", "--host", "127.0.0.1", "--port", str(port)]
        if workers is not None:
            command += ["--workers", str(workers)]
        started = time.perf_counter()
        self._spawn(command, OUT / "logs" / f"wmkg-serve-workers-{workers or 'default'}.log")
        self.base = f"http://127.0.0.1:{port}"
        self.sparql = self.base + "/sparql"
        self._wait("wmkg serve", timeout)
        self.start_s = time.perf_counter() - started
        self.command = subprocess.list2cmdline(command)
        self.version = "this checkout"


class OxigraphServer(Server):
    """The Oxigraph server on the N-Quads file, on disk or in memory.

    On disk (``name`` "oxigraph"): ``oxigraph load --location DIR --file FILE``, then ``oxigraph
    serve-read-only --location DIR`` (RocksDB, as ``wmkg serve``'s workers read their shared store). In
    memory ("oxigraph-memory"): ``oxigraph serve`` with no location, loaded by a POST of the file to its
    Graph Store endpoint ``/store``. Both with ``--union-default-graph``: a query without ``GRAPH`` or
    ``FROM`` reads every graph, as it does in ``wmkg serve``, Virtuoso and rdflib-endpoint.
    """

    name = "oxigraph"
    kind = "Oxigraph server"

    def __init__(self, nquads: Path, folder: Path, timeout: float, *, memory: bool = False) -> None:
        super().__init__()
        executable = oxigraph_executable()
        self.folder = folder
        self.name = "oxigraph-memory" if memory else "oxigraph"
        shutil.rmtree(folder, ignore_errors=True)
        if not memory:
            self._load(executable, nquads, folder, timeout)
        port = free_port()
        where = ["serve"] if memory else ["serve-read-only", "--location", str(folder)]
        command = [executable, *where, "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        started = time.perf_counter()
        self._spawn(command, OUT / "logs" / f"{self.name}-server.log")
        self.base = f"http://127.0.0.1:{port}"
        self.sparql = self.base + "/query"
        self._wait("the Oxigraph server", timeout)
        self.start_s = time.perf_counter() - started
        shown = subprocess.list2cmdline([Path(executable).name, *command[1:]])
        if memory:
            self._post(nquads, timeout)
            self.command = f"{shown} + POST {nquads.name} to /store (application/n-quads)"
        else:
            self.command = f"oxigraph load --location {folder.name} --file {nquads.name} && {shown}"
        version = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout.split()
        self.version = version[-1] if version else "?"
        self.kind = f"Oxigraph server {self.version}" + (", in memory" if memory else "")

    def _load(self, executable: str, nquads: Path, folder: Path, timeout: float) -> None:
        started = time.perf_counter()
        loaded = subprocess.run(
            [executable, "load", "--location", str(folder), "--file", str(nquads)],
            capture_output=True,
            text=True,
            timeout=max(timeout, 3600),
        )
        self.load_s = time.perf_counter() - started
        if loaded.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            last = (loaded.stderr or loaded.stdout).strip().splitlines()[-1:] or ["no output"]
            raise StoreError(f"oxigraph load failed: {last[0]}")

    def _post(self, nquads: Path, timeout: float) -> None:
        started = time.perf_counter()
        try:
            with nquads.open("rb") as data:
                response = httpx.post(
                    self.base + "/store",
                    content=data,
                    headers={"Content-Type": "application/n-quads"},
                    timeout=max(timeout, 3600),
                )
        except httpx.HTTPError as exc:
            self.stop()
            raise StoreError(f"loading the Oxigraph server failed: {type(exc).__name__}: {exc}") from None
        self.load_s = time.perf_counter() - started
        if response.status_code >= 300:
            self.stop()
            raise StoreError(f"the Oxigraph server refused the data: {response.status_code} {response.text[:200]}")

    def stop(self) -> None:
        """End the server, then remove its database folder (if it had one)."""
        super().stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def oxigraph_executable() -> str:
    """The ``oxigraph`` command beside this Python (the ``bench`` extra installs it), or on the PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise StoreError("oxigraph not found: pip install -e '.[bench]' (PyPI package oxigraph)")
    return found


def ensure_rdflib_endpoint() -> Path:
    """The ``rdflib-endpoint`` executable from its own virtualenv under benchmarks/out/ (made once)."""
    executable = RDFLIB_ENDPOINT_VENV / "bin" / "rdflib-endpoint"
    if executable.exists():
        return executable
    print(f"installing rdflib-endpoint {RDFLIB_ENDPOINT_VERSION} into {RDFLIB_ENDPOINT_VENV} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(RDFLIB_ENDPOINT_VENV)], check=True)
    done = subprocess.run(
        [
            str(RDFLIB_ENDPOINT_VENV / "bin" / "pip"),
            "install",
            "-q",
            f"rdflib-endpoint[cli]=={RDFLIB_ENDPOINT_VERSION}",
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not executable.exists():
        raise StoreError(f"could not install rdflib-endpoint: {done.stderr.strip().splitlines()[-1:]}")
    return executable


class RdflibEndpoint(Server):
    """rdflib-endpoint serving the N-Quads file from rdflib's memory store (``Dataset(default_union=True)``)."""

    name = "rdflib-endpoint"
    kind = f"rdflib-endpoint {RDFLIB_ENDPOINT_VERSION}"

    def __init__(self, nquads: Path, timeout: float) -> None:
        super().__init__()
        executable = ensure_rdflib_endpoint()
        port = free_port()
        command = [str(executable), "serve", str(nquads), "--host", "127.0.0.1", "--port", str(port)]
        started = time.perf_counter()
        self._spawn(command, OUT / "logs" / "rdflib-endpoint.log")
        self.base = f"http://127.0.0.1:{port}"
        self.sparql = self.base + "/"  # `rdflib-endpoint serve` answers SPARQL at the root
        self._wait("rdflib-endpoint", timeout)
        self.start_s = self.load_s = time.perf_counter() - started
        self.command = subprocess.list2cmdline(command)
        self.version = RDFLIB_ENDPOINT_VERSION


class Virtuoso(Server):
    """A private Virtuoso 7 (scripts/virtuoso.sh), bulk-loaded from the N-Quads file with ``ld_dir``."""

    name = "virtuoso"
    kind = "Virtuoso 7"

    def __init__(self, nquads: Path, folder: Path, buffers: int, timeout: float) -> None:
        super().__init__()
        if shutil.which("virtuoso-t") is None:
            raise StoreError("virtuoso-t not found: apt-get install -y virtuoso-opensource-7")
        self.folder = folder
        shutil.rmtree(folder, ignore_errors=True)
        try:
            self._start_and_load(nquads, folder, buffers, timeout)
        except BaseException:
            self.stop()  # a server that started but could not load is ended, not left behind
            raise
        version = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True)
        match = re.search(r"Version (\S+)", version.stdout + version.stderr)
        self.version = match.group(1) if match else "7"
        self.kind = f"Virtuoso {self.version.split('-')[0]}"
        self.command = f"scripts/virtuoso.sh start (NumberOfBuffers={buffers}) + isql ld_dir/rdf_loader_run"

    def _start_and_load(self, nquads: Path, folder: Path, buffers: int, timeout: float) -> None:
        env = {**os.environ, "VIRTUOSO_BUFFERS": str(buffers)}
        started = time.perf_counter()
        done = subprocess.run(
            ["bash", str(VIRTUOSO_SCRIPT), "start", str(folder)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise StoreError(f"Virtuoso did not start: {done.stderr.strip()}")
        self.start_s = time.perf_counter() - started
        self.urls = dict(line.split("=", 1) for line in done.stdout.split())
        self.pid = int(self.urls["VIRTUOSO_PID"])
        self.sparql = self.urls["VIRTUOSO_SPARQL"]
        self.base = self.sparql.rsplit("/", 1)[0]
        # The bulk loader reads from a folder named in DirsAllowed; the graph argument is only the
        # fallback for triples, N-Quads name their own graphs.
        load_dir = folder / "load"
        load_dir.mkdir(parents=True, exist_ok=True)
        staged = load_dir / "data.nq"
        shutil.copyfile(nquads, staged)
        started = time.perf_counter()
        script = (
            f"ld_dir('{load_dir}', 'data.nq', 'urn:wmkg:bench:default'); rdf_loader_run(); checkpoint; "
            "SELECT ll_state, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;"
        )
        loaded = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.urls['VIRTUOSO_ISQL_PORT']}", "dba", "dba", f"exec={script}"],
            capture_output=True,
            text=True,
            timeout=max(timeout, 3600),
        )
        self.load_s = time.perf_counter() - started
        staged.unlink()
        if loaded.returncode != 0 or "Error" in loaded.stdout:
            raise StoreError(f"Virtuoso bulk load failed: {(loaded.stdout + loaded.stderr).strip()[-300:]}")

    def stop(self) -> None:
        """Stop the server by its pid (scripts/virtuoso.sh stop) and remove its database."""
        subprocess.run(["bash", str(VIRTUOSO_SCRIPT), "stop", str(self.folder)], capture_output=True, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)


class External(Server):
    """Any SPARQL 1.1 endpoint given by URL: nothing started, nothing stopped, memory not measured."""

    kind = "external endpoint"

    def __init__(self, url: str, name: str) -> None:
        super().__init__()
        self.name = name
        self.sparql = url
        self.base = url
        self.version = url
        self.command = url
        wait_until_answers(ask_url(url), None, url, 30)

    def memory(self) -> None:
        return None
