"""RQ stops a job after 180 s unless told otherwise: a whole-programme file at full scale takes longer, so every
job goes to the queue with the JOBS_TIMEOUT of the configuration."""

from tracker.core import jobs


def _nothing() -> None:
    return None


def test_jobs_are_queued_with_the_configured_timeout(app, redis_queue, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_TIMEOUT", 2400)
    with app.test_request_context():
        job_id = jobs.enqueue(_nothing)
    job = redis_queue.fetch_job(job_id)
    assert job is not None and job.timeout == 2400


def test_the_default_timeout_leaves_room_for_a_whole_programme_file(app):
    assert app.config["JOBS_TIMEOUT"] >= 1800
