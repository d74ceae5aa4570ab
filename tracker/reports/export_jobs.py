"""Big report files as background jobs (issue 20): the request answers at once, a job builds the file.

Whole-programme XLSX and PDF files, and any XLSX or PDF of more than `EXPORT_JOB_MIN_PROJECTS` projects, are
built by `build` through `tracker.core.jobs` (an `rq worker` with Redis, this process's thread pool
without). The request only writes a small record and answers with a page that refreshes itself until the
file is there. Records and files live under `UPLOAD_DIR/exports/` (shared by every app server and worker,
so a job started through one instance is downloaded through another) and are deleted after
`EXPORT_TTL` (24 h). A record belongs to the user who asked: anyone else gets 404, and the download checks
the same permission as the direct download and is audited then.

Nothing is lost silently: a job that raises is retried by RQ (`jobs.RETRY_INTERVALS`) and then marked
failed; a record still waiting whose RQ job has failed or vanished (Redis flushed), or that has been running
longer than `STALE_AFTER`, is reported failed, and the page offers to start again. A worker killed in the
middle of a job (SIGKILL, out of memory, a machine restarted) leaves its job "started" in RQ until the job's
heartbeat expires (RQ's job monitoring interval + 60 s); after that, the status page runs RQ's own clean-up
of abandoned jobs, which queues the job again while it has retries left (the page says "queued", the next
worker builds the file) and fails it afterwards (the page says "failed").
"""

import datetime as dt
import json
import logging
import os
import re
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import MultiDict

from tracker.extensions import db
from tracker.projects.models import Project

log = logging.getLogger(__name__)
JOB_FORMATS = ("xlsx", "pdf")
EXPORT_TTL = dt.timedelta(hours=24)
STALE_AFTER = dt.timedelta(minutes=30)
DEFAULT_MIN_PROJECTS = 2000  # EXPORT_JOB_MIN_PROJECTS: above this many projects, a file is built by a job
TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"]) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _record_path(token: str) -> Path:
    return _folder() / f"{token}.json"


def file_path(record: dict) -> Path:
    return _folder() / f"{record['token']}.{record['fmt']}"


def _save(record: dict) -> None:
    path = _record_path(record["token"])
    temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    temporary.write_text(json.dumps(record), encoding="utf-8")
    os.replace(temporary, path)  # readers see the old record or the new one, never half of one


