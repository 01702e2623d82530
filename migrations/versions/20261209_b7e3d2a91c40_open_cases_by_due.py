"""the open cases of every station by when they are due: an administrator's home lists the province's most
urgent open cases

Revision ID: b7e3d2a91c40
Revises: a4c9e1f07b32
Create Date: 2026-12-09 09:00:00

A partial index on ``case (next_due_at) WHERE NOT state IN ('closed')``: the home's "most urgent first" over
every station read the province's open cases (52,000 of 1,000,000) and sorted them, 110 ms; the index gives
the first ten in 1 ms. A station's or a district's list uses ``ix_case_open_station``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3d2a91c40'
down_revision = 'a4c9e1f07b32'
branch_labels = None
depends_on = None

OPEN = "NOT state IN ('closed')"


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index(
            'ix_case_open_due', ['next_due_at'], unique=False,
            postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN),
        )


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_open_due')
