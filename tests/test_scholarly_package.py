"""The package and its citation: CITATION.cff checked by ``cffconvert``, the RO-Crate by
``rocrate-validator`` (offline) and read by ``rocrate``, every file's checksum and bytes compared.

rocrate-validator resolves the crate's JSON-LD context (https://w3id.org/ro/crate/1.1/context) through
its HTTP cache, and its ``--offline`` mode answers from that cache only; the tests fill a fresh cache
with the context as published (tests/data/scholarly/ro-crate-1.1-context.jsonld, from
ResearchObject/ro-crate, docs/_specification/1.1/context.jsonld at
4b4f939c18022550ae0b992b7ddfb2cb5b2e8608, licence CC0-1.0 as the file states). Its profiles ship inside
the package, so nothing else is fetched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import DATA, REPO, wmkg

from westminster_kg import KnowledgeGraph, __version__

pytestmark = pytest.mark.slow  # subprocesses (cffconvert, rocrate-validator) and whole exports

CONTEXT_URL = "https://w3id.org/ro/crate/1.1/context"
CONTEXT_FILE = DATA / "scholarly" / "ro-crate-1.1-context.jsonld"
# The one recommendation the crate does not meet: its author (an organisation) has no web address.
ALLOWED_RECOMMENDATIONS = {"ro-crate-1.1_31.2"}


def cffconvert() -> str:
    """scripts/test.sh installs cffconvert in a venv of its own (it pins jsonschema<4)."""
    for candidate in (Path(sys.prefix) / "cffconvert" / "bin" / "cffconvert", shutil.which("cffconvert")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    if os.environ.get("CI"):
        pytest.fail("cffconvert is missing: scripts/test.sh installs it into .venv/cffconvert")
    pytest.skip("cffconvert is not installed: run scripts/test.sh (it installs it into .venv/cffconvert)")


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load()


@pytest.fixture(scope="module")
def crate(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crate") / "westminster-kg"
    kg.export_folder("ro-crate", folder)
    return folder


def ontology_header(kg: KnowledgeGraph) -> dict[str, str]:
    (row,) = kg.run(
        "SELECT ?issued ?license ?creator WHERE { <https://w3id.org/westminster-kg/ontology> "
        "dcterms:issued ?issued ; dcterms:license ?license ; dcterms:creator ?creator }"
    ).rows
    return dict(zip(("issued", "license", "creator"), map(str, row), strict=True))


def test_citation_cff_is_valid_for_cffconvert_and_says_what_the_ontology_header_says(kg, tmp_path):
    done = subprocess.run(
        [cffconvert(), "--validate", "-i", str(REPO / "CITATION.cff")], capture_output=True, text=True
    )
    assert done.returncode == 0 and "valid" in done.stdout, done.stdout + done.stderr
    apa = subprocess.run(
        [cffconvert(), "-i", str(REPO / "CITATION.cff"), "-f", "apalike"], capture_output=True, text=True
    )
    header = ontology_header(kg)
    assert header["creator"] in apa.stdout and f"version {__version__}" in apa.stdout
    assert f"({header['issued'][:4]})" in apa.stdout
    text = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert f'date-released: "{header["issued"]}"' in text and f'version: "{__version__}"' in text
    assert '"CC-BY-4.0"' in text and header["license"] == "https://creativecommons.org/licenses/by/4.0/"
    # A broken file is refused: the check can fail.
    broken = tmp_path / "CITATION.cff"
    broken.write_text(text.replace("cff-version: 1.2.0", "cff-version: 1.2.0\nnot-a-key: 1"), encoding="utf-8")
    assert subprocess.run([cffconvert(), "--validate", "-i", str(broken)], capture_output=True).returncode != 0


def test_citation_cff_is_the_one_the_crate_carries(crate):
    assert (crate / "CITATION.cff").read_bytes() == (REPO / "CITATION.cff").read_bytes(), (
        "CITATION.cff is out of date: wmkg export -f ro-crate -o DIR and copy DIR/CITATION.cff"
    )


def offline_cache(folder: Path) -> Path:
    """A requests-cache database (the validator's own cache format) holding only the RO-Crate context."""
    import requests
    from requests.adapters import HTTPAdapter
    from requests_cache import CachedSession
    from urllib3 import HTTPResponse

    path = folder / "http-cache"
    session = CachedSession(cache_name=str(path), backend="sqlite", allowable_methods=("GET",), allowable_codes=(200,))
    data = CONTEXT_FILE.read_bytes()
    request = requests.Request("GET", CONTEXT_URL, headers={"Accept": "application/ld+json"}).prepare()
    headers = {"Content-Type": "application/ld+json", "Content-Length": str(len(data))}
    raw = HTTPResponse(io.BytesIO(data), headers=headers, status=200, preload_content=False, request_url=CONTEXT_URL)
    response = HTTPAdapter().build_response(request, raw)
    assert response.content == data
    session.cache.save_response(response)
    session.close()
    return path


def validate(crate: Path, tmp_path: Path, severity: str) -> dict:
    report = tmp_path / f"report-{severity}.json"
    command = [str(Path(sys.executable).parent / "rocrate-validator"), "validate", "--offline", "--no-paging"]
    command += ["--cache-path", str(offline_cache(tmp_path)), "-p", "ro-crate-1.1", "-l", severity]
    command += ["-f", "json", "-o", str(report), str(crate)]
    subprocess.run(command, capture_output=True, text=True, timeout=600)
    return json.loads(report.read_text(encoding="utf-8"))


def required_issues(report: dict) -> list[dict]:
    """The issues of a report at the REQUIRED level: a report asked at ``-l recommended`` runs the
    required checks and the recommended ones, each issue with its severity (one run, not one a level)."""
    return [issue for issue in report["issues"] if issue["severity"] == "REQUIRED"]


def test_rocrate_validator_finds_the_crate_valid_offline(crate, tmp_path):
    recommended = validate(crate, tmp_path, "recommended")
    assert recommended["validation_settings"]["offline"] is True
    assert recommended["validation_settings"]["requirement_severity"] == "RECOMMENDED"
    assert not required_issues(recommended), recommended["issues"]
    assert {issue["check"]["identifier"] for issue in recommended["issues"]} <= ALLOWED_RECOMMENDATIONS


def test_rocrate_validator_refuses_a_crate_without_its_license(crate, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(crate, broken)
    metadata = json.loads((broken / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    for entity in metadata["@graph"]:
        if entity["@id"] == "./":
            del entity["license"], entity["datePublished"]
    (broken / "ro-crate-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    report = validate(broken, tmp_path, "recommended")  # at the level the valid crate is checked at
    assert report["passed"] is False and required_issues(report), report["issues"]


def test_every_file_of_the_crate_is_described_with_its_checksum_size_and_format(kg, crate):
    from rocrate.rocrate import ROCrate

    read = ROCrate(str(crate))
    root = read.root_dataset
    header = ontology_header(kg)
    assert root["datePublished"] == header["issued"] and root["license"].id == header["license"]
    assert root["version"] == __version__ and root["author"]["name"] == header["creator"]
    assert root["citation"].id == "https://w3id.org/westminster-kg/id/article" and root["name"] and root["description"]
    files = {entity.id: entity for entity in read.data_entities}
    on_disk = {p.name for p in crate.iterdir()} - {"ro-crate-metadata.json"}
    assert set(files) == on_disk and len(files) == 13
    for name, entity in files.items():
        data = (crate / name).read_bytes()
        assert entity["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert int(entity["contentSize"]) == len(data) and entity["encodingFormat"], name
    # The dumps are the bytes `wmkg export` writes; the ontology the hand-edited file.
    assert (crate / "westminster-kg.nq").read_text(encoding="utf-8") == kg.export("nquads")
    assert (crate / "westminster.ttl").read_bytes() == (REPO / "ontology" / "westminster.ttl").read_bytes()
    assert (crate / "references.bib").read_text(encoding="utf-8") == kg.export("bibtex")


def test_wmkg_export_ro_crate_needs_a_new_or_empty_folder_and_says_so_in_one_line(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    for args, words in (((), "-o DIR"), (("-o", str(link)), "symbolic link"), (("-o", "/dev/null"), "device")):
        done = wmkg("export", "-f", "ro-crate", *args)
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and words in done.stderr, done.stderr
    done = wmkg("export", "-f", "bibtex", "-o", str(link))  # -o of one file: as every export's -o
    assert done.returncode != 0 and "directory" in done.stderr
