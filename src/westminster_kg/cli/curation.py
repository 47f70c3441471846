"""Curators' commands: ``validate``, ``evidence locate``, ``coverage``, ``fmt`` and ``dev vocab``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from westminster_kg.cli.shell import app, dev_app, escape, evidence_app, load_kg, open_project
from westminster_kg.console import Table, err, out, working


@app.command("validate", epilog="Example: wmkg validate")
def validate_command() -> None:
    """Check SHACL shapes, violation queries and every quote against the article."""
    from westminster_kg.validate import validate

    with working("validating: SHACL shapes, check queries, quotes"):
        report = validate(open_project(), reuse=True)
    for finding in report.warnings:
        err.print(f"[yellow]warning[/]: {escape(str(finding))}")
    for finding in report.violations:
        err.print(f"[red]violation[/]: {escape(str(finding))}")
    summary = (
        f"{report.quotes_checked} quotes checked, {len(report.violations)} violation(s), "
        f"{len(report.warnings)} warning(s)"
    )
    if not report.ok:
        err.print(summary)
        raise typer.Exit(1)
    out.print(f"valid: {summary}")


@evidence_app.command("locate", epilog="Example: wmkg evidence locate --check")
def evidence_locate(
    check: Annotated[bool, typer.Option("--check", help="Only report; write nothing.")] = False,
) -> None:
    """Compute offsets, sections and claim labels for every quote (curators write only quotes)."""
    from westminster_kg.evidence import locate

    report = locate(open_project(), write=not check)
    for message in report.errors:
        err.print(f"[red]error[/]: {escape(message)}")
    verb = "would change" if check else "changed"
    out.print(f"{report.located} quote(s) located; {verb} {len(report.changed_files)} file(s)")
    for name in report.changed_files:
        out.print(f"  {name}")
    if report.errors or (check and report.changed_files):
        raise typer.Exit(1)


@app.command("coverage", epilog="Example: wmkg coverage --sentences --minimum 0.8")
def coverage_command(
    minimum: Annotated[float, typer.Option(help="Fail below this share (0..1).")] = 0.0,
    show_uncovered: Annotated[bool, typer.Option(help="List uncovered paragraphs (untriaged sentences).")] = True,
    sentences: Annotated[
        bool, typer.Option("--sentences", help="By body sentence: claim-backed, role-marked, untriaged.")
    ] = False,
) -> None:
    """Share of body paragraphs (or, with --sentences, sentences) per section backed by evidence."""
    from westminster_kg.evidence import coverage_report

    if sentences:
        _sentence_coverage(minimum, show_uncovered)
        return

    with working("measuring coverage"):
        report, article = coverage_report(load_kg())
    table = Table("section", "covered", "paragraphs", "share")
    for label, covered, total in report.rows:
        table.add_row(escape(label), str(covered), str(total), f"{covered / total:.0%}")
    table.add_row("[b]all[/]", str(report.covered), str(report.total), f"[b]{report.share:.1%}[/]")
    out.print(table)
    if show_uncovered and report.uncovered:
        out.print("uncovered paragraphs:")
        for paragraph in report.uncovered:
            text = paragraph.text(article)
            out.print(f"  {paragraph.start}: {escape(text[:90])}…")
    if report.share < minimum:
        err.print(f"coverage {report.share:.1%} is below {minimum:.0%}")
        raise typer.Exit(1)


def _sentence_coverage(minimum: float, show_untriaged: bool) -> None:
    """``wmkg coverage --sentences``: each body sentence claim-backed, role-marked or untriaged."""
    from westminster_kg.sentences import sentence_triage

    with working("triaging sentences"):
        triage, article = sentence_triage(load_kg())
    table = Table("section", "sentences", "claim-backed", "role-marked", "untriaged", "claim-backed share")
    for row in triage.sections.values():
        backed = len(row.claim_backed)
        table.add_row(
            escape(row.label),
            str(row.total),
            str(backed),
            str(len(row.role_marked)),
            str(len(row.untriaged)),
            f"{backed / row.total:.0%}",
        )
    share = triage.count("claim") / triage.total if triage.total else 0.0
    table.add_row(
        "[b]all[/]",
        str(triage.total),
        str(triage.count("claim")),
        str(triage.count("role")),
        str(triage.count("untriaged")),
        f"[b]{share:.1%}[/]",
    )
    out.print(table)
    if show_untriaged:
        for row in triage.sections.values():
            for sentence in row.untriaged:
                text = sentence.text(article)
                out.print(f"  untriaged {sentence.start}..{sentence.end} ({escape(row.label)}): {escape(text[:90])}…")
    if share < minimum:
        err.print(f"claim-backed sentences {share:.1%} is below {minimum:.0%}")
        raise typer.Exit(1)


@app.command("fmt", epilog="Example: wmkg fmt --check")
def fmt_command(
    check: Annotated[bool, typer.Option("--check", help="Only report files that would change.")] = False,
) -> None:
    """Rewrite the curated Turtle canonically (sorted blocks; the graph never changes)."""
    from westminster_kg.turtle import format_project

    changed = format_project(open_project(), write=not check)
    for name in changed:
        out.print(("would reformat " if check else "reformatted ") + name)
    if check and changed:
        err.print(f"{len(changed)} file(s) not in canonical form: run `wmkg fmt`")
        raise typer.Exit(1)
    out.print(f"{len(changed)} file(s) {'to reformat' if check else 'reformatted'}")


@dev_app.command("vocab", epilog="Example: wmkg dev vocab --check")
def dev_vocab(
    check: Annotated[bool, typer.Option("--check", help="Fail if vocab.py is out of date.")] = False,
) -> None:
    """Regenerate src/westminster_kg/vocab.py (the closed wm: namespace) from the ontology."""
    from westminster_kg.namespaces import render_vocab_module

    project = open_project()
    target = Path(__file__).parents[1] / "vocab.py"
    text = render_vocab_module(str(project.root / "ontology" / "westminster.ttl"))
    if target.read_text(encoding="utf-8") == text:
        out.print("vocab.py is up to date")
        return
    if check:
        err.print("vocab.py is out of date: run `wmkg dev vocab`")
        raise typer.Exit(1)
    target.write_text(text, encoding="utf-8")
    out.print("vocab.py regenerated")
