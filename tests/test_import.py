"""Imports: each dataset in its own graph, all or nothing, never touching the article's graphs;
the worked example joins an imported table of ministers with the article's reforms."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef
from support import DATA, REPO, run_wmkg, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.errors import InputError
from westminster_kg.link import (
    accept_candidates,
    candidates_tsv,
    check_links,
    drop_import,
    import_dataset,
    link_candidates,
    void_description,
)
from westminster_kg.namespaces import GRAPH_ARTICLE, GRAPH_IMPORT, VOID, WMR
from westminster_kg.project import Project

IMPORTS = DATA / "import"
MINISTERS = IMPORTS / "ministers.csv"
MAPPING = IMPORTS / "ministers.toml"


# Imports through the CLI, and kill -9 during an import: the slow tier.
pytestmark = pytest.mark.slow


def snapshot(root: Path) -> Counter[tuple]:
    """Every quad of the project as the store loads it (blank nodes blanked: they differ per load)."""
    return Counter(
        tuple("_:b" if isinstance(t, BNode) else t for t in quad) for quad in KnowledgeGraph.load(root).store.quads()
    )


def repo_copy(target: Path, *, links: bool = True) -> Path:
    """The real graph (entities, claims, links) in a scratch folder, imports of its own."""
    for folder in ("ontology", "queries"):
        shutil.copytree(REPO / folder, target / folder)
    for folder in ("sources", "entities", "claims", "tables") + (("links",) if links else ()):
        if (REPO / "graph" / folder).is_dir():
            shutil.copytree(REPO / "graph" / folder, target / "graph" / folder)
    return target


# --- bad input changes nothing -------------------------------------------------------------------


def test_a_malformed_turtle_file_is_named_with_its_line_and_nothing_is_written(mini_root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', encoding="utf-8")
    before = snapshot(mini_root)
    with pytest.raises(InputError, match=r"bad\.ttl:3: "):
        import_dataset(Project.open(mini_root), bad, "bad")
    assert not (mini_root / "imports").exists()
    assert snapshot(mini_root) == before


def test_a_malformed_file_from_the_command_line_is_one_line_without_traceback(mini_root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text(
        "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"
        "<https://example.org/a> <https://example.org/b> .\n",
        encoding="utf-8",
    )
    result = run_wmkg("--root", str(mini_root), "import", str(bad), "--graph", "bad")
    assert result.returncode == 2
    assert "bad.nt:2:" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_csv_whose_row_7_is_bad_writes_nothing_with_strict_and_keeps_the_previous_import(mini_root: Path) -> None:
    project = Project.open(mini_root)
    import_dataset(project, MINISTERS, "ministers", mapping=MAPPING)
    previous = (mini_root / "imports" / "ministers.nq").read_bytes()
    before = snapshot(mini_root)
    with pytest.raises(InputError) as caught:
        import_dataset(project, IMPORTS / "ministers-bad-row-7.csv", "ministers", mapping=MAPPING, strict=True)
    message = str(caught.value)
    assert "ministers-bad-row-7.csv:8: row 7, column 'start_date'" in message
    assert "'2015-13-11' is not a valid xsd:date" in message
    assert (mini_root / "imports" / "ministers.nq").read_bytes() == previous
    assert snapshot(mini_root) == before
    assert [p.name for p in (mini_root / "imports").iterdir()] == ["ministers.nq"]  # no temp file left


def test_without_strict_the_bad_row_is_left_out_and_listed_and_the_others_import(mini_root: Path) -> None:
    result = import_dataset(Project.open(mini_root), IMPORTS / "ministers-bad-row-7.csv", "ministers", mapping=MAPPING)
    assert result.warnings[0].startswith("1 unreadable record(s) left out")
    assert (
        "ministers-bad-row-7.csv:8: row 7, column 'start_date': '2015-13-11' is not a valid xsd:date"
        in result.warnings[1]
    )
    subjects = {q.subject.value for q in ox.parse(path=str(result.path), format=ox.RdfFormat.N_QUADS)}
    assert "https://example.org/ministers/appointment/6" in subjects
    assert "https://example.org/ministers/appointment/7" not in subjects


def test_data_addressed_to_the_article_graph_is_refused(mini_root: Path, tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.nq"
    sneaky.write_text(
        f'<https://example.org/a> <https://example.org/b> "x" <https://example.org/g> .\n'
        f'<{WMR["haldane-convention"]}> <http://www.w3.org/2000/01/rdf-schema#label> "Renamed" <{GRAPH_ARTICLE}> .\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="refused"):
        import_dataset(Project.open(mini_root), sneaky, "sneaky")
    assert not (mini_root / "imports").exists()


def test_an_import_never_changes_the_article_graph(mini_root: Path) -> None:
    def article(root: Path) -> Counter[tuple]:
        return Counter({q: n for q, n in snapshot(root).items() if str(q[3]) == GRAPH_ARTICLE})

    before = article(mini_root)
    import_dataset(Project.open(mini_root), MINISTERS, "ministers", mapping=MAPPING)
    assert article(mini_root) == before


@pytest.mark.parametrize("name", ["Ministers", "with space", "../escape", "a--b", "", "x" * 65])
def test_graph_names_must_be_lower_case_slugs(mini_root: Path, name: str) -> None:
    with pytest.raises(InputError, match="graph name"):
        import_dataset(Project.open(mini_root), MINISTERS, name, mapping=MAPPING)


def test_a_csv_of_unknown_columns_without_a_mapping_or_with_a_missing_column_is_refused(
    mini_root: Path, tmp_path: Path
) -> None:
    project = Project.open(mini_root)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown\.csv: no well-known column names .*give --mapping"):
        import_dataset(project, unknown, "unknown")
    short = tmp_path / "short.csv"
    short.write_text("id,minister_id\n1,a\n", encoding="utf-8")
    with pytest.raises(InputError, match="reads column"):
        import_dataset(project, short, "short", mapping=MAPPING)
    assert not (mini_root / "imports" / "unknown.nq").exists()


def test_a_json_mapping_works_like_the_toml_one_and_a_broken_mapping_names_its_line(
    mini_root: Path, tmp_path: Path
) -> None:
    import json
    import tomllib

    as_json = tmp_path / "ministers.json"
    as_json.write_text(json.dumps(tomllib.loads(MAPPING.read_text(encoding="utf-8")), indent=1), encoding="utf-8")
    project = Project.open(mini_root)
    assert import_dataset(project, MINISTERS, "ministers", mapping=as_json).triples == 83
    broken = tmp_path / "broken.toml"
    broken.write_text('[[resources]]\nsubject = "ex:{id}"\nclass = \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.toml:3: "):
        import_dataset(project, MINISTERS, "ministers", mapping=broken)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('[[resources]]\nsubject = "nope:{id}"\n', encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"unknown\.toml: resources #1, subject: 'nope:\{id\}' is neither a known prefix:name nor an IRI",
    ):
        import_dataset(project, MINISTERS, "ministers", mapping=unknown)


def test_kill_9_during_an_import_leaves_the_previous_file_intact(mini_root: Path, tmp_path: Path) -> None:
    """A real `wmkg import` process is killed with SIGKILL while it writes; the old file survives."""
    project = Project.open(mini_root)
    small = tmp_path / "small.nt"
    small.write_text('<https://example.org/s> <https://example.org/p> "old" .\n', encoding="utf-8")
    import_dataset(project, small, "big")
    target = mini_root / "imports" / "big.nq"
    old = target.read_bytes()

    big = tmp_path / "big.nt"
    lines = 100_000  # enough that the import is still writing when it is killed
    with big.open("w", encoding="utf-8") as handle:
        for i in range(lines):
            handle.write(f'<https://example.org/s{i}> <https://example.org/p> "value {i} of a long import" .\n')
    caught_mid_write = 0
    for delay in (None, 0.5, 1.5):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "westminster_kg.cli",
                "--root",
                str(mini_root),
                "import",
                str(big),
                "--graph",
                "big",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started = time.monotonic()
        stale = {p.name for p in target.parent.iterdir()}  # temp files of killed earlier rounds
        while process.poll() is None and time.monotonic() - started < 60:
            writing = any(p.name.startswith(".big.nq.") and p.name not in stale for p in target.parent.iterdir())
            if (delay is None and writing) or (delay is not None and time.monotonic() - started >= delay):
                caught_mid_write += writing
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.001)
        process.wait(timeout=60)
        content = target.read_bytes()
        # Either the old file or the complete new one: never a part.
        assert content == old or content.count(b"\n") == lines
        if content != old:
            import_dataset(project, small, "big")  # put the old one back for the next round
    quads = snapshot(mini_root)
    assert any(str(g) == GRAPH_IMPORT + "big" for *_, g in quads)
    assert caught_mid_write >= 1, "no kill landed while the import was writing: the test proved nothing"


def test_files_over_the_in_memory_bound_import_through_an_on_disk_store_removed_after_it(
    mini_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same import in memory and through a temporary on-disk store: the same quads; the folder is
    gone after a good import and after a refused one, and the refused one leaves the previous file."""
    from contextlib import contextmanager

    from westminster_kg.link.importers import dataset
    from westminster_kg.store.temporary import temporary_folder

    project = Project.open(mini_root)
    in_memory = import_dataset(project, MINISTERS, "ministers", mapping=MAPPING)
    memory_quads = ox.Store()
    memory_quads.bulk_load(path=str(in_memory.path), format=ox.RdfFormat.N_QUADS)
    folders: list[Path] = []

    @contextmanager
    def recorded(kind: str, directory: Path | None = None) -> Iterator[Path]:
        with temporary_folder(kind, tmp_path) as folder:
            folders.append(folder)
            yield folder

    monkeypatch.setattr(dataset, "temporary_folder", recorded)
    monkeypatch.setattr(dataset, "IN_MEMORY_BYTES", MINISTERS.stat().st_size - 1)
    on_disk = import_dataset(project, MINISTERS, "ministers", mapping=MAPPING)
    assert len(folders) == 1 and not folders[0].exists()
    disk_quads = ox.Store()
    disk_quads.bulk_load(path=str(on_disk.path), format=ox.RdfFormat.N_QUADS)
    assert set(disk_quads) == set(memory_quads) and on_disk.triples == in_memory.triples
    before = on_disk.path.read_bytes()
    bad = tmp_path / "bad.nt"
    bad.write_bytes(MINISTERS.read_bytes())  # over the bound, and not N-Triples
    with pytest.raises(InputError, match=r"bad\.nt:1: "):
        import_dataset(project, bad, "ministers")
    assert len(folders) == 2 and not folders[1].exists()
    assert on_disk.path.read_bytes() == before


