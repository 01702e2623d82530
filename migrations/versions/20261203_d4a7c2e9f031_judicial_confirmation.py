"""judicial confirmation as its own linkage: the day a court accepted an application, the court's
deadlines to accept and to decide, and the rules that tie the agreement's judicial-confirmation columns
together

Revision ID: d4a7c2e9f031
Revises: c4a8e2f6b319
Create Date: 2026-12-03 09:00:00

The mediator used to type the court's answers on the agreement's form; the court's liaison now records
them (``services.judicial``). An agreement gets ``jc_accepted_on``; deadlines get the kinds
``jc_acceptance`` (3 days) and ``jc_decision`` (15 days). Existing rows already keep the new rules: the
agreement's form refused a court, a number or a decision without an application, and a decision without
its day.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a7c2e9f031'
down_revision = 'c4a8e2f6b319'
branch_labels = None
depends_on = None

OLD_KINDS = ('acceptance', 'mediation', 'mediation_extension', 'referral_answer', 'referral_result',
             'follow_up', 'visit', 'judicial_confirmation')
KINDS = OLD_KINDS + ('jc_acceptance', 'jc_decision')
CHECKS = {
    'jc_court_after_application': "jc_applied_on IS NOT NULL OR (jc_court_id IS NULL AND jc_accepted_on IS NULL"
                                  " AND jc_decision IS NULL)",
    'jc_decision_dated': "(jc_decision IS NULL) = (jc_decided_on IS NULL)",
    'jc_accepted_or_not': "jc_accepted_on IS NULL OR jc_decision IS NULL OR jc_decision <> 'not_accepted'",
}
COURT = "jc_court_id IS NOT NULL"


def _in(column, codes):
    return "{} IN ({})".format(column, ", ".join(repr(c) for c in codes))


def upgrade():
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jc_accepted_on', sa.Date(), nullable=True))
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(f'ck_agreement_{name}'), condition)
        batch_op.create_index('ix_agreement_jc_court_applied', ['jc_court_id', 'jc_applied_on'], unique=False,
                              postgresql_where=sa.text(COURT), sqlite_where=sa.text(COURT))
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deadline_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_deadline_kind_known'), _in('kind', KINDS))


def downgrade():
    # The court's deadlines go; the cases that had one wait on what else is open.
    op.execute("UPDATE \"case\" SET next_due_at = (SELECT MIN(d.due_at) FROM deadline d WHERE d.case_id = \"case\".id "
               "AND d.met_at IS NULL AND d.cancelled_at IS NULL AND d.kind IN ('acceptance', 'mediation', "
               "'mediation_extension', 'referral_answer', 'referral_result', 'follow_up')) "
               "WHERE id IN (SELECT case_id FROM deadline WHERE kind IN ('jc_acceptance', 'jc_decision'))")
    op.execute("DELETE FROM deadline WHERE kind IN ('jc_acceptance', 'jc_decision')")
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deadline_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_deadline_kind_known'), _in('kind', OLD_KINDS))
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index('ix_agreement_jc_court_applied', postgresql_where=sa.text(COURT),
                            sqlite_where=sa.text(COURT))
        for name in CHECKS:
            batch_op.drop_constraint(op.f(f'ck_agreement_{name}'), type_='check')
        batch_op.drop_column('jc_accepted_on')
