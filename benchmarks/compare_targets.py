"""What one run of benchmarks/compare.py says against the issues' targets, and its summary on the console.

Both read only the run's results (the JSON that compare.py writes): ``targets`` is the list of targets
with what was measured and whether it was met, ``target_rows`` its markdown table for BENCHMARKS.md, and
``summary`` the plain-text table printed at the end of a run: every figure with the command that measured
it, wmkg's ratios beside each row.
"""

from __future__ import annotations

import re
from typing import Any

NAMES = {
    "wmkg": "wmkg serve",
    "oxigraph": "Oxigraph server",
    "oxigraph-memory": "Oxigraph in memory",
    "rdflib-endpoint": "rdflib-endpoint",
    "virtuoso": "Virtuoso",
}
# The stores wmkg's rows are divided by, in column order: the engine it wraps first.
RATIO_STORES = ("oxigraph", "oxigraph-memory", "virtuoso", "rdflib-endpoint")


def short_command(command: str) -> str:
    """``command`` with the folders of ``wmkg`` and ``python`` left out."""
    return re.sub(r"\S*/(wmkg|python3?[.0-9]*) ", r"\1 ", command + " ").strip()


def load_of(results: dict[str, Any], store: str, key: str) -> dict[str, Any] | None:
    """wrk's figures for request ``key`` on ``store`` (None when not timed)."""
    return results["stores"].get(store, {}).get("requests", {}).get(key, {}).get("load")


def rps(results: dict[str, Any], store: str, key: str) -> float | None:
    """Requests per second of ``key`` on ``store`` (None when not timed)."""
    load = load_of(results, store, key)
    return load.get("rps") if load else None


def _ratio_target(results: dict[str, Any], key: str, other: str, floor: float, latency: str) -> dict[str, Any] | None:
    """wmkg's req/s on ``key`` at least ``floor`` × ``other``'s, with its ``latency`` percentile < 50 ms."""
    ours, theirs = load_of(results, "wmkg", key), rps(results, other, key)
    if not ours or not theirs or ours.get(f"{latency}_ms") is None:
        return None
    ratio = ours["rps"] / theirs
    return {
        "measured": f"{ratio:.2f}× ({ours['rps']:,.0f}/s vs {theirs:,.0f}/s), {latency} {ours[f'{latency}_ms']:.0f} ms",
        "met": ratio >= floor and ours[f"{latency}_ms"] < 50,
    }


def _request_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    connections = results["settings"]["connections"]
    found = []
    wanted = [
        ("22", "catalogue-distinct", "oxigraph", 0.8, "p50", "a distinct catalogue query via `/sparql`"),
        ("15, 22", "catalogue-sparql", "virtuoso", 10, "p99", "the repeated catalogue query via `/sparql`"),
    ]
    for issue, key, other, floor, latency, what in wanted:
        got = _ratio_target(results, key, other, floor, latency)
        if got:
            name = f"{what} ≥ {floor:g}× {NAMES[other]}'s req/s, {latency} < 50 ms at {connections} connections"
            found.append({"issue": issue, "target": name, **got})
    api, virtuoso = load_of(results, "wmkg", "catalogue-api"), rps(results, "virtuoso", "catalogue-sparql")
    if api and virtuoso and api.get("p99_ms") is not None:
        ratio = api["rps"] / virtuoso
        found.append(
            {
                "issue": "15",
                "target": f"the catalogue query via `/api/queries` ≥ 10× Virtuoso's `/sparql` req/s, p99 < 50 ms "
                f"at {connections} connections",
                "measured": f"{ratio:.2f}×, p99 {api['p99_ms']:.0f} ms",
                "met": ratio >= 10 and api["p99_ms"] < 50,
            }
        )
    entity, ask = load_of(results, "wmkg", "entity"), load_of(results, "wmkg", "ask")
    if entity and ask:
        found.append(
            {
                "issue": "15",
                "target": "entity page at least as fast as `ASK` via `/sparql`",
                "measured": f"{entity['rps']:,.0f}/s vs {ask['rps']:,.0f}/s",
                "met": entity["rps"] >= ask["rps"],
            }
        )
    return found


