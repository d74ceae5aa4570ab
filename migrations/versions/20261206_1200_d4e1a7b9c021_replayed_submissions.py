"""idempotency keys of the submissions queued offline and already received (issue 21)

Revision ID: d4e1a7b9c021
Revises: d4a1b2c3e922
Create Date: 2026-12-06 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd4e1a7b9c021'
down_revision = 'd4a1b2c3e922'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('replayed_submissions',
    sa.Column('key', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_replayed_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_replayed_submissions'))
    )
    with op.batch_alter_table('replayed_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replayed_submissions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('replayed_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replayed_submissions_user_id'))
    op.drop_table('replayed_submissions')
