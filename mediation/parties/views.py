"""Parties (一人一档): a person's file across their cases, and the type-ahead that finds them at intake."""

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from mediation.extensions import db
from mediation.models import Party
from mediation.services.parties import (
    case_counts,
    mask_id_number,
    mask_phone,
    may_see_details,
    party_file,
    search_parties,
)

bp = Blueprint("parties", __name__)


@bp.get("/parties/<id:id>")
@login_required
def show(id: int):
    party = db.session.get(Party, id)
    cases = party_file(current_user, party) if party is not None else []
    if not cases:
        abort(404)
    full = may_see_details(current_user, [case for case, _role in cases])
    return render_template("parties/show.html", party=party, cases=cases, full=full)


@bp.get("/parties/search")
@login_required
def search():
    """JSON for the intake type-ahead: people in cases the user may see whose name or phone matches ``q``.

    Phones and ID numbers are always masked here: the list only has to tell people apart.
    """
    found = search_parties(current_user, (request.args.get("q") or "")[:50])
    counts = case_counts(current_user, [p.id for p in found])
    return jsonify(
        results=[
            {
                "id": p.id,
                "name": p.name,
                "phone": mask_phone(p.phone) if p.phone else "",
                "id_number": mask_id_number(p.id_number) if p.id_number else "",
                "cases": counts.get(p.id, 0),
                "url": url_for("parties.show", id=p.id),
            }
            for p in found
        ]
    )
