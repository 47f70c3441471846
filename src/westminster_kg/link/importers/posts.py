"""Government, opposition, Parliament or party: the kind of every post an import holds, from its words.

Published ministers files put shadow ministers, Lords spokespersons, select committees and
parliamentary private secretaries beside the ministers, often under an organisation named like a
department ("Health", "Treasury"). Read as they are, they answer "who was a minister" with the
opposition. So every imported membership, post and role is typed (``wm:postKind``) from its role and
its organisation, and every organisation from the posts held in it (an organisation whose members are
all shadow ministers is an opposition portfolio, not a department). The ministers queries answer
government offices only unless asked, and link candidates never propose an opposition portfolio or a
committee as one of our departments.

The rules, in order (the first that applies decides):

1. shadow, spokesperson or opposition in the role or the organisation: **opposition post**;
2. parliamentary private secretary (PPS): **parliamentary post** (an MP, not a minister);
3. a party in the role or organisation (its chairman, a deputy chairman): **party post**;
4. a whip in an organisation that does not say it is the government's: **unclassified** (the file
   does not say whose whip);
5. a ministerial title (secretary of state, minister, under-secretary, law officer, government whip,
   lord in waiting, ...): **government office**;
6. a committee, panel or chamber, a chair, a member, the Speaker: **parliamentary post**;
7. the file's own type, where it has one (EveryPolitician's ``party``, ``other_legislatures``;
   Popolo's organisation ``classification``);
8. a role-less post in a department, ministry, office or the Treasury: **government office**;
9. otherwise **unclassified**, which is never counted as a government office.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from urllib.parse import unquote

import pyoxigraph as ox

from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import WM

GOVERNMENT, OPPOSITION = str(WM.GovernmentOffice), str(WM.OppositionPost)
PARLIAMENTARY, PARTY, UNCLASSIFIED = str(WM.ParliamentaryPost), str(WM.PartyPost), str(WM.UnclassifiedPost)
KIND_NAMES = {
    GOVERNMENT: "government office",
    OPPOSITION: "opposition post",
    PARLIAMENTARY: "parliamentary post",
    PARTY: "party post",
    UNCLASSIFIED: "unclassified",
}

_OPPOSITION = re.compile(r"\bshadow\b|\bspokes(?:person|persons|people|man|woman|men|women)\b|\bopposition\b")
_PPS = re.compile(r"\bpps\b|parliamentary private secretary")
_PARTY = re.compile(r"\bparty\b")
_WHIP = re.compile(r"\bwhips?\b")
_GOVERNMENT_ORGANISATION = re.compile(
    r"\b(?:government|treasury|household|exchequer|cabinet|department|ministry|office)\b"
)
_GOVERNMENT_ROLE = re.compile(
    r"secretary of state|\bministers?\b|under[- ]?secretary|\bchancellor\b|attorney general|solicitor general"
    r"|advocate general|lord privy seal|president of the (?:council|board of trade)|paymaster general"
    r"|(?:chief|financial|economic|exchequer|commercial|parliamentary) secretary|\bwhips?\b"
    r"|lords? commissioner|lords? of the treasury|in waiting|vice[- ]chamberlain|comptroller|treasurer of|lord advocate"
    r"|captain of the|leader of the house|prime minister|first secretary of state"
)
_PARLIAMENT = re.compile(
    r"\bcommittees?\b|\bpanel\b|\bcommission\b|\bchair(?:man|woman|person)?\b|\bmembers?\b|\bspeaker\b"
    r"|father of the house|\bhouse of (?:commons|lords)\b|\bparliament\b|\bassembly\b|ways and means"
)
_COMMITTEE = re.compile(r"\bcommittees?\b|\bpanel\b|\bcommission\b")
_TYPE_HINTS = {
    "party": PARTY,
    "other_legislatures": PARLIAMENTARY,
    "legislature": PARLIAMENTARY,
    "chamber": PARLIAMENTARY,
    "committee": PARLIAMENTARY,
    "opposition": OPPOSITION,
}


def classify(role: str = "", organisation: str = "", hint: str = "") -> str:
    """The ``wm:PostKind`` IRI of a post with this role and organisation (see the module's rules).

    >>> KIND_NAMES[classify("Shadow Minister", "Health")]
    'opposition post'
    >>> KIND_NAMES[classify("PPS (Rt Hon Des Browne, Secretary of State)", "Ministry of Defence")]
    'parliamentary post'
    >>> KIND_NAMES[classify("Minister of State", "Department of Health")]
    'government office'
    >>> KIND_NAMES[classify("", "Public Accounts Committee")]
    'parliamentary post'
    """
    role, organisation, hint = role.casefold(), organisation.casefold(), hint.strip().casefold()
    both = f"{role} | {organisation}"
    if _OPPOSITION.search(both):
        return OPPOSITION
    if _PPS.search(role):
        return PARLIAMENTARY
    if _PARTY.search(both) or hint == "party" and not _GOVERNMENT_ROLE.search(role):
        return PARTY
    if _WHIP.search(role) and organisation and not _GOVERNMENT_ORGANISATION.search(organisation):
        return UNCLASSIFIED
    if role and _GOVERNMENT_ROLE.search(role):
        return GOVERNMENT
    if _PARLIAMENT.search(role) or _COMMITTEE.search(organisation) or (not role and _PARLIAMENT.search(organisation)):
        return PARLIAMENTARY
    if hint in _TYPE_HINTS:
        return _TYPE_HINTS[hint]
    if not role and _GOVERNMENT_ORGANISATION.search(organisation):
        return GOVERNMENT
    return UNCLASSIFIED


def organisation_kind(name: str, held: Iterable[str]) -> str:
    """The kind of an organisation: a committee, a shadow portfolio or a party by its name, else by the
    kinds of the posts held in it (any government office makes it a government body; else opposition,
    Parliament, party)."""
    if _COMMITTEE.search(name.casefold()):
        return PARLIAMENTARY
    if _OPPOSITION.search(name.casefold()):
        return OPPOSITION
    if _PARTY.search(name.casefold()):
        return PARTY
    kinds = set(held)
    for kind in (GOVERNMENT, OPPOSITION, PARLIAMENTARY, PARTY):
        if kind in kinds:
            return kind
    return UNCLASSIFIED


def _first(rows: Iterable[tuple], width: int) -> dict[ox.NamedNode, list[str]]:
    """Rows ``(subject, value, value, ...)`` as subject → the first non-empty value of each column."""
    found: dict[ox.NamedNode, list[str]] = {}
    for row in rows:
        values = found.setdefault(row[0], [""] * width)
        for i, term in enumerate(row[1:]):
            if term is not None and not values[i]:
                values[i] = str(term.value)
    return found


def classify_import(store: ox.Store, graph: ox.NamedNode) -> tuple[dict[str, Counter[str]], int]:
    """Type every membership, post, role and organisation of an import being built in ``store``.

    Members that no person of the import describes get ``a foaf:Person`` and their id as
    ``dcterms:identifier`` (from their IRI), so an answer can name them by id at least.

    Returns:
        Counts of kinds by what was typed (``memberships``, ``organisations``, ``posts``), and the
        number of members left unnamed.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    added: list[ox.Quad] = []
    kind_of = ox.NamedNode(str(WM.postKind))

    def typed(subject: ox.NamedNode, kind: str, what: str) -> str:
        added.append(ox.Quad(subject, kind_of, ox.NamedNode(kind), graph))
        counts[what][kind] += 1
        return kind

    rows = store.query(internal_query("import-memberships-to-classify"), use_default_graph_as_union=True)
    held: dict[ox.NamedNode, list[str]] = defaultdict(list)
    for membership, (role, post, organisation, org_name, kind_hint, org_hint) in _first(
        ((r["m"], r["role"], r["post"], r["organisation"], r["orgName"], r["type"], r["orgType"]) for r in rows), 6
    ).items():
        kind = typed(membership, classify(role or post, org_name, kind_hint or org_hint), "memberships")
        if organisation:
            held[ox.NamedNode(organisation)].append(kind)
    rows = store.query(internal_query("import-posts-to-classify"), use_default_graph_as_union=True)
    for post, (label, organisation, org_name) in _first(
        ((r["post"], r["label"], r["organisation"], r["orgName"]) for r in rows), 3
    ).items():
        kind = typed(post, classify(label, org_name), "posts")
        if organisation:
            held[ox.NamedNode(organisation)].append(kind)
    rows = store.query(internal_query("import-organisations-to-classify"), use_default_graph_as_union=True)
    for organisation, (name,) in _first(((r["organisation"], r["name"]) for r in rows), 1).items():
        typed(organisation, organisation_kind(name, held.get(organisation, ())), "organisations")
    unnamed = 0
    person, identifier = (
        ox.NamedNode("http://xmlns.com/foaf/0.1/Person"),
        ox.NamedNode("http://purl.org/dc/terms/identifier"),
    )
    for row in store.query(internal_query("import-unnamed-members"), use_default_graph_as_union=True):
        member = row["member"]
        added.append(ox.Quad(member, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), person, graph))
        added.append(ox.Quad(member, identifier, ox.Literal(unquote(member.value.rsplit("/", 1)[-1])), graph))
        unnamed += 1
    store.extend(added)
    return dict(counts), unnamed


def describe_kinds(counts: dict[str, Counter[str]]) -> list[str]:
    """One line per kind of thing typed: ``memberships: 1,105 government office, 731 opposition post, ...``."""
    lines = []
    for what in ("memberships", "posts", "organisations"):
        found = counts.get(what)
        if found:
            parts = ", ".join(f"{found[k]:,} {KIND_NAMES[k]}" for k in KIND_NAMES if found[k])
            lines.append(f"{what} by kind: {parts}")
    return lines


__all__ = ["KIND_NAMES", "classify", "classify_import", "describe_kinds", "organisation_kind"]
