"""The import rules as pure functions: values, headers, rows and projects (README of ../shared/data).

tracker/imports/normalise.py (values), columns.py (headers), checks.py (rows, projects, teams) and plan.py
(with no cohort: every project is new)."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.imports.conftest import ENGLISH_HEADERS, REFERENCE_DATE, sample_rows
from tracker.core.phones import normalise_phone as library_phone
from tracker.imports import checks, columns, normalise, plan
from tracker.imports.reader import ImportFileError, Sheet, SheetRow
from tracker.projects.models import LegalForm, MemberRole, Sector, Sex, Stage

FRENCH_HEADERS = sample_rows()[0]


# ---------------------------------------------------------------- cells

@pytest.mark.parametrize("raw, cleaned", [
    ("  Tawjih   Pro ", "Tawjih Pro"),
    ("يوسف الشرقاوي ", "يوسف الشرقاوي"),
    ("\u200fخديجة\u00a0العمراني", "خديجة العمراني"),
    ("Cre\u0300che", "Crèche"),  # decomposed accent → NFC
    ("   ", None),
    (None, None),
    (212728369825, "212728369825"),
    (33.33, "33.33"),
    (7.0, "7"),
    (dt.date(1977, 1, 9), "09/01/1977"),
])
def test_clean(raw, cleaned):
    assert normalise.clean(raw) == cleaned


def test_fold_ignores_case_accents_punctuation_and_hamza():
    assert normalise.fold("  Formation & SERVICES ") == normalise.fold("formation services")
    assert normalise.fold("Numérique") == normalise.fold("NUMERIQUE") == "numerique"
    assert normalise.fold("أنثى") == normalise.fold("انثى")


# ---------------------------------------------------------------- headers

def test_french_headers_of_the_sample():
    headers = columns.map_headers(FRENCH_HEADERS)
    assert headers.language == "fr" and len(headers.index) == 18
    assert headers.header("ownership_pct") == "Part du capital (%)"


def test_english_headers_any_case_and_spacing():
    written = [f"  {h.upper()}  " if i % 2 else h.lower() for i, h in enumerate(ENGLISH_HEADERS)]
    headers = columns.map_headers([" ".join(h.split()) for h in written])
    assert headers.language == "en" and len(headers.index) == 18


def test_headers_without_accents_or_with_other_spellings():
    headers = columns.map_headers(["No projet", "NOM DU PROJET", "secteur", "Resume", "Nom complet", "Telephone",
                                 "Email", "Date de consentement", "Porteuse principale", "Part du capital"])
    assert {"key", "summary", "phone", "email", "is_lead", "ownership_pct"} <= set(headers.index)


def test_unknown_header_refuses_the_file_and_names_it():
    with pytest.raises(ImportFileError) as error:
        columns.map_headers(FRENCH_HEADERS[:11] + ["Date de naissanse"] + FRENCH_HEADERS[12:])
    assert "« Date de naissanse »" in str(error.value.message)


def test_missing_mandatory_headers_are_listed():
    with pytest.raises(ImportFileError) as error:
        columns.map_headers(["Nom du projet", "Secteur", "Nom complet"])
    message = str(error.value.message)
    assert "N° projet" in message and "Date de consentement" in message


def test_a_repeated_column_refuses_the_file():
    with pytest.raises(ImportFileError):
        columns.map_headers(FRENCH_HEADERS + ["Téléphone"])


def test_the_error_column_of_a_rejected_rows_file_is_ignored():
    assert "_ignored" not in columns.map_headers(FRENCH_HEADERS + ["Erreur"]).index


# ---------------------------------------------------------------- values

SECTOR_SPELLINGS = {
    Sector.DIGITAL: ["numérique", "Technologies numériques", "technologie numérique", "Digital ", "digital technology",
                     "TIC", "ict", "numerique"],
    Sector.AGRICULTURE: ["agriculture", "Agriculture moderne ", "modern agriculture"],
    Sector.TRAINING_SERVICES: ["formation et services", "Formation & services", "formation", "Services",
                               "training and services", "training & services", "training"],
    Sector.LOCAL_PRODUCTS: ["produits du terroir", "Produits locaux", "local products", "terroir", "Textile",
                            "artisanat", "handicrafts", "handicraft", "crafts"],
}


@pytest.mark.parametrize("code, spelling", [(c, s) for c, spellings in SECTOR_SPELLINGS.items() for s in spellings])
def test_sector_synonyms(code, spelling):
    assert normalise.sector_code(spelling) == code


def test_unknown_sector():
    assert normalise.sector_code("Tourisme rural") is None


@pytest.mark.parametrize("value, sex", [
    ("F", Sex.F), ("Femme", Sex.F), ("Féminin", Sex.F), ("female", Sex.F), ("أنثى", Sex.F), ("F ", Sex.F),
    ("H", Sex.M), ("Homme ", Sex.M), ("M", Sex.M), ("Masculin", Sex.M), ("MALE", Sex.M), ("ذكر", Sex.M),
    (None, None), ("  ", None),
])
def test_sex_values(value, sex):
    assert normalise.parse_sex(value) == sex


@pytest.mark.parametrize("value", ["X", "Fille", "?"])
def test_unknown_sex_is_an_error(value):
    with pytest.raises(ValueError):
        normalise.parse_sex(value)


@pytest.mark.parametrize("value, lead", [
    ("Oui", True), ("oui", True), ("OUI", True), ("Yes", True), (True, True),
    ("Non", False), ("non", False), ("No", False), (None, False), ("", False), (False, False),
])
def test_lead_values(value, lead):
    assert normalise.parse_lead(value) is lead


def test_unknown_lead_value_is_an_error():
    with pytest.raises(ValueError):
        normalise.parse_lead("Peut-être")


@pytest.mark.parametrize("value, expected", [
    ("31/12/1990", dt.date(1990, 12, 31)), ("1/2/1995", dt.date(1995, 2, 1)), ("1995-02-01", dt.date(1995, 2, 1)),
    ("01-02-1995", dt.date(1995, 2, 1)), (dt.datetime(2025, 6, 3), dt.date(2025, 6, 3)),
    (dt.date(2025, 6, 3), dt.date(2025, 6, 3)), ("2025-06-03 00:00:00", dt.date(2025, 6, 3)), (None, None),
])
def test_dates(value, expected):
    assert normalise.parse_date(value) == expected


@pytest.mark.parametrize("value, reason", [
    ("31/02/1995", "nonexistent"), ("29/02/2023", "nonexistent"), ("12/31/1995", "nonexistent"),
    ("01/01/0199", "nonexistent"), ("1995", "unreadable"), ("mars 1995", "unreadable"), ("95-02-01", "unreadable"),
    (45800, "unreadable"),
])
def test_bad_dates(value, reason):
    with pytest.raises(normalise.DateError) as error:
        normalise.parse_date(value)
    assert error.value.reason == reason


@pytest.mark.parametrize("value, share", [
    ("60", Decimal("60")), ("60%", Decimal("60")), ("60 %", Decimal("60")), (60, Decimal("60")),
    (33.33, Decimal("33.33")), ("33,33", Decimal("33.33")), ("0", Decimal("0")), ("100 %", Decimal("100")),
    (None, None), ("  ", None),
])
def test_ownership(value, share):
    assert normalise.parse_ownership(value) == share


@pytest.mark.parametrize("value", ["101", "-5", "soixante", "60 %%", "1/3", True, 100.5])
def test_bad_ownership(value):
    with pytest.raises(ValueError):
        normalise.parse_ownership(value)


@pytest.mark.parametrize("value", [
    "0612345678", "06 12 34 56 78", "+212 6 12 34 56 78", "00212612345678", "212612345678", 212612345678,
    "06.12.34.56.78", "06-12-34-56-78", "(+212) 612-345-678", "+212 (0)6 12 34 56 78", 612345678, 612345678.0,
])
def test_moroccan_phone_forms(value):
    assert normalise.normalise_phone(value) == "+212612345678"


# Numbers of the sample that the README calls valid and libphonenumber 9.0 rejects: why core.phones has its own rule.
LIBRARY_REJECTS = ["0733146591", "0744975171", "07 29 24 13 54", "0797346386", "07 90 24 44 95", "212793488348",
                   "212742018743", "212683212946"]


@pytest.mark.parametrize("value", LIBRARY_REJECTS)
def test_readme_rule_accepts_numbers_libphonenumber_rejects(value):
    """Numbers libphonenumber's ranges refuse are valid by the README rule, in forms and imports alike."""
    assert normalise.normalise_phone(value).startswith("+212")
    assert library_phone(value) == normalise.normalise_phone(value)


