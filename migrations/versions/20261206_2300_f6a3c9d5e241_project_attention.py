"""each project's portfolio figures and attention score as of a day, for the staff portfolio (issue 20)

Revision ID: f6a3c9d5e241
Revises: e5f2b8c4d130
Create Date: 2026-12-06 23:00:00

Every project gets a row, stale (as_of NULL): the first view of the portfolio computes them.
"""
from alembic import op
import sqlalchemy as sa


revision = 'f6a3c9d5e241'
down_revision = 'e5f2b8c4d130'
branch_labels = None
depends_on = None

FIGURES = ('open_items', 'overdue_items', 'late_milestones', 'late_points', 'returned_reports', 'reports_done',
           'overdue_reports', 'score')


def upgrade():
    op.create_table('project_attention',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('refreshing', sa.String(length=32), nullable=True),
    sa.Column('last_session', sa.Date(), nullable=True),
    sa.Column('next_session', sa.Date(), nullable=True),
    *(sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in FIGURES),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_attention_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_attention'))
    )
    op.create_index('ix_project_attention_rank', 'project_attention',
                    ['as_of', 'score', 'overdue_items', 'late_milestones'], unique=False)
    op.execute("INSERT INTO project_attention (project_id) SELECT id FROM projects")


def downgrade():
    op.drop_index('ix_project_attention_rank', table_name='project_attention')
    op.drop_table('project_attention')
