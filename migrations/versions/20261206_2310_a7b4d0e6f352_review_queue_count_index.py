"""an index for the review queue's totals: submitted reports by reviewer (issue 20)

Revision ID: a7b4d0e6f352
Revises: f6a3c9d5e241
Create Date: 2026-12-06 23:10:00

The queue counts the submitted reports asked of the reviewer and those asked of others: with 10,000 in the
queue, counting them read 3,000 pages of reports (11 ms); from this index, only the index.
"""
from alembic import op


revision = 'a7b4d0e6f352'
down_revision = 'f6a3c9d5e241'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_period_reports_status_reviewer_id', 'period_reports', ['status', 'reviewer_id'], unique=False)


def downgrade():
    op.drop_index('ix_period_reports_status_reviewer_id', table_name='period_reports')
