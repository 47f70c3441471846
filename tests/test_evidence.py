"""Quote matching, offsets, sections and coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from westminster_kg.evidence import Article, locate, normalise, normalised
from westminster_kg.namespaces import OA, WM
from westminster_kg.project import Project

REPO = Path(__file__).resolve().parents[1]


def test_normalising_folds_white_space_and_typographic_quotes() -> None:
    assert normalised("  the  WM’s\n\t“conception” ") == 'the WM\'s "conception"'


def test_every_white_space_character_folds_and_maps_back_to_where_its_run_starts() -> None:
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    text = "a" + "b".join(s + s for s in spaces) + "\u2019z"
    norm, index = normalise(text)
    assert norm == "a" + "b".join(" " for _ in spaces) + "'z" == normalised(text)
    assert all(text[i].isspace() if c == " " else text[i] in (c, "\u2019") for c, i in zip(norm, index, strict=True))
    assert [i for c, i in zip(norm, index, strict=True) if c == " "] == [1 + 3 * k for k in range(len(spaces))]


def test_a_quote_is_found_across_line_breaks_and_tabs_at_its_source_offsets() -> None:
    text = Project.open(REPO).article_text()
    article = Article(text)
    spans = article.find("Education 6 25 11")
    assert len(spans) == 1
    start, end = spans[0]
    assert text[start:end].split() == ["Education", "6", "25", "11"]
    assert article.matches("Education 6 25 11", start, end)
    assert not article.matches("Education 6 25 11", start + 1, end)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_locate_fills_offsets_sections_and_labels_and_is_idempotent(mini_root: Path) -> None:
    claims = mini_root / "graph" / "claims" / "slice.ttl"
    original = Graph().parse(claims)
    bare = Graph()
    bare += original
    for selector in list(bare.subjects(RDF.type, OA.TextPositionSelector)):
        bare.remove((selector, None, None))
        bare.remove((None, None, selector))
    bare.remove((None, WM.section, None))
    for claim in list(bare.subjects(RDF.type, WM.Claim)):
        bare.remove((claim, RDFS.label, None))
    claims.write_text(bare.serialize(format="turtle"))

    report = locate(Project.open(mini_root))

    assert report.errors == [] and report.located == 5
    assert isomorphic(Graph().parse(claims), original)
    assert locate(Project.open(mini_root)).changed_files == []


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_quote_not_in_the_article_is_reported_with_its_entity(mini_root: Path) -> None:
    claims = mini_root / "graph" / "claims" / "slice.ttl"
    claims.write_text(claims.read_text().replace("This change raises questions", "This change raised questions"))
    report = locate(Project.open(mini_root), write=False)
    assert any(
        "wmr:claim-ministers-appointing-permanent-secretaries-erodes-impartiality" in e and "not found" in e
        for e in report.errors
    )


def _article_and_sections() -> tuple[str, list]:
    from westminster_kg.evidence import sections_from

    project = Project.open(REPO)
    return project.article_text(), sections_from(Graph().parse(REPO / "graph" / "sources" / "article.ttl"))


def test_body_paragraphs_leave_out_headings_titles_and_table_cells() -> None:
    from westminster_kg.evidence import body_paragraphs

    text, sections = _article_and_sections()
    paragraphs = [p.text(text).strip() for p in body_paragraphs(text, sections)]
    assert "Education" not in paragraphs and "453" not in paragraphs  # Table 2 cells
    assert "Generalist policy skills" not in paragraphs  # Table 1 cells
    assert "Understanding Haldane" not in paragraphs  # a heading
    assert not any(p.startswith("The Westminster Model and the") for p in paragraphs)  # the title
    assert any(p.startswith("Departmental business plans operating in conjunction") for p in paragraphs)
    assert any(p.startswith("Civil servants are still trained as policy makers") for p in paragraphs)
    assert any(p.startswith("The story of the British Civil Service") for p in paragraphs)  # no heading above it


def test_coverage_counts_a_paragraph_once_any_span_overlaps_it() -> None:
    from westminster_kg.evidence import body_paragraphs, coverage

    text, sections = _article_and_sections()
    paragraphs = body_paragraphs(text, sections)
    first = paragraphs[0]
    report = coverage(text, sections, [(first.start + 2, first.start + 5)])
    assert report.covered == 1 and report.total == len(paragraphs)
    assert first not in report.uncovered and len(report.uncovered) == len(paragraphs) - 1
