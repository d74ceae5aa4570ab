"""Issue 21 on the server side: manifest, service worker, what may be kept offline, and replays of
submissions queued offline (CSRF policy, one account only, exactly once)."""

import html
import io
import re
import uuid

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from PIL import Image

from tests.conftest import PASSWORD
from tests.periods.conftest import AFTER_T1, Indicators
from tracker.extensions import db
from tracker.offline.models import ReplayedSubmission
from tracker.periods.models import PeriodReport, ReportStatus


@pytest.fixture
def indicators(actors):
    return Indicators(actors.project)


def test_manifest_follows_the_language_and_points_at_the_holder_home(client):
    for lang, direction in (("fr", "ltr"), ("ar", "rtl"), ("en", "ltr")):
        response = client.get(f"/manifest.webmanifest?lang={lang}")
        assert response.status_code == 200
        assert response.mimetype == "application/manifest+json"
        manifest = response.get_json(force=True)
        assert (manifest["lang"], manifest["dir"]) == (lang, direction)
        assert manifest["start_url"] == "/" and manifest["scope"] == "/"
        assert manifest["display"] == "standalone" and manifest["theme_color"] == "#0b5d5b"
    assert client.get("/manifest.webmanifest?lang=xx").get_json(force=True)["lang"] == "fr"
    assert "بدون شبكة" in client.get("/manifest.webmanifest?lang=ar").get_json(force=True)["description"]


def test_manifest_icons_are_real_pngs_of_the_announced_size(client):
    for icon in client.get("/manifest.webmanifest").get_json(force=True)["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200
        image = Image.open(io.BytesIO(response.data))
        assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
        response.close()


def test_every_page_links_the_manifest_of_its_language(client):
    assert 'href="/manifest.webmanifest?lang=fr"' in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "ar"})
    assert 'href="/manifest.webmanifest?lang=ar"' in client.get("/login").get_data(as_text=True)


