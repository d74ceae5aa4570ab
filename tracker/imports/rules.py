"""The import rules of DESIGN §7 and ../shared/data/README.md, as pure functions: no database here.

1. Every cell is trimmed and its inner whitespace collapsed (and Unicode put in NFC form) before anything else.
2. Headers are matched in French or English whatever the case, accents, punctuation or extra spaces. A header
   we do not know, a missing mandatory one or a column given twice refuses the whole file: a misspelt
   optional column would otherwise be dropped silently (a misspelt "Date de naissance" would lose every age).
3. Row level: a blank mandatory cell, an unreadable or non-existent date, a birth or consent date after the
   import day, an unknown sex or lead value, an ownership share that is not a number in 0–100, a phone or
   e-mail that is not valid, a text longer than its database column. The row is reported and skipped; the
   rest of its project is still imported. A row whose (project number, full name) — trimmed, any case —
   appeared on an earlier row is reported as a duplicate and skipped; the earlier row is kept.
4. Project level, on the rows that survived step 3 (the whole project is reported and skipped): unknown
   sector, different sectors, names, stages or legal forms on its rows (spelling variants that fold to the
   same value are not different), not exactly one lead, ownership shares summing over 100. For a project
   already in the cohort the team rules apply to the team as it will be after the import: members who are
   not in the file keep their shares and their lead flag (so the fixed rejected rows of a project can be
   imported on their own); a lead marked in the file replaces the current one.
5. Project fields are taken from the project's surviving rows: the value written most often (compared
   folded), spelt the way it is written most often; ties go to the earliest row. Province, commune,
   sub-sector and summary are free text and never a conflict.

Mapping decisions (documented because the forum's vocabulary is not ours):
- stage: Idée → idea; Pré-création and Création → prototype (the business is being set up, no sales yet);
  Démarrage → early_revenue (first sales); Développement → growth.
- legal form: Coopérative → cooperative; SARL, SARLAU, SA → company; Auto-entrepreneur → auto_entrepreneur;
  Association → association; Non constituée → none.
- member role: the text is kept as written in role_title; the role is co_founder for co-fondateur/trice,
  associé(e) or partner, employee for employé(e)/salarié(e), founder for everything else (porteur/porteuse,
  fondateur/trice, président(e), gérant(e), membre…).
- phone: Moroccan numbers follow the README rule, not libphonenumber: libphonenumber 9.0 rejects 14 of the
  sample's numbers (07 29…, 07 44…, 07 9x…, 06 83…) that the README calls valid, because it only knows the
  ranges the regulator had allocated when its metadata was built. 9 national digits starting with 5, 6, 7
  or 8 after removing 0 / 212 / +212 / 00212 → +212XXXXXXXXX. Numbers with another country code are checked
  with libphonenumber.
"""

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from tracker.core.phones import normalise_phone  # one rule for forms and imports
from tracker.imports.reader import ImportFileError, Sheet, SheetRow
from tracker.projects.models import LegalForm, Member, MemberRole, Project, Sector, Sex, Stage

# ---------------------------------------------------------------- text


# Direction marks, zero-width space, BOM and soft hyphen: invisible, yet they would make two names differ.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                                    "\ufeff\u00ad"))


def clean(value: Any) -> str | None:
    """A cell as trimmed text with its inner whitespace collapsed; None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        value = format(Decimal(repr(value)).normalize(), "f")
    elif isinstance(value, dt.datetime):
        value = value.strftime("%d/%m/%Y %H:%M") if value.time() != dt.time(0, 0) else value.strftime("%d/%m/%Y")
    elif isinstance(value, dt.date):
        value = value.strftime("%d/%m/%Y")
    text = " ".join(unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE).split())
    return text or None


@lru_cache(maxsize=8192)  # sectors, sexes, stages and project names repeat on every row
def fold(text: str | None) -> str:
    """For comparisons only: no case, no accents (Arabic hamza included), punctuation as spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in letters).split())


def name_key(text: str | None) -> str:
    """How members and project numbers are matched: trimmed, whitespace collapsed, any case."""
    return " ".join((text or "").split()).casefold()


# ---------------------------------------------------------------- headers

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


# ---------------------------------------------------------------- value tables

def _table(pairs: dict[Any, list[str]]) -> dict[str, Any]:
    return {fold(spelling): code for code, spellings in pairs.items() for spelling in spellings}


