"""My work (我的待办): the open deadline rows that are the signed-in user's work, across all their stations
or their agency, grouped by when they fall due (China's day and week) and most urgent first.

Whose work a deadline is follows ``DeadlineRule.owner``, as reminders tell it (``services.reminders``): the
station's mediators (by default the cases they mediate and the unassigned ones), the agency the case is
referred to, the court an agreement was brought to for confirmation. A supervisor sees the station's
overdue and due-today work, to read. Every row's status is ``services.deadlines.status``, so a row reads
here as on the case page and in every list; a window that lapses (judicial confirmation) shows while it
is due soon, never as overdue.

A station's work is counted in SQL (rows and cases, per group and whose case it is) and only the rows a
page may list are loaded, with the columns of their cases a row shows (both on
``ix_deadline_open_station_due``): a district's supervisor can have hundreds overdue, and the page lists
fifty a group, so it costs the same however many there are. A liaison's rows come with their cases,
referrals and agreements (to tell whose work each is) and are counted in Python; an agency's are few.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import lazyload, load_only, selectinload

from mediation import lifecycle, policy
from mediation.clock import end_of_day, local_date, utcnow
from mediation.extensions import db
from mediation.models import Agreement, Case, Deadline, Referral
from mediation.services import deadlines, reminders

OVERDUE, TODAY, WEEK = "overdue", "today", "week"
#: A group lists at most this many rows, most urgent first; the rest are counted and a link away (a
#: district's supervisor can have hundreds overdue, which no one reads down a page).
SHOWN = 50
#: The groups, in the order the page shows them.
GROUPS = (OVERDUE, TODAY, WEEK)

#: Kinds that come first in every group, in this order, before the rest (earliest due first within each):
#: a supervisor's 督办 is on top of the mediator's work. A kind not declared yet simply matches nothing.
PRIORITY = ("supervision",)

#: Where on the case page each kind's work is done (an element's id); ``DEFAULT_ANCHOR`` for the others,
#: and for whoever only reads (a supervisor).
ANCHORS = {
    "acceptance": "step-accept",
    "mediation": "actions",
    "mediation_extension": "actions",
    "referral_answer": "referral",
    "referral_result": "referral",
    "follow_up": "visits",
    "visit": "visits",
    "judicial_confirmation": "step-jc-apply",
    "jc_acceptance": "step-jc-answer",
    "jc_decision": "step-jc-decide",
}
DEFAULT_ANCHOR = "deadlines"

#: Whose work the user does: a station's (mediator), a station's to oversee (supervisor), an agency's
#: (liaison), or none (an administrator).
STATION, OVERSIGHT, AGENCY, NONE = "station", "oversight", "agency", "none"
#: A mediator's two views: the cases they mediate and the unassigned ones, or all at their stations.
MINE, ALL = "mine", "all"


def _kinds(owner: str) -> tuple[str, ...]:
    return tuple(kind for kind, rule in lifecycle.DEADLINES.items() if rule.owner == owner)


@dataclass(frozen=True)
class Item:
    """One deadline row of the user's work, with what a row shows of its case."""

    deadline: Deadline
    number: str
    case: Case
    #: ``services.deadlines.status`` at the moment asked.
    status: str
    #: The element of the case page where the work is done.
    anchor: str
    #: The case is the user's own or nobody's yet (a mediator's default view).
    mine: bool

    @property
    def label(self):
        return self.deadline.rule.label


@dataclass(frozen=True)
class Tally:
    """How many rows a group has, and on how many cases."""

    rows: int = 0
    cases: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.rows + other.rows, self.cases + other.cases)


