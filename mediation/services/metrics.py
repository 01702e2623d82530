"""The oversight figures (issue 15, ``docs/metrics.md``), each defined once: the dashboard, the breakdowns,
the drill-down lists, the monthly report and the exports all ask this module.

A figure is a count of cases — each case once — drawn from one **source** (the cases registered in the
period, the cases first closed in it, the open cases now, the agreements reached in it, the referrals sent in
it, the follow-up visits due in it, the supervisions started in it) under one condition. ``cases(...)`` is the
SQL condition on ``Case`` that lists exactly the cases a figure counts, so a drill-down list and the number
it came from are the same query. Rates are ratios of two figures, medians and means are read from the same
rows. Periods are China's days (``Period``); the scope is a set of stations the reader may see (``Scope``).

A reopened case keeps its first closure (``Case.first_closed_at``, written once by ``apply_step``): it
counts as closed in the period it first closed in, once, with the outcome and the timeliness of that closure,
and it is open again in the "open now" figures.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from statistics import mean, median

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from mediation import lifecycle, policy
from mediation.clock import LOCAL_ZONE, end_of_day, local_date, utcnow
from mediation.extensions import db
from mediation.models import (
    Agreement,
    Case,
    Deadline,
    FollowUpVisit,
    Referral,
    Station,
    Supervision,
    SupervisionAnswer,
)

# --- Periods and scope ----------------------------------------------------------------------------------

MONTH, QUARTER, YEAR, RANGE = "month", "quarter", "year", "range"


@dataclass(frozen=True)
class Period:
    """China's days ``start`` to ``end``, both included."""

    start: date
    end: date
    kind: str = RANGE

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=LOCAL_ZONE)

    @property
    def ends_at(self) -> datetime:
        """The moment the period's last day ends (exclusive)."""
        return end_of_day(self.end)

    def previous(self) -> "Period":
        """The period before, to compare with: the month, quarter or year before; a range of as many days."""
        if self.kind == MONTH:
            return month_of(self.start - timedelta(days=1))
        if self.kind == QUARTER:
            return quarter_of(self.start - timedelta(days=1))
        if self.kind == YEAR:
            return year_of(self.start - timedelta(days=1))
        days = (self.end - self.start).days + 1
        return Period(self.start - timedelta(days=days), self.start - timedelta(days=1))

    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the period touches, in order."""
        out, day = [], self.start.replace(day=1)
        while day <= self.end:
            out.append(f"{day:%Y-%m}")
            day = (day + timedelta(days=32)).replace(day=1)
        return out

    def args(self) -> dict:
        """The query-string arguments that give this period (``period_from_args`` reads them back)."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(first, last, MONTH)


def quarter_of(day: date) -> Period:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last = (first + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    return Period(first, last, QUARTER)


def year_of(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31), YEAR)


#: The periods a reader picks by name.
NAMED = {
    "this_month": lambda today: month_of(today),
    "last_month": lambda today: month_of(today.replace(day=1) - timedelta(days=1)),
    "this_quarter": lambda today: quarter_of(today),
    "this_year": lambda today: year_of(today),
    "last_year": lambda today: year_of(date(today.year - 1, 1, 1)),
}
NAMED_LABELS = {
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "this_year": _l("This year"),
    "last_year": _l("Last year"),
}
#: The longest range asked for: ten years (a typo such as 0206 for 2026 is not a reason to scan a millennium).
LONGEST = timedelta(days=3660)


def period_from_args(args, today: date | None = None) -> Period:
    """The period a query string asks for: ``period=`` a name of ``NAMED``, or ``from=``/``to=`` ISO days
    (a whole month, quarter or year is recognised as one, so its previous period is the calendar one); this
    month for anything missing or malformed. Never raises."""
    today = today or local_date(utcnow())
    name = (args.get("period") or "").strip()
    if name in NAMED:
        return NAMED[name](today)
    try:
        start = date.fromisoformat((args.get("from") or "").strip())
        end = date.fromisoformat((args.get("to") or "").strip())
    except ValueError:
        return month_of(today)
    if end < start or end - start > LONGEST or start.year < 2000:
        return month_of(today)
    for whole in (month_of(start), quarter_of(start), year_of(start)):
        if (whole.start, whole.end) == (start, end):
            return whole
    return Period(start, end)


