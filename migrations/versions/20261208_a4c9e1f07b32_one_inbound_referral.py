"""one inbound referral per case: a dispute comes in once (at registration), so the case lists join it in with
each case (``Case.inbound``) instead of loading every referral

Revision ID: a4c9e1f07b32
Revises: a4c9e1f7b253
Create Date: 2026-12-08 09:00:00

A partial unique index on ``referral (case_id) WHERE direction = 'in'``; nothing else writes inbound referrals
than ``services.cases.register_case``, once per case, so existing data satisfies it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c9e1f07b32'
down_revision = 'a4c9e1f7b253'
branch_labels = None
depends_on = None

INBOUND = sa.text("direction = 'in'")


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(
            'uq_referral_inbound_case', ['case_id'], unique=True, postgresql_where=INBOUND, sqlite_where=INBOUND
        )


def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('uq_referral_inbound_case')
