"""The lexical view of a query that the guard, the binder and the nesting check share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from westminster_kg.errors import QueryError
from westminster_kg.sparql_text import check_nesting, code_outside_literals
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


@given(st.lists(st.sampled_from([*"<>#'\"\\\n {}()ab:?", '"""', "'''", "<http://x/>"])).map("".join))
def test_same_length_and_stable(query: str) -> None:
    code = code_outside_literals(query)
    assert len(code) == len(query)
    assert code_outside_literals(code) == code


def test_a_megabyte_literal_is_one_string() -> None:
    query = 'SELECT * WHERE { ?s ?p "' + "{ SERVICE <http://evil/> " * 40_000 + '" }'
    assert code_outside_literals(query).count("{") == 1
    check_nesting(query, limit=1)
    assert service_targets(query) == []


def test_nesting_counts_brackets_outside_strings_only() -> None:
    check_nesting('ASK { ?s ?p "((((((" }', limit=1)
    with pytest.raises(QueryError, match="more than 2 deep"):
        check_nesting("ASK { { { ?s ?p ?o } } }", limit=2)


def test_service_keyword_at_the_end_of_a_longer_name_is_not_a_call() -> None:
    assert service_targets("SELECT ?myservice WHERE { ?s ex:SERVICE ?myservice }") == []
    assert service_targets("SELECT * WHERE { SERVICE <http://a/> { ?s ?p ?o } }") == ["http://a/"]