@dataclass(frozen=True)
class Scope:
    """The stations the figures count: some or all of those the reader may see. ``every``: all the
    stations there are (an administrator's whole province), so the queries need no list of 2,000 ids."""

    station_ids: tuple[int, ...]
    every: bool = False

    def clause(self, station_id=Case.station_id):
        """The condition on a station column (the case's, or a row's copy of it) that keeps the scope."""
        return true() if self.every else station_id.in_(self.station_ids or (-1,))


def scope_for(actor, codes=(), district: str = "") -> Scope:
    """The stations of ``actor`` (``policy``: a mediator's and a supervisor's own, every one for an
    administrator), narrowed to ``codes`` and to ``district`` when given; a code outside them is ignored,
    never added."""
    if policy.sees_every_station(actor):
        query = select(Station.id)
        if codes:
            query = query.where(Station.code.in_(list(codes)))
        if district:
            query = query.where(Station.district == district)
        return Scope(tuple(db.session.scalars(query.order_by(Station.id))), every=not (codes or district))
    if actor.role not in ("mediator", "supervisor"):
        return Scope(())
    stations = [s for s in actor.stations if not codes or s.code in codes]
    stations = [s for s in stations if not district or s.district == district]
    return Scope(tuple(sorted(s.id for s in stations)))


# --- The figures ------------------------------------------------------------------------------------------


class local_month(FunctionElement):
    """``YYYY-MM`` of a UTC moment in China time (fixed UTC+8), on PostgreSQL and SQLite."""

    type = String()
    inherit_cache = True


@compiles(local_month)
def _month_default(element, compiler, **kw):
    # Only for SQL written out without a database (the ORM words a subquery that way when it wraps a list
    # with joined eager loads under a LIMIT); a real database has its own rendering below.
    return f"local_month({compiler.process(element.clauses, **kw)})"


@compiles(local_month, "postgresql")
def _month_pg(element, compiler, **kw):
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"


@compiles(local_month, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '+8 hours')"


@dataclass(frozen=True)
class Source:
    """Where a family of figures comes from: rows of ``table`` (joined to their case by ``case_id``, in the
    scope by their ``station_id``, the case's) whose ``dated`` moment falls in the period; ``now`` sources
    count the open cases as they are now."""

    name: str
    table: object
    case_id: object
    station_id: object
    dated: object = None
    #: Conditions every row of the source meets.
    where: tuple = ()
    #: The agency a row concerns, for the by-agency breakdown (referrals only).
    agency_id: object = None


SOURCES = {s.name: s for s in (
    Source("registrations", Case, Case.id, Case.station_id, Case.registered_at),
    Source("first_closures", Case, Case.id, Case.station_id, Case.first_closed_at),
    Source("now", Case, Case.id, Case.station_id, where=(Case.state.not_in(lifecycle.FINAL_STATES),)),
    Source("agreements", Agreement, Agreement.case_id, Agreement.station_id, Agreement.created_at),
    Source("referrals", Referral, Referral.case_id, Referral.station_id, Referral.created_at,
           where=(Referral.direction == "out",), agency_id=Referral.agency_id),
    Source("follow_ups", Deadline, Deadline.case_id, Deadline.station_id, Deadline.due_at,
           where=(Deadline.kind.in_(("follow_up", "visit")), Deadline.cancelled_at.is_(None))),
    Source("visits", FollowUpVisit, FollowUpVisit.case_id, FollowUpVisit.station_id, None,
           where=(FollowUpVisit.done_on.is_not(None),)),
    Source("supervisions", Supervision, Supervision.case_id, Supervision.station_id, Supervision.created_at),
)}  # fmt: skip

_ANSWERED = Referral.answered_at.is_not(None)
_ACCEPTED = Referral.status.in_(("accepted", "resolved", "returned"))
_HAS_ANSWER = select(SupervisionAnswer.id).where(SupervisionAnswer.supervision_id == Supervision.id).exists()


