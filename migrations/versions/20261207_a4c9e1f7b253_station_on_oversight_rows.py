"""station on the rows the oversight figures count: agreements, referrals and follow-up visits carry their
case's station; the figures' indexes go by station and date

Revision ID: a4c9e1f7b253
Revises: 5d2e8a7c4b19
Create Date: 2026-12-07 09:00:00

A district's figures were read from its 10,000 cases to each one's rows of the period (``(case_id, date)``
indexes): 40–65 ms a figure at 1,000,000 cases, whatever the period. With the station on the row (a case
never changes station, so the copy cannot drift) an index on ``(station_id, date)`` reads only the period's
rows of the scope's stations, and on PostgreSQL from the index alone (``INCLUDE`` the columns the figures
read). Deadlines and supervisions already carry the station. And a partial index of the open cases by station
serves "open now" and "overdue now", for a district and for the whole province (which scanned every case).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c9e1f7b253'
down_revision = '5d2e8a7c4b19'
branch_labels = None
depends_on = None

COPIED = ('agreement', 'referral', 'follow_up_visit')
OLD = (
    ('agreement', 'ix_agreement_case_created', ['case_id', 'created_at']),
    ('referral', 'ix_referral_case_created', ['case_id', 'created_at']),
    ('follow_up_visit', 'ix_follow_up_visit_case_done', ['case_id', 'done_on', 'satisfaction']),
    ('deadline', 'ix_deadline_case_kind_due', ['case_id', 'kind', 'due_at']),
)
#: (table, index, columns, what PostgreSQL keeps beside them so a figure is read from the index alone)
NEW = (
    ('agreement', 'ix_agreement_station_created', ['station_id', 'created_at'], ['case_id']),
    ('referral', 'ix_referral_station_created', ['station_id', 'direction', 'created_at'],
     ['case_id', 'status', 'answered_at', 'agency_id']),
    ('follow_up_visit', 'ix_follow_up_visit_station_done', ['station_id', 'done_on', 'satisfaction'], ['case_id']),
    ('deadline', 'ix_deadline_station_kind_due', ['station_id', 'kind', 'due_at'],
     ['case_id', 'met_at', 'cancelled_at']),
    ('supervision', 'ix_supervision_station_created', ['station_id', 'created_at'], ['case_id', 'ended_at']),
)


#: The open cases (the lifecycle's one final state is ``closed``): "open now" and "overdue now" per station.
OPEN = "NOT state IN ('closed')"


def upgrade():
    for table in COPIED:
        op.add_column(table, sa.Column('station_id', sa.Integer(), nullable=True))
        op.execute(
            f'UPDATE {table} SET station_id = (SELECT "case".station_id FROM "case" WHERE "case".id = {table}.case_id)'
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('station_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(f'fk_{table}_station_id_station', 'station', ['station_id'], ['id'])
    for table, name, _ in OLD:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    for table, name, columns, included in NEW:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False, postgresql_include=included)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index(
            'ix_case_open_station', ['station_id', 'next_due_at'], unique=False,
            postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN),
        )


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_open_station')
    for table, name, *_ in reversed(NEW):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    for table, name, columns in OLD:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)
    for table in reversed(COPIED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_station_id_station', type_='foreignkey')
            batch_op.drop_column('station_id')