def test_every_phone_of_the_sample_is_valid():
    phones = [row[15] for row in sample_rows()[1:] if row[15] is not None]
    assert len(phones) > 60
    assert all(len(normalise.normalise_phone(p)) == 13 for p in phones)


@pytest.mark.parametrize("value", ["0412345678", "06123456", "061234567890", "+212 9 12 34 56 78", "06 12 34 AB 78",
                                   "+33 1", 12.5])
def test_bad_phones(value):
    with pytest.raises(ValueError):
        normalise.normalise_phone(value)


def test_foreign_numbers_are_checked_with_libphonenumber():
    assert normalise.normalise_phone("+33 6 12 34 56 78") == "+33612345678"
    assert normalise.normalise_phone("0033612345678") == "+33612345678"


def test_emails():
    assert normalise.normalise_email(" Nora.Ouazzani@Example.com ") == "nora.ouazzani@example.com"
    assert normalise.normalise_email(None) is None
    for bad in ("rajae.belkadi@example,com", "rajae@", "rajae.example.com", "a@b"):
        with pytest.raises(ValueError):
            normalise.normalise_email(bad)


@pytest.mark.parametrize("text, stage", [
    ("Idée", Stage.IDEA), ("Pré-création", Stage.PROTOTYPE), ("Création", Stage.PROTOTYPE),
    ("Démarrage", Stage.EARLY_REVENUE), ("Développement", Stage.GROWTH), ("developpement ", Stage.GROWTH),
    ("Growth", Stage.GROWTH), ("Stade inconnu", None),
    # the English counterparts of the French list (issue 14), and Arabic
    ("idea", Stage.IDEA), ("Pre-creation", Stage.PROTOTYPE), ("pre-startup", Stage.PROTOTYPE),
    ("Creation", Stage.PROTOTYPE), ("Start-up", Stage.PROTOTYPE), ("Launch", Stage.EARLY_REVENUE),
    ("early revenue", Stage.EARLY_REVENUE), ("Development", Stage.GROWTH), ("فكرة", Stage.IDEA),
    ("تطوير", Stage.GROWTH),
])
def test_stages(text, stage):
    assert normalise.stage_code(text) == stage