SECTORS = _table({
    Sector.DIGITAL: ["numérique", "technologies numériques", "technologie numérique", "digital",
                     "digital technology", "digital technologies", "tic", "ict"],
    Sector.AGRICULTURE: ["agriculture", "agriculture moderne", "modern agriculture"],
    Sector.TRAINING_SERVICES: ["formation et services", "formation & services", "formation", "services",
                               "training and services", "training & services", "training"],
    Sector.LOCAL_PRODUCTS: ["produits du terroir", "produits locaux", "local products", "terroir", "textile",
                            "artisanat", "handicrafts", "handicraft", "crafts"],
})
for _sector in Sector:
    SECTORS.setdefault(fold(_sector.value), _sector)

SEXES = _table({
    Sex.F: ["F", "Femme", "Féminin", "Female", "Woman", "أنثى", "انثي"],
    Sex.M: ["H", "Homme", "M", "Masculin", "Male", "Man", "ذكر"],
})
LEAD_VALUES = _table({
    True: ["oui", "o", "yes", "y", "x", "vrai", "true", "1", "نعم"],
    False: ["non", "n", "no", "faux", "false", "0", "لا"],
})
STAGES = _table({
    Stage.IDEA: ["idée", "idea", "idéation", "ideation"],
    Stage.PROTOTYPE: ["pré-création", "précréation", "création", "en création", "prototype", "prototypage",
                      "pre-creation", "creation"],
    Stage.EARLY_REVENUE: ["démarrage", "lancement", "start-up", "startup", "early revenue", "early revenues",
                          "early_revenue", "first sales", "premières ventes"],
    Stage.GROWTH: ["développement", "croissance", "growth", "development", "expansion", "scale-up"],
})
LEGAL_FORMS = _table({
    LegalForm.COOPERATIVE: ["coopérative", "cooperative", "coop", "co-operative"],
    LegalForm.COMPANY: ["sarl", "sarlau", "sarl au", "sarl à associé unique", "sa", "société", "company",
                        "limited company", "ltd", "llc"],
    LegalForm.AUTO_ENTREPRENEUR: ["auto-entrepreneur", "auto-entrepreneuse", "autoentrepreneur",
                                  "auto_entrepreneur", "self-employed", "sole trader"],
    LegalForm.ASSOCIATION: ["association", "ong", "ngo"],
    LegalForm.NONE: ["non constituée", "non constitué", "non constitue", "en cours de constitution",
                     "informel", "informelle", "aucune", "none", "not registered", "unregistered", "informal"],
})
_CO_FOUNDER = re.compile(r"\bco ?fond|\bco ?found|\bassoci|\bpartner|\bpartenaire")
_EMPLOYEE = re.compile(r"\bemploy|\bsalari")


def sector_code(text: str | None) -> Sector | None:
    return SECTORS.get(fold(text))


def stage_code(text: str | None) -> Stage | None:
    return STAGES.get(fold(text))


def legal_form_code(text: str | None) -> LegalForm | None:
    return LEGAL_FORMS.get(fold(text))


def member_role(role_title: str | None) -> MemberRole:
    folded = fold(role_title)
    if _CO_FOUNDER.search(folded):
        return MemberRole.CO_FOUNDER
    if _EMPLOYEE.search(folded):
        return MemberRole.EMPLOYEE
    return MemberRole.FOUNDER  # porteur/porteuse, fondateur/trice, président(e), membre and anything else


def parse_sex(value: Any) -> Sex | None:
    """F or M; None when blank (not stated); ValueError for anything else. Never guessed from a name."""
    text = clean(value)
    if text is None:
        return None
    try:
        return SEXES[fold(text)]
    except KeyError:
        raise ValueError(text) from None


def parse_lead(value: Any) -> bool:
    """Oui/Yes = lead; Non/No or blank = not lead; ValueError for anything else."""
    if isinstance(value, bool):
        return value
    text = clean(value)
    if text is None:
        return False
    try:
        return LEAD_VALUES[fold(text)]
    except KeyError:
        raise ValueError(text) from None


_SHARE = re.compile(r"\d+(?:[.,]\d+)?")
HUNDREDTH = Decimal("0.01")


