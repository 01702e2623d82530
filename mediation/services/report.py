"""The monthly statistical report a justice bureau asks for (人民调解工作统计月报, issue 15 item 5).

One row per dispute category of the justice bureau (``taxonomy.CATEGORIES``, DOMAIN §10's order) and a total
row, for a month, a quarter or a year over the reader's stations. Every number is a figure of
``services.metrics`` (so it is the dashboard's number and its drill-down lists exactly its cases); the
report only chooses them, lays them out as columns and rows (what an export writes as it is) and says them
in the sentence the source reports print ("本月共受理矛盾纠纷112件，调解成功98件……").
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_compact_decimal, format_decimal, format_percent
from flask_babel import get_locale, gettext, ngettext, pgettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mediation import taxonomy
from mediation.clock import local_date, utcnow
from mediation.extensions import db
from mediation.models import Station
from mediation.services import metrics
from mediation.templating import listing

TEXT, COUNT, AMOUNT = "text", "count", "amount"


@dataclass(frozen=True)
class Column:
    """A column of the report: its key, its heading, what its values are (``TEXT``, ``COUNT`` or
    ``AMOUNT``: a ``Decimal`` of yuan) and the figure whose cases a cell stands for (its drill-down)."""

    key: str
    label: object
    kind: str
    figure: str | None = None


COLUMNS = (
    Column("category", _l("Category"), TEXT),
    Column("opened", _l("Disputes received"), COUNT, "opened"),
    Column("mediated", _l("Mediated"), COUNT, "mediated"),
    Column("agreements", _l("Settled by agreement"), COUNT, "agreements"),
    Column("referred", _l("Referred"), COUNT, "referred"),
    Column("visited", _l("Followed up"), COUNT, "visited"),
    # The amount of the disputes received: its cases are the "opened" ones.
    Column("amount", _l("Amount involved (yuan)"), AMOUNT, "opened"),
)
#: The counts the report reads: its count columns, and the failures the success rate needs.
COUNTED = [c.figure for c in COLUMNS if c.kind == COUNT] + ["failed"]


@dataclass(frozen=True)
class Row:
    """A category's row (``key`` its code), or the total (``key`` ``None``): one value per column."""

    key: str | None
    values: tuple

    def __getitem__(self, column_key):
        return self.values[[c.key for c in COLUMNS].index(column_key)]


@dataclass(frozen=True)
class Report:
    period: metrics.Period
    scope: metrics.Scope
    #: The stations counted, by code.
    stations: list
    columns: tuple
    #: One row per category, in DOMAIN §10's order (a category with nothing still has its row of zeros).
    rows: list
    total: Row
    #: The total's counts and rates (``metrics.rates``), for the summary sentence.
    figures: dict

    @property
    def unit(self) -> str:
        """Who reports: the stations' district when they share one, else nothing (the stations are named)."""
        districts = {s.district for s in self.stations}
        return districts.pop() if len(districts) == 1 else ""


def build(scope: metrics.Scope, period: metrics.Period, now=None) -> Report:
    """The report of ``scope`` for ``period``: one query per figure source, grouped by category."""
    counts = metrics.breakdown(scope, period, "category", names=COUNTED, now=now)
    amounts = metrics.sums(scope, period, "category", names=["amount"], now=now)
    zero = dict.fromkeys(COUNTED, 0)

    def row(key, label, figures, amount):
        values = [label] + [figures[c.figure] for c in COLUMNS if c.kind == COUNT] + [amount]
        return Row(key, tuple(values))

    rows = [
        row(code, label, counts.get(code, zero), amounts.get(code, {}).get("amount", Decimal("0.00")))
        for code, label in taxonomy.CATEGORIES.items()
    ]
    totals = {name: sum(counts.get(code, zero)[name] for code in taxonomy.CATEGORIES) for name in COUNTED}
    total = row(None, _l("Total"), totals, sum((r["amount"] for r in rows), Decimal("0.00")))
    stations = db.session.scalars(
        select(Station).where(Station.id.in_(scope.station_ids or (-1,))).order_by(Station.code)
    ).all()
    return Report(period, scope, list(stations), COLUMNS, rows, total, {**totals, **metrics.rates(totals)})


