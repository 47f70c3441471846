"""The wmkg command: clear one-line errors, no tracebacks, the exit codes a shell sees.

What a command answers is asked in this process (``support.wmkg``: the same app, its errors written as
``main`` writes them); each kind of failure a user meets (a user error, a file that does not parse, a
validation that fails) is also run as the real process, whose exit status and stderr the shell sees.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import DATA, REPO, run_wmkg, wmkg

# The real `wmkg` in subprocesses, and the CLI in process on a store built each test: the slow tier.
pytestmark = pytest.mark.slow


def test_validate_passes_on_the_valid_slice(mini_root: Path) -> None:
    done = wmkg("--root", str(mini_root), "validate")
    assert done.returncode == 0, done.stderr
    assert "valid: 5 quotes checked" in done.stdout


def test_a_named_query_prints_json_results(mini_root: Path) -> None:
    done = wmkg("--root", str(mini_root), "query", "reforms-eroding-conventions", "-f", "json")
    assert done.returncode == 0, done.stderr
    bindings = json.loads(done.stdout)["results"]["bindings"]
    assert any(b["reform"]["value"].endswith("/npm") for b in bindings)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", "nope"], 3, "unknown query 'nope'; known queries:"),
        (["query", "--sparql", "SELECT * WHERE { ?s ?p }"], 3, "SPARQL syntax error at line"),
        (["query", "--sparql", "DROP ALL"], 3, "updates are refused"),
        (["query", "entity"], 4, "needs parameter 'entity'"),
        (["query", "entity", "-p", "colour=red"], 4, "has no parameter 'colour'"),
        (["query", "entity", "-p", "entity"], 4, "--param takes key=value"),
        (["export", "--format", "docx"], 3, "unknown export format 'docx'"),
    ],
)
def test_user_errors_are_one_line_without_traceback(mini_root: Path, args: list[str], code: int, message: str) -> None:
    done = wmkg("--root", str(mini_root), *args)  # any other exception than a user error is raised here
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert done.stderr.count("\n") == 1 and done.stdout == ""


def test_a_user_error_exits_3_with_one_line_in_the_real_process(mini_root: Path) -> None:
    done = run_wmkg("--root", str(mini_root), "query", "nope")
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("error: unknown query 'nope'; known queries:") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_malformed_turtle_names_file_and_line_and_writes_nothing(mini_root: Path, tmp_path: Path) -> None:
    bad = mini_root / "graph" / "claims" / "broken.ttl"
    bad.write_text("@prefix wmr: <https://w3id.org/westminster-kg/id/> .\n\nwmr:a wmr:b wmr:c ;\n  .\n]\n")
    target = tmp_path / "out.nq"
    done = run_wmkg("--root", str(mini_root), "export", "--format", "nquads", "-o", str(target))
    assert done.returncode == 2
    assert "graph/claims/broken.ttl:" in done.stderr
    assert "Traceback" not in done.stderr
    assert not target.exists()


def test_a_quote_not_in_the_article_fails_validation_naming_the_entity(mini_root: Path) -> None:
    claims = mini_root / "graph" / "claims" / "slice.ttl"
    claims.write_text(claims.read_text().replace("This change raises questions", "This change raised questions"))
    done = run_wmkg("--root", str(mini_root), "validate")
    assert done.returncode == 1
    assert "wmr:claim-ministers-appointing-permanent-secretaries-erodes-impartiality" in done.stderr
    assert "quote not found in the article" in done.stderr


def test_fmt_is_stable_and_keeps_the_graph(mini_root: Path) -> None:
    assert wmkg("--root", str(mini_root), "fmt").returncode == 0
    again = wmkg("--root", str(mini_root), "fmt", "--check")
    assert again.returncode == 0, again.stdout


@pytest.mark.docs
def test_the_wm_namespace_module_is_generated_from_the_ontology() -> None:
    done = run_wmkg("--root", str(REPO), "dev", "vocab", "--check")
    assert done.returncode == 0, done.stderr


def test_a_typo_in_a_wm_term_raises() -> None:
    from westminster_kg.namespaces import WM

    assert str(WM.erodes).endswith("#erodes")
    with pytest.raises(AttributeError):
        WM.erodez  # noqa: B018 - the access itself is the test


def test_stats_counts_classes_and_relations(mini_root: Path) -> None:
    done = wmkg("--root", str(mini_root), "stats")
    assert done.returncode == 0, done.stderr
    assert "wm:Claim" in done.stdout and "wm:erodes" in done.stdout
    from rdflib import Graph

    from westminster_kg import KnowledgeGraph

    stats = KnowledgeGraph.load(mini_root).stats()
    # Counted again from the slice file itself, by SPARQL over rdflib: plain triples and claim nodes.
    slice_graph = Graph().parse(DATA / "valid" / "slice.ttl")
    prefix = "PREFIX wm: <https://w3id.org/westminster-kg/ontology#> "
    for relation, query in (
        ("wm:erodes", "SELECT (COUNT(*) AS ?n) WHERE { ?s wm:erodes ?o }"),
        ("wm:claimsContinuity", "SELECT (COUNT(*) AS ?n) WHERE { ?s wm:claimsContinuity ?o }"),
        ("wm:Claim", "SELECT (COUNT(*) AS ?n) WHERE { ?c a wm:Claim }"),
    ):
        expected = int(next(iter(slice_graph.query(prefix + query)))[0])
        found = stats["classes" if relation == "wm:Claim" else "relations"][relation]
        assert found == expected >= 1, relation


def test_query_results_become_a_dataframe(mini_root: Path) -> None:
    pytest.importorskip("pandas")
    from westminster_kg import KnowledgeGraph

    frame = KnowledgeGraph.load(mini_root).query("reforms-eroding-conventions").to_dataframe()
    assert list(frame.columns)[:2] == ["reform", "reformLabel"]
    assert "New Public Management" in set(frame["reformLabel"])


@pytest.mark.docs
def test_every_command_is_documented_in_the_readme() -> None:
    import typer.main

    from westminster_kg.cli import app

    readme = (REPO / "README.md").read_text()
    group = typer.main.get_command(app)
    names = []
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        names += [f"wmkg {name} {sub}" for sub in subcommands] if subcommands else [f"wmkg {name}"]
    missing = [n for n in names if n not in readme and not n.startswith("wmkg dev")]
    assert missing == []


@pytest.mark.docs
def test_every_evidenced_relation_is_explained_in_the_curation_guide() -> None:
    from rdflib import Graph
    from rdflib.namespace import RDF

    from westminster_kg.namespaces import WM

    ontology = Graph().parse(REPO / "ontology" / "westminster.ttl")
    guide = (REPO / "docs" / "curation.md").read_text()
    relations = sorted(str(p).removeprefix(str(WM)) for p in ontology.subjects(RDF.type, WM.EvidencedRelation))
    assert [r for r in relations if f"wm:{r}" not in guide] == []


def test_serve_options_are_generated_from_the_settings_fields() -> None:
    # Settings declares each option once (help, flag, default); wmkg serve's options come from it.
    import dataclasses

    import typer.main

    from westminster_kg.cli import app
    from westminster_kg.web.settings import Settings

    serve = typer.main.get_command(app).get_command(None, "serve")  # type: ignore[union-attr]
    by_name = {p.name: p for p in serve.params}
    offered = [f for f in dataclasses.fields(Settings) if "help" in f.metadata]
    assert offered and {f.name for f in offered} <= set(by_name)
    for setting in offered:
        assert by_name[setting.name].help == setting.metadata["help"]
        if setting.default is not dataclasses.MISSING:
            assert by_name[setting.name].default == setting.default, setting.name
    context = serve.make_context("serve", ["--query-timeout", "3.5", "--cors", "https://a.example", "--cors", "*"])
    assert context.params["query_timeout"] == 3.5 and list(context.params["cors_origins"]) == ["https://a.example", "*"]
    assert context.params["workers"] is None  # one per CPU, computed when the server starts
