"""Supervision (督办): a supervisor presses a stuck case, the mediator answers, the supervisor ends it or the
case's closing does; scope, refusals, deadlines, notifications and the trail."""

from datetime import timedelta

import pytest

from mediation.clock import end_of_day, local_date, utcnow
from mediation.errors import Conflict, Invalid, NotAllowed
from mediation.models import Supervision
from mediation.services import deadlines, reminders, supervision
from tests.conftest import delivered, fire, make_case, make_user, told


def today():
    return local_date(utcnow())


def supervise(case, actor, *, in_days=3, urgency="urgent", request="两周未见进展，请说明原因并加快调解"):
    day = today() + timedelta(days=in_days)
    return supervision.start(
        actor, case, case.version, urgency=urgency, due_on=day.isoformat(), request=request
    )


@pytest.fixture
def stuck(station, mediator):
    case = make_case(station, mediator)
    fire(case, "accept", mediator)
    return case


def open_rows(case, kind="supervision"):
    return [d for d in case.deadlines if d.kind == kind and d.is_open]


def test_a_supervisor_puts_a_case_under_supervision_and_the_mediator_is_told(stuck, supervisor, mediator):
    item = supervise(stuck, supervisor, in_days=3)
    assert stuck.supervision is item and stuck.supervision_urgency == "urgent"
    (row,) = open_rows(stuck)
    assert row.due_at == end_of_day(today() + timedelta(days=3)) and row.rule.owner == "station"
    event = stuck.events.all()[-1]
    assert (event.kind, event.action) == ("supervision", "start_supervision")
    assert event.data["urgency"] == "urgent" and event.data["request"].startswith("两周")
    assert event.data["deadlines"]["opened"][0]["kind"] == "supervision"
    delivered()
    assert told("supervision_started") == {
        "wang": [{"supervisor": "boss", "urgency": "urgent", "due": row.due_at.isoformat()}]
    }


def test_the_answer_meets_the_deadline_and_the_supervisor_reads_it(stuck, supervisor, mediator):
    item = supervise(stuck, supervisor)
    delivered()
    supervision.answer(mediator, stuck, stuck.version, text="已约双方本周五再次调解")
    supervision.answer(mediator, stuck, stuck.version, text="周五调解，双方接近一致")
    assert [a.text for a in item.answers] == ["已约双方本周五再次调解", "周五调解，双方接近一致"]
    assert open_rows(stuck) == [] and item.deadline.met_at is not None and item.is_open
    assert [e.action for e in stuck.events.all()[-2:]] == ["answer_supervision"] * 2
    delivered()
    assert len(told("supervision_answered")["boss"]) == 2


def test_the_supervisor_ends_it_and_the_marks_go(stuck, supervisor, mediator):
    item = supervise(stuck, supervisor)
    supervision.end(supervisor, stuck, stuck.version, conclusion="进展良好，结束督办")
    assert not item.is_open and item.ending == "ended" and item.ended_by_id == supervisor.id
    assert stuck.supervision is None and stuck.supervision_urgency is None
    assert item.deadline.cancelled_at is not None  # never answered: the answer is no longer asked for
    assert stuck.events.all()[-1].data["conclusion"] == "进展良好，结束督办"
    delivered()
    assert told("supervision_ended") == {"wang": [{"supervisor": "boss"}]}
    # It can be supervised again later.
    again = supervise(stuck, supervisor, urgency="key")
    assert stuck.supervision is again and stuck.supervision_urgency == "key"


@pytest.mark.parametrize("trigger", ["fail_mediation", "withdraw"])
def test_it_ends_when_the_case_closes(stuck, supervisor, mediator, trigger):
    item = supervise(stuck, supervisor)
    event = fire(stuck, trigger, mediator)
    assert stuck.state == "closed" and not item.is_open and item.ending == "case_closed"
    assert stuck.supervision_urgency is None and open_rows(stuck) == []
    assert event.data["supervision_ended"] == "urgent"
    assert "supervision" in event.data["deadlines"]["cancelled"]


