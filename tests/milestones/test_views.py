import datetime as dt
import hashlib
import html
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.conftest import FROZEN_TODAY
from tests.milestones.factories import (
    SAMPLES,
    AttachmentFactory,
    MilestoneFactory,
    elf_bytes,
    exe_bytes,
    pdf_bytes,
    png_bytes,
)
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.milestones.models import Attachment, Milestone, MilestoneStatus

TODAY = FROZEN_TODAY
pytestmark = pytest.mark.usefixtures("frozen_today")
CONFLICT = "Cet enregistrement a été modifié par"
MIB = 1024 * 1024


def page_of(response):
    """The page as read on screen (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def form_data(milestone=None, **overrides):
    data = {"title": "Première vente en boutique", "category": "first_sale",
            "planned_date": (TODAY + dt.timedelta(days=30)).isoformat(), "status": "planned",
            "achieved_date": "", "evidence_note": ""}
    if milestone is not None:
        data["version"] = str(milestone.version)
    return data | overrides


def files(*pairs):
    return {"files": [(io.BytesIO(content), name) for content, name in pairs]}


def post_files(client, milestone, *pairs, **kwargs):
    return client.post(f"/milestones/{milestone.id}/evidence", data=files(*pairs),
                       content_type="multipart/form-data", **kwargs)


def attachments_of(milestone):
    return db.session.scalars(sa.select(Attachment).where(Attachment.milestone_id == milestone.id)
                              .order_by(Attachment.id)).all()


def stored_files(app):
    return sorted(p for p in (Path(app.config["UPLOAD_DIR"]) / "evidence").rglob("*") if p.is_file()) \
        if (Path(app.config["UPLOAD_DIR"]) / "evidence").exists() else []


# ---------------------------------------------------------------- list

def test_list_flags_late_milestones_and_filters_by_status(actors, login_as):
    MilestoneFactory(project=actors.project, title="Immatriculation en retard",
                     planned_date=TODAY - dt.timedelta(days=3), status=MilestoneStatus.IN_PROGRESS)
    MilestoneFactory(project=actors.project, title="Prototype atteint", planned_date=TODAY - dt.timedelta(days=9),
                     status=MilestoneStatus.ACHIEVED, achieved_date=TODAY - dt.timedelta(days=10))
    MilestoneFactory(project=actors.project, title="Première vente à venir")
    MilestoneFactory(project=actors.other_project, title="Jalon d'un autre projet")
    client = login_as("holder")
    page = page_of(client.get(f"/milestones/projects/{actors.project.id}"))
    assert "Immatriculation en retard" in page and "Prototype atteint" in page and "Première vente à venir" in page
    assert "Jalon d'un autre projet" not in page
    assert page.count('class="badge text-bg-danger">En retard') == 1
    late_only = page_of(client.get(f"/milestones/projects/{actors.project.id}?status=late"))
    assert "Immatriculation en retard" in late_only and "Prototype atteint" not in late_only
    achieved = page_of(client.get(f"/milestones/projects/{actors.project.id}?status=achieved"))
    assert "Prototype atteint" in achieved and "Première vente à venir" not in achieved
    assert client.get(f"/milestones/projects/{actors.project.id}?status=nonsense").status_code == 400


def test_holder_of_another_project_gets_404_without_its_name(actors, login_as):
    milestone = MilestoneFactory(project=actors.other_project, title="Secret d'un autre projet")
    client = login_as("holder")
    for url in (f"/milestones/projects/{actors.other_project.id}", f"/milestones/{milestone.id}",
                f"/milestones/{milestone.id}/edit"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Secret d'un autre projet" not in page_of(response)
        assert actors.other_project.name not in page_of(response)


def test_list_query_count_is_the_same_for_5_and_50_milestones(actors, login_as, count_queries):
    client = login_as("holder")
    url = f"/milestones/projects/{actors.project.id}"

    def fill(n):
        for i in range(n):
            milestone = MilestoneFactory(project=actors.project, title=f"Jalon n°{i}",
                                         planned_date=TODAY + dt.timedelta(days=i - 10))
            if i % 3 == 0:
                AttachmentFactory(milestone=milestone)
        db.session.flush()

    fill(5)
    client.get(url)  # warm caches of the first request
    with count_queries() as five:
        first = client.get(url)
    fill(45)
    with count_queries() as fifty:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert page_of(second).count('href="/milestones/') > page_of(first).count('href="/milestones/')
    assert len(fifty) == len(five), f"{len(five)} queries for 5 rows, {len(fifty)} for 50"


# ---------------------------------------------------------------- create, edit, conflict

def test_holder_creates_a_milestone_on_their_project(actors, login_as):
    client = login_as("holder")
    response = client.post(f"/milestones/projects/{actors.project.id}/new",
                           data=form_data(title="تسجيل التعاونية", category="legal_registration"))
    [milestone] = db.session.scalars(sa.select(Milestone).where(Milestone.project_id == actors.project.id)).all()
    assert response.status_code == 302 and response.location.endswith(f"/milestones/{milestone.id}#evidence")
    assert milestone.title == "تسجيل التعاونية"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "milestone"))
    assert (event.action, event.user_id) == ("create", actors.holder.id)
    assert client.post(f"/milestones/projects/{actors.other_project.id}/new", data=form_data()).status_code == 404


@pytest.mark.parametrize("overrides, message", [
    ({"status": "achieved"}, "Indiquez la date à laquelle le jalon a été atteint."),
    ({"status": "achieved", "achieved_date": (TODAY + dt.timedelta(days=1)).isoformat()},
     "La date d'atteinte ne peut pas être dans le futur."),
    ({"title": ""}, "Indiquez l'intitulé du jalon."),
    ({"planned_date": ""}, "Indiquez la date prévue."),
])
def test_refused_input_is_explained_in_french_and_kept(actors, login_as, overrides, message):
    response = login_as("staff").post(f"/milestones/projects/{actors.project.id}/new",
                                      data=form_data(evidence_note="Ma note gardée", **overrides))
    page = page_of(response)
    assert response.status_code == 200
    assert message in page
    assert "Ma note gardée" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Milestone)) == 0


def test_holder_edits_their_own_milestone_and_gets_404_on_another(actors, login_as):
    own = MilestoneFactory(project=actors.project, title="Avant")
    other = MilestoneFactory(project=actors.other_project, title="Intouchable")
    db.session.commit()
    client = login_as("holder")
    page = page_of(client.get(f"/milestones/{own.id}/edit"))
    assert 'value="Avant"' in page and 'name="version"' in page
    response = client.post(f"/milestones/{own.id}/edit", data=form_data(
        own, title="Après", status="achieved", achieved_date=TODAY.isoformat(), evidence_note="Facture n°12"))
    assert response.status_code == 302 and response.location.endswith(f"/milestones/{own.id}")
    db.session.expire_all()
    own = db.session.get(Milestone, own.id)
    assert (own.title, own.status, own.achieved_date, own.evidence_note) == (
        "Après", MilestoneStatus.ACHIEVED, TODAY, "Facture n°12")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "milestone",
                                                          AuditEvent.action == "update"))
    assert event.user_id == actors.holder.id and event.changes["title"] == ["Avant", "Après"]
    assert event.changes["status"] == ["planned", "achieved"]
    assert client.post(f"/milestones/{other.id}/edit", data=form_data(other, title="Piraté")).status_code == 404
    db.session.expire_all()
    assert db.session.get(Milestone, other.id).title == "Intouchable"


def test_edit_conflict_keeps_the_input_and_shows_the_saved_values(actors, login_as):
    milestone = MilestoneFactory(project=actors.project, title="Version d'origine")
    db.session.commit()
    client = login_as("holder")
    stale = milestone.version
    milestone.title = "Saisi entre-temps par le chargé"
    db.session.commit()  # another user's save, committed before this form is posted
    response = client.post(f"/milestones/{milestone.id}/edit",
                           data=form_data(milestone, title="Ma version", version=str(stale)))
    page = page_of(response)
    assert response.status_code == 200
    assert CONFLICT in page
    assert 'value="Ma version"' in page
    assert "Saisi entre-temps par le chargé" in page
    assert f'name="version" type="hidden" value="{milestone.version}"' in page
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).title == "Saisi entre-temps par le chargé"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.entity_type == "milestone")) == 0


def test_the_form_pages_have_no_inline_script_or_handler(actors, login_as):
    milestone = MilestoneFactory(project=actors.project)
    client = login_as("holder")
    for url in (f"/milestones/projects/{actors.project.id}/new", f"/milestones/{milestone.id}",
                f"/milestones/projects/{actors.project.id}"):
        page = page_of(client.get(url))
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
        assert re.findall(r"\son[a-z]+\s*=", page) == []
        assert re.findall(r"\sstyle\s*=", page) == []
    detail = page_of(client.get(f"/milestones/{milestone.id}"))
    assert "js/milestone_form.js" in detail
    assert 'accept=".pdf,.jpg,.jpeg,.png,.xlsx,.docx"' in detail
    assert "10 Mo au plus par fichier" in detail
    assert re.search(r'<label[^>]*for="files"', detail)


# ---------------------------------------------------------------- mark achieved

def test_mark_achieved_from_the_list_then_a_second_tap_is_harmless(actors, login_as):
    milestone = MilestoneFactory(project=actors.project, status=MilestoneStatus.DELAYED,
                                 planned_date=TODAY - dt.timedelta(days=5))
    db.session.commit()
    client = login_as("holder")
    back = f"/milestones/projects/{actors.project.id}"
    data = {"version": str(milestone.version), "next": back}
    response = client.post(f"/milestones/{milestone.id}/achieved", data=data)
    assert response.status_code == 302 and response.location.endswith(back)
    db.session.expire_all()
    milestone = db.session.get(Milestone, milestone.id)
    assert (milestone.status, milestone.achieved_date) == (MilestoneStatus.ACHIEVED, TODAY)
    again = client.post(f"/milestones/{milestone.id}/achieved", data=data, follow_redirects=True)
    assert "Ce jalon était déjà atteint." in page_of(again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.entity_type == "milestone")) == 1


def test_mark_achieved_with_a_stale_version_changes_nothing(actors, login_as):
    milestone = MilestoneFactory(project=actors.project)
    db.session.commit()
    response = login_as("staff").post(f"/milestones/{milestone.id}/achieved",
                                      data={"version": str(milestone.version + 1), "next": "https://evil.example/"},
                                      follow_redirects=True)
    assert "modifié entre-temps" in page_of(response)
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).status == MilestoneStatus.PLANNED


# ---------------------------------------------------------------- delete a milestone

def test_delete_milestone_is_confirmed_audited_and_its_files_removed(app, actors, login_as):
    milestone = MilestoneFactory(project=actors.project, title="Jalon abandonné")
    attachment = AttachmentFactory(milestone=milestone, original_name="devis.pdf")
    db.session.commit()
    milestone_id, path = milestone.id, Path(app.config["UPLOAD_DIR"]) / attachment.stored_path
    client = login_as("holder")
    confirm = page_of(client.get(f"/milestones/{milestone_id}/delete"))
    assert "Supprimer le jalon « Jalon abandonné »" in confirm and "devis.pdf" in confirm
    assert db.session.get(Milestone, milestone_id) is not None and path.exists()  # a GET deletes nothing
    response = client.post(f"/milestones/{milestone_id}/delete")
    assert response.status_code == 302 and response.location.endswith(f"/milestones/projects/{actors.project.id}")
    db.session.expire_all()
    assert db.session.get(Milestone, milestone_id) is None
    assert not path.exists()
    events = db.session.execute(sa.select(AuditEvent.entity_type, AuditEvent.action, AuditEvent.user_id)
                                .where(AuditEvent.entity_type != "user")).all()
    assert sorted(events) == [("attachment", "delete", actors.holder.id), ("milestone", "delete", actors.holder.id)]


# ---------------------------------------------------------------- evidence: upload

@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_accepted_type_is_uploaded_and_downloaded_unchanged(app, actors, login_as, name):
    build, ext, content_type = SAMPLES[name]
    content = build()
    milestone = MilestoneFactory(project=actors.project)
    client = login_as("holder")
    response = post_files(client, milestone, (content, name), follow_redirects=True)
    assert "Un fichier a été ajouté." in page_of(response)
    [attachment] = attachments_of(milestone)
    assert (attachment.original_name, attachment.content_type, attachment.size_bytes) == (
        name, content_type, len(content))
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by_id == actors.holder.id
    assert re.fullmatch(rf"evidence/{TODAY:%Y}/{TODAY:%m}/[0-9a-f]{{32}}\.{ext}", attachment.stored_path)
    download = client.get(f"/milestones/evidence/{attachment.id}")
    assert download.status_code == 200 and download.data == content
    assert download.mimetype == content_type
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_several_files_in_one_post_are_stored_and_audited(actors, login_as):
    milestone = MilestoneFactory(project=actors.project)
    response = post_files(login_as("staff"), milestone, (pdf_bytes(), "facture.pdf"), (png_bytes(), "photo.png"),
                          follow_redirects=True)
    assert "2 fichiers ont été ajoutés." in page_of(response)
    assert [a.original_name for a in attachments_of(milestone)] == ["facture.pdf", "photo.png"]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "attachment")).all()
    assert [(e.action, e.changes["original_name"][1]) for e in events] == [
        ("create", "facture.pdf"), ("create", "photo.png")]
    assert all(len(e.changes["sha256"][1]) == 64 for e in events)


def test_the_same_file_sent_twice_is_kept_once(app, actors, login_as):
    milestone = MilestoneFactory(project=actors.project)
    client = login_as("holder")
    post_files(client, milestone, (pdf_bytes(), "facture.pdf"))
    before = stored_files(app)
    again = post_files(client, milestone, (pdf_bytes(), "facture (1).pdf"), follow_redirects=True)
    assert "Déjà joint à ce jalon" in page_of(again)
    assert len(attachments_of(milestone)) == 1
    assert stored_files(app) == before


@pytest.mark.parametrize("content, name, message", [
    (elf_bytes(), "report.pdf", "n'est pas d'un type accepté"),  # a renamed executable
    (exe_bytes(), "report.pdf", "n'est pas d'un type accepté"),
    (png_bytes(), "report.pdf", "est un fichier PNG, qui ne correspond pas à son extension"),
])
def test_refused_files_store_nothing(app, actors, login_as, content, name, message):
    milestone = MilestoneFactory(project=actors.project)
    before = stored_files(app)
    response = post_files(login_as("holder"), milestone, (pdf_bytes(), "valide.pdf"), (content, name),
                          follow_redirects=True)
    page = page_of(response)
    assert message in page and "Aucun fichier n'a été enregistré." in page
    assert attachments_of(milestone) == []
    assert stored_files(app) == before  # the valid file sent with it was removed too
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.entity_type == "attachment")) == 0


@pytest.mark.parametrize("locale, title", [("fr", "Fichier trop volumineux"), ("ar", None)])
def test_an_11_mb_file_gets_the_translated_413_page_and_nothing_is_stored(app, actors, login_as, locale, title):
    milestone = MilestoneFactory(project=actors.project)
    client = login_as("holder")
    client.post("/language", data={"locale": locale})
    before = stored_files(app)
    response = post_files(client, milestone, (pdf_bytes(), "petit.pdf"),
                          (b"%PDF-1.4\n" + b"0" * (11 * MIB), "gros rapport.pdf"))
    page = page_of(response)
    assert response.status_code == 413
    assert f'<html lang="{locale}"' in page and "Traceback" not in page
    if title:
        assert title in page and "« gros rapport.pdf » dépasse 10 Mo" in page
    assert attachments_of(milestone) == []
    assert stored_files(app) == before
    assert not list(Path(app.config["UPLOAD_DIR"]).rglob(".upload-*"))


def test_no_file_chosen_is_explained(actors, login_as):
    milestone = MilestoneFactory(project=actors.project)
    response = login_as("holder").post(f"/milestones/{milestone.id}/evidence", data={},
                                       content_type="multipart/form-data", follow_redirects=True)
    assert "Choisissez au moins un fichier." in page_of(response)


@pytest.mark.parametrize("sent, shown, header", [
    ("../../etc/passwd.pdf", "passwd.pdf", 'filename=passwd.pdf'),
    ("تقرير.pdf", "تقرير.pdf", "filename*=UTF-8''" + quote("تقرير.pdf")),
])
def test_file_names_are_cleaned_stored_safely_and_downloaded_with_their_name(app, actors, login_as, sent, shown,
                                                                             header):
    milestone = MilestoneFactory(project=actors.project)
    client = login_as("holder")
    post_files(client, milestone, (pdf_bytes(), sent))
    [attachment] = attachments_of(milestone)
    assert attachment.original_name == shown
    assert "passwd" not in attachment.stored_path and "تقرير" not in attachment.stored_path
    assert (Path(app.config["UPLOAD_DIR"]) / attachment.stored_path).resolve().is_relative_to(
        Path(app.config["UPLOAD_DIR"]).resolve())
    assert not (Path(app.config["UPLOAD_DIR"]).parent / "etc").exists()
    assert shown in page_of(client.get(f"/milestones/{milestone.id}"))
    download = client.get(f"/milestones/evidence/{attachment.id}")
    assert download.status_code == 200
    assert header in download.headers["Content-Disposition"]


# ---------------------------------------------------------------- evidence: access, download, delete

def test_holder_gets_404_on_another_projects_evidence(app, actors, login_as):
    other = MilestoneFactory(project=actors.other_project)
    attachment = AttachmentFactory(milestone=other, original_name="confidentiel.pdf")
    client = login_as("holder")
    before = stored_files(app)
    assert client.get(f"/milestones/evidence/{attachment.id}").status_code == 404
    assert client.get(f"/milestones/evidence/{attachment.id}/delete").status_code == 404
    assert client.post(f"/milestones/evidence/{attachment.id}/delete").status_code == 404
    assert post_files(client, other, (pdf_bytes(), "intrus.pdf")).status_code == 404
    assert [a.id for a in attachments_of(other)] == [attachment.id]
    assert stored_files(app) == before
    assert login_as("staff").get(f"/milestones/evidence/{attachment.id}").status_code == 200


def test_a_file_missing_on_disk_is_a_404_page_not_a_500(app, actors, login_as):
    attachment = AttachmentFactory(milestone=MilestoneFactory(project=actors.project))
    (Path(app.config["UPLOAD_DIR"]) / attachment.stored_path).unlink()
    tampered = AttachmentFactory(milestone=attachment.milestone)
    tampered.stored_path = "../../etc/passwd"
    db.session.flush()
    client = login_as("holder")
    for target in (attachment, tampered):
        response = client.get(f"/milestones/evidence/{target.id}")
        assert response.status_code == 404
        assert "Page introuvable" in page_of(response)


def test_delete_evidence_is_confirmed_audited_and_the_file_removed(app, actors, login_as):
    milestone = MilestoneFactory(project=actors.project)
    attachment = AttachmentFactory(milestone=milestone, original_name="photo-boutique.pdf")
    db.session.commit()
    attachment_id, sha = attachment.id, attachment.sha256
    path = Path(app.config["UPLOAD_DIR"]) / attachment.stored_path
    client = login_as("holder")
    confirm = page_of(client.get(f"/milestones/evidence/{attachment_id}/delete"))
    assert "Supprimer le fichier « photo-boutique.pdf »" in confirm
    assert path.exists() and db.session.get(Attachment, attachment_id) is not None  # a GET deletes nothing
    response = client.post(f"/milestones/evidence/{attachment_id}/delete")
    assert response.status_code == 302 and response.location.endswith(f"/milestones/{milestone.id}#evidence")
    db.session.expire_all()
    assert db.session.get(Attachment, attachment_id) is None
    assert not path.exists()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "attachment"))
    assert (event.action, event.entity_id, event.user_id) == ("delete", attachment_id, actors.holder.id)
    assert event.changes["original_name"] == ["photo-boutique.pdf", None]
    assert event.changes["sha256"] == [sha, None]
