"""search indexes: free text and the province-wide list served by indexes at 1,000,000 cases

Revision ID: 8f3a1c6e2d47
Revises: f3c1a7b9d260
Create Date: 2026-12-05 09:00:00

On PostgreSQL, ``pg_trgm`` (from contrib) and GIN trigram indexes on the columns the free-text search reads
with ILIKE '%…%' (case number, title, facts, party name); SQLite has no such index and keeps scanning. On
every backend, ``(registered_at, id)``: the default order of the case list ("newest first") across all
stations. The extension is left in place on downgrade (other objects may use it).

The indexes are built in the migration's transaction: on 1,000,000 cases about 45 s on 2 cores, during which
writes to cases and parties wait.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '8f3a1c6e2d47'
down_revision = 'f3c1a7b9d260'
branch_labels = None
depends_on = None

TRIGRAM = (("case", "number"), ("case", "title"), ("case", "facts"), ("party", "name"))


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_registered_id', ['registered_at', 'id'], unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table, column in TRIGRAM:
        op.create_index(
            f'ix_{table}_{column}_trgm', table, [column], unique=False, postgresql_using='gin',
            postgresql_ops={column: 'gin_trgm_ops'},
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table, column in TRIGRAM:
            op.drop_index(f'ix_{table}_{column}_trgm', table_name=table)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_registered_id')
