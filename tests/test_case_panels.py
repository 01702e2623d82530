"""The forms of "What you can do" come when a panel is opened (``case_page.panel``): each carries the version
of the page it was opened from, says so when its step is no longer possible, and stands as a page of its own
where the panel cannot fetch it. The case page itself renders only a form it shows open (a refused post)."""

import re
from html import unescape

import pytest

from tests.conftest import fire, login, make_case, make_user, statements


@pytest.fixture
def case(db, station, mediator, police):
    case = make_case(station, mediator)
    db.session.commit()
    return case


def slots(html) -> dict[str, str]:
    """The panels whose form the page will fetch, by key: the URL it fetches."""
    return {
        key: unescape(src)
        for src in re.findall(r'data-panel-src="([^"]+)"', html)
        for key in re.findall(r"/panels/([\w-]+)\?", src)
    }


def test_the_page_holds_a_link_per_panel_and_no_form_of_a_step(client, case, mediator):
    login(client, mediator)
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    steps = ["accept", "decline", "refer", "withdraw", "reassign"]
    assert list(slots(html)) == [*steps, "session", "attachment"]  # and the sessions' and files' own forms
    for form in ("/steps/accept", 'id="refer-agency"', 'id="session-notes"', 'id="attachment-file"'):
        assert form not in html, form
    # Each panel's link opens its form as a page (what the panel keeps if the fetch fails).
    assert f'href="/cases/{case.number}/panels/refer?version={case.version}"' in html


def test_an_opened_panel_is_the_steps_form_against_the_version_the_page_showed(client, db, case, mediator):
    login(client, mediator)
    src = slots(client.get(f"/cases/{case.number}").get_data(as_text=True))["refer"]
    seen = case.version
    fire(case, "reassign", mediator, mediator="wang", reason="换人")  # someone changes the case meanwhile
    db.session.commit()
    response = client.get(src)
    form = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in form  # a fragment, for the panel
    assert f'action="/cases/{case.number}/steps/refer#step-refer"' in form
    assert re.search(r'<select[^>]*id="refer-agency"', form) and 'value="XGPS"' in form
    assert f'id="refer-version" name="version" type="hidden" value="{seen}"' in form
    # Sent, it is refused as a stale page is: the reader sees the change before anything is saved.
    token = re.search(r'name="submission" type="hidden" value="([^"]*)"', form).group(1)
    sent = client.post(
        f"/cases/{case.number}/steps/refer",
        data={"version": seen, "submission": token, "agency": "XGPS", "kind": "police", "reason": "x"},
    )
    assert sent.status_code == 409 and "Someone else changed this case" in sent.get_data(as_text=True)
    db.session.expire_all()
    assert case.state == "registered"


def test_a_panel_opened_after_its_step_became_impossible_says_so(client, db, case, mediator):
    login(client, mediator)
    src = slots(client.get(f"/cases/{case.number}").get_data(as_text=True))["accept"]
    fire(case, "withdraw", mediator)
    db.session.commit()
    response = client.get(src)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "<form" not in html
    assert "“Accept” is not possible now: the case is “Closed”." in html
    zh = client.get(src, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "现在不能“受理”：案件已是“已结案”。" in zh


def test_a_panels_link_opens_its_form_as_a_page_of_its_own(client, case, mediator):
    login(client, mediator)
    response = client.get(f"/cases/{case.number}/panels/decline?version={case.version}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Decline" in html
    assert f'<a href="/cases/{case.number}">{case.number}</a>' in html  # back to the case
    assert re.search(r'<select[^>]*id="decline-reason"[^>]*name="reason"', html)


@pytest.mark.parametrize("key", ["nonsense", "jc-nonsense", "jc-", "close.x", "x" * 300])
def test_an_unknown_panel_is_not_found(client, case, mediator, key):
    login(client, mediator)
    assert client.get(f"/cases/{case.number}/panels/{key}").status_code == 404


@pytest.mark.parametrize("version", ["", "abc", "-1", "0", "99999999999999999999", "²"])
def test_a_garbled_version_opens_the_form_against_the_case_as_it_is(client, case, mediator, version):
    login(client, mediator)
    response = client.get(f"/cases/{case.number}/panels/accept?part=form&version={version}")
    assert response.status_code == 200
    assert f'value="{case.version}"' in response.get_data(as_text=True)


def test_a_step_that_is_not_the_readers_is_no_form(client, case, supervisor, police_liaison):
    login(client, supervisor)  # a supervisor may reassign, not accept
    assert client.get(f"/cases/{case.number}/panels/accept?part=form").status_code == 409
    assert client.get(f"/cases/{case.number}/panels/reassign?part=form").status_code == 200
    login(client, police_liaison)  # nothing referred to their agency: not their case to see
    assert client.get(f"/cases/{case.number}/panels/reassign?part=form").status_code == 404


def test_another_stations_case_stays_hidden(client, db, other_station, mediator):
    elsewhere = make_case(other_station, make_user("li", "mediator", [other_station]))
    db.session.commit()
    login(client, mediator)
    assert client.get(f"/cases/{elsewhere.number}/panels/accept?part=form").status_code == 404


def test_a_panel_costs_a_few_statements(client, case, mediator):
    login(client, mediator)
    assert statements(client, f"/cases/{case.number}/panels/refer?part=form") <= 6


def test_the_session_and_upload_forms_come_when_opened_for_those_who_may_use_them(
    client, case, mediator, supervisor
):
    login(client, mediator)
    session = client.get(f"/cases/{case.number}/panels/session?part=form").get_data(as_text=True)
    assert f'action="/cases/{case.number}/sessions#session-form"' in session
    assert 'id="session-rights_notified"' in session  # not told yet: the notice is asked for
    upload = client.get(f"/cases/{case.number}/panels/attachment?part=form").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in upload and "Allowed types: .jpg, .jpeg" in upload
    login(client, supervisor)  # reads the station's cases, records nothing on them
    assert client.get(f"/cases/{case.number}/panels/session?part=form").status_code == 409
    assert client.get(f"/cases/{case.number}/panels/attachment?part=form").status_code == 409