@dataclass(frozen=True)
class Figure:
    """A count of cases: those with a row of ``source`` meeting ``condition`` (given ``now``), a condition
    on the source's own table (a source's rows are read without their case unless a slice needs it)."""

    name: str
    label: object
    source: str
    condition: object = None
    #: A condition that depends on the moment asked: ``condition_at(now)``.
    condition_at: object = None
    #: Higher is better (the dashboard's up/down arrows colour by it); ``None``: neither.
    better: str | None = "up"

    def where(self, now: datetime) -> list:
        """The figure's own conditions on its source's rows (``_base`` keeps the rows of the source)."""
        out = []
        if self.condition is not None:
            out.append(self.condition)
        if self.condition_at is not None:
            out.append(self.condition_at(now))
        return out


# fmt: off
FIGURES = {f.name: f for f in (
    Figure("opened", _l("Cases opened"), "registrations", better=None),
    Figure("opened_closed", _l("Of them closed"), "registrations", Case.first_closed_at.is_not(None)),
    Figure("mediated", _l("Of them accepted for mediation"), "registrations", Case.accepted_at.is_not(None)),
    Figure("closed", _l("Cases closed"), "first_closures"),
    Figure("closed_on_time", _l("Closed on time"), "first_closures", Case.first_closed_on_time.is_(True)),
    Figure("resolved", _l("Resolved"), "first_closures", Case.first_outcome == "resolved"),
    Figure("failed", _l("Mediation failed"), "first_closures", Case.first_outcome == "unresolved",
           better="down"),
    Figure("withdrawn", _l("Withdrawn"), "first_closures", Case.first_outcome == "withdrawn", better=None),
    Figure("declined", _l("Declined"), "first_closures", Case.first_outcome == "declined", better=None),
    Figure("open_now", _l("Open now"), "now", better=None),
    Figure("overdue_now", _l("Overdue now"), "now", condition_at=lambda now: Case.next_due_at < now,
           better="down"),
    Figure("agreements", _l("Agreements reached"), "agreements"),
    Figure("referred", _l("Cases referred"), "referrals", better=None),
    Figure("referral_answered", _l("Referrals answered"), "referrals", _ANSWERED),
    Figure("referral_accepted", _l("Referrals accepted"), "referrals", _ACCEPTED),
    Figure("follow_ups_due", _l("Follow-up visits due"), "follow_ups", better=None),
    Figure("follow_ups_done", _l("Follow-up visits made"), "follow_ups", Deadline.met_at.is_not(None)),
    Figure("visited", _l("Cases followed up"), "visits"),
    Figure("supervised", _l("Put under supervision"), "supervisions", better=None),
    Figure("supervision_answered", _l("Supervisions answered"), "supervisions", _HAS_ANSWER),
    Figure("supervision_open", _l("Supervisions open"), "supervisions", Supervision.ended_at.is_(None),
           better=None),
)}
# fmt: on


@dataclass(frozen=True)
class Rate:
    """A share: ``of`` over ``among`` (figures of one breakdown row); ``None`` when ``among`` is 0."""

    name: str
    label: object
    of: tuple[str, ...]
    among: tuple[str, ...]
    better: str = "up"

    def value(self, counts: dict) -> float | None:
        below = sum(counts.get(n, 0) for n in self.among)
        return sum(counts.get(n, 0) for n in self.of) / below if below else None


RATES = {r.name: r for r in (
    Rate("closure_rate", _l("Closure rate"), ("opened_closed",), ("opened",)),
    Rate("on_time_rate", _l("On-time closure rate"), ("closed_on_time",), ("closed",)),
    Rate("success_rate", _l("Mediation success rate"), ("agreements",), ("agreements", "failed")),
    Rate("referral_acceptance", _l("Referral acceptance rate"), ("referral_accepted",),
         ("referral_answered",)),
    Rate("follow_up_completion", _l("Follow-up completion"), ("follow_ups_done",), ("follow_ups_due",)),
    Rate("supervision_answer_rate", _l("Share of supervisions answered"), ("supervision_answered",),
         ("supervised",)),
)}  # fmt: skip

#: How a breakdown groups: the column of the case, of the source's date, or of the referral's agency.
DIMENSIONS = ("station", "mediator", "category", "channel", "month", "agency")
DIMENSION_LABELS = {
    "station": _l("Station"),
    "mediator": _l("Mediator"),
    "category": _l("Category"),
    "channel": _l("Channel"),
    "month": _l("Month"),
    "agency": _l("Agency"),
}


