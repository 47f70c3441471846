"""Headless Chromium (Debian's) through Playwright, with every request off this machine aborted.

``launch_chromium`` starts the browser (never a downloaded one); ``OfflinePage`` is a page whose every
request that is not file:, data:, blob:, about: or loopback is aborted and recorded, so a test can
assert that nothing was attempted. The ``browser`` fixture in tests/conftest.py launches it once per
run, and ``shared_page`` opens one ``OfflinePage`` that tests take in turn through ``borrowed``: each
starts on a blank document at its own size with nothing recorded (a new page costs Chromium a
renderer process, about a second of CPU; a navigation on the same page a fraction of it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# How long a click, a navigation or a wait may take before the test fails: a bound on a page that
# hangs, not a speed requirement. Playwright's 30 s default failed a click on /download (whose dumps
# are built on the first request) on a busy machine.
PAGE_TIMEOUT_MS = 180_000

# The marks of a module whose tests drive Chromium.
NEEDS_CHROMIUM = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
    ),
]

# Each node's label box on the overview (vis-network draws labels on a canvas: read from the rendered
# network, ``labelModule.size`` in canvas coordinates, mapped to the page with ``canvasToDOM``).
LABEL_BOXES = """() => {
  const n = wmkgOverview.network, box = document.getElementById('wmkg-network').getBoundingClientRect();
  return n.body.nodeIndices.map(id => {
    const s = n.body.nodes[id].labelModule.size;
    const a = n.canvasToDOM({x: s.left, y: s.top}), b = n.canvasToDOM({x: s.left + s.width, y: s.top + s.height});
    return {id, x0: a.x + box.left, y0: a.y + box.top, x1: b.x + box.left, y1: b.y + box.top};
  });
}"""


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, for as long as the ``with`` lasts (skips when Playwright is missing)."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class OfflinePage:
    """A page whose every non-local request is aborted and recorded."""

    def __init__(self, browser: Any, width: int = 1400, **context_options: object) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900}, **context_options)
        self.context.set_default_timeout(PAGE_TIMEOUT_MS)
        self.attempted: list[str] = []
        self.errors: list[str] = []
        self._open_page()

    def _open_page(self) -> None:
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def reset(self, width: int = 1400, height: int = 900) -> OfflinePage:
        """The page ready for another test: a blank document (the last one's scripts and state gone) at
        ``width``×``height``, the mouse in the corner, no cookies, nothing recorded (a new page if it was closed)."""
        if self.page.is_closed():
            self._open_page()
        self.page.goto("about:blank")
        self.page.set_viewport_size({"width": width, "height": height})
        self.page.mouse.move(0, 0)
        self.context.clear_cookies()
        self.attempted.clear()
        self.errors.clear()
        return self

    def _route(self, route: Any) -> None:
        url = route.request.url
        scheme = urlsplit(url).scheme
        host = urlsplit(url).hostname or ""
        if scheme in ("file", "data", "blob", "about") or host in ("127.0.0.1", "localhost", "::1"):
            route.continue_()
        else:
            self.attempted.append(url)
            route.abort()

    def open_view(self, url: str) -> None:
        """Go to ``url`` and wait until its script says it is ready."""
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready=true]", timeout=60_000)

    def pwned(self) -> list:
        """``window.__pwned`` in the page and in every frame (the neighbourhood iframe too)."""
        return [
            frame.evaluate("typeof window.__pwned === 'undefined' ? null : window.__pwned")
            for frame in self.page.frames
        ]

    def check(self) -> None:
        """Fail the test when the page tried to reach the network or raised a script error."""
        assert self.attempted == [], f"the page tried to reach the network: {self.attempted}"
        assert self.errors == [], f"script errors: {self.errors}"

    def close(self) -> None:
        """Close the page, failing the test when it tried to reach the network or raised a script error."""
        self.check()
        self.context.close()


@contextmanager
def borrowed(shared: OfflinePage, width: int = 1400, height: int = 900) -> Iterator[OfflinePage]:
    """``shared`` (the run's ``shared_page``) reset for one test at ``width``×``height``; when the test is
    done, it fails if the page tried to reach the network or raised a script error."""
    yield shared.reset(width, height)
    shared.check()


def click_edge(page: Any, edge_id: str, view: str = "wmkgView") -> str | None:
    """Click an edge on the canvas as a reader would; returns the edge the details panel then shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    point = page.evaluate(
        # The middle of an edge may lie under a node or a crossing edge, depending on the layout:
        # take the point nearest its middle where vis itself reports this edge and no node, there and
        # 2 px around (the browser delivers the click at whole pixels, which can land on a crossing).
        """([id, view]) => { const n = window[view].network; const e = n.body.edges[id];
                   const box = document.getElementById('wmkg-network').getBoundingClientRect();
                   const at = (x, y) => n.getNodeAt({x, y}) === undefined && n.getEdgeAt({x, y}) === id;
                   const mine = (x, y) => at(x, y) && at(x - 2, y) && at(x + 2, y) && at(x, y - 2) && at(x, y + 2);
                   let best = null;
                   const steps = [0];
                   for (let k = 1; k <= 7; k++) steps.push(k * 0.05, -k * 0.05);
                   for (const t of steps.map(s => 0.5 + s)) {
                     const d = n.canvasToDOM(e.edgeType.getPoint(t));
                     if (d.x < 5 || d.y < 5 || d.x > box.width - 5 || d.y > box.height - 5) continue;
                     const point = {x: Math.round(d.x + box.left), y: Math.round(d.y + box.top)};
                     const x = point.x - box.left, y = point.y - box.top;
                     best = best || point;
                     if (mine(x, y)) return point;
                   }
                   return best; }""",
        [edge_id, view],
    )
    page.mouse.click(point["x"], point["y"])
    # Wait for the panel to show an edge rather than a fixed time: a busy machine may take longer.
    try:
        page.wait_for_function(
            "id => document.querySelector('#wmkg-details')?.getAttribute('data-edge') === id",
            arg=edge_id,
            timeout=10_000,
        )
    except PlaywrightTimeoutError:
        pass
    return page.get_attribute("#wmkg-details", "data-edge")


def overlapping_pairs(boxes: list[dict]) -> tuple[int, list[tuple[str, str]]]:
    """How many pairs of label boxes there are, and the ids of those that overlap."""
    pairs, overlapping = 0, []
    for i, p in enumerate(boxes):
        for q in boxes[i + 1 :]:
            pairs += 1
            if p["x0"] < q["x1"] and q["x0"] < p["x1"] and p["y0"] < q["y1"] and q["y0"] < p["y1"]:
                overlapping.append((p["id"], q["id"]))
    return pairs, overlapping