def test_service_worker_is_served_from_the_root_with_a_version(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    body = response.get_data(as_text=True)
    version = re.search(r'"version": "([0-9a-f]{16})"', body)
    assert version, body[:200]
    shell = re.search(r'"shell": (\[[^\]]*\])', body).group(1)
    for path in re.findall(r'"(/static/[^"]+)"', shell):  # the worker's install fails on one missing file
        assert client.get(path).status_code == 200, path


def test_holder_pages_may_be_kept_offline_and_nothing_else(app, actors, indicators, login_as):
    with freeze_time(AFTER_T1):
        holder, staff = login_as("holder"), login_as("staff")
        for path in ("/", f"/projects/{actors.project.id}", f"/milestones/projects/{actors.project.id}",
                     "/period-reports/due", f"/period-reports/projects/{actors.project.id}/2025-T1"):
            response = holder.get(path)
            assert response.status_code == 200, path
            assert response.headers["Cache-Control"] == "private, no-cache", path
            staff_page = staff.get(path)
            assert staff_page.status_code == 200, path
            assert staff_page.headers["Cache-Control"] == "no-store", path
        assert holder.get("/notifications/").headers["Cache-Control"] == "no-store"
        assert holder.get("/account/password").headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- replays

@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', page)
    return found.group(1)


def signed_in(app, user):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": _token(page)})
    assert response.status_code == 302
    return client


def opened_form(client, project):
    """The form as the phone saved it: its fields, with the CSRF token and version it was opened with."""
    page = client.get(f"/period-reports/projects/{project.id}/2025-T1").get_data(as_text=True)
    offline_token = html.unescape(re.search(r'data-offline-token="([^"]+)"', page).group(1))
    return {"csrf_token": _token(page), "version": "", "highlights": "Rempli sans réseau.", "action": "submit"}, \
        offline_token


def submissions(project):
    return db.session.scalars(sa.select(PeriodReport).where(PeriodReport.project_id == project.id)).all()


@pytest.fixture
def queued(app, actors, indicators, csrf_on):
    """A form opened in a session that has ended since (idle timeout): a new session, a new CSRF secret."""
    db.session.commit()
    with freeze_time(AFTER_T1):
        fields, offline_token = opened_form(signed_in(app, actors.holder), actors.project)
        yield fields, offline_token


def test_a_stale_csrf_token_alone_is_refused(app, actors, queued):
    fields, _ = queued
    with freeze_time(AFTER_T1):
        response = signed_in(app, actors.holder).post(f"/period-reports/projects/{actors.project.id}/2025-T1",
                                                      data=fields)
    assert response.status_code == 400
    assert submissions(actors.project) == []


def test_a_replay_with_its_offline_token_is_accepted_exactly_once(app, actors, queued):
    fields, offline_token = queued
    key = str(uuid.uuid4())
    replay = {**fields, "_offline_token": offline_token, "_idempotency_key": key}
    url = f"/period-reports/projects/{actors.project.id}/2025-T1"
    with freeze_time(AFTER_T1):
        client = signed_in(app, actors.holder)  # the holder signed in again, then the phone sent the queue
        first = client.post(url, data=replay)
        assert first.status_code == 302
        [report] = submissions(actors.project)
        assert report.status == ReportStatus.SUBMITTED and report.highlights == "Rempli sans réseau."
        before = (report.version, report.submitted_at)
        again = client.post(url, data=replay, follow_redirects=True)  # the service worker sent it too
    assert "Cet envoi avait déjà été reçu" in html.unescape(again.get_data(as_text=True))
    db.session.expire_all()
    [report] = submissions(actors.project)
    assert (report.version, report.submitted_at) == before
    assert db.session.get(ReplayedSubmission, key).user_id == actors.holder.id


def test_a_replay_for_another_account_is_refused(app, actors, queued):
    """Staff may fill this report themselves, and carry a valid CSRF token of their own: a holder's queued
    submission sent from their session is still refused."""
    fields, offline_token = queued
    url = f"/period-reports/projects/{actors.project.id}/2025-T1"
    with freeze_time(AFTER_T1):
        staff = signed_in(app, actors.staff)
        own_token = _token(staff.get(url).get_data(as_text=True))
        replay = {**fields, "_offline_token": offline_token, "_idempotency_key": str(uuid.uuid4())}
        with_own_token = staff.post(url, data={**replay, "csrf_token": own_token})
        with_stale_token = staff.post(url, data=replay)
    assert with_own_token.status_code == 403
    assert with_stale_token.status_code == 400
    assert submissions(actors.project) == []


def test_a_replay_made_for_another_form_is_refused(app, actors, queued):
    fields, offline_token = queued
    with freeze_time(AFTER_T1):
        response = signed_in(app, actors.holder).post(
            f"/period-reports/projects/{actors.project.id}/2025-T2",
            data={**fields, "_offline_token": offline_token, "_idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 400


def test_logout_ends_the_offline_tokens_and_clears_the_browser(app, actors, queued):
    fields, offline_token = queued
    with freeze_time(AFTER_T1):
        client = signed_in(app, actors.holder)
        page = client.get("/").get_data(as_text=True)
        out = client.post("/logout", data={"csrf_token": _token(page)})
        assert out.headers["Clear-Site-Data"] == '"cache", "storage"'
        response = signed_in(app, actors.holder).post(
            f"/period-reports/projects/{actors.project.id}/2025-T1",
            data={**fields, "_offline_token": offline_token, "_idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 400  # the logout rotated the session token the offline token was made with
    assert submissions(actors.project) == []


def test_a_malformed_idempotency_key_is_refused(actors, indicators, login_as):
    with freeze_time(AFTER_T1):
        response = login_as("holder").post(f"/period-reports/projects/{actors.project.id}/2025-T1",
                                           data={"version": "", "action": "save", "_idempotency_key": "x" * 40})
    assert response.status_code == 400


def test_a_changed_shell_file_or_worker_makes_a_new_worker_version(app, tmp_path):
    """A release that changes the worker or any shell file installs a new worker, which drops the old caches."""
    import shutil

    from tracker.offline import views

    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static, ignore=shutil.ignore_patterns("chartjs", "tom-select", "noto-naskh*"))
    previous = app.static_folder
    app.static_folder = str(static)
    try:
        with app.test_request_context():
            first = views._worker_source(str(static))[0]
            (static / "css" / "app.css").write_text("/* changed */", encoding="utf-8")
            views._worker_source.cache_clear()
            second = views._worker_source(str(static))[0]
            (static / "sw.js").write_text("/* new worker */", encoding="utf-8")
            views._worker_source.cache_clear()
            third = views._worker_source(str(static))[0]
    finally:
        app.static_folder = previous
        views._worker_source.cache_clear()
    assert len({first, second, third}) == 3