#: The dimensions that are the case's columns: grouping a source's rows by them reads its cases.
CASE_DIMENSIONS = ("mediator", "category", "channel")


def _dimension(dimension: str, source: Source):
    """The SQL expression a breakdown groups ``source``'s rows by; ``None`` where it does not apply (a case
    has a month only by a dated source, an agency only by its referrals)."""
    if dimension == "station":
        return source.station_id
    if dimension == "mediator":
        return Case.mediator_id
    if dimension in ("category", "channel"):
        return getattr(Case, dimension)
    if dimension == "month":
        return local_month(source.dated) if source.dated is not None else None
    if dimension == "agency":
        return source.agency_id
    raise ValueError(f"unknown dimension {dimension!r}")


def applies(name: str, dimension: str) -> bool:
    """Whether figure ``name`` can be split by ``dimension`` ("open now" has no month, only referrals an
    agency): a breakdown leaves out the figures it does not apply to."""
    return _dimension(dimension, SOURCES[FIGURES[name].source]) is not None


def rate_applies(name: str, dimension: str) -> bool:
    rate = RATES[name]
    return all(applies(n, dimension) for n in (*rate.of, *rate.among))


def is_now(name: str) -> bool:
    """Whether figure ``name`` counts the cases as they are now, whatever the period."""
    return FIGURES[name].source == "now"


@dataclass(frozen=True)
class Slice:
    """Narrows the figures to one value of each dimension given (a breakdown row, a drill-down)."""

    station: int | None = None
    mediator: int | None = None
    category: str | None = None
    channel: str | None = None
    month: str | None = None
    agency: int | None = None

    @property
    def on_case(self) -> bool:
        """Whether the slice narrows by a column of the case (not of a source's own row)."""
        return any(getattr(self, name) is not None for name in CASE_DIMENSIONS)

    def conditions(self, source: Source) -> list | None:
        """The conditions on ``source``'s rows, ``None`` when a dimension given does not apply to it."""
        out = []
        for name in DIMENSIONS:
            value = getattr(self, name)
            if value is None:
                continue
            column = _dimension(name, source)
            if column is None:
                return None
            out.append(column == value)
        return out


def _base(source: Source, scope: Scope, period: Period, on_case: bool = False):
    """The rows of ``source`` in ``scope`` and ``period``; joined to their case when the query reads the
    case's columns (``on_case``: a breakdown or slice by mediator, category or channel), else read from
    the source's own index of station and date alone."""
    query = select().select_from(source.table)
    if on_case and source.table is not Case:
        query = query.join(Case, Case.id == source.case_id)
    query = query.where(scope.clause(source.station_id), *source.where)
    if source.name == "visits":
        query = query.where(FollowUpVisit.done_on.between(period.start, period.end))
    elif source.dated is not None:
        query = query.where(source.dated >= period.starts_at, source.dated < period.ends_at)
    return query


def cases(name: str, scope: Scope, period: Period, where: Slice = Slice(), now: datetime | None = None):
    """The condition on ``Case`` that holds for exactly the cases figure ``name`` counts: a drill-down
    list is ``select(Case).where(cases(...))``."""
    now = now or utcnow()
    figure = FIGURES[name]
    source = SOURCES[figure.source]
    narrowed = where.conditions(source)
    if narrowed is None:
        return Case.id.in_(())
    rows = _base(source, scope, period, where.on_case).where(*figure.where(now), *narrowed)
    if source.table is Case:
        return rows.whereclause  # the case's own columns: the list's query reads its indexes directly
    return Case.id.in_(rows.add_columns(source.case_id))


def breakdown(
    scope: Scope,
    period: Period,
    by: str | None = None,
    *,
    names=None,
    where: Slice = Slice(),
    now: datetime | None = None,
) -> dict:
    """Every figure in ``names`` (all by default), in ``scope`` and ``period``, grouped ``by`` a dimension:
    ``{group value: {figure: count}}`` (one key, ``None``, when not grouped). One query per source."""
    counted = _tally(scope, period, _grouping(by), names, where, now, on_case=by in CASE_DIMENSIONS)
    return {key[0] if by else None: values for key, values in counted.items()}


