"""parties' phones in one written form, so one phone written two ways is one number

Revision ID: 98645c9f5efc
Revises: 5e2b9c4d7a18
Create Date: 2026-12-02 09:00:00

Phones were stored as typed ("138 1234 5678", "+86-13812345678"); matching a person by phone now compares
the normalised form, so the stored ones are rewritten to it. Files that already became two because of it
stay two (merging people is a decision for a person). The downgrade keeps the normalised form: it is a
valid way to write every one of them, and the typed forms are not kept.
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '98645c9f5efc'
down_revision = '5e2b9c4d7a18'
branch_labels = None
depends_on = None

_SEPARATORS = re.compile(r"[\s\-.()\[\]/]+")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def normalise_phone(text):
    """A frozen copy of ``mediation.identifiers.normalise_phone`` as of this revision: a migration must do
    tomorrow what it did today, whatever the application's code becomes."""
    value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).strip()
    for prefix in ("+86", "0086"):
        if value.startswith(prefix) and value[len(prefix):].isdigit():
            rest = value[len(prefix):]
            return rest if _MOBILE.match(rest) or rest.startswith("0") else "0" + rest
    if value.startswith("86") and _MOBILE.match(value[2:]):
        return value[2:]
    return value


def upgrade():
    party = sa.table('party', sa.column('id', sa.Integer), sa.column('phone', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(party.c.id, party.c.phone).where(party.c.phone != '')).all()
    for party_id, phone in rows:
        normalised = normalise_phone(phone)
        if normalised != phone:
            connection.execute(party.update().where(party.c.id == party_id).values(phone=normalised))


def downgrade():
    pass