def parse_ownership(value: Any) -> Decimal | None:
    """A share 0–100 from `60`, `60%`, `60 %`, `33.33` (number cell) or `33,33`, rounded to 0.01; None when
    blank; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = clean(value)
        if text is None:
            return None
        compact = text.replace(" ", "").removesuffix("%")
        if not _SHARE.fullmatch(compact):
            raise ValueError(text)
        number = Decimal(compact.replace(",", "."))
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValueError(value)
    return number.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


class DateError(ValueError):
    def __init__(self, reason: str):  # "unreadable" | "nonexistent"
        super().__init__(reason)
        self.reason = reason


_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
OLDEST = dt.date(1900, 1, 1)


def parse_date(value: Any) -> dt.date | None:
    """Day-first d/m/yyyy or dd/mm/yyyy (also with - or .), ISO yyyy-mm-dd, or a real date cell; None when
    blank; DateError("unreadable") or DateError("nonexistent") (31/02, or before 1900) otherwise."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateError("unreadable")  # a bare number is not a date: Excel shows real dates as dates
    text = clean(value)
    if text is None:
        return None
    if match := _DMY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise DateError("unreadable")
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise DateError("nonexistent") from None
    if parsed < OLDEST:
        raise DateError("nonexistent")
    return parsed


def normalise_email(value: Any) -> str | None:
    """A syntactically valid address (no DNS lookup), lower-cased as the member service stores it."""
    text = clean(value)
    if text is None:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValueError(text) from None


# ---------------------------------------------------------------- issues

@dataclass
class ImportIssue:
    lines: list[int]  # spreadsheet row numbers (header = 1)
    column: str | None  # the header as written in the file
    code: str
    message: Any  # lazy translated string (French source) naming the value
    project_key: str | None = None
    level: str = "row"  # "row" | "project"
    value: str | None = None  # the offending cell as written, when there is one


def _lines(lines) -> str:
    return ", ".join(str(n) for n in lines)


ROW_MESSAGES = {
    "missing_project_key": lambda v: _l("Le numéro de projet est vide : chaque ligne doit indiquer le projet "
                                        "du membre."),
    "missing_project_name": lambda v: _l("Le nom du projet est vide sur cette ligne."),
    "missing_sector": lambda v: _l("Le secteur est vide sur cette ligne."),
    "missing_full_name": lambda v: _l("Le nom complet du membre est vide."),
    "missing_consent_date": lambda v: _l("La date de consentement est vide : sans consentement, les données de "
                                         "cette personne ne peuvent pas être importées."),
    "invalid_sex": lambda v: _l("Sexe « %(value)s » non reconnu : écrivez F (femme) ou H (homme), ou laissez la "
                                "case vide si le sexe n'est pas déclaré.", value=v),
    "invalid_lead": lambda v: _l("Porteur principal « %(value)s » non reconnu : écrivez Oui ou Non (une case "
                                 "vide vaut Non).", value=v),
    "invalid_ownership": lambda v: _l("Part du capital « %(value)s » invalide : un nombre entre 0 et 100 est "
                                      "attendu.", value=v),
    "invalid_phone": lambda v: _l("Numéro de téléphone « %(value)s » invalide : un numéro marocain à 10 chiffres "
                                  "(05…, 06…, 07…, 08…) ou international (+212…) est attendu.", value=v),
    "invalid_email": lambda v: _l("Adresse e-mail « %(value)s » invalide.", value=v),
}
DATE_MESSAGES = {
    ("birth_date", "unreadable"): lambda v: _l("Date de naissance « %(value)s » illisible : écrivez jj/mm/aaaa ou "
                                               "aaaa-mm-jj.", value=v),
    ("birth_date", "nonexistent"): lambda v: _l("La date de naissance « %(value)s » n'existe pas.", value=v),
    ("birth_date", "future"): lambda v: _l("La date de naissance « %(value)s » est dans le futur.", value=v),
    ("consent_date", "unreadable"): lambda v: _l("Date de consentement « %(value)s » illisible : écrivez "
                                                 "jj/mm/aaaa ou aaaa-mm-jj.", value=v),
    ("consent_date", "nonexistent"): lambda v: _l("La date de consentement « %(value)s » n'existe pas.", value=v),
    ("consent_date", "future"): lambda v: _l("La date de consentement « %(value)s » est dans le futur.", value=v),
}
DATE_CODES = {
    ("birth_date", "unreadable"): "invalid_birth_date", ("birth_date", "nonexistent"): "invalid_birth_date",
    ("birth_date", "future"): "birth_date_in_future",
    ("consent_date", "unreadable"): "invalid_consent_date", ("consent_date", "nonexistent"): "invalid_consent_date",
    ("consent_date", "future"): "consent_date_in_future",
}


