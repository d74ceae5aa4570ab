"""The web side of issue 14: conflicts first and chosen project by project, changes visible, the upload read once."""

import html
import io
import re

import pytest
import sqlalchemy as sa

from tests import factories
from tests.imports.conftest import SAMPLE_CSV
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.imports import reader, storage
from tracker.projects.models import Member, Project

TOKEN_URL = re.compile(r"/imports/([0-9a-f]{32})$")
HEADER = "N° projet;Nom du projet;Secteur;Nom complet;Sexe;Porteur principal;Part du capital (%);Date de consentement"


def csv_of(*rows: str) -> bytes:
    return "\r\n".join((HEADER, *rows)).encode("utf-8-sig")


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def upload(client, cohort, content: bytes, name="forum.csv") -> str:
    response = client.post("/imports/", data={"cohort_id": str(cohort.id), "file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, page_of(response)[:1500]
    return TOKEN_URL.search(response.location).group(1)


def digest_of(page: str) -> str:
    return re.search(r'name="choices" value="([0-9a-f]*)"', page).group(1)


@pytest.fixture
def cohort(actors):
    cohort = factories.CohortFactory(name="Forum Safi 2025")
    # P01 exists under another name (a conflict), P02 under the same name with a small typo (an update)
    p01 = factories.ProjectFactory(cohort=cohort, code="P01", name="Biocompost Lamaachate", lead=False)
    factories.MemberFactory(project=p01, full_name="Karim Ancien", is_lead=True, ownership_pct=100)
    p02 = factories.ProjectFactory(cohort=cohort, code="P02", name="Sardine Doree", lead=False)
    factories.MemberFactory(project=p02, full_name="Nadia Lead", is_lead=True, ownership_pct=60)
    factories.MemberFactory(project=p02, full_name="Omar Absent", ownership_pct=40)
    db.session.commit()
    return cohort


@pytest.fixture
def staff(login_as):
    return login_as("staff")


FILE = csv_of(
    "P01;Sardine Dorée;Produits du terroir;Salma Nouvelle;F;Oui;100;01/03/2025",
    "P02;Sardine Dorée;Produits du terroir;Nadia Lead;F;Oui;60;01/03/2025",
    "P03;Atelier Neuf;Numérique;Hamza Neuf;H;Oui;;01/03/2025",
)


def project(cohort, code):
    db.session.expire_all()
    return db.session.scalar(sa.select(Project).where(Project.cohort_id == cohort.id, Project.code == code))


def test_conflicts_come_first_and_nothing_is_imported_without_a_choice(staff, cohort):
    token = upload(staff, cohort, FILE)
    page = page_of(staff.get(f"/imports/{token}"))
    assert page.index('id="conflicts"') < page.index('id="summary-title"') < page.index('id="changes"')
    conflicts = page.split('id="conflicts"')[1].split("</section>")[0]
    assert "Biocompost Lamaachate" in conflicts and "Sardine Dorée" in conflicts and "P02" not in conflicts
    rows = re.findall(r'data-project="(P\d+)" data-action="(\w+)"', page)
    assert rows == [("P01", "conflict"), ("P02", "update"), ("P03", "create")]
    assert 'id="confirm-all"' not in page and 'id="choose-first"' in page
    assert 'data-count="projects-conflicts">1<' in page
    # the changes of the project to update are visible without a click, old → new
    p02 = page.split('data-project="P02"')[1].split("</tr>")[0]
    assert "<details" not in page and "Sardine Doree" in p02 and "Sardine Dorée" in p02
    assert 'data-member-action="kept"' in p02 and "Omar Absent" in p02  # the member the file does not list
    assert 'data-ownership="100' in p02  # 60 in the file + 40 kept: the team after the import, not 200

    # a confirmation without choices (forged) writes nothing
    response = staff.post(f"/imports/{token}/confirm", data={"mode": "all", "choices": ""},
                          follow_redirects=True)
    assert "Rien n'a été importé" in page_of(response)
    assert project(cohort, "P01").name == "Biocompost Lamaachate" and project(cohort, "P03") is None


@pytest.mark.parametrize("choice, check", [
    ("update", lambda c: project(c, "P01").name == "Sardine Dorée"
     and {m.full_name for m in project(c, "P01").members} == {"Salma Nouvelle"}),
    ("new", lambda c: project(c, "P01").name == "Biocompost Lamaachate" and project(c, "P04").name == "Sardine Dorée"),
    ("skip", lambda c: project(c, "P01").name == "Biocompost Lamaachate" and project(c, "P04") is None),
])
def test_each_choice_does_what_it_says(staff, cohort, choice, check):
    token = upload(staff, cohort, FILE)
    response = staff.post(f"/imports/{token}/choices", data={"conflict-p01": choice, "remove_missing": "y"})
    assert response.status_code == 302 and response.location.endswith(f"/imports/{token}#conflicts")
    assert storage.load(token).choices["per_project"] == {"p01": choice}
    page = page_of(staff.get(f"/imports/{token}"))
    assert f'value="{choice}" checked' in page
    response = staff.post(f"/imports/{token}/confirm", data={"mode": "all", "choices": digest_of(page)})
    assert response.status_code == 302 and response.location.endswith("/result"), page_of(response)
    assert check(cohort)
    assert project(cohort, "P03").name == "Atelier Neuf"
    # removal was chosen: P02's member missing from the file is gone, and the removal audited
    assert {m.full_name for m in project(cohort, "P02").members} == {"Nadia Lead"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "delete", AuditEvent.entity_type == "member")) >= 1


def test_apply_to_all_fills_the_conflicts_left_blank(staff, cohort):
    token = upload(staff, cohort, FILE)
    staff.post(f"/imports/{token}/choices", data={"apply_all": "skip"})
    page = page_of(staff.get(f"/imports/{token}"))
    assert 'value="skip" checked' in page and 'id="confirm-all"' in page
    assert re.findall(r'data-project="P01" data-action="(\w+)"', page) == ["skipped"]


def test_choices_changed_in_another_tab_are_not_applied_blindly(staff, cohort):
    token = upload(staff, cohort, FILE)
    staff.post(f"/imports/{token}/choices", data={"conflict-p01": "skip"})
    shown = digest_of(page_of(staff.get(f"/imports/{token}")))
    staff.post(f"/imports/{token}/choices", data={"conflict-p01": "update"})  # the other tab
    response = staff.post(f"/imports/{token}/confirm", data={"mode": "all", "choices": shown}, follow_redirects=True)
    assert "ont changé" in page_of(response) and project(cohort, "P03") is None


def test_members_are_kept_by_default(staff, cohort):
    token = upload(staff, cohort, FILE)
    staff.post(f"/imports/{token}/choices", data={"conflict-p01": "skip"})
    page = page_of(staff.get(f"/imports/{token}"))
    staff.post(f"/imports/{token}/confirm", data={"mode": "all", "choices": digest_of(page)})
    assert {m.full_name for m in project(cohort, "P02").members} == {"Nadia Lead", "Omar Absent"}
    assert project(cohort, "P02").name == "Sardine Dorée"


def test_an_upload_is_read_once_whatever_the_views(app, staff, cohort, monkeypatch):
    reads = []
    real_csv, real_xlsx = reader._read_csv, reader._read_xlsx
    monkeypatch.setattr(reader, "_read_csv", lambda *a: reads.append("csv") or real_csv(*a))
    monkeypatch.setattr(reader, "_read_xlsx", lambda *a: reads.append("xlsx") or real_xlsx(*a))
    token = upload(staff, cohort, SAMPLE_CSV.read_bytes(), "forum.csv")
    assert reads == ["csv"]
    for query in ("", "?action=rejected", "?action=conflict", "?page=2", ""):
        assert staff.get(f"/imports/{token}{query}").status_code == 200
    staff.post(f"/imports/{token}/choices", data={"apply_all": "new"})
    page = page_of(staff.get(f"/imports/{token}"))
    assert staff.get(f"/imports/{token}/rejected.xlsx").status_code == 200
    response = staff.post(f"/imports/{token}/confirm", data={"mode": "valid", "choices": digest_of(page)})
    assert response.location.endswith("/result")
    assert staff.get(f"/imports/{token}/rejected.xlsx").status_code == 200
    assert reads == ["csv"]  # one read, at upload
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member).join(Project).where(
        Project.cohort_id == cohort.id)) > 71


def test_a_lost_copy_of_the_rows_is_read_again_once(staff, cohort, monkeypatch):
    token = upload(staff, cohort, FILE)
    from tracker.imports import parsed

    parsed.delete(storage.load(token))
    reads = []
    real_csv = reader._read_csv
    monkeypatch.setattr(reader, "_read_csv", lambda *a: reads.append(1) or real_csv(*a))
    for _ in range(3):
        assert staff.get(f"/imports/{token}").status_code == 200
    assert reads == [1]
