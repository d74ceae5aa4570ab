"""When a project of the file is a project of the cohort, and the number a new one gets (issue 14).

A file's project matches a cohort's project only when the number (any case, spaces collapsed) and the name
agree. Names agree when, folded (case, accents, punctuation, spaces and Arabic letter variants, see
tracker.core.folding), they are equal or rapidfuzz's `fuzz.ratio` (normalised Indel similarity, 0–100)
reaches NAME_THRESHOLD. The same number with another name is a conflict that the user resolves.

Why 90: one typo in a ten-letter name scores 90–97 ("Tawjih Pro" / "Tawjih Pr" 94.7, "Savonnerie Argile" /
"Savonerie Argile" 97.0), while the closest pair of different projects among the demo cohort and the forum
sample scores 84.6 ("Sardine Dorée" / "Sardines d'Or"), then 80.0 ("Tawjih App" / "Tawjih Pro"); the test
tests/imports/test_matching.py keeps both facts true. Short names need an exact match or nearly: a change of
one letter in a five-letter name scores 80, a conflict — the user decides, nothing is overwritten.
"""

import re

from rapidfuzz import fuzz

from tracker.core.folding import fold

NAME_THRESHOLD = 90.0


def name_score(a: str | None, b: str | None) -> float:
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    return 100.0 if fa == fb else fuzz.ratio(fa, fb)


def names_agree(a: str | None, b: str | None) -> bool:
    return name_score(a, b) >= NAME_THRESHOLD


_NUMBERED = re.compile(r"(.*?)(\d+)\Z")


def next_free_code(key: str, taken: set[str]) -> str:
    """The next number of the same form as `key` that no project of the cohort or of the file uses:
    P07 with P01…P32 taken → P33. A number without digits gets "-2", "-3"… `taken` holds folded numbers
    (any case, spaces collapsed) and receives the one returned."""
    match = _NUMBERED.match(key)
    if match:
        prefix, digits = match.groups()
        same_form = [int(m.group(2)) for t in taken if (m := _NUMBERED.match(t)) and m.group(1) == prefix.casefold()]
        number = max([int(digits), *same_form]) + 1
        candidate = f"{prefix}{number:0{len(digits)}d}"
        while _fold_key(candidate) in taken:
            number += 1
            candidate = f"{prefix}{number:0{len(digits)}d}"
    else:
        suffix = 2
        while _fold_key(candidate := f"{key}-{suffix}") in taken:
            suffix += 1
    taken.add(_fold_key(candidate))
    return candidate


def _fold_key(text: str) -> str:
    return " ".join(text.split()).casefold()
