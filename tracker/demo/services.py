"""`flask demo load`: the fictional demo cohort of DESIGN §11, built from tracker.demo.data.

Idempotent by natural keys: accounts by e-mail, the cohort by slug, projects by code within the cohort,
trainings by title within the cohort. A project's own content (team, milestones, evidence, targets,
period reports, mentoring) and a training's attendance are created with their parent and never again,
so a second run creates nothing and never overwrites what users changed in the demo since.

Dates are laid out around `today`: the cohort started about 18 months ago, reports exist for the
quarters that have ended, and every milestone, action item and report status shows up.
Team and account rules go through their services (one lead, shares ≤ 100, consent, password length);
the rest is built from the models. Nothing is committed here: the caller commits once.
"""

import datetime as dt
import hashlib
import random
import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app

from tracker.auth.models import User
from tracker.auth.services import check_password_rules, create_user, get_by_email
from tracker.cohorts.models import Cohort, Frequency
from tracker.cohorts.services import create_cohort, get_by_slug
from tracker.core.permissions import Role
from tracker.demo import data
from tracker.extensions import db
from tracker.indicators.catalogue import ensure_default_catalogue
from tracker.indicators.models import Indicator, IndicatorKind, Target
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode
from tracker.milestones.models import Attachment, Milestone, MilestoneCategory, MilestoneStatus
from tracker.periods.models import DISAGGREGATED_CELLS, Cell, IndicatorValue, PeriodReport, ReportStatus
from tracker.projects.models import MemberRole, Project, ProjectStatus, Sector, Sex
from tracker.projects.services import add_member, create_project
from tracker.trainings.models import Attendance, Training

T = TypeVar("T")
COUNT_KEYS = (
    "indicators", "users", "cohorts", "projects", "members", "holder_links", "trainings", "attendances",
    "milestones", "attachments", "mentoring_sessions", "action_items", "targets", "period_reports",
    "indicator_values",
)
SUPPORT_MONTHS = 24
HISTORY_MONTHS = 18
# Demo assumption for how reported people spread: mostly young, women slightly ahead, a few not stated.
CELL_WEIGHTS = (34, 14, 32, 14, 6)


@dataclass
class _Context:
    today: dt.date
    cohort: Cohort
    start: dt.date
    end: dt.date
    forum: dt.date
    users: dict[str, User]
    indicators: dict[str, Indicator]
    created: Counter


def load_demo(password: str, today: dt.date | None = None) -> dict[str, int]:
    """Create whatever part of the demo is missing; returns how many rows of each kind were created.

    Raises ServiceError when the password breaks the password rules; nothing is committed either way,
    so the caller commits or rolls back.
    """
    check_password_rules(password)  # even when every account exists, so a bad password never passes silently
    today = today or dt.date.today()
    created: Counter = Counter()
    created["indicators"] = ensure_default_catalogue()
    users = _ensure_staff_accounts(password, created)
    cohort = _ensure_cohort(today, created)
    start, end, forum = _cohort_window(cohort, today)
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator))}
    ctx = _Context(today, cohort, start, end, forum, users, indicators, created)
    projects = _ensure_projects(ctx, password)
    for account in data.ACCOUNTS:
        if account.project_code and account.project_code in projects:
            _ensure_holder(ctx, account, projects[account.project_code], password)
    _ensure_trainings(ctx, projects)
    db.session.flush()
    from tracker.notifications import scan

    scan.run(today)  # the inboxes as the daily digest would have left them today (idempotent)
    return {key: created[key] for key in COUNT_KEYS}


# ---------------------------------------------------------------- dates

