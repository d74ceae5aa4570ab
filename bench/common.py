"""Shared by the benchmark scripts: the app on the benchmark database, the scale data set, the machine
description and the append-only `bench/RESULTS.md`."""

import datetime as dt
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from config import DevelopmentConfig, _normalise_db_url
from tracker import create_app
from tracker.demo import scale
from tracker.extensions import db

RESULTS = Path(__file__).with_name("RESULTS.md")
PASSWORD = "bench-password-123"
SMOKE_FRACTION = 0.001


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU ({cpu}), {platform.system()} {platform.release()}, Python {platform.python_version()}"


def database_url(smoke: bool, fraction: float) -> str:
    """DATABASE_URL when set (used as is, scale set loaded if missing), else a SQLite file in a temp dir."""
    url = os.environ.get("DATABASE_URL")
    if url and not smoke:
        return _normalise_db_url(url)
    name = "smoke" if smoke else f"scale-{fraction}"
    return f"sqlite:///{Path(tempfile.gettempdir()) / f'mowakaba-bench-{name}-{os.getpid()}.sqlite'}"


def make_app(url: str, **overrides):
    return create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, **overrides})


def ensure_scale(app, fraction: float, password: str = PASSWORD) -> float | None:
    """Migrate and load the scale set unless it is there; returns the load time in seconds (None: loaded)."""
    with app.app_context():
        upgrade()
        if scale.scale_exists():
            return None
        start = time.perf_counter()
        scale.load_scale(password, fraction)
        db.session.commit()
        elapsed = time.perf_counter() - start
    vacuum(app)
    return elapsed


def vacuum(app) -> None:
    """PostgreSQL: the state autovacuum leaves a loaded table in (visibility map set, statistics fresh), which a
    production server reaches within minutes; without it, counts read every row instead of an index (this server
    runs with autovacuum off). Outside the load's timing."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM (ANALYZE)"))


def backend(app) -> str:
    with app.app_context():
        name = db.engine.dialect.name
        if name == "postgresql":
            version = db.session.scalar(sa.text("SHOW server_version"))
            return f"PostgreSQL {version}"
        return f"SQLite {db.session.scalar(sa.text('select sqlite_version()'))}"


def scale_size(app) -> str:
    with app.app_context():
        counts = {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
                  for t in ("cohorts", "projects", "members", "mentoring_sessions", "indicator_values")}
    return ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items())


def record(title: str, app, lines: list[str], smoke: bool) -> None:
    """Print the figures; append them to RESULTS.md (not in smoke runs, which only prove the script works)."""
    header = [f"### {title} — {dt.datetime.now():%Y-%m-%d %H:%M}", "",
              f"- machine: {machine()}", f"- backend: {backend(app)}", f"- data: {scale_size(app)}", ""]
    text = "\n".join(header + lines) + "\n"
    print(text)
    if smoke:
        return
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by the scripts of `bench/`; the newest run is last.\n\n")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(text + "\n")


# ---------------------------------------------------------------- gunicorn and a tiny HTTP client (stdlib only)

def start_gunicorn(url: str, port: int, workers: int = 2, app: str = "wsgi:app", **env: str) -> "subprocess.Popen":
    """gunicorn serving `app` (wsgi:app, or bench.floor:app for the floor pages) on 127.0.0.1:port against
    `url`; returns once /health answers."""
    import sys
    import urllib.request

    environment = {**os.environ, "DATABASE_URL": url, "MOWAKABA_ENV": "development", **env}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        env=environment, cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn on port {port} exited with {process.returncode}") from None
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"gunicorn on port {port} did not answer /health within 60 s")


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


class FormParser:
    """The fields of the <form method=post> of a page holding `wanted` (else the first one), as a browser
    would submit them."""

    def __init__(self, html: str, wanted: str | None = None) -> None:
        from html.parser import HTMLParser

        forms: list[dict[str, str]] = []
        state = {"select": None, "textarea": None, "form": None}

        class _P(HTMLParser):
            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "form" and (a.get("method") or "").lower() == "post":
                    state["form"] = {}
                    forms.append(state["form"])
                fields = state["form"]
                name = a.get("name")
                if fields is None or not name and tag != "option":
                    return
                if tag == "input":
                    kind = (a.get("type") or "text").lower()
                    if kind in ("radio", "checkbox"):
                        if "checked" in a:
                            fields[name] = a.get("value") or "on"
                    elif kind not in ("submit", "button", "file"):
                        fields[name] = a.get("value") or ""
                elif tag == "select":
                    state["select"] = name
                    fields.setdefault(name, "")
                elif tag == "option" and state["select"] and "selected" in a:
                    fields[state["select"]] = a.get("value") or ""
                elif tag == "textarea":
                    state["textarea"] = name
                    fields[name] = ""

            def handle_endtag(self, tag):
                if tag == "select":
                    state["select"] = None
                elif tag == "textarea":
                    state["textarea"] = None
                elif tag == "form":
                    state["form"] = None

            def handle_data(self, data):
                if state["textarea"] and state["form"] is not None:
                    state["form"][state["textarea"]] += data

        _P().feed(html)
        chosen = [f for f in forms if wanted is None or wanted in f]
        self.fields = dict(chosen[0]) if chosen else {}


class Client:
    """One signed-in browser: keeps the session cookie; `get`/`post` return (status, body, seconds)."""

    def __init__(self, base: str) -> None:
        import http.cookiejar
        import urllib.request

        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def _open(self, request) -> tuple[int, str, float]:
        import urllib.error

        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                body = response.read().decode("utf-8", "replace")
                status = response.status
        except urllib.error.HTTPError as error:
            body, status = error.read().decode("utf-8", "replace"), error.code
        return status, body, time.perf_counter() - start

    def get(self, path: str) -> tuple[int, str, float]:
        import urllib.request

        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, float]:
        import urllib.parse
        import urllib.request

        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base + path, data=data, method="POST"))

    def login(self, email: str, password: str) -> "Client":
        status, body, _ = self.get("/login")
        fields = FormParser(body, "password").fields
        fields.update(email=email, password=password)
        status, body, _ = self.post("/login", fields)
        if status != 302:
            raise RuntimeError(f"login of {email} refused ({status}); is the password right? {body[:200]}")
        return self
