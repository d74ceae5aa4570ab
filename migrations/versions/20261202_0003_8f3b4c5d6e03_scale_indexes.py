"""indexes for scale (issue 9)

Revision ID: 8f3b4c5d6e03
Revises: 7e2a3b4c5d02
Create Date: 2026-12-02 00:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '8f3b4c5d6e03'
down_revision = '7e2a3b4c5d02'
branch_labels = None
depends_on = None


# (name, table, columns): each serves a list page or the report on the DESIGN §10 data set.
INDEXES = (
    ("ix_projects_name_id", "projects", ["name", "id"]),  # project list sorted by name, first page
    ("ix_project_staff_user_id", "project_staff", ["user_id"]),  # a mentor's projects (portfolio, filters)
    ("ix_project_holders_user_id", "project_holders", ["user_id"]),  # a holder's projects (every page)
    ("ix_mentoring_sessions_date_id", "mentoring_sessions", ["date", "id"]),  # session list, newest first
    ("ix_period_reports_status_submitted_at", "period_reports", ["status", "submitted_at", "id"]),  # review queue
    ("ix_projects_province", "projects", ["province"]),  # province filter: distinct values by skip scan
)


def upgrade():
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(name)
