"""police and court linkage: referral kinds as the key of their rules, one liaison role, the stations an
agency serves, urgent referrals and the station's feedback to a court

Revision ID: b13e5c7d9f20
Revises: 42dccd39fa9c
Create Date: 2026-12-02 01:40:00

Referral kinds were keyed on the agency: every station → court referral was ``court_delegated`` (which is a
court's delegation *to* the station). They become the kinds of ``mediation.linkage``; the deadlines and
settings that named an agency kind ``court`` name the kind ``litigation``. ``police_liaison`` and
``court_liaison`` become one ``liaison`` role (named by the agency's kind). An agency's one ``station_id``
becomes the stations it serves.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'b13e5c7d9f20'
down_revision = '42dccd39fa9c'
branch_labels = None
depends_on = None

OLD_AGENCY_KINDS = ('police', 'court', 'judicial_office', 'labour_arbitration', 'other')
AGENCY_KINDS = ('police', 'court', 'judicial_office', 'labour_arbitration', 'letters_visits', 'legal_aid',
                'government', 'other')
OLD_CHANNELS = ('walk_in', 'police', 'court', 'grid', 'phone', 'online')
CHANNELS = ('walk_in', 'police', 'court', 'government', 'grid', 'phone', 'online')
OLD_ROLES = ('mediator', 'police_liaison', 'court_liaison', 'supervisor', 'admin')
ROLES = ('mediator', 'liaison', 'supervisor', 'admin')
OLD_KINDS = ('police', 'court_delegated', 'court_entrusted', 'other')
KINDS = ('police', 'litigation', 'judicial_office', 'labour_arbitration', 'letters_visits', 'legal_aid',
         'other', 'police_handover', 'court_delegated', 'court_entrusted', 'court_entrusted_summary',
         'government_assigned')
FEEDBACK_OUTCOMES = ('agreement', 'failure', 'withdrawn')


def _in(column, codes):
    return "{} IN ({})".format(column, ", ".join(repr(c) for c in codes))


def _recheck(batch_op, table, name, condition):
    batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
    batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), condition)


def upgrade():
    op.create_table('agency_station',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_agency_station_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_agency_station_station_id_station'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agency_id', 'station_id', name=op.f('pk_agency_station'))
    )
    with op.batch_alter_table('agency_station', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_station_station_id'), ['station_id'], unique=False)
    op.execute("INSERT INTO agency_station (agency_id, station_id) "
               "SELECT id, station_id FROM agency WHERE station_id IS NOT NULL")
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_agency_station_id_station'), type_='foreignkey')
        batch_op.drop_column('station_id')
        _recheck(batch_op, 'agency', 'kind_known', _in('kind', AGENCY_KINDS))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_user_agency_iff_liaison'), type_='check')
    op.execute("UPDATE \"user\" SET role = 'liaison' WHERE role IN ('police_liaison', 'court_liaison')")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_user_role_known'), _in('role', ROLES))
        batch_op.create_check_constraint(
            op.f('ck_user_agency_iff_liaison'), "(role IN ('liaison')) = (agency_id IS NOT NULL)")

    with op.batch_alter_table('case', schema=None) as batch_op:
        _recheck(batch_op, 'case', 'channel_known', _in('channel', CHANNELS))

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_referral_kind_known'), type_='check')
        batch_op.alter_column('kind', existing_type=sa.String(length=20), type_=sa.String(length=32))
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('feedback_outcome', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('feedback', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('feedback_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_referral_feedback_by_id_user'), 'user', ['feedback_by_id'], ['id'])
        batch_op.create_check_constraint(
            op.f('ck_referral_feedback_outcome_known'),
            'feedback_outcome IS NULL OR ' + _in('feedback_outcome', FEEDBACK_OUTCOMES))
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.alter_column('urgent', server_default=None)
        batch_op.alter_column('feedback', server_default=None)
    # Outbound kinds now name what the agency is asked to do; inbound ones what it sent.
    op.execute("UPDATE referral SET kind = 'litigation' WHERE direction = 'out' AND kind IN "
               "('court_delegated', 'court_entrusted')")
    op.execute("UPDATE referral SET kind = (SELECT CASE WHEN agency.kind IN ('judicial_office', "
               "'labour_arbitration') THEN agency.kind ELSE 'other' END FROM agency "
               "WHERE agency.id = referral.agency_id) WHERE direction = 'out' AND kind = 'other'")
    op.execute("UPDATE referral SET kind = 'police_handover' WHERE direction = 'in' AND kind = 'police'")
    op.execute("UPDATE referral SET kind = 'government_assigned' WHERE direction = 'in' AND kind = 'other'")
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_referral_kind_known'), _in('kind', KINDS))

    # Deadlines and settings keyed a referral's lengths by the agency's kind.
    op.execute("UPDATE deadline SET variant = 'litigation' WHERE variant = 'court' "
               "AND kind IN ('referral_answer', 'referral_result')")
    op.execute("UPDATE deadline SET variant = 'other' WHERE variant NOT IN ('', 'police', 'litigation', "
               "'judicial_office', 'labour_arbitration') AND kind IN ('referral_answer', 'referral_result')")
    for kind in ('referral_answer', 'referral_result'):
        op.execute(f"UPDATE setting SET key = 'deadline.{kind}.litigation' WHERE key = 'deadline.{kind}.court'")


def downgrade():
    for kind in ('referral_answer', 'referral_result'):
        op.execute(f"UPDATE setting SET key = 'deadline.{kind}.court' WHERE key = 'deadline.{kind}.litigation'")
    op.execute("UPDATE deadline SET variant = 'court' WHERE variant = 'litigation'")
    op.execute("UPDATE deadline SET variant = '' WHERE variant NOT IN ('', 'police', 'court') "
               "AND kind IN ('referral_answer', 'referral_result')")
    op.execute("UPDATE deadline SET variant = '' WHERE kind = 'mediation'")

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_referral_kind_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_referral_feedback_outcome_known'), type_='check')
        batch_op.drop_constraint(op.f('fk_referral_feedback_by_id_user'), type_='foreignkey')
        batch_op.drop_column('feedback_by_id')
        batch_op.drop_column('feedback_at')
        batch_op.drop_column('feedback')
        batch_op.drop_column('feedback_outcome')
        batch_op.drop_column('urgent')
    op.execute("UPDATE referral SET kind = 'court_delegated' WHERE kind = 'litigation'")
    op.execute("UPDATE referral SET kind = 'court_entrusted' WHERE kind = 'court_entrusted_summary'")
    op.execute("UPDATE referral SET kind = 'police' WHERE kind = 'police_handover'")
    op.execute("UPDATE referral SET kind = 'other' WHERE kind NOT IN "
               "('police', 'court_delegated', 'court_entrusted')")
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=32), type_=sa.String(length=20))
        batch_op.create_check_constraint(op.f('ck_referral_kind_known'), _in('kind', OLD_KINDS))

    op.execute("UPDATE \"case\" SET channel = 'walk_in' WHERE channel = 'government'")
    with op.batch_alter_table('case', schema=None) as batch_op:
        _recheck(batch_op, 'case', 'channel_known', _in('channel', OLD_CHANNELS))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_user_agency_iff_liaison'), type_='check')
    op.execute("UPDATE \"user\" SET role = CASE WHEN (SELECT kind FROM agency WHERE agency.id = "
               "\"user\".agency_id) = 'police' THEN 'police_liaison' ELSE 'court_liaison' END "
               "WHERE role = 'liaison'")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_user_role_known'), _in('role', OLD_ROLES))
        batch_op.create_check_constraint(
            op.f('ck_user_agency_iff_liaison'),
            "(role IN ('police_liaison', 'court_liaison')) = (agency_id IS NOT NULL)")

    op.execute("UPDATE agency SET kind = 'other' WHERE kind NOT IN "
               "('police', 'court', 'judicial_office', 'labour_arbitration', 'other')")
    with op.batch_alter_table('agency', schema=None) as batch_op:
        _recheck(batch_op, 'agency', 'kind_known', _in('kind', OLD_AGENCY_KINDS))
        batch_op.add_column(sa.Column('station_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_agency_station_id_station', 'station', ['station_id'], ['id'])
    op.execute("UPDATE agency SET station_id = (SELECT MIN(station_id) FROM agency_station "
               "WHERE agency_station.agency_id = agency.id)")
    with op.batch_alter_table('agency_station', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_station_station_id'))
    op.drop_table('agency_station')
