"""`flask notifications digest` (issue 17): one e-mail per person per day at most, in their language, with
the kinds they chose, the holders' report reminders included; running it again the same day sends nothing."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import FROZEN_TODAY
from tracker.core import mail
from tracker.extensions import db
from tracker.notifications import services
from tracker.notifications.models import Digest, Kind, Notification
from tracker.periods.cli import reminders_cli
from tracker.periods.models import Reminder

TODAY = FROZEN_TODAY
pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def outbox(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "memory")
    monkeypatch.setitem(app.config, "MAIL_FROM", "suivi@example.org")
    monkeypatch.setitem(app.config, "BASE_URL", "https://mowakaba.example.org")
    box = app.extensions.setdefault(mail.OUTBOX_KEY, [])
    box.clear()
    yield box
    box.clear()


def digest(runner, day=TODAY):
    return runner.invoke(args=["notifications", "digest", "--today", day.isoformat()])


def _note(user, kind=Kind.SESSION_LOGGED, project=None, **params):
    note = Notification(user_id=user.id, kind=kind, project_id=project.id if project else None,
                        entity_type="project", entity_id=project.id if project else None,
                        params={"project": project.name if project else "", "date": TODAY.isoformat(),
                                "mentor": "Mentor Fictif", **params})
    db.session.add(note)
    db.session.commit()
    return note


def test_one_email_per_person_then_nothing_the_same_day(runner, world, outbox):
    _note(world.mentor, Kind.REPORT_SUBMITTED, world.a.project, period="2025-T1")
    _note(world.mentor, Kind.REPORT_CORRECTED, world.a.other_project, period="2025-T2")
    first = digest(runner)
    assert first.exit_code == 0, first.output
    recipients = [m["To"] for m in outbox]
    assert len(recipients) == len(set(recipients))  # at most one e-mail per person
    assert recipients.count(world.mentor.email) == 1
    [to_mentor] = [m for m in outbox if m["To"] == world.mentor.email]
    body = to_mentor.get_body(("plain",)).get_content()
    assert world.a.project.name in body and world.a.other_project.name in body
    assert f"https://mowakaba.example.org/projects/{world.a.project.id}" in body  # a plain link to each
    assert to_mentor.get_content_type() == "multipart/alternative"
    sent = len(outbox)
    _note(world.mentor, Kind.PROJECT_QUIET, world.a.project)  # arrives after today's digest
    second = digest(runner)
    assert second.exit_code == 0 and len(outbox) == sent  # idempotent per day
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Digest).where(
        Digest.user_id == world.mentor.id, Digest.sent_on == TODAY)) == 1
    digest(runner, TODAY + dt.timedelta(days=1))
    assert [m["To"] for m in outbox[sent:]].count(world.mentor.email) == 1  # the next day, the new one


def test_holders_get_their_report_reminders_in_the_same_email_in_their_language(runner, world, outbox):
    result = digest(runner)
    assert result.exit_code == 0, result.output
    [to_holder2] = [m for m in outbox if m["To"] == world.holder2.email]
    assert to_holder2["Content-Language"] == "ar"
    assert len([m for m in outbox if m["To"] == world.holder.email]) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder).where(
        Reminder.user_id == world.holder.id, Reminder.sent_on == TODAY)) > 0
    # The old command finds nothing left to remind today: the digest took its place.
    outbox.clear()
    old = runner.invoke(reminders_cli, ["send", "--today", TODAY.isoformat()])
    assert old.exit_code == 0 and outbox == []


def test_a_kind_kept_in_the_app_is_not_emailed(runner, world, outbox):
    services.set_preferences(world.mentor, {Kind.PROJECT_QUIET: False})
    note = _note(world.mentor, Kind.PROJECT_QUIET, world.a.project)
    db.session.commit()
    digest(runner)
    mails = [m for m in outbox if m["To"] == world.mentor.email]
    assert all(world.a.project.name not in m.get_body(("plain",)).get_content() for m in mails)
    db.session.refresh(note)
    assert note.emailed_on is None and note.read_at is None  # still waiting in the inbox


def test_read_notifications_are_not_emailed(runner, world, outbox):
    note = _note(world.mentor2, Kind.REPORT_SUBMITTED, world.a.other_project, period="2025-T3")
    services.mark_read(world.mentor2, note)
    db.session.commit()
    digest(runner)
    assert all(m["To"] != world.mentor2.email or "2025-T3" not in m.get_body(("plain",)).get_content()
               for m in outbox)


def test_an_smtp_failure_exits_non_zero_and_records_nothing(runner, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", "1")
    monkeypatch.setitem(app.config, "MAIL_FROM", "suivi@example.org")
    _note(world.mentor, Kind.REPORT_SUBMITTED, world.a.project, period="2025-T1")
    result = digest(runner)
    assert result.exit_code == 1 and "not sent" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Digest)) == 0


def test_dry_run_sends_and_records_nothing(runner, world, outbox):
    _note(world.mentor, Kind.REPORT_SUBMITTED, world.a.project, period="2025-T1")
    result = runner.invoke(args=["notifications", "digest", "--dry-run", "--today", TODAY.isoformat()])
    assert result.exit_code == 0 and world.mentor.email in result.output
    assert outbox == [] and db.session.scalar(sa.select(sa.func.count()).select_from(Digest)) == 0


def test_bad_date_is_refused(runner):
    result = runner.invoke(args=["notifications", "digest", "--today", "31/12/2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