@pytest.mark.parametrize("text, form", [
    ("Coopérative", LegalForm.COOPERATIVE), ("SARL", LegalForm.COMPANY), ("SARLAU", LegalForm.COMPANY),
    ("Auto-entrepreneur", LegalForm.AUTO_ENTREPRENEUR), ("Association", LegalForm.ASSOCIATION),
    ("Non constituée", LegalForm.NONE), ("non constituee", LegalForm.NONE), ("GIE", None),
    ("Cooperative", LegalForm.COOPERATIVE), ("LLC", LegalForm.COMPANY), ("Single-member LLC", LegalForm.COMPANY),
    ("Sole proprietorship", LegalForm.AUTO_ENTREPRENEUR), ("auto-entrepreneur", LegalForm.AUTO_ENTREPRENEUR),
    ("association", LegalForm.ASSOCIATION), ("Not registered", LegalForm.NONE), ("Informal", LegalForm.NONE),
    ("تعاونية", LegalForm.COOPERATIVE), ("جمعية", LegalForm.ASSOCIATION),
])
def test_legal_forms(text, form):
    assert normalise.legal_form_code(text) == form


@pytest.mark.parametrize("title, role", [
    ("Porteuse de projet", MemberRole.FOUNDER), ("Porteur de projet", MemberRole.FOUNDER),
    ("Fondatrice", MemberRole.FOUNDER), ("Co-fondatrice", MemberRole.CO_FOUNDER),
    ("Cofondateur", MemberRole.CO_FOUNDER),
    ("Associée", MemberRole.CO_FOUNDER), ("Employé", MemberRole.EMPLOYEE), ("Salariée", MemberRole.EMPLOYEE),
    ("Président", MemberRole.FOUNDER), ("Responsable commerciale", MemberRole.FOUNDER), (None, MemberRole.FOUNDER),
])
def test_member_roles(title, role):
    assert normalise.member_role(title) == role


# ---------------------------------------------------------------- rows and projects

HEAD = ["N° projet", "Nom du projet", "Secteur", "Nom complet", "Sexe", "Date de naissance", "Porteur principal",
        "Part du capital (%)", "Téléphone", "E-mail", "Date de consentement", "Stade"]