def test_a_supervised_agreed_case_closes_after_its_visit_and_the_supervision_with_it(
    stuck, supervisor, mediator
):
    from mediation.services import followups

    item = supervise(stuck, supervisor)
    fire(stuck, "reach_agreement", mediator)
    assert item.is_open and stuck.supervision_urgency == "urgent"  # following up is still open work
    followups.record_visit(mediator, stuck, done_on=today().isoformat(), method="phone", performance="fully")
    fire(stuck, "close", mediator)
    assert item.ending == "case_closed"


def test_scope_and_roles(
    stuck, supervisor, mediator, colleague, outsider, other_station, admin, police_liaison
):
    elsewhere = make_user("far_boss", "supervisor", [other_station])
    for actor in (elsewhere, mediator, admin, police_liaison):
        with pytest.raises(NotAllowed):
            supervise(stuck, actor)
    assert stuck.supervision is None and open_rows(stuck) == []
    supervise(stuck, supervisor)
    for actor in (mediator, colleague, elsewhere, admin):  # a mediator cannot end one
        with pytest.raises(NotAllowed):
            supervision.end(actor, stuck, stuck.version)
    for actor in (supervisor, outsider, police_liaison, admin):  # the station's mediators answer
        with pytest.raises(NotAllowed):
            supervision.answer(actor, stuck, stuck.version, text="进展")
    supervision.answer(colleague, stuck, stuck.version, text="同事代为回复")  # any mediator of the station


def test_refusals_change_nothing(stuck, supervisor, mediator):
    with pytest.raises(Invalid) as refused:
        supervision.start(supervisor, stuck, stuck.version, urgency="panic", due_on="yesterday", request=" ")
    assert set(refused.value.fields) == {"urgency", "due_on", "request"}
    past = (today() - timedelta(days=1)).isoformat()
    far = (today() + timedelta(days=400)).isoformat()
    for day in (past, far):
        with pytest.raises(Invalid) as refused:
            supervision.start(supervisor, stuck, stuck.version, urgency="key", due_on=day, request="请推进")
        assert set(refused.value.fields) == {"due_on"}
    with pytest.raises(Conflict) as refused:
        supervision.start(
            supervisor, stuck, stuck.version - 1, urgency="key", due_on=today(), request="请推进"
        )
    assert refused.value.code == "stale_version"
    assert stuck.supervisions == [] and stuck.supervision_urgency is None
    with pytest.raises(Conflict) as refused:
        supervision.answer(mediator, stuck, stuck.version, text="进展")
    assert refused.value.code == "not_supervised"
    with pytest.raises(Conflict) as refused:
        supervision.end(supervisor, stuck, stuck.version)
    assert refused.value.code == "not_supervised"
    supervise(stuck, supervisor, in_days=0)  # today is allowed
    with pytest.raises(Conflict) as refused:
        supervise(stuck, supervisor)
    assert refused.value.code == "already_supervised"
    with pytest.raises(Invalid) as refused:
        supervision.answer(mediator, stuck, stuck.version, text="   ")
    assert set(refused.value.fields) == {"text"}
    with pytest.raises(Conflict):
        supervision.answer(mediator, stuck, stuck.version - 1, text="进展")
    assert stuck.supervision.answers == []


def test_a_closed_case_cannot_be_supervised(station, mediator, supervisor):
    case = make_case(station, mediator)
    fire(case, "decline", mediator)
    with pytest.raises(Conflict) as refused:
        supervise(case, supervisor)
    assert refused.value.code == "case_closed"


def test_one_open_supervision_per_case_in_the_database(stuck, supervisor, db):
    from sqlalchemy.exc import IntegrityError

    item = supervise(stuck, supervisor)
    db.session.flush()
    twin = Supervision(
        case_id=stuck.id, station_id=stuck.station_id, supervisor_id=supervisor.id, urgency="key",
        due_on=item.due_on, request="x", conclusion="",
    )  # fmt: skip
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_unanswered_supervision_is_overdue_and_reminded(stuck, supervisor, mediator):
    item = supervise(stuck, supervisor, in_days=1)
    delivered()
    later = item.deadline.due_at + timedelta(minutes=1)
    assert deadlines.status(item.deadline, later) == deadlines.OVERDUE
    assert stuck.next_due_at <= item.deadline.due_at
    reminders.remind(later)
    delivered()
    assert [d["deadline"] for d in told("deadline_overdue")["wang"]] == ["supervision"]
