"""E-mail reminders to project holders (issue 5, item 6).

Who: every active user with the holder role and an e-mail address, for the active projects they are
linked to. What: each report that needs them now (`services.attention_kind`): due within DUE_SOON_DAYS
days, overdue (a draft started included) or returned — until it is submitted. One e-mail per holder lists
all their items, in the holder's language. Each item sent is recorded in `reminders` (unique per user,
project, period, kind and day), so running the command again the same day sends nothing new.
"""

import datetime as dt
import os
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext, ngettext

from tracker.auth.models import User
from tracker.core.dates import LONG, date_text
from tracker.core.i18n import isolate
from tracker.core.period_names import period_name
from tracker.core.permissions import Role
from tracker.extensions import db
from tracker.periods.models import Reminder, ReminderKind
from tracker.periods.services import DueReport, reports_due
from tracker.projects.models import project_holders

COMMENT_PREVIEW = 300


@dataclass
class HolderReminder:
    user: User
    items: list[DueReport]


def pending_reminders(today: dt.date) -> list[HolderReminder]:
    """The e-mails to send today: one per holder with at least one item not yet reminded today.

    Five queries whatever the number of holders and projects (project ids go as subqueries, never as
    parameter lists).
    """
    is_holder = sa.and_(User.role == Role.HOLDER, User.active.is_(True), User.email != "")
    linked = sa.select(project_holders.c.user_id, project_holders.c.project_id).join(
        User, User.id == project_holders.c.user_id).where(is_holder)
    holders = {u.id: u for u in db.session.scalars(sa.select(User).where(is_holder))}
    projects_of: dict[int, set[int]] = {}
    for user_id, project_id in db.session.execute(linked):
        projects_of.setdefault(user_id, set()).add(project_id)
    due = [d for d in reports_due(linked.with_only_columns(project_holders.c.project_id), today)
           if d.kind is not None]
    sent = set(db.session.execute(
        sa.select(Reminder.user_id, Reminder.project_id, Reminder.period_label, Reminder.kind)
        .where(Reminder.sent_on == today)
    ).tuples())
    result = []
    for user_id in sorted(projects_of):
        items = [d for d in due if d.project.id in projects_of[user_id]
                 and (user_id, d.project.id, d.period.label, d.kind) not in sent]
        if items:
            result.append(HolderReminder(holders[user_id], items))
    return result


def _link(due: DueReport) -> str | None:
    """Absolute link to the report form when BASE_URL is known (the CLI has no request to build it from)."""
    base = current_app.config.get("BASE_URL") or os.environ.get("BASE_URL")
    if not base:
        return None
    path = current_app.url_map.bind("localhost").build(
        "periods.edit_report", {"project_id": due.project.id, "period_label": due.period.label})
    return base.rstrip("/") + path


def _line(due: DueReport) -> str:
    names = {"project": due.project.name, "period": isolate(period_name(due.period.label))}
    if due.kind == ReminderKind.RETURNED:
        comment = (due.report.review_comment or "").strip() if due.report else ""
        if len(comment) > COMMENT_PREVIEW:
            comment = comment[:COMMENT_PREVIEW].rstrip() + "…"
        if comment:
            return gettext("%(project)s — %(period)s : renvoyé pour correction. Commentaire de l'équipe : "
                           "« %(comment)s »", comment=comment, **names)
        return gettext("%(project)s — %(period)s : renvoyé pour correction.", **names)
    day = date_text(due.period.end, LONG)
    if due.kind == ReminderKind.OVERDUE:
        return gettext("%(project)s — %(period)s : en retard, la période s'est terminée le %(date)s.",
                       date=day, **names)
    return gettext("%(project)s — %(period)s : à remettre au plus tard le %(date)s.", date=day, **names)


def render_reminder(reminder: HolderReminder) -> tuple[str, str]:
    """(subject, plain-text body) in the holder's language."""
    with force_locale(reminder.user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        count = len(reminder.items)
        subject = ngettext("Mowakaba : %(num)s rapport de suivi attend votre action",
                           "Mowakaba : %(num)s rapports de suivi attendent votre action", count)
        lines = [gettext("Bonjour %(name)s,", name=reminder.user.display_name), "",
                 ngettext("Ce rapport de suivi attend votre action :",
                          "Ces rapports de suivi attendent votre action :", count), ""]
        for due in reminder.items:
            lines.append("• " + _line(due))
            link = _link(due)
            if link:
                lines.append("  " + link)
        lines += ["", gettext("Connectez-vous à Mowakaba pour compléter et soumettre vos rapports."), "",
                  gettext("Vous recevez ce message parce que vous êtes porteur d'un projet accompagné par le "
                          "programme.")]
    return subject, "\n".join(lines) + "\n"


def record_sent(reminder: HolderReminder, today: dt.date) -> None:
    """Records every item of an e-mail that was sent (flushes, does not commit)."""
    for due in reminder.items:
        db.session.add(Reminder(user_id=reminder.user.id, project_id=due.project.id,
                                period_label=due.period.label, kind=due.kind, sent_on=today,
                                email=reminder.user.email))
    db.session.flush()
