"""a referral's kind holds every kind's code: court_entrusted_summary is 23 characters, past the 20 the
column had (PostgreSQL refused such a dispute; SQLite does not check lengths)

Revision ID: d4a8e2f61b37
Revises: b13e5c7d9f20
Create Date: 2026-12-02 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a8e2f61b37'
down_revision = 'b13e5c7d9f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=20), type_=sa.String(length=32),
                              existing_nullable=False)


def downgrade():
    # The narrower column cannot hold the summary procedure's code: it becomes entrusted mediation, as the
    # linkage revision's own downgrade has it.
    op.execute("UPDATE referral SET kind = 'court_entrusted' WHERE kind = 'court_entrusted_summary'")
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=32), type_=sa.String(length=20),
                              existing_nullable=False)
