"""member consent purpose (law 09-08)

Revision ID: 5c0a1e7d9b21
Revises: 8888244c1bb1
Create Date: 2026-11-25 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5c0a1e7d9b21'
down_revision = '8888244c1bb1'
branch_labels = None
depends_on = None

# Members recorded before the purpose was asked for consented at the forum, for the programme's follow-up.
EXISTING_PURPOSE = "Suivi du projet par le programme d'incubation"


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_purpose', sa.String(length=200), nullable=True))
    op.execute(sa.text("UPDATE members SET consent_purpose = :purpose").bindparams(purpose=EXISTING_PURPOSE))
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.alter_column('consent_purpose', existing_type=sa.String(length=200), nullable=False)


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('consent_purpose')
