"""How the oversight pages and the drill-down list name a period, a scope and a breakdown row, in the
reader's language."""

from datetime import date

from babel.dates import format_interval, format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from mediation import policy, taxonomy
from mediation.extensions import db
from mediation.models import Agency, Station, User
from mediation.services import metrics


def period_label(period: metrics.Period) -> str:
    """November 2026 / 2026年11月; Q4 2026; 2026; Nov 3 – 9, 2026."""
    locale = get_locale()
    if period.kind == metrics.MONTH:
        return format_skeleton("yMMMM", period.start, locale=locale)
    if period.kind == metrics.QUARTER:
        return format_skeleton("yQQQ", period.start, locale=locale)
    if period.kind == metrics.YEAR:
        return format_skeleton("y", period.start, locale=locale)
    return format_interval(period.start, period.end, "yMMMd", locale=locale)


def month_label(month: str) -> str:
    """``2026-11`` as the reader writes it: Nov 2026 / 2026年11月."""
    year, number = month.split("-")
    return format_skeleton("yMMM", date(int(year), int(number), 1), locale=get_locale())


#: Past this many, a scope is named by its number of stations rather than their names.
NAMED_STATIONS = 3


def scope_label(actor, names, total: int, asked: bool, district: str = "") -> str:
    """The stations counted: their ``names`` (when a few), a district, or all the reader's."""
    if not asked:
        return _("Every station") if policy.sees_every_station(actor) else _("All my stations")
    if not total:
        return _("No station")
    if total <= NAMED_STATIONS:
        return ("、" if get_locale().language == "zh" else ", ").join(names[:total])
    if district:
        return _("%(district)s: %(num)d stations", district=district, num=total)
    return _("%(num)d stations", num=total)


def scope_names(scope: metrics.Scope) -> list[str]:
    """The names of a scope's first few stations (enough for ``scope_label``)."""
    query = select(Station.name).where(Station.id.in_(scope.station_ids)).order_by(Station.code)
    return list(db.session.scalars(query.limit(NAMED_STATIONS)))


def group_labels(dimension: str, keys) -> dict:
    """``{key: (label, detail)}`` for the rows of a breakdown (one query for stations, mediators or
    agencies). ``detail`` is the station's code or the agency's kind."""
    keys = [k for k in keys if k is not None]
    if dimension == "station":
        rows = db.session.execute(select(Station.id, Station.name, Station.code).where(Station.id.in_(keys)))
        return {i: (name, code) for i, name, code in rows}
    if dimension == "mediator":
        rows = db.session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(keys)))
        return {i: (shown or username, "") for i, shown, username in rows}
    if dimension == "agency":
        rows = db.session.execute(select(Agency.id, Agency.name, Agency.kind).where(Agency.id.in_(keys)))
        return {i: (name, str(taxonomy.AGENCY_KINDS.get(kind, kind))) for i, name, kind in rows}
    if dimension == "category":
        return {k: (str(taxonomy.CATEGORIES.get(k, k)), "") for k in keys}
    if dimension == "channel":
        return {k: (str(taxonomy.CHANNELS.get(k, k)), "") for k in keys}
    if dimension == "month":
        return {k: (month_label(k), "") for k in keys}
    raise ValueError(dimension)


def drill_down_caption(actor, filters) -> dict | None:
    """What a drill-down list shows, in words: the figure, its period (none for "now" figures), the
    stations and the breakdown row; ``None`` for an ordinary list."""
    if not filters.metric:
        return None
    parts = [str(metrics.FIGURES[filters.metric].label)]
    if not metrics.is_now(filters.metric):
        parts.append(period_label(filters.period))
    asked = bool(filters.station_codes or filters.district)
    scope = metrics.scope_for(actor, filters.station_codes, filters.district) if asked else None
    names = scope_names(scope) if asked else []
    parts.append(scope_label(actor, names, len(scope.station_ids) if asked else 0, asked, filters.district))
    for dimension, value in (
        ("mediator", filters.mediator),
        ("category", filters.category),
        ("channel", filters.channel),
        ("month", filters.month),
        ("agency", filters.agency),
    ):
        if value:
            label = group_labels(dimension, [value]).get(value)
            parts.append(label[0] if label else str(value))
    return {"parts": parts}
