"""user session security (issue 8)

Revision ID: 6d1f2a3b4c01
Revises: 5c0a1e7d9b21
Create Date: 2026-12-02 00:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '6d1f2a3b4c01'
down_revision = '5c0a1e7d9b21'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
