"""The name threshold of tracker/imports/matching.py, on real names: the demo cohort and the forum sample."""

from itertools import combinations

import pytest

from tests.imports.conftest import sample_rows
from tracker.core.folding import fold
from tracker.demo import data as demo_data
from tracker.imports.matching import NAME_THRESHOLD, name_score, names_agree, next_free_code


def all_names() -> list[str]:
    names = {" ".join(str(r[1]).split()) for r in sample_rows()[1:] if r[1]}
    return sorted(names | {p.name for p in demo_data.PROJECTS})


def test_no_two_different_projects_of_the_demo_and_the_sample_agree():
    scores = sorted(((name_score(a, b), a, b) for a, b in combinations(all_names(), 2) if fold(a) != fold(b)),
                    reverse=True)
    best, a, b = scores[0]
    assert best < NAME_THRESHOLD, (a, b)
    assert (round(best, 1), {a, b}) == (84.6, {"Sardine Dorée", "Sardines d'Or"})  # the README's figure


@pytest.mark.parametrize("a, b", [
    ("Tawjih Pro", "Tawjih Pr"), ("Savonnerie Argile", "Savonerie Argile"), ("Amlou Gzoula", "Amlou Gzola"),
    ("Poterie Bleue de Safi ", "poterie bleue de SAFI"), ("Crèche Les Petits Goélands", "Creche les petits goelands"),
    ("تعاونية نسيم البحر", "تعاونيه نسيم البحر"), ("مؤسسة الأمل", "موسسة الامل"), ("مستشفى", "مستشفي"),
])
def test_small_edits_and_spelling_variants_agree(a, b):
    assert names_agree(a, b)


@pytest.mark.parametrize("a, b", [("Biocompost Lamaachate", "Sardine Dorée"), ("Nour", "Noor"),
                                  ("Tawjih App", "Tawjih Pro"), ("Projet", "")])
def test_other_names_do_not_agree(a, b):
    assert not names_agree(a, b)


@pytest.mark.parametrize("key, taken, expected", [
    ("P07", {"p01", "p07", "p32"}, "P33"), ("P07", {"p07"}, "P08"), ("7", {"7", "12"}, "13"),
    ("B00099", {"b00099"}, "B00100"), ("ABC", {"abc", "abc-2"}, "ABC-3"),
])
def test_next_free_code(key, taken, expected):
    taken = set(taken)
    assert next_free_code(key, taken) == expected and expected.casefold() in taken
