"""Body sentences and their triage: claim-backed only when claims quote every word, role-marked, untriaged."""

from __future__ import annotations

from rdflib import Graph
from support import REPO

from westminster_kg.evidence import body_paragraphs, sections_from
from westminster_kg.sentences import body_sentences, covered_by, segment_spans, triage

ARTICLE = (REPO / "graph" / "sources" / "westminster-model-article.txt").read_text(encoding="utf-8")
SECTIONS = sections_from(Graph().parse(REPO / "graph" / "sources" / "article.ttl"))
SENTENCES = body_sentences(ARTICLE, SECTIONS)


def at(text: str) -> tuple[int, int]:
    start = ARTICLE.index(text)
    return start, start + len(text)


def test_body_sentences_start_after_the_title_and_leave_out_headings_and_table_cells() -> None:
    texts = [s.text(ARTICLE) for s in SENTENCES]
    assert texts[0].startswith("This article argues that the principle of indivisibility")
    assert not any(t.startswith(("Abstract", "Understanding Haldane", "TOTALS", "Education")) for t in texts)
    assert texts[-1].startswith("The drift away from the WM")


def test_the_introduction_has_no_heading_so_its_first_paragraph_is_body_text() -> None:
    texts = [s.text(ARTICLE) for s in SENTENCES]
    first = texts.index(next(t for t in texts if t.startswith("The story of the British Civil Service")))
    assert texts[first + 1].startswith("This dilemma can be refined by posing a more exacting question")


def test_an_endnote_is_its_own_sentence_and_editing_marks_are_not_text() -> None:
    texts = [s.text(ARTICLE) for s in SENTENCES]
    assert any(t.startswith("Reference to a Whitehall Model throughout") for t in texts)  # endnote 1
    assert "Theakston (1995: 46) captures the ‘formal or constitutional’ dimension of the model:" in texts
    assert not any(s.text(ARTICLE).startswith(("[bookmark", "]", "[endnoteRef")) for s in SENTENCES)


def test_a_list_number_belongs_to_the_sentence_it_numbers() -> None:
    seventh = [s for s in SENTENCES if s.text(ARTICLE).startswith("7.")]
    assert len(seventh) == 1 and "To address these issues" in seventh[0].text(ARTICLE)


def test_a_sentence_is_claim_backed_only_when_claims_quote_every_word_but_its_citation() -> None:
    sentence = "Thatcherism’s instincts were institutionalised through NPM."
    whole = at(sentence)
    part = at("instincts were institutionalised through NPM.")
    assert triage(ARTICLE, SECTIONS, [whole], []).states[whole] == "claim"
    assert triage(ARTICLE, SECTIONS, [part], []).states[whole] == "untriaged"
    cited = (
        "Crucial to this article is the way in which NPM undermined the traditional understanding"
        " of the role of the civil service"
    )
    full = at(cited + " (Rhodes 2005; Page 2010, Aucoin 2012).")
    assert triage(ARTICLE, SECTIONS, [at(cited)], []).states[full] == "claim"


def test_two_claims_quoting_two_halves_back_the_sentence_together() -> None:
    first, second = at("Such reforms are not"), at(" without contradiction.")
    whole = at("Such reforms are not without contradiction.")
    assert triage(ARTICLE, SECTIONS, [first, second], []).states[whole] == "claim"


def test_sentences_are_placed_where_pysbd_itself_places_them_in_every_paragraph() -> None:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    texts = [ARTICLE[p.start : p.end] for p in body_paragraphs(ARTICLE, SECTIONS)]
    texts += ["", "No full stop", "One.   Two?  Three!\n", "Dr. Smith came. Dr. Smith came.  Dr. Smith came."]
    for text in texts:
        assert segment_spans(text) == [(s.start, s.end) for s in segmenter.segment(text)], text[:60]


def test_offsets_are_covered_only_inside_spans_that_touch_or_overlap() -> None:
    assert covered_by([1, 4, 5, 8], [(6, 9), (0, 5), (4, 6)])
    assert not covered_by([1, 5], [(0, 5), (6, 9)])  # 5 is in no span
    assert not covered_by([5], [(0, 5), (5, 5)])  # an end is outside, an empty span covers nothing
    assert not covered_by([3], [])


def test_a_passage_marks_its_sentence_and_a_passage_on_half_a_sentence_is_stray() -> None:
    sentence = at("The intriguing question is why?")
    result = triage(ARTICLE, SECTIONS, [], [sentence, at("The intriguing question")])
    assert result.states[sentence] == "role"
    assert result.stray_passages == [at("The intriguing question")]


def test_a_role_marked_sentence_that_claims_back_too_is_reported_as_an_overlap() -> None:
    sentence = at("The intriguing question is why?")
    result = triage(ARTICLE, SECTIONS, [sentence], [sentence])
    assert result.states[sentence] == "claim" and result.overlapping == [sentence]


def test_a_sentence_that_is_only_a_citation_is_never_claim_backed() -> None:
    citation = at("(Cabinet Office 2012)")
    assert triage(ARTICLE, SECTIONS, [citation], []).states[citation] == "untriaged"


def test_every_state_adds_up_by_section() -> None:
    result = triage(ARTICLE, SECTIONS, [at("The intriguing question is why?")], [])
    assert sum(row.total for row in result.sections.values()) == result.total == len(SENTENCES)
    assert result.count("claim") == 1 and result.count("untriaged") == len(SENTENCES) - 1
