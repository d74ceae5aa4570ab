"""The staff home page: "my portfolio" (managers and admins may look at any mentor's)."""

import datetime as dt

from flask import render_template, request
from flask_login import current_user

from tracker.cohorts.models import Cohort
from tracker.core.permissions import Role
from tracker.extensions import db
from tracker.portfolio.services import QUIET_DAYS, PortfolioFilters, portfolio
from tracker.projects import flags
from tracker.projects.models import ProjectStatus
from tracker.projects.services import staff_choices


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def render_portfolio():
    sees_everyone = current_user.role in (Role.ADMIN, Role.MANAGER)
    if sees_everyone:
        mentor_id = _int("mentor") if request.args.get("mentor") != "all" else None
        if "mentor" not in request.args:
            mentor_id = None
    else:
        mentor_id = current_user.id
    status = request.args.get("status", ProjectStatus.ACTIVE.value)
    filters = PortfolioFilters(
        mentor_id=mentor_id,
        cohort_id=_int("cohort"),
        status=status if status in {s.value for s in ProjectStatus} else None,
        attention_only=request.args.get("attention") == "1",
        q=request.args.get("q") or None,
    )
    today = dt.date.today()
    page = portfolio(filters, today, page=_int("page") or 1)
    project_ids = [row.project.id for row in page.rows]
    from tracker.mentoring.services import open_action_items

    items = open_action_items(project_ids)
    return render_template(
        "portfolio/portfolio.html",
        page=page,
        filters=filters,
        flags={row.project.id: flags.project_flags(row.project, today) for row in page.rows},
        items=items,
        today=today,
        quiet_days=QUIET_DAYS,
        sees_everyone=sees_everyone,
        mentors=staff_choices() if sees_everyone else [],
        cohorts=list(db.session.scalars(db.select(Cohort).order_by(Cohort.name))),
        statuses=list(ProjectStatus),
    )
