"""The lexical view of a query the binder uses, and the raw-text shape budget every store applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from westminster_kg.errors import QueryError
from westminster_kg.sparql_text import MAX_SHAPE_COST, check_nesting, code_outside_literals, shape_cost
from westminster_kg.web.guard import service_targets


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ('SELECT * { ?s ?p "a { b" }', 'SELECT * { ?s ?p "     " }'),
        ("ASK { ?s ?p '''x\n'y' }''' }", "ASK { ?s ?p '''       ''' }"),
        ('ASK { ?s ?p "a\\"b" } # SERVICE {', 'ASK { ?s ?p "    " } ' + " " * len("# SERVICE {")),
        ("ASK { <http://a/#b> ?p ?o FILTER(1 < 2) }", "ASK { <http://a/#b> ?p ?o FILTER(1 < 2) }"),
        ('ASK { ?s ?p "open', 'ASK { ?s ?p "    '),
        ('ASK { ?s ?p "ends in a backslash\\', 'ASK { ?s ?p "                    '),
    ],
)
def test_strings_comments_are_blanked_and_iris_kept(query: str, code: str) -> None:
    assert code_outside_literals(query) == code


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@given(st.lists(st.sampled_from([*"<>#'\"\\\n {}()ab:?", '"""', "'''", "<http://x/>"])).map("".join))
def test_same_length_and_stable(query: str) -> None:
    code = code_outside_literals(query)
    assert len(code) == len(query)
    assert code_outside_literals(code) == code


def test_a_megabyte_literal_is_one_string() -> None:
    query = 'SELECT * WHERE { ?s ?p "' + "{ SERVICE <http://evil/> " * 40_000 + '" }'
    assert code_outside_literals(query).count("{") == 1


def test_the_shape_budget_counts_the_raw_text_so_no_reading_can_hide_a_bracket() -> None:
    # Brackets inside strings and comments count too: no lexical mis-reading can hide one.
    assert shape_cost('ASK { ?s ?p "((((((" }') == shape_cost("ASK { ?s ?p ((((((( }") - 2
    assert shape_cost("ASK { # {{{{\n }") == shape_cost("ASK { {{{{ }")
    with pytest.raises(QueryError, match="too many brackets"):
        check_nesting("ASK { { { ?s ?p ?o } } }", limit=12)
    check_nesting("ASK { { { ?s ?p ?o } } }", limit=18)


def test_the_whole_catalogue_fits_the_shape_budget_with_room_to_spare() -> None:
    from westminster_kg.catalogue import load_catalogue, with_prefixes

    catalogue = load_catalogue(Path(__file__).resolve().parents[1] / "queries")
    assert max(shape_cost(with_prefixes(q.sparql)) for q in catalogue.values()) < MAX_SHAPE_COST / 2


def test_service_keyword_at_the_end_of_a_longer_name_is_not_a_call() -> None:
    assert service_targets("PREFIX ex: <http://ex/> SELECT ?myservice WHERE { ?s ex:SERVICE ?myservice }") == []
    assert service_targets("SELECT * WHERE { SERVICE <http://a/> { ?s ?p ?o } }") == ["http://a/"]
