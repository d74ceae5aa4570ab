"""Background jobs: RQ on the Redis of REDIS_URL, or this process when there is no Redis.

    jobs.enqueue(func, *args)        run func(*args) in the background (now, from the command line)
    jobs.after_commit(func, *args)   the same, once the current database transaction has committed

`func` must be a module-level function (the worker imports it by name) and its arguments plain data
(str, int, dict, list): a worker on another machine has no access to this process's objects or session.
It runs inside an app context; a job that writes to the database commits its own work.

With REDIS_URL set, jobs go to the RQ queue JOBS_QUEUE and `rq worker` runs them (README, deploy/); if Redis
cannot be reached when a job is queued, it runs in this process instead rather than being lost. Without Redis,
JOBS_IN_PROCESS decides: "thread" (default) runs jobs of a web request on a small thread pool, so the page
never waits for a slow mail server; from the command line, and with "sync", they run at once.

Large report exports will run through the same two functions.
"""

import importlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor

import sqlalchemy as sa
from flask import current_app, has_request_context

log = logging.getLogger(__name__)
PENDING_KEY = "mowakaba_after_commit"
EXECUTOR_KEY = "mowakaba_jobs_executor"
QUEUE_KEY = "mowakaba_jobs_queue"
RETRY_INTERVALS = [30, 120, 600]  # a mail server briefly down gets three more tries over 12 minutes


def _path(func) -> str:
    return f"{func.__module__}:{func.__qualname__}"


def _resolve(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


# ---------------------------------------------------------------- the worker side

_worker_app = None


def run(path: str, args: list, kwargs: dict):
    """What the RQ worker executes: the job inside an app built from the environment (MOWAKABA_ENV,
    DATABASE_URL, MAIL_*…), the same settings as the web app's. The app is built once per worker process."""
    global _worker_app
    if _worker_app is None:
        from tracker import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        return _resolve(path)(*args, **kwargs)


# ---------------------------------------------------------------- the queueing side

def queue(app=None):
    """The RQ queue of REDIS_URL (one connection per app), or None without Redis."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    if QUEUE_KEY not in app.extensions:
        from redis import Redis
        from rq import Queue

        connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        app.extensions[QUEUE_KEY] = Queue(app.config["JOBS_QUEUE"], connection=connection)
    return app.extensions[QUEUE_KEY]


def _in_thread(app, func, args, kwargs):
    with app.app_context():
        try:
            return func(*args, **kwargs)
        except Exception:  # a background job has nobody to report to but the log
            log.exception("background job %s failed", _path(func))
            raise


def _executor(app) -> ThreadPoolExecutor:
    if EXECUTOR_KEY not in app.extensions:
        app.extensions[EXECUTOR_KEY] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mowakaba-job")
    return app.extensions[EXECUTOR_KEY]


def enqueue(func, *args, **kwargs) -> str | Future:
    """Runs `func(*args, **kwargs)` in the background; returns the RQ job id, a Future (thread pool) or
    the function's result (run at once). Run at once, the function's exceptions reach the caller."""
    app = current_app._get_current_object()
    rq_queue = queue(app)
    if rq_queue is not None:
        from redis.exceptions import RedisError
        from rq import Retry

        try:
            job = rq_queue.enqueue(run, _path(func), list(args), kwargs,
                                   retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
                                   job_timeout=app.config.get("JOBS_TIMEOUT", 1800))
            return job.id
        except RedisError as error:
            log.warning("Redis unreachable (%s): job %s runs in this process", error, _path(func))
    if app.config.get("JOBS_IN_PROCESS") == "thread" and has_request_context():
        return _executor(app).submit(_in_thread, app, func, args, kwargs)
    return func(*args, **kwargs)


def wait(app=None, timeout: float = 30) -> None:
    """Waits for the jobs of this process's thread pool (tests; a clean shutdown)."""
    app = app or current_app
    executor = app.extensions.pop(EXECUTOR_KEY, None)
    if executor is not None:
        executor.shutdown(wait=True)


# ---------------------------------------------------------------- after the commit

def after_commit(func, *args, **kwargs) -> None:
    """Queues the job when the session's transaction commits, and forgets it if it rolls back: an e-mail
    never announces a link or a change that was not saved."""
    from tracker.extensions import db

    db.session.info.setdefault(PENDING_KEY, []).append((func, args, kwargs))


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _run_pending(session) -> None:
    for func, args, kwargs in session.info.pop(PENDING_KEY, []):
        try:
            enqueue(func, *args, **kwargs)
        except Exception:  # the data is saved; a failed e-mail must not turn the page into an error
            log.exception("job %s failed after commit", _path(func))


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction) -> None:
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop(PENDING_KEY, None)
