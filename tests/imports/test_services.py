"""Import services against the database: the sample's acceptance figures, idempotence, changes, one transaction."""

import hashlib
import io
import re
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tests import factories
from tests.imports.conftest import (
    ENGLISH_HEADERS,
    REFERENCE_DATE,
    csv_bytes,
    sample_csv_rows,
    sample_rows,
    xlsx_bytes,
)
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.services import ImportFileError, ImportRejected
from tracker.projects import flags
from tracker.projects.models import Member, MemberRole, Project, Sex

# Column positions in the sample (French layout).
KEY, NAME, SECTOR, FULL_NAME, SEX, LEAD, SHARE, PHONE, EMAIL, BIRTH = 0, 1, 2, 9, 10, 13, 14, 15, 16, 11


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Project, Member, AuditEvent)}


def figures(cohort) -> dict:
    """expected.json's figures, computed from the database rows through tracker.projects.flags."""
    db.session.expire_all()
    projects = db.session.scalars(
        sa.select(Project).where(Project.cohort_id == cohort.id).options(selectinload(Project.members))
    ).all()
    members = [m for p in projects for m in p.members]
    bounds = flags.youth_bounds()
    young = [m for m in members if flags.is_young(m.birth_date, REFERENCE_DATE, *bounds)]
    return {
        "valid_projects": len(projects),
        "valid_members": len(members),
        "women": sum(m.sex == Sex.F for m in members),
        "men": sum(m.sex == Sex.M for m in members),
        "sex_not_stated": sum(m.sex is None for m in members),
        "members_with_birth_date": sum(m.birth_date is not None for m in members),
        "youth": len(young),
        "young_women": sum(m.sex == Sex.F for m in young),
        "women_led_projects": sum(flags.is_women_led(p.members) for p in projects),
        "youth_led_projects": sum(flags.is_youth_led(p.members, REFERENCE_DATE, *bounds) for p in projects),
        "projects_by_sector": dict(Counter(p.sector.value for p in projects)),
    }


def assert_expected_figures(cohort, expected) -> None:
    assert figures(cohort) == {key: expected[key] for key in figures(cohort)}


def assert_readme_defects(preview, expected) -> None:
    """Exactly the README's defects; a project-level error may cite more rows of its project."""
    found = {(i.code, i.project_key, i.level): i.lines for i in preview.issues}
    assert len(preview.issues) == len(expected["errors"]), [(i.code, i.lines) for i in preview.issues]
    for error in expected["errors"]:
        lines = found[(error["code"], error["project"], error["level"])]
        if error["level"] == "row":
            assert lines == error["rows"]
        else:
            assert set(error["rows"]) <= set(lines)
            assert set(lines) <= set(expected["not_imported_rows"])
    assert preview.rejected_lines == expected["not_imported_rows"]


def import_sample(staff, cohort, sample) -> services.ImportPreview:
    data, filename = sample
    return services.run_import(staff, cohort, data, filename, skip_invalid=True, today=REFERENCE_DATE)


# ---------------------------------------------------------------- acceptance on the sample

def test_sample_preview_finds_exactly_the_readme_defects_and_writes_nothing(cohort, sample, expected):
    before = counts()
    preview = services.preview_import(cohort, *sample, today=REFERENCE_DATE)
    assert_readme_defects(preview, expected)
    assert preview.data_rows == expected["data_rows"] and preview.has_errors and preview.can_import_valid
    assert len(preview.projects) == expected["projects_in_file"]
    assert sorted(p.key for p in preview.projects if p.action == "rejected") == expected["rejected_projects"]
    s = preview.summary
    assert (s.projects_created, s.projects_rejected, s.members_created, s.members_rejected) == (30, 2, 71, 9)
    assert not db.session.new and not db.session.dirty
    assert counts() == before


def test_sample_issues_name_their_column_and_value(cohort, sample_xlsx):
    preview = services.preview_import(cohort, sample_xlsx, "f.xlsx", today=REFERENCE_DATE)
    by_code = {i.code: i for i in preview.issues}
    assert by_code["invalid_email"].column == "E-mail"
    assert "rajae.belkadi@example,com" in str(by_code["invalid_email"].message)
    assert by_code["invalid_birth_date"].column == "Date de naissance"
    assert "31/02/1995" in str(by_code["invalid_birth_date"].message)
    assert "Tourisme rural" in str(by_code["unknown_sector"].message)


