"""Finding cases: the filters of the case list (and of the JSON API), as one query builder.

``CaseFilters.from_args`` reads filters as people and scripts send them and drops anything it does not
understand, so a mistyped address shows an unfiltered list instead of an error; ``case_query`` turns them
into a ``Select`` limited to the cases the actor may see.
"""

import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, and_, bindparam, false, func, select, union, union_all
from sqlalchemy.orm import joinedload, lazyload, load_only, with_expression

from mediation import identifiers, lifecycle, policy, taxonomy
from mediation.clock import utcnow
from mediation.extensions import db
from mediation.ids import parse_id
from mediation.models import Agency, Case, CaseParty, Party, Referral, Station, User
from mediation.services import deadlines, inbox, metrics

#: ``state`` may also be this: every state but ``closed``.
OPEN = "open"

#: Sort keys: a leading ``-`` sorts descending.
SORT_COLUMNS = {"registered": Case.registered_at, "due": Case.next_due_at, "number": Case.number}
DEFAULT_SORT = "-registered"

#: The case list counts its cases up to this many; beyond, it says "more than" (counting a province's
#: million cases costs more than the page).
COUNT_CAP = 10_000

#: Beyond this, a page number is a typo (and would overflow an OFFSET).
MAX_PAGE = 100_000

_TRUE = ("1", "true", "yes", "on", "y")
#: Fields read from (and written to) a query-string argument of another name (``from`` is a keyword).
ARG_NAMES = {"period_from": "from", "period_to": "to", "stations": "station"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class CaseFilters:
    state: str = ""
    category: str = ""
    channel: str = ""
    #: A station code.
    station: str = ""
    #: Only the cases assigned to the actor.
    mine: bool = False
    #: Only open cases past their deadline.
    overdue: bool = False
    #: Only cases under supervision (督办).
    supervised: bool = False
    #: Only cases with a referral in this position (``inbox.POSITIONS``): to or from the actor's agency, for
    #: a liaison (their inbox's lists); to or from any agency for everyone else.
    referral: str = ""
    #: Free text over number, title, facts and party names; a phone number finds its parties' cases.
    q: str = ""
    #: Several station codes (``?station=A&station=B``): a drill-down from figures over some stations.
    stations: tuple[str, ...] = ()
    #: The stations of a district (``Station.district``), for a drill-down from a district's figures.
    district: str = ""
    #: The mediator's user id.
    mediator: int | None = None
    #: A drill-down (``services.metrics``): only the cases figure ``metric`` counts in the period ``from``–
    #: ``to`` (ISO days; this month when missing) over the stations asked for (all the actor's when none),
    #: narrowed to the breakdown row's ``month`` (``YYYY-MM``) and ``agency`` (its id).
    metric: str = ""
    period_from: str = ""
    period_to: str = ""
    month: str = ""
    agency: int | None = None
    sort: str = DEFAULT_SORT
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "CaseFilters":
        """Filters from query-string ``args`` (any mapping with ``get``); unknown values are ignored."""

        def pick(name, allowed):
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        def day(name):
            value = (args.get(name) or "").strip()
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                return ""

        sort = (args.get("sort") or "").strip()
        codes = _codes(args)
        month = (args.get("month") or "").strip()
        return cls(
            state=pick("state", (*lifecycle.STATES, OPEN)),
            category=pick("category", taxonomy.CATEGORIES),
            channel=pick("channel", taxonomy.CHANNELS),
            station=codes[0] if len(codes) == 1 else "",
            stations=tuple(codes) if len(codes) > 1 else (),
            mine=(args.get("mine") or "").lower() in _TRUE,
            overdue=(args.get("overdue") or "").lower() in _TRUE,
            supervised=(args.get("supervised") or "").lower() in _TRUE,
            referral=pick("referral", inbox.POSITIONS),
            q=(args.get("q") or "").strip()[:100],
            district=(args.get("district") or "").strip()[:100],
            mediator=parse_id(args.get("mediator")),
            metric=pick("metric", metrics.FIGURES),
            period_from=day("from"),
            period_to=day("to"),
            month=month if _MONTH.match(month) else "",
            agency=parse_id(args.get("agency")),
            sort=sort if sort.lstrip("-") in SORT_COLUMNS else DEFAULT_SORT,
            page=parse_page(args.get("page")),
        )

    def to_args(self, **changes) -> dict:
        """Query-string arguments that reproduce these filters (defaults left out), for links."""
        current = replace(self, **changes)
        out = {}
        for f in fields(self):
            value = getattr(current, f.name)
            if value == f.default:
                continue
            out[ARG_NAMES.get(f.name, f.name)] = "1" if value is True else value
        return out

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (sorting and paging do not)."""
        return bool(
            self.state
            or self.category
            or self.channel
            or self.station
            or self.mine
            or self.overdue
            or self.supervised
            or self.referral
            or self.q
            or self.stations
            or self.district
            or self.mediator
            or self.metric
        )

    @property
    def period(self) -> "metrics.Period":
        """The period a drill-down counts in (this month when the address names none)."""
        return metrics.period_from_args({"from": self.period_from, "to": self.period_to})

    @property
    def station_codes(self) -> tuple[str, ...]:
        return self.stations or ((self.station,) if self.station else ())

    def slice(self) -> "metrics.Slice":
        """The breakdown row a drill-down came from (the station is in the scope)."""
        return metrics.Slice(
            mediator=self.mediator,
            category=self.category or None,
            channel=self.channel or None,
            month=self.month or None,
            agency=self.agency,
        )


def _codes(args) -> list[str]:
    """The station codes asked for: ``station=`` once or repeated, each cleaned, in order, at most 200."""
    raw = args.getlist("station") if hasattr(args, "getlist") else [args.get("station")]
    codes = []
    for value in raw[:200]:
        code = (value or "").strip().upper()[:16]
        if code and code not in codes:
            codes.append(code)
    return codes


def parse_page(raw) -> int:
    """A page number from a query string: anything that is not a positive number is page 1."""
    try:
        page = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), MAX_PAGE)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def case_query(
    actor, filters: CaseFilters, *, now: datetime | None = None, station_id: int | None = None
) -> Select:
    """The cases ``actor`` may see that match ``filters``, sorted; each page chooses what it loads with them
    (a list: ``for_table``). With ``station_id``, only that one of the actor's stations (``merged_ids``).

    Any actor may call it; visibility is ``policy.visible_cases_clause``. A station code the actor does not
    see simply matches nothing. Never raises for filter values.
    """
    now = now or utcnow()
    if station_id is None:
        query = select(Case).where(policy.visible_cases_clause(actor))
    else:
        query = select(Case).where(
            Case.station_id == station_id if station_id in (policy.station_scope(actor) or ()) else false()
        )
    if filters.state == OPEN:
        query = query.where(Case.state.not_in(lifecycle.FINAL_STATES))
    elif filters.state:
        query = query.where(Case.state == filters.state)
    if filters.category:
        query = query.where(Case.category == filters.category)
    if filters.channel:
        query = query.where(Case.channel == filters.channel)
    if filters.station:
        station_id = select(Station.id).where(Station.code == filters.station).scalar_subquery()
        query = query.where(Case.station_id == station_id)
    if filters.stations:
        query = query.where(Case.station_id.in_(select(Station.id).where(Station.code.in_(filters.stations))))
    if filters.district:
        query = query.where(
            Case.station_id.in_(select(Station.id).where(Station.district == filters.district))
        )
    if filters.mediator:
        query = query.where(Case.mediator_id == filters.mediator)
    if filters.metric:
        scope = metrics.scope_for(actor, filters.station_codes, filters.district)
        query = query.where(metrics.cases(filters.metric, scope, filters.period, filters.slice(), now=now))
    if filters.mine:
        query = query.where(Case.mediator_id == actor.id)
    if filters.overdue:
        query = query.where(Case.next_due_at < now)
    if filters.supervised:
        query = query.where(Case.supervision_urgency.is_not(None))
    if filters.referral:
        query = query.where(inbox.referral_clause(filters.referral, actor.agency_id))
    if filters.q:
        query = query.where(Case.id.in_(_text_matches(actor, filters.q)))
    return query.order_by(*list_order(filters))


def list_order(filters: CaseFilters) -> tuple:
    """The list's order: the sort asked for, ties newest id first."""
    column = SORT_COLUMNS[filters.sort.lstrip("-")]
    order = column.desc() if filters.sort.startswith("-") else column.asc()
    if filters.sort.lstrip("-") == "due":
        order = order.nulls_last()
    return order, Case.id.desc()


#: The columns the table shows and nothing else (a list of fifty cases joined to their parties is some
#: hundred and fifty rows: each column more is read, converted and stored that many times); built once, as a
#: loader option costs a tenth of a millisecond or more to build.
_TABLE_LOADS = (
    load_only(
        Case.number,
        Case.title,
        Case.category,
        Case.risk_level,
        Case.state,
        Case.mediator_id,
        Case.next_due_at,
        Case.supervision_urgency,
    ),
    lazyload(Case.station),  # not shown; the reader's stations are in the session already
    joinedload(Case.mediator).load_only(User.username, User.display_name),
    joinedload(Case.party_links).load_only(CaseParty.role).joinedload(CaseParty.party).load_only(Party.name),
    joinedload(Case.inbound)
    .load_only(Referral.kind, Referral.agency_case_number)
    .joinedload(Referral.agency)
    .load_only(Agency.code, Agency.name),
)


#: The deadlines' worst status at the moment bound as ``due_now_at`` (``for_table``): built once, for it
#: costs half a millisecond to build.
_DUE_NOW = with_expression(Case.due_now, deadlines.worst_status(bindparam("due_now_at")))


def for_table(query: Select, now: datetime) -> Select:
    """``query`` loading what the case table (``cases/_case_table.html``) shows of each case, in the page's
    one query: the parties and the agency that sent the dispute joined in, the deadlines' worst status at
    ``now`` computed there."""
    return query.options(*_TABLE_LOADS, _DUE_NOW).params(due_now_at=now)


def _text_conditions(q: str) -> tuple[list, list]:
    """Where ``q`` may be found: on the case (its number, title, facts) and on a party (its name; its whole
    phone, for a phone number typed any way: stored normalised, found through its index)."""
    pattern = _like(q)
    on_case = [column.ilike(pattern, escape="\\") for column in (Case.number, Case.title, Case.facts)]
    on_party = [Party.name.ilike(pattern, escape="\\")]
    if identifiers.is_phone(q):
        on_party.append(Party.phone == identifiers.normalise_phone(q))
    return on_case, on_party


def _text_matches(actor, q: str):
    """The ids of the cases ``actor`` may see with ``q`` in one of ``_text_conditions``' places.

    A union of one select per column rather than an OR: each arm can then use its own index (PostgreSQL's
    trigram indexes across a province, or the station's cases within one), where an OR over a join reads
    every visible case. Each arm is limited to the visible cases, so a narrow scope stays cheap.
    """
    visible = policy.visible_cases_clause(actor)
    on_case, on_party = _text_conditions(q)

    def parties(condition):
        return (
            select(CaseParty.case_id)
            .join(Party, Party.id == CaseParty.party_id)
            .join(Case, Case.id == CaseParty.case_id)
            .where(visible, condition)
            .correlate(None)
        )

    arms = [select(Case.id).where(visible, condition).correlate(None) for condition in on_case]
    return union(*arms, *(parties(condition) for condition in on_party))


class CappedPagination(SelectPagination):
    """Flask-SQLAlchemy's page of a select, counting at most ``cap`` + 1 rows: beyond ``cap`` the total is
    "more than ``cap``" (``more``), so a list of a province costs a page, not a count of a million rows.
    Pages stay numbered (``?page=`` is an offset); the last page's number is then unknown, so the links end
    with "…" and "Next" while the page is full.

    With ``arms``, the page's cases are picked by merging each arm's own list (``merged_ids``: a station's
    cases, or the cases matching free text in one column) and loaded by ``load`` (what the list shows of a
    case, in its order); with ``count_arms``, the cap is counted over each arm (``capped_count``)."""

    def _query_items(self) -> list:
        arms = self._query_args.get("arms")
        if not arms:
            return super()._query_items()
        args = self._query_args
        ids = merged_ids(arms, args["descending"], self._query_offset, self.per_page, overlap=args["overlap"])
        return list(args["session"].execute(args["load"].where(Case.id.in_(ids))).unique().scalars())

    def _query_count(self) -> int:
        cap, arms = self._query_args["cap"], self._query_args.get("count_arms")
        total = self._query_args["session"].scalar(capped_count(arms or [self._query_args["select"]], cap))
        self.more = total > cap
        self.cap = cap
        return total

    @property
    def pages(self) -> int:
        if not self.more:
            return super().pages
        return max(self.cap // self.per_page, self.page + (len(self.items) == self.per_page))


def case_page(actor, filters: CaseFilters, per_page: int, *, now: datetime | None = None):
    """The case list's page ``filters.page``, its cases loaded for the table (``for_table``) and counted up
    to ``COUNT_CAP``.

    Past the first page, a reader of several stations gets it merged from each station's own list
    (``merged_stations``); the first is cheapest read as one query. Free text is found, counted and (in
    registration order) paged column by column (``text_arms``)."""
    now = now or utcnow()
    query = for_table(case_query(actor, filters, now=now), now)
    pages = {
        "count_cap": COUNT_CAP,
        "load": for_table(select(Case), now).order_by(*list_order(filters)),
        "descending": filters.sort.startswith("-"),
    }
    if filters.q:
        arms = text_arms(case_query(actor, replace(filters, q=""), now=now), filters.q)
        paged = arms if filters.sort.lstrip("-") == "registered" else ()
        return paginate(query, filters.page, per_page, arms=paged, overlap=True, count_arms=arms, **pages)
    stations = merged_stations(actor, filters) if filters.page > 1 else set()
    arms = [case_query(actor, filters, now=now, station_id=station_id) for station_id in sorted(stations)]
    return paginate(query, filters.page, per_page, arms=arms, **pages)


def text_arms(plain: Select, q: str) -> list[Select]:
    """``plain`` (the list's query without its text) narrowed to the cases with ``q`` in one place each
    (``_text_conditions``).

    Each arm, ordered and limited on its own, is planned on its own: a phrase in a tenth of the province
    reads the newest cases until it has its page (``ix_case_registered_id``), a rare one its trigram index.
    ``_text_matches``, their union, must find every match before a page can be sorted or counted: 2 s for
    a phrase in 68,000 of 1,000,000 cases."""
    on_case, on_party = _text_conditions(q)
    parties = select(CaseParty.case_id).join(Party, Party.id == CaseParty.party_id)
    return [plain.where(condition) for condition in on_case] + [
        plain.where(Case.id.in_(parties.where(condition))) for condition in on_party
    ]


def capped_count(queries: list[Select], cap: int):
    """How many cases ``queries`` hold together, each counted only up to ``cap`` + 1: over ``cap`` exactly
    when the true total is (one query over it is enough to know), and exact below."""
    firsts = [
        select(q.with_only_columns(Case.id).order_by(None).limit(cap + 1).subquery().c.id) for q in queries
    ]
    return select(func.count()).select_from(union(*firsts).subquery())


def merged_ids(arms: list[Select], descending: bool, offset: int, limit: int, *, overlap: bool = False):
    """The ids of rows ``offset`` to ``offset + limit`` of the cases of ``arms`` in registration order: each
    arm's first ``offset + limit``, merged (``overlap``: a case may be in several arms, counted once).

    An arm is a station's ``case_query``, read on its own index (``ix_case_station_registered``), or one
    of ``text_arms``.

    A reader of a district's 20 stations otherwise reads the province's newest cases
    (``ix_case_registered_id``) and skips every other station's: a hundred rows for each of theirs, 150–180 ms
    for page 20 at 1,000,000 cases, where the merge reads 400 rows of 20 short index ranges (about 10 ms with
    its planning)."""

    def ordered(registered, id_):  # ``case_query``'s order: ties newest id first either way
        return (registered.desc() if descending else registered.asc(), id_.desc())

    picked = []
    for arm in arms:
        first = (
            arm.with_only_columns(Case.id, Case.registered_at)
            .order_by(None)
            .order_by(*ordered(Case.registered_at, Case.id))
            .limit(offset + limit)
            .subquery()
        )
        picked.append(select(first.c.id, first.c.registered_at))  # SQLite takes a LIMIT only in a subquery
    merged = (union if overlap else union_all)(*picked).subquery()
    return (
        select(merged.c.id)
        .order_by(*ordered(merged.c.registered_at, merged.c.id))
        .offset(offset)
        .limit(limit)
    )


#: A reader of at most this many stations gets the case list's pages merged from each station's own index
#: (``merged_ids``); beyond, the province's list (``ix_case_registered_id``) serves them.
MERGED_STATIONS = 100


def merged_stations(actor, filters: CaseFilters) -> set[int]:
    """The stations whose lists make ``actor``'s page of ``filters`` (``merged_ids``), or none when the one
    query serves it: a reader of one station, a list narrowed to one, another order than registration, or
    conditions on other tables (free text, figures, referrals), which each station's arm would repeat."""
    if filters.sort.lstrip("-") != "registered" or filters.station or filters.q or filters.metric:
        return set()
    stations = policy.station_scope(actor) or set()
    return stations if not filters.referral and 1 < len(stations) <= MERGED_STATIONS else set()


def paginate(
    query: Select,
    page: int,
    per_page: int,
    *,
    count_cap: int | None = None,
    arms=(),
    overlap=False,
    count_arms=(),
    load: Select | None = None,
    descending=True,
):
    """One page of ``query``; a page past the end shows the last page (a shrunk list, an old link).

    With ``count_cap`` (``query`` a select of ``Case``), the total is counted only up to it
    (``CappedPagination``); only a page past the end of a list longer than that counts it all. With
    ``arms`` too, the page is merged from each arm's own list (``merged_ids``), ``descending`` or not by
    registration, and loaded by ``load`` (``query`` itself unless told); with ``count_arms``, counted over
    each (``capped_count``).
    """
    if count_cap is not None:
        load = query if load is None else load

        def capped(number):
            return CappedPagination(
                select=query,
                session=db.session,
                page=number,
                per_page=per_page,
                error_out=False,
                cap=count_cap,
                arms=arms,
                overlap=overlap,
                count_arms=count_arms,
                load=load,
                descending=descending,
            )

        result = capped(page)
        if not result.more or result.items:
            return capped(result.pages) if result.pages and page > result.pages else result
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if result.pages and page > result.pages:
        result = db.paginate(query, page=result.pages, per_page=per_page, error_out=False)
    return result


def work_counts(actor, *, now: datetime | None = None) -> dict[str, int]:
    """Counts for the home page, over the open cases ``actor`` may see: all, overdue, the actor's own (all
    and overdue), those waiting to be accepted and those under supervision. One query; any actor may call
    it."""
    now = now or utcnow()
    overdue = Case.next_due_at < now
    mine = Case.mediator_id == actor.id
    row = db.session.execute(
        select(
            func.count(),
            func.count().filter(overdue),
            func.count().filter(mine),
            func.count().filter(and_(mine, overdue)),
            func.count().filter(Case.state == lifecycle.INITIAL_STATE),
            func.count().filter(Case.supervision_urgency.is_not(None)),
        ).where(policy.visible_cases_clause(actor), Case.state.not_in(lifecycle.FINAL_STATES))
    ).one()
    keys = ("open", "overdue", "mine", "mine_overdue", "to_accept", "supervised")
    return dict(zip(keys, (n or 0 for n in row), strict=True))
