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


# No schema change was needed: users.session_token (unique), failed_login_count, last_failed_login_at and
# last_login_at exist since the initial schema, the idle timeout lives in the signed session cookie and the
# login throttle in Flask-Limiter's storage (Redis or memory). The revision stays so the chain is unchanged.


def upgrade():
    pass


def downgrade():
    pass
