"""The section of BENCHMARKS.md and the plot that benchmarks/compare.py writes from one run's results.

Each run owns one block of BENCHMARKS.md, between ``<!-- compare:<label>:begin -->`` and
``<!-- compare:<label>:end -->``; a new run replaces its own block and leaves the rest of the file alone
(benchmarks/run.py keeps these blocks when it rewrites its own part, see ``keep_blocks``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BLOCK = re.compile(r"<!-- compare:(?P<label>[A-Za-z0-9._-]+):begin -->\n.*?<!-- compare:(?P=label):end -->\n", re.S)
NAMES = {"wmkg": "wmkg serve", "rdflib-endpoint": "rdflib-endpoint", "virtuoso": "Virtuoso"}


def keep_blocks(old: str, new: str) -> str:
    """``new`` with every compare block of ``old`` that ``new`` lacks, placed before its first ``## `` heading."""
    missing = [m.group(0) for m in BLOCK.finditer(old) if f"<!-- compare:{m.group('label')}:begin -->" not in new]
    if not missing:
        return new
    return _insert(new, "\n".join(missing))


def _insert(text: str, block: str) -> str:
    match = re.search(r"^## ", text, re.M)
    if match is None:
        return text.rstrip("\n") + "\n\n" + block
    return text[: match.start()] + block + "\n" + text[match.start() :]


def write_section(results: dict[str, Any], target: Path) -> None:
    """Replace (or add) this run's block in ``target``."""
    label = results["label"]
    block = f"<!-- compare:{label}:begin -->\n" + section(results) + f"<!-- compare:{label}:end -->\n"
    old = target.read_text(encoding="utf-8") if target.exists() else "# Benchmarks\n\n"
    pattern = re.compile(
        rf"<!-- compare:{re.escape(label)}:begin -->\n.*?<!-- compare:{re.escape(label)}:end -->\n", re.S
    )
    if pattern.search(old):
        new = pattern.sub(lambda _m: block, old)
    else:
        # After the blocks already there (article first, then bigger data), before the older sections.
        blocks = list(BLOCK.finditer(old))
        if blocks:
            end = blocks[-1].end()
            new = old[:end] + "\n" + block + old[end:]
        else:
            new = _insert(old, block)
    target.write_text(new, encoding="utf-8")


# --- formatting ---------------------------------------------------------------------------------


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    return text + unit


ERROR_KINDS = {"status": "status ≥ 400", "timeout": "timeouts", "connect": "connect", "read": "read", "write": "write"}


def _errors(load: dict[str, Any]) -> str:
    if not load["errors"]:
        return "0 errors"
    kinds = ", ".join(f"{n:,} {ERROR_KINDS.get(k, k)}" for k, n in load["errors_by_kind"].items())
    text = f"**{load['errors']:,} errors** ({kinds}"
    bad = {code: n for code, n in (load.get("statuses") or {}).items() if not code.startswith("2")}
    if bad:
        text += "; server logged " + ", ".join(f"{n:,}× {code}" for code, n in sorted(bad.items()))
    return text + ")"


def _cell(entry: dict[str, Any] | None, timeout: float) -> str:
    if entry is None:
        return "—"
    if "load" not in entry:
        problem = re.sub(r"^\S+ \S+ ", "", entry["check"].get("problem", "?"))  # drop "GET http://…"
        problem = problem.replace("\\'", "'").replace("|", "\\|")
        return f"not timed: {problem[:150]}{'…' if len(problem) > 150 else ''}"
    load = entry["load"]
    alone = f"one request alone took {entry['check']['seconds']:.1f} s"
    if not load["requests"]:
        return f"**0 answers finished** in {load['seconds']:.0f} s ({_errors(load)}; {alone})"
    if load["p50_ms"] is None:
        return (
            f"**{_num(load['rps'])}/s**: {load['requests']} answers in {load['seconds']:.0f} s, none within "
            f"the {timeout:g} s timeout ({_errors(load)}; {alone})"
        )
    return f"**{_num(load['rps'])}/s**, p50 {_num(load['p50_ms'])} ms, p99 {_num(load['p99_ms'])} ms, {_errors(load)}"


def _rps(results: dict[str, Any], store: str, key: str) -> float | None:
    entry = results["stores"].get(store, {}).get("requests", {}).get(key, {})
    return entry.get("load", {}).get("rps")


def _ratio(ours: float | None, theirs: float | None, note: str = "") -> str:
    if not ours or not theirs:
        return "—"
    return f"{ours / theirs:.2f}×{note}"