# ---------------------------------------------------------------- rows

PROJECT_TEXT_FIELDS = ("project_name", "sub_sector", "summary", "province", "commune")
MEMBER_TEXT_FIELDS = ("full_name", "role_title")
MAX_LENGTHS = {
    "key": Project.__table__.c.code.type.length,
    "project_name": Project.__table__.c.name.type.length,
    "sub_sector": Project.__table__.c.sub_sector.type.length,
    "province": Project.__table__.c.province.type.length,
    "commune": Project.__table__.c.commune.type.length,
    "full_name": Member.__table__.c.full_name.type.length,
    "role_title": Member.__table__.c.role_title.type.length,
    "email": Member.__table__.c.email.type.length,
}
MANDATORY_CODES = {
    "key": "missing_project_key", "project_name": "missing_project_name", "sector": "missing_sector",
    "full_name": "missing_full_name", "consent_date": "missing_consent_date",
}


@dataclass
class RowResult:
    line: int
    key: str | None  # project number as written (cleaned)
    full_name: str | None
    project: dict[str, Any]  # name, sector (+ sector_text), sub_sector, summary, stage, legal_form, province, commune
    member: dict[str, Any]  # the Member fields
    issues: list[ImportIssue] = field(default_factory=list)
    duplicate_of: int | None = None

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def key_fold(self) -> str:
        return name_key(self.key)

    @property
    def name_fold(self) -> str:
        return name_key(self.full_name)


def parse_row(row: SheetRow, headers: HeaderMap, today: dt.date) -> RowResult:
    """One row's cleaned values and its row-level issues (not the duplicate check: see parse_rows)."""
    raw = {name: row.values[position] for name, position in headers.index.items()}
    text = {name: clean(value) for name, value in raw.items()}
    key = text.get("key")
    issues: list[ImportIssue] = []

    def issue(name: str, code: str, message, value: str | None = None) -> None:
        issues.append(ImportIssue([row.line], headers.header(name), code, message, key, "row", value))

    for name, code in MANDATORY_CODES.items():
        if not text.get(name):
            issue(name, code, ROW_MESSAGES[code](None))
    for name, limit in MAX_LENGTHS.items():
        value = text.get(name)
        if value and limit and len(value) > limit:
            issue(name, "value_too_long", _l("Texte trop long : %(length)s caractères, %(max)s au plus.",
                                             length=len(value), max=limit), value[:40] + "…")

    member: dict[str, Any] = {"full_name": text.get("full_name"), "role_title": text.get("role_title"),
                              "role": member_role(text.get("role_title"))}
    for name in ("birth_date", "consent_date"):
        try:
            member[name] = parse_date(raw.get(name))
        except DateError as error:
            member[name] = None
            issue(name, DATE_CODES[(name, error.reason)], DATE_MESSAGES[(name, error.reason)](text[name]), text[name])
            continue
        if member[name] and member[name] > today:
            issue(name, DATE_CODES[(name, "future")], DATE_MESSAGES[(name, "future")](text[name]), text[name])
    for name, parser, code in (("sex", parse_sex, "invalid_sex"), ("is_lead", parse_lead, "invalid_lead"),
                               ("ownership_pct", parse_ownership, "invalid_ownership"),
                               ("phone", normalise_phone, "invalid_phone"),
                               ("email", normalise_email, "invalid_email")):
        try:
            member[name] = parser(raw.get(name))
        except (ValueError, InvalidOperation):
            member[name] = None
            issue(name, code, ROW_MESSAGES[code](text[name]), text[name])
    member["is_lead"] = bool(member.get("is_lead"))

    project = {
        "name": text.get("project_name"),
        "sector_text": text.get("sector"),
        "sector": sector_code(text.get("sector")),
        "stage_text": text.get("stage"),
        "stage": stage_code(text.get("stage")),
        "legal_form_text": text.get("legal_form"),
        "legal_form": legal_form_code(text.get("legal_form")),
        **{name: text.get(name) for name in ("sub_sector", "summary", "province", "commune")},
    }
    return RowResult(row.line, key, text.get("full_name"), project, member, issues)


