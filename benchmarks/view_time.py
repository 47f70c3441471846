"""Network view: generation time and time to interactive in headless Chromium, by graph size.

    python benchmarks/view_time.py --sizes 100 1000 5000 10000 --report benchmarks/VIEW.md

"Interactive" is when the page has drawn its network and set ``data-ready`` on <body> (the view
does so after vis-network's first draw, or after stabilisation when physics is on). Every request
the page makes to anything but file:/data:/blob: is aborted and counted: it must stay zero.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from westminster_kg.view import render_html

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
CLASSES = ["wm:Reform", "wm:Convention", "wm:Idea", "wm:Government", "foaf:Person", "wm:Department"]
RELATIONS = ["wm:erodes", "wm:institutionalises", "wm:claimsContinuity", "wm:introducedBy", "wm:leadsTo"]


def synthetic_graph(nodes: int, seed: int = 1) -> nx.MultiDiGraph:
    """A typed network shaped like ours: two edges per node, with quotes on every edge."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    for i in range(nodes):
        graph.add_node(
            f"n{i}",
            iri=f"https://w3id.org/westminster-kg/id/n{i}",
            label=f"entity {i}",
            cls=rng.choice(CLASSES),
            definition="",
            links=[],
            governments=[],
        )
    for i in range(nodes * 2):
        relation = rng.choice(RELATIONS)
        graph.add_edge(
            f"n{rng.randrange(nodes)}",
            f"n{rng.randrange(nodes)}",
            relation=relation,
            relation_label=relation[3:],
            claim=None,
            quotes=[f"quote {i}"],
            section="",
            stance="",
            stance_label="",
            cites=[],
            governments=[],
        )
    return graph


def time_to_interactive(page: Path, runs: int) -> tuple[list[float], int]:
    """Seconds from navigation to data-ready, per run, and the external requests attempted."""
    from playwright.sync_api import sync_playwright

    external = 0
    seconds = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            tab = context.new_page()

            def guard(route):  # noqa: ANN001 - Playwright's Route
                nonlocal external
                if route.request.url.startswith(("file:", "data:", "blob:")):
                    route.continue_()
                else:
                    external += 1
                    route.abort()

            tab.route("**/*", guard)
            started = time.perf_counter()
            tab.goto(page.as_uri())
            tab.wait_for_selector("body[data-ready='true']", timeout=120_000)
            seconds.append(time.perf_counter() - started)
            context.close()
        browser.close()
    return seconds, external


def main() -> None:
    """Measure and print (and optionally write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            graph = synthetic_graph(size)
            started = time.perf_counter()
            html = render_html(graph, title=f"{size} nodes")
            generation = time.perf_counter() - started
            page = Path(folder) / f"view-{size}.html"
            page.write_text(html, encoding="utf-8")
            seconds, external = time_to_interactive(page, args.runs)
            rows.append(
                {
                    "nodes": size,
                    "edges": graph.number_of_edges(),
                    "html_mb": round(len(html) / 1e6, 2),
                    "generation_s": round(generation, 2),
                    "interactive_median_s": round(statistics.median(seconds), 2),
                    "interactive_max_s": round(max(seconds), 2),
                    "external_requests": external,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    if args.report:
        command = "python benchmarks/view_time.py --sizes " + " ".join(map(str, args.sizes)) + f" --runs {args.runs}"
        lines = [
            "# Network view: generation and time to interactive",
            "",
            f"Measured with `{command}` on this machine (2 cores), Debian chromium, headless.",
            "",
            "| nodes | edges | HTML (MB) | generation (s) | interactive, median (s) | max (s) | external requests |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r['nodes']:,} | {r['edges']:,} | {r['html_mb']} | {r['generation_s']} | "
            f"{r['interactive_median_s']} | {r['interactive_max_s']} | {r['external_requests']} |"
            for r in rows
        ]
        lines += [
            "",
            "Target: a 5,000-node view interactive in under 3 s. Above 500 nodes the layout is computed",
            "in Python and physics is off; generation includes that layout.",
            "",
        ]
        args.report.write_text("\n".join(lines), encoding="utf-8")
    sys.exit(0 if all(r["external_requests"] == 0 for r in rows) else 1)


if __name__ == "__main__":
    main()
