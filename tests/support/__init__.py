"""What the test modules share (imported as ``support``; tests/ is on ``sys.path``): the checkout and
small projects, the CLI as a process or in process, the app in process or on loopback, servers that
stand in for other sites, Chromium (``support.browser``) and the surface oracle (``support.oracle``).

Test modules import helpers from here, never from one another.
"""

from support.app import InProcessApp, app_in_process
from support.cli import run_wmkg, wmkg
from support.project import DATA, REPO, TESTS, make_project
from support.recorder import Recording, recording_server
from support.servers import RunningServer, free_port, http_server_on_loopback, pool_answer, serving, start_server

__all__ = [
    "DATA",
    "REPO",
    "TESTS",
    "InProcessApp",
    "Recording",
    "RunningServer",
    "app_in_process",
    "free_port",
    "http_server_on_loopback",
    "make_project",
    "pool_answer",
    "recording_server",
    "run_wmkg",
    "serving",
    "start_server",
    "wmkg",
]
