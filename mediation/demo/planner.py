"""The plan of each case: its story, station, parties and words, and the steps it goes through, when.

Everything random is drawn here, in one fixed order from one seeded ``random.Random``, before anything is
written; so the same seed gives the same cases, and the writer only has to follow the plans.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from mediation import taxonomy
from mediation.clock import LOCAL_ZONE, local_date
from mediation.demo.people import People
from mediation.demo.stations import MEDIATORS, STATIONS, StationSpec, agency_for
from mediation.demo.stories import STORIES, Story
from mediation.services.parties import PartyInput

#: The case's final state; ``closed`` is split by outcome so that every outcome occurs.
TARGETS = (
    ("registered", 6),
    ("mediating", 14),
    ("referred", 4),
    ("with_agency", 6),
    ("following_up", 12),
    ("resolved", 40),
    ("unresolved", 8),
    ("withdrawn", 5),
    ("declined", 5),
)
#: Share of open cases left past their deadline.
OVERDUE_SHARE = 0.25
#: Actions after which the case is not in a newly entered state (steps that keep it, and records).
_NOT_ENTERING = frozenset(
    {"session", "visit", "schedule_visit", "judicial_confirmation", "visit_after_failure",
     "extend", "reassign"}
)  # fmt: skip


@dataclass(eq=False)  # compared by identity: two sessions with the same gap are still two sessions
class Action:
    kind: str
    #: Days after the previous action (0: the same day).
    gap: int = 0
    data: dict = field(default_factory=dict)


@dataclass
class Plan:
    index: int
    station: StationSpec
    story: Story
    target: str
    channel: str
    risk: str
    vars: dict
    title: str
    facts: str
    place: str
    amount: int | None
    parties: list
    registrar: str
    mediator: str
    #: The agency kind a referral in this case goes to.
    refer_kind: str
    actions: list
    times: list = field(default_factory=list)
    external_ref: str = ""
    #: How an agency sent it (``linkage.KINDS``), for the police, court and government channels.
    inbound_kind: str = ""
    #: Left past its deadline on purpose (open cases only).
    overdue: bool = False


class Planner:
    """Draws every case's story, parties and timeline from one seeded ``random.Random``."""

    def __init__(self, rng: random.Random, now: datetime, deadline_days: dict):
        self.rng = rng
        self.now = now
        #: Days per state (``demo.planned_days``): open cases are placed in time to be overdue, or not.
        self.days = deadline_days
        self.today = local_date(now)
        self.people = People(rng, self.today)

    def plans(self, count: int) -> list[Plan]:
        """``count`` case plans; the first ones cover every category, channel and final state."""
        rng = self.rng
        categories = list(taxonomy.CATEGORIES)
        channels = list(taxonomy.CHANNELS)
        targets = [t for t, _ in TARGETS]
        for items in (categories, channels, targets):
            rng.shuffle(items)
        cover = max(len(categories), len(channels), len(targets))
        plans = []
        for i in range(count):
            if i < cover:
                category = categories[i % len(categories)]
                story = _weighted(rng, [(s, s.weight) for s in STORIES if s.category == category])
                channel = channels[i % len(channels)]
                target = targets[i % len(targets)]
            else:
                story = _weighted(rng, [(s, s.weight) for s in STORIES])
                channel = _weighted(rng, list(story.channels))
                target = _weighted(rng, list(TARGETS))
            plans.append(self.plan(i, story, channel, target))
        plans.sort(key=lambda p: (p.times[0], p.index))
        return plans

    def plan(self, index: int, story: Story, channel: str, target: str) -> Plan:
        """One case: a ``story`` that came in by ``channel`` and ends in ``target`` (a state or outcome)."""
        rng = self.rng
        stations = [s for s in STATIONS if story.setting != "village" or s.villages]
        station = _weighted(rng, [(s, s.weight) for s in stations])
        risk = _weighted(rng, list(zip(("low", "medium", "high"), story.risk, strict=True)))
        if risk == "high" or (risk == "medium" and rng.random() < 0.3):
            refer_kind = "police"  # a dispute that may turn violent goes to the police (民转刑)
        else:
            refer_kind = rng.choice(story.refer)
        refer_kind = agency_for(station.code, refer_kind).kind
        actions = self.path(target, refer_kind)
        mediators = MEDIATORS[station.code]
        plan = Plan(
            index=index, station=station, story=story, target=target, channel=channel, risk=risk,
            vars={}, title="", facts="", place="", amount=None, parties=[],
            registrar=rng.choice(mediators), mediator=rng.choice(mediators),
            refer_kind=refer_kind, actions=actions,
        )  # fmt: skip
        self.schedule(plan)
        self.tell(plan)
        return plan

    def path(self, target: str, refer_kind: str) -> list[Action]:
        """The actions that lead to ``target``, with the gaps in days between them."""
        rng, A = self.rng, Action
        police = refer_kind == "police"

        def days(low, high):
            return rng.randint(low, high)

        def step(kind, low, high):
            """The builder of one action ``kind``, ``low`` to ``high`` days after the one before."""
            return lambda: [A(kind, days(low, high))]

        accept, refer, agreement = step("accept", 0, 2), step("refer", 0, 4), step("reach_agreement", 0, 1)
        failed, extend, reopen = step("fail_mediation", 0, 3), step("extend", 3, 8), step("reopen", 3, 20)

        def sessions(low=1, high=3):
            return [A("session", days(1, 3) if i == 0 else days(2, 7)) for i in range(days(low, high))]

        def agency(*triggers):
            """The agency's answer within a day or two, then (for a second trigger) its work."""
            answer = [A(triggers[0], days(0, 1) if police else days(0, 2))]
            work = [A(t, days(1, 4) if police else days(3, 20)) for t in triggers[1:]]
            return answer + work

        def breach():
            return [A("visit", data={"performed": False}), A("report_breach", days(0, 2))]

        def close():
            return [A("visit", data={"performed": True}), A("close", days(0, 3))]

        # (weight, how to get there)
        options = {
            "registered": [(1, lambda: [])],
            "declined": [(1, lambda: [A("decline", days(0, 2))])],
            "withdrawn": [
                (1, lambda: [A("withdraw", days(1, 6))]),
                (1, lambda: accept() + sessions(1, 1) + [A("withdraw", days(1, 6))]),
            ],
            "mediating": [
                (5, lambda: accept() + sessions(0, 2)),
                (1, lambda: accept() + [A("reassign", days(1, 4))] + sessions(0, 1)),
                (1, lambda: refer() + agency("decline_referral") + sessions(0, 1)),
                (1, lambda: accept() + refer() + [A("recall_referral", days(1, 3))]),
                (1, lambda: accept() + sessions(1, 2) + extend() + sessions(0, 1)),
                (1, lambda: accept() + sessions(1, 2) + failed() + reopen() + sessions(0, 1)),
                (1, lambda: accept() + sessions(1, 2) + agreement() + breach() + sessions(0, 1)),
            ],
            "referred": [(1, refer), (1, lambda: accept() + sessions(1, 1) + refer())],
            "with_agency": [
                (1, lambda: refer() + agency("accept_referral")),
                (1, lambda: accept() + refer() + agency("accept_referral")),
            ],
            "following_up": [
                (4, lambda: accept() + sessions() + agreement() + [A("schedule_visit")]),
                (1, lambda: accept() + refer() + agency("accept_referral", "resolve_by_agency")),
                (1, lambda: refer() + agency("accept_referral", "return_to_station") + sessions(1, 1)
                 + agreement() + [A("schedule_visit")]),
            ],
            "resolved": [
                (6, lambda: accept() + sessions() + agreement() + [A("judicial_confirmation")] + close()),
                (1, lambda: accept() + refer() + agency("accept_referral", "resolve_by_agency") + close()),
                (1, lambda: accept() + sessions(1, 2) + agreement() + breach() + sessions(1, 1) + agreement()
                 + close()),
                (1, lambda: accept() + sessions(1, 2) + extend() + sessions(1, 1) + agreement() + close()),
                (1, lambda: accept() + refer() + agency("accept_referral", "return_to_station")
                 + sessions(1, 1) + agreement() + close()),
                (1, lambda: accept() + sessions(1, 1) + failed() + reopen() + sessions(1, 1) + agreement()
                 + close()),
            ],
            "unresolved": [
                (4, lambda: accept() + sessions() + failed()),
                (1, lambda: accept() + sessions() + failed() + [A("visit_after_failure")]),
                (1, lambda: accept() + refer() + agency("decline_referral") + sessions(1, 2) + failed()),
            ],
        }  # fmt: skip
        build = _weighted(rng, [(how, weight) for weight, how in options[target]])
        return [A("register")] + build()

    def schedule(self, plan: Plan) -> None:
        """Day offsets for every action, then the start day, then times of day; all before ``now``."""
        rng = self.rng
        actions = plan.actions
        days = [0]
        agreement_day, deadline_days = None, None
        for action in actions[1:]:
            day = days[-1] + action.gap
            if action.kind == "reach_agreement":
                agreement_day = day
                deadline_days = rng.randint(5, 30)
                action.data["deadline_days"] = deadline_days
            elif action.kind == "visit" and agreement_day is not None:
                # Visit around the performance deadline, and never before what came last.
                day = max(days[-1] + 1, agreement_day + max(1, deadline_days + rng.randint(-2, 4)))
            elif action.kind == "visit":
                day = days[-1] + rng.randint(3, 10)
            elif action.kind == "judicial_confirmation":
                day = days[-1] + rng.randint(2, 6)
            elif action.kind == "visit_after_failure":
                day = days[-1] + rng.randint(7, 30)
            days.append(day)

        last = days[-1]
        if plan.target in ("resolved", "unresolved", "withdrawn", "declined"):
            earliest = max(last + 1, 1)
            start = self.today - timedelta(days=rng.randint(earliest, max(earliest, 360)))
        else:
            entered = max(i for i, a in enumerate(actions) if a.kind not in _NOT_ENTERING)
            trailing = last - days[entered]
            deadline = self.deadline_days(plan, entered)
            overdue = plan.overdue = rng.random() < OVERDUE_SHARE
            if plan.target == "following_up" and actions[entered].kind == "reach_agreement":
                # The follow-up deadline is the agreement's performance deadline: choose it to fit.
                age = rng.randint(max(trailing, 3), 30) if overdue else rng.randint(trailing, 20)
                actions[entered].data["deadline_days"] = (
                    rng.randint(1, age - 1) if overdue else age + rng.randint(1, 30)
                )
            elif overdue:
                age = max(trailing, deadline + rng.randint(1, 20))
            else:
                age = rng.randint(trailing, max(trailing, deadline - 1))
            start = self.today - timedelta(days=age + days[entered])

        moments, previous = [], None
        for offset in days:
            day = start + timedelta(days=offset)
            if previous is not None and previous.date() == day:
                moment = previous + timedelta(minutes=rng.randint(40, 150))
            else:
                moment = office_hours(rng, day)
            moments.append(moment)
            previous = moment
        latest = self.now - timedelta(minutes=2)
        if moments[-1].astimezone(UTC) > latest:
            shift = moments[-1].astimezone(UTC) - latest + timedelta(minutes=rng.randint(5, 90))
            moments = [m - shift for m in moments]
        plan.times = [m.astimezone(UTC) for m in moments]

    def deadline_days(self, plan: Plan, entered: int) -> int:
        """The deadline (in whole days) of the state the case is left in, as ``demo.planned_days`` has it."""
        days, target = self.days, plan.target
        if target in ("referred", "with_agency"):
            table = days[target]
            return table.get(plan.refer_kind, table["default"])
        if target == "mediating" and any(a.kind == "extend" for a in plan.actions[entered:]):
            return days["mediating"] + days["mediating_extension"]
        return days[target]  # registered, mediating, following up after an agency resolved it

    def tell(self, plan: Plan) -> None:
        """The case's parties, title and facts, in the words of its story."""
        rng, story, station = self.rng, plan.story, plan.station
        village = rng.choice(station.villages) if station.villages else ""
        place = village if story.setting == "village" else rng.choice(station.places)
        market = rng.choice(station.markets or station.places)
        avoid: set[str] = set()
        parties = []
        for role, slot in (("applicant", story.applicant), ("respondent", story.respondent)):
            party = self.people.party(station, slot, role, avoid, village)
            avoid.add(party.name)
            parties.append(party)
        more = [
            self.people.party(station, story.applicant, "applicant", avoid, village)
            for _ in range(rng.randint(*story.more_applicants))
        ]
        for party in more:
            avoid.add(party.name)
        third = None
        if story.third:
            third = self.people.party(station, story.third, "third_party", avoid, village)
        plan.parties = [parties[0], *more, parties[1]] + ([third] if third else [])

        applicant, respondent = parties
        amount = None
        if story.amount:
            amount = rng.randint(*story.amount) // 100 * 100
        registered = local_date(plan.times[0])
        earlier = registered - timedelta(days=rng.randint(5, 80))
        agreed = (amount * rng.randint(55, 100) // 100 // 100 * 100) if amount else 0
        low_floor = rng.randint(1, 5)
        unit = rng.randint(1, 4)
        org = next((p for p in plan.parties if p.kind == "organisation"), None)
        plan.vars = {
            "a": applicant.name,
            "b": respondent.name,
            "ax": _short(applicant),
            "bx": _short(respondent),
            "org": org.name if org else respondent.name,
            "third": third.name if third else "",
            "n": 1 + len(more),
            "place": place,
            "village": village or place,
            "market": market,
            "bldg": rng.randint(1, 28),
            "unit": f"{unit}单元{self.people.room()}",
            "unit_low": f"{unit}单元{low_floor}01室",
            "unit_high": f"{unit}单元{low_floor + 1}01室",
            "month": earlier.month,
            "day": earlier.day,
            "year_past": registered.year - rng.randint(1, 6),
            "age": self.today.year - applicant.birth_date.year if applicant.birth_date else 70,
            "amount": amount or 0,
            "agreed": agreed or (amount or 0),
            "half": (amount or 0) // 2 // 100 * 100,
            "cost": (amount or 0) * rng.randint(40, 80) // 100 // 10 * 10,
            "total": (amount or 0) * rng.randint(3, 6),
            "paid": (amount or 0) * rng.randint(2, 5),
            "monthly": rng.randint(5, 15) * 100,
            "daily": rng.choice((200, 220, 250, 280, 300, 350)),
            "months": rng.randint(2, 14),
            "years": rng.randint(2, 4),
            "cm": rng.randint(20, 60),
            "boxes": rng.randint(30, 120),
            "deadline": "",
        }
        plan.place = f"{station.district}{place}"
        plan.amount = amount
        plan.title = rng.choice(story.titles).format_map(plan.vars)
        plan.facts = self.intake_note(plan) + story.facts.format_map(plan.vars)

    def intake_note(self, plan: Plan) -> str:
        """How the dispute reached the station, as the facts begin; agencies' references for referrals."""
        rng, vars = self.rng, plan.vars
        year = local_date(plan.times[0]).year
        if plan.channel == "police":
            agency = agency_for(plan.station.code, "police")
            plan.inbound_kind = "police_handover"
            plan.external_ref = f"{agency.short}警调〔{year}〕{rng.randint(1, 400)}号"
            return f"{agency.short}接警后认为属民事纠纷，依警调对接机制移交驿站调解（{plan.external_ref}）。"
        if plan.channel == "court":
            agency = agency_for(plan.station.code, "court")
            if rng.random() < 0.7:
                plan.inbound_kind = "court_delegated"
                plan.external_ref = f"（{year}）{plan.station.court_code}民诉前调{rng.randint(100, 3999)}号"
                return f"{agency.short}立案前委派驿站调解，案号{plan.external_ref}。"
            plan.inbound_kind = rng.choice(("court_entrusted", "court_entrusted_summary"))
            plan.external_ref = f"（{year}）{plan.station.court_code}民初{rng.randint(100, 3999)}号"
            return f"{agency.short}立案后委托驿站调解，案号{plan.external_ref}。"
        if plan.channel == "government":
            agency = agency_for(plan.station.code, "government")
            plan.external_ref = f"{agency.short}交〔{year}〕{rng.randint(1, 200)}号"
            return f"{agency.short}受理群众反映后交办驿站调解（{plan.external_ref}）。"
        if plan.channel == "grid":
            if rng.random() < 0.5:
                return f"网格员{self.people.name(rng.choice('MF'))}巡查走访时发现并上报。"
            return f"外卖骑手信息员{self.people.name('M')}在送餐途中发现并向驿站反映。"
        if plan.channel == "phone":
            return f"{vars['a']}拨打驿站值班电话求助。"
        if plan.channel == "online":
            return f"{vars['a']}通过驿站“排忧解难”二维码在线提交求助。"
        return f"{vars['a']}到驿站来访反映。"


def office_hours(rng: random.Random, day: date) -> datetime:
    """A moment on ``day`` while the station is open (8:30 to 17:30, its time)."""
    return datetime.combine(day, time(8, 30), tzinfo=LOCAL_ZONE) + timedelta(minutes=rng.randint(0, 9 * 60))


def _weighted(rng: random.Random, options):
    """One of ``options``, ``(value, weight)`` pairs."""
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights, k=1)[0]


def _short(party: PartyInput) -> str:
    """How a title names a party: 王某 for a person (titles are read by many), the full name of a body."""
    return party.name if party.kind == "organisation" else party.name[0] + "某"
