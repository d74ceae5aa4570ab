"""Malformed and oversized uploads: a clear translated answer, nothing stored, never a 500.

- an "XLSX" of random bytes, an empty file and a PDF with a wrong magic number, sent to the import form
  and to a milestone's evidence;
- a request over MAX_CONTENT_LENGTH (lowered to 64 KiB here so the test stays fast): the translated 413
  page, in French and in Arabic, before any view runs.
"""

import html
import io
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.milestones.factories import MilestoneFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.milestones.models import Attachment
from tracker.projects.models import Project

RANDOM = os.urandom(4096)
BAD_FILES = {
    "random-xlsx": (RANDOM, "forum.xlsx"),
    "empty-xlsx": (b"", "forum.xlsx"),
    "empty-csv": (b"", "forum.csv"),
    "wrong-magic-pdf": (b"%PFD-1.4\n" + RANDOM, "preuve.pdf"),
    "zip-not-office": (b"PK\x03\x04" + RANDOM, "forum.xlsx"),
}


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _files(app) -> list[Path]:
    return sorted(p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("content, name", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_import_file_is_explained(app, actors, login_as, content, name):
    client = login_as("staff")
    before_files, before_projects = _files(app), _count(Project)
    response = client.post("/imports/", data={"cohort_id": str(actors.cohort.id),
                                             "file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code in (200, 400)
    page = _page(response)
    assert "Traceback" not in page
    message = re.search(r'id="file-errors"[^>]*><div>([^<]+)</div>', page)
    assert message and len(message.group(1)) > 20, "the file's error is said beside the file field"
    assert _files(app) == before_files
    assert _count(Project) == before_projects


@pytest.mark.parametrize("content, name", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_evidence_file_is_refused(app, actors, login_as, content, name):
    milestone = MilestoneFactory(project=actors.project)
    db.session.commit()
    client = login_as("holder")
    before_files = _files(app)
    response = client.post(f"/milestones/{milestone.id}/evidence",
                           data={"files": [(io.BytesIO(content), name)]},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    page = _page(response)
    assert "alert-danger" in page or "alert-warning" in page
    assert _count(Attachment) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.entity_type == "attachment")) == 0
    assert _files(app) == before_files


@pytest.mark.parametrize("locale, title", [("fr", "Fichier trop volumineux"), ("ar", None)])
@pytest.mark.parametrize("target", ["import", "evidence"])
def test_request_over_max_content_length_gets_the_translated_413(app, actors, login_as, monkeypatch, locale,
                                                                 title, target):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    milestone = MilestoneFactory(project=actors.project)
    db.session.commit()
    client = login_as("staff")
    client.post("/language", data={"locale": locale})
    before_files, before_projects = _files(app), _count(Project)
    big = b"%PDF-1.4\n" + b"0" * (128 * 1024)
    if target == "import":
        response = client.post("/imports/", data={"cohort_id": str(actors.cohort.id),
                                                 "file": (io.BytesIO(big), "forum.xlsx")},
                               content_type="multipart/form-data")
    else:
        response = client.post(f"/milestones/{milestone.id}/evidence",
                               data={"files": [(io.BytesIO(big), "gros.pdf")]}, content_type="multipart/form-data")
    page = _page(response)
    assert response.status_code == 413
    assert f'<html lang="{locale}"' in page and "Traceback" not in page
    if title:
        assert title in page
    else:
        assert 'dir="rtl"' in page and "Fichier trop volumineux" not in page
    assert _files(app) == before_files
    assert _count(Project) == before_projects and _count(Attachment) == 0
