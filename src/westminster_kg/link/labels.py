"""Label comparison: when a remote label agrees with ours, and how alike two labels are."""

from __future__ import annotations

import difflib
import re
import unicodedata

# Words that say how someone is addressed, not who they are.
HONORIFICS = {
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
STOPWORDS = {"the", "of", "and", "for", "a", "an", "in", "on"}


def normalise_label(label: str) -> str:
    """Lower case, accents and punctuation removed, ``&`` as ``and``, white space collapsed."""
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


# How departments are written differently by different datasets: "HM Treasury" / "Her Majesty's
# Treasury" / "Treasury", "Department for Health" / "Department of Health". The royal prefix and the
# preposition after "Department" never tell two departments apart, so they are set aside.
_ROYAL = re.compile(r"^(?:hm|hmg|her majesty s|his majesty s|her majestys|his majestys)\s+")
_DEPARTMENT_OF = re.compile(r"\bdepartment (?:for|of)\b")
# Abbreviations spreadsheets use for the same words ("Dept. for Work & Pensions").
_ABBREVIATIONS = re.compile(r"\b(?:dept|dpt|depart)\b")


def organisation_key(label: str) -> str:
    """``normalise_label`` without a leading HM/Her Majesty's, with "Dept." and "Department for/of" as "department"."""
    text = _ABBREVIATIONS.sub("department", _ROYAL.sub("", normalise_label(label)))
    return _DEPARTMENT_OF.sub("department", text).strip()


def label_tokens(label: str, drop: set[str]) -> set[str]:
    """The words of ``label`` after ``normalise_label``, without those in ``drop``."""
    return {t for t in normalise_label(label).split() if t not in drop}


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
    ta, tb = label_tokens(a, STOPWORDS), label_tokens(b, STOPWORDS)
    if not ta or not tb:
        return 0.0
    dice = 2 * len(ta & tb) / (len(ta) + len(tb))
    ratio = difflib.SequenceMatcher(None, " ".join(sorted(ta)), " ".join(sorted(tb))).ratio()
    return round((dice + ratio) / 2, 3)


__all__ = [
    "HONORIFICS",
    "STOPWORDS",
    "compare_labels",
    "label_similarity",
    "label_tokens",
    "normalise_label",
    "organisation_key",
]
