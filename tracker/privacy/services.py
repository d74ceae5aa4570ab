"""Personal data of team members (Moroccan law 09-08): find, export everything held, erase.

Erasure removes what identifies a person and keeps what the figures count (DESIGN §4, §6, §12). The cohort
report reads, per member, exactly: project, sex, birth date (youth at the report's reference date, which is
any date the reader picks, so neither a birth year nor an age band would keep every window right), lead
flag, ownership share (women-led) and attendance rows (training figures). Those stay. The name is replaced
by a numbered placeholder; phone, e-mail and the role as written are cleared; the consent date and purpose
stay as the record of the lawful basis the data was processed on. The member's identifying values, current
and past, are also replaced by "[erased]" in the audit trail (their own events, and any other event quoting
their name, phone or e-mail) and in every free text that quotes them, whatever the spelling or the phone's
format (FREE_TEXT, tracker/privacy/free_text.py). Services flush, never commit, and take the acting user.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from tracker.admin.audit_query import ERASED, MAX_ID
from tracker.auth.models import User
from tracker.core import audit
from tracker.core.audit import AuditEvent
from tracker.core.models import utcnow
from tracker.core.phones import normalise_phone
from tracker.core.services import ServiceError
from tracker.extensions import db
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Attachment, Milestone
from tracker.notifications.models import Notification
from tracker.periods.models import IndicatorValue, PeriodReport
from tracker.privacy.free_text import Matcher
from tracker.projects.models import Member, Project
from tracker.trainings.models import Attendance, Training

# Removed by an erasure. role_title is free text ("Co-fondatrice de X") that can point at a person; it is
# cleared on the member but only scrubbed from the member's own audit events (other people share titles).
IDENTIFYING_FIELDS = ("full_name", "phone", "email", "role_title")
# Searched for across the whole audit trail (values other events may quote).
QUOTED_FIELDS = ("full_name", "phone", "email")
# Kept by an erasure, because the cohort report counts them (see the module docstring).
KEPT_FIELDS = ("project_id", "sex", "birth_date", "role", "is_lead", "ownership_pct", "consent_date",
               "consent_purpose")
MEMBER_EXPORT_FIELDS = ("id", "full_name", "sex", "birth_date", "role", "role_title", "is_lead", "ownership_pct",
                        "phone", "email", "consent_date", "consent_purpose", "created_at", "updated_at",
                        "erased_at")
REASON_MAX = 500
SEARCH_MAX = 100


def _printable(text: str | None) -> str:
    """Typed text without control characters (PostgreSQL refuses NUL in text)."""
    return "".join(c if c.isprintable() else " " for c in (text or ""))


def erased_name(member_id: int) -> str:
    """The placeholder left in `full_name` (stored, so every screen and export shows it as is)."""
    return f"Membre effacé #{member_id}"


# ---------------------------------------------------------------- finding a member

def member_search_query(q: str | None) -> sa.Select:
    """Members whose name or e-mail contains `q`, whose phone is `q` written any usual way, or whose
    number is `q` (with or without "#"); everyone when `q` is blank. Project and cohort come with them."""
    stmt = (
        sa.select(Member)
        .options(joinedload(Member.project).joinedload(Project.cohort))
        .order_by(Member.full_name, Member.id)
    )
    q = " ".join(_printable(q).split())[:SEARCH_MAX]
    if not q:
        return stmt
    conditions = [Member.full_name.icontains(q, autoescape=True), Member.email.icontains(q, autoescape=True)]
    number = q.removeprefix("#")
    if number.isdigit() and int(number) <= MAX_ID:
        conditions.append(Member.id == int(number))
    try:
        phone = normalise_phone(q)
    except ValueError:
        phone = None
    if phone:
        conditions.append(Member.phone == phone)
    return stmt.where(sa.or_(*conditions))


# ---------------------------------------------------------------- what is held

def _json_default(value):
    """Dates as ISO 8601 (timestamps in UTC), amounts as decimal strings."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def _member_events(member_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == "member", AuditEvent.entity_id == member_id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ))


def other_records(member: Member) -> list[Member]:
    """Other team memberships with the same e-mail or phone: probably the same person in another project,
    whom an export or erasure request also concerns."""
    keys = []
    if member.email:
        keys.append(Member.email == member.email)
    if member.phone:
        keys.append(Member.phone == member.phone)
    if not keys:
        return []
    return list(db.session.scalars(
        sa.select(Member).options(joinedload(Member.project))
        .where(sa.or_(*keys), Member.id != member.id).order_by(Member.id)
    ))


def linked_accounts(member: Member) -> list[User]:
    """User accounts that carry this member's name or e-mail (a holder's account is often the lead's):
    an erasure does not touch accounts, the admin deals with them on the accounts page."""
    keys = [sa.func.lower(User.display_name) == member.full_name.lower()]
    if member.email:
        keys.append(User.email == member.email)
    return list(db.session.scalars(sa.select(User).where(sa.or_(*keys)).order_by(User.id)))


