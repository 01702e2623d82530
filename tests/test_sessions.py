"""Mediation sessions (调解记录), and telling the parties their rights and duties before the first one."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mediation.clock import utcnow
from mediation.errors import Invalid, NotAllowed
from mediation.models import Event
from mediation.services.sessions import record_session
from tests.conftest import fire, login, make_case

SESSION = {
    "held_at": "2026-03-01T14:30",
    "place": "驿站调解室",
    "attendees": "王芳, 李强, mediator wang",
    "notes": "Both sides described the leak; 李强 agreed the pipe is his.",
    "result": "Agreed to meet again with a plumber's quote.",
}


@pytest.fixture
def case(db, station, mediator):
    case = make_case(station, mediator)
    fire(case, "accept", mediator)
    db.session.commit()
    return case


def last_event(db, case):
    return db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id.desc())).first()


def test_the_first_session_needs_the_rights_notice(db, case, mediator):
    with pytest.raises(Invalid) as refused:
        record_session(case, mediator, **SESSION)
    assert set(refused.value.fields) == {"rights_notified"}
    assert case.sessions == [] and case.rights_notified_at is None


def test_the_notice_is_dated_with_the_first_session_and_logged(db, case, mediator):
    version = case.version
    session = record_session(case, mediator, rights_notified=True, **SESSION)
    held = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
    assert session.held_at == held and case.rights_notified_at == held
    event = last_event(db, case)
    assert (event.kind, event.action, event.actor_id) == ("session", "record_session", mediator.id)
    assert event.data["rights_notified_at"] == held.isoformat()
    assert event.data["session_id"] == session.id and event.data["result"] == SESSION["result"]
    assert case.version > version


def test_later_sessions_need_no_tick_and_keep_the_first_notice(db, case, mediator):
    record_session(case, mediator, rights_notified=True, **SESSION)
    first = case.rights_notified_at
    record_session(case, mediator, **{**SESSION, "held_at": "2026-03-08T09:00"})
    assert len(case.sessions) == 2 and case.rights_notified_at == first
    assert "rights_notified_at" not in last_event(db, case).data


def test_an_aware_time_is_kept_as_given(db, case, mediator):
    moment = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert (
        record_session(case, mediator, rights_notified=True, **{**SESSION, "held_at": moment}).held_at
        == moment
    )


def test_missing_and_wrong_data_is_named_field_by_field(db, case, mediator):
    future = (utcnow() + timedelta(days=2)).isoformat()
    with pytest.raises(Invalid) as refused:
        record_session(
            case, mediator, held_at=future, notes="", result=" ", place="x" * 201, rights_notified=True
        )
    assert set(refused.value.fields) == {"held_at", "notes", "result", "place"}
    with pytest.raises(Invalid) as refused:
        record_session(case, mediator, **{**SESSION, "held_at": "yesterday"}, rights_notified=True)
    assert set(refused.value.fields) == {"held_at"}


@pytest.mark.parametrize("persona", ["supervisor", "outsider", "admin"])
def test_only_the_stations_mediators_record_sessions(db, case, persona, request):
    with pytest.raises(NotAllowed):
        record_session(case, request.getfixturevalue(persona), rights_notified=True, **SESSION)


def test_not_on_a_closed_case(db, case, mediator):
    fire(case, "withdraw", mediator)
    with pytest.raises(NotAllowed):
        record_session(case, mediator, rights_notified=True, **SESSION)


# --- On the page ---------------------------------------------------------------------------------------


def test_a_session_is_recorded_from_the_case_page_and_shown_there(client, db, case, mediator):
    login(client, mediator)
    response = client.post(f"/cases/{case.number}/sessions", data={**SESSION, "rights_notified": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#sessions")
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "The mediation session is recorded." in html
    sessions = html[html.index('id="sessions"') : html.index('id="attachments"')]
    assert "驿站调解室" in sessions and "李强 agreed the pipe is his." in sessions
    assert "Mar 1, 2026 14:30" in sessions  # shown in local time, as entered
    assert "The parties were told their rights and duties on" in sessions
    assert 'id="session-rights_notified"' not in html  # asked only until it is done
    assert "Recorded a mediation session" in html[html.index('id="timeline"') :]


def test_without_the_tick_the_form_comes_back_with_the_error_and_what_was_typed(client, db, case, mediator):
    login(client, mediator)
    response = client.post(f"/cases/{case.number}/sessions", data=SESSION)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        'id="session-rights_notified-error"' in html and "rights and duties before the first session" in html
    )
    assert SESSION["notes"] in html and 'value="2026-03-01T14:30"' in html
    assert 'class="collapse show" id="session-form"' in html
    db.session.expire_all()
    assert case.sessions == []


def test_a_supervisor_has_no_session_form_and_posting_one_is_403(client, db, case, supervisor):
    login(client, supervisor)
    assert 'id="session-form"' not in client.get(f"/cases/{case.number}").get_data(as_text=True)
    response = client.post(f"/cases/{case.number}/sessions", data={**SESSION, "rights_notified": "y"})
    assert response.status_code == 403
    db.session.expire_all()
    assert case.sessions == []


def test_an_outsider_posting_a_session_gets_404(client, case, outsider):
    login(client, outsider)
    assert client.post(f"/cases/{case.number}/sessions", data=SESSION).status_code == 404
