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


def upgrade():
    pass


def downgrade():
    pass
