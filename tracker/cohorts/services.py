"""Cohorts: one per forum edition. The slug is the stable key used by URLs, the CLI and imports."""

import re
import unicodedata

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.cohorts.models import Cohort
from tracker.core import audit
from tracker.core.services import ServiceError, check_version
from tracker.extensions import db

FIELDS = ["slug", "name", "programme", "city", "province", "forum_date", "start_date", "end_date",
          "reporting_frequency", "description"]
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def all_cohorts() -> list[Cohort]:
    """Every cohort by name: the choices of cohort fields."""
    return list(db.session.scalars(sa.select(Cohort).order_by(Cohort.name)))


def chosen_cohort(cohort_id: int | None) -> list[sa.Row]:
    """The (id, name) row of the cohort a list page is filtered on, or none: the only option its cohort filter
    renders; the others come from the cohort picker as the person types. A programme has hundreds of cohorts:
    rendering them all as options was a tenth of a portfolio page's time at scale (issue 20), and a long
    select is hard to use on a phone."""
    if cohort_id is None:
        return []
    return list(db.session.execute(sa.select(Cohort.id, Cohort.name).where(Cohort.id == cohort_id)))


def cohort_stats(cohort_ids: list[int]) -> dict[int, dict[str, int]]:
    """Projects, active projects and team members per cohort, in one aggregate query.

    The members are counted per project from the index on their project (a correlated count), not by
    joining the members table: the join read all 60,000 members of the scale set for a page of 25 cohorts
    (16 ms against 8)."""
    from tracker.projects.models import Member, Project, ProjectStatus

    stats = {cid: {"projects": 0, "active": 0, "members": 0} for cid in cohort_ids}
    if not cohort_ids:
        return stats
    members = (sa.select(sa.func.count()).select_from(Member).where(Member.project_id == Project.id)
               .correlate(Project).scalar_subquery())
    rows = db.session.execute(
        sa.select(Project.cohort_id, Project.status, sa.func.count(), sa.func.sum(members))
        .where(Project.cohort_id.in_(cohort_ids)).group_by(Project.cohort_id, Project.status)
    )
    for cohort_id, status, n, team in rows:
        stats[cohort_id]["projects"] += n
        stats[cohort_id]["members"] += int(team or 0)
        if status == ProjectStatus.ACTIVE:
            stats[cohort_id]["active"] += n
    return stats


def get_by_slug(slug: str) -> Cohort | None:
    return db.session.scalar(sa.select(Cohort).where(Cohort.slug == slug))


def _validate(data: dict, cohort_id: int | None) -> dict:
    data = {k: v for k, v in data.items() if k in FIELDS}
    data["name"] = " ".join((data.get("name") or "").split())
    if not data["name"]:
        raise ServiceError(_l("Le nom de la cohorte est obligatoire."), field="name")
    data["slug"] = (data.get("slug") or "").strip().lower() or slugify(data["name"])
    if not SLUG_RE.match(data["slug"]):
        raise ServiceError(
            _l("L'identifiant ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets."),
            field="slug",
        )
    other = get_by_slug(data["slug"])
    if other is not None and other.id != cohort_id:
        raise ServiceError(_l("Une cohorte porte déjà l'identifiant « %(slug)s ».", slug=data["slug"]), field="slug")
    if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
        raise ServiceError(_l("La date de fin doit suivre la date de début."), field="end_date")
    for key in ("programme", "city", "province", "description"):
        if key in data:
            data[key] = (data[key] or "").strip() or None
    return data


def create_cohort(actor, data: dict) -> Cohort:
    """A new cohort, audited. Raises ServiceError (field set) when the name is blank, the identifier is not
    lower-case letters, digits and dashes or is taken by another cohort, or the end date precedes the start."""
    cohort = Cohort(**_validate(data, None))
    db.session.add(cohort)
    db.session.flush()
    audit.record(actor, "create", "cohort", cohort.id, audit.diff({}, audit.snapshot(cohort, FIELDS)))
    return cohort


def update_cohort(actor, cohort: Cohort, data: dict, version) -> Cohort:
    """Edits a cohort, audited. Raises ConflictError when `version` is stale, ServiceError on the rules of
    `create_cohort`."""
    check_version(cohort, version)
    data = _validate(data, cohort.id)
    audit.update(actor, cohort, "cohort", FIELDS, data)
    return cohort
