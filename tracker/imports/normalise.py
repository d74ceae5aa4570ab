"""What people type in a forum sheet, turned into our values: pure functions, no database.

- Every cell is trimmed, its inner whitespace collapsed and its Unicode put in NFC form before anything else
  (README rule 1); invisible direction marks are dropped.
- Comparisons fold case, accents, punctuation and Arabic letter variants (tracker.core.folding.fold).
- Coded columns go through synonym tables in French, English and Arabic. The optional ones (stage, legal
  form) return None for a value they do not know: the caller warns, it never rejects (issue 14).

Mapping decisions (documented because the forum's vocabulary is not ours):
- stage: Idée / idea → idea; Pré-création / pre-creation / pre-startup and Création / creation / start-up →
  prototype (the business is being set up, no sales yet); Démarrage / launch / early revenue →
  early_revenue (first sales); Développement / development / growth → growth.
- legal form: Coopérative / cooperative → cooperative; SARL, SARLAU, SA / LLC, single-member LLC → company;
  Auto-entrepreneur / sole proprietorship → auto_entrepreneur; Association → association; Non constituée /
  not registered / informal → none.
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
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from email_validator import EmailNotValidError, validate_email

from tracker.core.folding import fold
from tracker.core.phones import normalise_phone  # one rule for forms and imports
from tracker.projects.models import LegalForm, MemberRole, Sector, Sex, Stage

__all__ = [
    "clean", "fold", "name_key", "sector_code", "stage_code", "legal_form_code", "member_role", "parse_sex",
    "parse_lead", "parse_ownership", "parse_date", "DateError", "normalise_email", "normalise_phone",
    "InvalidOperation",
]

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



def name_key(text: str | None) -> str:
    """How members and project numbers are matched: trimmed, whitespace collapsed, any case."""
    return " ".join((text or "").split()).casefold()


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
    Stage.IDEA: ["idée", "idea", "idéation", "ideation", "فكرة", "مرحلة الفكرة"],
    Stage.PROTOTYPE: ["pré-création", "précréation", "pré création", "création", "en création", "prototype",
                      "prototypage", "pre-creation", "pre creation", "pre-startup", "pre-start-up", "pre startup",
                      "creation", "start-up", "startup", "start up", "ما قبل الإنشاء", "ما قبل التأسيس",
                      "إنشاء", "تأسيس", "في طور التأسيس"],
    Stage.EARLY_REVENUE: ["démarrage", "lancement", "launch", "launching", "early revenue", "early revenues",
                          "early_revenue", "first sales", "premières ventes", "انطلاق", "بداية النشاط"],
    Stage.GROWTH: ["développement", "croissance", "growth", "development", "expansion", "scale-up", "scale up",
                   "تطوير", "نمو", "توسع"],
})
LEGAL_FORMS = _table({
    LegalForm.COOPERATIVE: ["coopérative", "cooperative", "coop", "co-operative", "تعاونية"],
    LegalForm.COMPANY: ["sarl", "sarlau", "sarl au", "sarl à associé unique", "sa", "société", "company",
                        "limited company", "ltd", "llc", "single-member llc", "single member llc", "smllc",
                        "limited liability company", "شركة", "شركة ذات مسؤولية محدودة",
                        "شركة ذات مسؤولية محدودة بشريك وحيد", "ش م م"],
    LegalForm.AUTO_ENTREPRENEUR: ["auto-entrepreneur", "auto-entrepreneuse", "autoentrepreneur",
                                  "auto_entrepreneur", "self-employed", "sole trader", "sole proprietorship",
                                  "sole proprietor", "entreprise individuelle", "مقاول ذاتي", "المقاول الذاتي"],
    LegalForm.ASSOCIATION: ["association", "ong", "ngo", "جمعية"],
    LegalForm.NONE: ["non constituée", "non constitué", "non constitue", "en cours de constitution",
                     "informel", "informelle", "aucune", "none", "not registered", "unregistered", "informal",
                     "not incorporated", "غير مسجلة", "غير مؤسسة", "غير مهيكل"],
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
