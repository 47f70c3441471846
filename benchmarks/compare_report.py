"""The section of BENCHMARKS.md and the plot that benchmarks/compare.py writes from one run's results.

Each run owns one block of BENCHMARKS.md, between ``<!-- compare:<label>:begin -->`` and
``<!-- compare:<label>:end -->``; a new run replaces its own block and leaves the rest of the file alone
(benchmarks/run.py keeps these blocks when it rewrites its own part, see ``keep_blocks``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from compare_targets import NAMES, RATIO_STORES, rps, short_command, target_rows

BLOCK = re.compile(r"<!-- compare:(?P<label>[A-Za-z0-9._-]+):begin -->\n.*?<!-- compare:(?P=label):end -->\n", re.S)


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
    if store in ("oxigraph", "oxigraph-memory", "virtuoso", "rdflib-endpoint"):
        return result["kind"]
    return f"{store} ({result['version']})"


def section(results: dict[str, Any]) -> str:
    """The markdown of one run."""
    label = results["label"]
    stores = _stores(results)
    lines = _preamble(results)
    if any(st not in NAMES for st in stores):
        lines += [
            "Endpoints given with `--endpoint` hold whatever was loaded into them and were not started here; "
            "the row counts in brackets show whether they answered from the same data.",
            "",
        ]
    lines += _request_table(results)
    lines += _memory_table(results)
    lines += _workers_table(results)
    lines += _cli_table(results)
    lines += target_rows(results)
    lines += _commands(results)
    lines += [f"![requests per second and p99 latency by store and request](compare-{label}.png)", ""]
    return "\n".join(lines) + "\n"


def _preamble(results: dict[str, Any]) -> list[str]:
    m, s, data = results["machine"], results["settings"], results["data"]
    dirty = f"**with uncommitted changes** to {', '.join(m['dirty'][:5])}" if m["dirty"] else "clean tree"
    quads = f"{data['quads']:,} quads" if data.get("quads") else "the project's data"
    what = "the article graph" if not s.get("root") else f"`{s['root']}`"
    return [
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
        "lines and no parameter bound: *repeated* sends that same text every time (answer caches serve it); "
        "*distinct* adds `FILTER(?claim != <urn:wmkg:bench:distinct:t1-42>)` as the first line of its `WHERE` "
        "group, with wrk's Lua script writing a new thread-and-counter token into every request, so no two "
        "requests carry the same text, no cache helps, and the rows stay the same (checked: each store's "
        "distinct rows equal its repeated rows). The Oxigraph server, the engine `wmkg serve` wraps, runs "
        "twice: `serve-read-only` on a RocksDB folder made by `oxigraph load` (as `wmkg serve`'s query workers "
        "read data of more than `--worker-in-memory-quads` from their shared on-disk store), and `serve` in "
        "memory (as they hold smaller data, this graph included).",
        "",
    ]


def _request_table(results: dict[str, Any]) -> list[str]:
    s, stores = results["settings"], _stores(results)
    header = "| request | " + " | ".join(_heading(results, st) for st in stores) + " |"
    ratio_columns = [st for st in RATIO_STORES if st in stores and "wmkg" in stores]
    header += "".join(f" wmkg ÷ {NAMES[st]} |" for st in ratio_columns)
    lines = [header, "|---|" + "---|" * len(stores) + "---:|" * len(ratio_columns)]
    for key, request in results["requests"].items():
        cells = []
        for store in stores:
            result = results["stores"][store]
            if "error" in result:
                cells.append(f"not measured: {result['error']}")
            else:
                cells.append(_cell(result["requests"].get(key), s["timeout_s"]))
        row = f"| {request['label']}{_rows_note(results, key)} | " + " | ".join(cells) + " |"
        row += "".join(f" {ratio_cell(results, key, request, other)} |" for other in ratio_columns)
        lines.append(row)
    lines += ["", "Ratios are requests per second, wmkg's divided by the other store's (above 1: wmkg is faster).", ""]
    return lines


def ratio_cell(results: dict[str, Any], key: str, request: dict[str, Any], other: str) -> str:
    """wmkg's req/s on ``key`` over ``other``'s (for a wmkg-only page: over the same question via its SPARQL)."""
    if request["stores"]:  # wmkg-only: against the same question asked through the other's /sparql
        compare_to = "catalogue-sparql" if key == "catalogue-api" else "ask"
        note = " (vs its `/sparql`)" if key == "catalogue-api" else " (vs its ASK)"
        return _ratio(rps(results, "wmkg", key), rps(results, other, compare_to), note)
    return _ratio(rps(results, "wmkg", key), rps(results, other, key))


def _commands(results: dict[str, Any]) -> list[str]:
    """Every wrk and hyperfine command of the run, by store and row (the Lua scripts are kept in out/logs)."""
    lines = ["<details><summary>Every command of this run</summary>", ""]
    for store, result in results["stores"].items():
        for key, entry in result.get("requests", {}).items():
            if "load" in entry:
                lines.append(f"- {NAMES.get(store, store)}, {key}: `{entry['load']['command']}`")
    for label, cli in (results.get("cli") or {}).items():
        before = f" (before each run: `{cli['prepare']}`)" if cli.get("prepare") else ""
        lines.append(f"- CLI {label}: `{short_command(cli['command'])}`{before}")
    lines += ["", "</details>", ""]
    return lines


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
    env = next(iter(cli.values())).get("env")
    how = "Cold processes, `hyperfine -N` (one warm-up run, none for `validate`)"
    if env:
        how += (
            f", with a cache folder of their own (`{env}`): `wmkg query` answers from the store its warm-up run "
            "kept there; `validate` validates afresh every run"
        )
    lines = [how + ":", "", "| command | median (ms) | min | max | runs | × floor |", "|---|---:|---:|---:|---:|---:|"]
    for result in cli.values():
        command = f"`{short_command(result['command'])}`"
        if result.get("prepare"):
            command += " (kept report removed before each run)"
        if "error" in result:
            lines.append(f"| {command} | {result['error']} | | | | |")
            continue
        times = f"{result['median_ms']:,.0f} | {result['min_ms']:,.0f} | {result['max_ms']:,.0f} | {result['runs']}"
        lines.append(f"| {command} | {times} | {_ratio(result['median_ms'], floor)} |")
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
        "catalogue-distinct": "catalogue\ndistinct",
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
