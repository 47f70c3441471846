"""``wmkg`` commands forked from a process that has imported the CLI once: for the docs transcripts.

A transcript (``tests/test_docs_transcripts.py``) runs some forty ``wmkg`` commands in bash, in pipes
(``| cut``, ``2>/dev/null``), and each one as a fresh ``python -m westminster_kg.cli`` spends most of a
second importing the CLI, rdflib, pyoxigraph ... before it does anything. What a transcript checks is
what the command prints and its exit status, not how the process starts: so here the shell's ``wmkg``
is a small client (``python -S cli_server.py --client ARGS``) that hands its stdin, stdout and stderr,
its working folder, its environment and its arguments over a Unix socket to the server (``serve``),
which forks a child that takes them over and runs ``westminster_kg.cli.main`` as the real command does;
the client exits with the child's status. The output goes to the shell's own pipes, in the order it is
written (the server runs unbuffered, as ``PYTHONUNBUFFERED`` makes the real command).

The server ends when its stdin closes (the test that started it ended, or died), so it never outlives it.
"""

from __future__ import annotations

import json
import os
import socket
import sys

SOCKET_ENV = "WMKG_CLI_SERVER"


def client(args: list[str]) -> int:
    """Send this process's stdio, folder, environment and ``args`` to the server; the command's exit status."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(os.environ[SOCKET_ENV])
        request = json.dumps({"args": args, "cwd": os.getcwd(), "env": dict(os.environ)}).encode() + b"\n"
        socket.send_fds(connection, [request], [0, 1, 2])
        answer = connection.makefile("rb").readline()
    return int(answer) if answer.strip() else 1


def run_command(request: dict, fds: list[int]) -> None:
    """In the forked child: take over the client's stdio, folder and environment and run the command."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["wmkg", *request["args"]]
    code = 1
    try:
        from westminster_kg.cli import main

        main()
        code = 0
    except SystemExit as exit:  # as the interpreter turns a SystemExit into a status
        if exit.code is None or isinstance(exit.code, int):
            code = exit.code or 0
        else:
            print(exit.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(path: str) -> None:
    """Import the CLI, listen on ``path`` and run each client's command in a forked child, one at a time."""
    import selectors

    import westminster_kg.cli  # noqa: F401 - the point: imported once, here
    import westminster_kg.cli.curation  # noqa: F401
    import westminster_kg.cli.data  # noqa: F401
    import westminster_kg.cli.publish  # noqa: F401
    import westminster_kg.cli.query  # noqa: F401

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    waiting = selectors.DefaultSelector()
    waiting.register(listener, selectors.EVENT_READ)
    waiting.register(sys.stdin, selectors.EVENT_READ)
    print("ready", flush=True)
    while True:
        for key, _ in waiting.select():
            if key.fileobj is sys.stdin and not sys.stdin.readline():
                return  # whoever started the server is gone
            if key.fileobj is listener:
                connection, _ = listener.accept()
                with connection:
                    answer(connection)


def answer(connection: socket.socket) -> None:
    """One client's command, in a forked child; its exit status back to the client (as a shell reports it)."""
    message, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    while not message.endswith(b"\n"):
        more = connection.recv(1 << 16)
        if not more:
            break
        message += more
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        run_command(json.loads(message), fds)
    for fd in fds:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    connection.sendall(f"{128 - code if code < 0 else code}\n".encode())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        sys.exit(client(sys.argv[2:]))
    del sys.path[0]  # tests/support is not a package root: nothing here shadows a library
    serve(sys.argv[1])
