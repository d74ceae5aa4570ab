"""member erasure, law 09-08 (issue 8)

Revision ID: 7e2a3b4c5d02
Revises: 6d1f2a3b4c01
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7e2a3b4c5d02'
down_revision = '6d1f2a3b4c01'
branch_labels = None
depends_on = None


def upgrade():
    # When a member's identifying fields were erased (law 09-08); the row itself stays for the figures.
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # Erased rows stay anonymised: only the date of the erasure is lost.
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