# --- The period asked for --------------------------------------------------------------------------------


def last_month(today: date) -> metrics.Period:
    return metrics.month_of(today.replace(day=1) - timedelta(days=1))


def _year(text: str) -> int | None:
    return int(text) if len(text) == 4 and text.isdecimal() and 2000 <= int(text) <= 2100 else None


def period_from_args(args, today: date | None = None) -> metrics.Period:
    """The period of ``?month=2026-11``, ``?quarter=2026-Q4`` or ``?year=2026`` (``kind=`` says which when
    the form sends all three); last month for anything missing or malformed. Never raises."""
    today = today or local_date(utcnow())
    kind = (args.get("kind") or "").strip()
    every = (metrics.MONTH, metrics.QUARTER, metrics.YEAR)
    kinds = [kind] if kind in every else every
    for kind in kinds:
        value = (args.get(kind) or "").strip().upper()
        if not value:
            continue
        year, _, part = value.partition("-")
        if _year(year) is None:
            break
        if kind == metrics.YEAR and not part:
            return metrics.year_of(date(int(year), 1, 1))
        if kind == metrics.QUARTER and part in ("Q1", "Q2", "Q3", "Q4"):
            return metrics.quarter_of(date(int(year), 3 * int(part[1]) - 2, 1))
        if kind == metrics.MONTH and part.isdecimal() and 1 <= int(part) <= 12 and len(part) <= 2:
            return metrics.month_of(date(int(year), int(part), 1))
        break
    return last_month(today)


def period_args(period: metrics.Period) -> dict:
    """The query-string arguments ``period_from_args`` reads back as ``period``."""
    if period.kind == metrics.YEAR:
        return {"kind": metrics.YEAR, "year": f"{period.start:%Y}"}
    if period.kind == metrics.QUARTER:
        return {"kind": metrics.QUARTER, "quarter": f"{period.start:%Y}-Q{(period.start.month + 2) // 3}"}
    return {"kind": metrics.MONTH, "month": f"{period.start:%Y-%m}"}


# --- The summary sentence ----------------------------------------------------------------------------------

#: How the sentence opens: 本月 / 本季度 / 本年度 — "This month" …
LEADS = {
    metrics.MONTH: lambda: pgettext("report", "This month"),
    metrics.QUARTER: lambda: pgettext("report", "This quarter"),
    metrics.YEAR: lambda: pgettext("report", "This year"),
    metrics.RANGE: lambda: pgettext("report", "In this period"),
}
#: The categories the sentence names, by count; the rest are "in other categories".
NAMED_CATEGORIES = 4


def category_phrase(code: str, num: int) -> str:
    """A category and its count, singular or plural: "23 neighbour disputes" / "邻里纠纷23件"."""
    phrases = {
        "marriage_family": lambda: ngettext(
            "%(num)d marriage and family dispute", "%(num)d marriage and family disputes", num
        ),
        "neighbour": lambda: ngettext("%(num)d neighbour dispute", "%(num)d neighbour disputes", num),
        "housing_land": lambda: ngettext(
            "%(num)d dispute over housing or homestead land",
            "%(num)d disputes over housing or homestead land",
            num,
        ),
        "contract": lambda: ngettext("%(num)d contract dispute", "%(num)d contract disputes", num),
        "business": lambda: ngettext(
            "%(num)d production and business dispute", "%(num)d production and business disputes", num
        ),
        "damages": lambda: ngettext(
            "%(num)d dispute over compensation for damage",
            "%(num)d disputes over compensation for damage",
            num,
        ),
        "labour": lambda: ngettext("%(num)d labour dispute", "%(num)d labour disputes", num),
        "property_management": lambda: ngettext(
            "%(num)d property management dispute", "%(num)d property management disputes", num
        ),
        "land_forest": lambda: ngettext(
            "%(num)d dispute over land and forest rights", "%(num)d disputes over land and forest rights", num
        ),
        "expropriation": lambda: ngettext(
            "%(num)d land expropriation and demolition dispute",
            "%(num)d land expropriation and demolition disputes",
            num,
        ),
        "environment": lambda: ngettext(
            "%(num)d environmental pollution dispute", "%(num)d environmental pollution disputes", num
        ),
        "medical": lambda: ngettext("%(num)d medical dispute", "%(num)d medical disputes", num),
        "traffic": lambda: ngettext(
            "%(num)d road traffic accident dispute", "%(num)d road traffic accident disputes", num
        ),
        "consumer": lambda: ngettext("%(num)d consumer dispute", "%(num)d consumer disputes", num),
        "other": lambda: ngettext("%(num)d other dispute", "%(num)d other disputes", num),
    }
    return phrases[code]()