def _rows_note(results: dict[str, Any], key: str) -> str:
    """'53 rows in every store' or the differing counts: the check that the stores answered alike."""
    counts = {}
    for store, result in results["stores"].items():
        check = result.get("requests", {}).get(key, {}).get("check", {})
        if "rows" in check and check["rows"] is not None:
            counts[store] = check["rows"]
        elif "boolean" in check:
            counts[store] = f"ASK {str(check['boolean']).lower()}"
    if not counts:
        return ""
    values = set(counts.values())
    if len(values) == 1:
        value = values.pop()
        return f" ({value} everywhere)" if isinstance(value, str) else f" ({value:,} rows)"
    return " (" + ", ".join(f"{NAMES.get(s, s)}: {v}" for s, v in counts.items()) + ")"


def _stores(results: dict[str, Any]) -> list[str]:
    return list(results["stores"])


def _heading(results: dict[str, Any], store: str) -> str:
    result = results["stores"][store]
    if "error" in result:
        return NAMES.get(store, store)
    if store == "wmkg":
        return "wmkg serve" + (" --store" if results["settings"].get("store") else "")
    if store == "virtuoso":
        return result["kind"]
    if store == "rdflib-endpoint":
        return result["kind"]
    return f"{store} ({result['version']})"


def section(results: dict[str, Any]) -> str:
    """The markdown of one run."""
    m, s, data = results["machine"], results["settings"], results["data"]
    label = results["label"]
    dirty = f"**with uncommitted changes** to {', '.join(m['dirty'][:5])}" if m["dirty"] else "clean tree"
    quads = f"{data['quads']:,} quads" if data.get("quads") else "the project's data"
    what = "the article graph" if not s.get("root") else f"`{s['root']}`"
    lines = [
        f"## Side by side on {what} ({quads}): {', '.join(NAMES.get(st, st) for st in results['stores'])}",
        "",
        f"One run of `{results['command']}` ({results['total_s'] / 60:.1f} min): commit {m['commit']} "
        f"({dirty}), {m['date']}. Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['os']}; "
        f"Python {m['python']}, pyoxigraph {m['pyoxigraph']}, wrk {m['wrk']}, hyperfine {m['hyperfine']}, "
        f"Virtuoso {m['virtuoso']}. Load average before/after: {' '.join(m['load_before'])} / "
        f"{' '.join(m.get('load_after', ['?']))} (the machine is shared; wrk runs on the same cores as the server).",
        "",
        f"Each store loaded the same file, `wmkg export -f nquads` ({quads}{_export_cost(data)}), and ran alone on a "
        "free loopback "
        f"port; each request was checked once (status 200, rows), then driven with `wrk -t{s['threads']} "
        f"-c{s['connections']} -d{s['duration_s']:g}s --timeout {s['timeout_s']:g}s --latency` and a Lua script "
        "(POST of the query as a form to the store's SPARQL endpoint, `Accept: application/sparql-results+json`; "
        "wmkg's own pages by GET). Errors are wrk's: connection/read/write/timeouts and responses with status "
        "≥ 400. The catalogue query is the text of `queries/reforms-eroding-conventions.rq` with its PREFIX "
        "lines and no parameter bound.",
        "",
    ]
    stores = _stores(results)
    if any(st not in NAMES for st in stores):
        lines += [
            "Endpoints given with `--endpoint` hold whatever was loaded into them and were not started here; "
            "the row counts in brackets show whether they answered from the same data.",
            "",
        ]
    header = "| request | " + " | ".join(_heading(results, st) for st in stores) + " |"
    ratio_columns = [st for st in ("virtuoso", "rdflib-endpoint") if st in stores and "wmkg" in stores]
    header += "".join(f" wmkg ÷ {NAMES[st]} |" for st in ratio_columns)
    lines += [header, "|---|" + "---|" * len(stores) + "---:|" * len(ratio_columns)]
    for key, request in results["requests"].items():
        cells = []
        for store in stores:
            result = results["stores"][store]
            if "error" in result:
                cells.append(f"not measured: {result['error']}")
            else:
                cells.append(_cell(result["requests"].get(key), s["timeout_s"]))
        row = f"| {request['label']}{_rows_note(results, key)} | " + " | ".join(cells) + " |"
        for other in ratio_columns:
            if request["stores"]:  # wmkg-only: against the same question asked through the other's /sparql
                compare_to = "catalogue-sparql" if key == "catalogue-api" else "ask"
                note = " (vs its `/sparql`)" if key == "catalogue-api" else " (vs its ASK)"
                row += f" {_ratio(_rps(results, 'wmkg', key), _rps(results, other, compare_to), note)} |"
            else:
                row += f" {_ratio(_rps(results, 'wmkg', key), _rps(results, other, key))} |"
        lines.append(row)
    lines += ["", "Ratios are requests per second, wmkg's divided by the other store's (above 1: wmkg is faster).", ""]
    lines += _memory_table(results)
    lines += _workers_table(results)
    lines += _cli_table(results)
    lines += _targets(results)
    lines += [f"![requests per second and p99 latency by store and request](compare-{label}.png)", ""]
    return "\n".join(lines) + "\n"


