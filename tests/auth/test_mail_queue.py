"""E-mail goes through the job queue (issue 17): RQ and an `rq worker` with Redis, this process without."""

import os
import subprocess
import sys
from pathlib import Path

from tests.mailsink import link_in
from tests.redis_jobs import REDIS_URL
from tracker.core import jobs

ROOT = Path(__file__).resolve().parents[2]




def _worker(queue_name: str, smtp_port: int) -> subprocess.CompletedProcess:
    """`rq worker --burst`: a separate process with the app's settings from the environment, as in production."""
    env = {**os.environ, "MOWAKABA_ENV": "development", "DATABASE_URL": "sqlite:////tmp/mowakaba-worker-unused.sqlite",
           "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
           "MAIL_FROM": "suivi@example.org", "REDIS_URL": REDIS_URL, "PYTHONPATH": str(ROOT)}
    env.pop("TEST_DATABASE_URL_ACTIVE", None)
    rq = Path(sys.executable).with_name("rq")
    return subprocess.run([str(rq), "worker", "--burst", "--url", REDIS_URL, queue_name], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_with_redis_a_worker_sends_the_mail(app, actors, login_as, sink, redis_queue):
    response = login_as("admin").post("/admin/users/new", data={
        "email": "par.la.file@example.org", "display_name": "File", "role": "holder", "locale": "fr",
        "project_ids": [str(actors.project.id)]})
    assert response.status_code == 302
    assert redis_queue.count == 1 and sink.messages == []  # queued, not sent by the web request
    port = int(app.config["MAIL_PORT"])
    result = _worker(redis_queue.name, port)
    assert result.returncode == 0, result.stdout + result.stderr
    [message] = sink.wait_for(1)
    assert message["To"] == "par.la.file@example.org"
    assert "/password/set/" in link_in(message)
    assert redis_queue.count == 0


def test_without_redis_the_mail_is_sent_in_process(app, actors, sink):
    assert app.config["REDIS_URL"] is None
    response = app.test_client().post("/password/forgot", data={"email": actors.staff.email})
    assert response.status_code == 200
    assert [m["To"] for m in sink.wait_for(1)] == [actors.staff.email]


def test_in_process_the_page_does_not_wait_for_a_slow_mail_server(app, actors, sink, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_IN_PROCESS", "thread")
    sink.gate.clear()  # the mail server takes its time
    try:
        response = app.test_client().post("/password/forgot", data={"email": actors.staff.email})
        assert response.status_code == 200
        assert sink.messages == []  # answered before the mail server accepted anything
    finally:
        sink.gate.set()
    assert [m["To"] for m in sink.wait_for(1)] == [actors.staff.email]
    jobs.wait(app)


def test_redis_down_falls_back_to_sending_in_process(app, actors, sink, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    app.extensions.pop(jobs.QUEUE_KEY, None)
    try:
        app.test_client().post("/password/forgot", data={"email": actors.staff.email})
    finally:
        app.extensions.pop(jobs.QUEUE_KEY, None)
    assert [m["To"] for m in sink.wait_for(1)] == [actors.staff.email]


def test_mail_test_command(app, runner, sink):
    result = runner.invoke(args=["mail", "test", "--to", "verif@example.org", "--locale", "en"])
    assert result.exit_code == 0, result.output
    [message] = sink.wait_for(1)
    assert message["To"] == "verif@example.org" and "Mowakaba" in message["Subject"]
    assert message.get_content_type() == "multipart/alternative"


def test_mail_test_command_reports_a_failure(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", "1")
    monkeypatch.setitem(app.config, "MAIL_FROM", "suivi@example.org")
    result = runner.invoke(args=["mail", "test", "--to", "verif@example.org"])
    assert result.exit_code == 1 and "not sent" in result.output
