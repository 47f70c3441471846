"""Regenerate the README's pictures: the overview (all governments), the network explorer, the timeline,
the article reader, an entity page, the query page and an answer with no rows.

Runs the web app on a free loopback port and drives Debian's Chromium (through Playwright, never a
downloaded browser) at 1440x900; every request off this machine is refused. Writes PNGs into
docs/img/ (or the folder given). Usage:

    .venv/bin/python scripts/screenshots.py [OUTPUT_DIR]
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from playwright.sync_api import sync_playwright

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings, create_app

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve() -> tuple[str, uvicorn.Server, threading.Thread]:
    """The app on a loopback port, in a thread; returns its base URL, the server and the thread."""
    port = free_port()
    app = create_app(KnowledgeGraph.load(), settings=Settings(workers=1))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise SystemExit("error: the web app did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def local_only(route) -> None:
    """Let loopback requests through, refuse the rest (the pictures must not need the network)."""
    host = urlsplit(route.request.url).hostname or ""
    if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        route.abort()


QUERY = "/query?name=reforms-eroding-conventions&p.government=Coalition&run=1"
EMPTY = "/query?name=reforms-eroding-conventions&p.government=Coalition&p.convention=permanence&run=1"
NAMES = ("overview", "network", "timeline", "article", "entity", "query", "query-empty")


def main(argv: list[str]) -> int:
    """Write one PNG per name in ``NAMES``."""
    out = Path(argv[1]) if len(argv) > 1 else REPO / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    url, server, thread = serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.route("**/*", local_only)

            page.goto(url + "/")  # every government: the first picture, no filter
            page.wait_for_selector("body[data-ready=true]", timeout=120_000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(out / "overview.png"))

            page.goto(url + "/network")
            page.wait_for_selector("body[data-ready=true]", timeout=120_000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(out / "network.png"))

            page.goto(url + "/timeline")
            page.locator("figure svg").screenshot(path=str(out / "timeline.png"))

            page.goto(url + "/article#claim-npm-erodes-whitehall-model", timeout=120_000)
            page.wait_for_selector("body[data-ready=true]")
            page.evaluate(
                "document.getElementById('claim-npm-erodes-whitehall-model').scrollIntoView({block: 'center'})"
            )
            page.wait_for_timeout(200)
            page.screenshot(path=str(out / "article.png"))

            # The entity page where its relations begin: the end of its neighbourhood, then each claim
            # read left to right as the graph states it.
            page.goto(url + "/id/haldane-convention")
            page.evaluate("document.getElementById('relations').scrollIntoView({block: 'start'})")
            page.evaluate("window.scrollBy(0, -260)")
            page.screenshot(path=str(out / "entity.png"))

            page.goto(url + QUERY, timeout=120_000)
            page.evaluate("document.getElementById('wmkg-results').scrollIntoView({block: 'start'})")
            page.evaluate("window.scrollBy(0, -120)")
            page.screenshot(path=str(out / "query.png"))

            page.goto(url + EMPTY, timeout=120_000)
            page.screenshot(path=str(out / "query-empty.png"))
            browser.close()
    finally:
        server.should_exit = True
        thread.join(30)
    for name in NAMES:
        print(f"wrote {out / (name + '.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