def _export_cost(data: dict[str, Any]) -> str:
    if "export_s" not in data:
        return ""
    peak = f", peak RSS {data['export_peak_rss_mb']:,.0f} MB" if data.get("export_peak_rss_mb") else ""
    return f"; written in {data['export_s']:.1f} s{peak}"


def _memory_table(results: dict[str, Any]) -> list[str]:
    lines = [
        "| store | how it was started | answering after (s) | loading (s) | peak RSS (MB) | load average during wrk |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for store, result in results["stores"].items():
        if "error" in result:
            continue
        memory = result.get("memory") or {}
        peak = (
            (
                f"{memory['peak_mb']:,.0f} ({memory['processes']} processes)"
                if memory.get("processes", 1) > 1
                else _num(memory.get("peak_mb"))
            )
            if memory
            else "not measured (external)"
        )
        command = result["command"].replace(str(Path.cwd()) + "/", "")
        command = re.sub(r"\S*/(wmkg|rdflib-endpoint) ", r"\1 ", command)
        command = re.sub(r"\S*/benchmarks/out/", "benchmarks/out/", command)
        lines.append(
            f"| {_heading(results, store)} | `{command}` | {_num(result['start_s'])} "
            f"| {_num(result['load_s'])} | {peak} | {_load_range(result)} |"
        )
    lines += [
        "",
        "Peak RSS is the sum of VmHWM over the server's processes (for wmkg: the app and its query "
        "workers), read from /proc after the last request. *Answering after* counts from the start "
        "command to the first answer (for Virtuoso: the empty server; its bulk load is *loading*).",
        "",
    ]
    return lines


def _load_range(result: dict[str, Any]) -> str:
    """The machine's 1-minute load average before and after this store's wrk runs (2 cores: 2 is busy)."""
    values = [
        v
        for entry in result.get("requests", {}).values()
        for v in (entry.get("load", {}).get("loadavg_before"), entry.get("load", {}).get("loadavg_after"))
        if v is not None
    ]
    return f"{min(values):.1f}–{max(values):.1f}" if values else "—"


# What runs before the setting was recorded did (ca4ceaf changed it).
_OLD_RSS_REPEATS = "answered twice per worker, one at a time"


def _workers_table(results: dict[str, Any]) -> list[str]:
    rows = results.get("rss_by_workers") or {}
    if not rows:
        return []
    lines = ["| `wmkg serve --workers` | peak RSS (MB) | processes |", "|---:|---:|---:|"]
    for workers, memory in rows.items():
        if memory and "peak_mb" in memory:
            lines.append(f"| {workers} | {memory['peak_mb']:,.0f} | {memory['processes']} |")
        else:
            lines.append(f"| {workers} | {(memory or {}).get('error', 'not measured')} | — |")
    lines += [
        "",
        f"Memory after each wmkg request above was {results.get('rss_repeats', _OLD_RSS_REPEATS)}; no wrk load.",
        "",
    ]
    return lines


def _cli_table(results: dict[str, Any]) -> list[str]:
    cli = results.get("cli") or {}
    if not cli:
        return []
    floor = cli.get("floor", {}).get("median_ms")
    lines = [
        "Cold processes, `hyperfine -N` (one warm-up run, none for `validate`):",
        "",
        "| command | median (ms) | min | max | runs | × floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for result in cli.values():
        command = re.sub(r"\S*/(wmkg|python3?[.0-9]*) ", r"\1 ", result["command"] + " ").strip()
        if "error" in result:
            lines.append(f"| `{command}` | {result['error']} | | | | |")
            continue
        times = f"{result['median_ms']:,.0f} | {result['min_ms']:,.0f} | {result['max_ms']:,.0f} | {result['runs']}"
        lines.append(f"| `{command}` | {times} | {_ratio(result['median_ms'], floor)} |")
    lines.append("")
    return lines


def _targets(results: dict[str, Any]) -> list[str]:
    """Issue 15's targets next to what this run measured."""
    lines = ["Issue 15's targets, as measured in this run:", "", "| target | measured | met? |", "|---|---|---|"]
    wmkg = results["stores"].get("wmkg", {}).get("requests", {})

    def load(key: str) -> dict[str, Any] | None:
        return wmkg.get(key, {}).get("load")

    virtuoso_rps = _rps(results, "virtuoso", "catalogue-sparql")
    for key, via in (("catalogue-sparql", "`/sparql`"), ("catalogue-api", "`/api/queries`")):
        got = load(key)
        if got and virtuoso_rps:
            ratio = got["rps"] / virtuoso_rps
            met = ratio >= 10 and got["p99_ms"] < 50
            lines.append(
                f"| catalogue query via {via} ≥ 10× Virtuoso's req/s, p99 < 50 ms at "
                f"{results['settings']['connections']} connections | {ratio:.2f}×, p99 "
                f"{got['p99_ms']:.0f} ms | {'yes' if met else 'no'} |"
            )
    entity, ask = load("entity"), load("ask")
    if entity and ask:
        lines.append(
            f"| entity page at least as fast as `ASK` via `/sparql` | {entity['rps']:,.0f}/s vs "
            f"{ask['rps']:,.0f}/s | {'yes' if entity['rps'] >= ask['rps'] else 'no'} |"
        )
    cli = results.get("cli") or {}
    query, floor, validate = cli.get("query", {}), cli.get("floor", {}), cli.get("validate", {})
    if "median_ms" in query and "median_ms" in floor:
        met = query["median_ms"] < 300
        lines.append(
            f"| cold `wmkg query NAME --format csv` < 0.3 s median (≈ ≤ 3× the floor) | "
            f"{query['median_ms']:,.0f} ms, {query['median_ms'] / floor['median_ms']:.1f}× the "
            f"{floor['median_ms']:.0f} ms floor | {'yes' if met else 'no'} |"
        )
    if "median_ms" in validate:
        lines.append(
            f"| `wmkg validate` < 2 s | {validate['median_ms'] / 1000:.1f} s | "
            f"{'yes' if validate['median_ms'] < 2000 else 'no'} |"
        )
    four = (results.get("rss_by_workers") or {}).get("4")
    if four and "peak_mb" in four:
        limit, what = (400, "") if results["label"] == "article" else (1024, " and `--store` of this data")
        lines.append(
            f"| `wmkg serve` RSS with 4 workers{what} < {limit} MB | {four['peak_mb']:,.0f} MB | "
            f"{'yes' if four['peak_mb'] < limit else 'no'} |"
        )
    memory = results["stores"].get("wmkg", {}).get("memory")
    if results["settings"].get("store") and memory:
        lines.append(
            f"| `--store` server RSS < 1 GB | {memory['peak_mb']:,.0f} MB with "
            f"{results['settings'].get('workers') or 'the default'} workers | "
            f"{'yes' if memory['peak_mb'] < 1024 else 'no'} |"
        )
    lines.append("")
    return lines


def plot(results: dict[str, Any], target: Path) -> None:
    """Two panels, log scale: requests per second and p99 latency, grouped by request, one bar per store."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(results["requests"])
    stores = [s for s in results["stores"] if "error" not in results["stores"][s]]
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    width = 0.8 / max(1, len(stores))
    for offset, store in enumerate(stores):
        entries = results["stores"][store]["requests"]
        for axis, metric in zip(axes, ("rps", "p99_ms"), strict=True):
            xs, ys = [], []
            for index, key in enumerate(keys):
                value = entries.get(key, {}).get("load", {}).get(metric)
                if value:
                    xs.append(index + offset * width)
                    ys.append(value)
            axis.bar(xs, ys, width=width, label=_heading(results, store))
    short = {
        "catalogue-sparql": "catalogue\n/sparql",
        "catalogue-api": "catalogue\n/api/queries",
        "entity": "entity\npage",
        "ask": "ASK",
        "select-large": f"{results['settings']['rows']:,}-row\nSELECT",
    }
    for axis, title in zip(
        axes, ("requests per second (higher is better)", "p99 latency, ms (lower is better)"), strict=True
    ):
        axis.set_yscale("log")
        axis.set_xticks([i + width * (len(stores) - 1) / 2 for i in range(len(keys))])
        axis.set_xticklabels([short.get(k, k) for k in keys], fontsize=8)
        axis.set_title(title)
        axis.grid(True, axis="y", which="both", alpha=0.3)
        axis.legend(fontsize=8)
    s, m = results["settings"], results["machine"]
    figure.suptitle(
        f"{results['label']}: wrk -t{s['threads']} -c{s['connections']} -d{s['duration_s']:g}s on "
        f"loopback, {m['cores']} cores, commit {m['commit']}"
    )
    figure.tight_layout()
    figure.savefig(target, dpi=100)
    plt.close(figure)
