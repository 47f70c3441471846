"""Citations people copy: the dataset's, and each claim's (the claim, the article, the dataset version).

A claim's citation carries what a reader must not lose: whose words they are (stance), how certain
(modality and hedge cue, verbatim), the quote with its place in the article, and the dataset's version.
"""

from __future__ import annotations

from westminster_kg.namespaces import curie
from westminster_kg.scholarly.claims import ClaimRecord, DatasetInfo

# Licences the dataset may carry, by IRI, as people and CITATION.cff (SPDX) name them.
LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": ("CC BY 4.0", "CC-BY-4.0"),
    "https://creativecommons.org/publicdomain/zero/1.0/": ("CC0 1.0", "CC0-1.0"),
}


def year_of(dataset: DatasetInfo) -> str:
    """The year the dataset's version was issued (``n.d.`` when the header gives no date)."""
    return dataset.issued[:4] if dataset.issued[:4].isdigit() else "n.d."


def licence_name(iri: str) -> str:
    """``CC BY 4.0`` for its IRI; any other licence by its IRI."""
    return LICENCES.get(iri, (iri, iri))[0]


def dataset_citation(dataset: DatasetInfo) -> str:
    """The dataset as one reference: creator (year). Title (version N) [Data set]. IRI. Licence."""
    return (
        f"{dataset.creator} ({year_of(dataset)}). {dataset.title} (version {dataset.version}) [Data set]. "
        f"{dataset.iri}. Licence: {licence_name(dataset.license)}."
    )


def dataset_bibtex(dataset: DatasetInfo) -> str:
    """The dataset as a BibTeX ``@misc`` entry (braces keep the creator a name, not a first and last)."""
    fields = {
        "title": dataset.title,
        "year": year_of(dataset),
        "version": dataset.version,
        "url": dataset.iri,
        "note": f"Data set; licence {licence_name(dataset.license)}",
    }
    return bibtex_entry("misc", "westminster-kg-" + dataset.version, fields, [dataset.creator])


def how_certain(claim: ClaimRecord) -> str:
    """``author's argument, asserted`` or ``actor's claim, hedged (hedge: “appears to”)``."""
    words = [w for w in (claim.stance_label, claim.modality_label) if w]
    text = ", ".join(words)
    if claim.cues:
        text += " (hedge: " + ", ".join(f"“{cue}”" for cue in claim.cues) + ")"
    return text


def claim_statement(claim: ClaimRecord) -> str:
    """What the claim says: its triple in words (subject, relation, object), or a proposition's label."""
    if claim.has_triple:
        relation = claim.relation_label or curie(claim.relation)
        return f"{claim.name(claim.subject)} {relation} {claim.name(claim.object)}"
    return claim.label or claim.slug


def passage(claim: ClaimRecord, dataset: DatasetInfo) -> str:
    """Where the claim's words stand: each quote with its section and character offsets."""
    places = []
    for span in claim.spans:
        section = f", section “{span.section_label}”" if span.section_label else ""
        places.append(f"“{span.exact}”{section}, characters {span.start}–{span.end}")
    return f"{'; '.join(places)}, in “{dataset.article_title}”"


def claim_citation(claim: ClaimRecord, dataset: DatasetInfo) -> str:
    """The claim as one reference: what it says, how certain and whose, its quotes, the dataset."""
    return (
        f"Claim “{claim_statement(claim)}” ({how_certain(claim)}). Evidence: {passage(claim, dataset)}. "
        f"In: {dataset_citation(dataset)} {claim.iri}"
    )


def claim_bibtex(claim: ClaimRecord, dataset: DatasetInfo) -> str:
    """The claim as a BibTeX ``@misc`` entry in the dataset (for reference managers)."""
    fields = {
        "title": f"Claim: {claim_statement(claim)}",
        "year": year_of(dataset),
        "version": dataset.version,
        "url": claim.iri,
        "howpublished": f"{dataset.title}, version {dataset.version}",
        "note": f"{how_certain(claim)}. Evidence: {passage(claim, dataset)}",
    }
    return bibtex_entry("misc", claim.slug, fields, [dataset.creator])


def bibtex_entry(kind: str, key: str, fields: dict[str, str], authors: list[str] | None = None) -> str:
    """One BibTeX entry, every value in braces; each author in braces of its own, so a name as printed
    ("Cabinet Office", "Rhodes et al") is never split into first and last names."""
    lines = [f"@{kind}{{{key},"]
    if authors:
        lines.append("  author = {" + " and ".join("{" + bibtex_value(name) + "}" for name in authors) + "},")
    for name, value in fields.items():
        if value:
            lines.append(f"  {name} = {{{bibtex_value(value)}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def bibtex_value(text: str) -> str:
    """``text`` safe inside a braced BibTeX value: BibTeX counts braces even after a backslash, so every
    brace and backslash the text holds is written as its LaTeX command (balanced by construction)."""
    commands = {"\\": "\\textbackslash{}", "{": "\\textbraceleft{}", "}": "\\textbraceright{}"}
    return "".join(commands.get(ch, ch) for ch in text)


__all__ = [
    "LICENCES",
    "bibtex_entry",
    "bibtex_value",
    "claim_bibtex",
    "claim_citation",
    "claim_statement",
    "dataset_bibtex",
    "dataset_citation",
    "how_certain",
    "licence_name",
    "passage",
    "year_of",
]