def test_sample_with_errors_is_not_imported_by_default(cohort, staff, sample):
    before = counts()
    with pytest.raises(ImportRejected) as error:
        services.run_import(staff, cohort, *sample, skip_invalid=False, today=REFERENCE_DATE)
    assert len(error.value.preview.issues) == 6
    assert counts() == before


def test_valid_rows_only_gives_the_expected_figures(cohort, staff, sample, expected):
    preview = import_sample(staff, cohort, sample)
    assert_expected_figures(cohort, expected)
    assert preview.summary.projects_created == expected["valid_projects"]
    assert preview.summary.members_created == expected["valid_members"]


def test_imported_values_are_normalised(cohort, staff, sample):
    import_sample(staff, cohort, sample)
    p01 = db.session.scalar(sa.select(Project).where(Project.code == "P01"))
    asmae = next(m for m in p01.members if m.full_name == "Asmae Zerouali")
    assert (asmae.is_lead, asmae.sex, asmae.phone) == (True, Sex.F, "+212728369825")
    assert str(asmae.birth_date) == "1977-01-09"
    assert str(asmae.ownership_pct) in ("60", "60.00") and asmae.role_title == "Gérante"
    assert (p01.sector.value, p01.stage.value, p01.legal_form.value) == ("digital", "prototype", "auto_entrepreneur")
    p25 = db.session.scalar(sa.select(Project).where(Project.code == "P25"))
    assert p25.name == "تعاونية نسيم البحر" and "خديجة العمراني" in {m.full_name for m in p25.members}
    p07 = db.session.scalar(sa.select(Project).where(Project.code == "P07"))
    assert p07.name == "Tawjih Pro"  # trailing spaces trimmed
    p29 = db.session.scalar(sa.select(Project).where(Project.code == "P29"))
    assert sum(m.ownership_pct for m in p29.members) == Decimal("99.99")


def test_one_audit_event_with_the_counts_and_the_sha256(cohort, staff, sample_xlsx):
    preview = services.run_import(staff, cohort, sample_xlsx, "forum.xlsx", skip_invalid=True, today=REFERENCE_DATE)
    events = db.session.scalars(sa.select(AuditEvent)).all()
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.entity_type, event.entity_id) == ("import", "cohort", cohort.id)
    assert event.user_id == staff.id
    assert event.changes["sha256"] == hashlib.sha256(sample_xlsx).hexdigest() == preview.sha256
    assert event.changes["projects_created"] == 30 and event.changes["members_created"] == 71
    assert event.changes["members_rejected"] == 9 and event.changes["file"] == "forum.xlsx"


# ---------------------------------------------------------------- rejected rows

