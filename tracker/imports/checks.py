"""Checking a sheet's rows and projects: README rules 1–5 (../shared/data/README.md) as pure functions.

Only the errors of README rules 3 and 4 reject (issue 14); everything else the file gets wrong in an optional
column is a warning, the project is imported and the preview shows the text as typed.

- Rule 3, row errors (the row is reported and not imported, the rest of its project is): a blank mandatory
  cell, an unreadable or non-existent date, a birth date in the future, an unknown sex or lead value, an
  ownership share that is not a number in 0–100, an invalid phone or e-mail. Also, because no consent means
  the person's data cannot be imported: a consent date in the future; and a project number, project name or
  full name longer than its database column (it cannot be stored whole). A repeated (project number, full
  name), trimmed and in any case, is a duplicate row (rule 2): reported and skipped, the first one is kept.
- Rule 4, project errors (the whole project is reported and not imported): unknown sector, rows mapping to
  different sectors (here), 0 or ≥ 2 leads and ownership shares over 100 (`check_team`, on the team as it
  will be after the import: the cohort side is tracker.imports.plan).
- Warnings (imported anyway): a stage or legal form we do not recognise (the field is left empty); rows of
  one project giving different names, stages, legal forms, provinces or communes (the value written most
  often is kept, compared folded, spelt as most often written, ties to the earliest row); a province that is
  not in ISO 3166-2:MA or a commune not among its province's known communes (kept as typed); an optional
  text longer than its column (left empty).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.core import places
from tracker.imports import normalise as norm
from tracker.imports.columns import HeaderMap, map_headers
from tracker.imports.reader import Sheet, SheetRow
from tracker.projects import flags
from tracker.projects.models import Member, Project, Sex


@dataclass
class ImportIssue:
    lines: list[int]  # spreadsheet row numbers (header = 1)
    column: str | None  # the header as written in the file
    code: str
    message: Any  # lazy translated string (French source) naming the value
    project_key: str | None = None
    level: str = "row"  # "row" | "project" (errors) | "warning"
    value: str | None = None  # the offending cell as written, when there is one

    @property
    def is_warning(self) -> bool:
        return self.level == "warning"


def _lines(lines) -> str:
    return ", ".join(str(n) for n in lines)


def _labels(values) -> str:
    return ", ".join(f"« {v} »" for v in dict.fromkeys(values))


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
# A text too long for these cannot be stored whole and identifies the row: an error. The others are left empty.
IDENTIFYING = ("key", "project_name", "full_name", "email")
MANDATORY_CODES = {
    "key": "missing_project_key", "project_name": "missing_project_name", "sector": "missing_sector",
    "full_name": "missing_full_name", "consent_date": "missing_consent_date",
}
MEMBER_PARSERS = (("sex", norm.parse_sex, "invalid_sex"), ("is_lead", norm.parse_lead, "invalid_lead"),
                  ("ownership_pct", norm.parse_ownership, "invalid_ownership"),
                  ("phone", norm.normalise_phone, "invalid_phone"), ("email", norm.normalise_email, "invalid_email"))


@dataclass
class RowResult:
    line: int
    key: str | None  # project number as written (cleaned)
    full_name: str | None
    project: dict[str, Any]  # name, sector (+ sector_text), sub_sector, summary, stage, legal_form, province, commune
    member: dict[str, Any]  # the Member fields
    issues: list[ImportIssue] = field(default_factory=list)  # errors: the row is not imported
    warnings: list[ImportIssue] = field(default_factory=list)
    duplicate_of: int | None = None

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def key_fold(self) -> str:
        return norm.name_key(self.key)

    @property
    def name_fold(self) -> str:
        return norm.name_key(self.full_name)


class _RowChecker:
    """One row's checks; `issue` and `warn` keep the row number, the header as written and the project."""

    def __init__(self, row: SheetRow, headers: HeaderMap):
        self.row, self.headers = row, headers
        self.raw = {name: row.values[position] for name, position in headers.index.items()}
        self.text = {name: norm.clean(value) for name, value in self.raw.items()}
        self.issues: list[ImportIssue] = []
        self.warnings: list[ImportIssue] = []

    def issue(self, name: str, code: str, message, value: str | None = None) -> None:
        self.issues.append(ImportIssue([self.row.line], self.headers.header(name), code, message,
                                       self.text.get("key"), "row", value))

    def warn(self, name: str, code: str, message, value: str | None = None) -> None:
        self.warnings.append(ImportIssue([self.row.line], self.headers.header(name), code, message,
                                         self.text.get("key"), "warning", value))

    def mandatory_and_lengths(self) -> None:
        for name, code in MANDATORY_CODES.items():
            if not self.text.get(name):
                self.issue(name, code, ROW_MESSAGES[code](None))
        for name, limit in MAX_LENGTHS.items():
            value = self.text.get(name)
            if not (value and limit and len(value) > limit):
                continue
            if name in IDENTIFYING:
                self.issue(name, "value_too_long", _l("Texte trop long : %(length)s caractères, %(max)s au plus.",
                                                      length=len(value), max=limit), value[:40] + "…")
            else:
                self.warn(name, "value_too_long", _l(
                    "Texte trop long dans la colonne « %(column)s » : %(length)s caractères, %(max)s au plus ; le "
                    "champ est laissé vide.", column=self.headers.header(name), length=len(value), max=limit),
                    value[:40] + "…")
                self.text[name] = None

    def member(self, today: dt.date) -> dict[str, Any]:
        text, raw = self.text, self.raw
        member: dict[str, Any] = {"full_name": text.get("full_name"), "role_title": text.get("role_title"),
                                  "role": norm.member_role(text.get("role_title"))}
        for name in ("birth_date", "consent_date"):
            try:
                member[name] = norm.parse_date(raw.get(name))
            except norm.DateError as error:
                member[name] = None
                self.issue(name, DATE_CODES[(name, error.reason)], DATE_MESSAGES[(name, error.reason)](text[name]),
                           text[name])
                continue
            if member[name] and member[name] > today:
                self.issue(name, DATE_CODES[(name, "future")], DATE_MESSAGES[(name, "future")](text[name]),
                           text[name])
        for name, parser, code in MEMBER_PARSERS:
            try:
                member[name] = parser(raw.get(name))
            except (ValueError, norm.InvalidOperation):
                member[name] = None
                self.issue(name, code, ROW_MESSAGES[code](text[name]), text[name])
        member["is_lead"] = bool(member.get("is_lead"))
        return member

    def project(self) -> dict[str, Any]:
        text = self.text
        return {
            "name": text.get("project_name"),
            "sector_text": text.get("sector"),
            "sector": norm.sector_code(text.get("sector")),
            "stage_text": text.get("stage"),
            "stage": norm.stage_code(text.get("stage")),
            "legal_form_text": text.get("legal_form"),
            "legal_form": norm.legal_form_code(text.get("legal_form")),
            **{name: text.get(name) for name in ("sub_sector", "summary", "province", "commune")},
        }


