"""a version on each party's file, so a stale edit is refused

Revision ID: 42dccd39fa9c
Revises: ecfe992023e6
Create Date: 2026-12-02 09:03:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '42dccd39fa9c'
down_revision = 'ecfe992023e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_column('version')
