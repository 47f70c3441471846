"""Export every claim for an independent audit, as TSV on stdout.

Columns: claim, subject, predicate, object, modality, hedge cue, stance, attribution, scope flag, quotes.
Usage (from the repository root): ``python scripts/export_claims_for_audit.py > claims.tsv``
"""

from __future__ import annotations

import csv
import glob
import sys

from rdflib import Graph, Namespace
from rdflib.namespace import RDF, RDFS, SKOS

WM = Namespace("https://w3id.org/westminster-kg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
COLUMNS = ["claim", "subject", "predicate", "object", "modality", "hedgeCue", "stance", "attributedTo"]


def main() -> None:
    """Write one row per wm:Claim."""
    graph = Graph()
    for path in glob.glob("graph/**/*.ttl", recursive=True) + ["ontology/westminster.ttl"]:
        graph.parse(path)

    def label(node: object) -> str:
        text = graph.value(node, RDFS.label) or graph.value(node, SKOS.prefLabel)
        return str(text) if text else str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    out = csv.writer(sys.stdout, delimiter="\t")
    out.writerow([*COLUMNS, "scopeInferred", "quotes"])
    for claim in sorted(graph.subjects(RDF.type, WM.Claim)):
        quotes = [
            " ".join(str(exact).split())
            for evidence in graph.objects(claim, PROV.wasDerivedFrom)
            for selector in graph.objects(evidence, OA.hasSelector)
            for exact in graph.objects(selector, OA.exact)
        ]
        row = [str(claim).rsplit("/", 1)[-1]]
        row += [label(graph.value(claim, p)) for p in (RDF.subject, RDF.predicate, RDF.object, WM.modality)]
        row += [str(graph.value(claim, WM.hedgeCue) or ""), label(graph.value(claim, WM.stance))]
        row += ["; ".join(label(a) for a in graph.objects(claim, PROV.wasAttributedTo))]
        row += [str(graph.value(claim, WM.scopeInferred) or ""), " || ".join(quotes)]
        out.writerow(row)


if __name__ == "__main__":
    main()
