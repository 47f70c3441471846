"""Canonical Turtle for the curated files, and atomic file writes.

``wmkg fmt`` rewrites every curated file with ``canonical_turtle``, whose output depends only on
the graph, never on the order triples were read or added in:

- ``@prefix`` lines first: only the prefixes the file uses, sorted by name.
- One block per subject, blocks sorted by subject IRI. Blank nodes used once are nested where
  they are used; any other blank node gets a block of its own after the IRIs, labelled
  canonically (``rdflib.compare``), so a shared blank node keeps its label across rewrites.
- In a block, ``rdf:type``, then labels and definitions, then ``rdf:subject``/``predicate``/
  ``object``, then every other predicate sorted by IRI. Objects are sorted: IRIs by IRI, literals
  by value, datatype and language, nested blank nodes by their content.
- A file that holds ``wm:Claim`` is about claims: each claim's plain triple (the edge the claim
  reifies, when the same file holds it) follows its claim block as a one-line statement, so a
  relation and its evidence sit together and move together. Claims come in IRI order
  (``claim-SUBJECT-RELATION-OBJECT``, so by subject); the file's other triples follow, in
  blocks sorted by IRI as above.

Formatting twice gives the same bytes, and never changes the graph (``format_project`` checks
isomorphism before writing).
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

from westminster_kg.errors import InputError
from westminster_kg.namespaces import PREFIXES, WM
from westminster_kg.project import Project
from westminster_kg.terms import from_ox

# Predicates shown first in a block, in this order; the rest follow sorted by IRI.
LEADING_PREDICATES = [
    RDF.type,
    RDFS.label,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.definition,
    RDF.subject,
    RDF.predicate,
    RDF.object,
]
_LEADING_RANK = {p: i for i, p in enumerate(LEADING_PREDICATES)}


def _predicate_key(predicate: Node) -> tuple[int, str]:
    return (_LEADING_RANK.get(predicate, len(_LEADING_RANK)), str(predicate))


class CanonicalTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle writer (its escaping, nesting and layout) with a canonical order.

    rdflib orders subjects by how often they are referenced, so one new reference moved a whole
    block; here the order is the module's rule. A block may also be restricted to some of its
    subject's triples (a claim's plain triple, written next to the claim).
    """

    short_name = "wmkg-turtle"

    def __init__(self, store: Graph) -> None:
        super().__init__(store)
        self.predicateOrder = LEADING_PREDICATES
        self._only: tuple[Node, set[tuple[Node, Node]]] | None = None
        self._content_keys: dict[Node, tuple] = {}

    def buildPredicateHash(self, subject: Any) -> Mapping[Any, list[Node]]:  # noqa: N802 - rdflib's name
        """The subject's objects by predicate, restricted to one statement's triples when asked."""
        properties = super().buildPredicateHash(subject)
        if self._only is not None and self._only[0] == subject and self.depth == 0:
            allowed = self._only[1]
            properties = {p: [o for o in objects if (p, o) in allowed] for p, objects in properties.items()}
            properties = {p: objects for p, objects in properties.items() if objects}
        return properties

    def sortProperties(self, properties: Mapping[Any, list[Node]]) -> list[Any]:  # noqa: N802 - rdflib's name
        """Predicates in the leading order then by IRI; each one's objects by ``object_key``."""
        for objects in properties.values():
            objects.sort(key=self.object_key)
        return sorted(properties, key=_predicate_key)

    def object_key(self, node: Node) -> tuple:
        """IRIs, then literals, then blank nodes (by what they say, not by their label)."""
        return term_key(self.store, node, self._content_keys)

    def write_blocks(self, stream: io.BytesIO, blocks: list[tuple[Node, set[tuple[Node, Node]] | None]]) -> None:
        """Write the prefixes, then each (subject, its triples or ``None`` for all) as one statement."""
        self.reset()
        self.stream = stream
        self.preprocess()
        self.startDocument()
        previous_was_claim = False
        for number, (subject, only) in enumerate(blocks):
            self._only = (subject, only) if only is not None else None
            # Blocks are apart by a blank line; a claim's plain triple follows its claim directly.
            if number and not (only is not None and previous_was_claim):
                self.write("\n")
            self.subjectDone(subject)
            if not self.s_squared(subject):
                self.s_default(subject)
            previous_was_claim = (subject, RDF.type, WM.Claim) in self.store
        self._only = None
        self.write("\n")


