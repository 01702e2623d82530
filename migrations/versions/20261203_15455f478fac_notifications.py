"""notifications: the inbox's rows take their shape (kinds, data as JSON, a dedupe key)

Revision ID: 15455f478fac
Revises: d4a7c2e9f031
Create Date: 2026-12-03 09:00:00

The notification table of the initial schema was never written to; it is made again in its new shape:
a CHECK on the declared kinds (``mediation.notification_kinds``), ``data`` as JSON, ``created_at``
required, a nullable ``dedupe_key`` unique per reader, and indexes for the inbox (newest first) and the unread
count (a partial index over the unread rows).
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '15455f478fac'
down_revision = 'd4a7c2e9f031'
branch_labels = None
depends_on = None

KINDS = ('referral_received', 'referral_recalled', 'referral_answered', 'case_number_recorded',
         'referral_result', 'dispute_received', 'dispute_answered', 'feedback_received', 'extension_recorded',
         'jc_applied', 'jc_decided', 'case_assigned', 'deadline_due_soon', 'deadline_overdue')


def _in(column, codes):
    return "{} IN ({})".format(column, ", ".join(repr(c) for c in codes))


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_read')
    op.drop_table('notification')
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dedupe_key', sa.String(length=100), nullable=True),
    sa.CheckConstraint(_in('kind', KINDS), name=op.f('ck_notification_kind_known')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_notification_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('uq_notification_user_dedupe', ['user_id', 'dedupe_key'], unique=True)
        batch_op.create_index('ix_notification_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id'], unique=False,
                              postgresql_where=sa.text('read_at IS NULL'),
                              sqlite_where=sa.text('read_at IS NULL'))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index('ix_notification_user_created')
        batch_op.drop_index('uq_notification_user_dedupe')
    op.drop_table('notification')
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_notification_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_read', ['user_id', 'read_at', 'created_at'], unique=False)