def parse_rows(sheet: Sheet, headers: HeaderMap, today: dt.date) -> list[RowResult]:
    """Every data row checked; a repeated (project number, full name) is a duplicate of its first row."""
    seen: dict[tuple[str, str], int] = {}
    results = []
    for row in sheet.rows:
        result = parse_row(row, headers, today)
        if result.key_fold and result.name_fold:
            first = seen.setdefault((result.key_fold, result.name_fold), result.line)
            if first != result.line:
                result.duplicate_of = first
                result.issues = [ImportIssue(
                    [result.line], headers.header("full_name"), "duplicate_row",
                    _l("Ligne en double : %(name)s figure déjà dans le projet %(key)s à la ligne %(line)s ; "
                       "cette ligne est ignorée.", name=result.full_name, key=result.key, line=first),
                    result.key, "row", result.full_name,
                )]
        results.append(result)
    return results


# ---------------------------------------------------------------- projects

@dataclass
class ExistingMember:
    """What the team rules need to know of a member already in the database."""

    name_fold: str
    is_lead: bool
    ownership_pct: Decimal | None


@dataclass
class ProjectGroup:
    key: str
    lines: list[int]  # every row carrying this project number, in file order
    rows: list[RowResult]  # the rows that passed the row checks
    values: dict[str, Any] = field(default_factory=dict)  # the project's fields, resolved from its rows
    issues: list[ImportIssue] = field(default_factory=list)  # project-level

    @property
    def key_fold(self) -> str:
        return name_key(self.key)

    @property
    def rejected(self) -> bool:
        return bool(self.issues) or not self.rows

    @property
    def lead_row(self) -> RowResult | None:
        return next((r for r in self.rows if r.member["is_lead"]), None)


def _most_common(values: list[str | None]) -> str | None:
    """The value written most often, compared folded; spelt as most often written; ties → earliest."""
    present = [v for v in values if v]
    if len(set(present)) <= 1:
        return present[0] if present else None
    folded = [fold(v) for v in present]
    groups = Counter(folded)
    first = {}
    for f in folded:
        first.setdefault(f, len(first))
    best = max(groups, key=lambda f: (groups[f], -first[f]))
    spellings = Counter(v for v, f in zip(present, folded, strict=True) if f == best)
    return max(spellings, key=lambda v: (spellings[v], -present.index(v)))


def _labels(values) -> str:
    return ", ".join(f"« {v} »" for v in dict.fromkeys(values))


def _format_share(total: Decimal) -> str:
    return f"{total.normalize():f}".replace(".", ",")


