"""Response headers on every page, no inline code for the CSP to block, no off-site `next` (issue 8, point 3)."""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import url_for

from tests.conftest import PASSWORD
from tests.core.test_permission_matrix import CASES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
ALWAYS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_security_headers(response, private=True):
    for name, value in ALWAYS.items():
        if name == "Content-Security-Policy" and response.mimetype != "text/html":
            # Downloads may set a stricter policy of their own (evidence files: sandboxed, nothing loads).
            assert response.headers[name] in (value, "default-src 'none'; sandbox"), name
        else:
            assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain http in tests
    if private:
        assert response.headers["Cache-Control"] == "no-store"
        assert "Expires" not in response.headers


GET_CASES = [case for case in CASES if case[2] == "GET" and case[4]["admin"] == 200]


def test_the_matrix_has_html_routes_to_check():
    assert len(GET_CASES) > 50


@pytest.mark.parametrize("endpoint, variant, method, build, expected", GET_CASES,
                         ids=[f"{c[0]}{'-' + c[1] if c[1] else ''}" for c in GET_CASES])
def test_every_get_route_sends_the_security_headers(app, actors, login_as, endpoint, variant, method, build,
                                                    expected):
    client = login_as("admin")
    with app.test_request_context():
        url = build(actors)
    response = client.get(url)
    assert response.status_code == 200, url
    assert_security_headers(response)  # pages and downloads alike: personal data stays out of caches


def test_home_of_each_side_sends_the_headers(login_as):
    assert_security_headers(login_as("staff").get("/"))
    # A holder's own pages may be kept for offline use (issue 21, tracker/offline/caching.py).
    holder_home = login_as("holder").get("/")
    assert_security_headers(holder_home, private=False)
    assert holder_home.headers["Cache-Control"] == "private, no-cache"


def test_anonymous_pages_and_error_pages_send_the_headers(client):
    login_page = client.get("/login")
    assert login_page.status_code == 200
    assert_security_headers(login_page)  # carries a CSRF token: not cached either
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert_security_headers(missing)
    health = client.get("/health")
    assert_security_headers(health, private=False)


def test_static_files_stay_cacheable(client, login_as):
    for who in (client, login_as("staff")):
        response = who.get("/static/css/app.css")
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def test_templates_have_no_inline_code_the_policy_would_block():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "pdf" in path.relative_to(TEMPLATES).parts:  # rendered by WeasyPrint, never by a browser
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER, JS_URL):
            offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


OFF_SITE = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "///evil.example",
    "https:evil.example",
    "data:text/html,hello",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_after_login_never_leads_off_site(client, actors, target):
    response = client.post(f"/login?next={quote(target, safe='')}",
                           data={"email": actors.staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize("target", OFF_SITE[:4])
def test_next_after_a_holder_login_never_leads_off_site(client, actors, target):
    response = client.post(f"/login?next={quote(target, safe='')}",
                           data={"email": actors.holder.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location in ("/", "/#reports-due")


@pytest.mark.parametrize("target", OFF_SITE[:4])
def test_language_switch_never_leads_off_site(client, target):
    response = client.post("/language", data={"locale": "ar", "next": target})
    assert response.location == "/"


def test_next_keeps_same_site_paths(app, client, actors):
    with app.test_request_context():
        target = url_for("projects.view_project", project_id=actors.project.id)
    response = client.post(f"/login?next={quote(target, safe='')}",
                           data={"email": actors.staff.email, "password": PASSWORD})
    assert response.location == target