@dataclass(frozen=True)
class Work:
    """The user's work at a moment. ``groups`` holds, by ``GROUPS`` key and most urgent first, the rows a
    page may list (each group's first ``SHOWN``, of all and of the user's own); ``tallies`` counts every
    row, by group and whether the case is the user's own (``Item.mine``): a case is one or the other, so
    the two add up."""

    role: str
    scope: str
    groups: dict[str, list[Item]]
    tallies: dict[tuple[str, bool], Tally]
    now: datetime
    #: The last day "this week" covers: the coming Sunday, China's week (today when it is Sunday).
    week_ends: date

    @property
    def personal(self) -> bool:
        return self.role != NONE

    @property
    def shown(self) -> tuple[str, ...]:
        """The groups the page shows: a supervisor sees what is overdue and due today."""
        return (OVERDUE, TODAY) if self.role == OVERSIGHT else GROUPS

    def _own_only(self, scope: str | None) -> bool:
        return (scope or self.scope) == MINE and self.role == STATION

    def first(self, group: str, *, scope: str | None = None) -> list[Item]:
        """The rows of ``group`` the page lists in ``scope`` (by default the one asked for): ``SHOWN`` at
        most, the most urgent."""
        rows = self.groups[group]
        return ([i for i in rows if i.mine] if self._own_only(scope) else rows)[:SHOWN]

    def tally(self, group: str, *, scope: str | None = None) -> Tally:
        own = self.tallies.get((group, True), Tally())
        return own if self._own_only(scope) else own + self.tallies.get((group, False), Tally())

    def count(self, group: str, *, scope: str | None = None) -> int:
        """How many rows ``group`` has in ``scope``, listed or not."""
        return self.tally(group, scope=scope).rows

    def cases(self, group: str, *, scope: str | None = None) -> int:
        """How many cases have a row in ``group``: what the home page's overdue tiles count."""
        return self.tally(group, scope=scope).cases

    @property
    def top(self) -> list[Item]:
        """The first of what is overdue, then of what is due today: the top of the list, for the home page."""
        return self.first(OVERDUE) + self.first(TODAY)

    @property
    def top_count(self) -> int:
        return self.count(OVERDUE) + self.count(TODAY)


def role_of(actor) -> str:
    if policy.has_own_cases(actor):
        return STATION
    if actor.role == "supervisor":
        return OVERSIGHT
    if actor.agency_id is not None:
        return AGENCY
    return NONE


def week_end(today: date) -> date:
    """The coming Sunday (today, when it is Sunday): China's week runs Monday to Sunday."""
    return today + timedelta(days=6 - today.weekday())


def my_work(actor, *, scope: str = MINE, now: datetime | None = None) -> Work:
    """``actor``'s work at ``now``: open deadlines due by the end of this week (a supervisor: of today),
    and those overdue. ``scope`` is a mediator's view (``MINE`` or ``ALL``); the rows of both are loaded,
    so either view's counts can be asked of the result. Any actor may call it; an administrator has
    nothing of their own."""
    now = now or utcnow()
    role = role_of(actor)
    today = local_date(now)
    ends = week_end(today)
    horizon = end_of_day(today if role == OVERSIGHT else ends)
    group = _grouping(now, end_of_day(today), horizon)
    if role in (STATION, OVERSIGHT):
        rows, tallies = _station_rows(actor, group, horizon)
    elif role == AGENCY:
        rows, tallies = _agency_rows(actor, group, horizon)
    else:
        rows, tallies = [], {}
    groups = {name: [] for name in GROUPS}
    for name, deadline, case_ in rows:
        anchor = ANCHORS.get(deadline.kind, DEFAULT_ANCHOR) if role != OVERSIGHT else DEFAULT_ANCHOR
        status = deadlines.status(deadline, now)
        mine = case_.mediator_id in (None, actor.id)
        groups[name].append(Item(deadline, case_.number, case_, status, anchor, mine))
    for items in groups.values():
        items.sort(key=_urgency)
    return Work(role, scope if scope in (MINE, ALL) else MINE, groups, tallies, now, ends)


def _grouping(now: datetime, today_ends: datetime, horizon: datetime):
    """The group of a deadline row as SQL, by ``services.deadlines.status``'s rules (tested to agree):
    overdue, else due by the end of today, else by ``horizon``; ``NULL`` past it, and for a window let lapse
    (judicial confirmation), which is no one's work."""
    lapsing = [kind for kind, rule in lifecycle.DEADLINES.items() if rule.lapses]
    return case(
        (Deadline.due_at <= now, case((Deadline.kind.in_(lapsing), None), else_=literal(OVERDUE))),
        (Deadline.due_at <= today_ends, literal(TODAY)),
        (Deadline.due_at <= horizon, literal(WEEK)),
    )


#: Most urgent first: ``PRIORITY``'s kinds, then by when due (and the row, so the order is total).
_URGENCY = (
    case({kind: rank for rank, kind in enumerate(PRIORITY)}, value=Deadline.kind, else_=len(PRIORITY)),
    Deadline.due_at,
    Deadline.id,
)


