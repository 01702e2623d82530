"""The printable monthly statistical report (``services.report``), for a month, a quarter or a year over
some or all of the reader's stations; every number links to the list of exactly its cases."""

from babel.numbers import format_decimal
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from mediation import exports, policy
from mediation.clock import local_date, utcnow
from mediation.extensions import db
from mediation.models import Station
from mediation.services import metrics, report
from mediation.templating import format_day, listing

bp = Blueprint("reports", __name__)

#: How the page names each kind of period: 2026年11月 / 2026年第4季度 / 2026年.
PERIOD_FORMATS = {metrics.MONTH: "yMMMM", metrics.QUARTER: "yQQQQ", metrics.YEAR: "y"}
#: How many years back the form offers quarters and years.
YEARS_OFFERED = 6


def case_list_url(figure: str, period: metrics.Period, stations=(), category: str | None = None) -> str:
    """The case list of exactly the cases a report cell counts, in the drill-down form the case list reads:
    ``/cases?metric=<figure>&from=YYYY-MM-DD&to=YYYY-MM-DD&station=XLG&category=neighbour``. ``stations``:
    the codes, given only when the report covers fewer than all the reader's stations (the list is scoped
    to them already); ``category``: none for a total."""
    args = {"metric": figure, **period.args()}
    if stations:
        args["station"] = list(stations)
    if category:
        args["category"] = category
    return url_for("cases.index", **args)


def amount(value) -> str:
    """An amount in the table: yuan with fen, grouped (356,000.00)."""
    return format_decimal(value, format="#,##0.00", locale=get_locale())


def period_label(period: metrics.Period) -> str:
    return format_day(period.start, PERIOD_FORMATS.get(period.kind, "yMMMM"))


def report_title(built: report.Report) -> str:
    if built.unit:
        return _("%(unit)s people's mediation statistics", unit=built.unit)
    return _("People's mediation statistics")


def _station_choices() -> list[Station]:
    if policy.sees_every_station(current_user):
        return list(db.session.scalars(select(Station).order_by(Station.code)))
    return sorted(current_user.stations, key=lambda s: s.code)


def _asked():
    """The period and the stations the query string asks for, as the page and its exports read them: the
    period (last month by default), the scope (the reader's stations, or those of them asked for) and the
    codes to carry in links (none when it is all the reader's)."""
    if not policy.can_read_reports(current_user):
        abort(403)
    today = local_date(utcnow())
    period = report.period_from_args(request.args, today)
    mine = metrics.scope_for(current_user)
    asked = [code.strip().upper()[:16] for code in request.args.getlist("station")[:5000] if code.strip()]
    scope = metrics.scope_for(current_user, asked) if asked else mine
    # Asking only for stations the reader may not see counts none of them: the report is of theirs.
    scope = scope if scope.station_ids else mine
    return today, period, scope, mine


@bp.get("/reports/monthly")
@login_required
def monthly():
    today, period, scope, mine = _asked()
    built = report.build(scope, period)
    codes = [] if scope == mine else [s.code for s in built.stations]
    years = sorted({*range(today.year, today.year - YEARS_OFFERED, -1), period.start.year}, reverse=True)
    return render_template(
        "reports/monthly.html",
        report=built,
        summary=report.summary(built),
        title=report_title(built),
        period_label=period_label(period),
        link=lambda figure, category=None: case_list_url(figure, period, codes, category),
        choices=_station_choices(),
        chosen={s.code for s in built.stations} if codes else set(),
        picked=report.period_args(period),
        export_args={**report.period_args(period), **({"station": codes} if codes else {})},
        years=years,
        amount=amount,
    )


#: How each kind of report column is written in an export.
EXPORT_KINDS = {report.TEXT: exports.TEXT, report.COUNT: exports.INTEGER, report.AMOUNT: exports.DECIMAL}


@bp.get("/reports/monthly.<fmt>")
@login_required
def monthly_export(fmt):
    """The report as XLSX or CSV: the same table, its title, period, stations and summary sentence."""
    if fmt not in exports.FORMATS:
        abort(404)
    _today, period, scope, _mine = _asked()
    built = report.build(scope, period)
    columns = [exports.Column(c.key, c.label, EXPORT_KINDS[c.kind]) for c in built.columns]
    rows = [[str(v) if i == 0 else v for i, v in enumerate(r.values)] for r in [*built.rows, built.total]]
    title = f"{report_title(built)} {period_label(period)}"
    stations = _("Stations: %(names)s", names=listing(s.name for s in built.stations))
    table = exports.Table(title, columns, rows, subtitle=[stations, report.summary(built)])
    return exports.table_response(table, fmt, f"{title}")
