"""member erasure, law 09-08 (issue 8)

Revision ID: 7e2a3b4c5d02
Revises: 6d1f2a3b4c01
Create Date: 2026-12-02 00:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '7e2a3b4c5d02'
down_revision = '6d1f2a3b4c01'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
