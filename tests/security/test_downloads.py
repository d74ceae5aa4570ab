"""Issue 15, point 3: no stored value can break a download's Content-Disposition header (RFC 6266), and
every file the app hands out is sent by the one helper that builds it (tracker/core/downloads.py)."""

import re
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from tests import factories
from tests.milestones.factories import AttachmentFactory, MilestoneFactory
from tracker.core.downloads import content_disposition, safe_download_name
from tracker.extensions import db

TRACKER = Path(__file__).resolve().parents[2] / "tracker"


@pytest.mark.parametrize(("raw", "header"), [
    ("mowakaba-safi-2025-06-30.xlsx", "attachment; filename=mowakaba-safi-2025-06-30.xlsx"),
    ("rapport\r\nSet-Cookie: x=1.pdf",
     "attachment; filename=\"rapport Set-Cookie_ x=1.pdf\"; filename*=UTF-8''rapport%20Set-Cookie_%20x%3D1.pdf"),
    ('a"b;c\\d.pdf', "attachment; filename=a_b_c_d.pdf"),
    ("تقرير.pdf", "attachment; filename=\"download.pdf\"; filename*=UTF-8''" + quote("تقرير.pdf")),
    ("Coopérative\u202efdp.exe", "attachment; filename=\"Cooperativefdp.exe\"; filename*=UTF-8''"
     + quote("Coopérativefdp.exe")),
    ("\x00\x01", "attachment; filename=download"),
    ("", "attachment; filename=download"),
    ("../../etc/passwd", "attachment; filename=_._etc_passwd"),  # never a path
])
def test_content_disposition(raw, header):
    assert content_disposition(raw) == header


def test_long_names_keep_their_extension():
    name = safe_download_name("ت" * 400 + ".docx")
    assert len(name) == 200 and name.endswith(".docx")


def test_a_project_code_with_a_line_break_does_not_break_the_one_pager(actors, login_as):
    actors.project.code = "P1\r\nX-Injected: yes"
    db.session.flush()
    response = login_as("staff").get(f"/projects/{actors.project.id}/one-pager.pdf")
    assert response.status_code == 200
    assert "X-Injected" not in response.headers
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "mowakaba-P1 X-Injected_ yes-fiche.pdf"


def test_an_evidence_file_stored_with_a_hostile_name_downloads(actors, login_as):
    milestone = MilestoneFactory(project=actors.project)
    attachment = AttachmentFactory(milestone=milestone, original_name='preuve"\r\n\x07\u202e.pdf')
    db.session.flush()
    response = login_as("staff").get(f"/milestones/evidence/{attachment.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=preuve_.pdf"


def test_a_cohort_slug_with_control_characters_does_not_break_the_iati_download(login_as):
    cohort = factories.CohortFactory(slug="cohorte\nx")
    factories.ProjectFactory(cohort=cohort)
    db.session.flush()
    response = login_as("manager").get(f"/reports/iati/{cohort.id}.xml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="mowakaba-cohorte x-iati.xml"')


def test_every_download_goes_through_the_helper():
    offenders = []
    for path in TRACKER.rglob("*.py"):
        if path.name == "downloads.py" and path.parent.name == "core":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"\bsend_file\(|\bsend_from_directory\(|Content-Disposition", source):
            offenders.append(str(path.relative_to(TRACKER)))
    assert offenders == []
