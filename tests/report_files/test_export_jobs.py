"""Issue 20: whole-programme XLSX/PDF files are built by a background job, kept 24 h for the one who asked.

In the suite jobs run at once (JOBS_IN_PROCESS=sync); three tests start a real `rq worker` on Redis, as in
production: after the job has waited in the queue with no worker running, and while a worker runs it and is
killed with SIGKILL (the job is run again by the next worker, or reported failed when no retry is left).
"""

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from tests.conftest import login
from tests.factories import UserFactory
from tests.redis_jobs import REDIS_URL
from tracker.core import jobs
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.reports import export_jobs

ROOT = Path(__file__).resolve().parents[2]


def _token(response) -> str:
    assert response.status_code == 302, response.status_code
    assert "/reports/exports/" in response.location
    return response.location.rstrip("/").rsplit("/", 1)[-1]


def _exports(user) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "report.export", AuditEvent.user_id == user.id))


def test_whole_programme_xlsx_is_a_job_then_a_download_for_its_owner_only(app, actors, login_as):
    client = login_as("manager")
    token = _token(client.get("/reports/cohort.xlsx"))
    page = client.get(f"/reports/exports/{token}")
    assert page.status_code == 200 and 'data-export-status="ready"' in page.get_data(as_text=True)
    assert "Refresh" not in page.headers
    before = _exports(actors.manager)
    response = client.get(f"/reports/exports/{token}/file")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "mowakaba-programme-" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(workbook.sheetnames) > 5
    assert _exports(actors.manager) == before + 1  # audited when downloaded
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.user_id == actors.manager.id)
                               .order_by(AuditEvent.id.desc())).first()
    assert event.changes["format"] == "xlsx" and event.changes["personal_data"] is True
    other = login(app.test_client(), UserFactory(role="manager"))
    assert other.get(f"/reports/exports/{token}").status_code == 404
    assert other.get(f"/reports/exports/{token}/file").status_code == 404
    assert login_as("admin").get(f"/reports/exports/{token}/file").status_code == 404
    assert login_as("staff").get(f"/reports/exports/{token}/file").status_code == 403


