"""Issue 14: optional coded columns never reject. English values are understood; unknown ones are warnings,
shown with the text typed and listed in a "warnings" sheet of the rejected-rows download; places follow the
official reference."""

import io
from collections import Counter

import openpyxl
import sqlalchemy as sa

from tests.imports.conftest import ENGLISH_HEADERS, REFERENCE_DATE, csv_bytes, sample_csv_rows, sample_rows, xlsx_bytes
from tracker.extensions import db
from tracker.imports import services
from tracker.projects.models import LegalForm, Project, Stage

KEY, STAGE, LEGAL, PROVINCE, COMMUNE, LEAD, SHARE = 0, 5, 6, 7, 8, 13, 14
ENGLISH_STAGES = {"Idée": "Idea", "Pré-création": "Pre-startup", "Création": "Start-up", "Démarrage": "Launch",
                  "Développement": "Growth"}
ENGLISH_FORMS = {"Coopérative": "Cooperative", "SARL": "LLC", "SARLAU": "Single-member LLC",
                 "Auto-entrepreneur": "Sole proprietorship", "Association": "Association",
                 "Non constituée": "Not registered"}
# what the French file gives, per the mapping documented in tracker/imports/normalise.py
FRENCH_STAGE = {"Idée": Stage.IDEA, "Pré-création": Stage.PROTOTYPE, "Création": Stage.PROTOTYPE,
                "Démarrage": Stage.EARLY_REVENUE, "Développement": Stage.GROWTH}
FRENCH_FORM = {"Coopérative": LegalForm.COOPERATIVE, "SARL": LegalForm.COMPANY, "SARLAU": LegalForm.COMPANY,
               "Auto-entrepreneur": LegalForm.AUTO_ENTREPRENEUR, "Association": LegalForm.ASSOCIATION,
               "Non constituée": LegalForm.NONE}
UNKNOWN = {"P03": ("Scaling", None), "P08": (None, "GIE"), "P20": ("Bientôt", "Holding")}


def english_file() -> tuple[bytes, dict[str, tuple]]:
    """The sample in English, its stage and legal form written in English; three projects with values we do not
    know. Returns the file and, per project, the (stage, legal form) the French sample means."""
    rows = [ENGLISH_HEADERS] + sample_csv_rows()[1:]
    meant = {}
    for row in rows[1:]:
        key, stage, form = row[KEY], row[STAGE].strip(), row[LEGAL].strip()
        meant.setdefault(key, (FRENCH_STAGE[stage], FRENCH_FORM[form]))
        row[STAGE], row[LEGAL] = ENGLISH_STAGES[stage], ENGLISH_FORMS[form]
        row[LEAD] = {"oui": "Yes", "non": "No"}.get(row[LEAD].strip().lower(), row[LEAD])
        row[SHARE] = row[SHARE].replace(",", ".")
        if key in UNKNOWN:
            row[STAGE] = UNKNOWN[key][0] or row[STAGE]
            row[LEGAL] = UNKNOWN[key][1] or row[LEGAL]
    return csv_bytes(rows, delimiter=","), meant


def test_an_english_file_imports_every_project_the_readme_accepts(cohort, staff, expected):
    data, meant = english_file()
    preview = services.run_import(staff, cohort, data, "forum_en.csv", skip_invalid=True, today=REFERENCE_DATE)
    db.session.flush()
    assert preview.summary.projects_created == expected["valid_projects"]
    assert preview.summary.members_created == expected["valid_members"]
    assert {p.key for p in preview.projects if p.action == "rejected"} == set(expected["rejected_projects"])
    assert {i.code for i in preview.issues} == {e["code"] for e in expected["errors"]}  # only README rules 3, 4
    # unknown optional values: warnings naming the text typed, the field left empty, nothing rejected
    warned = Counter((w.project_key, w.code, w.value) for w in preview.warnings)
    assert set(warned) == {("P03", "unknown_stage", "Scaling"), ("P08", "unknown_legal_form", "GIE"),
                           ("P20", "unknown_stage", "Bientôt"), ("P20", "unknown_legal_form", "Holding")}
    stored = {p.code: (p.stage, p.legal_form) for p in db.session.scalars(
        sa.select(Project).where(Project.cohort_id == cohort.id))}
    for key, (stage, form) in stored.items():
        unknown_stage, unknown_form = UNKNOWN.get(key, (None, None))
        assert stage == (None if unknown_stage else meant[key][0]), key
        assert form == (None if unknown_form else meant[key][1]), key


def test_the_rejected_rows_download_has_a_warnings_sheet(cohort, staff):
    data, _ = english_file()
    workbook = openpyxl.load_workbook(io.BytesIO(services.rejected_rows_xlsx(data, "forum_en.csv",
                                                                             today=REFERENCE_DATE, cohort=cohort)))
    assert workbook.sheetnames == ["Rejected rows", "Warnings"]
    rows = list(workbook["Warnings"].iter_rows(values_only=True))
    assert rows[0] == ("Row(s)", "Project ID", "Column", "Value as typed", "Warning")
    assert {(r[1], r[2], r[3]) for r in rows[1:]} == {("P03", "Stage", "Scaling"), ("P08", "Legal form", "GIE"),
                                                      ("P20", "Stage", "Bientôt"), ("P20", "Legal form", "Holding")}
    assert all("Scaling" in r[4] for r in rows[1:] if r[3] == "Scaling")


def test_provinces_and_communes_are_normalised_unknown_ones_kept_with_a_warning(cohort, staff):
    rows = sample_rows()
    variants = ["SAFI", "Province de Safi", "إقليم آسفي", " safi ", "Safi"]
    for n, row in enumerate(rows[1:]):
        row[PROVINCE] = variants[n % len(variants)]
        if row[KEY] == "P09":
            row[COMMUNE] = "sebt   gzoula "
        if row[KEY] == "P10":
            row[PROVINCE] = "Atlantis"
        if row[KEY] == "P11":
            row[COMMUNE] = "Tamanar"  # a commune of Essaouira, not of Safi
    preview = services.run_import(staff, cohort, xlsx_bytes(rows), "f.xlsx", skip_invalid=True, today=REFERENCE_DATE)
    db.session.flush()
    places = {p.code: (p.province, p.commune) for p in db.session.scalars(
        sa.select(Project).where(Project.cohort_id == cohort.id))}
    assert {v[0] for k, v in places.items() if k != "P10"} == {"Safi"}
    assert places["P09"] == ("Safi", "Sebt Gzoula") and places["P10"][0] == "Atlantis"
    assert places["P11"] == ("Safi", "Tamanar")
    warned = {(w.project_key, w.code, w.value) for w in preview.warnings}
    assert warned == {("P10", "unknown_province", "Atlantis"), ("P11", "unknown_commune", "Tamanar")}
    assert preview.summary.projects_created == 30  # warnings never reject