def personal_data(member: Member) -> dict:
    """Everything held about one member (Python values; `export_member` writes them as JSON): the member's
    fields, consent, project, attendance and the audit events about them. Mentoring sessions are the
    project's, not the member's, and their staff-only notes are never included."""
    project = db.session.scalar(
        sa.select(Project).options(joinedload(Project.cohort)).where(Project.id == member.project_id)
    )
    attendance = db.session.execute(
        sa.select(Training.id, Training.title, Training.date, Training.duration_hours, Training.topic,
                  Attendance.present)
        .join(Attendance, Attendance.training_id == Training.id)
        .where(Attendance.member_id == member.id)
        .order_by(Training.date, Training.id)
    ).all()
    events = _member_events(member.id)
    author_ids = {e.user_id for e in events if e.user_id is not None}
    authors = dict(db.session.execute(
        sa.select(User.id, User.display_name).where(User.id.in_(author_ids))
    ).all()) if author_ids else {}
    return {
        "member": {name: getattr(member, name) for name in MEMBER_EXPORT_FIELDS},
        "consent": {"date": member.consent_date, "purpose": member.consent_purpose},
        "project": {
            "id": project.id, "code": project.code, "name": project.name, "sector": project.sector,
            "province": project.province, "commune": project.commune, "status": project.status,
            "cohort": {"slug": project.cohort.slug, "name": project.cohort.name},
        },
        "attendance": [
            {"training_id": t_id, "title": title, "date": day, "duration_hours": hours, "topic": topic,
             "present": present}
            for t_id, title, day, hours, topic, present in attendance
        ],
        "audit_events": [
            {"id": e.id, "at": e.created_at, "action": e.action, "by": authors.get(e.user_id),
             "changes": e.changes}
            for e in events
        ],
    }


def export_member(actor, member: Member) -> bytes:
    """The JSON file of `personal_data`, recorded in the audit trail as a personal-data access."""
    data = {"exported_at": utcnow(), **personal_data(member)}
    audit.record(actor, "member.export", "member", member.id, {"format": [None, "json"]})
    db.session.flush()
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default).encode("utf-8")


# ---------------------------------------------------------------- erasure

# Free text that may quote a member, rewritten by an erasure: (kind, model, columns). The kinds name the
# places in the erasure's confirmation and audit event (counts only, never values).
FREE_TEXT = (
    ("sessions", MentoringSession, ("topics", "shared_summary", "staff_notes")),
    ("action_items", ActionItem, ("description",)),
    ("milestones", Milestone, ("title", "evidence_note")),
    ("attachments", Attachment, ("original_name",)),
    ("reports", PeriodReport, ("highlights", "difficulties", "support_needed", "review_comment")),
    ("indicator_values", IndicatorValue, ("comment",)),
    ("projects", Project, ("summary", "status_reason")),
    ("trainings", Training, ("title", "description")),
)


@dataclass
class ErasureResult:
    erased_fields: list[str]
    scrubbed_events: int
    rewritten: dict[str, int] = field(default_factory=dict)  # kind of place -> rows rewritten

    @property
    def places(self) -> int:
        return sum(self.rewritten.values()) + self.scrubbed_events


def _scrub(value, matcher: Matcher):
    if isinstance(value, str):
        return matcher.sub(value, ERASED)
    if isinstance(value, list):
        return [_scrub(v, matcher) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, matcher) for k, v in value.items()}
    return value


def _scrub_own_fields(changes: dict) -> dict:
    """In the member's own events, every value an identifying field ever had, whatever it was."""
    out = dict(changes)
    for name in IDENTIFYING_FIELDS:
        value = out.get(name)
        if isinstance(value, list):
            out[name] = [ERASED if v not in (None, "") else v for v in value]
        elif value not in (None, ""):
            out[name] = ERASED
    return out


def _values_held(member: Member, own_events: list[AuditEvent]) -> dict[str, set[str]]:
    """Current and past name, phone and e-mail (past ones come from the member's own update events)."""
    values = {name: {getattr(member, name)} for name in QUOTED_FIELDS}
    for event in own_events:
        for name in QUOTED_FIELDS:
            value = (event.changes or {}).get(name)
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and v != ERASED:
                    values[name].add(v)
    return {name: {v for v in found if isinstance(v, str) and v.strip()} for name, found in values.items()}


def member_matcher(member: Member, own_events: list[AuditEvent] | None = None) -> Matcher:
    held = _values_held(member, own_events if own_events is not None else _member_events(member.id))
    return Matcher(names=held["full_name"], phones=held["phone"], emails=held["email"])


