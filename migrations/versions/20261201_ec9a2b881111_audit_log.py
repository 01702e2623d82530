"""audit log: changes outside a case's trail, sign-ins and personal-data views; append-only

Revision ID: ec9a2b881111
Revises: c90d85ac6905
Create Date: 2026-12-01 21:28:48.929738

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ec9a2b881111'
down_revision = 'c90d85ac6905'
branch_labels = None
depends_on = None

#: PostgreSQL refuses UPDATE and DELETE on the append-only tables; SQLite relies on the code alone.
REFUSE_CHANGE = """
CREATE OR REPLACE FUNCTION mediation_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""
APPEND_ONLY = ("audit_log", "event")


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('realm', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('old', sa.JSON(), nullable=False),
    sa.Column('new', sa.JSON(), nullable=False),
    sa.CheckConstraint("realm IN ('case', 'party', 'station', 'account', 'settings', 'system')", name=op.f('ck_audit_log_realm_known')),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_log_actor_id_user')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_audit_log_case_id_case')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_audit_log_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_actor_at', ['actor_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_realm_at', ['realm', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_station_at', ['station_id', 'at'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_CHANGE)
        for table in APPEND_ONLY:
            op.execute(
                f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION mediation_append_only()"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only ON "{table}"')
        op.execute("DROP FUNCTION IF EXISTS mediation_append_only()")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_station_at')
        batch_op.drop_index('ix_audit_log_realm_at')
        batch_op.drop_index('ix_audit_log_at')
        batch_op.drop_index('ix_audit_log_actor_at')

    op.drop_table('audit_log')