def _read_back(data: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_rejected_rows_xlsx_holds_exactly_the_rejected_rows(sample_xlsx, expected):
    rows = _read_back(services.rejected_rows_xlsx(sample_xlsx, "f.xlsx", today=REFERENCE_DATE))
    original = sample_rows()
    assert rows[0] == original[0] + ["Erreur"]
    assert [row[:-1] for row in rows[1:]] == [original[n - 1] for n in expected["not_imported_rows"]]
    assert all(row[-1] for row in rows[1:])
    assert "31/02/1995" in rows[[n for n in expected["not_imported_rows"]].index(53) + 1][-1]


def test_rejected_rows_of_the_csv_keep_the_text_as_written(sample_csv, expected):
    rows = _read_back(services.rejected_rows_xlsx(sample_csv, "f.csv", today=REFERENCE_DATE))
    original = [[v or None for v in row] for row in sample_csv_rows()]
    assert [row[:-1] for row in rows[1:]] == [original[n - 1] for n in expected["not_imported_rows"]]
    phones = [row[PHONE] for row in rows[1:]]
    assert "+212 6 81 64 68 31" in phones  # text starting with + stays text, never a formula


def test_fixed_rejected_rows_import_on_their_own(cohort, staff, sample_xlsx):
    import_sample(staff, cohort, (sample_xlsx, "f.xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(services.rejected_rows_xlsx(sample_xlsx, "f.xlsx", cohort=cohort)))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        name = row[FULL_NAME].value.strip()
        if name == "Mohamed El Mansouri" and row[KEY].value == "P13":
            row[LEAD].value = "Non"
        elif name == "Hanane Sghir":
            row[NAME].value = "Aviculture Fermière Ayir"
        elif name == "Asmae Amzil":
            row[BIRTH].value = "28/02/1995"
        elif name == "Rajae Belkadi":
            row[EMAIL].value = "rajae.belkadi@example.com"
        if row[SECTOR].value == "Tourisme rural":
            row[SECTOR].value = "Services"
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = services.run_import(staff, cohort, buffer.getvalue(), "corrige.xlsx", skip_invalid=False,
                                  today=REFERENCE_DATE)
    s = preview.summary
    assert not preview.issues
    assert (s.projects_created, s.projects_updated, s.projects_unchanged) == (2, 3, 1)
    assert (s.members_created, s.members_unchanged) == (8, 1)
    assert counts()["Project"] == 32 and counts()["Member"] == 79
    p14 = db.session.scalar(sa.select(Project).where(Project.code == "P14"))
    assert len(p14.members) == 3 and p14.lead.full_name == "Jawad Lamrani"


# ---------------------------------------------------------------- idempotence and changes

def test_reimport_creates_nothing(cohort, staff, sample):
    import_sample(staff, cohort, sample)
    before = counts()
    versions = db.session.execute(sa.select(Member.id, Member.version)).all()
    preview = import_sample(staff, cohort, sample)
    s = preview.summary
    assert (s.projects_created, s.projects_updated, s.projects_unchanged) == (0, 0, 30)
    assert (s.members_created, s.members_updated, s.members_unchanged) == (0, 0, 71)
    assert all(p.action in ("unchanged", "rejected") for p in preview.projects)
    assert counts() == before | {"AuditEvent": before["AuditEvent"] + 1}
    assert db.session.execute(sa.select(Member.id, Member.version)).all() == versions


def test_the_xlsx_and_the_csv_are_the_same_import(cohort, staff, sample_xlsx, sample_csv):
    import_sample(staff, cohort, (sample_xlsx, "f.xlsx"))
    preview = services.preview_import(cohort, sample_csv, "f.csv", today=REFERENCE_DATE)
    assert preview.summary.projects_unchanged == 30 and preview.summary.members_unchanged == 71


def test_a_changed_file_shows_exactly_the_changes(cohort, staff):
    rows = sample_rows()
    import_sample(staff, cohort, (xlsx_bytes(rows), "f.xlsx"))
    rows[1][PHONE] = "06 11 22 33 44"  # P01, Asmae Zerouali
    rows[1][NAME] = rows[2][NAME] = "SafiCode Académie"  # P01 renamed on both rows
    rows[27][LEAD], rows[28][LEAD] = "Non", "Oui"  # P11: the lead moves from row 28 to row 29
    rows.append(list(rows[3]))  # P02: a new member
    rows[-1][FULL_NAME], rows[-1][EMAIL], rows[-1][LEAD], rows[-1][SHARE] = "Nouvelle Associée", None, "Non", None
    preview = services.preview_import(cohort, xlsx_bytes(rows), "f.xlsx", today=REFERENCE_DATE)

    changed = {p.key: p for p in preview.projects if p.action not in ("unchanged", "rejected")}
    assert set(changed) == {"P01", "P02", "P11"}
    assert changed["P01"].changes == {"name": ("SafiCode Academy", "SafiCode Académie")}
    assert [(m.name, m.changes) for m in changed["P01"].members if m.action == "update"] == [
        ("Asmae Zerouali", {"phone": ("+212728369825", "+212611223344")})]
    assert [(m.name, m.action) for m in changed["P02"].members if m.action != "unchanged"][-1] == \
        ("Nouvelle Associée", "create")
    assert sorted((m.name, m.changes["is_lead"]) for m in changed["P11"].members if m.action == "update") == [
        ("Mustapha Alaoui", (True, False)), ("Siham El Mansouri", (False, True))]
    s = preview.summary
    assert (s.projects_updated, s.projects_unchanged, s.members_created, s.members_updated) == (3, 27, 1, 3)

    services.run_import(staff, cohort, xlsx_bytes(rows), "f.xlsx", skip_invalid=True, today=REFERENCE_DATE)
    db.session.expire_all()
    p11 = db.session.scalar(sa.select(Project).where(Project.code == "P11"))
    assert p11.lead.full_name == "Siham El Mansouri"
    again = services.preview_import(cohort, xlsx_bytes(rows), "f.xlsx", today=REFERENCE_DATE)
    assert {p.action for p in again.projects} == {"unchanged", "rejected"}


def test_a_new_lead_takes_the_flag_from_a_member_not_in_the_file(cohort, staff, sample_xlsx):
    import_sample(staff, cohort, (sample_xlsx, "f.xlsx"))
    header = sample_rows()[0]
    row = list(sample_rows()[27])  # P11's lead row, turned into a new member who becomes lead
    row[FULL_NAME], row[PHONE], row[EMAIL], row[SHARE] = "Nadia Lead", None, None, None
    preview = services.run_import(staff, cohort, xlsx_bytes([header, row]), "f.xlsx", skip_invalid=False,
                                  today=REFERENCE_DATE)
    p11 = next(p for p in preview.projects if p.key == "P11")
    # The members the file does not list are kept (issue 14); the lead flag moves to the file's lead.
    assert [(m.name, m.action, m.changes) for m in p11.members] == [
        ("Nadia Lead", "create", {}), ("Mustapha Alaoui", "kept", {"is_lead": (True, False)}),
        ("Siham El Mansouri", "kept", {})]
    db.session.expire_all()
    project = db.session.scalar(sa.select(Project).where(Project.code == "P11"))
    assert project.lead.full_name == "Nadia Lead" and len(project.members) == 3


def test_a_role_corrected_in_the_app_survives_a_reimport(cohort, staff, sample_xlsx):
    import_sample(staff, cohort, (sample_xlsx, "f.xlsx"))
    intern = db.session.scalar(sa.select(Member).where(Member.full_name == "Imane Benjelloun"))
    assert intern.role_title == "Stagiaire (apprentie)" and intern.role.value == "founder"
    intern.role = MemberRole.EMPLOYEE
    db.session.flush()
    preview = services.preview_import(cohort, sample_xlsx, "f.xlsx", today=REFERENCE_DATE)
    assert preview.summary.members_updated == 0


def test_columns_absent_from_the_file_are_left_as_they_are(cohort, staff, sample_xlsx):
    import_sample(staff, cohort, (sample_xlsx, "f.xlsx"))
    mandatory = [0, 1, 2, 9, 13, 17]  # number, project name, sector, full name, lead, consent date
    rows = [[row[i] for i in mandatory] for row in sample_rows()[:3]]
    preview = services.preview_import(cohort, xlsx_bytes(rows), "f.xlsx", today=REFERENCE_DATE)
    assert [p.action for p in preview.projects] == ["unchanged"]
    assert {m.action for m in preview.projects[0].members} == {"unchanged"}


def test_preview_and_import_do_not_query_per_row(cohort, staff, sample_xlsx, count_queries):
    import_sample(staff, cohort, (sample_xlsx, "f.xlsx"))
    with count_queries() as preview_queries:
        services.preview_import(cohort, sample_xlsx, "f.xlsx", today=REFERENCE_DATE)
    with count_queries() as import_queries:
        import_sample(staff, cohort, (sample_xlsx, "f.xlsx"))
    assert len(preview_queries) <= 2  # the cohort's projects, then their members
    assert len(import_queries) <= 3  # the same, plus the audit event


# ---------------------------------------------------------------- other layouts and encodings

def test_english_headers_comma_csv(cohort, staff, expected):
    rows = [ENGLISH_HEADERS] + sample_csv_rows()[1:]
    for row in rows[1:]:
        row[LEAD] = {"oui": "Yes", "non": "No"}.get(row[LEAD].strip().lower(), row[LEAD])
        row[SHARE] = row[SHARE].replace(",", ".")
    data = csv_bytes(rows, delimiter=",")
    preview = services.run_import(staff, cohort, data, "forum_en.csv", skip_invalid=True, today=REFERENCE_DATE)
    assert preview.language == "en"
    assert_readme_defects(preview, expected)
    assert {i.column for i in preview.issues} >= {"Email", "Lead", "Sector"}
    assert_expected_figures(cohort, expected)
    rejected = _read_back(services.rejected_rows_xlsx(data, "forum_en.csv", today=REFERENCE_DATE))
    assert rejected[0][-1] == "Error" and len(rejected) == 10


def test_project_numbers_as_number_cells(cohort, staff):
    rows = sample_rows()
    for row in rows[1:]:
        row[KEY] = int(row[KEY][1:])
    preview = services.run_import(staff, cohort, xlsx_bytes(rows), "f.xlsx", skip_invalid=True, today=REFERENCE_DATE)
    assert preview.summary.projects_created == 30
    assert db.session.scalar(sa.select(Project.code).where(Project.name == "Hydro Vert Safi")) == "11"


def test_arabic_sex_values(cohort, staff, expected):
    rows = sample_rows()
    for row in rows[1:]:
        sex = (row[SEX] or "").strip().lower()
        row[SEX] = "أنثى" if sex in ("f", "femme") else "ذكر" if sex in ("h", "homme") else row[SEX]
    services.run_import(staff, cohort, xlsx_bytes(rows), "f.xlsx", skip_invalid=True, today=REFERENCE_DATE)
    assert_expected_figures(cohort, expected)


_ARABIC = re.compile(r"[\u0600-\u06ff]+(?: [\u0600-\u06ff]+)*")


def test_windows_1252_csv(cohort, staff, expected, sample_csv):
    text = sample_csv.decode("utf-8-sig")
    names = {}
    text = _ARABIC.sub(lambda m: names.setdefault(m.group(), f"Nom Translittéré {len(names) + 1}"), text)
    preview = services.run_import(staff, cohort, text.encode("cp1252"), "forum.csv", skip_invalid=True,
                                  today=REFERENCE_DATE)
    assert_readme_defects(preview, expected)
    assert_expected_figures(cohort, expected)
    assert db.session.scalar(sa.select(Project.sub_sector).where(Project.code == "P14")) == "Élevage"


def test_windows_1256_csv(cohort, staff, expected, sample_csv):
    text = sample_csv.decode("utf-8-sig").replace("É", "E")  # the one letter of the sample Windows-1256 lacks
    preview = services.run_import(staff, cohort, text.encode("cp1256"), "forum.csv", skip_invalid=True,
                                  today=REFERENCE_DATE)
    assert_readme_defects(preview, expected)
    assert_expected_figures(cohort, expected)
    assert db.session.scalar(sa.select(Project.name).where(Project.code == "P25")) == "تعاونية نسيم البحر"
    assert db.session.scalar(sa.select(Project.name).where(Project.code == "P18")) == "Crèche Les Petits Goélands"


# ---------------------------------------------------------------- bad files and failures

BAD = {
    "not a spreadsheet": b"%PDF-1.7\n\x00\x01binary",
    "empty": b"",
    "only headers": "N° projet;Nom du projet;Secteur;Nom complet;Date de consentement\r\n".encode(),
    "unknown headers": b"Projet;Personne;Remarque\r\nP01;Salma;ok\r\n",
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_files_raise_and_write_nothing(cohort, staff, name):
    before = counts()
    with pytest.raises(ImportFileError):
        services.preview_import(cohort, BAD[name], "f.csv")
    with pytest.raises(ImportFileError):
        services.run_import(staff, cohort, BAD[name], "f.csv", skip_invalid=True)
    assert counts() == before


def test_no_valid_project_is_refused_even_with_skip_invalid(cohort, staff):
    rows = [sample_rows()[0], sample_rows()[76], sample_rows()[77]]  # P31 only: unknown sector
    with pytest.raises(ImportRejected):
        services.run_import(staff, cohort, xlsx_bytes(rows), "f.xlsx", skip_invalid=True, today=REFERENCE_DATE)
    assert counts()["Project"] == 0


def test_a_crash_halfway_through_the_write_leaves_the_database_unchanged(cohort, staff, sample_xlsx, monkeypatch):
    factories.ProjectFactory(cohort=cohort, code="P99")
    db.session.commit()  # the state the import starts from
    before = counts()
    real_write = services.write_project
    written = []

    def crash_on_the_fifteenth(cohort_, op):
        written.append(op.group.key)
        if len(written) == 15:
            # Earlier projects really reached the database inside the transaction before the crash.
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) > before["Project"]
            raise RuntimeError("disk full")
        return real_write(cohort_, op)

    monkeypatch.setattr(services, "write_project", crash_on_the_fifteenth)
    monkeypatch.setattr(services, "FLUSH_EVERY", 4)
    with pytest.raises(RuntimeError):
        services.run_import(staff, cohort, sample_xlsx, "f.xlsx", skip_invalid=True, today=REFERENCE_DATE)
    db.session.rollback()  # what the caller (view or CLI) does on any exception
    assert counts() == before


def test_dates_after_today_are_errors(cohort):
    rows = sample_rows()
    preview = services.preview_import(cohort, xlsx_bytes(rows), "f.xlsx", today=REFERENCE_DATE.replace(year=2025,
                                                                                                      month=6, day=1))
    assert "consent_date_in_future" in {i.code for i in preview.issues}