def parse_row(row: SheetRow, headers: HeaderMap, today: dt.date) -> RowResult:
    """One row's cleaned values, its errors and warnings (not the duplicate check: see parse_rows)."""
    checker = _RowChecker(row, headers)
    checker.mandatory_and_lengths()
    member = checker.member(today)
    return RowResult(row.line, checker.text.get("key"), checker.text.get("full_name"), checker.project(), member,
                     checker.issues, checker.warnings)


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
                result.warnings = []
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
class ProjectGroup:
    key: str
    lines: list[int]  # every row carrying this project number, in file order
    rows: list[RowResult]  # the rows that passed the row checks
    values: dict[str, Any] = field(default_factory=dict)  # the project's fields, resolved from its rows
    issues: list[ImportIssue] = field(default_factory=list)  # project-level errors found from the file alone
    warnings: list[ImportIssue] = field(default_factory=list)  # project-level warnings

    @property
    def key_fold(self) -> str:
        return norm.name_key(self.key)

    @property
    def rejected(self) -> bool:
        return bool(self.issues) or not self.rows

    @property
    def lead_row(self) -> RowResult | None:
        return next((r for r in self.rows if r.member["is_lead"]), None)


def most_common(values: list[str | None]) -> str | None:
    """The value written most often, compared folded; spelt as most often written; ties → earliest."""
    present = [v for v in values if v]
    if len(set(present)) <= 1:
        return present[0] if present else None
    folded = [norm.fold(v) for v in present]
    groups = Counter(folded)
    first: dict[str, int] = {}
    for f in folded:
        first.setdefault(f, len(first))
    best = max(groups, key=lambda f: (groups[f], -first[f]))
    spellings = Counter(v for v, f in zip(present, folded, strict=True) if f == best)
    return max(spellings, key=lambda v: (spellings[v], -present.index(v)))


