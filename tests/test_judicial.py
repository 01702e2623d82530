"""Judicial confirmation (司法确认): the mediator records the parties' joint application within the window
the agreement opened; the court's liaison records whether the court accepts it and then its decision, even
after the station has closed the case; an invalid agreement lets the station mediate again."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from mediation import lifecycle, policy
from mediation.clock import end_of_day, local_date, utcnow
from mediation.errors import Conflict, Invalid, NotAllowed
from mediation.extensions import db as _db
from mediation.models import Case, Deadline
from mediation.services import followups, settings
from mediation.services.agreements import update_agreement
from mediation.services.judicial import (
    answer_application,
    apply_for_confirmation,
    decide_confirmation,
    pending_applications,
)
from mediation.services.transitions import apply_step
from tests.conftest import (
    delivered,
    fire,
    login,
    make_agency,
    make_case,
    make_user,
    snapshot,
    told,
    with_panels,
)

#: 2026-03-02 09:30 in China, a Monday: the agreement is reached and takes effect then.
T = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
NUMBER = "(2026)甘0104民特12号"


def local(y, m, d, hour=10, minute=0):
    """A moment on a local (China) day."""
    return datetime(y, m, d, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def other_court(station):
    """Another court serving the station, which the parties did not apply to."""
    return make_agency("DHFY", "西固区人民法庭", "court", stations=[station])


@pytest.fixture
def other_clerk(other_court):
    return make_user("clerk2", "liaison", agency=other_court)


def agreed(station, mediator, *, now=T):
    """A case whose written agreement took effect at ``now`` (following up), to be performed 18 days on."""
    case = make_case(station, mediator, now=now - timedelta(days=1))
    fire(case, "accept", mediator, now=now)
    deadline = local_date(now) + timedelta(days=18)
    fire(case, "reach_agreement", mediator, now=now, performance_deadline=deadline.isoformat())
    return case


def applied(case, mediator, *, day="2026-03-03", now=None):
    return apply_for_confirmation(
        mediator, case, case.version, applied_on=day, court="XGFY", now=now or local(2026, 3, 3)
    )


def accepted(case, clerk, *, day="2026-03-04", now=None, number=NUMBER):
    return answer_application(
        clerk, case, case.version, answer="accepted", answered_on=day, court_case_number=number,
        now=now or local(2026, 3, 4),
    )  # fmt: skip


def decided(case, clerk, decision, *, day="2026-03-10", now=None):
    return decide_confirmation(
        clerk, case, case.version, decision=decision, decided_on=day, court_case_number=NUMBER,
        now=now or local(2026, 3, 10),
    )  # fmt: skip


def open_kinds(case) -> set[str]:
    return {d.kind for d in case.deadlines if d.is_open}


def only(case, kind) -> Deadline:
    (row,) = [d for d in case.deadlines if d.is_open and d.kind == kind]
    return row


def last_event(case):
    return case.events.all()[-1]


def refused(db, case, error, code, call):
    """``call()`` is refused with ``error``/``code`` and leaves the case, its records and deadlines as they
    were; returns the refusal."""
    db.session.commit()

    def state():
        rows = db.session.execute(select(Deadline.__table__).where(Deadline.case_id == case.id)).all()
        return snapshot(case.id), [tuple(r) for r in rows]

    before = state()
    with pytest.raises(error) as info:
        call()
    assert info.value.code == code, info.value.message
    assert state() == before
    db.session.rollback()
    assert state() == before
    return info.value


# --- The parties apply --------------------------------------------------------------------------------------


def test_the_application_meets_the_window_and_gives_the_court_three_days(db, station, mediator, court):
    case = agreed(station, mediator)
    agreement = applied(case, mediator)
    assert (agreement.jc_applied_on, agreement.jc_court, agreement.jc_stage) == (
        date(2026, 3, 3),
        court,
        "acceptance",
    )
    assert open_kinds(case) == {"follow_up", "jc_acceptance"}  # the window is met
    court_days = only(case, "jc_acceptance")
    assert (court_days.days, court_days.unit) == (3, "calendar")
    assert court_days.due_at == end_of_day(date(2026, 3, 6))
    event = last_event(case)
    assert (event.kind, event.action, event.from_state, event.to_state) == (
        "judicial",
        "apply_for_confirmation",
        "following_up",
        "following_up",
    )
    assert event.data["jc_applied_on"] == "2026-03-03" and event.data["jc_court"] == "XGFY"
    assert event.data["deadlines"]["met"] == ["judicial_confirmation"]
    assert [d["kind"] for d in event.data["deadlines"]["opened"]] == ["jc_acceptance"]


@pytest.mark.parametrize(
    ("day", "now", "refusal"),
    [
        # 23:59 on 1 April in China: the 30th day after the agreement took effect (2 March).
        ("2026-04-01", datetime(2026, 4, 1, 15, 59, tzinfo=UTC), None),
        ("2026-04-02", datetime(2026, 4, 1, 15, 59, tzinfo=UTC), "This date is in the future."),
        # 00:00:30 on 2 April in China, still 1 April in UTC: day 31 is past the window.
        ("2026-04-02", datetime(2026, 4, 1, 16, 0, 30, tzinfo=UTC), "by Apr 1, 2026"),
        # An application dated within the window may be recorded after it.
        ("2026-04-01", datetime(2026, 4, 1, 16, 0, 30, tzinfo=UTC), None),
    ],
    ids=["day-30", "day-31-in-the-future", "day-31", "day-30-recorded-on-day-31"],
)
def test_the_parties_apply_by_the_thirtieth_day_in_china(db, station, mediator, court, day, now, refusal):
    case = agreed(station, mediator)
    window = only(case, "judicial_confirmation")
    assert window.due_at == end_of_day(date(2026, 4, 1))  # the row is the truth for "when"

    def apply():
        return apply_for_confirmation(mediator, case, case.version, applied_on=day, court="XGFY", now=now)

    if refusal is None:
        assert apply().jc_applied_on == date.fromisoformat(day)
        assert window.met_at == now
    else:
        error = refused(db, case, Invalid, "invalid_fields", apply)
        assert refusal in error.fields["applied_on"]


def test_a_deployment_that_lengthens_the_window_is_held_to_its_row(db, station, mediator, court, admin):
    settings.set_deadline_length(admin, "judicial_confirmation", "", 40, "calendar")
    case = agreed(station, mediator)
    apply_for_confirmation(
        mediator, case, case.version, applied_on="2026-04-11", court="XGFY", now=local(2026, 4, 11)
    )
    assert case.current_agreement.jc_applied_on == date(2026, 4, 11)


@pytest.mark.parametrize(
    ("setup", "actor", "data", "error", "code", "field"),
    [
        ("stale", "mediator", {}, Conflict, "stale_version", None),
        ("twice", "mediator", {}, Conflict, "already_applied", None),
        ("oral", "mediator", {}, Conflict, "no_window", None),
        ("closed", "mediator", {}, Conflict, "no_window", None),
        (None, "colleague", {}, None, None, None),  # any mediator of the station
        (None, "supervisor", {}, NotAllowed, "out_of_scope", None),
        (None, "court_liaison", {}, NotAllowed, "out_of_scope", None),
        (None, "outsider", {}, NotAllowed, "out_of_scope", None),
        (None, "mediator", {"applied_on": "2026-03-01"}, Invalid, "invalid_fields", "applied_on"),
        (None, "mediator", {"applied_on": ""}, Invalid, "invalid_fields", "applied_on"),
        (None, "mediator", {"applied_on": "3 March"}, Invalid, "invalid_fields", "applied_on"),
        (None, "mediator", {"court": "XGPS"}, Invalid, "invalid_fields", "court"),  # the police
        (None, "mediator", {"court": "FAR"}, Invalid, "invalid_fields", "court"),  # not this station's
        (None, "mediator", {"court": ""}, Invalid, "invalid_fields", "court"),
    ],
)
def test_an_application_is_refused_unless_everything_fits(
    db, station, other_station, people, police, court, setup, actor, data, error, code, field
):
    make_agency("FAR", "东海法院", "court", stations=[other_station])
    mediator = people["mediator"]
    case = agreed(station, mediator)
    version = case.version
    if setup == "twice":
        applied(case, mediator)
    elif setup == "oral":
        update_agreement(case, mediator, None, oral="oral", now=T)
    elif setup == "closed":
        followups.record_visit(
            mediator, case, done_on=date(2026, 3, 2), method="phone", performance="fully", now=T
        )
        fire(case, "close", mediator, now=T)
    if setup != "stale":
        version = case.version
    data = {"applied_on": "2026-03-03", "court": "XGFY", **data}

    def apply():
        return apply_for_confirmation(
            people[actor], case, version - (setup == "stale"), now=local(2026, 3, 3), **data
        )

    if error is None:
        assert apply().jc_court == court
        return
    refusal = refused(db, case, error, code, apply)
    assert set(refusal.fields) == ({field} if field else set())


# --- The court answers --------------------------------------------------------------------------------------


def test_the_court_accepts_and_then_has_fifteen_days_to_decide(db, station, people, court):
    case = agreed(station, people["mediator"])
    applied(case, people["mediator"])
    agreement = accepted(case, people["court_liaison"], day="2026-03-04", now=local(2026, 3, 5))
    assert (agreement.jc_accepted_on, agreement.jc_court_case_number, agreement.jc_stage) == (
        date(2026, 3, 4),
        NUMBER,
        "decision",
    )
    assert open_kinds(case) == {"follow_up", "jc_decision"}
    assert only(case, "jc_decision").due_at == end_of_day(date(2026, 3, 19))  # from the day it accepted
    event = last_event(case)
    assert (event.action, event.actor_id) == ("accept_application", people["court_liaison"].id)
    assert event.data["jc_accepted_on"] == "2026-03-04" and event.data["jc_court_case_number"] == NUMBER


@pytest.mark.parametrize("decision", ["valid", "invalid"])
def test_the_court_decides_and_its_days_are_met(db, station, people, court, decision):
    case = agreed(station, people["mediator"])
    applied(case, people["mediator"])
    accepted(case, people["court_liaison"])
    agreement = decided(case, people["court_liaison"], decision)
    assert (agreement.jc_decision, agreement.jc_decided_on, agreement.jc_stage) == (
        decision,
        date(2026, 3, 10),
        "decided",
    )
    assert open_kinds(case) == {"follow_up"}
    assert last_event(case).data["deadlines"] == {"met": ["jc_decision"]}
    assert lifecycle.STEPS["mediate_again"].applies_to(case) == (decision == "invalid")


def test_an_application_not_accepted_is_answered_for_good(db, station, people, court):
    mediator, clerk = people["mediator"], people["court_liaison"]
    case = agreed(station, mediator)
    applied(case, mediator)
    agreement = answer_application(
        clerk, case, case.version, answer="not_accepted", answered_on="2026-03-04", now=local(2026, 3, 4)
    )
    assert (agreement.jc_decision, agreement.jc_decided_on, agreement.jc_accepted_on) == (
        "not_accepted",
        date(2026, 3, 4),
        None,
    )
    assert open_kinds(case) == {"follow_up"}  # nothing left for the court to decide
    assert last_event(case).action == "refuse_application"
    refused(db, case, Conflict, "already_decided", lambda: decided(case, clerk, "valid"))
    assert not lifecycle.STEPS["mediate_again"].applies_to(case)
    assert policy.judicial_step(mediator, case) is None  # the agreement was applied for once


#: How far the application has gone when the court's answer is attempted.
def _at(stage, case, people):
    if stage in ("applied", "accepted", "decided"):
        applied(case, people["mediator"])
    if stage in ("accepted", "decided"):
        accepted(case, people["court_liaison"])
    if stage == "decided":
        decided(case, people["court_liaison"], "valid")


def _answer(actor, case, **data):
    data = {"answer": "accepted", "answered_on": "2026-03-04", "court_case_number": NUMBER, **data}
    return answer_application(actor, case, case.version, now=local(2026, 3, 4), **data)


def _decide(actor, case, **data):
    data = {"decision": "valid", "decided_on": "2026-03-10", "court_case_number": NUMBER, **data}
    return decide_confirmation(actor, case, case.version, now=local(2026, 3, 10), **data)


@pytest.mark.parametrize(
    ("stage", "record", "actor", "data", "error", "code", "field"),
    [
        (None, _answer, "court_liaison", {}, Conflict, "no_application", None),
        ("accepted", _answer, "court_liaison", {}, Conflict, "already_answered", None),  # twice
        ("applied", _answer, "mediator", {}, NotAllowed, "out_of_scope", None),
        ("applied", _answer, "other_clerk", {}, NotAllowed, "out_of_scope", None),
        ("applied", _answer, "police_liaison", {}, NotAllowed, "out_of_scope", None),
        ("applied", _answer, "court_liaison", {"answer": "maybe"}, Invalid, "invalid_fields", "answer"),
        ("applied", _answer, "court_liaison", {"answered_on": "2026-03-02"}, Invalid, "invalid_fields",
         "answered_on"),  # before the parties applied
        ("applied", _answer, "court_liaison", {"answered_on": "2026-03-05"}, Invalid, "invalid_fields",
         "answered_on"),  # in the future
        ("applied", _answer, "court_liaison", {"court_case_number": "号" * 65}, Invalid, "invalid_fields",
         "court_case_number"),
        (None, _decide, "court_liaison", {}, Conflict, "no_application", None),
        ("applied", _decide, "court_liaison", {}, Conflict, "not_accepted_yet", None),  # out of order
        ("decided", _decide, "court_liaison", {}, Conflict, "already_decided", None),  # twice
        ("accepted", _decide, "mediator", {}, NotAllowed, "out_of_scope", None),
        ("accepted", _decide, "other_clerk", {}, NotAllowed, "out_of_scope", None),
        ("accepted", _decide, "court_liaison", {"decision": "not_accepted"}, Invalid, "invalid_fields",
         "decision"),  # an answer, not a decision
        ("accepted", _decide, "court_liaison", {"decided_on": "2026-03-03"}, Invalid, "invalid_fields",
         "decided_on"),  # before it accepted
        ("accepted", _decide, "court_liaison", {"court_case_number": " "}, Invalid, "invalid_fields",
         "court_case_number"),
    ],
)  # fmt: skip
def test_the_courts_answers_are_refused_out_of_turn_to_others_and_when_wrong(
    db, station, people, police, court, other_clerk, stage, record, actor, data, error, code, field
):
    case = agreed(station, people["mediator"])
    _at(stage, case, people)
    who = other_clerk if actor == "other_clerk" else people[actor]
    refusal = refused(db, case, error, code, lambda: record(who, case, **data))
    assert set(refusal.fields) == ({field} if field else set())


def test_the_courts_answers_from_a_stale_page_are_conflicts(db, station, people, court):
    mediator, clerk = people["mediator"], people["court_liaison"]
    case = agreed(station, mediator)
    applied(case, mediator)
    seen = case.version
    update_agreement(case, mediator, None, performance_place="西固解纷驿站", now=T)  # meanwhile
    refused(
        db, case, Conflict, "stale_version",
        lambda: answer_application(clerk, case, seen, answer="accepted", answered_on="2026-03-04"),
    )  # fmt: skip
    accepted(case, clerk)
    seen = case.version
    update_agreement(case, mediator, None, performance_method="现金", now=T)
    refused(
        db, case, Conflict, "stale_version",
        lambda: decide_confirmation(
            clerk, case, seen, decision="valid", decided_on="2026-03-10", court_case_number=NUMBER
        ),
    )  # fmt: skip


def test_the_court_decides_after_the_station_closed_the_case(db, station, people, court):
    mediator, clerk = people["mediator"], people["court_liaison"]
    case = agreed(station, mediator)
    applied(case, mediator)
    accepted(case, clerk)
    followups.record_visit(
        mediator,
        case,
        done_on=date(2026, 3, 5),
        method="phone",
        performance="fully",
        now=local(2026, 3, 5),
    )
    fire(case, "close", mediator, now=local(2026, 3, 5))
    assert (case.state, open_kinds(case)) == ("closed", {"jc_decision"})  # the court's days run on
    assert [p.case for p in pending_applications(clerk)] == [case]
    decided(case, clerk, "valid")
    assert (case.state, case.outcome, case.current_agreement.jc_decision) == ("closed", "resolved", "valid")
    event = last_event(case)
    assert (event.action, event.from_state, event.to_state) == ("decide_confirmation", "closed", "closed")
    assert open_kinds(case) == set() and case.next_due_at is None
    assert pending_applications(clerk) == []


# --- Mediating again ----------------------------------------------------------------------------------------


def offered(actor, case) -> list[str]:
    return [s.trigger for s in policy.allowed_steps(actor, case)]


def test_an_invalid_agreement_lets_the_station_mediate_again(db, station, people, court):
    mediator, clerk = people["mediator"], people["court_liaison"]
    case = agreed(station, mediator)
    applied(case, mediator)
    accepted(case, clerk)
    decided(case, clerk, "invalid")
    assert "mediate_again" in offered(mediator, case) and "mediate_again" in offered(
        people["colleague"], case
    )
    assert "mediate_again" not in offered(people["supervisor"], case) + offered(clerk, case)
    fire(case, "mediate_again", mediator, now=local(2026, 3, 11))
    assert case.state == "mediating"
    assert open_kinds(case) == {"mediation"}  # the follow-up is no longer due
    event = last_event(case)
    assert (event.action, event.from_state, event.to_state) == ("mediate_again", "following_up", "mediating")
    assert event.data["deadlines"]["cancelled"] == ["follow_up"]
    # Once: failing again closes the case for good (a supervisor may still reopen it).
    fire(case, "fail_mediation", mediator, now=local(2026, 3, 20))
    assert "mediate_again" not in offered(mediator, case)


def test_an_agreement_found_invalid_after_the_case_closed_reopens_it_for_mediation(
    db, station, people, court
):
    mediator, clerk = people["mediator"], people["court_liaison"]
    case = agreed(station, mediator)
    applied(case, mediator)
    accepted(case, clerk)
    followups.record_visit(
        mediator,
        case,
        done_on=date(2026, 3, 5),
        method="phone",
        performance="fully",
        now=local(2026, 3, 5),
    )
    fire(case, "close", mediator, now=local(2026, 3, 5))
    assert "mediate_again" not in offered(mediator, case)
    decided(case, clerk, "invalid")
    assert offered(mediator, case) == ["mediate_again"]
    fire(case, "mediate_again", mediator, now=local(2026, 3, 11))
    assert (case.state, case.outcome, case.closed_at) == ("mediating", None, None)


def test_a_valid_agreement_is_not_mediated_again(db, station, people, court):
    mediator, clerk = people["mediator"], people["court_liaison"]
    case = agreed(station, mediator)
    applied(case, mediator)
    accepted(case, clerk)
    decided(case, clerk, "valid")
    assert "mediate_again" not in offered(mediator, case)
    refused(
        db, case, Conflict, "not_applicable",
        lambda: apply_step(case, "mediate_again", mediator, version=case.version, reason="想再调"),
    )  # fmt: skip


# --- Deadlines, one application at a time -------------------------------------------------------------------


def test_each_action_opens_and_meets_the_deadlines_it_declares(db, station, people, court):
    mediator, clerk = people["mediator"], people["court_liaison"]
    case = agreed(station, mediator)
    for record in (
        lambda: applied(case, mediator),
        lambda: accepted(case, clerk),
        lambda: decided(case, clerk, "invalid"),
    ):
        before = open_kinds(case)
        record()
        action = lifecycle.JUDICIAL[last_event(case).action]
        assert open_kinds(case) == (before - set(action.meets)) | set(action.opens), action.name
        recorded = last_event(case).data.get("deadlines", {})
        assert set(recorded.get("met", [])) == set(action.meets) & before
        assert {d["kind"] for d in recorded.get("opened", [])} == set(action.opens)
        dues = [d.due_at for d in case.deadlines if d.is_open and not d.rule.lapses]
        assert case.next_due_at == min(dues)


def test_the_courts_days_make_the_case_overdue_like_any_deadline(db, station, people, court):
    case = agreed(station, people["mediator"])
    applied(case, people["mediator"])
    assert case.next_due_at == end_of_day(date(2026, 3, 6))  # before the first visit's (20 March)
    assert case.is_overdue(local(2026, 3, 7))


def test_a_breach_leaves_the_court_deciding_and_a_new_agreement_waits_for_it(db, station, people, court):
    mediator, clerk = people["mediator"], people["court_liaison"]
    case = agreed(station, mediator)
    applied(case, mediator)
    accepted(case, clerk)
    fire(case, "report_breach", mediator, now=local(2026, 3, 5))
    assert open_kinds(case) == {"mediation", "jc_decision"}
    fire(case, "reach_agreement", mediator, now=local(2026, 3, 6), performance_deadline="2026-03-30")
    assert policy.judicial_step(mediator, case) is None
    refused(
        db, case, Conflict, "application_pending",
        lambda: apply_for_confirmation(
            mediator, case, case.version, applied_on="2026-03-07", court="XGFY", now=local(2026, 3, 7)
        ),
    )  # fmt: skip
    decided(case, clerk, "valid")  # the earlier agreement's application
    assert policy.judicial_step(mediator, case) == "apply"
    applied(case, mediator, day="2026-03-10", now=local(2026, 3, 10))
    assert case.confirmation is case.current_agreement


def test_the_liaisons_pending_applications_oldest_first(db, station, people, police, court, other_clerk):
    mediator, clerk = people["mediator"], people["court_liaison"]
    waiting = agreed(station, mediator)
    applied(waiting, mediator, day="2026-03-05", now=local(2026, 3, 5))
    deciding = agreed(station, mediator)
    applied(deciding, mediator, day="2026-03-03")
    accepted(deciding, clerk)
    done = agreed(station, mediator)
    applied(done, mediator)
    answer_application(
        clerk, done, None, answer="not_accepted", answered_on="2026-03-04", now=local(2026, 3, 4)
    )
    elsewhere = agreed(station, mediator)
    apply_for_confirmation(
        mediator, elsewhere, None, applied_on="2026-03-03", court="DHFY", now=local(2026, 3, 3)
    )
    agreed(station, mediator)  # not applied for
    db.session.commit()
    pending = pending_applications(clerk)
    assert [(p.case, p.stage, p.deadline.kind) for p in pending] == [
        (deciding, "decision", "jc_decision"),
        (waiting, "acceptance", "jc_acceptance"),
    ]
    assert [p.case for p in pending_applications(other_clerk)] == [elsewhere]
    assert pending_applications(people["police_liaison"]) == []
    assert pending_applications(mediator) == []


# --- Who sees it --------------------------------------------------------------------------------------------


def test_the_court_sees_what_was_brought_to_it_and_the_parties_in_full_while_it_decides(
    db, station, people, police, court, other_clerk
):
    mediator, clerk = people["mediator"], people["court_liaison"]
    case = agreed(station, mediator)
    db.session.commit()

    def sees(actor):
        by_predicate = policy.can_view_case(actor, case)
        by_sql = db.session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.id == case.id, policy.visible_cases_clause(actor))
        )
        assert by_predicate == bool(by_sql), actor.username
        return by_predicate, policy.data_scope(actor, case)

    assert sees(clerk) == (False, policy.OUTSIDE)
    applied(case, mediator)
    assert sees(clerk) == (True, policy.AGENCY)
    accepted(case, clerk)
    assert sees(clerk) == (True, policy.AGENCY)
    decided(case, clerk, "valid")
    assert sees(clerk) == (True, policy.AGENCY_ENDED)
    for outsider in (other_clerk, people["police_liaison"], people["outsider"]):
        assert sees(outsider) == (False, policy.OUTSIDE)


# --- The case page ------------------------------------------------------------------------------------------


@pytest.fixture
def case(db, station, mediator, court):
    """An agreement reached today (the page's own clock), to apply for."""
    case = agreed(station, mediator, now=utcnow())
    db.session.commit()
    return case


def page(client, case):
    """The case page with its panels opened."""
    return with_panels(client, f"/cases/{case.number}")


def post(client, case, panel, **data):
    """Post a panel's form with the version the page shows now (unless ``version`` is given)."""
    if "version" not in data:
        _db.session.expire_all()
        data["version"] = case.version
    return client.post(f"/cases/{case.number}/confirmation/{panel}", data=data)


def panel(html, key):
    match = re.search(rf'data-judicial="jc-{key}"(.*?)</form>', html, re.S)
    return match[1] if match else None


def test_the_application_and_the_courts_answers_are_recorded_on_the_case_page(
    client, db, case, mediator, court_liaison, people
):
    today = local_date(utcnow()).isoformat()
    login(client, mediator)
    form = panel(page(client, case), "apply")
    assert form is not None and f'value="{today}"' in form and '<option selected value="XGFY">' in form
    response = post(client, case, "apply", applied_on=today, court="XGFY")
    assert response.status_code == 302 and response.headers["Location"].endswith("#confirmation")
    html = page(client, case)
    assert panel(html, "apply") is None
    assert "Recorded the application for judicial confirmation" in html and "西固区人民法院" in html
    assert "Court decides whether to accept the application for confirmation" in html  # what is due next

    login(client, court_liaison)
    html = page(client, case)
    assert panel(html, "apply") is None and panel(html, "answer") is not None
    assert post(client, case, "answer", answer="accepted", answered_on=today).status_code == 302
    form = panel(page(client, case), "decide")
    assert form is not None
    response = post(client, case, "decide", decision="invalid", decided_on=today, court_case_number=NUMBER)
    assert response.status_code == 302
    html = page(client, case)
    assert "The court decided on judicial confirmation" in html and "Found invalid" in html
    assert panel(html, "decide") is None

    login(client, mediator)
    assert 'data-step="mediate_again"' in page(client, case)


def test_the_timeline_tells_it_in_both_languages(client, db, case, mediator, court_liaison):
    today = local_date(utcnow())
    apply_for_confirmation(mediator, case, None, applied_on=today, court="XGFY")
    answer_application(court_liaison, case, None, answer="accepted", answered_on=today)
    decide_confirmation(
        court_liaison, case, None, decision="valid", decided_on=today, court_case_number=NUMBER
    )
    db.session.commit()
    login(client, mediator)
    english = page(client, case)
    for title in (
        "Recorded the application for judicial confirmation",
        "The court accepted the application for judicial confirmation",
        "The court decided on judicial confirmation",
        "Confirmed valid",
    ):
        assert title in english, title
    client.post("/language/zh_Hans_CN")
    chinese = page(client, case)
    for title in ("记录司法确认申请", "法院受理司法确认申请", "法院作出司法确认裁定", "确认有效"):
        assert title in chinese, title
    entries = re.findall(r'<li data-event="(\w+)">(.*?)</li>', chinese, re.S)
    judicial = [(action, text) for action, text in entries if action in lifecycle.JUDICIAL]
    assert len(judicial) == 3
    for action, text in judicial:
        words = re.sub(r"<[^>]+>", " ", re.sub(r'<span class="actor">.*?</span>', "", text))
        assert not re.search(r"[A-Za-z]", words), (action, words)  # no English, no codes


def test_refusals_on_the_page(client, db, case, mediator, court_liaison, other_clerk):
    today = local_date(utcnow()).isoformat()
    login(client, court_liaison)
    assert client.get(f"/cases/{case.number}").status_code == 404  # nothing brought to the court yet
    login(client, mediator)
    seen = case.version
    update_agreement(case, mediator, None, performance_place="西固解纷驿站")
    db.session.commit()
    stale = post(client, case, "apply", version=seen, applied_on=today, court="XGFY")
    assert stale.status_code == 409 and "Someone else changed this case" in stale.get_data(as_text=True)
    assert post(client, case, "apply", applied_on=today, court="XGFY").status_code == 302
    assert post(client, case, "apply", applied_on=today, court="XGFY").status_code == 409  # twice
    assert (
        post(client, case, "answer", answer="accepted", answered_on=today).status_code == 403
    )  # not the court's
    assert post(client, case, "nope").status_code == 404
    login(client, other_clerk)
    assert client.get(f"/cases/{case.number}").status_code == 404
    assert post(client, case, "answer", answer="accepted", answered_on=today).status_code == 404
    login(client, court_liaison)
    assert (
        post(client, case, "decide", decision="valid", decided_on=today, court_case_number=NUMBER).status_code
        == 409
    )
    db.session.expire_all()
    assert case.confirmation.jc_stage == "acceptance"


@pytest.mark.parametrize(
    ("moment", "status"),
    [(datetime(2026, 4, 1, 15, 59, 30, tzinfo=UTC), 302), (datetime(2026, 4, 1, 16, 0, 30, tzinfo=UTC), 422)],
    ids=["23:59-on-day-30", "00:00-on-day-31"],
)
def test_on_the_page_the_day_of_the_application_is_the_stations_day(
    client, db, station, mediator, court, moment, status
):
    """The form offers today's date; at China's midnight "today" becomes day 31, while in UTC it is still
    day 30."""
    case = agreed(station, mediator)
    db.session.commit()
    with time_machine.travel(moment, tick=False):
        login(client, mediator)
        today = re.search(r'id="jc-apply-applied_on"[^>]*value="([\d-]+)"', page(client, case))[1]
        response = post(client, case, "apply", applied_on=today, court="XGFY")
    assert response.status_code == status
    if status == 422:
        assert today == "2026-04-02"
        assert "The parties may apply within 30 days of the agreement taking effect: by Apr 1, 2026." in (
            response.get_data(as_text=True)
        )


@pytest.mark.parametrize("answer", ["valid", "invalid", "not_accepted"])
def test_the_court_is_told_of_an_application_and_the_station_of_its_answer(
    db, station, people, court, answer
):
    """jc_applied goes to the court's liaisons, jc_decided to the case's mediator, once committed."""
    case = agreed(station, people["mediator"])
    applied(case, people["mediator"])
    delivered()
    assert told("jc_applied") == {"clerk": [{}]}
    if answer == "not_accepted":
        answer_application(people["court_liaison"], case, case.version, answer="not_accepted",
                           answered_on="2026-03-04", now=local(2026, 3, 5))  # fmt: skip
    else:
        accepted(case, people["court_liaison"])
        delivered()
        assert told("jc_decided") == {}  # accepting is not the court's last word
        decided(case, people["court_liaison"], answer)
    delivered()
    assert told("jc_decided") == {"wang": [{"agency": court.name, "decision": answer}]}