def term_key(graph: Graph, node: Node, cache: dict[Node, tuple] | None = None, seen: frozenset = frozenset()) -> tuple:
    """A sort key for a term: IRIs, then literals, then blank nodes by their content, recursively.

    For a blank node used once, its key says everything below it, so two graphs whose blank nodes
    form trees are isomorphic exactly when their sorted keyed triples are equal (``same_graph``).
    """
    if isinstance(node, URIRef):
        return (0, str(node))
    if isinstance(node, Literal):
        return (1, str(node), str(node.datatype or ""), node.language or "")
    if cache is not None and node in cache:
        return cache[node]
    if node in seen:  # a cycle of blank nodes: fall back on the (canonical) label
        return (3, str(node))
    key = (
        2,
        tuple(sorted((str(p), term_key(graph, o, cache, seen | {node})) for p, o in graph.predicate_objects(node))),
    )
    if cache is not None:
        cache[node] = key
    return key


def _is_forest(graph: Graph) -> bool:
    """True when every blank node is the object of exactly one triple and hangs below an IRI."""
    references: dict[Node, int] = {}
    for obj in graph.objects():
        if isinstance(obj, BNode):
            references[obj] = references.get(obj, 0) + 1
    blanks = {n for triple in graph for n in triple if isinstance(n, BNode)}
    if any(references.get(b, 0) != 1 for b in blanks):
        return False
    reached: set[Node] = set()
    todo = [o for s, o in graph.subject_objects() if isinstance(s, URIRef) and isinstance(o, BNode)]
    while todo:
        node = todo.pop()
        if node not in reached:
            reached.add(node)
            todo.extend(o for o in graph.objects(node) if isinstance(o, BNode))
    return reached == blanks


def same_graph(first: Graph, second: Graph) -> bool:
    """Whether two graphs are isomorphic: by keyed triples for blank-node trees, else by rdflib."""
    from rdflib.compare import isomorphic

    if len(first) != len(second):
        return False
    if _is_forest(first) and _is_forest(second):

        def keyed(graph: Graph) -> list[tuple]:
            cache: dict[Node, tuple] = {}
            return sorted((str(s), str(p), term_key(graph, o, cache)) for s, p, o in graph if isinstance(s, URIRef))

        return keyed(first) == keyed(second)
    return isomorphic(first, second)


def _blocks(graph: Graph) -> list[tuple[Node, set[tuple[Node, Node]] | None]]:
    """The statements to write, in the module's order (see the module docstring)."""
    references: dict[Node, int] = {}
    for obj in graph.objects():
        if isinstance(obj, BNode):
            references[obj] = references.get(obj, 0) + 1
    iris = sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str)
    # Blank nodes used exactly once are nested where used; the rest stand alone, after the IRIs,
    # and so does a blank node no IRI leads to (a cycle of blank nodes would otherwise be lost).
    loose = {s for s in graph.subjects() if isinstance(s, BNode) and references.get(s, 0) != 1}
    reached: set[Node] = set()
    todo = [o for s in iris + sorted(loose, key=str) for o in graph.objects(s) if isinstance(o, BNode)]
    while todo:
        node = todo.pop()
        if node not in reached:
            reached.add(node)
            todo.extend(o for o in graph.objects(node) if isinstance(o, BNode))
    for node in sorted({s for s in graph.subjects() if isinstance(s, BNode)} - reached - loose, key=str):
        if node in reached:
            continue
        loose.add(node)  # one per cycle is enough: the rest nest below it
        reached.add(node)
        todo = [node]
        while todo:
            current = todo.pop()
            for o in graph.objects(current):
                if isinstance(o, BNode) and o not in reached:
                    reached.add(o)
                    todo.append(o)
    loose = sorted(loose, key=str)
    claims = [s for s in iris if (s, RDF.type, WM.Claim) in graph]
    if not claims:
        return [(s, None) for s in iris + loose]
    blocks: list[tuple[Node, set[tuple[Node, Node]] | None]] = []
    written: set[tuple[Node, Node, Node]] = set()
    for claim in claims:
        blocks.append((claim, None))
        # Only a claim with exactly one subject, predicate and object has one plain triple to place
        # (an invalid claim with two objects keeps its edges in IRI order, whatever the store returns).
        parts = [list(graph.objects(claim, p)) for p in (RDF.subject, RDF.predicate, RDF.object)]
        edge = tuple(values[0] if len(values) == 1 else None for values in parts)
        if None not in edge and edge in graph and edge not in written and isinstance(edge[0], URIRef):
            written.add(edge)  # type: ignore[arg-type]
            blocks.append((edge[0], {(edge[1], edge[2])}))
    for subject in iris + loose:
        if subject in claims:
            continue
        rest = {(p, o) for p, o in graph.predicate_objects(subject) if (subject, p, o) not in written}
        if rest:
            blocks.append((subject, rest if len(rest) < len(set(graph.predicate_objects(subject))) else None))
    return blocks