def _may_hold(columns, patterns: list[str]):
    if patterns == ["%"]:
        return sa.or_(*(column.is_not(None) for column in columns))
    return sa.or_(*(column.ilike(p, escape="/") for column in columns for p in patterns))


def _fit(model, column: str, text: str) -> str:
    """A rewritten value within its column's length ("[erased]" may be longer than what it replaces)."""
    length = getattr(model.__table__.c[column].type, "length", None)
    return text[:length] if length else text


def rewrite_free_text(matcher: Matcher) -> dict[str, int]:
    """Replaces every spelling of the member's name, phone and e-mail by "[erased]" in FREE_TEXT; returns
    the number of rows rewritten per kind. Versioned rows get a new version, so a form opened before the
    erasure cannot write the old text back."""
    counts = {}
    patterns = matcher.like_patterns()
    for kind, model, columns in FREE_TEXT:
        rewritten = 0
        attributes = [getattr(model, c) for c in columns]
        for row in db.session.scalars(sa.select(model).where(_may_hold(attributes, patterns))):
            changed = False
            for column in columns:
                value = getattr(row, column)
                new = matcher.sub(value, ERASED)
                if new != value:
                    setattr(row, column, _fit(model, column, new))
                    changed = True
            rewritten += changed
        counts[kind] = rewritten
    db.session.flush()
    return counts


def _scrub_notifications(matcher: Matcher) -> int:
    """Notices keep a copy of what they announce (an action item's text, a project's name) in `params`."""
    text = sa.cast(Notification.params, sa.Text)
    patterns = sorted(set(matcher.like_patterns()) | set(matcher.like_patterns(json_escaped=True)))
    rewritten = 0
    for notice in db.session.scalars(sa.select(Notification).where(_may_hold([text], patterns))):
        params = _scrub(notice.params or {}, matcher)
        if params != notice.params:
            notice.params = params
            rewritten += 1
    db.session.flush()
    return rewritten


def _candidate_events(matcher: Matcher, exclude_ids: set[int]) -> list[AuditEvent]:
    """Events whose stored JSON may quote the member (as typed, or JSON-escaped when not ASCII); the
    Python scrub decides. Erasures are rare: correctness matters more than this scan."""
    text = sa.cast(AuditEvent.changes, sa.Text)
    patterns = sorted(set(matcher.like_patterns()) | set(matcher.like_patterns(json_escaped=True)))
    stmt = sa.select(AuditEvent).where(AuditEvent.changes.is_not(None), _may_hold([text], patterns))
    if exclude_ids:
        stmt = stmt.where(AuditEvent.id.not_in(exclude_ids))
    return list(db.session.scalars(stmt))


def erase_member(actor, member: Member, reason: str | None) -> ErasureResult:
    """Removes the member's identifying fields, rewrites every free text that quotes them (FREE_TEXT) and
    scrubs them from the audit trail; every figure stays.

    The erasure is audited (action "member.erase") with the names of the erased fields, the reason and the
    number of places rewritten, never their values. Raises ServiceError when the member was already erased
    or no reason is given.
    """
    if member.erased_at is not None:
        raise ServiceError(_l("Ce membre a déjà été effacé."))
    reason = " ".join(_printable(reason).split())
    if not reason:
        raise ServiceError(_l("Indiquez le motif de l'effacement (par exemple la demande de la personne)."),
                           field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_l("Le motif ne doit pas dépasser %(n)s caractères.", n=REASON_MAX), field="reason")

    own_events = _member_events(member.id)
    matcher = member_matcher(member, own_events)
    scrubbed = 0
    for event in own_events:
        changes = _scrub(_scrub_own_fields(event.changes or {}), matcher)
        if event.changes and changes != event.changes:
            event.changes = changes
            scrubbed += 1
    rewritten = {}
    if matcher:
        for event in _candidate_events(matcher, {e.id for e in own_events}):
            changes = _scrub(event.changes, matcher)
            if changes != event.changes:
                event.changes = changes
                scrubbed += 1
        reason = matcher.sub(reason, ERASED)
        rewritten = rewrite_free_text(matcher)
        rewritten["notifications"] = _scrub_notifications(matcher)

    erased = [name for name in IDENTIFYING_FIELDS if getattr(member, name)]
    member.full_name = erased_name(member.id)
    member.phone = member.email = member.role_title = None
    member.erased_at = utcnow()
    db.session.flush()
    audit.record(actor, "member.erase", "member", member.id, {
        "erased_fields": [None, erased], "reason": [None, reason], "scrubbed_audit_events": [None, scrubbed],
        "rewritten": [None, {kind: n for kind, n in rewritten.items() if n}],
    })
    db.session.flush()
    return ErasureResult(erased_fields=erased, scrubbed_events=scrubbed, rewritten=rewritten)
