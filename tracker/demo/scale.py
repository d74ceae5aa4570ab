"""The DESIGN §10 scale data set: a fictional national programme for benchmarks.

At fraction 1: 200 cohorts (one of 500 projects), 20,000 projects, 60,000 members, 400,000 mentoring
sessions, 2,000,000 indicator values, with trainings, attendance, action items, milestones, targets and
period reports in proportion. Per project the shape is fixed, so every count is proportional to the number
of projects: 3 members (one lead), 20 sessions, 5 milestones, 8 quarterly reports holding 12 or 13 values
(100 a project), 5 targets; 10 trainings a cohort with 1.5 recorded attendances per project and training.

Rows are written in bulk, never through the ORM: PostgreSQL COPY, else SQLAlchemy Core executemany in
batches. Ids are assigned here (continuing after the largest existing id) so no row needs a RETURNING; on
PostgreSQL the sequences are moved past them at the end. Every row follows the app's rules (one lead per
project, approved values only in approved reports, reviewer ≠ submitter, achieved milestones dated…).
"""

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.auth.services import hash_password
from tracker.cohorts.models import Cohort, Frequency
from tracker.core.models import utcnow
from tracker.core.permissions import Role
from tracker.core.services import ServiceError
from tracker.demo import data
from tracker.extensions import db
from tracker.indicators.catalogue import ensure_default_catalogue
from tracker.indicators.models import Indicator, Target
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode
from tracker.milestones.models import Milestone, MilestoneCategory, MilestoneStatus
from tracker.periods import end_sums, value_sums
from tracker.periods.calendar import periods_between
from tracker.periods.models import DISAGGREGATED_CELLS, Cell, IndicatorValue, PeriodReport, ReportStatus
from tracker.portfolio import attention
from tracker.projects.models import (
    DEFAULT_CONSENT_PURPOSE,
    LegalForm,
    Member,
    MemberRole,
    Project,
    ProjectStatus,
    Sector,
    Sex,
    Stage,
    project_holders,
    project_staff,
)
from tracker.trainings.models import Attendance, Topic, Training, TrainingMode

FULL = {"cohorts": 200, "projects": 20_000, "big_cohort": 500}
MEMBERS_PER_PROJECT = 3
SESSIONS_PER_PROJECT = 20
MILESTONES_PER_PROJECT = 5
REPORTS_PER_PROJECT = 8  # eight ended quarters
TRAININGS_PER_COHORT = 10
PROJECTS_PER_MENTOR = 25
HOLDER_EVERY = 10  # one project in ten has a holder account
SLUG_PREFIX = "scale-"
BIG_COHORT_SLUG = "scale-000-grand"
EMAIL_DOMAIN = "example.org"
BATCH = 10_000
DISAGGREGATED = ("jobs_created", "employees")  # five cells each
TOTAL_ONLY = ("revenue", "customers")
EVEN_QUARTERS_ONLY = "funding_raised"  # reported every other quarter: 12 or 13 values a report
PROVINCES = ("Safi", "Marrakech", "Essaouira", "El Jadida", "Agadir Ida-Outanane", "Fès", "Meknès", "Oujda-Angad",
             "Tanger-Assilah", "Béni Mellal", "Ouarzazate", "Errachidia", "Taroudant", "Khouribga", "Settat")
NAME_WORDS = ("Atelier", "Coopérative", "Ferme", "Studio", "Maison", "Réseau", "Jardin", "Fabrique", "Comptoir")
NAME_THEMES = ("Argane", "Safran", "Numérique", "Olivier", "Cactus", "Tissage", "Miel", "Code", "Sel", "Dattes")


