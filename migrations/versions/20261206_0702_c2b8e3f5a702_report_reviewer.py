"""the reviewer asked to review each submitted report (issue 17)

Revision ID: c2b8e3f5a702
Revises: c1a7d2e4f601
Create Date: 2026-12-06 07:02:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c2b8e3f5a702'
down_revision = 'c1a7d2e4f601'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('period_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_period_reports_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_period_reports_reviewer_id_users'), 'users', ['reviewer_id'], ['id'], ondelete='SET NULL')

    # Reports already waiting for review get the reviewer the app would choose now, in its simplest form:
    # a mentor of the project who did not submit it, else a manager who did not (routing.py refines this
    # for new submissions). Core SQL: no model imports in migrations.
    conn = op.get_bind()
    reports = conn.execute(sa.text(
        "SELECT id, project_id, submitted_by_id FROM period_reports WHERE status = 'submitted'")).all()
    for report_id, project_id, submitted_by in reports:
        reviewer = conn.execute(sa.text(
            "SELECT u.id FROM project_staff ps JOIN users u ON u.id = ps.user_id WHERE ps.project_id = :p "
            "AND u.active AND u.role IN ('admin', 'manager', 'staff') AND u.id <> :s ORDER BY u.id LIMIT 1"),
            {"p": project_id, "s": submitted_by or -1}).scalar()
        if reviewer is None:
            reviewer = conn.execute(sa.text(
                "SELECT id FROM users WHERE role = 'manager' AND active AND id <> :s ORDER BY id LIMIT 1"),
                {"s": submitted_by or -1}).scalar()
        if reviewer is not None:
            conn.execute(sa.text("UPDATE period_reports SET reviewer_id = :r WHERE id = :i"),
                         {"r": reviewer, "i": report_id})


def downgrade():
    with op.batch_alter_table('period_reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_period_reports_reviewer_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_period_reports_reviewer_id'))
        batch_op.drop_column('reviewer_id')
