"""The daily e-mail digest (`flask notifications digest`): at most one e-mail per person per day.

It holds the person's unread notifications not e-mailed yet, of the kinds they want by e-mail, and for
holders the report reminders of tracker/periods/reminders.py (due soon, overdue, returned: repeated each
day until the report is submitted), so `flask reminders send` is no longer needed next to it. Each digest
sent is recorded (`notification_digests`, one per person and day), its notifications marked e-mailed and
its reminders recorded, so running the command again the same day sends nothing.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale, gettext, ngettext

from tracker.auth.models import User
from tracker.core import email
from tracker.extensions import db
from tracker.notifications import messages
from tracker.notifications.models import Digest, Kind, Notification, NotificationPreference
from tracker.notifications.services import DEFAULT_EMAIL
from tracker.periods import reminders

SHOWN = 20  # notifications listed in one e-mail; the rest wait in the inbox


@dataclass
class PendingDigest:
    user: User
    notes: list[Notification] = field(default_factory=list)
    reminder: reminders.HolderReminder | None = None

    @property
    def size(self) -> int:
        return len(self.notes) + (len(self.reminder.items) if self.reminder else 0)


def pending(today: dt.date) -> list[PendingDigest]:
    """The digests to send today (five queries plus the reminders' own), by user id."""
    done = set(db.session.scalars(sa.select(Digest.user_id).where(Digest.sent_on == today)))
    wanted = sa.func.coalesce(NotificationPreference.email_digest, DEFAULT_EMAIL)
    rows = db.session.execute(
        sa.select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .outerjoin(NotificationPreference, sa.and_(NotificationPreference.user_id == Notification.user_id,
                                                   NotificationPreference.kind == Notification.kind))
        .where(Notification.read_at.is_(None), Notification.emailed_on.is_(None), User.active.is_(True),
               User.email != "", wanted.is_(True))
        .order_by(Notification.user_id, Notification.created_at, Notification.id)).all()
    digests: dict[int, PendingDigest] = {}
    for note, user in rows:
        if user.id not in done:
            digests.setdefault(user.id, PendingDigest(user)).notes.append(note)
    refused = set(db.session.scalars(sa.select(NotificationPreference.user_id).where(
        NotificationPreference.kind == Kind.REPORT_DUE, NotificationPreference.email_digest.is_(False))))
    for reminder in reminders.pending_reminders(today):
        if reminder.user.id in done or reminder.user.id in refused:
            continue
        digests.setdefault(reminder.user.id, PendingDigest(reminder.user)).reminder = reminder
    return [digests[k] for k in sorted(digests)]


def render(digest: PendingDigest) -> dict:
    """The e-mail payload, in the person's language."""
    user = digest.user
    with force_locale(user.locale or "fr"):
        items = []
        for note in digest.notes[:SHOWN]:
            endpoint, values, anchor = messages.destination(note)
            link = email.external_url(endpoint, **values)
            items.append({"label": str(messages.KIND_LABELS[note.kind]), "text": messages.text(note),
                          "link": link + anchor if link else None})
        reports = []
        if digest.reminder:
            for due in digest.reminder.items:
                reports.append({"text": reminders._line(due), "link": reminders._link(due)})
        return email.compose(
            user.email, user.locale, "digest",
            ngettext("%(app)s : %(num)s nouvelle information pour vous",
                     "%(app)s : %(num)s nouvelles informations pour vous", digest.size, app=email.app_name()),
            name=user.display_name, items=items, more=max(0, len(digest.notes) - SHOWN), reports=reports,
            inbox=email.external_url("notifications.inbox"),
            settings=email.external_url("notifications.settings"),
            intro=gettext("Voici ce qui s'est passé pour vous depuis le dernier message."))


def mark_sent(digest: PendingDigest, today: dt.date) -> None:
    """Records a digest that was sent or queued (flushes)."""
    for note in digest.notes:
        note.emailed_on = today
    if digest.reminder:
        reminders.record_sent(digest.reminder, today)
    db.session.add(Digest(user_id=digest.user.id, sent_on=today, items=digest.size))
    db.session.flush()