def check_project(group: ProjectGroup, headers: HeaderMap, existing: list[ExistingMember]) -> None:
    """Fills group.values and group.issues (README rule 4) from the surviving rows."""
    rows, key = group.rows, group.key

    def issue(name: str, code: str, lines: list[int], message, value: str | None = None) -> None:
        group.issues.append(ImportIssue(lines, headers.header(name), code, message, key, "project", value))

    names = [r.project["name"] for r in group.rows]
    group.values = {"name": _most_common(names)}
    for name in ("sub_sector", "summary", "province", "commune"):
        group.values[name] = _most_common([r.project[name] for r in rows])
    if not rows:
        return

    unknown = [r for r in rows if r.project["sector"] is None]
    sectors = {r.project["sector"] for r in rows} - {None}
    if unknown:
        texts = [r.project["sector_text"] for r in unknown]
        issue("sector", "unknown_sector", [r.line for r in unknown], _l(
            "Secteur %(value)s inconnu pour le projet %(key)s : les secteurs du programme sont Technologies "
            "numériques, Agriculture moderne, Formation et services et Produits du terroir. Le projet n'est pas "
            "importé.", value=_labels(texts), key=key), ", ".join(dict.fromkeys(texts)))
    elif len(sectors) > 1:
        issue("sector", "conflicting_sectors", [r.line for r in rows], _l(
            "Les lignes du projet %(key)s indiquent des secteurs différents (%(values)s). Le projet n'est pas "
            "importé.", key=key, values=_labels(r.project["sector_text"] for r in rows)))
    group.values["sector"] = next(iter(sectors)) if len(sectors) == 1 and not unknown else None

    if len({fold(n) for n in names}) > 1:
        issue("project_name", "conflicting_names", [r.line for r in rows], _l(
            "Les lignes du projet %(key)s portent des noms différents (%(values)s) : vérifiez le numéro de projet "
            "de ces lignes. Le projet n'est pas importé.", key=key, values=_labels(names)))

    for name, unknown_code, conflict_code in (("stage", "unknown_stage", "conflicting_stages"),
                                              ("legal_form", "unknown_legal_form", "conflicting_legal_forms")):
        written = [r for r in rows if r.project[f"{name}_text"]]
        bad = [r for r in written if r.project[name] is None]
        codes = {r.project[name] for r in written} - {None}
        texts = [r.project[f"{name}_text"] for r in bad]
        if bad and name == "stage":
            issue(name, unknown_code, [r.line for r in bad], _l(
                "Stade %(value)s inconnu pour le projet %(key)s : écrivez Idée, Pré-création, Création, Démarrage "
                "ou Développement. Le projet n'est pas importé.", value=_labels(texts), key=key), texts[0])
        elif bad:
            issue(name, unknown_code, [r.line for r in bad], _l(
                "Forme juridique %(value)s inconnue pour le projet %(key)s : écrivez Coopérative, SARL, SARLAU, "
                "Auto-entrepreneur, Association ou Non constituée. Le projet n'est pas importé.",
                value=_labels(texts), key=key), texts[0])
        elif len(codes) > 1:
            issue(name, conflict_code, [r.line for r in written], _l(
                "Les lignes du projet %(key)s indiquent des valeurs différentes dans la colonne « %(column)s » "
                "(%(values)s). Le projet n'est pas importé.", key=key, column=headers.header(name),
                values=_labels(r.project[f"{name}_text"] for r in written)))
        group.values[name] = next(iter(codes)) if len(codes) == 1 and not bad else None

    in_file = {r.name_fold for r in rows}
    others = [m for m in existing if m.name_fold not in in_file]
    leads = [r for r in rows if r.member["is_lead"]]
    if len(leads) > 1:
        lines = [r.line for r in leads]
        issue("is_lead", "multiple_leads", lines, _l(
            "Le projet %(key)s a %(n)s porteurs principaux (lignes %(lines)s) : il en faut exactement un. "
            "Le projet n'est pas importé.", key=key, n=len(leads), lines=_lines(lines)))
    elif not leads and not any(m.is_lead for m in others):
        issue("is_lead", "no_lead", [r.line for r in rows], _l(
            "Le projet %(key)s n'a pas de porteur principal : écrivez « Oui » pour exactement un de ses membres. "
            "Le projet n'est pas importé.", key=key))

    total = sum((r.member["ownership_pct"] or Decimal(0) for r in rows), Decimal(0))
    total += sum((m.ownership_pct or Decimal(0) for m in others), Decimal(0))
    if total > Decimal(100):
        shared = [r.line for r in rows if r.member["ownership_pct"] is not None]
        issue("ownership_pct", "ownership_over_100", shared or [r.line for r in rows], _l(
            "Les parts du capital du projet %(key)s totalisent %(total)s %% : elles ne peuvent pas dépasser "
            "100 %%. Le projet n'est pas importé.", key=key, total=_format_share(total)))


@dataclass
class Analysis:
    headers: HeaderMap
    rows: list[RowResult]
    groups: list[ProjectGroup]
    issues: list[ImportIssue]  # row and project issues, ordered by their first row
    rejected: dict[int, list[ImportIssue]]  # row number → why it is not imported, in file order


def analyse(sheet: Sheet, today: dt.date, existing: dict[str, list[ExistingMember]] | None = None) -> Analysis:
    """README rules 1–5 on a whole sheet. `existing` maps a project number (name_key) to its current team."""
    headers = map_headers(sheet.headers)
    rows = parse_rows(sheet, headers, today)
    groups: dict[str, ProjectGroup] = {}
    for row in rows:
        if not row.key_fold:
            continue
        group = groups.setdefault(row.key_fold, ProjectGroup(key=row.key, lines=[], rows=[]))
        group.lines.append(row.line)
        if row.ok:
            group.rows.append(row)
    existing = existing or {}
    for group in groups.values():
        check_project(group, headers, existing.get(group.key_fold, []))
        if not group.values.get("name"):
            group.values["name"] = _most_common([r.project["name"] for r in rows if r.key_fold == group.key_fold])

    issues = [i for r in rows for i in r.issues] + [i for g in groups.values() for i in g.issues]
    issues.sort(key=lambda i: (min(i.lines), i.level != "row"))
    rejected: dict[int, list[ImportIssue]] = {r.line: list(r.issues) for r in rows if r.issues}
    for group in groups.values():
        if group.issues:
            for row in group.rows:
                rejected[row.line] = list(group.issues)
    return Analysis(headers, rows, list(groups.values()), issues, dict(sorted(rejected.items())))
