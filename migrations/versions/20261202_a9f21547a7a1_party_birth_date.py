"""a party's date of birth instead of a year of birth

Revision ID: a9f21547a7a1
Revises: 98645c9f5efc
Create Date: 2026-12-02 09:01:00

The agreement states a party's age and the edit form takes a date. A stored year becomes a date only
where the party's ID number holds the day (a year alone is not a date, and no form ever collected one:
only the demo and imports wrote it); the downgrade keeps the year of each date.
"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9f21547a7a1'
down_revision = '98645c9f5efc'
branch_labels = None
depends_on = None


def _born(id_number):
    """The date of birth in an 18-digit or 15-digit resident ID number, or None (frozen for this revision)."""
    number = (id_number or '').strip().upper()
    if len(number) == 18:
        digits = number[6:14]
    elif len(number) == 15:
        digits = '19' + number[6:12]
    else:
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def upgrade():
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
    party = sa.table('party', sa.column('id', sa.Integer), sa.column('id_number', sa.String),
                     sa.column('birth_date', sa.Date))
    connection = op.get_bind()
    for party_id, id_number in connection.execute(
        sa.select(party.c.id, party.c.id_number).where(party.c.id_number != '')
    ).all():
        born = _born(id_number)
        if born is not None:
            connection.execute(party.update().where(party.c.id == party_id).values(birth_date=born))
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_column('birth_year')


def downgrade():
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_year', sa.Integer(), nullable=True))
    party = sa.table('party', sa.column('id', sa.Integer), sa.column('birth_year', sa.Integer),
                     sa.column('birth_date', sa.Date))
    connection = op.get_bind()
    for party_id, born in connection.execute(
        sa.select(party.c.id, party.c.birth_date).where(party.c.birth_date.is_not(None))
    ).all():
        connection.execute(party.update().where(party.c.id == party_id).values(birth_year=born.year))
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_column('birth_date')
