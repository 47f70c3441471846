"""Malformed input to the readers and to ``link --accept``: every case one clear error (or a warning
for a quirk the record survives), naming file and position, never a traceback, nothing written."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DATA, REPO, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.errors import InputError
from westminster_kg.link import accept_candidates, import_dataset
from westminster_kg.link.importers.csv_mapping import CELL_LIMIT
from westminster_kg.namespaces import WMR
from westminster_kg.project import Project

POPOLO = DATA / "popolo" / "ministers.json"
MINISTERS = DATA / "import" / "ministers.csv"
MAPPING = DATA / "import" / "ministers.toml"
BASE = "https://w3id.org/westminster-kg/import/ministers/"


def nothing_imported(root: Path) -> bool:
    return not (root / "imports").exists() or not list((root / "imports").glob("*.nq"))


# --- the Popolo reader ----------------------------------------------------------------------------------


def test_very_deep_json_nesting_is_one_error_naming_the_file(refusing_root: Path, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"persons": ' + "[" * 200_000 + "]" * 200_000 + "}", encoding="utf-8")
    with pytest.raises(InputError, match=r"deep\.json: JSON nested too deeply to read"):
        import_dataset(Project.open(refusing_root), deep, "deep")
    assert nothing_imported(refusing_root)


def test_a_five_thousand_digit_id_is_one_error_naming_the_file(refusing_root: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge-id.json"
    huge.write_text('{"persons": [{"id": ' + "7" * 5000 + ', "name": "X"}]}', encoding="utf-8")
    with pytest.raises(InputError, match=r"huge-id\.json: a number in the JSON is too long to read"):
        import_dataset(Project.open(refusing_root), huge, "huge")
    assert nothing_imported(refusing_root)


def test_links_that_are_not_a_list_or_not_a_url_are_left_out_with_a_warning(mini_root: Path, tmp_path: Path) -> None:
    data = json.loads(POPOLO.read_text(encoding="utf-8"))
    data["persons"][0]["links"] = 5
    data["persons"][1]["links"] = [{"url": "http://[::1"}, {"url": "https://example.org/ok"}]
    path = tmp_path / "links.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = import_dataset(Project.open(mini_root), path, "ministers", strict=True)
    assert "2 malformed optional field(s) left out:" in result.warnings
    shown = " | ".join(result.warnings)
    assert "links.json: persons[0].links: expected a list, got 5" in shown
    assert "links.json: persons[1].links[0]: not a web address" in shown
    said = result.path.read_text(encoding="utf-8")
    assert "<https://example.org/ok>" in said and "[::1" not in said


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_command_line_says_a_malformed_popolo_file_in_one_line(refusing_root: Path, tmp_path: Path) -> None:
    # The command in process (support.cli): its message and exit code; test_cli.py runs the real process.
    deep = tmp_path / "deep.json"
    deep.write_text('{"memberships": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    done = wmkg("--root", str(refusing_root), "import", str(deep), "--graph", "deep")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "deep.json" in done.stderr


# --- the CSV reader ------------------------------------------------------------------------------------


def test_a_cell_over_the_csv_limit_is_one_error_naming_file_and_line(refusing_root: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    header = MINISTERS.read_text(encoding="utf-8").splitlines()[0]
    big.write_text(f"{header}\n1,a,{'x' * (CELL_LIMIT + 10)},r,role,o,org,2010-01-01,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"big\.csv:\d+: not readable as CSV: .*a cell may hold at most 131,072"):
        import_dataset(Project.open(refusing_root), big, "big", mapping=MAPPING)
    assert nothing_imported(refusing_root)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ('[[resources]]\nsubject = "ex:{id}"\nproperties = 5\n', r"resources #1: properties must be a list"),
        ('[[resources]]\nsubject = "ex:{id}"\nclass = 5\n', r"resources #1: class must be a CURIE or a list"),
        ('prefixes = "x"\n[[resources]]\nsubject = "ex:{id}"\n', r"\[prefixes\] must be a table"),
        (
            '[[resources]]\nsubject = "ex:{id}"\n[[resources.properties]]\npredicate = "rdfs:label"\ncolumn = 5\n',
            r"property #1: column must be a string, not int",
        ),
        (
            '[[resources]]\nsubject = "ex:{id}"\n[[resources.properties]]\npredicate = "rdfs:label"\n'
            'column = "id"\niri = "yes"\n',
            r"property #1: iri must be true or false",
        ),
        (
            '[[resources]]\nsubject = "ex:{id}"\n[[resources.properties]]\npredicate = "rdfs:label"\n'
            'column = "id"\ncolum = "x"\n',
            r"property #1: unknown key\(s\) colum",
        ),
    ],
)
def test_a_malformed_mapping_is_one_error_naming_the_mapping(
    refusing_root: Path, tmp_path: Path, mapping: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[prefixes]\nex = "https://example.org/"\n' + mapping if "prefixes" not in mapping else mapping)
    with pytest.raises(InputError, match=r"bad\.toml: .*" + message):
        import_dataset(Project.open(refusing_root), MINISTERS, "ministers", mapping=path)
    assert nothing_imported(refusing_root)


def test_a_subject_template_that_cannot_make_an_iri_is_refused_at_load(refusing_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad-iri.toml"
    path.write_text('[[resources]]\nsubject = "http://[{id}"\nclass = "org:Membership"\n', encoding="utf-8")
    with pytest.raises(
        InputError, match=r"bad-iri\.toml: resources #1, subject: 'http://\[\{id\}' does not make an IRI"
    ):
        import_dataset(Project.open(refusing_root), MINISTERS, "ministers", mapping=path)
    assert nothing_imported(refusing_root)


def test_a_repeated_csv_column_is_refused_rather_than_silently_won_by_the_later(
    refusing_root: Path, tmp_path: Path
) -> None:
    lines = MINISTERS.read_text(encoding="utf-8").splitlines()
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([lines[0] + ",start_date", *(line + ",1900-01-01" for line in lines[1:])]) + "\n")
    with pytest.raises(InputError, match=r"twice\.csv:1: column 'start_date' appears 2 times \(columns 8, 10\)"):
        import_dataset(Project.open(refusing_root), twice, "ministers", mapping=MAPPING)
    assert nothing_imported(refusing_root)


def test_an_ambiguous_column_is_refused_with_the_proposed_mapping_written_out(mini_root: Path, tmp_path: Path) -> None:
    both = tmp_path / "both.csv"
    both.write_text("name,position,role,start_date\nA Person,Secretary of State,Minister,2010\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"'position' and 'role' could each be the role.*ministers\.both\.mapping\.json"
    ):
        import_dataset(Project.open(mini_root), both, "ministers")
    proposed = json.loads((mini_root / "imports" / "ministers.both.mapping.json").read_text(encoding="utf-8"))
    assert proposed["resources"][0]["class"] == ["org:Membership"]
    assert nothing_imported(mini_root)


# --- link --accept ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """The repository's graph with the ministers imported, loaded once for the module."""

    root = tmp_path_factory.mktemp("imported") / "repo"
    for folder in ("ontology", "queries", "graph"):
        shutil.copytree(REPO / folder, root / folder)
    import_dataset(Project.open(root), POPOLO, "ministers")
    return KnowledgeGraph.load(root)


