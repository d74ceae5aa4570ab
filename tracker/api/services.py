"""What the API reads, under the same POLICY as the pages: each function takes the acting user and returns
only what that user may see. Lists are single statements plus a fixed number of eager loads, whatever the
number of rows (tests/api/test_query_budget.py)."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.cohorts.models import Cohort
from tracker.core.permissions import Action, can
from tracker.extensions import db
from tracker.indicators.models import Indicator, Target
from tracker.periods.models import IndicatorValue, PeriodReport, ReportStatus
from tracker.projects import flags
from tracker.projects.models import Member, Project, Sex
from tracker.projects.services import ProjectFilters, project_list_query


def cohorts_query() -> sa.Select:
    return sa.select(Cohort)


def projects_query(user, filters: ProjectFilters) -> sa.Select:
    """The list page's query (same filters, same visibility; it loads the team for counts and flags)."""
    return project_list_query(user, filters)


def visible_project(user, project_id: int) -> Project | None:
    """The project when the user may see it; None otherwise (the caller answers 404 to holders and all)."""
    project = sa.select(Project).where(Project.id == project_id).options(
        joinedload(Project.cohort), selectinload(Project.members))
    found = db.session.scalar(project)
    return found if found is not None and can(user, Action.VIEW_PROJECT, found) else None


def project_row(project: Project, today: dt.date, with_people: bool) -> dict:
    members = project.members
    row = {
        "id": project.id, "cohort_id": project.cohort_id, "cohort_slug": project.cohort.slug,
        "code": project.code, "name": project.name, "sector": project.sector, "sub_sector": project.sub_sector,
        "stage": project.stage, "legal_form": project.legal_form, "province": project.province,
        "commune": project.commune, "status": project.status, "status_date": project.status_date,
        **flags.project_flags(project, today),
        "team": {"size": len(members), "women": sum(m.sex == Sex.F for m in members),
                 "men": sum(m.sex == Sex.M for m in members)},
    }
    if with_people:
        row["members"] = [_member(m) for m in members]
    return row


def _member(member: Member) -> dict:
    return {"id": member.id, "full_name": member.full_name, "sex": member.sex, "birth_date": member.birth_date,
            "role": member.role, "is_lead": member.is_lead, "ownership_pct": member.ownership_pct,
            "phone": member.phone, "email": member.email}


def indicators_query() -> sa.Select:
    return sa.select(Indicator)


def targets_query(project: Project) -> sa.Select:
    return sa.select(Target).where(Target.project_id == project.id).options(joinedload(Target.indicator))


def target_row(target: Target) -> dict:
    return {"id": target.id, "project_id": target.project_id, "indicator_id": target.indicator_id,
            "indicator_code": target.indicator.code, "baseline_value": target.baseline_value,
            "baseline_date": target.baseline_date, "target_value": target.target_value,
            "target_date": target.target_date}


def reports_query(project: Project) -> sa.Select:
    return sa.select(PeriodReport).where(PeriodReport.project_id == project.id).options(
        selectinload(PeriodReport.values).joinedload(IndicatorValue.indicator))


def report_row(report: PeriodReport) -> dict:
    """Status and, once approved, the values: a draft, submitted or returned figure never leaves."""
    approved = report.status == ReportStatus.APPROVED
    return {
        "id": report.id, "project_id": report.project_id, "period_label": report.period_label,
        "period_start": report.period_start, "period_end": report.period_end, "status": report.status,
        "submitted_at": report.submitted_at, "reviewed_at": report.reviewed_at,
        "approved_values": [{"indicator_code": v.indicator.code, "cell": v.cell, "value": v.value}
                            for v in report.values] if approved else [],
    }
