"""Moroccan places from the official reference, for imports, project forms and reports.

- Provinces and prefectures (75) and regions (12) are ISO 3166-2:MA, read through pycountry: codes, kinds,
  French names and parent regions. pycountry ships no Arabic names for them: those, two region fixes and a
  few everyday aliases are project data in `data/places_ma.json`, each with its source.
- Communes: those of Safi province (the programme's forum), also in `data/places_ma.json` with their source.

What a project stores is the French name of the place (`Place.name_fr`, e.g. "Safi"): one spelling per
province, so lists, filters and the report's "by province" section count each province once. Anything that
does not match is kept as typed and reported as unknown by the caller (a warning, never an error).

Matching folds case, accents, spaces, punctuation and Arabic letter variants (tracker.core.folding) and
ignores the words "province de", "préfecture de", "إقليم", "عمالة" (and "commune de", "جماعة" for communes),
so "SAFI", "Province de Safi", "إقليم آسفي" and " safi " are one province. The ISO annotations "(EH)" and
"(EH partiel)" are not part of the names shown.
"""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry

from tracker.core.folding import fold

COUNTRY = "MA"
DATA_FILE = Path(__file__).with_name("data") / "places_ma.json"
_ISO_NOTE = re.compile(r"\s*\((?:EH|EH[- ]partial|EH partiel)\)\s*$")
_PROVINCE_WORDS = ("province de", "province d", "province du", "province of", "prefecture de", "prefecture d",
                   "prefecture du", "prefecture of", "province", "prefecture", "اقليم", "عماله")
_COMMUNE_WORDS = ("commune urbaine de", "commune urbaine d", "commune rurale de", "commune rurale d",
                  "commune de", "commune d", "commune", "municipalite de", "municipality of", "جماعه")


@dataclass(frozen=True)
class Place:
    code: str  # ISO 3166-2, e.g. MA-SAF
    kind: str  # "region" | "province" | "prefecture"
    name_fr: str
    name_ar: str
    name_en: str
    region_code: str | None = None  # provinces and prefectures only

    def name(self, locale: str | None = "fr") -> str:
        return {"ar": self.name_ar, "en": self.name_en}.get(str(locale or "fr")[:2], self.name_fr)


@dataclass(frozen=True)
class Commune:
    province_code: str
    name_fr: str
    name_ar: str

    def name(self, locale: str | None = "fr") -> str:
        return self.name_ar if str(locale or "fr")[:2] == "ar" else self.name_fr


@dataclass(frozen=True)
class PlaceMatch:
    """A typed place after normalisation: `value` is what to store (the reference name, or the text as typed
    when it is unknown); `checked` is False when there is no reference to check it against."""

    value: str | None
    typed: str | None
    place: Place | Commune | None = None
    checked: bool = True

    @property
    def known(self) -> bool:
        return self.place is not None

    @property
    def unknown(self) -> bool:
        """Something was typed, a reference exists, and the text is not in it: the caller warns."""
        return bool(self.typed) and self.checked and self.place is None


def _clean(text: str | None) -> str | None:
    cleaned = " ".join(str(text).split()) if text is not None else ""
    return cleaned or None


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _french():
    try:
        import gettext

        return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"]).gettext
    except OSError:  # a pycountry build without catalogues: the English names stand in
        return lambda text: text


@lru_cache(maxsize=1)
def _places() -> dict[str, Place]:
    data, french = _data(), _french()
    found = {}
    for sub in pycountry.subdivisions.get(country_code=COUNTRY):
        kind = sub.type.casefold()
        region = None
        if kind != "region":
            region = data["region_fixes"].get(sub.code) or sub.parent_code
        found[sub.code] = Place(
            code=sub.code, kind=kind, name_fr=_ISO_NOTE.sub("", french(sub.name)),
            name_ar=data["arabic_names"].get(sub.code) or _ISO_NOTE.sub("", sub.name),
            name_en=_ISO_NOTE.sub("", sub.name), region_code=region,
        )
    return found


def provinces() -> list[Place]:
    """Provinces and prefectures, sorted by French name."""
    return sorted((p for p in _places().values() if p.kind != "region"), key=lambda p: fold(p.name_fr))