def person(key="P01", name="Salma Idrissi", project="Projet Un", sector="Agriculture", sex="F", birth="01/02/1995",
           lead="Non", share=None, phone=None, email=None, consent="01/06/2025", stage=None) -> list:
    return [key, project, sector, name, sex, birth, lead, share, phone, email, consent, stage]


class Analysis:
    """What the file alone gives: its groups, and the plan into an empty cohort."""

    def __init__(self, sheet: Sheet, today: dt.date):
        self.parsed = checks.parse_sheet(sheet, today)
        self.plan = plan.build_plan(self.parsed, {}, plan.Choices(), today)
        self.groups, self.issues, self.warnings = self.parsed.groups, self.plan.issues, self.plan.warnings
        self.rejected = self.plan.rejected
        self.rejected_keys = {c.key for c in self.plan.projects if c.action == "rejected"}


def analyse(*rows, today=REFERENCE_DATE) -> Analysis:
    return Analysis(Sheet("csv", HEAD, [SheetRow(n, list(r)) for n, r in enumerate(rows, start=2)]), today)


def codes(analysis) -> list[tuple[str, list[int]]]:
    return [(i.code, i.lines) for i in analysis.issues]


def warning_codes(analysis) -> list[str]:
    return [i.code for i in analysis.warnings]


@pytest.mark.parametrize("field, value, code", [
    ("key", None, "missing_project_key"),
    ("project", " ", "missing_project_name"),
    ("sector", None, "missing_sector"),
    ("name", None, "missing_full_name"),
    ("consent", None, "missing_consent_date"),
    ("consent", "32/01/2025", "invalid_consent_date"),
    ("consent", "01/01/2026", "consent_date_in_future"),
    ("birth", "31/02/1995", "invalid_birth_date"),
    ("birth", "01/01/2026", "birth_date_in_future"),
    ("sex", "X", "invalid_sex"),
    ("lead", "Peut-être", "invalid_lead"),
    ("share", "120", "invalid_ownership"),
    ("phone", "0412", "invalid_phone"),
    ("email", "a@example,com", "invalid_email"),
    ("name", "N" * 161, "value_too_long"),
])
def test_row_errors_skip_the_row_and_keep_the_project(field, value, code):
    result = analyse(person(lead="Oui", name="Lead Person"), person(**{field: value}))
    assert codes(result) == [(code, [3])]
    issue = result.issues[0]
    assert issue.level == "row" and issue.column in HEAD
    if value and value.strip() and code != "value_too_long":
        assert value in str(issue.message)  # the message names the value
    assert list(result.rejected) == [3]
    assert not result.rejected_keys and [r.line for r in result.groups[0].rows] == [2]


def test_duplicate_row_is_reported_once_and_the_first_kept():
    result = analyse(person(lead="Oui"), person(key="p01 ", name="  salma  IDRISSI", lead="Oui"))
    assert codes(result) == [("duplicate_row", [3])]
    assert "ligne 2" in str(result.issues[0].message)
    assert [r.line for r in result.groups[0].rows] == [2]


def test_multiple_leads_reject_the_project_and_cite_the_lead_rows():
    result = analyse(person(name="A", lead="Oui"), person(name="B", lead="oui"), person(name="C"))
    assert codes(result) == [("multiple_leads", [2, 3])]
    assert result.issues[0].level == "project" and result.issues[0].project_key == "P01"
    assert list(result.rejected) == [2, 3, 4]


def test_no_lead_rejects_the_project():
    result = analyse(person(name="A"), person(name="B", lead=None))
    assert codes(result) == [("no_lead", [2, 3])]


def test_project_rules_apply_to_the_rows_that_survived():
    # The second lead has an invalid phone: its row is skipped, so the project has exactly one lead.
    result = analyse(person(name="A", lead="Oui"), person(name="B", lead="Oui", phone="123"))
    assert codes(result) == [("invalid_phone", [3])]
    assert not result.rejected_keys


@pytest.mark.parametrize("shares, over", [(["33,33", "33,33", "33,33"], False), (["60 %", "40%"], False),
                                          (["60", "40.01"], True), (["100", "1"], True)])
def test_ownership_sum(shares, over):
    rows = [person(name=f"M{i}", lead="Oui" if i == 0 else "Non", share=s) for i, s in enumerate(shares)]
    result = analyse(*rows)
    assert codes(result) == ([("ownership_over_100", [2, 3])] if over else [])


