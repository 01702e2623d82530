"""supervision (督办): a supervisor's request on a stuck case and the station's answers; the case carries
the urgency of the supervision it is under; a ``supervision`` deadline kind; its notification kinds

Revision ID: e7b2c9d4f150
Revises: 15455f478fac
Create Date: 2026-12-04 09:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b2c9d4f150'
down_revision = '15455f478fac'
branch_labels = None
depends_on = None

OLD_DEADLINE_KINDS = ('acceptance', 'mediation', 'mediation_extension', 'referral_answer', 'referral_result',
                      'follow_up', 'visit', 'judicial_confirmation', 'jc_acceptance', 'jc_decision')
DEADLINE_KINDS = OLD_DEADLINE_KINDS + ('supervision',)
OLD_NOTIFICATION_KINDS = (
    'referral_received', 'referral_recalled', 'referral_answered', 'case_number_recorded', 'referral_result',
    'dispute_received', 'dispute_answered', 'feedback_received', 'extension_recorded', 'jc_applied',
    'jc_decided', 'case_assigned', 'deadline_due_soon', 'deadline_overdue')
NOTIFICATION_KINDS = OLD_NOTIFICATION_KINDS + ('supervision_started', 'supervision_answered',
                                               'supervision_ended')
URGENCIES = ('ordinary', 'key', 'urgent')


def _in(column, codes):
    return "{} IN ({})".format(column, ", ".join(repr(c) for c in codes))


def _recheck(table, name, condition):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), condition)


def upgrade():
    op.create_table('supervision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('ending', sa.String(length=16), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.CheckConstraint('(ended_at IS NULL) = (ending IS NULL)', name=op.f('ck_supervision_ended_iff_ending')),
    sa.CheckConstraint("ending IS NULL OR ending IN ('ended', 'case_closed')", name=op.f('ck_supervision_ending_known')),
    sa.CheckConstraint(_in('urgency', URGENCIES), name=op.f('ck_supervision_urgency_known')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_supervision_case_id_case')),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], name=op.f('fk_supervision_deadline_id_deadline')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['user.id'], name=op.f('fk_supervision_ended_by_id_user')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_supervision_station_id_station')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['user.id'], name=op.f('fk_supervision_supervisor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision'))
    )
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_case_id', ['case_id', 'id'], unique=False)
        batch_op.create_index('ix_supervision_station_open', ['station_id'], unique=False,
                              postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))
        batch_op.create_index('uq_supervision_open_case', ['case_id'], unique=True,
                              postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))
    op.create_table('supervision_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervision_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_supervision_answer_author_id_user')),
    sa.ForeignKeyConstraint(['supervision_id'], ['supervision.id'], name=op.f('fk_supervision_answer_supervision_id_supervision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_answer'))
    )
    with op.batch_alter_table('supervision_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_answer_supervision_id'), ['supervision_id'], unique=False)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervision_urgency', sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_case_supervision_urgency_known'),
            'supervision_urgency IS NULL OR ' + _in('supervision_urgency', URGENCIES))
        batch_op.create_index('ix_case_station_supervised', ['station_id'], unique=False,
                              postgresql_where=sa.text('supervision_urgency IS NOT NULL'),
                              sqlite_where=sa.text('supervision_urgency IS NOT NULL'))
    _recheck('deadline', 'kind_known', _in('kind', DEADLINE_KINDS))
    _recheck('notification', 'kind_known', _in('kind', NOTIFICATION_KINDS))


def downgrade():
    op.execute("DELETE FROM notification WHERE kind IN ('supervision_started', 'supervision_answered', "
               "'supervision_ended')")
    _recheck('notification', 'kind_known', _in('kind', OLD_NOTIFICATION_KINDS))
    op.execute("UPDATE supervision SET deadline_id = NULL")
    op.execute("DELETE FROM deadline WHERE kind = 'supervision'")
    _recheck('deadline', 'kind_known', _in('kind', OLD_DEADLINE_KINDS))
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_station_supervised',
                            postgresql_where=sa.text('supervision_urgency IS NOT NULL'),
                            sqlite_where=sa.text('supervision_urgency IS NOT NULL'))
        batch_op.drop_constraint(op.f('ck_case_supervision_urgency_known'), type_='check')
        batch_op.drop_column('supervision_urgency')
    with op.batch_alter_table('supervision_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_answer_supervision_id'))
    op.drop_table('supervision_answer')
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.drop_index('uq_supervision_open_case')
        batch_op.drop_index('ix_supervision_station_open')
        batch_op.drop_index('ix_supervision_case_id')
    op.drop_table('supervision')
