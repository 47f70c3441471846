"""The pictures say what the graph says: the overview's and the network's data, where the timeline
puts each reform, and the article reader's marks.

Each test reads what the picture is made of (the JSON its script draws, the SVG, the page's marks)
and compares it with ``tests/support/oracle.py`` (SPARQL on rdflib's reference store): every line a relation
the graph holds, drawn from subject to object (or as its named inverse), with every claim behind it
and each claim's stance, modality and hedge; nothing drawn that the graph lacks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from typing import Any

import pytest
from support.oracle import WM, WMR, Oracle, TrueClaim, curie_of, parse_html, plain, text_of

from westminster_kg import KnowledgeGraph
from westminster_kg.network import build_network
from westminster_kg.view.article import render_article
from westminster_kg.view.entity import all_words, local_runner
from westminster_kg.view.network_app import page_data
from westminster_kg.view.overview import overview_data
from westminster_kg.view.timeline import timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
# What a relation reads as when it is drawn from its object to its subject: the oracle's own words.
INVERSE_WORDS = {"wm:introducedBy": "introduces"}
WEAK = {WM + "Hedged", WM + "Possible", WM + "Questioned"}


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load()


@pytest.fixture(scope="module")
def network(kg):
    return build_network(kg)


@pytest.fixture(scope="module")
def overview(kg, network) -> dict[str, Any]:
    return overview_data(kg, network, entity_base="/id/")


def drawable(oracle: Oracle, claim: TrueClaim) -> bool:
    """A claim a picture draws as a line (``Oracle.drawn``)."""
    return oracle.drawn(claim)


def modality_words(oracle: Oracle, claim: TrueClaim) -> str:
    return oracle.label(claim.modality) if claim.modality else ""


def quotes_of(claim_quotes: Any) -> frozenset[str]:
    return frozenset(plain(q) for q in claim_quotes)


# --- the overview ---------------------------------------------------------------------------------------


def expected_lines(oracle: Oracle) -> dict[tuple[str, str, str], Counter]:
    lines: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for claim in oracle.claims.values():
        if drawable(oracle, claim):
            evidence = (oracle.label(claim.stance), modality_words(oracle, claim), claim.cue, quotes_of(claim.quotes))
            lines[(claim.subject, curie_of(claim.relation), claim.object)][(*evidence, claim.modality in WEAK)] += 1
    return dict(lines)


def shown_lines(oracle: Oracle, data: dict[str, Any]) -> dict[tuple[str, str, str], Counter]:
    shown: dict[tuple[str, str, str], Counter] = {}
    for e in data["edges"]:
        relation = e["relation"]
        # Drawn the way it reads: subject to object, or object to subject under its inverse's words.
        if e["inverse"]:
            assert (e["from"], e["to"], e["label"]) == (e["object"], e["subject"], INVERSE_WORDS[relation]), e["id"]
        else:
            label = oracle.label(WM + relation.split(":", 1)[1])
            assert (e["from"], e["to"], e["label"]) == (e["subject"], e["object"], label), e["id"]
        evidence = Counter(
            (c["stance"], c["modality"], c["cue"], quotes_of(c["quotes"]), c["weak"]) for c in e["claims"]
        )
        key = (e["subject"], relation, e["object"])
        assert key not in shown, f"two lines for {key}"
        shown[key] = evidence
    return shown


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_overview_line_is_a_relation_of_the_graph_drawn_the_way_it_reads_with_all_its_claims(oracle, overview):
    shown, expected = shown_lines(oracle, overview), expected_lines(oracle)
    assert set(shown) == set(expected), {
        "not in the graph": set(shown) - set(expected),
        "missing": set(expected) - set(shown),
    }
    wrong = {k: (shown[k], expected[k]) for k in expected if shown[k] != expected[k]}
    assert not wrong, f"{len(wrong)} lines carry other claims than the graph's, e.g. {next(iter(wrong.items()))}"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_first_overview_shows_every_erosion_and_the_government_that_introduced_each_reform(oracle, overview):
    first = {(e["subject"], e["relation"], e["object"]) for e in overview["edges"] if e["core"]}
    first &= {k for k in first if k[1] in overview["defaults"]}
    argued = {k for k in expected_lines(oracle) if k[1] in ("wm:erodes", "wm:institutionalises")}
    assert argued <= first, f"not drawn at first: {argued - first}"
    ends = {e for s, _r, o in argued for e in (s, o)}
    governments = {c.object for c in oracle.claims.values() if c.relation == WM + "introducedBy"}
    introduced = {
        k for k in expected_lines(oracle) if k[1] == "wm:introducedBy" and k[0] in ends and k[2] in governments
    }
    assert introduced and introduced <= first, f"not drawn at first: {introduced - first}"
    # Claims of continuity wait behind their switch, counted in the legend's summary.
    continuity = {k: v for k, v in expected_lines(oracle).items() if k[1] == "wm:claimsContinuity"}
    assert "wm:claimsContinuity" not in overview["defaults"]
    summary = overview["continuity"]
    assert summary["lines"] == len(continuity)
    assert summary["quotes"] == sum(len(q) for c in continuity.values() for (*_e, q, _w) in c.elements())
    assert summary["claimants"] == len({s for s, _r, _o in continuity})


def panel_expected(oracle: Oracle, iri: str) -> Counter:
    found: Counter = Counter()
    for item, info in oracle.words.get(iri, {}).items():
        supports = frozenset(
            (
                "" if c.subject else c.label,
                oracle.label(c.subject),
                oracle.label(c.relation),
                oracle.label(c.object),
                oracle.label(c.stance),
                oracle.certainty(c),
            )
            for c in oracle.supported_by(item)
        )
        found[(quotes_of(info["quotes"]), supports)] += 1
    return found


def panel_shown(words: list[dict[str, Any]]) -> Counter:
    return Counter(
        (
            quotes_of(w["quotes"]),
            frozenset(
                (c["proposition"], c["subject"], c["relation"], c["object"], c["stance"], c["certainty"])
                for c in w["supports"]
            ),
        )
        for w in words
    )


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_each_overview_node_carries_the_words_the_article_attributes_to_it(oracle, overview):
    wrong = {}
    for node in overview["nodes"]:
        shown, expected = panel_shown(node["words"]), panel_expected(oracle, node["id"])
        if shown != expected:
            wrong[node["id"]] = (shown, expected)
    assert not wrong, f"{len(wrong)} nodes' words differ from the graph, e.g. {next(iter(wrong.items()))}"
    coalition = next(n for n in overview["nodes"] if n["id"] == WMR + "coalition-government-2010-2015")
    assert coalition["words"]  # the Coalition's own words: "will remain unchanged" ...


# --- the network explorer -------------------------------------------------------------------------------


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_network_line_is_one_claim_of_the_graph_with_its_stance_and_hedge(oracle, kg, network):
    data = page_data(network, entity_base="/id/", words=all_words(local_runner(kg)))
    drawn = {e["id"]: (e["from"], e["to"]) for e in data["edges"]}
    shown: Counter = Counter()
    for edge_id, info in data["edgeInfo"].items():
        assert drawn[edge_id] == (info["from"], info["to"]), f"{edge_id} is drawn against its relation"
        hedge = info["hedge"] or "asserted"
        shown[
            (
                info["from"],
                info["relation"],
                info["to"],
                info["claim"],
                info["stance"],
                hedge,
                quotes_of(info["quotes"]),
            )
        ] += 1
    expected = Counter(
        (
            c.subject,
            curie_of(c.relation),
            c.object,
            c.iri,
            oracle.label(c.stance),
            oracle.certainty(c),
            quotes_of(c.quotes),
        )
        for c in oracle.claims.values()
        if drawable(oracle, c)
    )
    assert shown == expected, {"not in the graph": shown - expected, "missing": expected - shown}
    wrong = {n: info for n, info in data["nodeInfo"].items() if panel_shown(info["words"]) != panel_expected(oracle, n)}
    assert not wrong, f"{len(wrong)} nodes' words differ from the graph"


# --- the timeline --------------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    year, month, day = (re.match(r"(\d{4})(?:-(\d\d))?(?:-(\d\d))?", str(value)).groups() + (None, None))[:3]
    return dt.date(int(year), int(month or 1), int(day or 1))


def _year(when: dt.date) -> float:
    return when.year + (when.timetuple().tm_yday - 1) / 366


def expected_places(oracle: Oracle) -> dict[str, tuple[float, float, bool] | None]:
    """Reform → (first year, last year, dated) where the timeline must put it; None: no date, no government."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in oracle.rows("reform-times"):
        rows[str(row["thing"])].append(row)
    places: dict[str, tuple[float, float, bool] | None] = {}
    for thing, found in rows.items():
        own = _date(next((r["date"] or r["start"] for r in found if r["date"] or r["start"]), None))
        end = _date(next((r["end"] for r in found if r["end"]), None))
        if own is not None:
            places[thing] = (_year(own), _year(end) if end else _year(own), True)
            continue
        spans = [r for r in found if r["time"] is not None and r["timeStart"] is not None]
        governments = [r for r in spans if str(r["timeKind"]) == WM + "Government"] or spans
        if not governments:
            places[thing] = None
            continue
        first = min(_year(_date(r["timeStart"])) for r in governments)
        last = max(_year(_date(r["timeEnd"])) if r["timeEnd"] else 2017.0 for r in governments)
        places[thing] = (first, last, False)
    return places


