"""The import's columns and how a file's header row maps onto them (README rule 2, DESIGN §7).

Headers are matched in French or English whatever the case, accents, punctuation or extra spaces. A header
we do not know, a missing mandatory one or a column given twice refuses the whole file: a misspelt optional
column would otherwise be dropped silently (a misspelt "Date de naissance" would lose every age). The error
column of our own rejected-rows file is recognised and ignored, so a corrected file imports as it is.
"""

from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from tracker.imports.normalise import fold
from tracker.imports.reader import ImportFileError


@dataclass(frozen=True)
class Column:
    field: str
    french: str
    english: str
    mandatory: bool = False
    aliases: tuple[str, ...] = ()  # other spellings, French or English


COLUMNS = (
    Column("key", "N° projet", "Project ID", True,
           ("No projet", "Nº projet", "N projet", "Numéro projet", "Numéro du projet", "Num projet",
            "Code projet", "Project number", "Project no", "Project code")),
    Column("project_name", "Nom du projet", "Project name", True, ("Nom projet", "Intitulé du projet")),
    Column("sector", "Secteur", "Sector", True, ("Secteur d'activité",)),
    Column("sub_sector", "Sous-secteur", "Sub-sector", False, ("Subsector",)),
    Column("summary", "Résumé", "Summary", False, ("Résumé du projet", "Description", "Project summary")),
    Column("stage", "Stade", "Stage", False, ("Stade du projet", "Étape")),
    Column("legal_form", "Forme juridique", "Legal form", False, ("Statut juridique", "Legal status")),
    Column("province", "Province", "Province", False, ()),
    Column("commune", "Commune", "Commune", False, ("Municipality",)),
    Column("full_name", "Nom complet", "Full name", True, ("Nom et prénom", "Prénom et nom", "Name")),
    Column("sex", "Sexe", "Sex", False, ("Genre", "Gender")),
    Column("birth_date", "Date de naissance", "Birth date", False, ("Date of birth", "Birthdate")),
    Column("role_title", "Rôle", "Role", False, ("Fonction", "Rôle dans le projet", "Role in the project")),
    Column("is_lead", "Porteur principal", "Lead", False,
           ("Porteuse principale", "Porteur(se) principal(e)", "Project lead", "Main holder")),
    Column("ownership_pct", "Part du capital (%)", "Ownership %", False,
           ("Part du capital", "Part (%)", "Ownership", "Ownership (%)", "Share (%)", "Capital share")),
    Column("phone", "Téléphone", "Phone", False, ("Tél", "Tel", "GSM", "Mobile", "Phone number", "Telephone")),
    Column("email", "E-mail", "Email", False, ("Courriel", "Adresse e-mail", "Mail", "E-mail address")),
    Column("consent_date", "Date de consentement", "Consent date", True,
           ("Date du consentement", "Date of consent")),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
# The error column of our own rejected-rows file, so a corrected file can be imported as it is.
ERROR_HEADERS = ("Erreur", "Erreurs", "Error", "Errors")
IGNORED = "_ignored"
_HEADER_INDEX: dict[str, tuple[str, str | None]] = {fold(h): (IGNORED, None) for h in ERROR_HEADERS}
for _column in COLUMNS:
    for _alias in _column.aliases:
        _HEADER_INDEX.setdefault(fold(_alias), (_column.field, None))
    _HEADER_INDEX[fold(_column.english)] = (_column.field, "en")
    _HEADER_INDEX[fold(_column.french)] = (_column.field, "fr" if _column.french != _column.english else None)


@dataclass
class HeaderMap:
    index: dict[str, int]  # field → position in the row
    written: dict[str, str]  # field → header as written in the file
    language: str  # "fr" | "en": the language most headers are written in

    def present(self, name: str) -> bool:
        return name in self.index

    def header(self, name: str) -> str:
        return self.written.get(name) or (
            COLUMN_BY_FIELD[name].english if self.language == "en" else COLUMN_BY_FIELD[name].french
        )


def accepted_headers() -> str:
    return ", ".join(f"{c.french} ({c.english})" if c.french != c.english else c.french for c in COLUMNS)


def map_headers(headers: list[str]) -> HeaderMap:
    """Which column holds which field; raises ImportFileError naming the unknown, missing or repeated ones."""
    index, written, unknown, repeated = {}, {}, [], []
    votes = Counter()
    for position, header in enumerate(headers):
        if not header:
            continue
        match = _HEADER_INDEX.get(fold(header))
        if match is None:
            unknown.append(header)
            continue
        name, language = match
        if name == IGNORED:
            continue
        if name in index:
            repeated.append(header)
            continue
        index[name], written[name] = position, header
        if language:
            votes[language] += 1
    missing = [c.french if votes["en"] <= votes["fr"] else c.english
               for c in COLUMNS if c.mandatory and c.field not in index]
    quoted = ", ".join(f"« {h} »" for h in unknown)
    if repeated:
        raise ImportFileError(_l("La colonne « %(header)s » figure deux fois dans l'en-tête : gardez-en une seule.",
                                 header=repeated[0]))
    if unknown and missing:
        raise ImportFileError(_l(
            "Colonnes non reconnues : %(unknown)s ; colonnes obligatoires absentes : %(missing)s. "
            "L'en-tête doit être sur la première ligne ; en-têtes acceptés : %(accepted)s.",
            unknown=quoted, missing=", ".join(missing), accepted=accepted_headers(),
        ))
    if missing:
        raise ImportFileError(_l(
            "Colonnes obligatoires absentes : %(missing)s. En-têtes acceptés : %(accepted)s.",
            missing=", ".join(missing), accepted=accepted_headers(),
        ))
    if unknown:
        raise ImportFileError(_l(
            "Colonnes non reconnues : %(unknown)s. Renommez-les avec un des en-têtes acceptés (%(accepted)s) "
            "ou supprimez-les.", unknown=quoted, accepted=accepted_headers(),
        ))
    return HeaderMap(index=index, written=written, language="en" if votes["en"] > votes["fr"] else "fr")
