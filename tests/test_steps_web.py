"""Lifecycle steps on the case page: the forms shown are exactly the allowed steps, and one generic endpoint
fires them, refusing what is not allowed and keeping what was typed when something is missing."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mediation import lifecycle, policy
from mediation.clock import local_date, utcnow
from mediation.models import Event, FollowUpVisit
from mediation.services.cases import CaseInput, register_case
from mediation.services.parties import PartyInput
from tests.conftest import fire, login, make_case, with_panels


@pytest.fixture
def case(db, station, mediator, police):
    case = make_case(station, mediator)
    db.session.commit()
    return case


def shown_steps(html):
    return re.findall(r'data-step="(\w+)"', html)


def events(db, case):
    return db.session.scalar(select(func.count(Event.id)).where(Event.case_id == case.id))


def post(client, case, trigger, **data):
    data.setdefault("version", case.version)
    return client.post(f"/cases/{case.number}/steps/{trigger}", data=data)


def reload(db, case):
    db.session.expire_all()
    return case


def test_a_mediator_sees_exactly_the_steps_policy_allows(client, case, mediator):
    login(client, mediator)
    html = with_panels(client, f"/cases/{case.number}")
    expected = [s.trigger for s in policy.allowed_steps(mediator, case)]
    assert expected == ["accept", "decline", "refer", "withdraw", "reassign"]
    assert shown_steps(html) == expected
    for trigger in expected:
        assert f'action="/cases/{case.number}/steps/{trigger}#step-{trigger}"' in html


def test_a_supervisor_sees_only_reassign_on_an_open_case_and_reopen_on_a_closed_one(
    client, db, case, mediator, supervisor
):
    login(client, supervisor)
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert shown_steps(html) == [s.trigger for s in policy.allowed_steps(supervisor, case)] == ["reassign"]
    fire(case, "withdraw", mediator)
    db.session.commit()
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert shown_steps(html) == [s.trigger for s in policy.allowed_steps(supervisor, case)] == ["reopen"]


def test_a_liaison_sees_the_referral_steps(client, db, case, mediator, police_liaison):
    fire(case, "refer", mediator)
    db.session.commit()
    login(client, police_liaison)
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    expected = [s.trigger for s in policy.allowed_steps(police_liaison, case)]
    assert expected == ["accept_referral", "decline_referral"]
    assert shown_steps(html) == expected


def test_an_admin_sees_no_steps(client, case, admin):
    login(client, admin)
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert shown_steps(html) == [] and "There is nothing for you to do" in html


def test_each_form_is_built_from_the_steps_fields_with_its_help(client, case, mediator, colleague):
    login(client, mediator)
    html = with_panels(client, f"/cases/{case.number}")
    # the hidden version, and the step's own help text
    assert f'id="accept-version" name="version" type="hidden" value="{case.version}"' in html
    assert str(lifecycle.STEPS["decline"].help) in html
    # choice: a select of the declared choices
    assert re.search(r'<select[^>]*id="decline-reason"[^>]*name="reason"', html)
    assert '<option value="court_accepted">A court has already accepted it</option>' in html
    # agency: a select of agencies by code; mediator: the station's active mediators
    assert re.search(r'<select[^>]*id="refer-agency"', html) and 'value="XGPS"' in html
    assert re.search(r'<select[^>]*id="reassign-mediator"[^>]*>.*value="zhao".*</select>', html, re.S)
    # a label for every input
    for control in re.findall(r'<(?:input|select|textarea)[^>]*id="((?:decline|refer|reassign)-\w+)"', html):
        if not control.endswith(("-version", "-submission")):
            assert f'for="{control}"' in html, control


def test_accept(client, db, case, mediator):
    login(client, mediator)
    response = post(client, case, "accept")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.number}")
    assert reload(db, case).state == "mediating" and case.mediator == mediator
    assert "Done: Accept." in client.get(f"/cases/{case.number}").get_data(as_text=True)


def test_accept_for_a_colleague(client, db, case, mediator, colleague):
    login(client, mediator)
    assert post(client, case, "accept", mediator="zhao").status_code == 302
    assert reload(db, case).mediator == colleague


def test_refer_with_an_agency(client, db, case, mediator, police):
    login(client, mediator)
    assert post(client, case, "refer", agency="XGPS", reason="Threats were made").status_code == 302
    reload(db, case)
    assert case.state == "referred" and case.active_referral.agency == police
    assert case.active_referral.reason == "Threats were made"


def test_reach_agreement_with_a_date_and_a_confirmation(client, db, case, mediator):
    fire(case, "accept", mediator)
    db.session.commit()
    login(client, mediator)
    deadline = local_date(utcnow()) + timedelta(days=10)
    response = post(
        client,
        case,
        "reach_agreement",
        terms="李强 pays 800 yuan",
        performance_deadline=deadline.isoformat(),
        signatures_recorded="y",
    )
    assert response.status_code == 302
    reload(db, case)
    assert case.state == "following_up"
    assert case.current_agreement.terms == "李强 pays 800 yuan"
    assert case.current_agreement.performance_deadline == deadline


def test_decline_with_a_choice(client, db, case, mediator):
    login(client, mediator)
    assert (
        post(client, case, "decline", reason="party_refused", note="Respondent will not come").status_code
        == 302
    )
    reload(db, case)
    assert (case.state, case.outcome) == ("closed", "declined")
    last = db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id.desc())).first()
    assert last.data == {
        "reason": "party_refused",
        "note": "Respondent will not come",
        "deadlines": {"met": ["acceptance"]},
    }


def test_a_step_the_user_may_not_take_is_403_and_changes_nothing(client, db, case, supervisor):
    login(client, supervisor)
    before = (case.state, case.version, events(db, case))
    response = post(client, case, "accept")
    assert response.status_code == 403
    reload(db, case)
    assert (case.state, case.version, events(db, case)) == before


def test_a_liaison_cannot_fire_a_mediators_step(client, db, case, mediator, police_liaison):
    fire(case, "refer", mediator)
    db.session.commit()
    login(client, police_liaison)
    assert post(client, case, "recall_referral", reason="mine now").status_code == 403
    assert reload(db, case).state == "referred"


def test_an_outsider_posting_a_step_gets_404(client, db, case, outsider):
    login(client, outsider)
    assert post(client, case, "accept").status_code == 404
    assert reload(db, case).state == "registered"


def test_an_unknown_step_is_404(client, case, mediator):
    login(client, mediator)
    assert post(client, case, "teleport").status_code == 404


def test_a_step_the_state_does_not_allow_is_refused_with_the_page(client, db, case, mediator):
    login(client, mediator)
    response = post(client, case, "close")
    assert response.status_code == 409
    assert "is not possible while the case is" in response.get_data(as_text=True)
    assert reload(db, case).state == "registered"


def test_a_missing_field_shows_the_form_again_with_the_error_and_what_was_typed(client, db, case, mediator):
    login(client, mediator)
    before = events(db, case)
    response = post(client, case, "refer", agency="XGPS", reason="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="refer-reason-error"[^>]*>This field is required.', html)
    assert '<option selected value="XGPS">' in html or re.search(
        r'<option[^>]*selected[^>]*value="XGPS"', html
    )
    assert 'id="step-refer" class="accordion-collapse collapse show"' in html  # that step's form is open
    assert 'id="step-accept" class="accordion-collapse collapse"' in html  # the others are not
    assert reload(db, case).state == "registered" and events(db, case) == before


def test_an_unticked_confirmation_keeps_the_typed_terms(client, db, case, mediator):
    fire(case, "accept", mediator)
    db.session.commit()
    login(client, mediator)
    response = post(
        client,
        case,
        "reach_agreement",
        terms="李强 repairs the pipe",
        performance_deadline=(local_date(utcnow()) + timedelta(days=3)).isoformat(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This must be confirmed." in html and "李强 repairs the pipe</textarea>" in html
    assert reload(db, case).state == "mediating"


def test_a_failed_guard_is_shown_on_the_form(client, db, case, mediator):
    fire(case, "accept", mediator)
    db.session.commit()
    login(client, mediator)
    response = post(
        client,
        case,
        "reach_agreement",
        terms="Pay",
        performance_deadline=(local_date(utcnow()) - timedelta(days=3)).isoformat(),
        signatures_recorded="y",
    )
    assert response.status_code == 422
    assert "The performance deadline cannot be in the past." in response.get_data(as_text=True)
    assert reload(db, case).state == "mediating"


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(client, db, case, mediator, colleague):
    login(client, mediator)
    seen = case.version
    fire(case, "reassign", colleague, mediator="zhao", reason="Applicant asked")  # someone else, meanwhile
    db.session.commit()
    before = (case.state, case.version, events(db, case))
    response = post(client, case, "decline", version=seen, reason="party_refused", note="typed note")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this case" in html
    assert "typed note</textarea>" in html  # kept, to send again after a look at the change
    assert f'id="decline-version" name="version" type="hidden" value="{case.version}"' in html
    reload(db, case)
    assert (case.state, case.version, events(db, case)) == before
    assert case.mediator == colleague


def test_a_stale_page_is_told_when_its_step_is_no_longer_possible(client, db, case, mediator, colleague):
    login(client, mediator)
    seen = case.version
    fire(case, "accept", colleague)  # meanwhile, a colleague accepts: declining is no longer possible
    db.session.commit()
    response = post(client, case, "decline", version=seen, reason="party_refused", note="typed note")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "“Decline” is no longer possible: the case is now “In mediation”." in html
    assert "what you typed is kept below" not in html
    reload(db, case)
    assert case.state == "mediating"


def test_a_missing_version_counts_as_stale(client, db, case, mediator):
    login(client, mediator)
    response = client.post(f"/cases/{case.number}/steps/accept", data={})
    assert response.status_code == 409
    assert reload(db, case).state == "registered"


def test_every_form_on_the_page_carries_a_csrf_token_and_a_post_without_one_is_refused(
    app, client, db, case, mediator, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_with_csrf(client, mediator)
    html = with_panels(client, f"/cases/{case.number}")
    forms = re.findall(r"<form\b.*?</form>", html, re.S)
    assert len(forms) >= 8  # five steps, session, attachment, plus the layout's own
    for form in forms:
        assert 'name="csrf_token"' in form, form[:120]
    response = post(client, case, "accept")
    assert response.status_code == 400
    assert reload(db, case).state == "registered"


def login_with_csrf(client, user):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"username": user.username, "password": "correct horse 8", "csrf_token": token}
    )
    assert response.status_code == 302


# --- Whose case it is ---------------------------------------------------------------------------------------


@pytest.fixture
def colleagues_case(db, station, mediator, colleague):
    """Registered by wang and given to zhao, the mediator on duty (张伟 → 王芳 in the issue)."""
    case = register_case(
        mediator,
        station,
        CaseInput(title="Noise at night", category="neighbour", channel="walk_in"),
        [PartyInput(role="applicant", name="王芳")],
        mediator=colleague,
    )
    db.session.commit()
    return case


def last_event(db, case):
    return db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id.desc())).first()


def test_the_accept_form_says_whose_case_it_is_and_keeps_it_with_them_by_default(
    client, db, colleagues_case, mediator, colleague
):
    login(client, mediator)
    html = with_panels(client, f"/cases/{colleagues_case.number}")
    panel = html[html.index('id="step-accept"') : html.index('data-step="decline"')]
    assert "This case is with zhao." in panel
    select = re.search(r'<select[^>]*id="accept-mediator"[^>]*>(.*?)</select>', panel, re.S).group(1)
    assert select.startswith('<option value="">— keep zhao —</option>')  # the first, so the one shown
    assert post(client, colleagues_case, "accept").status_code == 302
    assert reload(db, colleagues_case).mediator == colleague
    assert last_event(db, colleagues_case).data["mediator"] == "zhao"
    assert "previous_mediator" not in last_event(db, colleagues_case).data


def test_taking_a_colleagues_case_on_accepting_records_the_change(client, db, colleagues_case, mediator):
    login(client, mediator)
    assert post(client, colleagues_case, "accept", mediator="wang").status_code == 302
    assert reload(db, colleagues_case).mediator == mediator
    assert last_event(db, colleagues_case).data == {
        "mediator": "wang",
        "previous_mediator": "zhao",
        "deadlines": last_event(db, colleagues_case).data["deadlines"],
    }
    html = client.get(f"/cases/{colleagues_case.number}").get_data(as_text=True)
    entry = html[html.index('data-event="accept"') :].split("data-event=")[1]
    assert re.search(r"<dt>Mediator</dt><dd[^>]*>zhao → wang</dd>", entry)
    html = client.get(f"/cases/{colleagues_case.number}", headers={"Accept-Language": "zh-CN"})
    entry = html.get_data(as_text=True).split('data-event="accept"')[1]
    assert re.search(r"<dt>调解员</dt><dd[^>]*>zhao → wang</dd>", entry)


def test_the_accept_form_of_ones_own_case_says_so(client, case, mediator):
    login(client, mediator)
    html = with_panels(client, f"/cases/{case.number}")
    assert "This case is with you." in html[html.index('id="step-accept"') :]


def test_reassigning_records_who_had_the_case_and_who_has_it_now(client, db, case, mediator, colleague):
    login(client, mediator)
    assert post(client, case, "reassign", mediator="zhao", reason="回避").status_code == 302
    assert last_event(db, case).data == {"mediator": "zhao", "previous_mediator": "wang", "reason": "回避"}
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    entry = html[html.index('data-event="reassign"') :].split("data-event=")[1]
    assert re.search(r"<dt>Mediator</dt><dd[^>]*>wang → zhao</dd>", entry)


# --- Every problem at once, guards included ----------------------------------------------------------------


@pytest.fixture
def mediating(db, case, mediator):
    fire(case, "accept", mediator)
    db.session.commit()
    return case


def agreement(**override):
    today = local_date(utcnow())
    return {
        "terms": "李强 pays 800 yuan",
        "performance_deadline": (today + timedelta(days=10)).isoformat(),
        "signatures_recorded": "y",
        **override,
    }


def test_a_past_deadline_is_named_with_the_other_problems_beside_its_field(client, db, mediating, mediator):
    login(client, mediator)
    yesterday = local_date(utcnow()) - timedelta(days=1)
    data = agreement(terms="", signatures_recorded="", performance_deadline=yesterday.isoformat())
    response = post(client, mediating, "reach_agreement", **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="reach_agreement-terms-error"[^>]*>This field is required.', html)
    assert re.search(r'id="reach_agreement-signatures_recorded-error"[^>]*>This must be confirmed.', html)
    deadline_error = re.search(r'id="reach_agreement-performance_deadline-error"[^>]*>([^<]*)', html)
    assert deadline_error.group(1) == "The performance deadline cannot be in the past."
    assert reload(db, mediating).state == "mediating"


def test_a_deadline_decades_away_is_questioned_until_the_date_is_confirmed(client, db, mediating, mediator):
    login(client, mediator)
    html = with_panels(client, f"/cases/{mediating.number}")
    assert "distant_date_confirmed" not in html  # nothing to confirm yet
    response = post(client, mediating, "reach_agreement", **agreement(performance_deadline="2099-06-30"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    deadline_error = re.search(r'id="reach_agreement-performance_deadline-error"[^>]*>([^<]*)', html)
    assert deadline_error.group(1).startswith("This date is more than 2 years away. Check the year")
    assert re.search(r'<input[^>]*id="reach_agreement-distant_date_confirmed"[^>]*type="checkbox"', html)
    assert 'for="reach_agreement-distant_date_confirmed">The date is right</label>' in html
    assert 'value="2099-06-30"' in html and "李强 pays 800 yuan</textarea>" in html
    assert reload(db, mediating).state == "mediating"

    data = agreement(performance_deadline="2099-06-30", distant_date_confirmed="y")
    assert post(client, mediating, "reach_agreement", **data).status_code == 302
    assert reload(db, mediating).current_agreement.performance_deadline == date(2099, 6, 30)


# --- A step the case does not allow yet ---------------------------------------------------------------------


def blocked(html, trigger):
    """The disabled button of a step the case does not allow yet, and the reason it points to; else None."""
    end = r'(?:</p>|<div class="accordion-item")'  # its reason, else the next panel: nothing further
    item = re.search(rf'<div class="accordion-item" data-step="{trigger}"(.*?){end}', html, re.S)
    if item is None or "data-blocked" not in item.group(1):
        return None
    button = re.search(r"<button[^>]*>", item.group(1)).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', button).group(1)
    reason = re.search(rf'id="{described}">([^<]*)', item.group(1)).group(1)
    return button, reason


def test_close_is_disabled_with_its_reason_until_a_visit_found_the_agreement_performed(
    client, db, mediating, mediator
):
    fire(mediating, "reach_agreement", mediator)
    db.session.commit()
    login(client, mediator)
    html = client.get(f"/cases/{mediating.number}").get_data(as_text=True)
    button, reason = blocked(html, "close")
    assert " disabled" in button and "data-bs-toggle" not in button
    assert reason == "A completed follow-up visit must have found the agreement performed."
    assert 'id="step-close"' not in html  # no form to fill in
    assert blocked(html, "report_breach") is None  # its neighbour is offered as before

    response = post(client, mediating, "close")  # posted anyway: still refused
    assert response.status_code == 422
    assert blocked(response.get_data(as_text=True), "close")
    assert reload(db, mediating).state == "following_up"

    db.session.add(
        FollowUpVisit(
            case_id=mediating.id,
            station_id=mediating.station_id,
            done_on=local_date(utcnow()),
            performance="fully",
            visitor_id=mediator.id,
            method="in_person",
            party_reached="王芳",
        )
    )
    db.session.commit()
    html = client.get(f"/cases/{mediating.number}").get_data(as_text=True)
    assert blocked(html, "close") is None and 'id="step-close"' in html


def test_extend_is_disabled_after_the_one_extension(client, db, mediating, mediator):
    login(client, mediator)
    assert blocked(client.get(f"/cases/{mediating.number}").get_data(as_text=True), "extend") is None
    fire(mediating, "extend", mediator)
    db.session.commit()
    html = client.get(f"/cases/{mediating.number}").get_data(as_text=True)
    assert blocked(html, "extend")[1] == "The mediation period can be extended only once."
    assert shown_steps(html) == [s.trigger for s in policy.allowed_steps(mediator, mediating)]
