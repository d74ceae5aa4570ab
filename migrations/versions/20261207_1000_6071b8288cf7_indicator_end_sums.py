"""each project's indicator values per period end, for the programme-wide report (issue 20)

Revision ID: 6071b8288cf7
Revises: a7b4d0e6f352
Create Date: 2026-12-07 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '6071b8288cf7'
down_revision = 'a7b4d0e6f352'
branch_labels = None
depends_on = None

CELLS = ('women_youth', 'women_other', 'men_youth', 'men_other', 'not_stated')


def upgrade():
    op.create_table('indicator_end_sums',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('include_submitted', sa.Boolean(), nullable=False),
    sa.Column('end_total_cents', sa.BigInteger(), nullable=False),
    *(sa.Column(f'{cell}_cents', sa.BigInteger(), nullable=True) for cell in CELLS),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_end_sums_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_indicator_end_sums_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'indicator_id', 'period_end', 'include_submitted', name=op.f('pk_indicator_end_sums'))
    )
    # The sums of the reports already there: the same statement as tracker.periods.end_sums.recomputed().
    columns = ", ".join(f"{cell}_cents" for cell in CELLS)
    given = " + ".join(f"COALESCE(s.{cell}_cents, 0)" for cell in CELLS)
    sums = ", ".join(f"SUM(s.{cell}_cents)" for cell in CELLS)
    for include_submitted, statuses in ((False, ('approved',)), (True, ('approved', 'submitted'))):
        op.execute(sa.text(  # nosec B608: constant text, no input
            f"INSERT INTO indicator_end_sums (project_id, indicator_id, period_end, include_submitted, "
            f"end_total_cents, {columns}) "
            f"SELECT r.project_id, s.indicator_id, r.period_end, :include_submitted, "
            f"CASE WHEN SUM(s.broken_down) > 0 THEN SUM({given}) ELSE SUM(COALESCE(s.total_cents, 0)) END, {sums} "
            f"FROM report_value_sums s JOIN period_reports r ON s.report_id = r.id "
            f"WHERE r.status IN :statuses GROUP BY r.project_id, s.indicator_id, r.period_end"
        ).bindparams(sa.bindparam('include_submitted', include_submitted, type_=sa.Boolean()),
                     sa.bindparam('statuses', statuses, expanding=True)))


def downgrade():
    op.drop_table('indicator_end_sums')