def _cli_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    cli = results.get("cli") or {}
    query, floor, validate = cli.get("query", {}), cli.get("floor", {}), cli.get("validate", {})
    found = []
    if "median_ms" in query and "median_ms" in floor:
        found.append(
            {
                "issue": "22",
                "target": "cold `wmkg query NAME -f csv` from a kept store < 0.2 s median",
                "measured": f"{query['median_ms']:,.0f} ms, {query['median_ms'] / floor['median_ms']:.1f}× the "
                f"{floor['median_ms']:.0f} ms of `import pyoxigraph`",
                "met": query["median_ms"] < 200,
            }
        )
    if "median_ms" in validate:
        found.append(
            {
                "issue": "22",
                "target": "a fresh `wmkg validate` < 2 s",
                "measured": f"{validate['median_ms'] / 1000:.2f} s median",
                "met": validate["median_ms"] < 2000,
            }
        )
    return found


def _memory_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    four = (results.get("rss_by_workers") or {}).get("4")
    if four and "peak_mb" in four:
        limit, what = (400, "") if results["label"] == "article" else (1024, " and `--store` of this data")
        found.append(
            {
                "issue": "15",
                "target": f"`wmkg serve` RSS with 4 workers{what} < {limit} MB",
                "measured": f"{four['peak_mb']:,.0f} MB",
                "met": four["peak_mb"] < limit,
            }
        )
    memory = results["stores"].get("wmkg", {}).get("memory")
    if results["settings"].get("store") and memory:
        found.append(
            {
                "issue": "15",
                "target": "`--store` server RSS < 1 GB",
                "measured": f"{memory['peak_mb']:,.0f} MB with {results['settings'].get('workers') or 'the default'} "
                "workers",
                "met": memory["peak_mb"] < 1024,
            }
        )
    return found


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target this run measured: ``issue``, ``target``, ``measured`` and ``met``."""
    return _request_targets(results) + _cli_targets(results) + _memory_targets(results)


def target_rows(results: dict[str, Any]) -> list[str]:
    """The targets as a markdown table (nothing when the run measured none)."""
    found = targets(results)
    if not found:
        return []
    lines = ["The issues' targets, as measured in this run:", "", "| issue | target | measured | met? |"]
    lines.append("|---|---|---|---|")
    for row in found:
        lines.append(f"| {row['issue']} | {row['target']} | {row['measured']} | {'yes' if row['met'] else 'no'} |")
    return [*lines, ""]


def _figure(load: dict[str, Any] | None) -> str:
    if not load:
        return "—"
    if load.get("p50_ms") is None:
        return f"{load['rps']:,.1f}/s, no latency ({load['errors']} errors)"
    errors = f", {load['errors']} errors" if load["errors"] else ""
    return f"{load['rps']:,.1f}/s p50 {load['p50_ms']:.1f} p99 {load['p99_ms']:.1f} ms{errors}"


def summary(results: dict[str, Any]) -> str:
    """The run in plain text: each row's figures by store, wmkg's ratios, the CLI, the targets, the commands."""
    stores = [s for s in results["stores"] if "error" not in results["stores"][s]]
    others = [s for s in RATIO_STORES if s in stores and "wmkg" in stores]
    lines = [f"summary (load average {' '.join(results['machine'].get('load_after', ['?']))} at the end):"]
    for key, request in results["requests"].items():
        lines.append(f"  {key}:")
        for store in stores:
            load = load_of(results, store, key)
            if load or not request["stores"] or store in request["stores"]:
                lines.append(f"    {NAMES.get(store, store):<16} {_figure(load)}")
        ratios = [
            f"÷ {NAMES[o]} {rps(results, 'wmkg', key) / rps(results, o, key):.2f}×"
            for o in others
            if rps(results, "wmkg", key) and rps(results, o, key)
        ]
        if ratios:
            lines.append("    wmkg " + ", ".join(ratios))
    for label, cli in (results.get("cli") or {}).items():
        figure = f"median {cli['median_ms']:,.0f} ms" if "median_ms" in cli else cli.get("error", "?")
        lines.append(f"  CLI {label}: {figure}  [{short_command(cli['command'])}]")
    for row in targets(results):
        lines.append(
            f"  target ({row['issue']}): {row['target']}: {row['measured']}: {'met' if row['met'] else 'NOT met'}"
        )
    lines.append("  commands:")
    for store in stores:
        for key, entry in results["stores"][store].get("requests", {}).items():
            if "load" in entry:
                lines.append(f"    {store} {key}: {entry['load']['command']}")
    return "\n".join(lines)
