"""a case's events are no longer deleted with it (no ON DELETE CASCADE)

Revision ID: 4b1e7f0d2a31
Revises: ec9a2b881111
Create Date: 2026-12-01 21:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4b1e7f0d2a31'
down_revision = 'ec9a2b881111'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_case_id_case'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_event_case_id_case'), 'case', ['case_id'], ['id'])


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_case_id_case'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_event_case_id_case'), 'case', ['case_id'], ['id'], ondelete='CASCADE')
