"""`flask reminders send`: who gets an e-mail, what it says, in which language, and only once a day.

The reference day is 2025-09-25: in the Actors cohort (quarterly from 2025-01-01) T1 and T2 have ended
and T3 ends in five days (due soon).
"""

import datetime as dt
import smtplib
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from tests.factories import ProjectFactory, UserFactory
from tests.periods.factories import PeriodReportFactory
from tracker.core import mail
from tracker.extensions import db
from tracker.periods import reminders
from tracker.periods.cli import reminders_cli
from tracker.periods.models import Reminder, ReminderKind, ReportStatus
from tracker.projects.models import ProjectStatus

TODAY = "2025-09-25"
QUARTERS = {"2025-T1": (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
            "2025-T2": (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
            "2025-T3": (dt.date(2025, 7, 1), dt.date(2025, 9, 30))}


@pytest.fixture
def outbox(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "memory")
    monkeypatch.setitem(app.config, "MAIL_FROM", "suivi@example.org")
    box = app.extensions.setdefault(mail.OUTBOX_KEY, [])
    box.clear()
    yield box
    box.clear()


def _report(project, label, status, comment=None):
    start, end = QUARTERS[label]
    return PeriodReportFactory(project=project, period_label=label, period_start=start, period_end=end,
                               status=status, review_comment=comment)


class World:
    """A French holder with a returned and a due-soon report, an Arabic holder with an overdue draft, and
    people who must get nothing: an inactive holder, a holder of a paused project, a holder all caught up."""

    def __init__(self, actors):
        self.fr = actors.holder
        self.fr.display_name = "Salma Fictive"
        _report(actors.project, "2025-T1", ReportStatus.RETURNED, "Ajoutez les ventes de juin.")
        _report(actors.project, "2025-T2", ReportStatus.SUBMITTED)

        self.project_ar = ProjectFactory(cohort=actors.cohort, name="تعاونية تجريبية")
        self.ar = UserFactory(role="holder", locale="ar", display_name="هند", projects=[self.project_ar])
        _report(self.project_ar, "2025-T1", ReportStatus.APPROVED)
        _report(self.project_ar, "2025-T2", ReportStatus.DRAFT)
        _report(self.project_ar, "2025-T3", ReportStatus.SUBMITTED)

        UserFactory(role="holder", active=False, projects=[self.project_ar])  # deactivated account
        paused = ProjectFactory(cohort=actors.cohort, status=ProjectStatus.PAUSED)
        UserFactory(role="holder", projects=[paused])  # paused projects owe nothing
        done = ProjectFactory(cohort=actors.cohort)
        UserFactory(role="holder", projects=[done])
        for label in QUARTERS:
            _report(done, label, ReportStatus.SUBMITTED if label == "2025-T3" else ReportStatus.APPROVED)
        db.session.commit()
        self.actors = actors


@pytest.fixture
def world(actors):
    return World(actors)


def send(app, *args):
    return app.test_cli_runner().invoke(reminders_cli, ["send", "--today", TODAY, *args])


def recorded():
    return sorted(db.session.execute(
        sa.select(Reminder.user_id, Reminder.project_id, Reminder.period_label, Reminder.kind, Reminder.sent_on)
    ).tuples())


def test_pending_reminders_pick_due_soon_overdue_and_returned(world):
    pending = reminders.pending_reminders(dt.date(2025, 9, 25))
    assert [(r.user.id, [(d.period.label, d.kind) for d in r.items]) for r in pending] == [
        (world.fr.id, [("2025-T1", ReminderKind.RETURNED), ("2025-T3", ReminderKind.DUE_SOON)]),
        (world.ar.id, [("2025-T2", ReminderKind.OVERDUE)]),
    ]


def test_one_email_per_holder_listing_their_items_then_recorded(app, world, outbox):
    result = send(app)
    assert result.exit_code == 0, result.output
    assert "Sent 2 reminder e-mail(s) of 2." in result.output
    fr, ar = outbox
    assert (fr["To"], ar["To"]) == (world.fr.email, world.ar.email)
    assert fr["From"] == "suivi@example.org"
    assert fr["Subject"] == "Mowakaba : 2 rapports de suivi attendent votre action"
    body = fr.get_content()
    project = world.actors.project.name
    assert body.splitlines()[:4] == ["Bonjour Salma Fictive,", "", "Ces rapports de suivi attendent votre action :", ""]
    assert (f"• {project} — \u2068T1 2025\u2069 : renvoyé pour correction. Commentaire de l'équipe : "
            "« Ajoutez les ventes de juin. »") in body
    assert f"• {project} — \u2068T3 2025\u2069 : à remettre au plus tard le 30 septembre 2025." in body
    assert recorded() == sorted([
        (world.fr.id, world.actors.project.id, "2025-T1", ReminderKind.RETURNED, dt.date(2025, 9, 25)),
        (world.fr.id, world.actors.project.id, "2025-T3", ReminderKind.DUE_SOON, dt.date(2025, 9, 25)),
        (world.ar.id, world.project_ar.id, "2025-T2", ReminderKind.OVERDUE, dt.date(2025, 9, 25)),
    ])


def test_the_email_is_in_the_holders_language(app, world, outbox):
    send(app)
    ar = outbox[1]
    assert ar["Content-Language"] == "ar" and outbox[0]["Content-Language"] == "fr"
    body = ar.get_content()
    assert format_date(dt.date(2025, 6, 30), "long", locale="ar") in body  # Arabic month name
    assert "تعاونية تجريبية — \u2068الربع الثاني 2025\u2069" in body and "هند" in body


def test_a_second_run_the_same_day_sends_nothing_the_next_day_reminds_again(app, world, outbox):
    send(app)
    again = send(app)
    assert again.exit_code == 0 and "No reminder to send" in again.output
    assert len(outbox) == 2 and len(recorded()) == 3
    next_day = app.test_cli_runner().invoke(reminders_cli, ["send", "--today", "2025-09-26"])
    assert next_day.exit_code == 0 and len(outbox) == 4 and len(recorded()) == 6


def test_an_item_added_later_the_same_day_is_still_sent(app, world, outbox):
    send(app)
    second = ProjectFactory(cohort=world.actors.cohort)
    world.fr.projects = [world.actors.project, second]
    db.session.commit()
    send(app)
    assert len(outbox) == 3
    body = outbox[2].get_content()
    assert second.name in body and "T1 2025" in body and world.actors.project.name not in body


def test_dry_run_prints_and_writes_nothing(app, world, outbox):
    result = send(app, "--dry-run")
    assert result.exit_code == 0
    assert f"To: {world.fr.email} (fr)" in result.output and f"To: {world.ar.email} (ar)" in result.output
    assert "Subject: Mowakaba : 2 rapports de suivi attendent votre action" in result.output
    assert "renvoyé pour correction" in result.output
    assert "nothing was sent or recorded" in result.output
    assert outbox == [] and recorded() == []


def test_links_to_the_form_when_the_base_url_is_known(app, world, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://suivi.example.org/")
    send(app)
    assert (f"  https://suivi.example.org/period-reports/projects/{world.actors.project.id}/2025-T3"
            in outbox[0].get_content().splitlines())


def test_smtp_server_unreachable_exits_non_zero_and_records_nothing(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # discard port: nothing listens there
    monkeypatch.setitem(app.config, "MAIL_FROM", "suivi@example.org")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    result = send(app)
    assert result.exit_code == 1
    assert "cannot connect to the SMTP server 127.0.0.1:9" in result.output
    assert "2 e-mail(s) not sent and not recorded" in result.output
    assert recorded() == []


def test_missing_smtp_settings_are_a_clear_error(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    result = send(app)
    assert result.exit_code == 1 and "MAIL_SERVER is not set" in result.output
    assert recorded() == []


def test_a_failure_midway_keeps_what_was_sent_and_records_only_that(app, world, monkeypatch):
    sent = []

    class Flaky:
        def send(self, message):
            if sent:
                raise mail.MailError("SMTP error: connection lost")
            sent.append(message)

    @contextmanager
    def flaky_connection():
        yield Flaky()

    monkeypatch.setattr(mail, "connection", flaky_connection)
    monkeypatch.setitem(app.config, "MAIL_FROM", "suivi@example.org")
    result = send(app)
    assert result.exit_code == 1 and "connection lost" in result.output
    assert [m["To"] for m in sent] == [world.fr.email]
    assert {row[0] for row in recorded()} == {world.fr.id}


def test_a_refused_recipient_does_not_stop_the_others(app, world, monkeypatch):
    class Client:
        def __init__(self):
            self.messages = []

        def send_message(self, message):
            if message["To"] == world.fr.email:
                raise smtplib.SMTPRecipientsRefused({world.fr.email: (550, b"no such user")})
            self.messages.append(message)

    client = Client()

    @contextmanager
    def fake_connection():
        yield mail._SMTPConnection(client)

    monkeypatch.setattr(mail, "connection", fake_connection)
    monkeypatch.setitem(app.config, "MAIL_FROM", "suivi@example.org")
    result = send(app)
    assert result.exit_code == 1 and "recipient refused" in result.output
    assert [m["To"] for m in client.messages] == [world.ar.email]
    assert {row[0] for row in recorded()} == {world.ar.id}


def test_bad_date_is_refused(app):
    result = app.test_cli_runner().invoke(reminders_cli, ["send", "--today", "25/09/2025"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output


def test_finding_reminders_costs_the_same_queries_for_few_or_many_holders(actors, count_queries):
    def holders(n):
        for _ in range(n):
            project = ProjectFactory(cohort=actors.cohort, lead=False)
            UserFactory(role="holder", projects=[project])
            _report(project, "2025-T1", ReportStatus.RETURNED, "À corriger.")
        db.session.flush()
        db.session.expire_all()

    holders(2)
    with count_queries() as few:
        assert len(reminders.pending_reminders(dt.date(2025, 9, 25))) == 3  # actors.holder included
    holders(20)
    with count_queries() as many:
        assert len(reminders.pending_reminders(dt.date(2025, 9, 25))) == 23
    assert len(few) == len(many) == 5