def regions() -> list[Place]:
    return sorted((p for p in _places().values() if p.kind == "region"), key=lambda p: p.code)


def get(code: str) -> Place | None:
    return _places().get(code)


def region_of(province: Place) -> Place | None:
    return _places().get(province.region_code) if province.region_code else None


def _strip_words(folded: str, words: tuple[str, ...]) -> str:
    for word in words:
        if folded.startswith(word + " "):
            return folded[len(word) + 1:]
        if folded.endswith(" " + word):
            return folded[: -len(word) - 1]
    return folded


@lru_cache(maxsize=1)
def _province_index() -> dict[str, Place]:
    index: dict[str, Place] = {}
    aliases = _data()["aliases"]
    for place in provinces():
        for spelling in (place.name_fr, place.name_en, place.name_ar, place.code, *aliases.get(place.code, ())):
            index.setdefault(fold(spelling), place)
    return index


def province_named(text: str | None) -> Place | None:
    """The province or prefecture `text` names, however it is spelt (accents, case, "province de")."""
    folded = fold(_clean(text))
    if not folded:
        return None
    index = _province_index()
    return index.get(folded) or index.get(_strip_words(folded, _PROVINCE_WORDS))


def normalise_province(text: str | None) -> PlaceMatch:
    """The province's French name when `text` names a province or prefecture, else the text as typed."""
    typed = _clean(text)
    place = province_named(typed)
    return PlaceMatch(place.name_fr if place else typed, typed, place)


@lru_cache(maxsize=1)
def _communes() -> dict[str, tuple[Commune, ...]]:
    return {code: tuple(Commune(code, c["fr"], c["ar"]) for c in rows)
            for code, rows in _data()["communes"].items()}


@lru_cache(maxsize=1)
def _commune_index() -> dict[str, dict[str, Commune]]:
    index: dict[str, dict[str, Commune]] = {}
    for code, rows in _data()["communes"].items():
        by_name = index.setdefault(code, {})
        for commune, row in zip(_communes()[code], rows, strict=True):
            for spelling in (row["fr"], row["ar"], *row.get("aliases", ())):
                by_name.setdefault(fold(spelling), commune)
    return index


def communes_of(province: Place | None) -> tuple[Commune, ...]:
    """The communes the project knows for this province (empty when it knows none)."""
    return _communes().get(province.code, ()) if province else ()


def commune_named(text: str | None, province: Place | None) -> Commune | None:
    """The commune `text` names in `province`; without a province, in any province whose communes are known."""
    folded = fold(_clean(text))
    if not folded:
        return None
    tables = [_commune_index().get(province.code, {})] if province else list(_commune_index().values())
    for table in tables:
        found = table.get(folded) or table.get(_strip_words(folded, _COMMUNE_WORDS))
        if found:
            return found
    return None


def normalise_commune(text: str | None, province_text: str | None) -> PlaceMatch:
    """The commune's French name when it is known; else the text as typed, `checked` only when the project
    knows the communes of the province (Safi): elsewhere an unlisted commune is no reason to warn."""
    typed = _clean(text)
    province = province_named(province_text)
    commune = commune_named(typed, province) if (province is None or communes_of(province)) else None
    if commune is not None:
        return PlaceMatch(commune.name_fr, typed, commune)
    checked = bool(communes_of(province)) if province else False
    return PlaceMatch(typed, typed, None, checked)


def province_options(locale: str | None = "fr") -> list[tuple[str, str]]:
    """(value stored, label shown) for a searchable list: the label adds the name in the reader's language
    and the region."""
    options = []
    for place in provinces():
        region = region_of(place)
        shown = place.name(locale)
        label = shown if shown == place.name_fr else f"{shown} ({place.name_fr})"
        options.append((place.name_fr, f"{label} — {region.name(locale)}" if region else label))
    return options


def commune_options(province_text: str | None = None, locale: str | None = "fr") -> list[tuple[str, str]]:
    province = province_named(province_text)
    known = communes_of(province) if province else tuple(c for cs in _communes().values() for c in cs)
    return [(c.name_fr, c.name_fr if c.name(locale) == c.name_fr else f"{c.name(locale)} ({c.name_fr})")
            for c in sorted(known, key=lambda c: fold(c.name_fr))]