def _urgency(item: Item):
    deadline = item.deadline
    rank = PRIORITY.index(deadline.kind) if deadline.kind in PRIORITY else len(PRIORITY)
    return rank, deadline.due_at, deadline.id


#: What a row shows of its case: its number, title and station (in the session already, with the reader),
#: and whose it is.
_LISTED = (
    load_only(Case.number, Case.title, Case.station_id, Case.mediator_id),
    lazyload(Case.station),
    lazyload(Case.mediator),
)


def _station_rows(actor, group, horizon) -> tuple[list, dict]:
    """The rows of the actor's stations a page may list, each as (group, deadline, case), and the tallies
    of every row, in one statement whatever their number: window functions rank each row in its group, of
    all and of its side (the actor's own or not), and count each side's rows and cases (the greatest dense
    rank of the case ids); the rows kept are each group's first ``SHOWN`` of all and of the actor's own,
    and each side's first, which carries the side's tally (a row beyond the first ``SHOWN`` is never
    listed)."""
    if not actor.station_ids:
        return [], {}
    mine = or_(Case.mediator_id.is_(None), Case.mediator_id == actor.id)
    side = (group, mine)
    ranked = (
        select(
            Deadline.id,
            group.label("name"),
            mine.label("mine"),
            func.row_number().over(partition_by=group, order_by=_URGENCY).label("of_all"),
            func.row_number().over(partition_by=side, order_by=_URGENCY).label("of_side"),
            func.count().over(partition_by=side).label("row_count"),
            func.dense_rank().over(partition_by=side, order_by=Deadline.case_id).label("case_rank"),
        )
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.met_at.is_(None),
            Deadline.cancelled_at.is_(None),
            Deadline.station_id.in_(sorted(actor.station_ids)),
            Deadline.due_at <= horizon,  # what bounds the index's range; ``group`` decides
            Deadline.kind.in_(_kinds("station")),
            group.is_not(None),
        )
        .subquery()
    )
    tallied = select(
        ranked, func.max(ranked.c.case_rank).over(partition_by=(ranked.c.name, ranked.c.mine)).label("cases")
    ).subquery()
    query = (
        select(tallied.c.name, tallied.c.mine, tallied.c.row_count, tallied.c.cases, Deadline, Case)
        .join(Deadline, Deadline.id == tallied.c.id)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            or_(
                tallied.c.of_all <= SHOWN,
                and_(tallied.c.mine, tallied.c.of_side <= SHOWN),
                tallied.c.of_side == 1,
            )
        )
        .options(*_LISTED)
    )
    rows, tallies = [], {}
    for name, own, count, cases, deadline, case_ in db.session.execute(query):
        rows.append((name, deadline, case_))
        tallies[name, bool(own)] = Tally(count, cases)
    return rows, tallies


def _agency_rows(actor, group, horizon) -> tuple[list, dict]:
    """The rows that are the actor's agency's work, each as (group, deadline, case), with the case's
    referrals and agreements to tell whose work each is (``reminders.owning_agency``: the query narrows,
    this decides which referral is the case's active one and which application its latest); and their
    tallies. An agency's rows are few: all are loaded, and counted here."""
    agency_id = actor.agency_id
    referred = exists(
        select(Referral.id).where(
            Referral.case_id == Deadline.case_id,
            Referral.agency_id == agency_id,
            Referral.direction == "out",
            Referral.status.in_(("pending", "accepted")),
        )
    )
    confirming = exists(
        select(Agreement.id).where(Agreement.case_id == Deadline.case_id, Agreement.jc_court_id == agency_id)
    )
    query = (
        select(group, Deadline, Case)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.met_at.is_(None),
            Deadline.cancelled_at.is_(None),
            Deadline.due_at <= horizon,
            group.is_not(None),
            or_(
                and_(Deadline.kind.in_(_kinds("agency")), referred),
                and_(Deadline.kind.in_(_kinds("court")), confirming),
            ),
        )
        .options(selectinload(Case.referrals), selectinload(Case.agreements))
    )
    rows = []
    for name, deadline, case_ in db.session.execute(query):
        agency = reminders.owning_agency(deadline, case_)
        if agency is not None and agency.id == agency_id:
            rows.append((name, deadline, case_))
    numbers = defaultdict(list)
    for name, _, case_ in rows:
        numbers[name, case_.mediator_id in (None, actor.id)].append(case_.number)
    return rows, {key: Tally(len(listed), len(set(listed))) for key, listed in numbers.items()}
