"""Issue 15, point 1: one gate for text (tracker/core/text.py), and exporters that defend themselves.

The four examples of the issue, each of which failed before the gate: a control character in a milestone
title broke the manager's XLSX, one in a project name broke the IATI file, a NUL in a search box or in the
login e-mail was a 500 on PostgreSQL, and a right-to-left override in a project name was stored as typed.
"""

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from lxml import etree
from openpyxl import load_workbook

from tests import factories
from tests.milestones.factories import MilestoneFactory
from tests.report_files.reading import sheets
from tracker.core import text
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.projects.models import Project

IATI_XSD = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "iati" / "iati-activities-schema.xsd"
RLO = "\u202e"


# ---------------------------------------------------------------- the functions

@pytest.mark.parametrize(("raw", "line", "multiline"), [
    ("Coop\x00érative", "Coopérative", "Coopérative"),
    ("a\x01b\x1fc\x7fd\x85e\x9f", "abcde", "abcde"),
    ("ligne 1\r\nligne 2\rligne 3\n", "ligne 1 ligne 2 ligne 3 ", "ligne 1\nligne 2\nligne 3\n"),
    ("col1\tcol2", "col1 col2", "col1\tcol2"),
    (f"facture{RLO}fdp.exe", "facturefdp.exe", "facturefdp.exe"),
    ("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069x", "x", "x"),
    ("مشروع\u200fالأمل\u200e", "مشروع\u200fالأمل\u200e", "مشروع\u200fالأمل\u200e"),  # RLM/LRM are kept
    ("\ud800x\ufffe\uffff", "x", "x"),
    (None, None, None),
    (12, 12, 12),
])
def test_clean_line_and_multiline(raw, line, multiline):
    assert text.clean_line(raw) == line
    assert text.clean_multiline(raw) == multiline


def test_strip_controls_keeps_line_breaks_and_bidi_but_never_nul():
    assert text.strip_controls("a\x00b\tc\r\nd\x1b" + RLO) == "ab\tc\r\nd" + RLO


def test_for_export_drops_only_what_xml_cannot_hold():
    assert text.for_export("Jalon\x01 \x0b\x00ok\ttab\nline\x85") == "Jalon ok\ttab\nline\x85"
    clean = "Coopérative الأمل"
    assert text.for_export(clean) is clean
    assert text.for_export_deep({"a\x01": ["x\x02", ("y\x03",), 3]}) == {"a": ["x", ("y",), 3]}


@pytest.mark.parametrize("value", ["/x\r\nSet-Cookie: a=b", "/x\x00", "/x" + RLO, "/x\u2028"])
def test_has_controls(value):
    assert text.has_controls(value)
    assert not text.has_controls("/projects/?q=مشروع")


# ---------------------------------------------------------------- example 1: the manager's XLSX

def test_a_control_character_in_a_milestone_title_does_not_break_the_manager_xlsx(actors, login_as):
    # Stored before the gate existed (or by a command): the writer must cope.
    milestone = MilestoneFactory(project=actors.project, title="Jalon\x01 fictif\x1f",
                                 planned_date=dt.date(2025, 3, 1))
    db.session.flush()
    response = login_as("manager").get(f"/reports/cohort.xlsx?cohort={actors.cohort.id}&to=2025-06-30")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    sheet = wb[sheets(wb)["raw.milestones"].title]
    titles = [row for row in sheet.iter_rows(values_only=True) if milestone.id in row]
    assert titles and "Jalon fictif" in titles[0]


def test_every_cohort_format_survives_control_characters_in_stored_text(actors, login_as):
    actors.cohort.name = "Cohorte\x01 fictive"
    actors.project.name = "Projet\x02 fictif"
    MilestoneFactory(project=actors.project, title="Jalon\x03", planned_date=dt.date(2025, 3, 1))
    db.session.flush()
    client = login_as("manager")
    for fmt in ("xlsx", "csv", "json", "pdf"):
        response = client.get(f"/reports/cohort.{fmt}?cohort={actors.cohort.id}&to=2025-06-30")
        assert response.status_code == 200, fmt
        if fmt == "csv":
            with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
                assert not any(text.has_controls(archive.read(n).decode("utf-8-sig").replace("\r\n", ""))
                               for n in archive.namelist())
        if fmt == "json":
            json.loads(response.data)


def test_a_control_character_in_a_milestone_title_is_removed_by_the_form(actors, login_as):
    milestone = MilestoneFactory(project=actors.project)
    db.session.flush()
    response = login_as("staff").post(f"/milestones/{milestone.id}/edit", data={
        "title": "Premier\x01 client\x00 " + RLO + "signé", "category": "first_sale", "status": "planned",
        "planned_date": "2026-01-15", "version": str(milestone.version)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).title == "Premier client signé"


# ---------------------------------------------------------------- example 2: IATI

def test_a_control_character_in_a_project_name_does_not_break_iati(actors, login_as):
    actors.project.name = "Coopérative\x01 fictive\x1f"
    actors.project.summary = "Ligne 1\x02\nLigne 2\x0b"
    db.session.flush()
    response = login_as("manager").get(f"/reports/iati/{actors.cohort.id}.xml")
    assert response.status_code == 200
    document = etree.fromstring(response.data)
    etree.XMLSchema(etree.parse(str(IATI_XSD))).assertValid(document)
    assert "Coopérative fictive" in document.xpath("//iati-activity/title/narrative/text()")


# ---------------------------------------------------------------- example 3: NUL in a search box, the login

@pytest.mark.parametrize("url", ["/projects/?q=%00", "/projects/?q=a%00b&cohort=%00", "/admin/privacy/?q=%00x",
                                 "/admin/audit/?q=%00&action=%00", "/sessions/?from=%00&project=%00",
                                 "/reports/cohort?from=%00&cohort=%00"])
def test_nul_in_a_query_string_is_no_500(login_as, url):
    response = login_as("admin").get(url)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]


