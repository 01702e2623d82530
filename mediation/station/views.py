"""A station's books: the visit log (服务记录本) and the duty roster (值班表).

Mediators of the station keep them; its supervisors read them; everyone else gets 404.
"""

from datetime import timedelta

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mediation import policy
from mediation.clock import local_date, local_now_input, utcnow
from mediation.services import station_log
from mediation.services.search import paginate, parse_page
from mediation.station.forms import RosterForm, VisitorForm
from mediation.web import submit

bp = Blueprint("station", __name__)

ENTRIES_PER_PAGE = 25


@bp.route("/station/<code>/visit-log", methods=["GET", "POST"])
@login_required
def visit_log(code: str):
    station, keeper = _books(code)
    form = VisitorForm(data={"visited_at": local_now_input().strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST":
        return submit(
            form,
            lambda: station_log.log_visitor(current_user, station, form.to_input()),
            then=lambda _entry: (url_for(".visit_log", code=station.code), _("The visit is in the log.")),
            again=lambda status, error: (_visit_log_page(station, form, keeper), status),
        )
    return _visit_log_page(station, form, keeper)


def _visit_log_page(station, form, keeper):
    page = paginate(
        station_log.visit_log_query(station), parse_page(request.args.get("page")), ENTRIES_PER_PAGE
    )
    return render_template("station/visit_log.html", station=station, form=form, page=page, keeper=keeper)


@bp.route("/station/<code>/roster", methods=["GET", "POST"])
@login_required
def roster(code: str):
    station, keeper = _books(code)
    monday = station_log.parse_week(request.values.get("week"))
    form = RosterForm(data={"week": monday.isoformat()})
    if request.method == "POST":
        return submit(
            form,
            lambda: station_log.set_week_roster(
                current_user,
                station,
                station_log.parse_week(request.form.get("week"), strict=True),
                form.assignments(request.form.getlist("duty")),
            ),
            then=lambda changes: (
                url_for(".roster", code=station.code, week=monday.isoformat()),
                _saved(*changes),
            ),
            again=lambda status, error: (_roster_page(station, form, keeper, monday), status),
        )
    return _roster_page(station, form, keeper, monday)


def _saved(added, removed):
    return _("Roster saved: %(added)s added, %(removed)s removed.", added=added, removed=removed)


def _roster_page(station, form, keeper, monday):
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
