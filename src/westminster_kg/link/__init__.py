"""Links out and datasets in: check the linkset, import other datasets, propose links, describe the whole.

Four parts, each a public function the CLI calls:

* ``check_links``: every link in ``graph/links/`` is well-formed for its scheme (Wikidata, GOV.UK,
  UK Parliament, Institute for Government) and carries its provenance; with ``online=True`` each
  link is resolved and the remote label compared with ours. Base URLs are injectable, so tests run
  the very same code against a loopback server that serves recorded answers.
* ``import_dataset`` / ``drop_import``: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML or CSV
  (with a column mapping) into its own named graph ``.../graph/import/NAME``, written to
  ``imports/NAME.nq`` only after the whole file parsed, and atomically.
* ``review_candidates`` / ``accept_candidates``: proposals between our entities and an imported
  graph's, by shared identifier, name, kind and dates, with near misses and the unmatched listed;
  accepted ones go to the import's own link set.
* ``void_description``: VoID + DCAT for the dataset, every count computed from the data.

A link is stored twice, like a claim: the plain triple (``wmr:x owl:sameAs wd:Q…``) and an
``rdf:Statement`` node with ``rdf:subject/predicate/object``, ``dcterms:source`` (where the
identifier was found), ``dcterms:date`` (when it was checked), ``dcterms:identifier`` (the bare id)
and a ``skos:note``. Institute for Government ids are UUIDs without a web address of their own: they
are written as ``urn:uuid:`` IRIs (RFC 4122), so an imported IfG table whose rows are named the same
way joins with our entities without any extra step.
"""

from westminster_kg.link.candidates import Candidate, Review, link_candidates, review_candidates
from westminster_kg.link.importers import (
    CsvMapping,
    ImportResult,
    check_graph_name,
    detect_format,
    drop_import,
    import_dataset,
    import_graph_iri,
    list_imports,
)
from westminster_kg.link.labels import compare_labels, label_similarity, normalise_label
from westminster_kg.link.linkset import (
    SCHEMES,
    Link,
    LinkFinding,
    LinkReport,
    check_links,
    identifier_of,
    scheme_of,
    stored_links,
)
from westminster_kg.link.review import (
    accept_candidates,
    candidates_graph,
    candidates_tsv,
    read_candidates,
    review_tsv,
)
from westminster_kg.link.void import void_description, void_turtle

__all__ = [
    "Candidate",
    "CsvMapping",
    "ImportResult",
    "Link",
    "LinkFinding",
    "LinkReport",
    "Review",
    "SCHEMES",
    "accept_candidates",
    "candidates_graph",
    "candidates_tsv",
    "check_graph_name",
    "check_links",
    "compare_labels",
    "detect_format",
    "drop_import",
    "identifier_of",
    "import_dataset",
    "import_graph_iri",
    "label_similarity",
    "list_imports",
    "link_candidates",
    "normalise_label",
    "read_candidates",
    "review_candidates",
    "review_tsv",
    "scheme_of",
    "stored_links",
    "void_description",
    "void_turtle",
]
