"""user email: where a user's reminders are e-mailed when SMTP is configured

Revision ID: 3e8b6d1a9c57
Revises: e7b2c9d4f150
Create Date: 2026-12-04 09:00:00

Empty means no e-mail: every existing account starts without one.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '3e8b6d1a9c57'
down_revision = 'e7b2c9d4f150'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=False, server_default=''))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('email', server_default=None)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email')