def _grouping(by: str | None):
    """The grouping columns of a breakdown ``by`` a dimension, per source (none: one group)."""

    def columns(source: Source):
        if not by:
            return []
        group = _dimension(by, source)
        return None if group is None else [group.label("group")]

    return columns


def compare(scope: Scope, period: Period, *, names=None, now: datetime | None = None) -> dict:
    """The figures of ``period`` and of the period before it, per station, in one query per source (the rows
    of both periods, each told apart by its date): ``{(side, station id): {figure: count}}``, side
    ``CURRENT`` or ``PREVIOUS``; the "now" figures are on the current side only. A case belongs to one
    station, so a side's counts summed over its stations are the scope's (``side_totals``)."""

    def keys(source):
        return [_side(source, period), source.station_id]

    return _tally(scope, _with_previous(period), keys, names, Slice(), now)


def _with_previous(period: Period) -> Period:
    """The days of ``period`` and of the period before it, which ends the day before it starts."""
    previous = period.previous()
    assert previous.end + timedelta(days=1) == period.start, "the period before ends the day before"
    return Period(previous.start, period.end)


CURRENT, PREVIOUS = 1, 0


def _side(source: Source, period: Period):
    """``CURRENT`` for a row of ``period``, ``PREVIOUS`` for one before it."""
    if source.name == "visits":
        return case((FollowUpVisit.done_on >= period.start, CURRENT), else_=PREVIOUS)
    if source.dated is None:
        return literal(CURRENT)
    return case((source.dated >= period.starts_at, CURRENT), else_=PREVIOUS)


def side_totals(compared: dict, side: int, names=None) -> dict:
    """One side of ``compare`` summed over its stations: every figure in ``names``, 0 where none."""
    out = dict.fromkeys(names or FIGURES, 0)
    for (row_side, _station), counts in compared.items():
        if row_side == side:
            for name, count in counts.items():
                out[name] += count
    return out


def _tally(scope: Scope, period: Period, keys, names, where: Slice, now, on_case: bool = False) -> dict:
    """The counts of ``breakdown`` and ``compare``: ``{key tuple: {figure: count}}`` grouped by the columns
    ``keys(source)`` gives (``None``: the grouping does not apply to the source, which is left out)."""
    now = now or utcnow()
    names = list(names or FIGURES)
    out = defaultdict(dict)
    by_source = defaultdict(list)
    for name in names:
        by_source[FIGURES[name].source].append(FIGURES[name])
    for source_name, figures in by_source.items():
        source = SOURCES[source_name]
        columns = keys(source)
        query = _grouped(source, scope, period, columns, where, on_case)
        if query is None:
            continue
        counts = [_count(source, f, now) for f in figures]
        for row in db.session.execute(query.add_columns(*counts)):
            key, values = tuple(row[: len(columns)]), row[len(columns) :]
            for f, value in zip(figures, values, strict=True):
                out[key][f.name] = value or 0
    for values in out.values():
        for name in names:
            values.setdefault(name, 0)
    return dict(out)


def _grouped(source: Source, scope: Scope, period: Period, columns, where: Slice, on_case: bool):
    """``source``'s rows in the scope, period and slice, grouped by ``columns`` (selected first); ``None``
    when the slice or the grouping does not apply to the source."""
    narrowed = where.conditions(source)
    if narrowed is None or columns is None:
        return None
    query = _base(source, scope, period, on_case or where.on_case).where(*narrowed)
    return query.add_columns(*columns).group_by(*columns) if columns else query


def _count(source: Source, figure: Figure, now: datetime):
    """``COUNT(DISTINCT case_id)`` of the rows meeting ``figure``'s conditions: each case once (a case's
    own row is once already)."""
    conditions = figure.where(now)
    count = func.count(source.case_id if source.table is Case else func.distinct(source.case_id))
    return (count.filter(and_(*conditions)) if conditions else count).label(figure.name)


def totals(scope: Scope, period: Period, where: Slice = Slice(), now: datetime | None = None) -> dict:
    """Every figure and rate, and the medians and means, over the whole scope and period."""
    now = now or utcnow()
    counts = breakdown(scope, period, where=where, now=now).get(None, dict.fromkeys(FIGURES, 0))
    return {**counts, **rates(counts), **averages(scope, period, where, now)}


