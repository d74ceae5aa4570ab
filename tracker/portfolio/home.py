"""The home page: a holder's projects and to-dos, everyone else's portfolio."""

import datetime as dt

from flask import render_template
from flask_login import current_user

from tracker.core.permissions import Role
from tracker.portfolio.holder import holder_dashboard, holder_todos, open_items
from tracker.portfolio.views import render_portfolio


def home_page():
    if current_user.role == Role.HOLDER:
        today = dt.date.today()
        dashboard = holder_dashboard(current_user, today)
        todos = holder_todos(dashboard, open_items([d.project.id for d in dashboard]))
        return render_template("core/home_holder.html", dashboard=dashboard, todos=todos, today=today)
    return render_portfolio()
