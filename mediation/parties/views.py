"""Parties (一人一档): a person's file across their cases, the type-ahead that finds them at intake, seeing
their full details on request, and correcting their particulars from a case.

What each page shows of a party is ``policy.personal_data``'s answer for that page; a page that shows a
full phone, ID number or address writes that into the audit log (``services.parties.record_view``).
"""

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mediation import policy
from mediation.clock import local_date, utcnow
from mediation.errors import Conflict
from mediation.extensions import db
from mediation.models import Party
from mediation.parties import throttle
from mediation.parties.forms import PartyEditForm
from mediation.services.parties import (
    age_on,
    party_file,
    record_view,
    reveal,
    search_parties,
    update_party,
    visible_cases_of,
)
from mediation.web import commit, load_case, submit

bp = Blueprint("parties", __name__)
bp.record_once(throttle.init_app)


@bp.app_template_global()
def party_age(born, today=None):
    """A party's age today (China time), for the pages and the printed agreement."""
    return age_on(born, today or local_date(utcnow()))


@bp.get("/parties/<id:id>")
@login_required
def show(id: int):
    party = db.session.get(Party, id)
    cases = party_file(current_user, party) if party is not None else []
    if not cases:
        abort(404)
    view = policy.personal_data_across(current_user, [case for case, _role in cases], "party_file")
    return render_template("parties/show.html", party=party, cases=cases, pd=view)


@bp.get("/parties/<id:id>/personal-data")
@login_required
def personal_data(id: int):
    """A party's full phone, ID number and address, for a reader who asked to see them ("Show"): JSON for
    the page's script, else a small page. Seen from one case (``?case=``) or from the party's file. Each
    answer is written into the audit log; 403 for a reader who may see none of them in full."""
    party = db.session.get(Party, id)
    if party is None:
        abort(404)
    number = request.args.get("case")
    if number:
        case = load_case(number, current_user)
        if all(link.party_id != party.id for link in case.party_links):
            abort(404)
        view = policy.personal_data(current_user, case, "case_page")
    else:
        cases = [case for case, _role in party_file(current_user, party)]
        if not cases:
            abort(404)
        view = policy.personal_data_across(current_user, cases, "party_file")
    values = commit(lambda: reveal(current_user, party, view))
    if request.accept_mimetypes.best == "application/json":
        return jsonify(values=values)
    back = url_for("case_page.show", number=number, _anchor="parties") if number else url_for(".show", id=id)
    return render_template("parties/personal_data.html", party=party, values=values, back=back)


@bp.get("/parties/search")
@login_required
def search():
    """JSON for the intake type-ahead: people in cases the user may see whose name contains ``q``, or whose
    phone or ID number is ``q`` in full; phones and ID numbers masked, as ``policy`` shows them there.
    Throttled per user: a 429 in JSON says truthfully how long to wait."""
    wait = throttle.wait_before_search(current_user.id)
    if wait:
        return _throttled(wait)
    found = search_parties(current_user, (request.args.get("q") or "")[:50])
    cases = visible_cases_of(current_user, [p.id for p in found])
    results = []
    for party in found:
        view = policy.personal_data_across(current_user, cases[party.id], "type_ahead")
        results.append(
            {
                "id": party.id,
                "name": view.show("name", party.name),
                "phone": view.show("phone", party.phone),
                "id_number": view.show("id_number", party.id_number)
                or view.show("credit_code", party.credit_code),
                "cases": len(cases[party.id]),
                "url": url_for("parties.show", id=party.id),
            }
        )
    return jsonify(results=results)


def _throttled(wait: int):
    message = _("Too many searches in a short time. Wait %(seconds)d seconds, then type again.", seconds=wait)
    response = jsonify({"error": {"code": "too_many_requests", "message": message, "retry_after": wait}})
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/cases/<number>/parties/<id:party_id>", methods=["GET", "POST"])
@login_required
def edit(number, party_id: int):
    """Correct a party's particulars from one of their cases (the station's mediators, open cases)."""
    case = load_case(number, current_user)
    party = next((link.party for link in case.party_links if link.party_id == party_id), None)
    if party is None:
        abort(404)
    if not policy.can_edit_party(current_user, case, party):
        abort(403)
    view = policy.personal_data(current_user, case, "party_form")
    if request.method == "GET":
        commit(lambda: record_view(current_user, party, view))
        return _edit_page(case, party, PartyEditForm.for_party(party))
    form = PartyEditForm()
    return submit(
        form,
        lambda: update_party(current_user, case, party, version=form.version.data, **form.changes()),
        then=lambda changed: (
            url_for("case_page.show", number=case.number, _anchor="parties"),
            _("The particulars of %(name)s are saved.", name=party.name)
            if changed
            else _("Nothing was changed."),
        ),
        again=lambda status, error: _edit_again(case, party, form, status, error),
    )


def _edit_page(case, party, form, status=200, alert=None, saved=None):
    body = render_template("parties/edit.html", case=case, party=party, form=form, alert=alert, saved=saved)
    return body, status


def _edit_again(case, party, form, status, error):
    if isinstance(error, Conflict):
        # Keep what was typed, show what is saved now beside what differs, and take the current version:
        # sending again is then a choice made after seeing the other change.
        db.session.refresh(party)
        form.version.data = str(party.version)
        saved = PartyEditForm.for_party(party, formdata=None)
        return _edit_page(case, party, form, status, alert=error.message, saved=saved)
    return _edit_page(case, party, form, status)