def _add_months(day: dt.date, months: int) -> dt.date:
    """Same day of month `months` later (or earlier); only called with day 1, so always valid."""
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _ended_quarters(start: dt.date, today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of every quarter from the cohort start that ended before today."""
    quarters = []
    first = _quarter_start(start)
    while True:
        following = _add_months(first, 3)
        last = following - dt.timedelta(days=1)
        if last >= today:
            return quarters
        quarters.append((f"{first.year}-T{(first.month - 1) // 3 + 1}", first, last))
        first = following


def _cohort_window(cohort: Cohort, today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """(start, end, forum) of the cohort; a cohort created by hand without dates gets the demo's."""
    start = cohort.start_date or _quarter_start(_add_months(today.replace(day=1), -HISTORY_MONTHS))
    end = cohort.end_date or _add_months(start, SUPPORT_MONTHS) - dt.timedelta(days=1)
    forum = cohort.forum_date or start - dt.timedelta(days=24)
    return start, end, forum


def _days(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def _between(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return _days(low, rng.randint(0, max(0, (high - low).days)))


def _birth_date(today: dt.date, age: int, days_before: int) -> dt.date:
    """A birth date at which the person is exactly `age` on `today` (29 February falls back to the 28th)."""
    try:
        anniversary = today.replace(year=today.year - age)
    except ValueError:
        anniversary = today.replace(year=today.year - age, day=28)
    return anniversary - dt.timedelta(days=days_before)


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


# ---------------------------------------------------------------- accounts and cohort

def _ensure_staff_accounts(password: str, created: Counter) -> dict[str, User]:
    """Existing accounts are kept as they are (their password too): the demo never resets credentials."""
    users = {}
    for account in data.ACCOUNTS:
        if account.role == Role.HOLDER:
            continue
        user = get_by_email(account.email)
        if user is None:
            user = create_user(None, email=account.email, display_name=account.display_name, role=account.role,
                               password=password, locale=account.locale)
            created["users"] += 1
        users[account.key] = user
    return users


def _ensure_holder(ctx: _Context, account: data.AccountSpec, project: Project, password: str) -> User:
    user = get_by_email(account.email)
    if user is None:
        lead = project.lead
        user = create_user(None, email=account.email, display_name=lead.full_name if lead else account.email,
                           role=account.role, password=password, locale=account.locale, project_ids=[project.id])
        ctx.created["users"] += 1
        ctx.created["holder_links"] += 1
    elif user.role == Role.HOLDER and project not in user.projects:
        user.projects.append(project)
        ctx.created["holder_links"] += 1
    ctx.users[account.key] = user
    return user


def _ensure_cohort(today: dt.date, created: Counter) -> Cohort:
    cohort = get_by_slug(data.COHORT["slug"])
    if cohort is not None:
        return cohort
    start = _quarter_start(_add_months(today.replace(day=1), -HISTORY_MONTHS))
    created["cohorts"] += 1
    return create_cohort(None, data.COHORT | {
        "forum_date": start - dt.timedelta(days=24),
        "start_date": start,
        "end_date": _add_months(start, SUPPORT_MONTHS) - dt.timedelta(days=1),
        "reporting_frequency": Frequency.QUARTERLY,
    })


# ---------------------------------------------------------------- projects and teams

def _ensure_projects(ctx: _Context, password: str) -> dict[str, Project]:
    projects = {
        p.code: p for p in db.session.scalars(sa.select(Project).where(Project.cohort_id == ctx.cohort.id))
    }
    for spec in data.PROJECTS:
        if spec.code not in projects:
            projects[spec.code] = _create_project(ctx, spec, password)
    return projects


def _status_date(ctx: _Context, spec: data.ProjectSpec) -> dt.date | None:
    if spec.status == ProjectStatus.ACTIVE:
        return None
    return _days(ctx.start, int((ctx.today - ctx.start).days * spec.status_at))


def _member_data(ctx: _Context, member: data.MemberSpec) -> dict:
    return {
        "full_name": member.full_name,
        "sex": member.sex,
        "birth_date": None if member.age is None else _birth_date(ctx.today, member.age, member.birth_day),
        "role": member.role,
        "role_title": member.role_title,
        "is_lead": member.is_lead,
        "ownership_pct": member.ownership_pct,
        "phone": member.phone,
        "email": member.email,
        "consent_date": min(_days(ctx.forum, member.consent_days), ctx.today),
    }


def _create_project(ctx: _Context, spec: data.ProjectSpec, password: str) -> Project:
    """The project, its team and everything that happened to it since the forum."""
    rng = random.Random(f"{data.SEED}:{spec.code}")  # per project: the same content whatever else exists
    registration = None if spec.registration_days is None else min(_days(ctx.start, spec.registration_days),
                                                                   ctx.today)
    project_data = {
        "cohort_id": ctx.cohort.id, "code": spec.code, "name": spec.name, "sector": spec.sector,
        "sub_sector": spec.sub_sector, "summary": spec.summary, "stage": spec.stage,
        "legal_form": spec.legal_form, "registration_date": registration, "province": "Safi",
        "commune": spec.commune, "status": spec.status, "status_date": _status_date(ctx, spec),
        "status_reason": spec.status_reason,
    }
    staff_ids = [ctx.users[spec.mentor].id] + ([ctx.users["manager"].id] if spec.with_manager else [])
    lead, *others = spec.members
    project = create_project(None, project_data, _member_data(ctx, lead), staff_ids, today=ctx.today)
    for member in others:
        add_member(None, project, _member_data(ctx, member), today=ctx.today)
    ctx.created["projects"] += 1
    ctx.created["members"] += len(spec.members)
    # Holders exist before their project's reports, so the reports they submitted carry their name.
    for account in data.ACCOUNTS:
        if account.project_code == spec.code:
            _ensure_holder(ctx, account, project, password)
    milestones = _add_milestones(ctx, project, spec, rng)
    _add_targets_and_reports(ctx, project, spec, rng)
    _add_mentoring(ctx, project, spec, milestones, rng)
    return project


def _active_until(ctx: _Context, project: Project) -> dt.date:
    """Last day the project was followed: yesterday, or the day it was paused, dropped or graduated."""
    return project.status_date or ctx.today - dt.timedelta(days=1)


# ---------------------------------------------------------------- milestones and evidence

_FIRST_MILESTONE_STATUSES = ((MilestoneStatus.ACHIEVED, 70), (MilestoneStatus.IN_PROGRESS, 15),
                             (MilestoneStatus.DELAYED, 15))
_LATER_MILESTONE_STATUSES = ((MilestoneStatus.PLANNED, 30), (MilestoneStatus.IN_PROGRESS, 22),
                             (MilestoneStatus.ACHIEVED, 20), (MilestoneStatus.DELAYED, 18),
                             (MilestoneStatus.DROPPED, 10))


def _draw(rng: random.Random, weighted: tuple[tuple[T, int], ...]) -> T:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def _milestone_dates(ctx: _Context, status: MilestoneStatus, rng: random.Random) -> tuple[dt.date, dt.date | None]:
    """(planned date, achieved date) that make sense for the status; planned/in-progress ones may be late."""
    earliest, yesterday = _days(ctx.start, 30), ctx.today - dt.timedelta(days=1)
    if status == MilestoneStatus.ACHIEVED:
        achieved = _between(rng, earliest, yesterday)
        planned = max(_days(achieved, rng.randint(-45, 40)), _days(ctx.start, 14))
        return planned, achieved
    if status == MilestoneStatus.DELAYED:
        return _between(rng, earliest, ctx.today - dt.timedelta(days=10)), None
    if status == MilestoneStatus.IN_PROGRESS:
        return _days(ctx.today, rng.randint(-60, 120)), None
    if status == MilestoneStatus.PLANNED:
        return _between(rng, ctx.today - dt.timedelta(days=30), ctx.end), None
    return _between(rng, earliest, ctx.end), None


def _add_milestones(ctx: _Context, project: Project, spec: data.ProjectSpec,
                    rng: random.Random) -> list[Milestone]:
    templates = data.MILESTONES[spec.sector]
    chosen = sorted(rng.sample(range(len(templates)), rng.randint(2, 4)))
    milestones = []
    for n, index in enumerate(chosen):
        category, title = templates[index]
        status = _draw(rng, _FIRST_MILESTONE_STATUSES if n == 0 else _LATER_MILESTONE_STATUSES)
        if n == 0 and spec.code in data.EVIDENCE_FILE_PROJECTS:
            status = MilestoneStatus.ACHIEVED
        if spec.status == ProjectStatus.DROPPED and status != MilestoneStatus.ACHIEVED:
            status = MilestoneStatus.DROPPED  # an abandoned project's open milestones are dropped with it
        planned, achieved = _milestone_dates(ctx, status, rng)
        milestone = Milestone(project=project, title=title, category=category, planned_date=planned,
                              status=status, achieved_date=achieved, evidence_note=_evidence_note(status, rng))
        db.session.add(milestone)
        milestones.append(milestone)
    db.session.flush()
    ctx.created["milestones"] += len(milestones)
    if spec.code in data.EVIDENCE_FILE_PROJECTS:
        _add_evidence_file(ctx, project, milestones[0], uploader=ctx.users[spec.mentor])
    return milestones


def _evidence_note(status: MilestoneStatus, rng: random.Random) -> str | None:
    if status == MilestoneStatus.ACHIEVED and rng.random() < 0.7:
        return rng.choice(data.EVIDENCE_NOTES)
    if status == MilestoneStatus.DROPPED:
        return rng.choice(data.DROPPED_NOTES)
    return None


def _add_evidence_file(ctx: _Context, project: Project, milestone: Milestone, uploader: User) -> None:
    """A real file under UPLOAD_DIR, so downloads and checksums work; content-addressed, written once.

    `stored_path` is relative to UPLOAD_DIR, so the upload folder can move without touching the rows.
    """
    caption = f"{project.code} - {milestone.title}"
    if milestone.category in (MilestoneCategory.LEGAL_REGISTRATION, MilestoneCategory.CERTIFICATION):
        name, content_type = f"attestation-{project.code.lower()}.pdf", "application/pdf"
        content = _pdf(["Attestation - document fictif de demonstration", caption])
    else:
        name, content_type = f"photo-{project.code.lower()}.png", "image/png"
        content = _png(caption)
    digest = hashlib.sha256(content).hexdigest()
    stored_path = f"demo/{digest}{Path(name).suffix}"
    target = Path(current_app.config["UPLOAD_DIR"]) / stored_path
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    db.session.add(Attachment(
        milestone=milestone, original_name=name, content_type=content_type, size_bytes=len(content),
        sha256=digest, stored_path=stored_path, uploaded_by=uploader,
    ))
    ctx.created["attachments"] += 1


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF in the standard Helvetica font (WinAnsi text, so no font file is needed)."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "".join(f"BT /F1 14 Tf 72 {770 - 24 * i} Td ({escape(line)}) Tj ET\n" for i, line in enumerate(lines))
    stream = text.encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png(caption: str, width: int = 64, height: int = 40) -> bytes:
    """A small RGB PNG whose colours and text chunk come from the caption, so each file is distinct."""
    red, green, blue = hashlib.sha256(caption.encode()).digest()[:3]
    row = bytes([0]) + bytes([red, green, blue]) * width
    band = bytes([0]) + bytes([255 - red, 255 - green, 255 - blue]) * width

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    pixels = b"".join(band if height // 3 <= y < 2 * height // 3 else row for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"Title\x00" + caption.encode("latin-1", "replace"))
            + chunk(b"IDAT", zlib.compress(pixels))
            + chunk(b"IEND", b""))


# ---------------------------------------------------------------- targets and period reports

@dataclass(frozen=True)
class _Series:
    """How an indicator moves quarter by quarter: value(k) ≈ base + step × k, flows noisy, stocks steady."""

    base: tuple[float, float]
    step: tuple[float, float]
    chance: float = 1.0  # flows only: share of quarters with a non-zero value (funding comes in lumps)
    grain: Decimal = Decimal(1)  # values are rounded to this


_SERIES = {
    "revenue": _Series((8000, 45000), (1500, 6000), grain=Decimal(100)),
    "funding_raised": _Series((20000, 150000), (0, 0), chance=0.2, grain=Decimal(1000)),
    "investment": _Series((5000, 60000), (0, 0), chance=0.35, grain=Decimal(500)),
    "jobs_created": _Series((0.2, 0.8), (0, 0.15)),
    "temporary_jobs": _Series((1, 5), (0, 0.5), chance=0.8),
    "customers": _Series((15, 180), (3, 25)),
    "people_trained": _Series((6, 30), (0, 4)),
    "training_hours": _Series((20, 110), (0, 10)),
    "products_launched": _Series((0.2, 0.7), (0, 0)),
    "employees": _Series((0, 3), (0.2, 0.6)),
    "sales_outlets": _Series((1, 4), (0.2, 0.8)),
    "women_in_management": _Series((0, 2), (0, 0.2)),
    "gross_margin": _Series((18, 50), (0, 1.5), grain=Decimal("0.1")),
}
# What each sector measures beyond revenue and jobs created.
_SECTOR_INDICATORS = {
    Sector.DIGITAL: ("customers", "products_launched", "funding_raised"),
    Sector.AGRICULTURE: ("temporary_jobs", "investment", "employees"),
    Sector.TRAINING_SERVICES: ("people_trained", "customers", "training_hours"),
    Sector.LOCAL_PRODUCTS: ("sales_outlets", "women_in_management", "gross_margin"),
}
_QUARTERS_OF_SUPPORT = SUPPORT_MONTHS // 3
_Plan = tuple[_Series, float, float]  # series, this project's base and step


def _round(value: float, grain: Decimal, rng: random.Random | None = None) -> Decimal:
    """To the grain; flow counts (given `rng`) at random, so 0.3 new jobs a quarter is sometimes 1,
    while stocks round the usual way and do not flicker from one quarter to the next."""
    if grain == 1 and rng is not None:
        return Decimal(int(value + rng.random()))
    return (Decimal(str(value)) / grain).quantize(Decimal(1), rounding=ROUND_HALF_UP) * grain


def _add_targets_and_reports(ctx: _Context, project: Project, spec: data.ProjectSpec,
                             rng: random.Random) -> None:
    extra = _SECTOR_INDICATORS[spec.sector]
    codes = ["revenue", "jobs_created", *extra[: rng.randint(1, 3)]]
    plans: dict[str, _Plan] = {}
    for code in codes:
        series = _SERIES[code]
        base, step = rng.uniform(*series.base), rng.uniform(*series.step)
        if code == "women_in_management":  # the women among the founders, as declared in the team
            base = sum(1 for m in spec.members if m.sex == Sex.F and m.role != MemberRole.EMPLOYEE)
        plans[code] = (series, base, step)
        _add_target(ctx, project, ctx.indicators[code], series, base, step, rng)
    quarters = _ended_quarters(ctx.start, ctx.today)
    until = _active_until(ctx, project)
    for k, quarter in enumerate(quarters):
        status = _report_status(spec.code, k, len(quarters))
        if quarter[2] <= until and status != "missing":
            _add_report(ctx, project, ctx.users[spec.mentor], quarter, k, ReportStatus(status), plans, rng)


def _add_target(ctx: _Context, project: Project, indicator: Indicator, series: _Series, base: float,
                step: float, rng: random.Random) -> None:
    """Flows start from 0 and aim at their expected total; stocks aim above their expected end value."""
    if indicator.kind == IndicatorKind.FLOW:
        expected = sum(base + step * k for k in range(_QUARTERS_OF_SUPPORT)) * series.chance
        baseline, target = Decimal(0), _round(expected * rng.uniform(0.9, 1.3), series.grain, rng)
    else:
        baseline = _round(base, series.grain)
        target = max(_round(base + step * _QUARTERS_OF_SUPPORT * rng.uniform(1.0, 1.4), series.grain),
                     baseline + series.grain)
    db.session.add(Target(project=project, indicator=indicator, baseline_value=baseline, baseline_date=ctx.start,
                          target_value=target, target_date=ctx.end))
    ctx.created["targets"] += 1


def _report_status(code: str, k: int, count: int) -> str:
    if k == count - 1:
        return data.LAST_REPORT_STATUS.get(code, "approved")
    if k == count - 2:
        return data.PREVIOUS_REPORT_STATUS.get(code, "approved")
    return "approved"


def _add_report(ctx: _Context, project: Project, mentor: User, quarter: tuple[str, dt.date, dt.date], k: int,
                status: ReportStatus, plans: dict[str, _Plan], rng: random.Random) -> None:
    label, first, last = quarter
    report = PeriodReport(
        project=project, period_label=label, period_start=first, period_end=last, status=status,
        highlights=rng.choice(data.HIGHLIGHTS), difficulties=rng.choice(data.DIFFICULTIES),
        support_needed=rng.choice(data.SUPPORT_NEEDED) or None,
    )
    if status != ReportStatus.DRAFT:
        _mark_submitted(ctx, report, project, mentor, rng)
    if status in (ReportStatus.APPROVED, ReportStatus.RETURNED):
        _mark_reviewed(ctx, report, mentor, status, rng)
    db.session.add(report)
    ctx.created["period_reports"] += 1
    codes = list(plans)
    if status == ReportStatus.DRAFT:  # a draft is being filled in: some indicators are still blank
        codes = codes[: rng.randint(1, len(codes))]
    for code in codes:
        _add_values(ctx, report, ctx.indicators[code], plans[code], k, rng)


def _mark_submitted(ctx: _Context, report: PeriodReport, project: Project, mentor: User,
                    rng: random.Random) -> None:
    """Holders submit their own reports; the mentor fills in the others' after the follow-up visit."""
    yesterday = ctx.today - dt.timedelta(days=1)
    holders = [u for u in ctx.users.values() if u.role == Role.HOLDER and project in u.projects]
    report.submitted_by = holders[0] if holders else mentor
    report.submitted_at = _moment(min(_days(report.period_end, rng.randint(3, 20)), yesterday), 10,
                                  rng.randint(0, 59))
    # The reviewer routing.py would choose: the mentor, or the other staff member for the mentor's own entry.
    other = ctx.users["staff2"] if mentor is ctx.users["staff"] else ctx.users["staff"]
    report.reviewer = mentor if report.submitted_by is not mentor else other


def _mark_reviewed(ctx: _Context, report: PeriodReport, mentor: User, status: ReportStatus,
                   rng: random.Random) -> None:
    """A report the mentor filled in is reviewed by the manager, so nobody approves their own entry."""
    yesterday = ctx.today - dt.timedelta(days=1)
    submitted_day = report.submitted_at.date()
    by_mentor = report.submitted_by is mentor
    report.reviewed_by = ctx.users["manager"] if by_mentor or rng.random() < 0.4 else mentor
    report.reviewed_at = _moment(min(_days(submitted_day, rng.randint(1, 10)), yesterday), 15, rng.randint(0, 59))
    if status == ReportStatus.RETURNED:
        report.review_comment = rng.choice(data.REVIEW_COMMENTS)
    elif rng.random() < 0.2:
        report.review_comment = "Merci, rapport complet."


def _add_values(ctx: _Context, report: PeriodReport, indicator: Indicator, plan: _Plan, k: int,
                rng: random.Random) -> None:
    series, base, step = plan
    if indicator.kind == IndicatorKind.FLOW:
        raw = 0.0 if rng.random() > series.chance else (base + step * k) * rng.uniform(0.7, 1.3)
        total = _round(raw, series.grain, rng)
        splitter = rng
    else:
        total = _round(base + step * k, series.grain)
        # The same people from one quarter to the next: a fixed draw per project, extended as the team grows.
        splitter = random.Random(f"{data.SEED}:{report.project.code}:{indicator.code}")
    cells = _split(int(total), splitter) if indicator.disaggregated else {Cell.TOTAL: total}
    comment = rng.choice(data.VALUE_COMMENTS) if total and rng.random() < 0.08 else None
    for n, (cell, value) in enumerate(cells.items()):  # a comment is written once, on the first cell
        report.values.append(IndicatorValue(indicator=indicator, cell=cell, value=value,
                                            comment=comment if n == 0 else None))
    ctx.created["indicator_values"] += len(cells)


def _split(total: int, rng: random.Random) -> dict[Cell, Decimal]:
    """A disaggregated count spread over the five DESIGN §4 cells (every cell written, zeros included)."""
    counts = Counter(rng.choices(DISAGGREGATED_CELLS, weights=CELL_WEIGHTS, k=total))
    return {cell: Decimal(counts[cell]) for cell in DISAGGREGATED_CELLS}


# ---------------------------------------------------------------- mentoring

_SESSION_MODES = ((SessionMode.IN_PERSON, 45), (SessionMode.FIELD_VISIT, 25), (SessionMode.PHONE, 18),
                  (SessionMode.VIDEO, 12))


def _session_dates(ctx: _Context, project: Project, rng: random.Random) -> list[dt.date]:
    """Sessions spread over the follow-up; most active projects were seen in the last two months."""
    first, until = _days(ctx.start, 15), _active_until(ctx, project)
    if until <= first:
        return []
    active = project.status == ProjectStatus.ACTIVE
    count = rng.choice((2, 2, 3, 3, 3)) if active else rng.choice((1, 2))
    last = max(first, until - dt.timedelta(days=rng.randint(2, 75) if active else rng.randint(0, 20)))
    span = (last - first).days
    dates = {_days(first, span * (i + 1) // count - rng.randint(0, span // (3 * count))) for i in range(count - 1)}
    return sorted(dates | {last})


def _add_mentoring(ctx: _Context, project: Project, spec: data.ProjectSpec, milestones: list[Milestone],
                   rng: random.Random) -> None:
    mentor = ctx.users[spec.mentor]
    dates = _session_dates(ctx, project, rng)
    for day in dates:
        session = MentoringSession(
            project=project, mentor=mentor, date=day, duration_minutes=rng.choice((30, 45, 60, 90, 120)),
            mode=_draw(rng, _SESSION_MODES), topics=", ".join(rng.sample(data.SESSION_TOPICS, 2)),
            shared_summary=rng.choice(data.SHARED_SUMMARIES),
            staff_notes=rng.choice(data.STAFF_NOTES) if rng.random() < 0.7 else None,
            next_session_date=_days(day, rng.randint(21, 42)) if rng.random() < 0.9 else None,
        )
        db.session.add(session)
        ctx.created["mentoring_sessions"] += 1
        # The latest session leaves the most to do: that is where the open action items come from.
        for _ in range(rng.choice((1, 2, 2, 3) if day == dates[-1] else (0, 1, 1, 2))):
            session.action_items.append(_action_item(ctx, session, mentor, milestones, rng))
            ctx.created["action_items"] += 1


def _action_item(ctx: _Context, session: MentoringSession, mentor: User, milestones: list[Milestone],
                 rng: random.Random) -> ActionItem:
    """Due a few weeks after the session; past-due ones are mostly done, the rest show as overdue."""
    owner, description = rng.choice(data.ACTIONS)
    due = _days(session.date, rng.randint(10, 35))
    done = rng.random() < (0.6 if due < ctx.today else 0.2)
    done_date = min(_days(session.date, rng.randint(3, (due - session.date).days + 10)), ctx.today) if done else None
    open_milestones = [m for m in milestones if m.status != MilestoneStatus.DROPPED]
    milestone = rng.choice(open_milestones) if open_milestones and rng.random() < 0.35 else None
    return ActionItem(
        description=description, owner_kind=ActionOwner(owner),
        owner_user=mentor if owner == ActionOwner.STAFF else None,
        due_date=due, done_date=done_date, milestone=milestone,
    )


# ---------------------------------------------------------------- trainings

def _ensure_trainings(ctx: _Context, projects: dict[str, Project]) -> None:
    existing = set(db.session.scalars(sa.select(Training.title).where(Training.cohort_id == ctx.cohort.id)))
    for spec in data.TRAININGS:
        if spec.title in existing:
            continue
        day = _days(ctx.today, 21) if spec.start_days is None else _days(ctx.start, spec.start_days)
        training = Training(
            cohort=ctx.cohort, title=spec.title, topic=spec.topic, date=day, duration_hours=spec.hours,
            trainer=spec.trainer, place=spec.place, mode=spec.mode, description=spec.description,
        )
        db.session.add(training)
        ctx.created["trainings"] += 1
        if day <= ctx.today:  # attendance is recorded after the session, never ahead of it
            _add_attendance(ctx, training, spec, projects)


def _add_attendance(ctx: _Context, training: Training, spec: data.TrainingSpec,
                    projects: dict[str, Project]) -> None:
    """Invited: the leads, or every founder and co-founder, of projects still followed that day."""
    rng = random.Random(f"{data.SEED}:{spec.title}")
    for code in sorted(projects):
        project = projects[code]
        if project.status_date and project.status_date < training.date:
            continue
        invited = [m for m in project.members if m.is_lead or (not spec.leads_only and m.role != MemberRole.EMPLOYEE)]
        for member in invited:
            training.attendances.append(Attendance(member=member, present=rng.random() < data.ATTENDANCE_RATE))
            ctx.created["attendances"] += 1
