"""A station's books: the visit log (服务记录本) and the duty roster (值班表).

Mediators of the station keep them; its supervisors read them; everyone else gets 404.
"""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mediation import policy
from mediation.clock import local_date, local_now_input, utcnow
from mediation.services import station_log
from mediation.services.search import paginate, parse_page
from mediation.station.forms import RosterForm, VisitForm
from mediation.web import commit_or_show

bp = Blueprint("station", __name__)

VISITS_PER_PAGE = 25


@bp.route("/station/<code>/visits", methods=["GET", "POST"])
@login_required
def visits(code: str):
    station, keeper = _books(code)
    form = VisitForm(data={"visited_at": local_now_input().strftime("%Y-%m-%dT%H:%M")})
    if form.validate_on_submit():
        record = form.to_input()
        saved, _entry = commit_or_show(form, lambda: station_log.record_visit(current_user, station, record))
        if saved:
            flash(_("The visit is in the log."), "success")
            return redirect(url_for(".visits", code=station.code))
    page = paginate(station_log.visits_query(station), parse_page(request.args.get("page")), VISITS_PER_PAGE)
    return render_template("station/visits.html", station=station, form=form, page=page, keeper=keeper)


@bp.route("/station/<code>/roster", methods=["GET", "POST"])
@login_required
def roster(code: str):
    station, keeper = _books(code)
    monday = station_log.parse_week(request.values.get("week"))
    form = RosterForm(data={"week": monday.isoformat()})
    if form.validate_on_submit():
        assignments = form.assignments(request.form.getlist("duty"))
        saved, changes = commit_or_show(
            form, lambda: station_log.set_week_roster(current_user, station, monday, assignments)
        )
        if saved:
            added, removed = changes
            message = _("Roster saved: %(added)s added, %(removed)s removed.", added=added, removed=removed)
            flash(message, "success")
            return redirect(url_for(".roster", code=station.code, week=monday.isoformat()))
    return render_template(
        "station/roster.html",
        station=station,
        form=form,
        keeper=keeper,
        monday=monday,
        days=station_log.week_roster(station, monday),
        mediators=station_log.station_mediators(station),
        today=local_date(utcnow()),
        timedelta=timedelta,
    )


def _books(code: str):
    """The station whose books are asked for (404 unless the user may read them), and whether the user
    keeps them; only a keeper may post (403)."""
    station = station_log.load_station(current_user, code)
    keeper = policy.can_keep_station_books(current_user, station)
    if request.method == "POST" and not keeper:
        abort(403)
    return station, keeper