def _read(token: str) -> dict | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    try:
        return json.loads(_record_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _expired(record: dict, now: dt.datetime) -> bool:
    return now - dt.datetime.fromisoformat(record["created_at"]) > EXPORT_TTL


def _delete(record: dict) -> None:
    for path in (file_path(record), _record_path(record["token"])):
        path.unlink(missing_ok=True)


def purge_expired(now: dt.datetime | None = None) -> int:
    """Deletes the records and files older than EXPORT_TTL; returns how many."""
    now = now or _now()
    gone = 0
    for path in _folder().glob("*.json"):
        record = _read(path.stem)
        if record is not None and _expired(record, now):
            _delete(record)
            gone += 1
    return gone


def needs_job(fmt: str, chosen_cohorts: list[int], cohort_ids: list[int]) -> bool:
    """Whole-programme XLSX/PDF, or one of more projects than EXPORT_JOB_MIN_PROJECTS (one count query)."""
    if fmt not in JOB_FORMATS:
        return False
    if not chosen_cohorts:
        return True
    limit = int(current_app.config.get("EXPORT_JOB_MIN_PROJECTS", DEFAULT_MIN_PROJECTS))
    projects = db.session.scalar(sa.select(sa.func.count(Project.id)).where(Project.cohort_id.in_(cohort_ids)))
    return (projects or 0) > limit


def create(user_id: int, fmt: str, args, locale: str, dialect: str | None) -> dict:
    """A new record (queued) for `user_id`'s file with these query arguments; nothing queued yet."""
    record = {"token": secrets.token_urlsafe(32), "user_id": user_id, "fmt": fmt,
              "args": [[k, v] for k, v in MultiDict(args).items(multi=True)], "locale": locale, "dialect": dialect,
              "status": QUEUED, "created_at": _now().isoformat(), "started_at": None, "job_id": None,
              "download_name": None, "size": None}
    _save(record)
    return record


def start(user_id: int, fmt: str, args: MultiDict, locale: str, dialect: str | None) -> str:
    """Creates the record and queues `build`; returns the record's token."""
    from tracker.core import jobs

    purge_expired()
    record = create(user_id, fmt, args, locale, dialect)
    try:
        job = jobs.enqueue(build, record["token"])
    except Exception:  # run at once (no Redis, sync mode) and failed: the record says so, the page shows it
        log.exception("report export %s failed", record["token"])
        return record["token"]
    if isinstance(job, str):  # an RQ job id: kept to tell a lost job from a slow one
        current = _read(record["token"]) or record
        current["job_id"] = job
        _save(current)
    return record["token"]


def build(token: str) -> None:
    """The job: builds the file of the record `token` with the same code as the direct download."""
    from flask_babel import force_locale

    from tracker.reports.downloads import build_file
    from tracker.reports.filters import parse_filters

    record = _read(token)
    if record is None or record["status"] == READY:
        return
    record.update(status=RUNNING, started_at=_now().isoformat())
    _save(record)
    try:
        with current_app.test_request_context(), force_locale(record["locale"]):
            filters = parse_filters(MultiDict([tuple(pair) for pair in record["args"]]))
            data, name, audit = build_file(record["fmt"], filters, record["locale"], record["dialect"])
        path = file_path(record)
        temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        record.update(status=READY, download_name=name, size=len(data), audit=audit,
                      finished_at=_now().isoformat())
    except Exception:
        log.exception("report export %s failed", token)
        record.update(status=QUEUED if _retried() else FAILED, started_at=None)
        _save(record)
        raise
    _save(record)


def _retried() -> bool:
    """Inside an RQ job that RQ will run again after this failure."""
    from rq import get_current_job

    job = get_current_job()
    return bool(job is not None and job.retries_left)


def _job_state(job_id: str) -> str | None:
    """RQ's status of the job ("lost" when it is gone from Redis, None when Redis cannot tell), after RQ's
    clean-up of abandoned jobs when it is "started": that clean-up otherwise runs only when a worker starts
    and every 10 minutes, so a page would say "running" long after its worker was killed."""
    from tracker.core import jobs

    queue = jobs.queue()
    if queue is None:
        return None
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus
    from rq.registry import StartedJobRegistry

    try:
        job = Job.fetch(job_id, connection=queue.connection)
        if job.get_status(refresh=False) == JobStatus.STARTED:
            StartedJobRegistry(queue.name, connection=queue.connection).cleanup()
        return job.get_status(refresh=True)
    except NoSuchJobError:
        return "lost"
    except RedisError:
        return None  # ask again at the next refresh


def get_export(token: str, user_id: int) -> dict | None:
    """The record of `user_id`'s export `token` with its current status, or None (not theirs, expired)."""
    record = _read(token)
    if record is None or record["user_id"] != user_id:
        return None
    now = _now()
    if _expired(record, now):
        _delete(record)
        return None
    if record["status"] in (QUEUED, RUNNING):
        from rq.job import JobStatus

        started = record.get("started_at")
        stale = started is not None and now - dt.datetime.fromisoformat(started) > STALE_AFTER
        state = _job_state(record["job_id"]) if record.get("job_id") else None
        if stale or state in ("lost", JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            record["status"] = FAILED
            _save(record)
        elif record["status"] == RUNNING and state in (JobStatus.QUEUED, JobStatus.SCHEDULED):
            record.update(status=QUEUED, started_at=None)  # its worker died; RQ runs it again
            _save(record)
    if record["status"] == READY and not file_path(record).exists():
        record["status"] = FAILED
        _save(record)
    return record