# --- formats ---------------------------------------------------------------------------------------


def test_json_ld_goes_into_its_own_graph(mini_root: Path, tmp_path: Path) -> None:
    data = tmp_path / "people.jsonld"
    data.write_text(
        '{"@context": {"name": "http://xmlns.com/foaf/0.1/name", "ex": "https://example.org/"},\n'
        ' "@graph": [{"@id": "ex:p1", "@type": "http://xmlns.com/foaf/0.1/Person", "name": "Example Person"}]}\n',
        encoding="utf-8",
    )
    result = import_dataset(Project.open(mini_root), data, "people")
    assert result.triples == 2 and not result.replaced
    kg = KnowledgeGraph.load(mini_root)
    rows = kg.run(f"SELECT ?n WHERE {{ GRAPH <{GRAPH_IMPORT}people> {{ ?p foaf:name ?n }} }}").rows
    assert [str(r[0]) for r in rows] == ["Example Person"]


def test_json_ld_with_a_remote_context_is_refused_rather_than_fetched(mini_root: Path, tmp_path: Path) -> None:
    data = tmp_path / "remote.jsonld"
    data.write_text(
        '{"@context": "https://schema.org/", "@id": "https://example.org/a", "name": "A"}', encoding="utf-8"
    )
    with pytest.raises(InputError, match="remote JSON-LD contexts are not fetched"):
        import_dataset(Project.open(mini_root), data, "remote")


