"""Follow-up visits on the case page: the plan shown with its deadlines, recording a visit that leads on to
closing (or to reporting a breach), planning, moving and cancelling, and every refusal."""

from datetime import timedelta

import pytest

from mediation.clock import local_date, utcnow
from mediation.services import followups
from tests.conftest import fire, login, make_case


@pytest.fixture
def agreed(db, station, mediator):
    case = make_case(station, mediator)
    fire(case, "accept", mediator)
    day = local_date(utcnow()) + timedelta(days=10)
    fire(case, "reach_agreement", mediator, performance_deadline=day.isoformat())
    db.session.commit()
    return case


def today():
    return local_date(utcnow()).isoformat()


def visit(client, case, **data):
    data = {"version": case.version, "done_on": today(), "method": "phone", "performance": "fully", **data}
    return client.post(f"/cases/{case.number}/visits", data=data)


def test_the_planned_first_visit_shows_with_its_deadline(client, agreed, mediator):
    login(client, mediator)
    html = client.get(f"/cases/{agreed.number}").get_data(as_text=True)
    (planned,) = followups.planned_visits(agreed)
    assert f'data-visit="{planned.id}" data-planned' in html
    assert 'id="visit-form"' in html and 'id="plan-visit-form"' in html


def test_a_visit_that_found_it_performed_leads_to_closing(client, db, agreed, mediator):
    login(client, mediator)
    response = visit(client, agreed, party_reached="王芳", satisfaction="5", measures="当面确认")
    assert response.status_code == 302 and response.location.endswith("#step-close")
    db.session.expire_all()
    (done,) = [v for v in agreed.visits if v.done_on]
    assert (done.performance, done.satisfaction, done.measures) == ("fully", 5, "当面确认")
    assert followups.planned_visits(agreed) == []  # the planned first visit was this one
    html = client.get(f"/cases/{agreed.number}").get_data(as_text=True)
    assert 'data-step="close"' in html and 'data-step="close" data-blocked' not in html


def test_a_visit_that_found_it_broken_leads_to_the_breach(client, agreed, mediator):
    login(client, mediator)
    response = visit(client, agreed, performance="not")
    assert response.status_code == 302 and response.location.endswith("#step-report_breach")


def test_a_visit_in_the_future_is_refused_with_what_was_typed(client, agreed, mediator):
    login(client, mediator)
    tomorrow = (local_date(utcnow()) + timedelta(days=1)).isoformat()
    response = visit(client, agreed, done_on=tomorrow, measures="督促履行")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "this day is still to come" in html and "督促履行" in html


def test_a_stale_page_is_a_conflict(client, db, agreed, mediator):
    login(client, mediator)
    seen = agreed.version
    followups.plan_visit(mediator, agreed, scheduled_for=today())
    db.session.commit()
    response = client.post(
        f"/cases/{agreed.number}/visits",
        data={"version": seen, "done_on": today(), "method": "phone", "performance": "fully"},
    )
    assert response.status_code == 409


def test_plan_move_and_cancel_a_visit(client, db, agreed, mediator):
    login(client, mediator)
    day = (local_date(utcnow()) + timedelta(days=40)).isoformat()
    response = client.post(
        f"/cases/{agreed.number}/visits/plan",
        data={"version": agreed.version, "scheduled_for": day, "reason": "重大案件定期回访"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    planned = followups.planned_visits(agreed)[-1]
    assert planned.scheduled_for.isoformat() == day
    later = (local_date(utcnow()) + timedelta(days=45)).isoformat()
    prefix = f"move-visit-{planned.id}-"
    response = client.post(
        f"/cases/{agreed.number}/visits/{planned.id}/move",
        data={
            f"{prefix}version": agreed.version,
            f"{prefix}scheduled_for": later,
            f"{prefix}reason": "当事人外出",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert planned.scheduled_for.isoformat() == later
    prefix = f"cancel-visit-{planned.id}-"
    refused = client.post(
        f"/cases/{agreed.number}/visits/{planned.id}/cancel", data={f"{prefix}version": agreed.version}
    )
    assert refused.status_code == 422  # a reason is required
    response = client.post(
        f"/cases/{agreed.number}/visits/{planned.id}/cancel",
        data={f"{prefix}version": agreed.version, f"{prefix}reason": "已搬离"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert planned.cancelled_at is not None and planned.cancel_reason == "已搬离"


def test_another_cases_visit_is_not_found(client, db, station, agreed, mediator):
    other = make_case(station, mediator, title="other")
    db.session.commit()
    (planned,) = followups.planned_visits(agreed)
    login(client, mediator)
    response = client.post(f"/cases/{other.number}/visits/{planned.id}/cancel", data={"reason": "x"})
    assert response.status_code == 404
    assert client.post(f"/cases/{agreed.number}/visits/nope/move").status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("supervisor", 403)])
def test_only_the_stations_mediators_record_visits(client, agreed, people, persona, status):
    login(client, people[persona])
    assert visit(client, agreed).status_code == status
    assert 'id="visit-form"' not in client.get(f"/cases/{agreed.number}").get_data(as_text=True)


def test_the_visits_read_in_chinese(client, agreed, mediator):
    login(client, mediator)
    visit(client, agreed, purpose="履行期满回访")
    html = client.get(f"/cases/{agreed.number}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "回访" in html and "已全部履行" in html and "履行期满回访" in html


def test_a_superscript_satisfaction_is_refused_not_a_500(client, agreed, mediator):
    """'²' is a digit to Python's isdigit but no number to int(): the form must not choke on it."""
    login(client, mediator)
    response = visit(client, agreed, satisfaction="²")
    assert response.status_code == 422