def written_amount(amount: Decimal) -> str:
    """An amount as officials write it in a report's prose: in Chinese in 万元 (or 亿元) to one decimal from
    10,000 yuan on (35.6万元), in English to the thousand yuan there (356,000 yuan); whole yuan below."""
    locale = get_locale()
    yuan = amount.quantize(Decimal(1), ROUND_HALF_UP)
    if yuan < 10000:
        number = format_decimal(yuan, format="#,##0", locale=locale)
    elif locale.language == "zh":
        number = format_compact_decimal(yuan, locale=locale, fraction_digits=1)
    else:
        step = Decimal(1_000_000 if yuan >= 100_000_000 else 1000)
        rounded = (yuan / step).quantize(Decimal(1), ROUND_HALF_UP) * step
        number = format_decimal(rounded, "#,##0", locale=locale)
    return gettext("%(amount)s yuan", amount=number)


def written_rate(rate: float) -> str:
    return format_percent(rate, "#,##0.#%", locale=get_locale())


def summary(report: Report) -> str:
    """The sentence the source reports print, from the total row: disputes received, settled by agreement
    and the success rate (``metrics``' mediation success rate), the biggest categories by count (categories
    with none left out, the rest summed), and the amount involved. In the reader's language."""
    figures = report.figures
    lead = LEADS[report.period.kind]()
    received = figures["opened"]
    if received:
        clauses = [
            ngettext(
                "%(lead)s %(num)d dispute was received",
                "%(lead)s %(num)d disputes were received",
                received,
                lead=lead,
            )
        ]
    else:
        clauses = [gettext("%(lead)s no dispute was received", lead=lead)]
    settled, rate = figures["agreements"], figures["success_rate"]
    if received or settled:
        if rate is None:
            clauses.append(
                ngettext("%(num)d was settled by agreement", "%(num)d were settled by agreement", settled)
            )
        else:
            clauses.append(
                ngettext(
                    "%(num)d was settled by agreement (a success rate of %(rate)s)",
                    "%(num)d were settled by agreement (a success rate of %(rate)s)",
                    settled,
                    rate=written_rate(rate),
                )
            )
    ranked = sorted((r for r in report.rows if r["opened"]), key=lambda r: -r["opened"])  # stable: §10 order
    if ranked:
        named = ranked if len(ranked) <= NAMED_CATEGORIES + 1 else ranked[:NAMED_CATEGORIES]
        parts = [category_phrase(r.key, r["opened"]) for r in named]
        if rest := sum(r["opened"] for r in ranked[len(named) :]):
            parts.append(ngettext("%(num)d in other categories", "%(num)d in other categories", rest))
        clauses.append(gettext("the disputes received included %(categories)s", categories=listing(parts)))
    if report.total["amount"]:
        amount = written_amount(report.total["amount"])
        clauses.append(gettext("the amount involved was %(amount)s", amount=amount))
    return gettext("%(clauses)s.", clauses=pgettext("report", "; ").join(clauses))
