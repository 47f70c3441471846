"""Synthesise governance data shaped like ours, at 10^4 … 10^7 triples, deterministically.

The article's own graph (entities, claims with evidence nodes, Data Cube observations, links) is
the template. Copy ``k`` renames every resource ``wmr:x`` to ``wmr:x-s<k>`` (copy 0 keeps the real
names, so the catalogue's example parameters still resolve) and labels get `` #k``. A seeded quarter
of the evidenced edges (reform erodes convention, government claims continuity, ...) are rewired to
the same entity in another copy, together with their claim node, so the copies form one connected
graph with hubs rather than identical islands. The article, its sections and its authors stay
shared, as in a real corpus of many claims about one text; predicates and classes are never
renamed, so every catalogue query runs unchanged. Queries that name one resource (Table 2, the
special advisers' series) keep finding the article's own, with its copies beside it.

Each size is written as a project folder the package loads like the real one::

    OUT/<label>/ontology/          the real ontology (one copy)
    OUT/<label>/queries/           the real catalogue
    OUT/<label>/graph/claims/synthetic.ttl   N-Triples (valid Turtle), graph "article"
    OUT/<label>/graph/links/synthetic.ttl    N-Triples, graph "links"

Usage: ``python benchmarks/generate.py [--sizes 1e4,1e5,1e6] [--seed 1] [--out benchmarks/out/data]``
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from westminster_kg.namespaces import GRAPH_ARTICLE, GRAPH_LINKS, GRAPH_ONTOLOGY  # noqa: E402
from westminster_kg.project import Project  # noqa: E402

WMR = "https://w3id.org/westminster-kg/id/"
WM = "https://w3id.org/westminster-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_OBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#object"
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
RDF_PREDICATE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate"
LABELS = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel"}
REWIRED_SHARE = 0.25
ALWAYS_SHARED = ("article", "article-authors")
SHARED_PREFIXES = ("section-",)


def parse_size(text: str) -> int:
    """``1e5`` or ``100000`` → 100000."""
    return int(float(text))


def size_label(size: int) -> str:
    """100000 → ``1e5``."""
    exponent = len(str(size)) - 1
    return f"1e{exponent}" if size == 10**exponent else str(size)


class Template:
    """The real graph, split into what is copied and what is shared."""

    def __init__(self, project: Project) -> None:
        # Parsed file by file in the project's (sorted) order, blank nodes relabelled by first
        # appearance: a parser's own blank node ids are random, and the output must not be.
        by_graph: dict[str, dict[ox.Triple, None]] = {}
        blanks: dict[str, ox.BlankNode] = {}

        def stable(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
            if isinstance(term, ox.BlankNode):
                return blanks.setdefault(term.value, ox.BlankNode(f"b{len(blanks)}"))
            return term

        for source in project.source_files(include_imports=False):
            triples = by_graph.setdefault(source.graph, {})
            for t in ox.parse(path=str(source.path), format=ox.RdfFormat.TURTLE):
                triples[ox.Triple(stable(t.subject), t.predicate, stable(t.object))] = None
        self.ontology = list(by_graph.get(GRAPH_ONTOLOGY, {}))
        self.data = {graph: list(by_graph.get(graph, {})) for graph in (GRAPH_ARTICLE, GRAPH_LINKS)}
        self.evidenced = {
            t.subject.value
            for t in self.ontology
            if t.predicate.value == RDF_TYPE and t.object.value == WM + "EvidencedRelation"
        }
        predicates = {t.predicate.value for triples in self.data.values() for t in triples}
        classes = {t.object.value for triples in self.data.values() for t in triples if t.predicate.value == RDF_TYPE}
        # wmr: terms used as predicates (file-local Data Cube dimensions) or classes keep their
        # names. Datasets and periods the catalogue names are copied like the rest: a query about
        # Table 2 keeps seeing the article's Table 2 (its copies sit beside it under other names),
        # as in a real corpus; pooling every copy's observations into one dataset would repeat
        # the same years 100 times and turn "the previous year" joins cubic.
        self.shared = predicates | classes | {WMR + name for name in ALWAYS_SHARED}
        # Which truthy edge each claim node restates, so both are rewired together.
        parts: dict[str, dict[str, ox.NamedNode]] = {}
        for t in self.data[GRAPH_ARTICLE]:
            if t.predicate.value in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT) and isinstance(t.subject, ox.NamedNode):
                parts.setdefault(t.subject.value, {})[t.predicate.value] = t.object
        self.claim_edge = {
            claim: (p[RDF_SUBJECT].value, p[RDF_PREDICATE].value, p[RDF_OBJECT].value)
            for claim, p in parts.items()
            if len(p) == 3 and all(isinstance(v, ox.NamedNode) for v in p.values())
        }
        self.size = sum(len(triples) for triples in self.data.values())

    def is_copied(self, iri: str) -> bool:
        if not iri.startswith(WMR) or iri in self.shared:
            return False
        return not iri[len(WMR) :].startswith(SHARED_PREFIXES)


def copy_triples(template: Template, copy: int, copies: int, rng: random.Random) -> dict[str, list[ox.Triple]]:
    """Copy ``copy`` of the template's data graphs, with some evidenced edges rewired."""

    def rename(term: ox.NamedNode | ox.BlankNode | ox.Literal, target: int) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"c{copy}x{term.value}")
        if isinstance(term, ox.NamedNode) and target and template.is_copied(term.value):
            return ox.NamedNode(f"{term.value}-s{target}")
        return term

    rewired: dict[tuple[str, str, str], int] = {}

    def target_of(edge: tuple[str, str, str]) -> int:
        if edge not in rewired:
            rewired[edge] = rng.randrange(copies) if copies > 1 and rng.random() < REWIRED_SHARE else copy
        return rewired[edge]

    out: dict[str, list[ox.Triple]] = {}
    for graph, triples in template.data.items():
        copied = []
        for t in triples:
            subject, predicate, obj = t.subject, t.predicate.value, t.object
            object_copy = copy
            if predicate in template.evidenced and isinstance(obj, ox.NamedNode):
                object_copy = target_of((subject.value, predicate, obj.value))
            elif predicate == RDF_OBJECT and isinstance(subject, ox.NamedNode) and subject.value in template.claim_edge:
                edge = template.claim_edge[subject.value]
                if edge[1] in template.evidenced:
                    object_copy = target_of(edge)
            new_object = rename(obj, object_copy)
            if copy and predicate in LABELS and isinstance(obj, ox.Literal) and template.is_copied(subject.value):
                new_object = (
                    ox.Literal(f"{obj.value} #{copy}", language=obj.language)
                    if obj.language
                    else (ox.Literal(f"{obj.value} #{copy}", datatype=obj.datatype))
                )
            copied.append(ox.Triple(rename(subject, copy), t.predicate, new_object))
        out[graph] = copied
    return out


