"""the working-day calendar: statutory holidays and adjusted working days, seeded from chinesecalendar

Revision ID: 5e2f8c1a9b40
Revises: 9d3c5a7e6b12
Create Date: 2026-12-01 22:30:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e2f8c1a9b40'
down_revision = '9d3c5a7e6b12'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day'))
    )
    calendar_year = op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('loaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['loaded_by_id'], ['user.id'], name=op.f('fk_calendar_year_loaded_by_id_user')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year'))
    )
    _seed(calendar_year)


def _seed(calendar_year):
    """The years the installed chinesecalendar knows; later years come with `mediation holidays load`."""
    import chinese_calendar
    from chinese_calendar import constants

    calendar_day = sa.table(
        "calendar_day", sa.column("day", sa.Date), sa.column("working", sa.Boolean), sa.column("name", sa.String)
    )
    days = {day: (False, name) for day, name in constants.holidays.items()}
    days.update({day: (True, name) for day, name in constants.workdays.items()})
    rows = [
        {"day": day, "working": working, "name": name}
        for day, (working, name) in sorted(days.items())
        if working != (day.weekday() < 5)
    ]
    op.bulk_insert(calendar_day, rows)
    now = datetime.now(timezone.utc)
    source = f"chinesecalendar {chinese_calendar.__version__}"
    op.bulk_insert(
        calendar_year,
        [{"year": y, "source": source, "loaded_at": now, "loaded_by_id": None} for y in sorted({d.year for d in days})],
    )


def downgrade():
    op.drop_table('calendar_year')
    op.drop_table('calendar_day')
