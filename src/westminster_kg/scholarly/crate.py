"""The dataset as a package repositories read: an RO-Crate 1.1 folder, its CITATION.cff, and the
schema.org ``Dataset`` description for the home page.

``wmkg export -f ro-crate -o DIR`` writes the dumps (the same bytes as ``/download``), the ontology
and its shapes, the article's evidence (every quote as Web Annotations, every claim as a
nanopublication), the references (BibTeX, CSL-JSON), CITATION.cff, and ``ro-crate-metadata.json``
naming each file with its size, SHA-256 and format. The article's own text is not included: the graph
records no licence for it, so the crate points to it (title, SHA-256) and quotes it, as the dumps do.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from westminster_kg.errors import InputError
from westminster_kg.namespaces import WMR
from westminster_kg.scholarly.citation import LICENCES, dataset_citation
from westminster_kg.scholarly.claims import DatasetInfo, dataset_info, store_asker

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

RO_CRATE_CONTEXT = "https://w3id.org/ro/crate/1.1/context"
RO_CRATE_SPEC = "https://w3id.org/ro/crate/1.1"
# schema.org terms newer than the schema.org version RO-Crate 1.1's context was made from.
EXTRA_TERMS = {"sha256": "http://schema.org/sha256", "creditText": "http://schema.org/creditText"}
CRATE_ARCHIVE = "westminster-kg-ro-crate.zip"
AUTHOR_ID = "#westminster-kg-developers"


@dataclass(frozen=True)
class CrateFile:
    """One file of the crate: its name, bytes and what it is."""

    name: str
    data: bytes
    media_type: str
    description: str

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes."""
        return hashlib.sha256(self.data).hexdigest()


def software_licence() -> str:
    """The package's licence as its metadata states it (``MIT``), for CITATION.cff."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        return metadata("westminster-kg").get("License") or ""
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return ""


def citation_cff(dataset: DatasetInfo) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the dataset and its software, from the graph.

    YAML strings are written as JSON strings (a JSON string is a valid YAML double-quoted scalar).
    """
    licences = [LICENCES.get(dataset.license, ("", dataset.license))[1], software_licence()]
    lines = [
        "# Made from the ontology header by westminster_kg.scholarly.crate.citation_cff (checked by the tests).",
        "cff-version: 1.2.0",
        'message: "If you use this dataset or its software, please cite it as below."',
        "type: dataset",
        f"title: {json.dumps(dataset.title, ensure_ascii=False)}",
        f"version: {json.dumps(dataset.version)}",
        f"date-released: {json.dumps(dataset.issued)}",
        "license:",
        *(f"  - {json.dumps(name)}" for name in licences if name),
        "authors:",
        f"  - name: {json.dumps(dataset.creator, ensure_ascii=False)}",
        f"abstract: {json.dumps(dataset.description, ensure_ascii=False)}",
        "identifiers:",
        "  - type: url",
        f"    value: {json.dumps(dataset.iri)}",
        '    description: "The dataset\'s IRI (VoID and DCAT at /.well-known/void of wmkg serve)"',
        "keywords:",
        *(f"  - {json.dumps(word)}" for word in ("Westminster Model", "civil service", "knowledge graph", "RDF")),
    ]
    return "\n".join(lines) + "\n"


def crate_files(kg: KnowledgeGraph, dumps: dict[str, Any] | None = None) -> list[CrateFile]:
    """Every file the crate holds, made from ``kg`` (``dumps``: the web app's, so bytes are made once)."""
    from westminster_kg.view.downloads import DumpSet

    files = [
        CrateFile(d.filename, d.data, d.media_type.split(";")[0], d.description)
        for d in (dumps or DumpSet(kg).all()).values()
    ]
    ontology = kg.project.root / "ontology"
    files.append(
        CrateFile("westminster.ttl", (ontology / "westminster.ttl").read_bytes(), "text/turtle", "The ontology (wm:).")
    )
    files.append(CrateFile("shapes.ttl", (ontology / "shapes.ttl").read_bytes(), "text/turtle", "The SHACL shapes."))
    for fmt, name, media, description in (
        (
            "web-annotation",
            "web-annotations.jsonld",
            "application/ld+json",
            "Every quote of the article as a W3C Web Annotation, with the claims it supports.",
        ),
        (
            "nanopub",
            "nanopublications.trig",
            "application/trig",
            "One nanopublication per claim: assertion, provenance (quote, selectors, stance, modality), pubinfo.",
        ),
        ("bibtex", "references.bib", "application/x-bibtex", "The article and the works it cites, as BibTeX."),
        (
            "csl-json",
            "references.json",
            "application/vnd.citationstyles.csl+json",
            "The article and the works it cites, as CSL-JSON.",
        ),
    ):
        data = kg.export(fmt)
        files.append(CrateFile(name, data.encode("utf-8") if isinstance(data, str) else data, media, description))
    info = dataset_info(store_asker(kg))
    files.append(
        CrateFile(
            "CITATION.cff",
            citation_cff(info).encode("utf-8"),
            "application/x-yaml",
            "How to cite the dataset and its software.",
        )
    )
    return files


