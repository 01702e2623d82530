"""The audit log page: supervisors read what concerns their stations, admins everything."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from mediation import policy
from mediation.extensions import db
from mediation.ids import parse_id
from mediation.models import AuditEntry
from mediation.services.audit import AuditFilters, audit_query, describe

bp = Blueprint("audit_log", __name__)

PER_PAGE = 50


@bp.get("/audit")
@login_required
def index():
    if not policy.can_read_audit_log(current_user):
        abort(404)
    filters = AuditFilters.from_args(request.args)
    query = audit_query(current_user, filters)
    before = db.session.get(AuditEntry, parse_id(request.args.get("before")) or 0)
    if before is not None:
        query = query.where(
            (AuditEntry.at < before.at) | ((AuditEntry.at == before.at) & (AuditEntry.id < before.id))
        )
    entries = db.session.scalars(query.limit(PER_PAGE + 1)).all()
    older = None
    if len(entries) > PER_PAGE:
        older = url_for(".index", **{**request.args.to_dict(), "before": entries[PER_PAGE - 1].id})
    return render_template(
        "audit_log/index.html",
        entries=[describe(e) for e in entries[:PER_PAGE]],
        older=older,
        filters=filters,
    )
