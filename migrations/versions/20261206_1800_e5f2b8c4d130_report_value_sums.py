"""each report's values of one indicator side by side, for the programme-wide report (issue 20)

Revision ID: e5f2b8c4d130
Revises: d4e1a7b9c021
Create Date: 2026-12-06 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e5f2b8c4d130'
down_revision = 'd4e1a7b9c021'
branch_labels = None
depends_on = None

CELLS = ('women_youth', 'women_other', 'men_youth', 'men_other', 'not_stated')


def _cents(cell):
    return f"MAX(CASE WHEN cell = '{cell}' THEN CAST(ROUND(value * 100) AS BIGINT) END)"


def upgrade():
    op.create_table('report_value_sums',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('first_value_id', sa.Integer(), nullable=False),
    sa.Column('broken_down', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=True),
    *(sa.Column(f'{cell}_cents', sa.BigInteger(), nullable=True) for cell in CELLS),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_report_value_sums_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['period_reports.id'], name=op.f('fk_report_value_sums_report_id_period_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'indicator_id', name=op.f('pk_report_value_sums'))
    )
    # The sums of the values already there: the same statement as tracker.periods.value_sums.recomputed().
    cells = ", ".join(f"{cell}_cents" for cell in CELLS)
    sums = ", ".join(_cents(cell) for cell in CELLS)
    op.execute(  # nosec B608: constant text, no input
        f"INSERT INTO report_value_sums (report_id, indicator_id, first_value_id, broken_down, total_cents, {cells}) "
        f"SELECT report_id, indicator_id, MIN(id), COUNT(CASE WHEN cell <> 'total' THEN 1 END), {_cents('total')}, "
        f"{sums} FROM indicator_values GROUP BY report_id, indicator_id"
    )


def downgrade():
    op.drop_table('report_value_sums')
