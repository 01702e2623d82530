"""oversight indexes: each case's agreements, referrals, follow-up visits and follow-up deadlines by date,
so the figures of a district are read case by case from an index instead of scanning a table

Revision ID: 5d2e8a7c4b19
Revises: 8f3a1c6e2d47
Create Date: 2026-12-06 09:00:00

``services.metrics`` counts a scope's rows of these tables in a period, joined to their case: with an index
on ``(case_id, date)`` PostgreSQL goes from the scope's cases (``ix_case_station_registered``) to their rows
in the period; without one it scanned the whole table (agreements) or fetched every row of the scope's cases
(deadlines). On 1,000,000 cases the four indexes take a few seconds to build.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e8a7c4b19'
down_revision = '8f3a1c6e2d47'
branch_labels = None
depends_on = None

INDEXES = (
    ('agreement', 'ix_agreement_case_created', ['case_id', 'created_at']),
    ('referral', 'ix_referral_case_created', ['case_id', 'created_at']),
    ('follow_up_visit', 'ix_follow_up_visit_case_done', ['case_id', 'done_on', 'satisfaction']),
    ('deadline', 'ix_deadline_case_kind_due', ['case_id', 'kind', 'due_at']),
)


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