@dataclass
class ScalePlan:
    cohorts: int
    projects: int
    big_cohort: int

    @classmethod
    def for_fraction(cls, fraction: float) -> "ScalePlan":
        if not 0 < fraction <= 1:
            raise ServiceError("--fraction must be greater than 0 and at most 1.")
        cohorts = max(2, round(FULL["cohorts"] * fraction))
        projects = max(2 * cohorts, round(FULL["projects"] * fraction))
        big = min(max(2, round(FULL["big_cohort"] * fraction)), projects - (cohorts - 1))
        return cls(cohorts, projects, big)

    def sizes(self) -> list[int]:
        """Projects per cohort: the big one first, the rest spread evenly."""
        rest, others = self.projects - self.big_cohort, self.cohorts - 1
        return [self.big_cohort] + [rest // others + (1 if i < rest % others else 0) for i in range(others)]


@dataclass
class _Ids:
    """The next id of each table, continuing after the rows already there."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class _Writer:
    """Bulk rows into one table at a time: COPY on PostgreSQL, Core executemany elsewhere."""

    def __init__(self) -> None:
        self.conn = db.session.connection()
        self.postgres = self.conn.dialect.name == "postgresql"
        self.written: dict[str, int] = {}

    def write(self, table: sa.Table, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        count = 0
        if self.postgres:
            cursor = self.conn.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            batch: list[dict] = []
            statement = table.insert()
            for row in rows:
                batch.append(dict(zip(columns, row, strict=True)))
                if len(batch) >= BATCH:
                    self.conn.execute(statement, batch)
                    count += len(batch)
                    batch = []
            if batch:
                self.conn.execute(statement, batch)
                count += len(batch)
        self.written[table.name] = self.written.get(table.name, 0) + count


_TABLES = {
    "users": User.__table__, "cohorts": Cohort.__table__, "projects": Project.__table__,
    "members": Member.__table__, "mentoring_sessions": MentoringSession.__table__,
    "action_items": ActionItem.__table__, "milestones": Milestone.__table__,
    "period_reports": PeriodReport.__table__, "indicator_values": IndicatorValue.__table__,
    "targets": Target.__table__, "trainings": Training.__table__, "attendances": Attendance.__table__,
}


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9 + rng.randint(0, 8), rng.randint(0, 59), tzinfo=dt.UTC)


def _name(rng: random.Random, sex: Sex | None) -> str:
    first = rng.choice(data.FEMALE_NAMES if sex == Sex.F else data.MALE_NAMES)[0]
    return f"{first} {rng.choice(data.FAMILY_NAMES)[0]}"


def scale_exists() -> bool:
    return db.session.scalar(sa.select(Cohort.id).where(Cohort.slug == BIG_COHORT_SLUG)) is not None


def load_scale(password: str, fraction: float = 1.0, seed: int = 1, today: dt.date | None = None,
               progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write the scale set in the current transaction (the caller commits); returns rows per table.

    `progress(n)` is called after each cohort with its number of projects."""
    plan = ScalePlan.for_fraction(fraction)
    if scale_exists():
        raise ServiceError(f"The scale data set is already loaded (cohort {BIG_COHORT_SLUG}).")
    ensure_default_catalogue()
    today = today or dt.date.today()
    ids = _Ids({name: (db.session.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1 for name, t in _TABLES.items()})
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator))}
    writer = _Writer()
    builder = _Builder(plan, writer, ids, indicators, today, seed, password)
    builder.users()
    start = 0
    for c, size in enumerate(plan.sizes()):
        builder.cohort(c, start, size)
        start += size
        if progress:
            progress(size)
    _finish(writer)
    return {name: writer.written.get(name, 0) for name in (*_TABLES, "project_staff", "project_holders")}


def _finish(writer: _Writer) -> None:
    value_sums.rebuild(writer.conn)  # the values went in by COPY, past the ORM that keeps the sums
    end_sums.rebuild(writer.conn)  # and so did the reports
    attention.invalidate(writer.conn, sa.select(Project.id))  # so did the projects: their figures are to compute
    if writer.postgres:
        for name in _TABLES:
            # Table names come from the constant _TABLES, never from input.
            statement = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 1) FROM {name}))"  # noqa: E501  # nosec B608
            writer.conn.execute(sa.text(statement))
        # The planner needs the new sizes.
        for name in (*_TABLES, "project_staff", "project_holders", "report_value_sums", "indicator_end_sums",
                     "project_attention"):
            db.session.execute(sa.text(f"ANALYZE {name}"))  # counts this transaction's own rows


