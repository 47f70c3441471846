"""The article and the works it cites, for reference managers: BibTeX and CSL-JSON.

Only what the graph records: creators as printed in the article's citations (surnames, a body, "Rhodes
et al"), in the printed order (the order they stand in the work's label, "Hood and Dixon (2015)"), the
year, a title where the article gives one. The article cites by author and year and has no reference
list, so no title, container or pages of a cited work is known, and none is made up: an entry may be
thin, never wrong. The source article is known by its title alone (its authors are not named in its
text). A work's kind is unknown too: BibTeX ``@misc``, CSL ``document``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from westminster_kg.bound import internal
from westminster_kg.scholarly.citation import bibtex_entry
from westminster_kg.scholarly.claims import dataset_info, store_asker

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

ARTICLE_KEY = "westminster-model-article"


@dataclass
class Work:
    """A cited work as the graph records it."""

    iri: str
    key: str
    label: str = ""
    creators: list[str] = field(default_factory=list)
    year: str = ""
    title: str = ""

    def ordered_creators(self) -> list[str]:
        """Creators in the order the printed label names them (RDF keeps no order); others after, sorted."""
        return sorted(self.creators, key=lambda name: (self.label.find(name) < 0, self.label.find(name), name))


def cited_works(kg: KnowledgeGraph) -> list[Work]:
    """Every ``wm:Publication``, in key order."""
    works: dict[str, Work] = {}
    for row in store_asker(kg)(internal("scholarly-works")).to_dicts():
        iri = str(row["work"])
        slug = iri.rsplit("/", 1)[-1]
        work = works.setdefault(iri, Work(iri, slug.removeprefix("ref-")))
        if row["label"] is not None:
            work.label = str(row["label"])
        if row["creator"] is not None and str(row["creator"]) not in work.creators:
            work.creators.append(str(row["creator"]))
        if row["date"] is not None:
            work.year = str(row["date"])[:4]
        if row["title"] is not None:
            work.title = str(row["title"])
    return sorted(works.values(), key=lambda w: w.key)


def to_bibtex(kg: KnowledgeGraph) -> str:
    """The article and every cited work as BibTeX (``wmkg export -f bibtex``)."""
    article = dataset_info(store_asker(kg)).article_title
    entries = [bibtex_entry("article", ARTICLE_KEY, {"title": article})]
    for work in cited_works(kg):
        fields = {"title": work.title, "year": work.year, "note": f"Cited in the article as {work.label}"}
        entries.append(bibtex_entry("misc", work.key, fields, work.ordered_creators()))
    return "\n".join(entries)


def csl_items(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """The article and every cited work as CSL-JSON items (what Zotero and citeproc read)."""
    article = dataset_info(store_asker(kg)).article_title
    items: list[dict[str, Any]] = [{"id": ARTICLE_KEY, "type": "article-journal", "title": article}]
    for work in cited_works(kg):
        item: dict[str, Any] = {"id": work.key, "type": "document"}
        if work.creators:
            item["author"] = [{"literal": name} for name in work.ordered_creators()]
        if work.year:
            item["issued"] = {"date-parts": [[int(work.year)]]}
        if work.title:
            item["title"] = work.title
        item["note"] = f"Cited in the article as {work.label}"
        items.append(item)
    return items


def to_csl_json(kg: KnowledgeGraph) -> str:
    """The CSL-JSON items as text (``wmkg export -f csl-json``)."""
    return json.dumps(csl_items(kg), ensure_ascii=False, indent=1) + "\n"


__all__ = ["ARTICLE_KEY", "Work", "cited_works", "csl_items", "to_bibtex", "to_csl_json"]
