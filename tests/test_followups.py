"""The follow-up plan (DOMAIN §5) and recording, moving and cancelling visits, with every refusal."""

from datetime import timedelta
from decimal import Decimal

import pytest

from mediation.clock import end_of_day, local_date, utcnow
from mediation.errors import Conflict, Invalid, NotAllowed
from mediation.services import deadlines, followups
from mediation.services.transitions import apply_step
from tests.conftest import fire, make_case


def agreed(station, people, *, deadline_in=14, **extra):
    case = make_case(station, people["mediator"], **extra)
    fire(case, "accept", people["mediator"])
    day = local_date(utcnow()) + timedelta(days=deadline_in)
    fire(case, "reach_agreement", people["mediator"], performance_deadline=day.isoformat())
    return case


def open_kinds(case):
    return sorted(d.kind for d in case.deadlines if d.is_open)


def record(case, actor, **extra):
    data = {"done_on": local_date(utcnow()).isoformat(), "method": "phone", "performance": "fully"}
    return followups.record_visit(actor, case, **{**data, **extra})


def test_an_agreement_plans_the_first_visit_by_its_performance_deadline(db, station, people):
    case = agreed(station, people, deadline_in=10)
    (visit,) = followups.planned_visits(case)
    assert visit.scheduled_for == local_date(utcnow()) + timedelta(days=10)
    assert visit.deadline.kind == "follow_up" and visit.deadline.due_at == end_of_day(visit.scheduled_for)
    assert visit.visitor_id == people["mediator"].id
    event = case.events.all()[-1]
    assert event.data["planned_visits"] == [visit.scheduled_for.isoformat()]


@pytest.mark.parametrize(
    "extra", [{"risk_level": "high"}, {"amount": Decimal("150000")}], ids=["high risk", "large amount"]
)
def test_a_major_case_is_visited_again_30_days_after(db, station, people, extra):
    case = agreed(station, people, deadline_in=5, **extra)
    first, second = followups.planned_visits(case)
    assert second.scheduled_for == first.scheduled_for + timedelta(days=30)
    assert second.deadline.kind == "visit" and second.deadline.is_open
    assert open_kinds(case) == ["follow_up", "judicial_confirmation", "visit"]


def test_an_agency_resolving_a_case_plans_a_visit_within_7_days(db, station, people, police):
    case = make_case(station, people["mediator"])
    fire(case, "refer", people["mediator"])
    fire(case, "accept_referral", people["police_liaison"])
    fire(case, "resolve_by_agency", people["police_liaison"])
    (visit,) = followups.planned_visits(case)
    assert visit.scheduled_for == local_date(utcnow()) + timedelta(days=7)


def test_a_failed_mediation_is_followed_up_after_it_closed(db, station, people):
    case = make_case(station, people["mediator"])
    fire(case, "accept", people["mediator"])
    fire(case, "fail_mediation", people["mediator"])
    assert case.state == "closed" and open_kinds(case) == ["follow_up"]
    assert case.next_due_at is not None  # the visit owed shows as work
    visit = record(case, people["mediator"], performance=None, lawsuit_filed=True, lawsuit_result="已立案")
    assert visit.lawsuit_filed and open_kinds(case) == [] and case.next_due_at is None
    with pytest.raises(Conflict) as refused:  # nothing more is owed
        record(case, people["mediator"])
    assert refused.value.code == "case_closed"


def test_a_closed_case_that_owes_nothing_takes_no_visit(db, station, people):
    case = make_case(station, people["mediator"])
    fire(case, "decline", people["mediator"])
    with pytest.raises(Conflict):
        record(case, people["mediator"])
    with pytest.raises(Conflict):
        followups.plan_visit(people["mediator"], case, scheduled_for=local_date(utcnow()).isoformat())


def test_recording_the_visit_meets_its_deadline_and_lets_the_case_close(db, station, people):
    case = agreed(station, people)
    with pytest.raises(Invalid):
        fire(case, "close", people["mediator"])
    visit = record(case, people["mediator"], purpose="履行期满回访", measures="督促履行", satisfaction=5)
    assert (visit.performance, visit.purpose, visit.measures) == ("fully", "履行期满回访", "督促履行")
    assert visit.deadline.met_at is not None and followups.planned_visits(case) == []
    fire(case, "close", people["mediator"])
    assert case.state == "closed"


@pytest.mark.parametrize("found", ["partly", "not"])
def test_a_visit_that_did_not_find_it_performed_in_full_does_not_let_it_close(db, station, people, found):
    case = agreed(station, people)
    record(case, people["mediator"], performance=found)
    with pytest.raises(Invalid) as refused:
        fire(case, "close", people["mediator"])
    assert refused.value.code == "visit_found_performed"
    fire(case, "report_breach", people["mediator"])
    assert case.state == "mediating"


def test_a_breach_calls_off_the_planned_visits(db, station, people):
    case = agreed(station, people, risk_level="high")
    fire(case, "report_breach", people["mediator"])
    assert followups.planned_visits(case) == []
    assert all(v.cancelled_at is not None for v in case.visits)
    assert "visit" not in open_kinds(case) and "follow_up" not in open_kinds(case)