class _ProjectChecker:
    """The project fields of one group and what its rows say wrong about them (README rules 4 and 5)."""

    def __init__(self, group: ProjectGroup, headers: HeaderMap):
        self.group, self.headers, self.rows = group, headers, group.rows

    def _add(self, target: list, level: str, name: str, code: str, lines: list[int], message, value=None) -> None:
        target.append(ImportIssue(lines, self.headers.header(name), code, message, self.group.key, level, value))

    def error(self, *args, **kwargs) -> None:
        self._add(self.group.issues, "project", *args, **kwargs)

    def warn(self, *args, **kwargs) -> None:
        self._add(self.group.warnings, "warning", *args, **kwargs)

    def different(self, name: str, code: str, texts: list[str | None], kept: str | None) -> None:
        """Rows of the project giving different values (compared folded): the kept one is said (rule 5)."""
        if kept is not None and len({norm.fold(t) for t in texts if t}) > 1:
            self.warn(name, code, [r.line for r in self.rows], _l(
                "Les lignes du projet %(key)s indiquent des valeurs différentes dans la colonne « %(column)s » "
                "(%(values)s) : « %(kept)s » est retenu.", key=self.group.key, column=self.headers.header(name),
                values=_labels(t for t in texts if t), kept=kept))

    def sector(self) -> None:
        rows, key = self.rows, self.group.key
        unknown = [r for r in rows if r.project["sector"] is None]
        sectors = {r.project["sector"] for r in rows} - {None}
        if unknown:
            texts = [r.project["sector_text"] for r in unknown]
            self.error("sector", "unknown_sector", [r.line for r in unknown], _l(
                "Secteur %(value)s inconnu pour le projet %(key)s : les secteurs du programme sont Technologies "
                "numériques, Agriculture moderne, Formation et services et Produits du terroir. Le projet n'est "
                "pas importé.", value=_labels(texts), key=key), ", ".join(dict.fromkeys(texts)))
        elif len(sectors) > 1:
            self.error("sector", "conflicting_sectors", [r.line for r in rows], _l(
                "Les lignes du projet %(key)s indiquent des secteurs différents (%(values)s). Le projet n'est pas "
                "importé.", key=key, values=_labels(r.project["sector_text"] for r in rows)))
        self.group.values["sector"] = next(iter(sectors)) if len(sectors) == 1 and not unknown else None

    def coded(self, name: str) -> None:
        """Stage and legal form: an unknown value is a warning and leaves the field empty (issue 14)."""
        written = [r for r in self.rows if r.project[f"{name}_text"]]
        bad = [r for r in written if r.project[name] is None]
        texts = [r.project[f"{name}_text"] for r in bad]
        if bad:
            message = (_l("Stade %(value)s non reconnu pour le projet %(key)s : le champ est laissé vide. Valeurs "
                          "reconnues : Idée, Pré-création, Création, Démarrage, Développement (ou leurs équivalents "
                          "anglais et arabes).", value=_labels(texts), key=self.group.key) if name == "stage" else
                       _l("Forme juridique %(value)s non reconnue pour le projet %(key)s : le champ est laissé vide. "
                          "Valeurs reconnues : Coopérative, SARL, SARLAU, Auto-entrepreneur, Association, Non "
                          "constituée (ou leurs équivalents anglais et arabes).", value=_labels(texts),
                          key=self.group.key))
            self.warn(name, f"unknown_{name}", [r.line for r in bad], message, texts[0])
            self.group.values[name] = None
            return
        counts = Counter(r.project[name] for r in written)
        order: dict[Any, int] = {}
        for r in written:
            order.setdefault(r.project[name], len(order))
        kept = max(counts, key=lambda c: (counts[c], -order[c])) if counts else None
        self.group.values[name] = kept
        if len(counts) > 1:  # two spellings of one code (Création, Pré-création) are not different values
            shown = most_common([r.project[f"{name}_text"] for r in written if r.project[name] == kept])
            firsts = [next(r.project[f"{name}_text"] for r in written if r.project[name] == c) for c in order]
            self.different(name, f"conflicting_{name}s", firsts, shown)

    def places(self) -> None:
        """Province and commune normalised on the reference (tracker.core.places); unknown = kept as typed."""
        provinces = [places.normalise_province(r.project["province"]) for r in self.rows]
        province = most_common([m.value for m in provinces])
        self.different("province", "conflicting_provinces", [m.value for m in provinces], province)
        match = places.normalise_province(province)
        if match.unknown:
            self.warn("province", "unknown_province", self._lines_with("province"), _l(
                "Province « %(value)s » absente de la liste officielle des provinces et préfectures (ISO 3166-2:MA) "
                ": elle est gardée telle qu'écrite.", value=province), province)
        communes = [places.normalise_commune(r.project["commune"], province) for r in self.rows]
        commune = most_common([m.value for m in communes])
        self.different("commune", "conflicting_communes", [m.value for m in communes], commune)
        if places.normalise_commune(commune, province).unknown:
            self.warn("commune", "unknown_commune", self._lines_with("commune"), _l(
                "Commune « %(value)s » absente de la liste des communes de la province %(province)s : elle est "
                "gardée telle qu'écrite.", value=commune, province=match.value), commune)
        self.group.values.update(province=province, commune=commune)

    def _lines_with(self, name: str) -> list[int]:
        return [r.line for r in self.rows if r.project[name]] or [r.line for r in self.rows]


