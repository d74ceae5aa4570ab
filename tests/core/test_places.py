"""tracker/core/places.py: ISO 3166-2:MA through pycountry, the project's Arabic names and Safi's communes."""

import pytest

from tracker.core import places


def test_every_province_and_prefecture_has_french_and_arabic_names_and_a_region():
    provinces = places.provinces()
    assert len(provinces) == 75 and len(places.regions()) == 12
    for place in provinces:
        assert place.name_fr and place.name_ar != place.name_en, place.code  # an Arabic name of our data file
        assert any("\u0600" <= ch <= "\u06ff" for ch in place.name_ar), place.code
        assert places.region_of(place) is not None and places.region_of(place).kind == "region"
        assert "(EH" not in place.name_fr


def test_regions_are_derived_and_fixed_where_pycountry_is_wrong():
    assert places.region_of(places.province_named("Safi")).name_fr == "Marrakech-Safi"
    assert places.region_of(places.province_named("Chtouka-Ait Baha")).code == "MA-09"  # Souss-Massa
    assert places.region_of(places.province_named("Nouaceur")).code == "MA-06"  # Casablanca-Settat


@pytest.mark.parametrize("typed", ["SAFI", "Province de Safi", "إقليم آسفي", " safi ", "Safi", "آسفي", "Asfi",
                                   "province of Safi", "MA-SAF"])
def test_the_spellings_of_safi_are_one_province(typed):
    match = places.normalise_province(typed)
    assert match.known and match.value == "Safi" and match.place.code == "MA-SAF"


@pytest.mark.parametrize("typed, stored", [("Préfecture de Casablanca", "Casablanca"),
                                           ("عمالة الدار البيضاء", "Casablanca"), ("Tanger", "Tanger-Assilah"),
                                           ("laayoune", "Laâyoune"), ("Province d'Essaouira", "Essaouira")])
def test_other_provinces(typed, stored):
    assert places.normalise_province(typed).value == stored


def test_an_unknown_province_is_kept_as_typed():
    match = places.normalise_province("  Atlantis  du Nord ")
    assert match.unknown and match.value == "Atlantis du Nord"
    assert not places.normalise_province(None).unknown and places.normalise_province("").value is None


def test_communes_of_safi():
    names = [c.name_fr for c in places.communes_of(places.province_named("Safi"))]
    assert names == ["Safi", "Sebt Gzoula", "Jamaat Shaim", "Had Hrara", "Bouguedra", "Ayir", "Lamaachate",
                     "Sidi Aissa", "Khatazakane", "Labkhati", "Moul El Bergui"]  # ../shared/data/README.md
    assert places.normalise_commune("sebt gzoula ", "SAFI").value == "Sebt Gzoula"
    assert places.normalise_commune("جمعة سحيم", "Safi").value == "Jamaat Shaim"
    assert places.normalise_commune("Tamanar", "Safi").unknown
    assert not places.normalise_commune("Tamanar", "Essaouira").unknown  # no reference there: not checked


def test_options_for_the_forms():
    options = dict(places.province_options("ar"))
    assert options["Safi"] == "آسفي (Safi) — مراكش آسفي"
    assert dict(places.province_options("fr"))["Safi"] == "Safi — Marrakech-Safi"
    assert ("Sebt Gzoula", "سبت كزولة (Sebt Gzoula)") in places.commune_options("Safi", "ar")
