"""The web import: upload → preview → confirm (all, or only the valid rows) → result, on the shared sample.

The sample (../shared/data, see its README) holds 80 rows and 6 intentional defects on rows 5, 32–33, 37, 53,
61 and 77–78; importing only what is valid gives 30 projects and 71 members.
"""

import datetime as dt
import hashlib
import html
import io
import json
import os
import re
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from tests import factories
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.imports import storage
from tracker.projects.models import Member, Project

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
SAMPLES = {"xlsx": SHARED / "forum_cohort_sample.xlsx", "csv": SHARED / "forum_cohort_sample.csv"}
EXPECTED = json.loads((SHARED / "expected.json").read_text(encoding="utf-8"))
ERROR_ROWS = set(EXPECTED["error_rows"])  # 5, 32, 33, 37, 53, 61, 77, 78
NOT_IMPORTED_ROWS = set(EXPECTED["not_imported_rows"])  # the same plus 34 (P13's third member)
TOKEN_URL = re.compile(r"/imports/([0-9a-f]{32})$")
MIB = 1024 * 1024

TINY_CSV = (
    "N° projet;Nom du projet;Secteur;Nom complet;Sexe;Porteur principal;Date de consentement\r\n"
    "P01;Atelier Test;Numérique;Salma Test;F;Oui;01/03/2025\r\n"
    "P01;Atelier Test;Numérique;Omar Test;H;Non;01/03/2025\r\n"
).encode("utf-8-sig")


# ---------------------------------------------------------------- helpers

def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def sample(ext: str) -> bytes:
    return SAMPLES[ext].read_bytes()