def test_moving_a_visit_replaces_its_deadline_and_keeps_both_days(db, station, people):
    case = agreed(station, people, deadline_in=10)
    (visit,) = followups.planned_visits(case)
    old_day, old_deadline = visit.scheduled_for, visit.deadline
    new_day = old_day + timedelta(days=3)
    followups.move_visit(
        people["mediator"], case, visit, scheduled_for=new_day.isoformat(), reason="当事人外出"
    )
    assert old_deadline.cancelled_at is not None
    assert visit.deadline.kind == "follow_up" and visit.deadline.due_at == end_of_day(new_day)
    event = case.events.all()[-1]
    assert (event.action, event.data["moved_from"], event.data["scheduled_for"]) == (
        "move_visit",
        old_day.isoformat(),
        new_day.isoformat(),
    )
    assert case.next_due_at == end_of_day(new_day)


def test_cancelling_a_visit_needs_a_reason_and_cancels_its_deadline(db, station, people):
    case = agreed(station, people)
    visit = followups.plan_visit(
        people["mediator"], case, scheduled_for=(local_date(utcnow()) + timedelta(days=20)).isoformat()
    )
    with pytest.raises(Invalid) as refused:
        followups.cancel_visit(people["mediator"], case, visit, reason=" ")
    assert "reason" in refused.value.fields
    followups.cancel_visit(people["mediator"], case, visit, reason="当事人已搬离")
    assert visit.cancelled_at is not None and visit.deadline.cancelled_at is not None
    with pytest.raises(Conflict) as again:
        followups.cancel_visit(people["mediator"], case, visit, reason="again")
    assert again.value.code == "visit_not_planned"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"done_on": "2999-01-01"}, "done_on"),
        ({"done_on": "not a date"}, "done_on"),
        ({"method": "pigeon"}, "method"),
        ({"performance": "mostly"}, "performance"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"measures": "字" * 5001}, "measures"),
    ],
)
def test_a_bad_visit_is_refused_by_field(db, station, people, extra, field):
    case = agreed(station, people)
    with pytest.raises(Invalid) as refused:
        record(case, people["mediator"], **extra)
    assert field in refused.value.fields


def test_a_visit_in_the_future_is_refused_even_one_day_ahead(db, station, people):
    case = agreed(station, people)
    tomorrow = local_date(utcnow()) + timedelta(days=1)
    with pytest.raises(Invalid):
        record(case, people["mediator"], done_on=tomorrow.isoformat())


def test_a_stale_page_cannot_record_a_visit(db, station, people):
    case = agreed(station, people)
    seen = case.version
    followups.plan_visit(people["mediator"], case, scheduled_for=local_date(utcnow()).isoformat())
    with pytest.raises(Conflict) as refused:
        record(case, people["mediator"], version=seen)
    assert refused.value.code == "stale_version"


@pytest.mark.parametrize("persona", ["outsider", "supervisor", "police_liaison", "admin"])
def test_only_the_stations_mediators_follow_up(db, station, people, police, persona):
    case = agreed(station, people)
    with pytest.raises(NotAllowed):
        record(case, people[persona])


def test_a_planned_visit_turns_due_soon_then_overdue(db, station, people):
    case = agreed(station, people, deadline_in=3)
    (visit,) = followups.planned_visits(case)
    deadline = visit.deadline
    assert deadlines.status(deadline, utcnow()) in (deadlines.ON_TIME, deadlines.DUE_SOON)
    assert (
        deadlines.status(deadline, end_of_day(visit.scheduled_for) - timedelta(minutes=1))
        == deadlines.DUE_SOON
    )
    assert deadlines.status(deadline, end_of_day(visit.scheduled_for)) == deadlines.OVERDUE


def test_a_visit_planned_by_hand_is_due_on_its_day(db, station, people):
    case = agreed(station, people)
    day = local_date(utcnow()) + timedelta(days=40)
    visit = followups.plan_visit(
        people["mediator"], case, scheduled_for=day.isoformat(), reason="重大案件定期回访"
    )
    assert visit.deadline.kind == "visit" and visit.deadline.due_at == end_of_day(day)
    with pytest.raises(Invalid):
        followups.plan_visit(
            people["mediator"], case, scheduled_for=(local_date(utcnow()) - timedelta(days=1)).isoformat()
        )


def test_apply_step_records_the_plan_once(db, station, people):
    """Reaching an agreement again after a breach plans a new first visit; the old ones stay called off."""
    case = agreed(station, people)
    fire(case, "report_breach", people["mediator"])
    day = local_date(utcnow()) + timedelta(days=5)
    apply_step(case, "reach_agreement", people["mediator"], version=case.version, terms="再次达成协议",
               performance_deadline=day.isoformat(), signatures_recorded=True)  # fmt: skip
    (visit,) = followups.planned_visits(case)
    assert visit.scheduled_for == day and len(case.visits) == 2
