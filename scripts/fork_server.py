"""A pytest run forked from a process that has imported the test suite's libraries once.

A pytest run starts by importing pytest and its plugins, hypothesis, rdflib, pyoxigraph, pyshacl,
starlette, jinja2 ... (two to three seconds of CPU) before it runs its first test. A mutation script
runs pytest dozens of times in the same scratch copy, so each copy gets one server: a process that
imports those third-party libraries once (``PRELOAD``), then, for each request, forks a child that goes
into the copy and runs ``pytest.main`` there. Nothing of the project is imported in the server (it
checks: ``assert_no_project_module``): ``westminster_kg``, ``conftest``, ``support`` and the test
modules are imported by each child afresh, from the copy's files as they are at that moment (with the
copy's ``src/`` ahead of the installed package when asked), so every child sees its mutant.

The server reads one JSON request a line on stdin (``{"cwd", "args", "src", "output"}``), writes the
child's stdout and stderr to ``output`` and answers one JSON line on stdout (``{"code": EXIT}``); it
ends at the end of its stdin. ``scripts/scratch_runs.py`` starts one per copy, in a process group of its
own, so killing the group ends the server, its child and whatever the child started.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from pathlib import Path

# The costly third-party imports of the tests the mutation scripts run (none of them the project's).
PRELOAD = (
    "pytest",
    "_pytest.python",
    "_pytest.fixtures",
    "_pytest.terminal",
    "_pytest.tmpdir",
    "_pytest.monkeypatch",
    "_pytest.pytester",
    "xdist.plugin",
    "xdist.looponfail",
    "hypothesis",
    "hypothesis.strategies",
    "_hypothesis_pytestplugin",
    "rdflib",
    "rdflib.plugins.sparql",
    "rdflib.plugins.sparql.processor",
    "rdflib.plugins.parsers.notation3",
    "rdflib.plugins.parsers.ntriples",
    "rdflib.plugins.parsers.trig",
    "rdflib.plugins.parsers.jsonld",
    "rdflib.plugins.serializers.turtle",
    "rdflib.plugins.serializers.nt",
    "rdflib.plugins.serializers.trig",
    "rdflib.plugins.serializers.xmlwriter",
    "rdflib.plugins.serializers.rdfxml",
    "rdflib.plugins.serializers.jsonld",
    "rdflib.plugins.stores.memory",
    "pyoxigraph",
    "pyshacl",
    "starlette.applications",
    "starlette.routing",
    "starlette.responses",
    "starlette.requests",
    "starlette.middleware",
    "starlette.staticfiles",
    "starlette.templating",
    "jinja2",
    "markupsafe",
    "httpx",
    "anyio",
    "uvicorn",
    "uvicorn.config",
    "uvicorn.server",
    "typer",
    "typer.main",
    "typer.testing",
    "click",
    "rich.console",
    "rich.markdown",
    "rich.table",
    "markdown_it",
    "pygments",
    "networkx",
    "numpy",
    "pyvis.network",
    "yaml",
    "playwright.sync_api",
    "html5rdf",
)

# What belongs to the project: imported by each child, from its copy, never by the server.
PROJECT = ("westminster_kg", "conftest", "support")


def preload() -> None:
    """Import ``PRELOAD`` (a library that is not installed is left to the child, which will say so)."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def assert_no_project_module(roots: list[Path]) -> None:
    """Nothing of the project is imported here: no module of ``PROJECT``, no test module, no file under ``roots``."""
    for name, module in list(sys.modules.items()):
        top = name.split(".")[0]
        assert top not in PROJECT and not top.startswith("test_"), f"the fork server imported {name}"
        path = getattr(module, "__file__", None)
        if path:
            assert not any(Path(path).resolve().is_relative_to(root) for root in roots), f"imported {path}"


def run(request: dict) -> int:
    """Fork a child that runs ``pytest.main(args)`` in ``cwd`` with its output in ``output``; its exit status."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            sys.stdout = sys.__stdout__  # fd 1, the output file from here on (the server's answers went there)
            os.chdir(request["cwd"])
            output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(output, 1)
            os.dup2(output, 2)
            os.close(output)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            if request["src"]:  # the copy's package, ahead of the installed one, here and in subprocesses
                src = os.path.join(request["cwd"], "src")
                sys.path.insert(0, src)
                os.environ["PYTHONPATH"] = src + os.pathsep + os.environ.get("PYTHONPATH", "")
            import pytest

            code = int(pytest.main(list(request["args"])))
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main() -> int:
    """Serve requests from stdin until it closes."""
    preload()
    assert_no_project_module([Path(p).resolve() for p in sys.argv[1:]])
    reply = sys.stdout
    sys.stdout = sys.stderr  # whatever a library prints goes to stderr, never into the answers
    print(json.dumps({"ready": True}), file=reply, flush=True)
    for line in sys.stdin:
        print(json.dumps({"code": run(json.loads(line))}), file=reply, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