def test_unknown_sector_cites_its_rows():
    result = analyse(person(name="A", lead="Oui", sector="Tourisme rural"), person(name="B", sector="Tourisme rural"))
    assert codes(result) == [("unknown_sector", [2, 3])]
    assert "« Tourisme rural »" in str(result.issues[0].message)


def test_spelling_variants_are_not_conflicts():
    result = analyse(
        person(name="A", lead="Oui", sector="Formation & services", project="Crèche Les Goélands "),
        person(name="B", sector="formation et services", project="creche les goelands"),
        person(name="C", sector="Services", project="CRÈCHE  LES GOÉLANDS"),
    )
    assert codes(result) == []
    assert result.groups[0].values["sector"] == Sector.TRAINING_SERVICES


def test_different_sectors_reject_the_project():
    result = analyse(person(name="A", lead="Oui", sector="Agriculture"), person(name="B", sector="Numérique"))
    assert [c for c, _ in codes(result)] == ["conflicting_sectors"] and result.rejected_keys == {"P01"}


@pytest.mark.parametrize("column, values, code, kept", [
    ("project", ["Hydro Vert", "Tawjih Pro", "Hydro Vert"], "conflicting_names", "Hydro Vert"),
    ("stage", ["Idée", "Développement", "Développement"], "conflicting_stages", Stage.GROWTH),
])
def test_different_names_or_stages_are_warnings_the_most_common_is_kept(column, values, code, kept):
    rows = [person(name=f"M{i}", lead="Oui" if i == 0 else "Non", **{column: v}) for i, v in enumerate(values)]
    result = analyse(*rows)
    assert codes(result) == [] and warning_codes(result) == [code] and not result.rejected_keys
    assert result.groups[0].values["name" if column == "project" else column] == kept


@pytest.mark.parametrize("stage", ["Bientôt", "Soon", "قريبا"])
def test_unknown_stage_warns_and_leaves_the_field_empty(stage):
    result = analyse(person(name="A", lead="Oui", stage=stage), person(name="B", stage=stage))
    assert codes(result) == [] and not result.rejected_keys
    assert warning_codes(result) == ["unknown_stage"]
    assert result.warnings[0].value == stage and stage in str(result.warnings[0].message)
    assert result.groups[0].values["stage"] is None
    assert [m.action for m in result.plan.projects[0].members] == ["create", "create"]


def test_two_spellings_of_one_stage_are_not_different():
    result = analyse(person(name="A", lead="Oui", stage="Création"), person(name="B", stage="Pré-création"))
    assert warning_codes(result) == [] and result.groups[0].values["stage"] == Stage.PROTOTYPE


def test_project_values_take_the_most_common_spelling():
    result = analyse(person(name="A", lead="Oui", project="Tawjih Pro "), person(name="B", project="TAWJIH PRO"),
                     person(name="C", project="Tawjih Pro"))
    assert result.groups[0].values["name"] == "Tawjih Pro"


def _group(*rows) -> checks.ProjectGroup:
    return analyse(*rows).groups[0]


def test_the_team_rules_count_the_existing_members_kept():
    existing = [checks.TeamMember("lead person", True, Decimal("70"))]
    headers = columns.map_headers(HEAD)
    assert checks.check_team(_group(person(name="Salma Idrissi", share="30")), headers, existing) == []
    over = checks.check_team(_group(person(name="Salma Idrissi", share="31")), headers, existing)
    assert [(i.code, i.lines) for i in over] == [("ownership_over_100", [2])]
    # The current lead is in the file and no longer marked lead: the project would have none.
    demoted = checks.check_team(_group(person(name="Lead Person")), headers, [])
    assert [i.code for i in demoted] == ["no_lead"]


def test_sample_analysis_finds_exactly_the_readme_defects(sample_xlsx, expected):
    from tracker.imports.reader import read_sheet

    result = Analysis(read_sheet(sample_xlsx, "f.xlsx"), REFERENCE_DATE)
    assert sorted({n for i in result.issues for n in i.lines}) == expected["error_rows"]
    assert list(result.rejected) == expected["not_imported_rows"]
    valid = [g for g in result.groups if g.key not in result.rejected_keys]
    assert len(valid) == expected["valid_projects"] and sum(len(g.rows) for g in valid) == expected["valid_members"]