def test_a_chosen_small_cohort_is_still_downloaded_at_once(actors, login_as):
    response = login_as("manager").get(f"/reports/cohort.xlsx?cohort={actors.cohort.id}")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_a_cohort_above_the_threshold_is_a_job(app, actors, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_JOB_MIN_PROJECTS", 1)
    token = _token(login_as("manager").get(f"/reports/cohort.pdf?cohort={actors.cohort.id}"))
    record = export_jobs.get_export(token, actors.manager.id)
    assert record["status"] == export_jobs.READY and record["download_name"].endswith(".pdf")


def test_whole_programme_annex_is_refused_without_starting_a_job(login_as):
    client = login_as("manager")
    before = set(export_jobs._folder().glob("*.json"))
    assert client.get("/reports/cohort.pdf?annex=1").status_code == 400
    assert set(export_jobs._folder().glob("*.json")) == before


def test_files_expire_after_24_hours(app, actors, login_as):
    client = login_as("manager")
    token = _token(client.get("/reports/cohort.xlsx"))
    record = export_jobs._read(token)
    path = export_jobs.file_path(record)
    assert path.exists()
    record["created_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)).isoformat()
    export_jobs._save(record)
    assert client.get(f"/reports/exports/{token}/file").status_code == 404
    assert not path.exists() and export_jobs._read(token) is None
    other = export_jobs._read(_token(client.get("/reports/cohort.xlsx")))
    other["created_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)).isoformat()
    export_jobs._save(other)
    assert export_jobs.purge_expired() >= 1 and not export_jobs.file_path(other).exists()


def test_a_failing_build_is_reported_failed_with_a_way_to_start_again(actors, login_as, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("tracker.reports.downloads.build_file", broken)
    client = login_as("manager")
    token = _token(client.get("/reports/cohort.xlsx"))
    page = client.get(f"/reports/exports/{token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-export-status="failed"' in text
    assert "/reports/cohort.xlsx" in text  # start again with the same filters
    assert client.get(f"/reports/exports/{token}/file").status_code == 404


def test_a_job_lost_by_the_queue_is_reported_failed(actors, login_as, redis_queue):
    client = login_as("manager")
    token = _token(client.get("/reports/cohort.xlsx"))
    record = export_jobs._read(token)
    assert record["status"] == export_jobs.QUEUED and record["job_id"]
    page = client.get(f"/reports/exports/{token}")
    assert 'data-export-status="queued"' in page.get_data(as_text=True) and page.headers["Refresh"] == "3"
    redis_queue.empty()  # the job vanishes (Redis flushed, a worker killed without a trace)
    redis_queue.connection.delete(f"rq:job:{record['job_id']}")
    assert 'data-export-status="failed"' in client.get(f"/reports/exports/{token}").get_data(as_text=True)


def test_a_real_worker_builds_the_file_after_a_restart(app, actors, login_as, redis_queue):
    """The job waits in Redis while no worker runs; a worker started afterwards builds it, and the web app
    (another process) serves the file from the shared UPLOAD_DIR."""
    client = login_as("manager")
    token = _token(client.get("/reports/cohort.xlsx"))
    assert redis_queue.count == 1 and export_jobs._read(token)["status"] == export_jobs.QUEUED
    env = {**os.environ, "MOWAKABA_ENV": "development", "REDIS_URL": REDIS_URL, "PYTHONPATH": str(ROOT),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "UPLOAD_DIR": app.config["UPLOAD_DIR"]}
    env.pop("TEST_DATABASE_URL_ACTIVE", None)
    rq = Path(sys.executable).with_name("rq")
    result = subprocess.run([str(rq), "worker", "--burst", "--url", REDIS_URL, redis_queue.name], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    page = client.get(f"/reports/exports/{token}")
    assert 'data-export-status="ready"' in page.get_data(as_text=True), result.stderr[-3000:]
    response = client.get(f"/reports/exports/{token}/file")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds:g} s for {what}"
        time.sleep(0.2)


def _expire(connection, key: str) -> None:
    """Moves every entry of an RQ sorted set (started jobs' heartbeats, scheduled retries) to the past: the
    minutes RQ waits before calling a job abandoned, or before a retry, pass at once."""
    connection.zadd(key, {member: time.time() - 1 for member in connection.zrange(key, 0, -1)})


def _kill_worker_mid_build(app, client, queue, tmp_path) -> str:
    """Starts a real worker whose build sleeps, waits until it runs the whole-programme XLSX job, then kills the
    worker and its work horse with SIGKILL (no chance to report anything); returns the export's token."""
    token = _token(client.get("/reports/cohort.xlsx"))
    pidfile = tmp_path / "horse.pid"
    env = {**os.environ, "MOWAKABA_ENV": "development", "REDIS_URL": REDIS_URL, "PYTHONPATH": str(ROOT),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "UPLOAD_DIR": app.config["UPLOAD_DIR"],
           "SLOW_BUILD_PIDFILE": str(pidfile), "SLOW_BUILD_SECONDS": "300"}
    env.pop("TEST_DATABASE_URL_ACTIVE", None)
    worker = subprocess.Popen([sys.executable, "-m", "tests.report_files.slow_worker", "worker", "--url", REDIS_URL,
                               queue.name], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: pidfile.exists() and pidfile.read_text()
                  and export_jobs._read(token)["status"] == export_jobs.RUNNING, 120, "the worker to start the job")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        if pidfile.exists() and pidfile.read_text():
            try:
                os.kill(int(pidfile.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                pass
    return token


def _status(client, token: str) -> str:
    page = client.get(f"/reports/exports/{token}").get_data(as_text=True)
    return page.split('data-export-status="', 1)[1].split('"', 1)[0]


def test_a_job_whose_worker_is_killed_is_run_again_by_the_next_worker(app, actors, login_as, redis_queue, tmp_path):
    client = login_as("manager")
    token = _kill_worker_mid_build(app, client, redis_queue, tmp_path)
    assert _status(client, token) == "running"  # for RQ the worker may still be alive until its heartbeat expires
    _expire(redis_queue.connection, StartedJobRegistry(queue=redis_queue).key)
    assert _status(client, token) == "queued"  # abandoned, queued again (retries left), not lost
    job = Job.fetch(export_jobs._read(token)["job_id"], connection=redis_queue.connection)
    assert job.get_status() == JobStatus.SCHEDULED and job.retries_left == len(jobs.RETRY_INTERVALS) - 1
    _expire(redis_queue.connection, ScheduledJobRegistry(queue=redis_queue).key)
    env = {**os.environ, "MOWAKABA_ENV": "development", "REDIS_URL": REDIS_URL, "PYTHONPATH": str(ROOT),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "UPLOAD_DIR": app.config["UPLOAD_DIR"]}
    env.pop("TEST_DATABASE_URL_ACTIVE", None)
    rq = Path(sys.executable).with_name("rq")
    result = subprocess.run([str(rq), "worker", "--burst", "--with-scheduler", "--url", REDIS_URL, redis_queue.name],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert _status(client, token) == "ready", result.stderr[-3000:]
    response = client.get(f"/reports/exports/{token}/file")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_a_job_killed_with_no_retry_left_is_reported_failed(app, actors, login_as, redis_queue, tmp_path):
    client = login_as("manager")
    token = _kill_worker_mid_build(app, client, redis_queue, tmp_path)
    job = Job.fetch(export_jobs._read(token)["job_id"], connection=redis_queue.connection)
    job.retries_left = 0  # as after the last of its retries
    job.save()
    _expire(redis_queue.connection, StartedJobRegistry(queue=redis_queue).key)
    page = client.get(f"/reports/exports/{token}").get_data(as_text=True)
    assert 'data-export-status="failed"' in page and "/reports/cohort.xlsx" in page  # a way to start again
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert client.get(f"/reports/exports/{token}/file").status_code == 404
