"""The staff home page: "my portfolio" (managers and admins may look at any mentor's)."""

import datetime as dt

from flask import render_template, request
from flask_login import current_user

from tracker.cohorts.services import chosen_cohort
from tracker.core.lifecycle import keep_computed
from tracker.core.permissions import Role
from tracker.core.query_args import int_arg
from tracker.portfolio.services import QUIET_DAYS, PortfolioFilters, portfolio
from tracker.projects.models import ProjectStatus
from tracker.projects.services import chosen_staff

# The open action items listed under the portfolio, most urgent first; a link shows them all. A mentor's page
# has about seventy: each with its "done" form, they made the page 45 KB longer, heavy on a phone.
ITEMS_SHOWN = 20


def render_portfolio():
    sees_everyone = current_user.role in (Role.ADMIN, Role.MANAGER)
    if sees_everyone:
        mentor_id = int_arg("mentor") if request.args.get("mentor") != "all" else None
        if "mentor" not in request.args:
            mentor_id = None
    else:
        mentor_id = current_user.id
    status = request.args.get("status", ProjectStatus.ACTIVE.value)
    filters = PortfolioFilters(
        mentor_id=mentor_id,
        cohort_id=int_arg("cohort"),
        status=status if status in {s.value for s in ProjectStatus} else None,
        attention_only=request.args.get("attention") == "1",
        q=request.args.get("q") or None,
    )
    today = dt.date.today()
    page = portfolio(filters, today, page=int_arg("page") or 1, with_staff=sees_everyone)
    project_ids = [row.project.id for row in page.rows]
    from tracker.mentoring.services import first_open_action_items, open_action_items

    if request.args.get("items") == "all":
        items = open_action_items(project_ids)
        items_total = len(items)
    else:
        items, items_total = first_open_action_items(project_ids, ITEMS_SHOWN)
    html = render_template(
        "portfolio/portfolio.html",
        page=page,
        filters=filters,
        items=items,
        items_total=items_total,
        today=today,
        quiet_days=QUIET_DAYS,
        sees_everyone=sees_everyone,
        mentors=chosen_staff(filters.mentor_id) if sees_everyone else [],
        cohorts=chosen_cohort(filters.cohort_id),
        statuses=list(ProjectStatus),
    )
    if page.refreshed:
        keep_computed()
    return html
