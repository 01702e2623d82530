"""deadlines as rows: a deadline table, the case keeps only the earliest open one (next_due_at)

Revision ID: 7c4d1e8f3a62
Revises: 6a7b3d9e2c51
Create Date: 2026-12-01 22:32:00

The case's single `due_at` becomes `next_due_at`, a copy of its earliest open deadline; each open case's
deadline becomes a row of the kind its state had (counted in calendar days, as it was). The `extended` flag
is now an open `mediation_extension` deadline.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4d1e8f3a62'
down_revision = '6a7b3d9e2c51'
branch_labels = None
depends_on = None

KINDS = ('acceptance', 'mediation', 'mediation_extension', 'referral_answer', 'referral_result', 'follow_up', 'judicial_confirmation')
KIND_OF_STATE = {
    "registered": "acceptance",
    "mediating": "mediation",
    "referred": "referral_answer",
    "with_agency": "referral_result",
    "following_up": "follow_up",
}
OPEN = "met_at IS NULL AND cancelled_at IS NULL"


def upgrade():
    op.create_table('deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('variant', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('calendar_known', sa.Boolean(), nullable=False),
    sa.Column('opened_by', sa.String(length=32), nullable=False),
    sa.Column('closed_by', sa.String(length=32), nullable=False),
    sa.Column('met_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('due_at >= started_at', name=op.f('ck_deadline_due_after_start')),
    sa.CheckConstraint("kind IN ({})".format(", ".join(repr(k) for k in KINDS)), name=op.f('ck_deadline_kind_known')),
    sa.CheckConstraint('met_at IS NULL OR cancelled_at IS NULL', name=op.f('ck_deadline_met_or_cancelled')),
    sa.CheckConstraint("unit IN ('calendar', 'working')", name=op.f('ck_deadline_unit_known')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_deadline_case_id_case')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_deadline_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline'))
    )
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.create_index('ix_deadline_case_id', ['case_id', 'id'], unique=False)
        batch_op.create_index('ix_deadline_open_station_due', ['station_id', 'due_at'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))

    _rows_from_cases()

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_state_due')
        batch_op.alter_column('due_at', new_column_name='next_due_at')
        batch_op.drop_column('extended')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_station_next_due', ['station_id', 'next_due_at'], unique=False,
                              postgresql_where=sa.text('next_due_at IS NOT NULL'),
                              sqlite_where=sa.text('next_due_at IS NOT NULL'))


def _rows_from_cases():
    bind = op.get_bind()
    cases = sa.table(
        "case", sa.column("id"), sa.column("station_id"), sa.column("state"), sa.column("due_at"),
        sa.column("state_entered_at"), sa.column("extended"),
    )
    deadline = sa.table(
        "deadline", *(sa.column(c) for c in (
            "case_id", "station_id", "kind", "variant", "started_at", "due_at", "warn_at", "days", "unit",
            "calendar_known", "opened_by", "closed_by",
        ))
    )
    open_cases = bind.execute(
        sa.select(cases).where(cases.c.state != "closed", cases.c.due_at.is_not(None))
    ).mappings()
    batch = []
    for row in open_cases:
        started, due = row["state_entered_at"], row["due_at"]
        if started is None or due < started:
            started = due
        kind = KIND_OF_STATE[row["state"]]
        if kind == "mediation" and row["extended"]:
            kind = "mediation_extension"
        batch.append({
            "case_id": row["id"], "station_id": row["station_id"], "kind": kind, "variant": "",
            "started_at": started, "due_at": due, "warn_at": started + (due - started) * 0.7,
            "days": max(1, round((due - started).total_seconds() / 86400)), "unit": "calendar",
            "calendar_known": True, "opened_by": "migration", "closed_by": "",
        })
        if len(batch) >= 5000:
            op.bulk_insert(deadline, batch)
            batch = []
    if batch:
        op.bulk_insert(deadline, batch)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_station_next_due', postgresql_where=sa.text('next_due_at IS NOT NULL'),
                            sqlite_where=sa.text('next_due_at IS NOT NULL'))
        batch_op.alter_column('next_due_at', new_column_name='due_at')
        batch_op.add_column(sa.Column('extended', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        'UPDATE "case" SET extended = TRUE WHERE id IN (SELECT case_id FROM deadline '
        f"WHERE kind = 'mediation_extension' AND {OPEN})"
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.alter_column('extended', server_default=None)
        batch_op.create_index('ix_case_state_due', ['state', 'due_at'], unique=False)
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index('ix_deadline_open_station_due', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.drop_index('ix_deadline_case_id')
    op.drop_table('deadline')