def resolve_project(group: ProjectGroup, headers: HeaderMap) -> None:
    """Fills group.values, group.issues (sector: rule 4) and group.warnings from the surviving rows."""
    checker = _ProjectChecker(group, headers)
    rows = group.rows
    names = [r.project["name"] for r in rows]
    group.values["name"] = most_common(names)
    for name in ("sub_sector", "summary"):
        group.values[name] = most_common([r.project[name] for r in rows])
    if not rows:
        return
    checker.different("project_name", "conflicting_names", names, group.values["name"])
    checker.sector()
    checker.coded("stage")
    checker.coded("legal_form")
    checker.places()


# ---------------------------------------------------------------- the team after the import

@dataclass
class TeamMember:
    """What the team rules need to know of a member, from the file or already in the database."""

    name_fold: str
    is_lead: bool
    ownership_pct: Decimal | None
    sex: Sex | None = None
    birth_date: dt.date | None = None


@dataclass
class TeamFigures:
    members: int
    leads: int
    ownership_total: Decimal
    women_led: bool
    youth_led: bool


def team_after_import(group: ProjectGroup, kept: list[TeamMember]) -> list[TeamMember]:
    """The file's members (its lead replaces any other) and the existing members kept."""
    file_lead = group.lead_row is not None
    team = [TeamMember(r.name_fold, r.member["is_lead"], r.member["ownership_pct"], r.member.get("sex"),
                       r.member.get("birth_date")) for r in group.rows]
    for member in kept:
        team.append(TeamMember(member.name_fold, member.is_lead and not file_lead, member.ownership_pct,
                               member.sex, member.birth_date))
    return team


