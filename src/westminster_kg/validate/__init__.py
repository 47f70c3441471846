"""``wmkg validate``: SHACL, the violation and warning queries, and the quote checks.

Violations fail validation; warnings (e.g. a total the article prints that its cells do not add up
to) are shown and never fail. Each finding names the file, the entity and what is wrong.

Every file is parsed once, by Oxigraph (``validate.dataset``); the check queries, the SHACL shapes
(``validate.shacl``) and the Python checks (``validate.content``) all read that one store.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from westminster_kg.catalogue import parse_named_query
from westminster_kg.namespaces import WMSH, curie
from westminster_kg.project import Project
from westminster_kg.sentences import body_sentences, sentence_inputs
from westminster_kg.validate.content import (
    check_article_hash,
    check_hedge_cues,
    check_imports,
    check_quotes,
    check_sentences,
)
from westminster_kg.validate.dataset import ProjectData
from westminster_kg.validate.report import Finding, ValidationReport


def validate(project: Project, *, reuse: bool = False) -> ValidationReport:
    """Run every check over the project's files (parse errors raise ``InputError`` first).

    Args:
        project: the files to check.
        reuse: keep the report in the user's cache folder, keyed by everything it depends on (the
            files, shapes, check queries, article, this package's code and the checkers' versions),
            and return the kept one while none of that changed.
    """
    if not reuse:
        return _validate(project)
    import json

    from westminster_kg.store.user_cache import cache_home
    from westminster_kg.turtle import write_atomically

    kept = cache_home() / "validate" / f"{_inputs_fingerprint(project)}.json"
    try:
        saved = json.loads(kept.read_text(encoding="utf-8"))
        return ValidationReport([Finding(*f) for f in saved["findings"]], saved["quotes_checked"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not kept yet (or unreadable): validate and keep it
    report = _validate(project)
    saved = {"findings": [list(vars(f).values()) for f in report.findings], "quotes_checked": report.quotes_checked}
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(kept, json.dumps(saved).encode("utf-8"))
        for old in sorted(kept.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[16:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # no cache folder: the report is still right, only not kept
    return report


def _inputs_fingerprint(project: Project) -> str:
    """SHA-256 over everything a validation report depends on."""
    from importlib.metadata import version

    digest = hashlib.sha256(project.fingerprint().encode())
    package = Path(__file__).parents[1]  # westminster_kg
    inputs = [project.shapes_path, project.article_path, *sorted((project.queries_dir / "checks").glob("*.rq"))]
    # Names relative to their folders: two checkouts with the same files share one report.
    for folder, path in [
        *((project.root, p) for p in inputs),
        *((package, p) for p in sorted(package.glob("**/*.py"))),
    ]:
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"-")
    for dependency in ("pyshacl", "rdflib", "pyoxigraph"):
        digest.update(version(dependency).encode())
    return digest.hexdigest()


def _validate(project: Project) -> ValidationReport:
    data = ProjectData(project, project.source_files(include_imports=False))
    content, queries = ValidationReport(), ValidationReport()
    # Cutting the article into sentences is pure Python (pysbd); the check queries and SHACL run
    # mostly inside Oxigraph, which lets go of the GIL. So the cutting runs in a thread while they
    # run (body_sentences keeps its answer for check_sentences); the findings keep the checks' order.
    with ThreadPoolExecutor(max_workers=1) as pool:
        cutting = pool.submit(body_sentences, project.article_text(), sentence_inputs(data.store)[0])
        _run_check_queries(project, data, queries)
        _run_shacl(project, data, queries)
        cutting.result()
    check_article_hash(project, data.graph, content)
    check_quotes(project, data.graph, data, content)
    check_hedge_cues(data.graph, data, content)
    check_sentences(project, data, content)
    check_imports(project, queries)
    return ValidationReport(content.findings + queries.findings, content.quotes_checked, queries.shadowed)


def _run_check_queries(project: Project, data: ProjectData, report: ValidationReport) -> None:
    for path in sorted((project.queries_dir / "checks").glob("*.rq")):
        level = "warning" if path.stem.endswith("-warning") else "violation"
        named = parse_named_query(path)
        result = data.store.query(named.sparql)
        for row in result.to_dicts():
            node = row.get("entity")
            file, entity = data.where(node) if node is not None else ("", "")
            details = ", ".join(f"{k}={_show(v)}" for k, v in row.items() if k != "entity" and v is not None)
            message = named.title + (f" ({details})" if details else "")
            report.findings.append(Finding(level, path.stem, message, entity, file))


def _show(value: object) -> str:
    if isinstance(value, URIRef):
        return curie(value, brackets=True)
    if isinstance(value, Literal) and isinstance(value.toPython(), int | float | Decimal):
        return str(value)
    text = str(value)
    return repr(text if len(text) < 80 else text[:79] + "…")


@lru_cache(maxsize=4)
def _shapes(turtle: bytes, base: str) -> tuple[Graph, str | None]:
    """The shapes parsed from ``turtle`` (read from ``base``), and why Oxigraph cannot check them (``None``: it can).

    Kept by the file's content: a validate after the first (a notebook's, each test's) neither parses
    the shapes again nor checks again what they use, and an edited file is read afresh. Never changed
    by its readers.
    """
    from westminster_kg.validate.shacl import UnsupportedShapesError, check_supported

    shapes = Graph().parse(data=turtle, format="turtle", publicID=base)
    try:
        check_supported(shapes)
    except UnsupportedShapesError as exc:
        return shapes, str(exc)
    return shapes, None


def _run_shacl(project: Project, data: ProjectData, report: ValidationReport) -> None:
    """Findings named after the shape that fired (``shacl:claim-stance``), each problem once.

    The shapes are checked on Oxigraph (``validate.shacl``), or by pyshacl when they use a part of
    SHACL that module does not check. A shape marked ``wmsh:mirrors "NAME"`` restates the check query
    ``NAME``; its finding is kept aside in ``report.shadowed`` when that query already reported the
    same entity.
    """
    if not project.shapes_path.is_file():
        return
    from westminster_kg.validate.shacl import pyshacl_results, shape_results

    shapes, unsupported = _shapes(project.shapes_path.read_bytes(), project.shapes_path.as_uri())
    if unsupported is None:
        results = shape_results(shapes, data.merged(), checked=True)
    else:  # pyshacl reads a copy: the parsed shapes are kept for the next validate
        results = pyshacl_results(shapes + Graph(), data.rdflib_graph())
    reported = {(f.check, f.entity) for f in report.findings}
    for result in results:
        file, entity = data.where(result.focus)
        if isinstance(result.value, URIRef):
            vfile, ventity = data.where(result.value)
            file, entity = vfile or file, f"{ventity} ({entity})"
        shape = result.source
        check = "shacl:" + (str(shape).rsplit("#", 1)[-1] if isinstance(shape, URIRef) else "shape")
        finding = Finding("violation", check, result.message, entity, file)
        mirrored = shapes.value(shape, WMSH.mirrors) if shape is not None else None
        entities = {data.where(node)[1] for node in (result.focus, result.value) if node is not None}
        if mirrored is not None and any((str(mirrored), e) in reported for e in entities):
            report.shadowed.append(finding)
        else:
            report.findings.append(finding)


__all__ = ["Finding", "ValidationReport", "validate"]