def canonical_turtle(graph: Graph) -> str:
    """The graph as canonical Turtle text (only prefixes the graph uses are declared)."""
    from rdflib.compare import to_canonical_graph

    # Canonical blank node labels: a shared blank node keeps the same label across rewrites.
    # Only the core prefixes (rdf, rdfs, owl, xsd, xml) and ours: never rdflib's long default list.
    # A blank-node forest prints no label at all: canonical labels (slow) are only needed otherwise.
    out = Graph(bind_namespaces="core")
    for triple in graph if _is_forest(graph) else to_canonical_graph(graph):
        out.add(triple)
    used = {str(t) for triple in graph for t in triple}
    used |= {str(t.datatype) for triple in graph for t in triple if isinstance(t, Literal) and t.datatype}
    for prefix, namespace in PREFIXES.items():
        if any(t.startswith(namespace) for t in used):
            out.bind(prefix, namespace, override=True, replace=True)
    if not len(out):
        return ""
    buffer = io.BytesIO()
    CanonicalTurtleSerializer(out).write_blocks(buffer, _blocks(out))
    return buffer.getvalue().decode("utf-8").strip("\n") + "\n"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (``None`` for a regular file)."""
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return None


def write_atomically(path: Path, data: bytes | Callable[[BinaryIO], object], *, create_parents: bool = False) -> None:
    """Write ``data`` (bytes, or a function that writes to a binary file) to a temporary file beside
    ``path`` and rename it over ``path``.

    A crash at any moment leaves either the old file or the new one, never half of one. The output
    is treated as the user meant it:

    * a symlink is written through (its target is replaced, the link stays);
    * a directory, device, FIFO or socket is refused with one line (``InputError``), never replaced;
    * an existing file keeps its permission bits; a new one gets 0644 (less the umask);
    * a missing folder is an error unless ``create_parents`` (the project's own folders).
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        existing = target.stat()
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if existing is not None:
        kind = _kind(existing.st_mode)
        if kind is not None:
            raise InputError(f"{path}: is {kind}, not a file: give a file name to write")
    if not target.parent.is_dir():
        if not create_parents:
            raise InputError(f"{path}: the folder {target.parent} does not exist (create it first)")
        target.parent.mkdir(parents=True, exist_ok=True)
    if existing is not None:
        mode = stat.S_IMODE(existing.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write in {target.parent}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def format_project(project: Project, *, write: bool = True) -> list[str]:
    """Rewrite every curated Turtle file canonically; return the files that changed.

    The graph of each file is compared before and after (isomorphism): a formatter bug can
    never silently change data. Every file is read and parsed before any is written, so a file
    that does not parse (``InputError`` naming file:line) leaves every file as it was; each file is
    then written as soon as it is formatted (atomically: a kill leaves it old or new, never half).
    """
    parsed = []
    for source in project.curated_files():
        if source.format != "turtle" or source.path.name == "shapes.ttl":
            continue
        name = project.relative(source.path)
        original = _read_text(source.path, name)
        parsed.append((source.path, name, original, parse_turtle(original, name)))
    changed = []
    for path, name, original, graph in parsed:
        text = canonical_turtle(graph)
        if text == original:
            continue
        if not same_graph(graph, parse_turtle(text, name)):
            raise InputError(f"{name}: formatting would change the graph; left as is")
        changed.append(name)
        if write:
            write_atomically(path, text.encode("utf-8"))
    return changed


def _read_text(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}): Turtle files are UTF-8") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None


def parse_turtle(text: str, name: str) -> Graph:
    """The graph of a Turtle text; invalid Turtle is an ``InputError`` naming ``name:line`` (``name``: the file).

    Oxigraph, the strict parser the knowledge graph loads with, reads it: rdflib's accepts some
    invalid texts (a ``\\uZZZZ`` escape), fails on others with a traceback, and is some ten times
    slower. Oxigraph lower-cases language tags, though, and fmt must not rewrite what curators wrote:
    a text that may hold a tag with a capital (``@en-GB``; a false alarm costs only time) is read
    again by rdflib's parser, which keeps tags as written.
    """
    import pyoxigraph as ox

    try:
        triples = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise InputError(f"{name}:{exc.lineno}: {exc.msg}") from None
    if _CAPITAL_IN_TAG.search(text) is None:
        graph = Graph()
        graph.addN((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object), graph) for t in triples)
        return graph
    try:
        return Graph().parse(data=text, format="turtle")
    except Exception as exc:  # noqa: BLE001 - any reader's error on a user's file is that file's error
        raise InputError(f"{name}: rdflib cannot read it: {str(exc).splitlines()[0]}") from None


# An @ followed by a language tag's characters, one of them a capital: "@en-GB" (and "@Prefix", or
# an address in a literal, harmlessly).
_CAPITAL_IN_TAG = re.compile(r"@[a-zA-Z0-9-]*[A-Z]")
