"""The oversight dashboard and its breakdowns: what the reader picked (a period and stations), the figures
of ``services.metrics`` over it, and where each number leads (the case list of exactly its cases)."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from mediation import charts, exports, policy, taxonomy
from mediation.clock import utcnow
from mediation.extensions import db
from mediation.models import Station
from mediation.oversight import labels
from mediation.services import metrics

bp = Blueprint("oversight", __name__, url_prefix="/oversight")

#: The dashboard's sections: (heading, [(kind, name)]); kind is a count, a rate or an average.
SECTIONS = (
    ("Cases", (
        ("count", "opened"), ("count", "opened_closed"), ("rate", "closure_rate"), ("count", "closed"),
        ("count", "closed_on_time"), ("rate", "on_time_rate"), ("average", "median_days_to_close"),
        ("count", "open_now"), ("count", "overdue_now"),
    )),
    ("Outcomes", (
        ("count", "resolved"), ("count", "failed"), ("count", "withdrawn"), ("count", "declined"),
        ("count", "agreements"), ("rate", "success_rate"),
    )),
    ("Referrals", (
        ("count", "referred"), ("count", "referral_answered"), ("count", "referral_accepted"),
        ("rate", "referral_acceptance"), ("average", "median_answer_hours"),
    )),
    ("Follow-up visits", (
        ("count", "follow_ups_due"), ("count", "follow_ups_done"), ("rate", "follow_up_completion"),
        ("average", "mean_satisfaction"),
    )),
    ("Supervision (督办)", (
        ("count", "supervised"), ("count", "supervision_answered"), ("rate", "supervision_answer_rate"),
        ("count", "supervision_open"),
    )),
)  # fmt: skip
SECTION_LABELS = {
    "Cases": lambda: _("Cases"),
    "Outcomes": lambda: _("Outcomes and agreements"),
    "Referrals": lambda: _("Referrals to agencies"),
    "Follow-up visits": lambda: _("Follow-up visits"),
    "Supervision (督办)": lambda: _("Supervision (督办)"),
}
#: A breakdown's two tables: the cases' own figures, then agreements, referrals, visits and supervision.
TABLES = (
    (_l("Cases"), (
        "opened", "opened_closed", "closure_rate", "closed", "closed_on_time", "on_time_rate", "resolved",
        "failed", "withdrawn", "declined", "open_now", "overdue_now",
    )),
    (_l("Agreements, referrals, follow-up visits and supervision"), (
        "agreements", "success_rate", "referred", "referral_answered", "referral_accepted",
        "referral_acceptance", "follow_ups_due", "follow_ups_done", "follow_up_completion", "supervised",
        "supervision_answered", "supervision_open", "supervision_answer_rate",
    )),
)  # fmt: skip
#: The tabs of the oversight pages, one per breakdown.
BY = {
    "station": _l("By station"),
    "mediator": _l("By mediator"),
    "category": _l("By category"),
    "channel": _l("By channel"),
    "month": _l("By month"),
    "agency": _l("By agency"),
}
#: A chart shows at most this many rows (the table has them all).
CHART_ROWS = 25
OUTCOMES = ("resolved", "failed", "withdrawn", "declined")


@dataclass(frozen=True)
class Reading:
    """What the reader asked for: a period (named or dated), stations (codes, a district) and the scope
    they come to."""

    period: metrics.Period
    named: str
    codes: tuple[str, ...]
    district: str
    scope: metrics.Scope
    _links: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def asked(self) -> bool:
        return bool(self.codes or self.district)

    def scope_args(self) -> dict:
        """The query-string arguments that give these stations."""
        out = {}
        if self.codes:
            out["station"] = list(self.codes)
        if self.district:
            out["district"] = self.district
        return out

    def keep(self, **changes) -> dict:
        """The arguments that keep the period and the stations, for links between the oversight pages."""
        period = {"period": self.named} if self.named else self.period.args()
        return {**period, **self.scope_args(), **changes}

    def cases(self, name: str, period: metrics.Period | None = None, **row) -> str:
        """The case list of exactly the cases figure ``name`` counts (in ``row``, a breakdown's group).
        A breakdown links every cell: the figure's part of the address is built once, the row's appended."""
        period = period or self.period
        key = (name, period, "station" in row)
        if key not in self._links:
            args = {"metric": name, **period.args(), **self.scope_args(), "sort": "due"}
            if "station" in row:
                args.pop("station", None)
            self._links[key] = url_for("cases.index", **args)
        if not row:
            return self._links[key]
        narrowed = tuple(row.items())
        if narrowed not in self._links:
            self._links[narrowed] = "&" + urlencode(row, doseq=True)
        return self._links[key] + self._links[narrowed]


def _reading() -> Reading:
    if not policy.can_read_oversight(current_user):
        abort(403)
    period = metrics.period_from_args(request.args)
    named = (request.args.get("period") or "").strip()
    if named not in metrics.NAMED:
        named = "" if request.args.get("from") else "this_month"
    codes = tuple(dict.fromkeys(c.strip().upper()[:16] for c in request.args.getlist("station") if c.strip()))
    district = (request.args.get("district") or "").strip()[:100]
    return Reading(period, named, codes, district, metrics.scope_for(current_user, codes, district))


def _picker(reading: Reading) -> dict:
    """The choices of the stations picker: the reader's own stations by district, or for an administrator
    (every station: too many to tick) the districts and a station code to type."""
    if policy.sees_every_station(current_user):
        query = select(Station.district).where(Station.district != "").distinct().order_by(Station.district)
        return {"districts": list(db.session.scalars(query)), "stations": None}
    by_district = {}
    for station in current_user.stations:
        by_district.setdefault(station.district or "", []).append(station)
    return {"districts": sorted(by_district), "stations": by_district}


def _page_context(reading: Reading) -> dict:
    names = labels.scope_names(reading.scope) if reading.asked else []
    return {
        "reading": reading,
        "picker": _picker(reading),
        "period_label": labels.period_label(reading.period),
        "previous_label": labels.period_label(reading.period.previous()),
        "scope_label": labels.scope_label(
            current_user, names, len(reading.scope.station_ids), reading.asked, reading.district
        ),
        "named_periods": metrics.NAMED_LABELS,
        "dimensions": BY,
        "figures": metrics.FIGURES,
        # Each figure's label in the reader's language, once: a breakdown names its figure in every cell.
        "named": {name: str(figure.label) for name, figure in metrics.FIGURES.items()},
        "rates": metrics.RATES,
        "averages": metrics.AVERAGES,
    }


@bp.get("/")
@login_required
def dashboard():
    """The period's figures beside the period before, and the stations ranked by closure rate."""
    reading = _reading()
    now = utcnow()
    compared = metrics.compare(reading.scope, reading.period, now=now)
    averages = metrics.compare_averages(reading.scope, reading.period, now=now)
    current, before = (
        {**counts, **metrics.rates(counts), **averages[side]}
        for side in (metrics.CURRENT, metrics.PREVIOUS)
        for counts in [metrics.side_totals(compared, side)]
    )
    sections = [
        (SECTION_LABELS[heading](), [_item(kind, name, current, before) for kind, name in items])
        for heading, items in SECTIONS
    ]
    ranking = _ranking(reading, compared)
    return render_template(
        "oversight/dashboard.html",
        sections=sections,
        previous=reading.period.previous(),
        ranking=ranking,
        chart=_ranking_chart(ranking) if len(ranking) > 1 else None,
        **_page_context(reading),
    )


def _item(kind: str, name: str, current: dict, before: dict) -> dict:
    """One figure of the dashboard: its label, value now and before, and which way it moved."""
    if kind == "count":
        label, better = metrics.FIGURES[name].label, metrics.FIGURES[name].better
    elif kind == "rate":
        label, better = metrics.RATES[name].label, metrics.RATES[name].better
    else:
        label, better = metrics.AVERAGES[name], metrics.AVERAGE_BETTER[name]
    now_figure = kind == "count" and metrics.is_now(name)
    value, was = current[name], (None if now_figure else before[name])
    return {
        "kind": kind,
        "name": name,
        "label": label,
        "value": value,
        "before": was,
        "now": now_figure,
        "change": change(value, was, better, kind),
    }


def change(value, was, better: str | None, kind: str = "count") -> dict | None:
    """Which way a figure moved since the period before: ``direction`` (up, down, same), ``amount`` (in
    percentage points for a rate) and ``tone`` (good, bad, neutral by which way is better); ``None`` when
    either side has no value."""
    if value is None or was is None:
        return None
    amount = (value - was) * 100 if kind == "rate" else value - was
    if round(amount, 1) == 0:
        return {"direction": "same", "amount": 0, "tone": "neutral"}
    direction = "up" if amount > 0 else "down"
    tone = "neutral" if better is None else ("good" if direction == better else "bad")
    return {"direction": direction, "amount": abs(amount), "tone": tone}


def _ranking(reading: Reading, compared: dict) -> list[dict]:
    """The stations of the scope, best closure rate first, then fewest overdue: each with its key figures
    (the period's side of ``compared``)."""
    groups = metrics.with_rates(
        {station: counts for (side, station), counts in compared.items() if side == metrics.CURRENT}
    )
    ids = set(groups) | (set(reading.scope.station_ids) if len(reading.scope.station_ids) <= 200 else set())
    stations = db.session.scalars(select(Station).where(Station.id.in_(ids))).all()
    empty = {**dict.fromkeys(metrics.FIGURES, 0), **metrics.rates({})}
    rows = [{"station": s, **groups.get(s.id, empty)} for s in stations]
    return sorted(
        rows,
        key=lambda r: (
            r["closure_rate"] is None,
            -(r["closure_rate"] or 0),
            r["overdue_now"],
            r["station"].code,
        ),
    )


def _ranking_chart(ranking):
    rows = ranking[:CHART_ROWS]
    return charts.bar_chart(
        _("Closure rate by station"),
        _("Of the cases each station registered in the period, the share closed; best first."),
        [r["station"].name for r in rows],
        [charts.Series(metrics.RATES["closure_rate"].label, [r["closure_rate"] for r in rows])],
        maximum=1,
        show=charts.percent,
    )


def _breakdown(dimension: str, reading: Reading):
    """A breakdown's rows and its tables' columns (figures and rates that apply to the dimension)."""
    now = utcnow()
    names = [n for n in metrics.FIGURES if metrics.applies(n, dimension)]
    groups = metrics.with_rates(
        metrics.breakdown(reading.scope, reading.period, dimension, names=names, now=now)
    )
    if dimension == "month":
        empty = {**dict.fromkeys(names, 0), **metrics.rates({})}
        groups = {month: groups.get(month, empty) for month in reading.period.months()}
    columns = {n for n in metrics.FIGURES if metrics.applies(n, dimension)} | {
        n for n in metrics.RATES if metrics.rate_applies(n, dimension)
    }
    tables = [(heading, [c for c in names_ if c in columns]) for heading, names_ in TABLES]
    return _rows(dimension, groups), [(heading, cols) for heading, cols in tables if cols]


@bp.get("/by/<dimension>")
@login_required
def breakdown(dimension):
    """Every figure and rate per station, mediator, category, channel, month or agency, with charts."""
    if dimension not in metrics.DIMENSIONS:
        abort(404)
    reading = _reading()
    rows, tables = _breakdown(dimension, reading)
    return render_template(
        "oversight/breakdown.html",
        dimension=dimension,
        dimension_label=metrics.DIMENSION_LABELS[dimension],
        rows=rows,
        tables=tables,
        chart_list=_charts(dimension, rows),
        **_page_context(reading),
    )


@bp.get("/by/<dimension>.<fmt>")
@login_required
def breakdown_export(dimension, fmt):
    """A breakdown as XLSX or CSV: one row per group, every figure and rate of its tables (the same
    numbers as the page), with the period and the stations above it."""
    if dimension not in metrics.DIMENSIONS or fmt not in exports.FORMATS:
        abort(404)
    reading = _reading()
    rows, tables = _breakdown(dimension, reading)
    context = _page_context(reading)
    names = [name for _heading, columns in tables for name in columns]
    columns = [exports.Column("group", metrics.DIMENSION_LABELS[dimension])]
    if dimension == "station":
        columns.append(exports.Column("code", _l("Code")))
    columns += [
        exports.Column(name, metrics.FIGURES[name].label, exports.INTEGER)
        if name in metrics.FIGURES
        else exports.Column(name, metrics.RATES[name].label, exports.PERCENT)
        for name in names
    ]
    data = [
        [
            row["label"],
            *([row["detail"]] if dimension == "station" else []),
            *(row["values"][n] for n in names),
        ]
        for row in rows
    ]
    title = f"{metrics.DIMENSION_LABELS[dimension]} · {context['period_label']}"
    table = exports.Table(title, columns, data, subtitle=[context["scope_label"]])
    return exports.table_response(table, fmt, f"{_('Oversight')} {title}")


def _rows(dimension: str, groups: dict) -> list[dict]:
    """The breakdown's rows in reading order (stations, people and agencies by name, categories and
    channels as the vocabulary lists them, months in time), each with the filter that drills into it."""
    named = labels.group_labels(dimension, groups)
    rows = []
    for key, values in groups.items():
        label, detail = named.get(key, (_("Not assigned") if key is None else str(key), ""))
        rows.append(
            {
                "key": key,
                "label": label,
                "detail": detail,
                "values": values,
                "filter": _filter(dimension, key, detail),
            }
        )
    if dimension in ("category", "channel"):
        order = list(taxonomy.CATEGORIES if dimension == "category" else taxonomy.CHANNELS)
        rows.sort(key=lambda r: order.index(r["key"]) if r["key"] in order else len(order))
    elif dimension != "month":
        rows.sort(key=lambda r: (r["key"] is None, r["label"]))
    return rows


def _filter(dimension: str, key, detail: str) -> dict | None:
    """The case-list filter of a breakdown row; ``None`` for "not assigned" (no filter lists exactly it)."""
    if key is None:
        return None
    if dimension == "station":
        return {"station": detail}
    return {dimension: key}


def _charts(dimension: str, rows: list[dict]) -> list:
    """The charts that suit the breakdown: rates and overdue work per station or mediator, outcomes per
    category or channel, opened against closed per month, referrals per agency."""
    label = [r["label"] for r in rows]
    figure = metrics.FIGURES

    def series(*names):
        return [charts.Series(figure[n].label, [r["values"][n] for r in rows]) for n in names]

    if dimension in ("station", "mediator"):
        ranked = sorted(rows, key=lambda r: -r["values"]["overdue_now"])[:CHART_ROWS]
        overdue = charts.bar_chart(
            _("Overdue now by station") if dimension == "station" else _("Overdue now by mediator"),
            _("The open cases with a deadline past, most first."),
            [r["label"] for r in ranked],
            [charts.Series(figure["overdue_now"].label, [r["values"]["overdue_now"] for r in ranked])],
        )
        rated = rows[:CHART_ROWS]
        closure = charts.bar_chart(
            _("Closure rate by station") if dimension == "station" else _("Closure rate by mediator"),
            _("Of the cases registered in the period, the share closed."),
            [r["label"] for r in rated],
            [
                charts.Series(
                    metrics.RATES["closure_rate"].label, [r["values"]["closure_rate"] for r in rated]
                )
            ],
            maximum=1,
            show=charts.percent,
        )
        return [closure, overdue]
    if dimension in ("category", "channel"):
        rows = rows[:CHART_ROWS]
        return [
            charts.bar_chart(
                _("Outcomes by category") if dimension == "category" else _("Outcomes by channel"),
                _("The cases closed in the period, by the outcome of their first closure."),
                [r["label"] for r in rows],
                series(*OUTCOMES),
                stacked=True,
            )
        ]
    if dimension == "month":
        return [
            charts.bar_chart(
                _("Cases opened and closed per month"),
                _("For each month, the cases registered and the cases first closed in it."),
                label,
                series("opened", "closed"),
            )
        ]
    rows = rows[:CHART_ROWS]
    return [
        charts.bar_chart(
            _("Referrals by agency"),
            _("The cases referred to each agency in the period, and how many it accepted."),
            [r["label"] for r in rows],
            series("referred", "referral_accepted"),
        )
    ]