@dataclass(frozen=True)
class Sum:
    """A total of a case's ``column`` over the cases figure ``figure`` counts (each case once)."""

    name: str
    label: object
    figure: str
    column: object


#: The sums beside the counts: the amount involved in the disputes received, in yuan.
SUMS = {s.name: s for s in (Sum("amount", _l("Amount involved (yuan)"), "opened", Case.amount),)}
CENT = Decimal("0.01")


def sums(
    scope: Scope,
    period: Period,
    by: str | None = None,
    *,
    names=None,
    where: Slice = Slice(),
    now: datetime | None = None,
) -> dict:
    """Every sum in ``names`` (all by default) grouped like ``breakdown``: ``{group value: {sum: Decimal}}``.
    A case without an amount adds nothing; a group with no case is absent."""
    now = now or utcnow()
    out = defaultdict(dict)
    for name in names or SUMS:
        total = SUMS[name]
        figure = FIGURES[total.figure]
        source = SOURCES[figure.source]
        # Summing a case's column over rows of another table would add a case once per row.
        assert source.table is Case, f"{name}: a sum needs a figure counted over cases"
        query = _grouped(source, scope, period, _grouping(by)(source), where, on_case=False)
        if query is None:
            continue
        query = query.where(*figure.where(now)).add_columns(
            func.count(Case.id).label("cases"), func.sum(total.column).label("total")
        )
        for row in db.session.execute(query).mappings():
            if row["cases"]:
                key = row["group"] if by else None
                out[key][name] = Decimal(row["total"] or 0).quantize(CENT)
    return dict(out)


def rates(counts: dict) -> dict:
    return {name: rate.value(counts) for name, rate in RATES.items()}


#: The averages, beside the counts and rates.
AVERAGES = {
    "median_days_to_close": _l("Median days to close"),
    "median_answer_hours": _l("Median hours to answer a referral"),
    "mean_satisfaction": _l("Mean satisfaction (1–5)"),
}


#: Which way each average is better (the dashboard's arrows): fewer days, quicker answers, more satisfied.
AVERAGE_BETTER = {"median_days_to_close": "down", "median_answer_hours": "down", "mean_satisfaction": "up"}


def averages(scope: Scope, period: Period, where: Slice = Slice(), now: datetime | None = None) -> dict:
    """The median days to (first) close, the median hours an agency took to answer a referral, and the
    mean satisfaction of the visits made, over the same rows as the counts."""
    return _averages(scope, period, where, lambda source: literal(CURRENT))[CURRENT]


def compare_averages(scope: Scope, period: Period, now: datetime | None = None) -> dict:
    """``averages`` of ``period`` and of the period before, read together: ``{CURRENT: …, PREVIOUS: …}``."""
    return _averages(scope, _with_previous(period), Slice(), lambda source: _side(source, period))


def _averages(scope: Scope, period: Period, where: Slice, side) -> dict:
    """The averages of each ``side(source)`` of the rows (one query per average, whatever the sides)."""
    values = {CURRENT: defaultdict(list), PREVIOUS: defaultdict(list)}

    def read(name, source, columns, *conditions, value=lambda v: v):
        if (narrowed := where.conditions(source)) is None:
            return
        query = _base(source, scope, period, where.on_case).add_columns(side(source), *columns)
        for row_side, *found in db.session.execute(query.where(*conditions, *narrowed)):
            if None not in found:
                values[row_side][name].append(value(*found))

    read("median_days_to_close", SOURCES["first_closures"], [Case.days_to_close])
    read(
        "median_answer_hours",
        SOURCES["referrals"],
        [Referral.created_at, Referral.answered_at],
        _ANSWERED,
        value=lambda sent, answered: (answered - sent).total_seconds() / 3600,
    )
    read("mean_satisfaction", SOURCES["visits"], [FollowUpVisit.satisfaction])
    summarise = {"median_days_to_close": median, "median_answer_hours": median, "mean_satisfaction": mean}
    return {
        row_side: {name: summarise[name](found[name]) if found[name] else None for name in AVERAGES}
        for row_side, found in values.items()
    }


def with_rates(groups: dict) -> dict:
    """Each breakdown row with its rates beside its counts."""
    return {key: {**counts, **rates(counts)} for key, counts in groups.items()}