def generate(size: int, out: Path, seed: int, template: Template | None = None) -> dict[str, object]:
    """Write the project folder for ``size`` triples under ``out``; return what was written."""
    project = Project.open(REPO)
    template = template or Template(project)
    copies = max(1, round((size - len(template.ontology)) / template.size))
    rng = random.Random(f"{seed}:{size}")
    target = out / size_label(size)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(project.root / "ontology", target / "ontology")
    shutil.copytree(project.queries_dir, target / "queries")
    files = {
        GRAPH_ARTICLE: target / "graph" / "claims" / "synthetic.ttl",
        GRAPH_LINKS: target / "graph" / "links" / "synthetic.ttl",
    }
    triples = len(template.ontology)
    handles = {}
    for graph, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        handles[graph] = path.open("wb")
    try:
        for copy in range(copies):
            for graph, copied in copy_triples(template, copy, copies, rng).items():
                handles[graph].write(ox.serialize(copied, format=ox.RdfFormat.N_TRIPLES))
                triples += len(copied)
    finally:
        for handle in handles.values():
            handle.close()
    info = {"size": size, "label": size_label(size), "copies": copies, "triples": triples, "seed": seed}
    (target / "synthetic.json").write_text(json.dumps(info, indent=1))
    return info


def main() -> None:
    """Command line: generate the requested sizes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="comma-separated triple counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "data")
    args = parser.parse_args()
    template = Template(Project.open(REPO))
    for size in (parse_size(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        info = generate(size, args.out, args.seed, template)
        print(
            f"{info['label']}: {info['triples']:,} triples ({info['copies']} copies) "
            f"in {time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
