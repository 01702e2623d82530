"""What a page costs in SQL statements: a budget per page, and the same count however much the case or the
list holds, so an N+1 cannot come back unnoticed (a count, not a time; docs/performance.md has the times).

Each request starts from an empty session, as a real one does (the suite's session is shared with the app).
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mediation.case_page.views import PAGE_SPARSE
from mediation.clock import local_date, utcnow
from mediation.models import Case
from mediation.services import followups, supervision
from mediation.services.sessions import record_session
from tests.conftest import delegated_by, fire, login, make_case, make_user, statements


def in_days(n):
    return (local_date(utcnow()) + timedelta(days=n)).isoformat()


def fill(case, mediators, supervisor, police_liaison, n):
    """``n`` sessions (recorded by the ``mediators`` in turn), visits planned, referrals declined, and a
    supervision with ``n`` answers."""
    mediator = mediators[0]
    for i in range(n):
        record_session(
            case,
            mediators[i % len(mediators)],
            held_at=utcnow(),
            notes=f"第{i}次",
            result="继续",
            rights_notified=True,
        )
    for _ in range(n):
        fire(case, "refer", mediator)
        fire(case, "decline_referral", police_liaison)
    supervision.start(supervisor, case, case.version, urgency="key", due_on=in_days(3), request="请推进")
    for i in range(n):
        supervision.answer(mediator, case, case.version, text=f"进展{i}")
    fire(case, "reach_agreement", mediator)
    for i in range(n):
        followups.plan_visit(mediator, case, scheduled_for=in_days(20 + i), reason="再访")


@pytest.fixture
def two_cases(db, station, mediator, supervisor, police, police_liaison):
    """The same story told once with one of everything and once with four, by two mediators (the page
    names each one who recorded something: however many, they cost no statement of their own)."""
    colleague = make_user("colleague", "mediator", [station])
    numbers = []
    for n in (1, 4):
        case = make_case(station, mediator)
        fire(case, "accept", mediator)
        fill(case, [mediator, colleague], supervisor, police_liaison, n)
        numbers.append(case.number)
    db.session.commit()
    return numbers


#: The budgets: what each page costs now (docs/performance.md says where it goes). Lower them as pages get
#: cheaper; a page that needs more has a reason to give. The case page: the sign-in (with the reader's
#: stations and unread count), the case with its parties (and whether it has any sessions, agreements,
#: referrals, visits, supervisions or attachments), its deadlines and the events; the waivers allowed, where
#: a step from the case's state can be waived (``WAIVES``); then one SELECT per one of those collections it
#: has rows in. The forms of its steps, with the station's
#: mediators and agencies to choose from, come when a panel is opened (tests/test_case_panels.py holds a
#: panel to its own budget). My work: the sign-in, the rows, and the cases of the rows it lists (a district's
#: supervisor can have hundreds of rows, fifty listed a group). Intake: the sign-in, and the mediators of the
#: reader's stations with who is on duty (``services.cases.serving``).
CASE_PAGE, WAIVES, CASE_LIST, HOME, MY_WORK, INTAKE = 4, 1, 3, 5, 3, 2


def held(case) -> list[str]:
    """The case page's often-empty collections that ``case`` has rows in."""
    return [often.attribute.key for often in PAGE_SPARSE if getattr(case, often.attribute.key)]


def test_the_case_page_costs_the_same_however_much_the_case_holds(client, db, two_cases, mediator):
    login(client, mediator)
    small, large = (statements(client, f"/cases/{number}") for number in two_cases)
    assert small == large, (small, large)
    assert held(db.session.scalar(select(Case).filter_by(number=two_cases[0]))) == [
        "referrals",
        "agreements",
        "visits",
        "supervisions",
        "sessions",
    ]
    assert small == CASE_PAGE + WAIVES + 5  # following up: closing without a visit may be allowed


@pytest.mark.parametrize(
    "steps, collections, waives",
    [
        ((), 0, 0),  # registered: accept (its mediator select), decline, refer
        (("accept",), 0, 0),  # mediating: refer (the agencies select), reassign (the mediators select), …
        # following up (agreement, visit planned): judicial confirmation; closing without a visit
        (("accept", "reach_agreement"), 2, WAIVES),
        (("accept", "fail_mediation"), 1, 0),  # closed, a follow-up visit planned
        (("accept", "refer"), 1, 0),  # with the police
    ],
)
def test_the_case_page_keeps_its_budget_in_every_state(
    client, db, station, mediator, police, court, steps, collections, waives
):
    case = make_case(station, mediator, risk_level="high")
    for trigger in steps:
        fire(case, trigger, mediator)
    db.session.commit()
    assert len(held(case)) == collections, held(case)
    login(client, mediator)
    assert statements(client, f"/cases/{case.number}") == CASE_PAGE + waives + collections


def test_lists_cost_the_same_however_many_rows(
    client, db, station, mediator, supervisor, police_liaison, court
):
    def add(n):
        """``n`` cases referred out, and ``n`` a court sent in."""
        for _ in range(n):
            case = make_case(station, mediator)
            fire(case, "refer", mediator)
            make_case(station, mediator, inbound=delegated_by(court))
        db.session.commit()

    add(2)
    login(client, mediator)
    paths = ("/", "/cases", "/cases?state=open&sort=due", "/work", "/notifications")
    few = {path: statements(client, path) for path in paths}
    add(8)
    many = {path: statements(client, path) for path in paths}
    assert few == many, (few, many)
    assert few["/cases"] <= CASE_LIST and few["/"] <= HOME and few["/work"] <= MY_WORK, few


def test_intake_costs_a_few_statements(client, mediator):
    login(client, mediator)
    assert statements(client, "/cases/new") <= INTAKE
