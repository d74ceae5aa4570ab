"""Two app servers on one database (DESIGN §10, issue 9): two gunicorn instances (ports 8001 and 8002) share
the database and UPLOAD_DIR. The same milestone is opened through both with the same version; the save through
the first succeeds, the save through the second is refused as a conflict (optimistic locking holds across
instances), and an evidence file uploaded through the first is downloaded, byte for byte, through the second.
With Redis on 127.0.0.1:6379 (issue 20) both instances and an `rq worker` share a queue: the whole-programme
XLSX asked through the first instance answers at once (under 5 s), the worker builds it, and the file is
downloaded through the second. Exits 1 when any of this fails. (Login throttling shared through REDIS_URL is
documented in the README.)

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mowakaba_scale \\
        .venv/bin/python -m bench.two_instances --password scale-password-1
    .venv/bin/python -m bench.two_instances --smoke          # SQLite file shared by both instances
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from bench import common
from tracker.demo import scale
from tracker.extensions import db
from tracker.milestones.models import Attachment, Milestone

MANAGER = f"scale.manager1@{scale.EMAIL_DOMAIN}"
REDIS_URL = "redis://127.0.0.1:6379/7"  # the tests' Redis database; each run has a queue of its own


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # no Redis here: the job part is skipped and said so
        return False


def _worker(url: str, uploads: str, queue: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "MOWAKABA_ENV": "development", "UPLOAD_DIR": uploads,
           "REDIS_URL": REDIS_URL, "JOBS_QUEUE": queue}
    rq = Path(sys.executable).with_name("rq")
    return subprocess.Popen([str(rq), "worker", "--url", REDIS_URL, "--quiet", queue], env=env,
                            cwd=Path(__file__).resolve().parent.parent)


def _export_across(a: common.Client, b: common.Client) -> list[tuple[str, bool]]:
    """The whole-programme XLSX asked through A, built by the worker, downloaded through B."""
    import urllib.request

    start = time.perf_counter()
    request = urllib.request.Request(a.base + "/reports/cohort.xlsx")
    status, location = 0, ""
    try:
        a.opener.open(request, timeout=60)
    except Exception as error:  # the 302 is not followed (Client's opener), it arrives as an HTTPError
        status, location = getattr(error, "code", 0), getattr(error, "headers", {}).get("Location", "")
    asked = time.perf_counter() - start
    token = location.rstrip("/").rsplit("/", 1)[-1]
    ready = False
    built_from = time.perf_counter()
    deadline = time.monotonic() + 300
    while token and time.monotonic() < deadline:
        page = b.get(f"/reports/exports/{token}")[1]
        if 'data-export-status="ready"' in page or 'data-export-status="failed"' in page:
            ready = 'data-export-status="ready"' in page
            break
        time.sleep(1)
    built = time.perf_counter() - built_from
    download = _raw(b, f"/reports/exports/{token}/file") if ready else (0, b"")
    return [(f"whole-programme XLSX asked through A answered at once ({asked:.2f} s, under 5 s)",
             status == 302 and asked < 5),
            (f"the rq worker built it, the page through B offers it (after {built:.0f} s, polled each second)",
             ready),
            (f"the file downloaded through B ({len(download[1]) / 1e6:.1f} MB)",
             download[0] == 200 and download[1][:2] == b"PK")]


def _multipart(fields: dict[str, str], name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _raw(client: common.Client, path: str, data: bytes | None = None, content_type: str | None = None):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(client.base + path, data=data, method="POST" if data else "GET")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with client.opener.open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny SQLite set, nothing recorded")
    parser.add_argument("--fraction", type=float, default=0.05, help="size of the set to create when missing")
    parser.add_argument("--password", default=common.PASSWORD)
    parser.add_argument("--ports", type=int, nargs=2, default=(8001, 8002))
    args = parser.parse_args(argv)
    fraction = common.SMOKE_FRACTION if args.smoke else args.fraction
    url = common.database_url(args.smoke, fraction)
    app = common.make_app(url)
    common.ensure_scale(app, fraction, args.password)
    with app.app_context():
        milestone_id = db.session.scalar(sa.select(sa.func.min(Milestone.id)))
        title_before = db.session.get(Milestone, milestone_id).title.split(" [")[0]
    uploads = tempfile.mkdtemp(prefix="mowakaba-shared-uploads-")
    jobs_env = {}
    worker = None
    if _redis_up():
        jobs_env = {"REDIS_URL": REDIS_URL, "JOBS_QUEUE": f"mowakaba-bench-{uuid.uuid4().hex[:8]}"}
        worker = _worker(url, uploads, jobs_env["JOBS_QUEUE"])
    servers = [common.start_gunicorn(url, port, workers=1, UPLOAD_DIR=uploads, **jobs_env) for port in args.ports]
    checks: list[tuple[str, bool]] = []
    try:
        a, b = (common.Client(f"http://127.0.0.1:{port}").login(MANAGER, args.password) for port in args.ports)
        edit = f"/milestones/{milestone_id}/edit"
        form_a, form_b = (common.FormParser(client.get(edit)[1], "version").fields for client in (a, b))
        checks.append(("both instances show the same version", form_a["version"] == form_b["version"]))
        tag = uuid.uuid4().hex[:6]
        form_a["title"], form_b["title"] = f"{title_before} [A {tag}]", f"{title_before} [B {tag}]"
        status_a = a.post(edit, form_a)[0]
        status_b, body_b, _ = b.post(edit, form_b)
        with app.app_context():
            stored = db.session.get(Milestone, milestone_id)
            checks.append(("save through instance A accepted (302)", status_a == 302))
            checks.append(("stale save through instance B refused (form shown again, 200)", status_b == 200))
            checks.append(("the stored title is A's", stored.title == form_a["title"]))
            checks.append(("the version moved by one", stored.version == int(form_a["version"]) + 1))
        page = a.get(f"/milestones/{milestone_id}")[1]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page)
        content = b"%PDF-1.4\n% fictional evidence " + tag.encode() + b"\n%%EOF\n"
        body, kind = _multipart({"csrf_token": token.group(1) if token else ""}, "files", f"preuve-{tag}.pdf",
                                content)
        upload_status = _raw(a, f"/milestones/{milestone_id}/evidence", body, kind)[0]
        with app.app_context():
            attachment_id = db.session.scalar(sa.select(sa.func.max(Attachment.id))
                                              .where(Attachment.milestone_id == milestone_id))
        download_status, downloaded = _raw(b, f"/milestones/evidence/{attachment_id}") if attachment_id else (0, b"")
        checks.append(("evidence uploaded through A", upload_status == 302 and attachment_id is not None))
        checks.append(("the same bytes downloaded through B (shared UPLOAD_DIR)",
                       download_status == 200 and downloaded == content))
        if worker is not None:
            checks += _export_across(a, b)
    finally:
        for server in servers:
            common.stop(server)
        if worker is not None:
            common.stop(worker)
    lines = [f"instances on ports {args.ports[0]} and {args.ports[1]}, one database, UPLOAD_DIR {uploads}; "
             + (f"an rq worker on queue {jobs_env['JOBS_QUEUE']}" if worker else "no Redis: no worker, no job check"),
             "",
             "| check | result |", "| --- | --- |"]
    lines += [f"| {label} | {'ok' if ok else 'FAILED'} |" for label, ok in checks]
    common.record("Two app servers (bench/two_instances.py)", app, lines, args.smoke)
    return 0 if all(ok for _label, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
