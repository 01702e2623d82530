"""The mediator's day: home, "my work" (what is due, most urgent first), the case list with its filters, and
registering a dispute."""

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mediation import exports, policy
from mediation.cases import party_blocks
from mediation.cases.forms import IntakeForm, chosen_station, intake_defaults
from mediation.clock import local_date, utcnow
from mediation.extensions import db
from mediation.ids import parse_id
from mediation.models import Station, User
from mediation.oversight import labels
from mediation.oversight import views as oversight
from mediation.services import case_export, inbox, my_work, search, station_log, supervision
from mediation.services.cases import register_case, serving
from mediation.web import commit, show_refusal, submit

bp = Blueprint("cases", __name__)
bp.add_app_template_global(party_blocks.blank_party)
bp.add_app_template_global(party_blocks.untouched, "untouched_party")

#: The home page lists at most this many open cases; the case list has the rest.
HOME_LIMIT = 50
#: The home page shows this many rows of the top of "my work" (overdue, then due today).
HOME_WORK_LIMIT = 5


@bp.get("/")
@login_required
def home():
    """A mediator's work at their stations; a supervisor's oversight dashboard; a liaison's agency inbox."""
    if policy.oversight_is_home(current_user):
        return oversight.dashboard()
    if policy.has_agency_inbox(current_user):
        now = utcnow()
        return render_template("referrals/inbox.html", inbox=inbox.inbox(current_user, now=now), moment=now)
    now = utcnow()
    filters = search.CaseFilters(state=search.OPEN, mine=policy.has_own_cases(current_user), sort="due")
    query = search.for_table(search.case_query(current_user, filters, now=now), now)
    cases = db.session.scalars(query.limit(HOME_LIMIT)).unique().all()
    counts = search.work_counts(current_user, now=now)
    work = my_work.my_work(current_user, now=now)
    return render_template(
        "cases/home.html",
        cases=cases,
        counts=counts,
        work=work,
        supervised=supervision.open_at(current_user),
        moment=now,
        limit=HOME_LIMIT,
        work_limit=HOME_WORK_LIMIT,
    )


@bp.get("/work")
@login_required
def work():
    """What is due that is the user's work (``services.my_work``); ``?scope=all``: a mediator's whole
    stations."""
    scope = my_work.ALL if request.args.get("scope") == my_work.ALL else my_work.MINE
    return render_template("cases/work.html", work=my_work.my_work(current_user, scope=scope))


@bp.get("/cases")
@login_required
def index():
    filters = search.CaseFilters.from_args(request.args)
    page = search.case_page(current_user, filters, current_app.config["CASES_PER_PAGE"])
    return render_template(
        "cases/index.html",
        page=page,
        filters=filters,
        stations=_station_choices(),
        drill_down=labels.drill_down_caption(current_user, filters),
    )


@bp.get("/cases/export.<any(xlsx, csv):fmt>")
@login_required
def export(fmt: str):
    """Every case the list's filters match (all pages, in the list's order) as XLSX or CSV; the export is
    written into the audit log."""
    filters = search.CaseFilters.from_args(request.args)
    now = utcnow()
    table = case_export.case_list_table(current_user, filters, now=now)
    name = _("cases-%(day)s", day=local_date(now).isoformat())
    response = exports.table_response(table, fmt, name)
    commit(lambda: case_export.record_export(current_user, filters, fmt, table.rows_written))
    return response


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def intake():
    stations = policy.registration_stations(current_user)
    if not stations:
        abort(403)
    entry_id = request.values.get("log_entry")
    entry = station_log.load_log_entry(current_user, entry_id) if entry_id else None
    if entry is not None:
        stations = [s for s in stations if s.id == entry.station_id]
    defaults = intake_defaults(entry, _preselected(stations))
    form = IntakeForm(data=defaults, stations=stations, serving=serving(stations, utcnow()))
    if request.method == "GET":
        return render_template("cases/intake.html", form=form, entry=entry)
    parties, positions = form.party_inputs()

    def register():
        mediator_id = parse_id(form.mediator.data)
        mediator = db.session.get(User, mediator_id) if mediator_id else None
        station = chosen_station(stations, form.station.data)
        case = register_case(current_user, station, form.case_input(), parties, mediator=mediator)
        if entry is not None:
            station_log.link_case(current_user, entry, case)
        return case

    return submit(
        form,
        register,
        then=lambda case: (
            url_for("case_page.show", number=case.number),
            _("Registered the dispute as case %(number)s.", number=case.number),
        ),
        again=lambda status, error: (render_template("cases/intake.html", form=form, entry=entry), status),
        show=lambda form, error: show_refusal(form, form.place_party_errors(error, positions)),
    )


def _preselected(stations) -> str | None:
    """The station to preselect: the only one, or the one named in ``?station=``."""
    wanted = (request.args.get("station") or "").upper()
    codes = [s.code for s in stations]
    return wanted if wanted in codes else (codes[0] if len(codes) == 1 else None)


def _station_choices() -> list[Station]:
    """Stations for the list's filter: the user's own. An administrator types a code instead: a province's
    2,000 stations are no list to pick from, nor to load on every page."""
    if policy.sees_every_station(current_user):
        return []
    return list(current_user.stations)