def test_turtle_and_n_quads_round_trip_through_an_import(mini_root: Path, tmp_path: Path) -> None:
    turtle = tmp_path / "t.ttl"
    turtle.write_text('@prefix ex: <https://example.org/> .\nex:a ex:b ex:c , "lit"@en .\n', encoding="utf-8")
    project = Project.open(mini_root)
    import_dataset(project, turtle, "t")
    nquads = tmp_path / "again.nq"
    shutil.copy(mini_root / "imports" / "t.nq", nquads)
    assert import_dataset(project, nquads, "t").triples == 2  # its own graph is allowed back in
    quads = list(ox.parse(path=str(mini_root / "imports" / "t.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == 2 and {q.graph_name.value for q in quads} == {GRAPH_IMPORT + "t"}


def test_drop_removes_the_graph_and_an_unknown_name_lists_the_imports(mini_root: Path) -> None:
    project = Project.open(mini_root)
    import_dataset(project, MINISTERS, "ministers", mapping=MAPPING)
    with pytest.raises(InputError, match=r"no import named 'other' \(imports: ministers\)"):
        drop_import(project, "other")
    result = wmkg("--root", str(mini_root), "import", "--drop", "ministers")
    assert result.returncode == 0, result.stderr
    assert not any(str(g).startswith(GRAPH_IMPORT) for *_, g in snapshot(mini_root))


# --- the worked example ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = repo_copy(tmp_path_factory.mktemp("joined"))
    result = wmkg("--root", str(root), "import", str(MINISTERS), "--graph", "ministers", "--mapping", str(MAPPING))
    assert result.returncode == 0, result.stderr
    assert "83 triples" in result.stdout  # 69 as mapped, and the kind of each membership, role and organisation
    return root


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_the_imported_ministers_join_the_reforms_in_one_query(joined: Path, backend: str) -> None:
    kg = KnowledgeGraph.load(joined, backend=backend)
    if not kg.find("Departmental Business Plans"):
        pytest.skip("the curators' reforms are not in this checkout")
    rows = kg.query("ministers-in-office-at-reform", reform="departmental-business-plans").to_dicts()
    found = {(str(r["ministerName"]), str(r["departmentLabel"])) for r in rows}
    assert found == {
        ("Example Minister A", "Department for Work and Pensions"),
        ("Example Minister B", "Department for Work and Pensions"),
        ("Example Minister C", "Cabinet Office"),
    }
    assert all(str(r["governmentLabel"]).startswith("Coalition") for r in rows)


def test_without_an_import_the_join_query_answers_nothing(mini_root: Path) -> None:
    assert KnowledgeGraph.load(mini_root).query("ministers-in-office-at-reform").rows == []


# --- link candidates -----------------------------------------------------------------------------------


def test_candidates_propose_our_departments_for_the_imported_organisations_and_accepting_links_them(
    tmp_path: Path,
) -> None:
    root = repo_copy(tmp_path / "nolinks", links=False)
    project = Project.open(root)
    import_dataset(project, MINISTERS, "ministers", mapping=MAPPING)
    kg = KnowledgeGraph.load(root)
    candidates = link_candidates(kg, "ministers")
    pairs = {(str(c.ours), str(c.theirs)) for c in candidates}
    assert (str(WMR["cabinet-office"]), "urn:uuid:cf1ad370-166c-4263-9966-94a206be6354") in pairs
    assert all(c.score >= 0.85 for c in candidates)
    assert not any("example.org/ministers/person" in t for _, t in pairs)  # no person is a department

    reviewed = tmp_path / "reviewed.tsv"
    lines = candidates_tsv(candidates).splitlines()
    marked = [lines[0]] + [line + "yes" if "cabinet-office" in line.split("\t")[1] else line for line in lines[1:]]
    reviewed.write_text("\n".join(marked) + "\n", encoding="utf-8")
    added, target = accept_candidates(kg, "ministers", reviewed, today="2026-11-27")
    assert added == 1
    text = target.read_text(encoding="utf-8")
    assert "Accepted by curator, 2026-11-27" in text
    assert accept_candidates(kg, "ministers", reviewed)[0] == 0  # never twice

    relinked = KnowledgeGraph.load(root)
    assert check_links(relinked).ok
    void = void_description(relinked)
    linkset = URIRef("https://w3id.org/westminster-kg/dataset/linkset/import-ministers")
    assert int(void.value(linkset, VOID.triples)) == 1
    assert all(str(c.ours) != str(WMR["cabinet-office"]) for c in link_candidates(relinked, "ministers"))


def test_candidates_from_the_command_line_as_tsv_and_turtle(joined: Path, tmp_path: Path) -> None:
    result = wmkg("--root", str(joined), "link", "--candidates", "--graph", "ministers", "--threshold", "0.5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("score\tours\tour_label\ttheirs\ttheir_label\tkind\tmatch\treasons\taccept")
    out = tmp_path / "candidates.ttl"
    result = wmkg("--root", str(joined), "link", "--candidates", "--graph", "ministers", "-o", str(out))
    assert result.returncode == 0, result.stderr
    Graph().parse(out, format="turtle")
    missing = wmkg("--root", str(joined), "link", "--candidates", "--graph", "nothing-here")
    assert missing.returncode == 2 and "not loaded" in missing.stderr


def test_imported_iris_are_not_mistaken_for_ours(joined: Path) -> None:
    kg = KnowledgeGraph.load(joined)
    imported = {s for s, _, _, g in kg.store.quads() if str(g) == GRAPH_IMPORT + "ministers"}  # one pass
    subjects = {str(s) for s in imported}
    assert subjects and not any(s.startswith(str(WMR)) for s in subjects)
    assert URIRef("urn:uuid:cf1ad370-166c-4263-9966-94a206be6354") in imported
