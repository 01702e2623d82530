"""follow-up records: why the visit, performance in full / partly / not, lawsuit, measures, video visits,
the deadline a planned visit is due by, cancelled visits; a ``visit`` deadline kind

Revision ID: c4a8e2f6b319
Revises: b13e5c7d9f20
Create Date: 2026-12-02 02:00:00

``agreement_performed`` (yes / no) becomes ``performance``: yes is ``fully``, no is ``not``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a8e2f6b319'
down_revision = 'b13e5c7d9f20'
branch_labels = None
depends_on = None

OLD_KINDS = ('acceptance', 'mediation', 'mediation_extension', 'referral_answer', 'referral_result',
             'follow_up', 'judicial_confirmation')
KINDS = ('acceptance', 'mediation', 'mediation_extension', 'referral_answer', 'referral_result',
         'follow_up', 'visit', 'judicial_confirmation')


def _in(column, codes):
    return "{} IN ({})".format(column, ", ".join(repr(c) for c in codes))


def upgrade():
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deadline_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_deadline_kind_known'), _in('kind', KINDS))
    with op.batch_alter_table('follow_up_visit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_follow_up_visit_method_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_follow_up_visit_method_known'), _in('method', ('in_person', 'phone', 'video')))
        batch_op.add_column(sa.Column('purpose', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('performance', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('lawsuit_filed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('lawsuit_result', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('measures', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('deadline_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(
            batch_op.f('fk_follow_up_visit_deadline_id_deadline'), 'deadline', ['deadline_id'], ['id'])
        batch_op.create_check_constraint(
            op.f('ck_follow_up_visit_performance_known'),
            'performance IS NULL OR ' + _in('performance', ('fully', 'partly', 'not')))
    op.execute("UPDATE follow_up_visit SET performance = CASE WHEN agreement_performed THEN 'fully' "
               "ELSE 'not' END WHERE agreement_performed IS NOT NULL")
    with op.batch_alter_table('follow_up_visit', schema=None) as batch_op:
        batch_op.drop_column('agreement_performed')
        for column in ('purpose', 'lawsuit_filed', 'lawsuit_result', 'measures', 'cancel_reason'):
            batch_op.alter_column(column, server_default=None)


def downgrade():
    with op.batch_alter_table('follow_up_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreement_performed', sa.Boolean(), nullable=True))
    op.execute("UPDATE follow_up_visit SET agreement_performed = (performance = 'fully') "
               "WHERE performance IS NOT NULL")
    op.execute("DELETE FROM follow_up_visit WHERE done_on IS NULL AND cancelled_at IS NOT NULL")
    op.execute("UPDATE follow_up_visit SET method = 'phone' WHERE method = 'video'")
    with op.batch_alter_table('follow_up_visit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_follow_up_visit_performance_known'), type_='check')
        batch_op.drop_constraint(op.f('fk_follow_up_visit_deadline_id_deadline'), type_='foreignkey')
        for column in ('cancel_reason', 'cancelled_at', 'deadline_id', 'measures', 'lawsuit_result',
                       'lawsuit_filed', 'performance', 'purpose'):
            batch_op.drop_column(column)
        batch_op.drop_constraint(op.f('ck_follow_up_visit_method_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_follow_up_visit_method_known'), _in('method', ('in_person', 'phone')))
    op.execute("UPDATE deadline SET kind = 'follow_up' WHERE kind = 'visit'")
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deadline_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_deadline_kind_known'), _in('kind', OLD_KINDS))