def crate_metadata(dataset: DatasetInfo, files: list[CrateFile]) -> dict[str, Any]:
    """``ro-crate-metadata.json``: the descriptor, the root dataset, each file, and who and what they name."""
    article = str(WMR.article)
    root: dict[str, Any] = {
        "@id": "./",
        "@type": "Dataset",
        "name": dataset.title,
        "description": dataset.description,
        "identifier": dataset.iri,
        "version": dataset.version,
        "datePublished": dataset.issued,
        "license": {"@id": dataset.license},
        "author": {"@id": AUTHOR_ID},
        "publisher": {"@id": AUTHOR_ID},
        "citation": {"@id": article},
        "creditText": dataset_citation(dataset),
        "hasPart": [{"@id": f.name} for f in files],
    }
    graph: list[dict[str, Any]] = [
        {
            "@id": "ro-crate-metadata.json",
            "@type": "CreativeWork",
            "conformsTo": {"@id": RO_CRATE_SPEC},
            "about": {"@id": "./"},
        },
        root,
        *(
            {
                "@id": f.name,
                "@type": "File",
                "name": f.name,
                "description": f.description,
                "encodingFormat": f.media_type,
                "contentSize": str(len(f.data)),
                "sha256": f.sha256,
            }
            for f in files
        ),
        {"@id": AUTHOR_ID, "@type": "Organization", "name": dataset.creator},
        {"@id": dataset.license, "@type": "CreativeWork", "name": LICENCES.get(dataset.license, (dataset.license,))[0]},
        {
            "@id": article,
            "@type": "ScholarlyArticle",
            "name": dataset.article_title,
            "description": f"The source article, quoted verbatim (its text has SHA-256 {dataset.article_sha256}).",
        },
    ]
    return {"@context": [RO_CRATE_CONTEXT, EXTRA_TERMS], "@graph": graph}


def _refuse_unless_free(folder: Path) -> None:
    """An existing link, device, file or non-empty folder at ``folder`` is refused, never replaced."""
    try:
        mode = folder.lstat().st_mode
    except FileNotFoundError:
        if not folder.parent.is_dir():
            raise InputError(f"{folder}: the folder {folder.parent} does not exist (create it first)") from None
        return
    if stat.S_ISLNK(mode):
        raise InputError(f"{folder}: is a symbolic link: give a new or empty folder to write the crate into")
    if not stat.S_ISDIR(mode):
        kind = "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a file, FIFO or socket"
        raise InputError(f"{folder}: is {kind}, not a folder: give a new or empty folder to write the crate into")
    if any(folder.iterdir()):
        raise InputError(f"{folder}: the folder is not empty: give a new or empty folder to write the crate into")


def write_crate(kg: KnowledgeGraph, folder: Path) -> list[Path]:
    """Write the RO-Crate into ``folder`` (new or empty): made beside it, then renamed into place."""
    folder = Path(folder)
    _refuse_unless_free(folder)
    files = crate_files(kg)
    metadata = crate_metadata(dataset_info(store_asker(kg)), files)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for f in files:
            (work / f.name).write_bytes(f.data)
        text = json.dumps(metadata, ensure_ascii=False, indent=1) + "\n"
        (work / "ro-crate-metadata.json").write_text(text, encoding="utf-8")
        os.chmod(work, 0o755)
        os.replace(work, folder)  # over a missing or empty folder: atomic on POSIX
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return [folder / "ro-crate-metadata.json", *(folder / f.name for f in files)]


def crate_zip(kg: KnowledgeGraph, dumps: dict[str, Any] | None = None) -> bytes:
    """The crate as one ZIP archive (``/download``), its entries in a fixed order with a fixed date."""
    import io
    import zipfile

    files = crate_files(kg, dumps)
    metadata = json.dumps(crate_metadata(dataset_info(store_asker(kg)), files), ensure_ascii=False, indent=1) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("ro-crate-metadata.json", metadata.encode("utf-8")), *((f.name, f.data) for f in files)):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # same bytes on every build
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return buffer.getvalue()


def schema_org_dataset(dataset: DatasetInfo, download_base: str, files: list[tuple[str, str]]) -> dict[str, Any]:
    """schema.org ``Dataset`` JSON-LD for a page's head (dataset search), from the same facts as VoID.

    Args:
        dataset: the citation facts.
        download_base: where the files are served (``/download/``).
        files: (file name, media type) of each download.
    """
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": dataset.iri,
        "name": dataset.title,
        "description": dataset.description,
        "license": dataset.license,
        "version": dataset.version,
        "datePublished": dataset.issued,
        "creator": {"@type": "Organization", "name": dataset.creator},
        "citation": {"@type": "ScholarlyArticle", "@id": str(WMR.article), "name": dataset.article_title},
        "creditText": dataset_citation(dataset),
        "isAccessibleForFree": True,
        "distribution": [
            {"@type": "DataDownload", "contentUrl": download_base + name, "encodingFormat": media}
            for name, media in files
        ],
    }


__all__ = [
    "CRATE_ARCHIVE",
    "CrateFile",
    "citation_cff",
    "crate_files",
    "crate_metadata",
    "crate_zip",
    "schema_org_dataset",
    "software_licence",
    "write_crate",
]