class _Builder:
    def __init__(self, plan: ScalePlan, writer: _Writer, ids: _Ids, indicators: dict[str, Indicator],
                 today: dt.date, seed: int, password: str) -> None:
        self.plan, self.w, self.ids, self.today = plan, writer, ids, today
        self.rng = random.Random(seed)
        self.now = utcnow()
        self.ind = indicators
        self.start = _add_months(_quarter_start(today), -3 * REPORTS_PER_PROJECT)
        self.end = _add_months(self.start, 36) - dt.timedelta(days=1)
        self.quarters = [p for p in periods_between(Frequency.QUARTERLY, self.start, self.end) if p.end < today]
        self.quarters = self.quarters[:REPORTS_PER_PROJECT]
        self.password_hash = hash_password(password)
        self.mentors: list[int] = []
        self.managers: list[int] = []
        self.holders: dict[int, int] = {}  # project index → holder user id

    # ------------------------------------------------------------ users
    def users(self) -> None:
        n_mentors = max(2, -(-self.plan.projects // PROJECTS_PER_MENTOR))
        rows = []

        def user(email: str, name: str, role: Role) -> int:
            uid = self.ids.take("users")
            rows.append((uid, email, name, self.password_hash, role.value, "fr", True, 0,
                         secrets.token_urlsafe(32), 1, self.now, self.now))
            return uid

        user(f"scale.admin@{EMAIL_DOMAIN}", "Admin Échelle", Role.ADMIN)
        self.managers = [user(f"scale.manager{i}@{EMAIL_DOMAIN}", f"Responsable Échelle {i}", Role.MANAGER)
                         for i in range(1, 4)]
        self.mentors = [user(f"scale.staff{i:04d}@{EMAIL_DOMAIN}", f"Chargé·e de suivi {i:04d}", Role.STAFF)
                        for i in range(1, n_mentors + 1)]
        for p in range(0, self.plan.projects, HOLDER_EVERY):
            self.holders[p] = user(f"scale.holder{p + 1:05d}@{EMAIL_DOMAIN}", f"Porteur·se {p + 1:05d}", Role.HOLDER)
        self.w.write(_TABLES["users"], ("id", "email", "display_name", "password_hash", "role", "locale", "active",
                                        "failed_login_count", "session_token", "version", "created_at",
                                        "updated_at"), rows)

    # ------------------------------------------------------------ one cohort and its projects
    def cohort(self, c: int, first_project: int, size: int) -> None:
        rng = self.rng
        cid = self.ids.take("cohorts")
        province = PROVINCES[c % len(PROVINCES)]
        slug = BIG_COHORT_SLUG if c == 0 else f"{SLUG_PREFIX}{c:03d}"
        name = f"Cohorte échelle {c:03d} — {province}" + (" (grande)" if c == 0 else "")
        self.w.write(_TABLES["cohorts"], (
            "id", "slug", "name", "programme", "city", "province", "forum_date", "start_date", "end_date",
            "reporting_frequency", "version", "created_at", "updated_at",
        ), [(cid, slug, name, "Programme national fictif", province, province, self.start - dt.timedelta(days=30),
             self.start, self.end, Frequency.QUARTERLY.value, 1, self.now, self.now)])

        projects, members, staff, holders = [], [], [], []
        leads: list[tuple[int, list[int]]] = []  # (project id, member ids) for attendance
        per_project = []
        for k in range(size):
            index = first_project + k
            pid = self.ids.take("projects")
            status = rng.choices(list(ProjectStatus), weights=(85, 5, 5, 5))[0]
            projects.append((
                pid, cid, f"S{c:03d}-{k + 1:04d}",
                f"{rng.choice(NAME_WORDS)} {rng.choice(NAME_THEMES)} {province} {index + 1:05d}",
                list(Sector)[index % 4].value, "Projet fictif du jeu de données d'échelle.",
                rng.choice(list(Stage)).value, rng.choice(list(LegalForm)).value, province, province,
                status.value, None if status == ProjectStatus.ACTIVE else self.today - dt.timedelta(days=90),
                1, self.now, self.now,
            ))
            mentor = self.mentors[index // PROJECTS_PER_MENTOR % len(self.mentors)]
            staff.append((pid, mentor))
            holder = self.holders.get(index)
            if holder:
                holders.append((pid, holder))
            mids = self._members(pid, members)
            leads.append((pid, mids))
            per_project.append((pid, mentor, holder, status))
        self.w.write(_TABLES["projects"], (
            "id", "cohort_id", "code", "name", "sector", "summary", "stage", "legal_form", "province", "commune",
            "status", "status_date", "version", "created_at", "updated_at",
        ), projects)
        self.w.write(_TABLES["members"], (
            "id", "project_id", "full_name", "sex", "birth_date", "role", "role_title", "is_lead", "ownership_pct",
            "email", "consent_date", "consent_purpose", "version", "created_at", "updated_at",
        ), members)
        self.w.write(project_staff, ("project_id", "user_id"), staff)
        self.w.write(project_holders, ("project_id", "user_id"), holders)
        self._trainings(cid, leads)
        self._mentoring(per_project)
        self._milestones(per_project)
        self._reports(per_project)

    def _members(self, pid: int, out: list) -> list[int]:
        rng = self.rng
        ids = []
        for n in range(MEMBERS_PER_PROJECT):
            mid = self.ids.take("members")
            sex = rng.choices((Sex.F, Sex.M, None), weights=(45, 50, 5))[0]
            age = rng.randint(18, 60)
            birth = None if rng.random() < 0.05 else self.today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
            lead = n == 0
            role = MemberRole.FOUNDER if lead else rng.choice((MemberRole.CO_FOUNDER, MemberRole.EMPLOYEE))
            share = Decimal(60) if lead else (Decimal(20) if role == MemberRole.CO_FOUNDER else None)
            email = f"membre.{mid}@{EMAIL_DOMAIN}" if rng.random() < 0.5 else None
            out.append((mid, pid, _name(rng, sex), sex.value if sex else None, birth, role.value,
                        "Porteur·se du projet" if lead else None, lead, share, email, self.start,
                        DEFAULT_CONSENT_PURPOSE, 1, self.now, self.now))
            ids.append(mid)
        return ids

    def _trainings(self, cid: int, teams: list[tuple[int, list[int]]]) -> None:
        rng = self.rng
        trainings, attendances = [], []
        span = (self.today - self.start).days - 20
        topics = list(Topic)
        for t in range(TRAININGS_PER_COHORT):
            tid = self.ids.take("trainings")
            day = self.start + dt.timedelta(days=10 + span * t // TRAININGS_PER_COHORT)
            topic = topics[t % len(topics)]
            trainings.append((tid, cid, f"Formation {t + 1} : {topic.value.replace('_', ' ')}", topic.value, day,
                              Decimal(rng.choice((2, 3, 4, 6))), "Formatrice fictive", "Salle du programme",
                              TrainingMode.IN_PERSON.value, 1, self.now, self.now))
            for p, (_pid, mids) in enumerate(teams):
                recorded = mids[:2] if (p + t) % 2 == 0 else mids[:1]  # 1.5 recorded a project on average
                for mid in recorded:
                    attendances.append((self.ids.take("attendances"), tid, mid, rng.random() < 0.85))
        self.w.write(_TABLES["trainings"], ("id", "cohort_id", "title", "topic", "date", "duration_hours", "trainer",
                                            "place", "mode", "version", "created_at", "updated_at"), trainings)
        self.w.write(_TABLES["attendances"], ("id", "training_id", "member_id", "present"), attendances)

    def _mentoring(self, projects: list) -> None:
        rng = self.rng
        sessions, items = [], []
        first = self.start + dt.timedelta(days=15)
        modes = list(SessionMode)
        for pid, mentor, _holder, status in projects:
            # One active project in ten was not seen lately: it ranks high in its mentor's portfolio.
            last = self.today - dt.timedelta(days=1 if rng.random() > 0.1 else 90)
            if status != ProjectStatus.ACTIVE:
                last = self.today - dt.timedelta(days=90)
            span = (last - first).days
            for s in range(SESSIONS_PER_PROJECT):
                sid = self.ids.take("mentoring_sessions")
                day = first + dt.timedelta(days=span * (s + 1) // SESSIONS_PER_PROJECT)
                sessions.append((sid, pid, mentor, day, rng.choice((30, 45, 60, 90, 120)), rng.choice(modes).value,
                                 "Suivi du plan d'affaires", "Point d'étape partagé avec le projet.", None,
                                 1, self.now, self.now))
                if rng.random() < 0.5:
                    due = day + dt.timedelta(days=rng.randint(14, 45))
                    done = None
                    if due < self.today and rng.random() < 0.7:
                        done = min(max(day, due + dt.timedelta(days=rng.randint(-10, 10))), self.today)
                    owner = ActionOwner.PROJECT if rng.random() < 0.8 else ActionOwner.STAFF
                    items.append((self.ids.take("action_items"), sid, "Action convenue lors de la séance",
                                  owner.value, mentor if owner == ActionOwner.STAFF else None, due, done,
                                  self.now, self.now))
        self.w.write(_TABLES["mentoring_sessions"], (
            "id", "project_id", "mentor_id", "date", "duration_minutes", "mode", "topics", "shared_summary",
            "staff_notes", "version", "created_at", "updated_at",
        ), sessions)
        self.w.write(_TABLES["action_items"], ("id", "session_id", "description", "owner_kind", "owner_user_id",
                                               "due_date", "done_date", "created_at", "updated_at"), items)

    def _milestones(self, projects: list) -> None:
        rng = self.rng
        rows = []
        categories = list(MilestoneCategory)
        horizon = (self.end - self.start).days
        for pid, _mentor, _holder, _status in projects:
            for m in range(MILESTONES_PER_PROJECT):
                planned = self.start + dt.timedelta(days=horizon * (m + 1) // (MILESTONES_PER_PROJECT + 1))
                achieved = None
                if planned < self.today:
                    status = rng.choices((MilestoneStatus.ACHIEVED, MilestoneStatus.DELAYED,
                                          MilestoneStatus.IN_PROGRESS, MilestoneStatus.DROPPED,
                                          MilestoneStatus.PLANNED), weights=(55, 15, 10, 5, 15))[0]
                    if status == MilestoneStatus.ACHIEVED:
                        achieved = min(planned + dt.timedelta(days=rng.randint(-30, 30)), self.today)
                else:
                    status = rng.choice((MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS))
                category = categories[m % len(categories)]
                rows.append((self.ids.take("milestones"), pid, f"Jalon {m + 1} : {category.value.replace('_', ' ')}",
                             category.value, planned, status.value, achieved, 1, self.now, self.now))
        self.w.write(_TABLES["milestones"], ("id", "project_id", "title", "category", "planned_date", "status",
                                             "achieved_date", "version", "created_at", "updated_at"), rows)

    def _reports(self, projects: list) -> None:
        rng = self.rng
        reports, values, targets = [], [], []
        codes = (*DISAGGREGATED, *TOTAL_ONLY, EVEN_QUARTERS_ONLY)
        yesterday = self.today - dt.timedelta(days=1)
        last = len(self.quarters) - 1
        for p, (pid, mentor, holder, _status) in enumerate(projects):
            scale = 1 + (p % 7)
            for code in codes:
                ind = self.ind[code]
                flow = ind.kind == "flow"
                targets.append((self.ids.take("targets"), pid, ind.id, Decimal(0) if flow else Decimal(scale),
                                self.start, Decimal(scale * (40 if code in TOTAL_ONLY else 4)), self.end,
                                1, self.now, self.now))
            for k, period in enumerate(self.quarters):
                if k < last - 1:
                    status = ReportStatus.APPROVED
                elif k == last - 1:
                    status = rng.choices(list(ReportStatus), weights=(0, 10, 80, 10))[0]
                else:
                    status = rng.choices(list(ReportStatus), weights=(20, 40, 30, 10))[0]
                rid = self.ids.take("period_reports")
                submitter = submitted_at = reviewer = reviewed_at = None
                if status != ReportStatus.DRAFT:
                    submitter = holder or mentor
                    submitted_at = _moment(min(period.end + dt.timedelta(days=rng.randint(3, 20)), yesterday), rng)
                if status in (ReportStatus.APPROVED, ReportStatus.RETURNED):
                    # Nobody reviews their own entry: the mentor's entries go to a manager.
                    reviewer = rng.choice(self.managers) if submitter == mentor else mentor
                    reviewed_day = min(submitted_at.date() + dt.timedelta(days=rng.randint(1, 10)), yesterday)
                    reviewed_at = _moment(reviewed_day, rng) if reviewed_day > submitted_at.date() else submitted_at
                reports.append((rid, pid, period.label, period.start, period.end, status.value,
                                "Activité régulière ce trimestre.", None, None, submitter, submitted_at, reviewer,
                                reviewed_at, "Retour : compléter les chiffres." if status == ReportStatus.RETURNED
                                else None, 1, self.now, self.now))
                for code in DISAGGREGATED:
                    ind = self.ind[code]
                    for cell in DISAGGREGATED_CELLS:
                        values.append((self.ids.take("indicator_values"), rid, ind.id, cell.value,
                                       Decimal(rng.randint(0, 2) if code == "jobs_created" else scale // 2)))
                for code in TOTAL_ONLY + ((EVEN_QUARTERS_ONLY,) if k % 2 == 0 else ()):
                    ind = self.ind[code]
                    values.append((self.ids.take("indicator_values"), rid, ind.id, Cell.TOTAL.value,
                                   Decimal(rng.randint(0, 20) * (1000 if ind.unit == "MAD" else 1))))
        self.w.write(_TABLES["targets"], ("id", "project_id", "indicator_id", "baseline_value", "baseline_date",
                                          "target_value", "target_date", "version", "created_at", "updated_at"),
                     targets)
        self.w.write(_TABLES["period_reports"], (
            "id", "project_id", "period_label", "period_start", "period_end", "status", "highlights",
            "difficulties", "support_needed", "submitted_by_id", "submitted_at", "reviewed_by_id", "reviewed_at",
            "review_comment", "version", "created_at", "updated_at",
        ), reports)
        self.w.write(_TABLES["indicator_values"], ("id", "report_id", "indicator_id", "cell", "value"), values)