def upload(client, cohort, content: bytes, name: str, **kwargs):
    return client.post("/imports/", data={"cohort_id": str(cohort.id), "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", **kwargs)


def token_of(response) -> str:
    assert response.status_code == 302, page_of(response)[:2000]
    match = TOKEN_URL.search(response.location)
    assert match, response.location
    return match.group(1)


def confirm(client, token: str, mode: str, **kwargs):
    return client.post(f"/imports/{token}/confirm", data={"mode": mode}, **kwargs)


def stored(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def counts(cohort) -> tuple[int, int]:
    projects = db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(Project.cohort_id == cohort.id))
    members = db.session.scalar(sa.select(sa.func.count()).select_from(Member).join(Member.project)
                                .where(Project.cohort_id == cohort.id))
    return projects, members


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def shown(page: str) -> dict[str, int]:
    """The summary table's figures: {"projects-created": 30, …}."""
    return {key: int(value) for key, value in re.findall(r'data-count="([a-z-]+)"[^>]*>(\d+)<', page)}


def cited_lines(page: str) -> set[int]:
    """Row numbers cited by the error tables (each error row carries them in data-lines)."""
    return {int(n) for group in re.findall(r'data-lines="([\d ]*)"', page) for n in group.split()}


def sample_names(rows: set[int]) -> list[str]:
    """`Nom complet` of the given spreadsheet rows of the sample XLSX, trimmed."""
    sheet = openpyxl.load_workbook(SAMPLES["xlsx"], read_only=True).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    column = [str(h).strip() for h in table[0]].index("Nom complet")
    return sorted(" ".join(str(table[r - 1][column]).split()) for r in rows)


@pytest.fixture
def cohort(actors):
    """An empty cohort, committed so a view's rollback (a refused import) keeps it."""
    cohort = factories.CohortFactory(name="Forum Safi 2025")
    db.session.commit()
    return cohort


@pytest.fixture
def staff(login_as):
    return login_as("staff")


# ---------------------------------------------------------------- upload form

def test_upload_form_lists_cohorts_preselects_one_and_explains_the_columns(staff, cohort):
    response = staff.get(f"/imports/?cohort={cohort.id}")
    page = page_of(response)
    assert response.status_code == 200
    assert re.search(rf'<option selected value="{cohort.id}">Forum Safi 2025</option>', page) or \
        re.search(rf'<option value="{cohort.id}" selected>', page)
    assert 'accept=".xlsx,.csv"' in page and 'enctype="multipart/form-data"' in page
    for header in ("N° projet", "Project ID", "Nom complet", "Full name", "Date de consentement", "Consent date"):
        assert header in page
    assert "Rien n'est enregistré avant votre confirmation" in page
    assert re.search(r'<label class="form-label" for="file">', page) and 'for="cohort_id"' in page


def test_the_nav_shows_the_import_link_to_staff_not_to_holders(login_as):
    assert 'href="/imports/"' in page_of(login_as("staff").get("/"))
    assert 'href="/imports/"' not in page_of(login_as("holder").get("/"))


def test_an_unknown_cohort_in_the_query_is_ignored(staff, cohort):
    response = staff.get("/imports/?cohort=999999")
    assert response.status_code == 200 and '<option selected value="">' in page_of(response)


# ---------------------------------------------------------------- preview of the sample

@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_the_sample_preview_cites_every_defect_row_and_writes_nothing(app, actors, staff, cohort, ext):
    before_files, before_audit = stored(app), audit_count()
    token = token_of(upload(staff, cohort, sample(ext), f"forum_cohort_sample.{ext}"))

    # Stored under a random name, with the sidecar and the rows read (keyed by sha256 and cohort: the file is
    # read once); the user's name never reaches the file system.
    new = sorted(set(stored(app)) - set(before_files))
    sha = hashlib.sha256(sample(ext)).hexdigest()
    assert new == sorted([f"{token}.{ext}", f"{token}.json", f"{sha}-c{cohort.id}.sheet.json"])
    sidecar = json.loads((Path(app.config["UPLOAD_DIR"]) / "imports" / f"{token}.json").read_text("utf-8"))
    assert sidecar["original_name"] == f"forum_cohort_sample.{ext}"
    assert sidecar["uploader_id"] == actors.staff.id and sidecar["cohort_id"] == cohort.id
    assert sidecar["sha256"] == hashlib.sha256(sample(ext)).hexdigest()
    assert dt.datetime.fromisoformat(sidecar["uploaded_at"]).tzinfo is not None

    response = staff.get(f"/imports/{token}")
    page = page_of(response)
    assert response.status_code == 200
    assert f"forum_cohort_sample.{ext}" in page and "80 lignes de données" in page
    assert ERROR_ROWS <= cited_lines(page) <= NOT_IMPORTED_ROWS
    for row in ERROR_ROWS:
        assert f'<bdi dir="ltr">{row}' in page or f", {row}</bdi>" in page
    for code in {e["code"] for e in EXPECTED["errors"]}:
        assert f'data-code="{code}"' in page
    assert "Par défaut, rien n'est enregistré" in page
    assert 'id="confirm-all"' not in page  # a file with errors cannot be imported whole
    assert "Importer seulement les lignes et projets valides" in page
    assert "Télécharger les lignes rejetées et les avertissements (XLSX)" in page
    assert shown(page)["projects-created"] == 30 and shown(page)["projects-rejected"] == 2
    assert shown(page)["members-created"] == 71
    # every change is visible without a click (issue 14): no collapsed rows
    assert "<details>" not in page and "تعاونية نسيم البحر" in page and 'id="warnings"' not in page
    assert counts(cohort) == (0, 0) and audit_count() == before_audit


def test_errors_are_listed_in_row_order_with_project_errors_grouped(staff, cohort):
    token = token_of(upload(staff, cohort, sample("csv"), "forum.csv"))
    page = page_of(staff.get(f"/imports/{token}"))
    project_table = page.split('id="project-errors"')[1].split("</table>")[0]
    row_table = page.split('id="row-errors"')[1].split("</table>")[0]
    assert "P13" in project_table and "P31" in project_table and "Colonne" in page
    row_order = [int(m.split()[0]) for m in re.findall(r'data-lines="([\d ]+)"', row_table)]
    assert row_order == sorted(row_order) and {5, 37, 53, 61} <= set(row_order)
    assert project_table.index("P13") < project_table.index("P31")


def test_the_preview_in_arabic_is_right_to_left_with_row_numbers_left_to_right(staff, cohort):
    staff.post("/language", data={"locale": "ar"})
    token = token_of(upload(staff, cohort, sample("csv"), "forum.csv"))
    page = page_of(staff.get(f"/imports/{token}"))
    assert '<html lang="ar" dir="rtl">' in page
    assert '<bdi dir="ltr">5</bdi>' in page and '<bdi dir="ltr">P13</bdi>' in page
    assert "Traceback" not in page


def test_the_project_table_filters_by_action_and_pages_a_long_file(staff, cohort):
    token = token_of(upload(staff, cohort, sample("csv"), "forum.csv"))
    page = page_of(staff.get(f"/imports/{token}?action=rejected"))
    assert re.findall(r'data-project="(P\d+)"', page) == ["P13", "P31"]
    assert "Rejetés (<bdi dir=\"ltr\">2</bdi>)" in page and 'aria-current="page">Rejetés' in page
    assert staff.get(f"/imports/{token}?action=everything").status_code == 400

    rows = "".join(f"P{n:03d};Projet {n};Agriculture;Membre {n};F;Oui;01/03/2025\r\n" for n in range(1, 131))
    long_file = TINY_CSV.split(b"\r\n", 1)[0] + b"\r\n" + rows.encode()
    token = token_of(upload(staff, cohort, long_file, "long.csv"))
    first = page_of(staff.get(f"/imports/{token}"))
    assert len(re.findall(r'data-project="P\d+"', first)) == 100 and shown(first)["projects-created"] == 130
    second = page_of(staff.get(f"/imports/{token}?page=2"))
    assert re.findall(r'data-project="(P\d+)"', second)[:1] == ["P101"]
    assert len(re.findall(r'data-project="P\d+"', second)) == 30
    assert f'href="/imports/{token}?page=2#changes"' in first


# ---------------------------------------------------------------- confirm

def test_confirm_all_is_refused_when_the_file_has_errors(app, staff, cohort):
    token = token_of(upload(staff, cohort, sample("xlsx"), "forum.xlsx"))
    before_audit = audit_count()
    response = confirm(staff, token, "all")
    assert response.status_code == 302 and response.location.endswith(f"/imports/{token}")
    page = page_of(staff.get(response.location))
    assert "Rien n'a été enregistré." in page and 'class="alert alert-danger"' in page
    assert counts(cohort) == (0, 0) and audit_count() == before_audit
    assert f"{token}.xlsx" in stored(app) and f"{token}.claim" not in stored(app)  # may still be confirmed


@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_confirm_valid_imports_30_projects_and_71_members_then_offers_the_rejected_rows(app, staff, cohort, ext):
    token = token_of(upload(staff, cohort, sample(ext), f"forum.{ext}"))
    before_audit = audit_count()
    response = confirm(staff, token, "valid")
    assert response.status_code == 302 and response.location.endswith(f"/imports/{token}/result")
    assert counts(cohort) == (EXPECTED["valid_projects"], EXPECTED["valid_members"])
    assert audit_count() == before_audit + 1  # one event for the whole import
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (event.action, event.entity_id) == ("import", cohort.id)
    assert event.changes["sha256"] == hashlib.sha256(sample(ext)).hexdigest()
    codes = set(db.session.scalars(sa.select(Project.code).where(Project.cohort_id == cohort.id)))
    assert not codes & set(EXPECTED["rejected_projects"])

    page = page_of(staff.get(response.location))
    assert "Import terminé. Projets : 30 créés, 0 mis à jour, 0 inchangés, 2 rejetés." in page
    assert "Membres : 71 créés" in page
    assert shown(page)["projects-created"] == 30
    assert "9 lignes du fichier n'ont pas été importées." in page
    assert f'href="/imports/{token}/rejected.xlsx"' in page
    assert f"{token}.{ext}" in stored(app)  # kept for the rejected rows

    # Once the rejected rows are downloaded, the uploader may delete the file at once (personal data).
    assert 'id="delete-upload"' in page
    deleted = page_of(staff.post(f"/imports/{token}/cancel", follow_redirects=True))
    assert "les projets importés restent enregistrés" in deleted
    assert not [name for name in stored(app) if name.startswith(token)]
    assert counts(cohort) == (EXPECTED["valid_projects"], EXPECTED["valid_members"])


@pytest.mark.parametrize("when", ["before", "after"])
def test_the_rejected_rows_workbook_holds_exactly_the_rejected_rows(staff, cohort, when):
    token = token_of(upload(staff, cohort, sample("xlsx"), "forum.xlsx"))
    if when == "after":
        confirm(staff, token, "valid")
    response = staff.get(f"/imports/{token}/rejected.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and f"import-rejets-{dt.date.today().isoformat()}.xlsx" in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    table = [row for row in sheet.iter_rows(values_only=True) if any(v not in (None, "") for v in row)]
    headers = [str(h).strip() if h is not None else "" for h in table[0]]
    assert "Nom complet" in headers and "N° projet" in headers and len(headers) > 18  # plus the error column
    names = sorted(" ".join(str(r[headers.index("Nom complet")]).split()) for r in table[1:])
    assert names == sample_names(NOT_IMPORTED_ROWS)


def test_a_file_without_errors_is_imported_whole_and_its_stored_copy_removed(app, staff, cohort):
    token = token_of(upload(staff, cohort, TINY_CSV, "propre.csv"))
    page = page_of(staff.get(f"/imports/{token}"))
    assert 'id="confirm-all"' in page and "Aucune erreur dans le fichier." in page
    assert "Importer seulement les lignes et projets valides" not in page
    response = confirm(staff, token, "all", follow_redirects=True)
    page = page_of(response)
    assert "Projets : 1 créés" in page and "Membres : 2 créés" in page
    assert counts(cohort) == (1, 2)
    assert f"{token}.csv" not in stored(app) and "lignes rejetées" not in page
    assert staff.get(f"/imports/{token}/rejected.xlsx").status_code == 404


def test_reimporting_the_same_file_shows_everything_unchanged_and_creates_nothing(staff, cohort):
    confirm(staff, token_of(upload(staff, cohort, sample("csv"), "forum.csv")), "valid")
    assert counts(cohort) == (30, 71)
    before_ids = set(db.session.scalars(sa.select(Project.id).where(Project.cohort_id == cohort.id)))

    token = token_of(upload(staff, cohort, sample("xlsx"), "forum.xlsx"))  # the same rows, as XLSX
    page = page_of(staff.get(f"/imports/{token}"))
    assert shown(page)["projects-created"] == 0 and shown(page)["projects-unchanged"] == 30
    assert shown(page)["members-created"] == 0 and shown(page)["members-updated"] == 0
    confirm(staff, token, "valid")
    assert counts(cohort) == (30, 71)
    assert set(db.session.scalars(sa.select(Project.id).where(Project.cohort_id == cohort.id))) == before_ids


def test_a_changed_file_shows_exactly_the_change(staff, cohort):
    confirm(staff, token_of(upload(staff, cohort, TINY_CSV, "v1.csv")), "all")
    changed = TINY_CSV.replace(b"Atelier Test", b"Atelier Tests")  # a small edit: still the same project
    token = token_of(upload(staff, cohort, changed, "v2.csv"))
    page = page_of(staff.get(f"/imports/{token}"))
    assert shown(page)["projects-updated"] == 1 and 'data-project="P01" data-action="update"' in page
    assert "Atelier Tests" in page.split('id="changes"')[1]


def test_a_second_confirmation_imports_nothing_twice(app, staff, cohort):
    token = token_of(upload(staff, cohort, sample("csv"), "forum.csv"))
    confirm(staff, token, "valid")
    audit_after_first = audit_count()
    second = confirm(staff, token, "valid", follow_redirects=True)
    page = page_of(second)
    assert second.status_code == 200 and "Ce fichier a déjà été importé" in page
    assert counts(cohort) == (30, 71) and audit_count() == audit_after_first
    # The preview of an imported file leads to its result.
    assert staff.get(f"/imports/{token}").location.endswith(f"/imports/{token}/result")


def test_a_confirmation_racing_another_one_is_refused(staff, cohort):
    token = token_of(upload(staff, cohort, TINY_CSV, "course.csv"))
    assert storage.claim(storage.load(token))  # another request is importing this very file
    page = page_of(confirm(staff, token, "all", follow_redirects=True))
    assert "déjà en cours ou a été interrompu" in page
    assert counts(cohort) == (0, 0)
    assert "ne peut pas être confirmé une seconde fois" in page_of(staff.get(f"/imports/{token}"))


def test_a_confirmation_needs_the_form_token(app, staff, cohort):
    token = token_of(upload(staff, cohort, TINY_CSV, "csrf.csv"))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = staff.post(f"/imports/{token}/confirm", data={"mode": "all"})
        page = page_of(staff.get(f"/imports/{token}"))
        form = page.split(f'action="/imports/{token}/confirm"')[1].split("</form>")[0]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        accepted = staff.post(f"/imports/{token}/confirm", data={"mode": "all", "csrf_token": csrf})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400 and "Le formulaire a expiré" in page_of(refused)
    assert accepted.status_code == 302 and counts(cohort) == (1, 2)


def test_a_confirmation_without_a_mode_goes_back_to_the_preview(staff, cohort):
    token = token_of(upload(staff, cohort, TINY_CSV, "mode.csv"))
    response = staff.post(f"/imports/{token}/confirm", data={"mode": "everything"})
    assert response.status_code == 302 and response.location.endswith(f"/imports/{token}")
    assert counts(cohort) == (0, 0)


# ---------------------------------------------------------------- cancel, expiry

def test_cancel_deletes_the_stored_file(app, staff, cohort):
    token = token_of(upload(staff, cohort, sample("csv"), "forum.csv"))
    response = staff.post(f"/imports/{token}/cancel", follow_redirects=True)
    assert "Import annulé" in page_of(response)
    assert not [name for name in stored(app) if name.startswith(token)]
    assert staff.get(f"/imports/{token}").status_code == 404
    assert counts(cohort) == (0, 0)


def test_entries_older_than_a_day_are_gone_and_purged_at_the_next_upload(app, actors, staff, cohort):
    old = storage.save(TINY_CSV, "ancien.csv", "csv", actors.staff.id, cohort.id,
                       now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
    assert staff.get(f"/imports/{old.token}").status_code == 404
    old = storage.save(TINY_CSV, "ancien.csv", "csv", actors.staff.id, cohort.id,
                       now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
    stray = Path(app.config["UPLOAD_DIR"]) / "imports" / ".upload-crashed.part"
    stray.write_bytes(b"half")
    stale = dt.datetime.now().timestamp() - 25 * 3600
    os.utime(stray, (stale, stale))
    token_of(upload(staff, cohort, TINY_CSV, "neuf.csv"))
    assert not [name for name in stored(app) if name.startswith(old.token)]
    assert not stray.exists()


# ---------------------------------------------------------------- bad files

@pytest.mark.parametrize("content, name, message", [
    (b"", "vide.csv", "« vide.csv » est vide."),
    (b"%PDF-1.4 not a spreadsheet", "rapport.pdf", "« rapport.pdf » n'est pas un fichier XLSX ou CSV"),
    (b"N\xc2\xb0 projet;Nom du projet\r\n", "entete.csv", "ne contient que l'en-tête"),
    (b"PK\x03\x04" + b"\x00garbage" * 200, "casse.xlsx", "n'est pas un tableur lisible"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "ancien.xlsx", "Excel 97-2003"),
])
def test_bad_files_are_refused_with_a_clear_message_and_nothing_stored(app, staff, cohort, content, name, message):
    before = stored(app)
    response = upload(staff, cohort, content, name)
    page = page_of(response)
    assert response.status_code == 200 and message in page
    assert "Traceback" not in page and 'class="invalid-feedback d-block"' in page
    assert stored(app) == before and counts(cohort) == (0, 0)


def test_no_file_or_no_cohort_is_explained(staff, cohort):
    page = page_of(staff.post("/imports/", data={"cohort_id": str(cohort.id)}, content_type="multipart/form-data"))
    assert "Choisissez un fichier XLSX ou CSV." in page
    page = page_of(staff.post("/imports/", data={"cohort_id": "", "file": (io.BytesIO(TINY_CSV), "a.csv")},
                              content_type="multipart/form-data"))
    assert "Choisissez la cohorte qui recevra les projets." in page


def test_a_file_over_the_request_limit_gets_the_translated_413_page(app, staff, cohort):
    before = stored(app)
    previous = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = MIB
    try:
        response = upload(staff, cohort, TINY_CSV + b"P02;x;y;z;F;Oui;01/01/2025\r\n" * 60_000, "gros.csv")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = previous
    assert response.status_code == 413 and "Fichier trop volumineux" in page_of(response)
    assert stored(app) == before


# ---------------------------------------------------------------- who may see a token

def test_only_the_uploader_or_an_admin_sees_an_upload(actors, login_as, cohort):
    staff = login_as("staff")
    token = token_of(upload(staff, cohort, TINY_CSV, "a-moi.csv"))
    colleague = login_as(factories.UserFactory(role="staff"))
    for url in (f"/imports/{token}", f"/imports/{token}/rejected.xlsx"):
        assert colleague.get(url).status_code == 404
        assert login_as("manager").get(url).status_code == 404
        assert login_as("admin").get(url).status_code == 200
    assert colleague.post(f"/imports/{token}/confirm", data={"mode": "all"}).status_code == 404
    assert colleague.post(f"/imports/{token}/cancel").status_code == 404
    assert counts(cohort) == (0, 0) and staff.get(f"/imports/{token}").status_code == 200


@pytest.mark.parametrize("path", [
    "/imports/abc",
    "/imports/" + "A" * 32,
    "/imports/" + "g" * 32,
    "/imports/..%2F..%2Fconfig.py",
    "/imports/%2e%2e/result",
    "/imports/..%2Fimports/rejected.xlsx",
    "/imports/" + "0" * 32 + ".json",
    "/imports/" + "0" * 32 + "/rejected.xlsx",
])
def test_a_malformed_or_unknown_token_is_404(staff, path):
    response = staff.get(path)
    assert response.status_code == 404 and "Traceback" not in page_of(response)