@pytest.fixture
def imported(imported_once: KnowledgeGraph) -> Iterator[KnowledgeGraph]:
    """The module's graph, as each test found it: ``link --accept`` writes only the link set, removed after."""
    links = imported_once.project.root / "graph" / "links" / "import-ministers.ttl"
    assert not links.exists()
    yield imported_once
    links.unlink(missing_ok=True)


def reviewed(tmp_path: Path, score: str = "1.0", our: str = "Cabinet Office", their: str = "Cabinet Office") -> Path:
    path = tmp_path / "reviewed.tsv"
    row = [score, str(WMR["cabinet-office"]), our, BASE + "organization/cabinet-office", their, "", "", "", "yes"]
    path.write_text(
        "score\tours\tour_label\ttheirs\ttheir_label\tkind\tmatch\treasons\taccept\n" + "\t".join(row) + "\n"
    )
    return path


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("score", ["nan", "NaN", "inf", "1.5", "-0.1"])
def test_a_score_that_is_not_a_number_from_0_to_1_is_refused_naming_the_line(
    imported: KnowledgeGraph, tmp_path: Path, score: str
) -> None:
    with pytest.raises(InputError, match=rf"reviewed\.tsv:2: score '{score}' is not a number from 0 to 1"):
        accept_candidates(imported, "ministers", reviewed(tmp_path, score))
    assert not (imported.project.root / "graph" / "links" / "import-ministers.ttl").exists()


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_tsv_that_is_not_utf8_is_refused_naming_the_line(imported: KnowledgeGraph, tmp_path: Path) -> None:
    path = reviewed(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"Cabinet Office\thttps", b"Cabinet \xff Office\thttps"))
    with pytest.raises(InputError, match=r"reviewed\.tsv:2: not UTF-8 text"):
        accept_candidates(imported, "ministers", path)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(
    ("our", "their", "message"),
    [
        ("Ministry of Truth", "Cabinet Office", r"our_label 'Ministry of Truth' is not a label of <.*cabinet-office>"),
        ("Cabinet Office", "Anything At All", r"their_label 'Anything At All' is not a label of <.*cabinet-office>"),
        ("Cabinet\x1b]0;pwned\x07 Office", "Cabinet Office", r"column 'our_label' has control characters"),
    ],
)
def test_labels_in_a_link_tsv_must_be_the_graphs_own(
    imported: KnowledgeGraph, tmp_path: Path, our: str, their: str, message: str
) -> None:
    with pytest.raises(InputError, match=r"reviewed\.tsv:2: " + message):
        accept_candidates(imported, "ministers", reviewed(tmp_path, our=our, their=their))
    assert not (imported.project.root / "graph" / "links" / "import-ministers.ttl").exists()


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_reviewed_row_with_the_graphs_labels_is_accepted(imported: KnowledgeGraph, tmp_path: Path) -> None:
    added, target = accept_candidates(imported, "ministers", reviewed(tmp_path), today="2026-12-06")
    assert added == 1 and "link: Cabinet Office to Cabinet Office (ministers)" in target.read_text(encoding="utf-8")