def test_nul_in_the_login_email_is_a_wrong_login_not_a_500(client, actors):
    response = client.post("/login", data={"email": f"{actors.staff.email}\x00", "password": "wrong-pass-1"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    # The NUL is removed, not the account: the right password with the same e-mail signs in.
    ok = client.post("/login", data={"email": f"\x00{actors.staff.email}", "password": "correct-horse-battery"})
    assert ok.status_code == 302


# ---------------------------------------------------------------- example 4: bidi overrides

def test_a_right_to_left_override_in_a_project_name_is_not_stored(actors, login_as):
    response = login_as("staff").post("/projects/new", data={
        "cohort_id": str(actors.cohort.id), "code": "P\u202d77", "name": f"Coopérative {RLO}exe.pdf",
        "sector": "local_products", "status": "active", "staff_ids": [str(actors.staff.id)],
        "lead-full_name": "Hind\u2066 Fictive\u2069", "lead-sex": "F", "lead-role": "founder",
        "lead-consent_date": "2025-02-01", "lead-ownership_pct": "100",
    })
    assert response.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.code == "P77"))
    assert project.name == "Coopérative exe.pdf"
    assert project.lead.full_name == "Hind Fictive"
    page = login_as("staff").get(f"/projects/{project.id}").get_data(as_text=True)
    assert RLO not in page


def test_a_text_area_keeps_its_line_breaks(actors, login_as):
    project = factories.ProjectFactory(cohort=actors.cohort)
    db.session.flush()
    data = {"code": project.code, "name": project.name, "sector": project.sector.value, "status": "active",
            "version": str(project.version), "summary": "Ligne 1\r\n\tLigne 2\x00"}
    assert login_as("staff").post(f"/projects/{project.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).summary == "Ligne 1\n\tLigne 2"


def test_every_form_of_the_app_goes_through_the_gate(app):
    """A new form that subclasses Flask-WTF or WTForms directly would bypass the gate."""
    from flask_wtf import FlaskForm as FlaskWtfForm
    from wtforms import Form as WtForm

    from tracker.core.forms import FlaskForm, Form

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in set(subclasses(FlaskWtfForm)) | set(subclasses(WtForm))
            if c.__module__.startswith("tracker.") and c not in (FlaskForm, Form)]
    assert len(ours) > 15
    bypassing = sorted(c.__qualname__ for c in ours if not issubclass(c, (FlaskForm, Form)))
    assert bypassing == []


def test_uploaded_file_names_are_one_line_without_overrides(app):
    from werkzeug.datastructures import FileStorage

    files = text.GatedMultiDict([("files", FileStorage(io.BytesIO(b"x"), filename=f"a\r\nb{RLO}\x00.pdf"))])
    assert files["files"].filename == "a b.pdf"


def test_imported_cells_go_through_the_gate():
    from tracker.imports.reader import read_sheet

    # (NUL and the first C0 characters make the reader refuse the whole file: these ones it reads.)
    data = ("N°;Nom du projet;Résumé\r\nP1;Coop\x1bérative " + RLO + "exe\x7f;\x9cLigne 1\u2066\x0b\r\n").encode()
    sheet = read_sheet("\ufeff".encode() + data, "forum.csv")
    assert sheet.rows[0].values[1] == "Coopérative exe"
    assert sheet.rows[0].values[2] == "Ligne 1"
    assert not any(text.has_controls(v.replace("\n", "")) for row in sheet.rows for v in row.values if v)


# ---------------------------------------------------------------- point 3: `next` with a control character

@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/projects/\x00", "/\u202e/x", "/a\tb"])
def test_a_next_with_a_control_character_is_refused_before_anything_is_done(actors, login_as, client, target):
    from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
    from tracker.mentoring.models import ActionItem

    item = ActionItemFactory(session=MentoringSessionFactory(project=actors.project, mentor=actors.staff))
    db.session.commit()
    response = login_as("manager").post(f"/sessions/action-items/{item.id}/done", data={"next": target})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).done_date is None
    # The login too: no session is opened, and the failure counter is untouched.
    login = client.post("/login", query_string={"next": target},
                        data={"email": actors.staff.email, "password": "correct-horse-battery"})
    assert login.status_code == 400 and "Location" not in login.headers
    db.session.refresh(actors.staff)
    assert actors.staff.last_login_at is None