def team_figures(team: list[TeamMember], ref: dt.date) -> TeamFigures:
    min_age, max_age = flags.youth_bounds()
    return TeamFigures(
        members=len(team), leads=sum(1 for m in team if m.is_lead),
        ownership_total=sum((m.ownership_pct or Decimal(0) for m in team), Decimal(0)),
        women_led=flags.is_women_led(team), youth_led=flags.is_youth_led(team, ref, min_age, max_age),
    )


def _format_share(total: Decimal) -> str:
    return f"{total.normalize():f}".replace(".", ",")


def check_team(group: ProjectGroup, headers: HeaderMap, kept: list[TeamMember]) -> list[ImportIssue]:
    """README rule 4 on the team as it will be: the file's surviving rows plus the existing members kept."""
    rows, key, found = group.rows, group.key, []

    def issue(name: str, code: str, lines: list[int], message) -> None:
        found.append(ImportIssue(lines, headers.header(name), code, message, key, "project"))

    leads = [r for r in rows if r.member["is_lead"]]
    if len(leads) > 1:
        lines = [r.line for r in leads]
        issue("is_lead", "multiple_leads", lines, _l(
            "Le projet %(key)s a %(n)s porteurs principaux (lignes %(lines)s) : il en faut exactement un. "
            "Le projet n'est pas importé.", key=key, n=len(leads), lines=_lines(lines)))
    elif not leads and not any(m.is_lead for m in kept):
        issue("is_lead", "no_lead", [r.line for r in rows], _l(
            "Le projet %(key)s n'a pas de porteur principal : écrivez « Oui » pour exactement un de ses membres. "
            "Le projet n'est pas importé.", key=key))
    in_file = sum((r.member["ownership_pct"] or Decimal(0) for r in rows), Decimal(0))
    kept_share = sum((m.ownership_pct or Decimal(0) for m in kept), Decimal(0))
    if in_file + kept_share > Decimal(100):
        shared = [r.line for r in rows if r.member["ownership_pct"] is not None] or [r.line for r in rows]
        if kept_share:
            message = _l("Les parts du capital du projet %(key)s totaliseraient %(total)s %% après l'import : "
                         "%(file)s %% dans le fichier et %(kept)s %% pour les membres déjà enregistrés que le "
                         "fichier ne cite pas (gardés). Elles ne peuvent pas dépasser 100 %% : retirez ces membres "
                         "ou corrigez les parts. Le projet n'est pas importé.", key=key,
                         total=_format_share(in_file + kept_share), file=_format_share(in_file),
                         kept=_format_share(kept_share))
        else:
            message = _l("Les parts du capital du projet %(key)s totalisent %(total)s %% : elles ne peuvent pas "
                         "dépasser 100 %%. Le projet n'est pas importé.", key=key, total=_format_share(in_file))
        issue("ownership_pct", "ownership_over_100", shared, message)
    return found


# ---------------------------------------------------------------- the sheet

@dataclass
class Parsed:
    """What the file says, before it is compared with a cohort."""

    headers: HeaderMap
    rows: list[RowResult]
    groups: list[ProjectGroup]


def parse_sheet(sheet: Sheet, today: dt.date) -> Parsed:
    """README rules 1–5 on a whole sheet, except the team rules (which need the cohort: see check_team)."""
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
    for group in groups.values():
        resolve_project(group, headers)
        if not group.values.get("name"):
            group.values["name"] = most_common([r.project["name"] for r in rows if r.key_fold == group.key_fold])
    return Parsed(headers, rows, list(groups.values()))