def axis(root: ET.Element) -> list[tuple[float, float]]:
    """(x, year) of the timeline's year ticks, read from the picture itself."""
    ticks = []
    for group in root.iter(SVG + "g"):
        if group.get("class") == "axis":
            for text in group.iter(SVG + "text"):
                if re.fullmatch(r"\d{4}", text.text or ""):
                    ticks.append((float(text.get("x")), float(text.text)))
    return sorted(ticks)


def year_at(ticks: list[tuple[float, float]], x: float) -> float:
    for (x0, y0), (x1, y1) in zip(ticks, ticks[1:], strict=False):
        if x <= x1 or (x1, y1) == ticks[-1]:
            return y0 + (x - x0) / (x1 - x0) * (y1 - y0)
    raise AssertionError("no axis")


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_timeline_puts_each_reform_at_its_own_date_or_over_its_own_governments_span(oracle, kg, network):
    root = ET.fromstring(timeline_svg(kg, network, entity_base="/id/"))
    ticks = axis(root)
    places = expected_places(oracle)
    shown: dict[str, tuple[float, float, bool, str]] = {}
    for anchor in root.iter(SVG + "a"):
        rect = anchor.find(SVG + "rect")
        if rect is None or "reform" not in rect.get("class", "").split():
            continue
        x0, width = float(rect.get("x")), float(rect.get("width"))
        label = " ".join(t.text or "" for t in anchor.iter(SVG + "text"))
        iri = WMR + anchor.get("href")[len("/id/") :]
        shown[iri] = (year_at(ticks, x0), year_at(ticks, x0 + width), "undated" not in label, label)
    undated_line = " ".join(
        t.text or "" for t in root.iter(SVG + "text") if "No date and no government" in (t.text or "")
    )
    wrong = {}
    for iri, (first, last, dated, _label) in shown.items():
        place = places.get(iri)
        if place is None:
            wrong[iri] = "drawn at a time the graph does not give it"
            continue
        if dated != place[2] or abs(first - place[0]) > 0.2 or (not dated and abs(last - place[1]) > 0.2):
            wrong[iri] = {"shown": (round(first, 1), round(last, 1), dated), "graph": place}
    in_network = {n for n in network if n in places}
    missing = {n for n in in_network if n not in shown and places[n] is not None}
    unlisted = {n for n in in_network if places[n] is None and network.nodes[n]["label"] not in undated_line}
    assert not wrong and not missing and not unlisted, {"wrong": wrong, "missing": missing, "unlisted": unlisted}


