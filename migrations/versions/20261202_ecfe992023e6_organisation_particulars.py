"""an organisation's legal representative and unified social credit code

Revision ID: ecfe992023e6
Revises: a9f21547a7a1
Create Date: 2026-12-02 09:02:00

An organisation's registration number was kept in ``id_number`` (printed as its registration number);
an 18-character one moves to ``credit_code``, the rest stay where they are for a person to look at.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ecfe992023e6'
down_revision = 'a9f21547a7a1'
branch_labels = None
depends_on = None


def _party():
    return sa.table('party', sa.column('kind', sa.String), sa.column('id_number', sa.String),
                    sa.column('credit_code', sa.String))


def upgrade():
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_representative', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('credit_code', sa.String(length=18), nullable=False, server_default=''))
        batch_op.create_index('ix_party_credit_code', ['credit_code'], unique=False)
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.alter_column('legal_representative', server_default=None)
        batch_op.alter_column('credit_code', server_default=None)
    party = _party()
    organisations = (party.c.kind == 'organisation') & (sa.func.length(party.c.id_number) == 18)
    op.execute(party.update().where(organisations).values(credit_code=party.c.id_number, id_number=''))


def downgrade():
    party = _party()
    moved = (party.c.kind == 'organisation') & (party.c.credit_code != '') & (party.c.id_number == '')
    op.execute(party.update().where(moved).values(id_number=party.c.credit_code))
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_index('ix_party_credit_code')
        batch_op.drop_column('credit_code')
        batch_op.drop_column('legal_representative')
