"""the case's first closure, kept when it is reopened: when, with what outcome, whether on time, and the
days it took; backfilled from each case's trail and deadline rows

Revision ID: f3c1a7b9d260
Revises: 3e8b6d1a9c57
Create Date: 2026-12-05 09:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3c1a7b9d260'
down_revision = '3e8b6d1a9c57'
branch_labels = None
depends_on = None

OUTCOMES = ('declined', 'unresolved', 'withdrawn', 'resolved')
#: The outcome each closing step records (``lifecycle.STEPS``).
OUTCOME_OF = {'decline': 'declined', 'fail_mediation': 'unresolved', 'withdraw': 'withdrawn', 'close': 'resolved'}
#: Windows the parties may let pass (``DeadlineRule.lapses``): never late.
LAPSING = ('judicial_confirmation',)


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_outcome', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('first_closed_on_time', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('days_to_close', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_case_first_outcome_known'),
            "first_outcome IS NULL OR first_outcome IN ({})".format(", ".join(repr(o) for o in OUTCOMES)))
        batch_op.create_check_constraint(
            op.f('ck_case_first_closure_whole'), '(first_closed_at IS NULL) = (first_outcome IS NULL)')
        batch_op.create_index('ix_case_station_first_closed', ['station_id', 'first_closed_at'], unique=False,
                              postgresql_where=sa.text('first_closed_at IS NOT NULL'),
                              sqlite_where=sa.text('first_closed_at IS NOT NULL'))
    # Each case's first step into "closed", from its trail.
    outcome = "CASE e.action " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in OUTCOME_OF.items()) + " END"
    first = ("SELECT {} FROM event e WHERE e.case_id = \"case\".id AND e.kind = 'transition' "
             "AND e.to_state = 'closed' ORDER BY e.id LIMIT 1")
    op.execute(f'UPDATE "case" SET first_closed_at = ({first.format("e.at")}), '
               f'first_outcome = ({first.format(outcome)})')
    lapsing = ", ".join(repr(k) for k in LAPSING)
    op.execute(
        'UPDATE "case" SET first_closed_on_time = NOT EXISTS ('
        'SELECT 1 FROM deadline d WHERE d.case_id = "case".id AND d.kind NOT IN (' + lapsing + ') '
        'AND d.started_at < "case".first_closed_at '
        'AND COALESCE(d.met_at, d.cancelled_at, "case".first_closed_at) > d.due_at) '
        'WHERE first_closed_at IS NOT NULL')
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('UPDATE "case" SET days_to_close = '
                   "(first_closed_at AT TIME ZONE 'Asia/Shanghai')::date - "
                   "(registered_at AT TIME ZONE 'Asia/Shanghai')::date WHERE first_closed_at IS NOT NULL")
    else:
        op.execute('UPDATE "case" SET days_to_close = CAST('
                   "julianday(date(first_closed_at, '+8 hours')) - julianday(date(registered_at, '+8 hours'))"
                   ' AS INTEGER) WHERE first_closed_at IS NOT NULL')


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_station_first_closed',
                            postgresql_where=sa.text('first_closed_at IS NOT NULL'),
                            sqlite_where=sa.text('first_closed_at IS NOT NULL'))
        batch_op.drop_constraint(op.f('ck_case_first_closure_whole'), type_='check')
        batch_op.drop_constraint(op.f('ck_case_first_outcome_known'), type_='check')
        for column in ('days_to_close', 'first_closed_on_time', 'first_outcome', 'first_closed_at'):
            batch_op.drop_column(column)
