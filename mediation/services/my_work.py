"""My work (我的待办): the open deadline rows that are the signed-in user's work, across all their stations
or their agency, grouped by when they fall due (China's day and week) and most urgent first.

Whose work a deadline is follows ``DeadlineRule.owner``, as reminders tell it (``services.reminders``): the
station's mediators (by default the cases they mediate and the unassigned ones), the agency the case is
referred to, the court an agreement was brought to for confirmation. A supervisor sees the station's
overdue and due-today work, to read. Every row's status is ``services.deadlines.status``, so a row reads
here as on the case page and in every list; a window that lapses (judicial confirmation) shows while it
is due soon, never as overdue.

The rows come in one query (the deadlines with their cases' numbers and mediators; on
``ix_deadline_open_station_due`` for a station), then the cases of the rows a page lists in another; a
liaison's with their cases, their referrals and agreements (to tell whose work each is). So the page costs
the same statements however many rows it shows, and builds a case only for a row it lists.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, or_, select
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
    """One deadline row of the user's work. Its ``case`` is loaded for the rows a page may list (each
    group's first ``SHOWN``, in either of a mediator's views); the rest are counted by ``number``."""

    deadline: Deadline
    number: str
    case: Case | None
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
class Work:
    """The user's work at a moment: ``groups`` by ``GROUPS`` key, each most urgent first."""

    role: str
    scope: str
    groups: dict[str, list[Item]]
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

    def items(self, group: str, *, scope: str | None = None) -> list[Item]:
        """The rows of ``group`` in ``scope`` (by default the one asked for)."""
        rows = self.groups[group]
        return [i for i in rows if i.mine] if (scope or self.scope) == MINE and self.role == STATION else rows

    def first(self, group: str) -> list[Item]:
        """The rows of ``group`` the page lists (``SHOWN`` at most)."""
        return self.items(group)[:SHOWN]

    def cases(self, group: str, *, scope: str | None = None) -> set[str]:
        """The numbers of the cases with a row in ``group``: what the home page's overdue tiles count."""
        return {i.number for i in self.items(group, scope=scope)}

    @property
    def top(self) -> list[Item]:
        """What is overdue, then what is due today: the top of the list, for the home page."""
        return self.items(OVERDUE) + self.items(TODAY)


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
    rows = _rows(actor, role, horizon) if role != NONE else []
    groups = {group: [] for group in GROUPS}
    for deadline, number, mediator_id, case in rows:
        status = deadlines.status(deadline, now)
        group = _group(deadline, status, today, ends)
        if group is None or (case is not None and not _theirs(actor, role, deadline, case)):
            continue
        anchor = ANCHORS.get(deadline.kind, DEFAULT_ANCHOR) if role != OVERSIGHT else DEFAULT_ANCHOR
        groups[group].append(Item(deadline, number, case, status, anchor, mediator_id in (None, actor.id)))
    for items in groups.values():
        items.sort(key=_urgency)
    cases = _listed_cases(groups)
    for items in groups.values():
        items[:] = [item if item.case else replace(item, case=cases[item.deadline.case_id]) for item in items]
    return Work(role, scope if scope in (MINE, ALL) else MINE, groups, now, ends)


#: What a row shows of its case: its number, title and station (in the session already, with the reader).
_LISTED = (load_only(Case.number, Case.title, Case.station_id), lazyload(Case.station))


def _listed_cases(groups) -> dict:
    """The cases of the rows a page may list (each group's first ``SHOWN``, of all and of the reader's own),
    in one query; ``None`` for the rest, which are only counted. The rows that came with their case (a
    liaison's) need none."""
    wanted = set()
    for rows in groups.values():
        for view in (rows, [row for row in rows if row.mine]):
            wanted.update(row.deadline.case_id for row in view[:SHOWN] if row.case is None)
    query = select(Case).where(Case.id.in_(sorted(wanted))).options(*_LISTED)
    listed = db.session.scalars(query) if wanted else []
    return defaultdict(lambda: None, {case.id: case for case in listed})


def _group(deadline: Deadline, status: str, today: date, ends: date) -> str | None:
    if status == deadlines.OVERDUE:
        return OVERDUE
    if status not in (deadlines.DUE_SOON, deadlines.ON_TIME):  # a lapsed window
        return None
    if deadline.due_at <= end_of_day(today):
        return TODAY
    return WEEK if deadline.due_at <= end_of_day(ends) else None


def _urgency(item: Item):
    deadline = item.deadline
    rank = PRIORITY.index(deadline.kind) if deadline.kind in PRIORITY else len(PRIORITY)
    return rank, deadline.due_at, deadline.id


def _rows(actor, role, horizon) -> list[tuple]:
    """The open deadlines that may be the actor's work, due by ``horizon``: each with its case's number and
    mediator, and for a liaison the case itself (with its referrals and agreements, to tell whose work each
    row is). A station's rows come without their cases: a district's supervisor can have hundreds, and the
    page lists fifty a group."""
    where = (Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None), Deadline.due_at <= horizon)
    order = (Deadline.due_at, Deadline.id)
    if role in (STATION, OVERSIGHT):
        if not actor.station_ids:
            return []
        query = (
            select(Deadline, Case.number, Case.mediator_id)
            .join(Case, Case.id == Deadline.case_id)
            .where(*where, Deadline.station_id.in_(sorted(actor.station_ids)))
            .where(Deadline.kind.in_(_kinds("station")))
            .order_by(*order)
        )
        return [(*row, None) for row in db.session.execute(query)]
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
        select(Deadline, Case)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            *where,
            or_(
                and_(Deadline.kind.in_(_kinds("agency")), referred),
                and_(Deadline.kind.in_(_kinds("court")), confirming),
            ),
        )
        .order_by(*order)
        .options(selectinload(Case.referrals), selectinload(Case.agreements))
    )
    return [(deadline, case.number, case.mediator_id, case) for deadline, case in db.session.execute(query)]


def _theirs(actor, role, deadline, case) -> bool:
    """Whether the row is the actor's work, as reminders say whose it is (the query narrows; this decides
    for a liaison which referral is the case's active one, and which application its latest)."""
    if role in (STATION, OVERSIGHT):
        return True
    agency = reminders.owning_agency(deadline, case)
    return agency is not None and agency.id == actor.agency_id