def test_new_labours_delivery_unit_is_drawn_over_new_labours_years_not_the_coalitions(kg, network):
    # The Coalition abolished it, and the timeline drew it inside the Coalition's span.
    root = ET.fromstring(timeline_svg(kg, network, entity_base="/id/"))
    ticks = axis(root)
    [rect] = [
        a.find(SVG + "rect") for a in root.iter(SVG + "a") if a.get("href") == "/id/prime-ministers-delivery-unit"
    ]
    first, last = year_at(ticks, float(rect.get("x"))), year_at(ticks, float(rect.get("x")) + float(rect.get("width")))
    assert 1997 <= first < 1998 and 2010 <= last < 2011 and "undated" in rect.get("class")


# --- the article reader -----------------------------------------------------------------------------------

RELATION_CLASSES = {
    WM + "erodes": "erodes",
    WM + "institutionalises": "institutionalises",
    WM + "claimsContinuity": "continuity",
}
STANCE_CLASSES = {
    WM + "AuthorArgument": "author",
    WM + "ActorClaim": "actor",
    WM + "CitedLiterature": "cited",
    WM + "ArticleData": "data",
}


def squeeze(text: str) -> str:
    """Text compared as quotes are matched, and with no white space at all (a quote may run over lines)."""
    folded = text.translate(str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'}))
    return re.sub(r"\s+", "", folded)


def texts(node: ET.Element, claims: tuple[str, ...] = ()) -> Any:
    """(text, the claims whose marks enclose it) for every piece of text, in document order."""
    if node.tag == "mark" and node.get("data-claim"):
        claims = (*claims, node.get("data-claim"))
    if node.text:
        yield node.text, claims
    for child in node:
        yield from texts(child, claims)
        if child.tail:
            yield child.tail, claims


def marked_text(root: ET.Element) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """Claim → the runs of text its marks cover (in document order), and claim → its marks' classes."""
    runs: dict[str, list[str]] = defaultdict(list)
    last: dict[str, int] = {}
    position = 0
    for text, claims in texts(root):
        if not text.strip():
            continue  # the white space between paragraphs does not end a quote that runs over lines
        position += 1
        for claim in claims:
            if last.get(claim) == position - 1:
                runs[claim][-1] += text
            else:
                runs[claim].append(text)
            last[claim] = position
    classes: dict[str, set[str]] = defaultdict(set)
    for mark in root.iter("mark"):
        if mark.get("data-claim"):
            classes[mark.get("data-claim")].add(mark.get("class", ""))
    return runs, classes


@pytest.fixture(scope="module")
def article_page(kg) -> str:
    return render_article(kg)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_each_mark_of_the_article_covers_its_claims_quote_and_says_its_relation_stance_and_hedge(oracle, article_page):
    root = parse_html(article_page)
    article = one_by_id(root, "wmkg-article")
    runs, classes = marked_text(article)
    wrong = {}
    for claim in oracle.claims.values():
        if not claim.spans:
            continue
        shown = "".join(squeeze(r) for r in runs.get(claim.iri, []))
        expected = "".join(squeeze(quote) for _start, _end, quote in sorted(claim.located))
        relation = "rel-" + RELATION_CLASSES.get(claim.relation, "other")
        stance = "stance-" + STANCE_CLASSES.get(claim.stance, "other")
        looks = {frozenset(c.split()) for c in classes.get(claim.iri, set())}
        want = frozenset({relation, stance} | ({"weak"} if claim.modality in WEAK else set()))
        if shown != expected or looks != {want}:
            wrong[claim.iri] = {"shown": (shown, looks), "graph": (expected, want)}
    assert not wrong, f"{len(wrong)} claims marked otherwise than the graph says, e.g. {next(iter(wrong.items()))}"
    assert set(classes) <= set(oracle.claims), "a mark for something that is not a claim"


def one_by_id(root: ET.Element, ident: str) -> ET.Element:
    return next(e for e in root.iter() if e.get("id") == ident)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_article_readers_claim_panels_say_what_the_graph_says(oracle, article_page):
    data = json.loads(
        re.search(r'<script type="application/json" id="wmkg-claims">(.*?)</script>', article_page, re.S).group(1)
    )
    wrong = {}
    for iri, claim in oracle.claims.items():
        shown = data.get(iri)
        # A proposition is shown by what it says; a relation by its subject, relation and object.
        ends = (oracle.label(claim.subject), oracle.label(claim.relation), oracle.label(claim.object))
        expected = {
            "proposition": "" if claim.subject else claim.label,
            "subject": ends[0] if claim.subject else "",
            "relation": ends[1] if claim.subject else "",
            "object": ends[2] if claim.subject else "",
            "stance": oracle.label(claim.stance),
            "modality": modality_words(oracle, claim),
            "cue": claim.cue,
            "quotes": quotes_of(claim.quotes),
        }
        got = shown and {
            "proposition": shown.get("proposition", ""),
            "subject": shown["subject"]["label"],
            "relation": shown["relation"],
            "object": shown["object"]["label"],
            "stance": shown["stance"],
            "modality": shown["modality"],
            "cue": shown["cue"],
            "quotes": quotes_of(shown["quotes"]),
        }
        if got != expected:
            wrong[iri] = (got, expected)
    assert not wrong, f"{len(wrong)} claim panels differ from the graph, e.g. {next(iter(wrong.items()))}"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_article_shows_no_conversion_leftovers_and_headings_as_written(oracle, article_page):
    root = parse_html(article_page)
    article = one_by_id(root, "wmkg-article")
    text = text_of(article)
    assert "[bookmark" not in text  # six "[bookmark: …]" leftovers of the conversion from Word
    headings = [text_of(h) for h in article.iter("h3")]
    sections = sorted((int(r["start"]), str(r["label"])) for r in oracle.rows("sections"))
    source = oracle.kg.project.article_text()
    for start, label in sections:
        line = source[start:].split("\n", 1)[0]
        # The heading the text prints, or the section's label where it prints none (the introduction).
        assert (plain(line) if start == 0 or plain(line) == plain(label) else label) in headings, label
    paragraphs = [text_of(p) for p in article.iter("p")]
    intro = next(start for start, label in sections if label == "Introduction")
    assert plain(source[intro:].split("\n", 1)[0]) in paragraphs  # its first paragraph is a paragraph
