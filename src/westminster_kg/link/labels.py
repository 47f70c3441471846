"""Label comparison: when a remote label agrees with ours, and how alike two labels are."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Set
from functools import lru_cache

# Words that say how someone is addressed, not who they are.
HONORIFICS = frozenset(
    {
        "the",
        "rt",
        "hon",
        "right",
        "honourable",
        "mp",
        "baroness",
        "baron",
        "lord",
        "lady",
        "sir",
        "dame",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "of",
        "lg",
        "om",
        "frs",
        "kg",
        "ch",
        "qc",
        "kc",
        "viscount",
    }
)
STOPWORDS = frozenset({"the", "of", "and", "for", "a", "an", "in", "on"})
# Labels are compared many times each (every pair a review scores, every reconciliation query): what
# is computed from one label alone is kept, for this many labels (a large import has some tens of thousands).
_CACHED_LABELS = 1 << 16


@lru_cache(maxsize=_CACHED_LABELS)
def normalise_label(label: str) -> str:
    """Lower case, accents and punctuation removed, ``&`` as ``and``, white space collapsed."""
    if label.isascii():  # NFKD leaves ASCII as it is, with nothing combining to drop
        text = label.casefold()
    else:
        text = unicodedata.normalize("NFKD", label)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ")
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(text.split())


_PUNCTUATION = re.compile(r"[^\w\s]")


# How departments are written differently by different datasets: "HM Treasury" / "Her Majesty's
# Treasury" / "Treasury", "Department for Health" / "Department of Health". The royal prefix and the
# preposition after "Department" never tell two departments apart, so they are set aside.
_ROYAL = re.compile(r"^(?:hm|hmg|her majesty s|his majesty s|her majestys|his majestys)\s+")
_DEPARTMENT_OF = re.compile(r"\bdepartment (?:for|of)\b")
# Abbreviations spreadsheets use for the same words ("Dept. for Work & Pensions").
_ABBREVIATIONS = re.compile(r"\b(?:dept|dpt|depart)\b")


@lru_cache(maxsize=_CACHED_LABELS)
def organisation_key(label: str) -> str:
    """``normalise_label`` without a leading HM/Her Majesty's, with "Dept." and "Department for/of" as "department"."""
    text = _ABBREVIATIONS.sub("department", _ROYAL.sub("", normalise_label(label)))
    return _DEPARTMENT_OF.sub("department", text).strip()


def label_tokens(label: str, drop: Set[str]) -> set[str]:
    """The words of ``label`` after ``normalise_label``, without those in ``drop``."""
    return {t for t in _words(label) if t not in drop}


@lru_cache(maxsize=_CACHED_LABELS)
def _words(label: str) -> tuple[str, ...]:
    return tuple(normalise_label(label).split())


@lru_cache(maxsize=_CACHED_LABELS)
def name_words(label: str) -> frozenset[str]:
    """``label_tokens(label, HONORIFICS)``, kept: the words that say who a person is."""
    return frozenset(label_tokens(label, HONORIFICS))


@lru_cache(maxsize=_CACHED_LABELS)
def _similarity_key(label: str) -> tuple[frozenset[str], str, Counter[str]]:
    """What ``label_similarity`` compares of one label: its words without stopwords, those words
    sorted and joined, and the characters of that text (for ``similarity_at_most``)."""
    words = frozenset(label_tokens(label, STOPWORDS))
    text = " ".join(sorted(words))
    return words, text, Counter(text)


def compare_labels(ours: list[str], remote: list[str]) -> str:
    """``ok`` when a label of ours equals a remote one (normalised), ``close`` when one's words are
    all among the other's (titles such as "Baroness" ignored), else ``mismatch``."""
    if not ours or not remote:
        return "mismatch"
    normal_ours = {normalise_label(x) for x in ours}
    if normal_ours & {normalise_label(x) for x in remote}:
        return "ok"
    for a in ours:
        for b in remote:
            ta, tb = label_tokens(a, HONORIFICS), label_tokens(b, HONORIFICS)
            if ta and tb and (ta <= tb or tb <= ta):
                return "close"
    return "mismatch"


def label_similarity(a: str, b: str) -> float:
    """0..1: the mean of the token Dice coefficient (shared words) and the character ratio of the
    sorted words (spelling variants), after ``normalise_label`` and without words such as "of"."""
    (ta, sa, _), (tb, sb, _) = _similarity_key(a), _similarity_key(b)
    if not ta or not tb:
        return 0.0
    dice = 2 * len(ta & tb) / (len(ta) + len(tb))
    ratio = difflib.SequenceMatcher(None, sa, sb).ratio()
    return round((dice + ratio) / 2, 3)


def similarity_at_most(a: str, b: str, enough: float = 1.0) -> float:
    """A bound ``label_similarity(a, b)`` never exceeds, found without difflib's matching: the same
    mean, with difflib's own bounds on its ratio in its place (the lengths, then the characters in
    common: no matching pairs more). Rounding and the mean only grow with the ratio, so the bound
    holds exactly. The first bound is returned when it is already below ``enough``."""
    (ta, sa, ca), (tb, sb, cb) = _similarity_key(a), _similarity_key(b)
    if not ta or not tb:
        return 0.0
    dice = 2 * len(ta & tb) / (len(ta) + len(tb))
    length = len(sa) + len(sb)
    bound = round((dice + 2 * min(len(sa), len(sb)) / length) / 2, 3)  # difflib's real_quick_ratio
    if bound < enough:
        return bound
    common = sum((ca & cb).values())  # difflib's quick_ratio: no matching can pair more characters
    return round((dice + 2 * common / length) / 2, 3)


__all__ = [
    "HONORIFICS",
    "STOPWORDS",
    "compare_labels",
    "label_similarity",
    "label_tokens",
    "name_words",
    "normalise_label",
    "organisation_key",
    "similarity_at_most",
]
