"""End-to-end fixtures: the real app on a live server, filled by `flask demo load`, driven by headless Chromium.

The server runs in a thread of the test process, on its own SQLite file, so it never shares the per-test
transaction of tests/conftest.py; the browser reaches it over HTTP like a user would.
"""

import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from config import DevelopmentConfig
from tracker import create_app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
DEMO_PASSWORD = "browser-demo-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    """No Chromium: a clear skip on a developer machine, a failure in CI (STRICT=1)."""
    if chromium_path() is None:
        message = (
            "Chromium not found (looked for $CHROMIUM_PATH, /usr/bin/chromium, chromium on PATH); "
            "install it with `apt-get install chromium` to run the browser tests"
        )
        if os.environ.get("STRICT") == "1":
            pytest.fail(message + " (STRICT=1: browser tests may not be skipped)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _db():
    """Replaces the rollback-per-test fixture of tests/conftest.py: these tests don't use the `app` fixture."""
    yield


def _flask(args: list[str], env: dict) -> None:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.fail(
            f"`flask {' '.join(args)}` exited {result.returncode}\n{result.stdout}\n{result.stderr}", pytrace=False
        )


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> str:
    """A fresh SQLite file built the way a user builds it: `flask db upgrade`, then `flask demo load`."""
    folder = tmp_path_factory.mktemp("browser-db")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MOWAKABA_ENV": "development",
        "UPLOAD_DIR": str(folder / "uploads"),
        "FLASK_DEBUG": "0",
    }
    env.pop("TEST_DATABASE_URL_ACTIVE", None)
    _flask(["db", "upgrade"], env)
    _flask(["demo", "load", "--password", DEMO_PASSWORD], env)
    return url


@pytest.fixture(scope="session")
def live_app(demo_database, tmp_path_factory):
    """The app the browser talks to. Its e-mails (invitations, resets) stay in memory: `mail_to()` reads them."""
    return create_app(
        DevelopmentConfig,
        {"SQLALCHEMY_DATABASE_URI": demo_database, "UPLOAD_DIR": str(tmp_path_factory.mktemp("browser-uploads")),
         "MAIL_BACKEND": "memory", "MAIL_FROM": "suivi@example.org", "JOBS_IN_PROCESS": "sync"},
    )


def mail_to(app, address: str, timeout: float = 10):
    """The latest e-mail the live app sent to `address` (waits for it a little)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in app.extensions.get("mail_outbox", []) if m["To"] == address]
        if found or time.monotonic() > deadline:
            assert found, f"no e-mail to {address}"
            return found[-1]
        time.sleep(0.1)


def link_in_mail(message, path: str = "/password/set/") -> str:
    """The path of the first link to `path` in the plain-text part (the browser opens it on the live server)."""
    import re
    from urllib.parse import urlsplit

    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"https?://\S+" + re.escape(path) + r"\S+", text)
    assert found, text
    return urlsplit(found.group(0)).path


def pick(page, select_id: str, text: str, group: str | None = None) -> None:
    """Chooses `text` (in `group`, the cohort, when given) in a server-searched picker (Tom Select): enter it,
    wait for the server's match, click it."""
    from playwright.sync_api import expect

    # The control box, not its typing box: Tom Select hides the latter while a choice is shown.
    page.locator(f".ts-wrapper:has(#{select_id}-ts-control) .ts-control").click()
    # The list opened on focus may already hold `text`: wait for the answer to the whole text all the same, or
    # the click would come before it, and the late answer open the list again over the next field.
    typed = quote(text, safe="-_.!~*'()")  # as encodeURIComponent writes it
    # Filled at once, not typed key by key: under load the first key could land before the typing box had the
    # focus (CI searched "oussef Lahlou"), and each key's search answered late.
    with page.expect_response(lambda response: "/pickers/" in response.url and f"q={typed}&" in response.url,
                              timeout=15000):
        page.locator(f"#{select_id}-ts-control").fill(text)
    option = page.locator(f"#{select_id}-ts-dropdown .option", has_text=text)
    if group:
        option = option.filter(has_text=group)
    expect(option.first).to_be_visible(timeout=15000)
    option.first.click()
    page.wait_for_load_state("networkidle")  # answers to the shorter texts typed on the way are in
    page.keyboard.press("Escape")
    # Leave the control, as a person moving on to the next field does.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    expect(page.locator(f"#{select_id}-ts-dropdown")).to_be_hidden()
    chosen = page.locator(f"#{select_id} option:checked", has_text=text)
    expect(chosen).not_to_have_count(0)


@pytest.fixture(scope="session")
def live_server(live_app):
    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright passes this to every browser context, so pages can goto('/login')."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A French browser: the login page follows Accept-Language until the user's profile decides.
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def holder_owes_a_report(demo_database):
    """holder@example.org has a report to fill, whichever browser tests ran before (`make_holder_owe_a_report`)."""
    make_holder_owe_a_report(demo_database)


def make_holder_owe_a_report(demo_database: str) -> None:
    """The journeys approve the demo holders' returned reports, and the tests that need a report to fill must not
    depend on running first: when nothing is due any more, the holder's latest approved report is returned to
    them again, as a reviewer would. Module fixtures call it directly."""
    engine = sa.create_engine(demo_database)
    try:
        with engine.begin() as conn:
            project_id = conn.execute(sa.text(
                "SELECT ph.project_id FROM project_holders ph JOIN users u ON u.id = ph.user_id "
                "WHERE u.email = 'holder@example.org' ORDER BY ph.project_id LIMIT 1")).scalar_one()
            due = conn.execute(sa.text(
                "SELECT count(*) FROM period_reports WHERE project_id = :p AND status IN ('draft', 'returned') "
                "AND period_end < :today"), {"p": project_id, "today": dt.date.today()}).scalar_one()
            if not due:
                conn.execute(sa.text(
                    "UPDATE period_reports SET status = 'returned', review_comment = 'Renvoyé pour le test' "
                    "WHERE id = (SELECT id FROM period_reports WHERE project_id = :p AND status = 'approved' "
                    "ORDER BY period_end DESC LIMIT 1)"), {"p": project_id})
    finally:
        engine.dispose()
