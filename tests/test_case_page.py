"""The case page (``case_page.show``): who may see it, what it shows, and how personal data is masked."""

import re
from datetime import timedelta

import pytest

from mediation.clock import local_date, utcnow
from mediation.services.cases import CaseInput, register_case
from mediation.services.parties import PartyInput
from tests.conftest import fire, login, make_agency, make_case, make_user, written

PHONE, ID_NUMBER = "13800000001", "110101198001051234"


@pytest.fixture
def case(db, station, mediator):
    case = make_case(
        station,
        mediator,
        facts="Water from the flat upstairs ruined the kitchen ceiling.",
        place="西固区福利路 12 号",
        amount="1200",
        risk_level="medium",
        parties=[
            PartyInput(
                role="applicant", name="王芳", phone=PHONE, id_number=ID_NUMBER, address="福利路12号3单元"
            ),
            PartyInput(role="respondent", name="李强", phone="13800000002"),
        ],
    )
    db.session.commit()
    return case


def page(client, case):
    response = client.get(f"/cases/{case.number}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize("persona", ["mediator", "colleague", "supervisor", "admin"])
def test_the_page_renders_for_everyone_who_may_see_it(client, case, persona, request):
    login(client, request.getfixturevalue(persona))
    html = page(client, case)
    assert case.number in html and "楼上漏水 Water leak" in html


def test_the_agency_a_case_was_referred_to_may_see_it(client, db, case, mediator, police_liaison):
    fire(case, "refer", mediator)
    db.session.commit()
    login(client, police_liaison)
    assert case.number in page(client, case)


@pytest.mark.parametrize("persona", ["outsider", "police_liaison", "court_liaison"])
def test_anyone_else_gets_404(client, case, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(f"/cases/{case.number}").status_code == 404


def test_an_unknown_number_is_404_like_a_hidden_one(client, case, mediator):
    login(client, mediator)
    assert client.get("/cases/XLG-1999-0001").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, case):
    response = client.get(f"/cases/{case.number}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_shows_the_dispute(client, case, mediator):
    login(client, mediator)
    html = page(client, case)
    for text in (
        "Neighbours",  # category
        "Walk-in visit",  # channel
        "西固解纷驿站",  # station
        "¥1,200.00",  # amount, money filter
        "西固区福利路 12 号",  # place
        "ruined the kitchen ceiling",  # facts
        'data-state="registered"',  # state badge
        "Medium",  # risk badge
    ):
        assert text in html, text
    assert re.search(r"Mediator</dt>\s*<dd[^>]*>wang</dd>", html)


def test_parties_are_listed_with_roles_and_link_to_their_file(client, case, mediator):
    login(client, mediator)
    html = page(client, case)
    applicant, respondent = (link.party for link in case.party_links)
    assert f'href="/parties/{applicant.id}"' in html and f'href="/parties/{respondent.id}"' in html
    assert re.search(r"Applicant</span>\s*<a[^>]*>王芳</a>", html)
    assert re.search(r"Respondent</span>\s*<a[^>]*>李强</a>", html)


def reveal(client, case):
    """What "Show in full" beside the applicant gives (the view is in the audit log)."""
    applicant = case.party_links[0].party
    url = f"/parties/{applicant.id}/personal-data?case={case.number}"
    assert f'href="{url.replace("&", "&amp;")}"' in page(client, case)
    return client.get(url, headers={"Accept": "application/json"}).get_json()["values"]


def test_the_stations_mediator_sees_phone_and_id_numbers_masked_and_in_full_on_asking(client, case, mediator):
    login(client, mediator)
    html = page(client, case)
    assert PHONE not in html and "138****0001" in html and "110***********1234" in html
    assert reveal(client, case) == {"phone": PHONE, "id_number": ID_NUMBER, "address": "福利路12号3单元"}


def test_a_supervisor_sees_them_masked(client, case, supervisor):
    login(client, supervisor)
    html = page(client, case)
    assert PHONE not in html and ID_NUMBER not in html and "福利路12号3单元" not in html
    assert "138****0001" in html and "110***********1234" in html


def test_the_agency_sees_them_while_the_case_is_with_it_and_not_after(
    client, db, case, mediator, police_liaison
):
    fire(case, "refer", mediator)
    db.session.commit()
    login(client, police_liaison)
    assert reveal(client, case)["id_number"] == ID_NUMBER
    fire(case, "decline_referral", police_liaison)
    db.session.commit()
    html = page(client, case)
    assert ID_NUMBER not in html and "110***********1234" in html and "data-reveal" not in html


def test_what_is_due_next_is_the_states_deadline(client, case, mediator):
    login(client, mediator)
    html = page(client, case)
    assert "What is due next" in html and "Accept or decline" in html
    assert "data-overdue" not in html


def test_an_overdue_case_says_by_how_many_days(client, db, station, mediator):
    """Accepted 32 days ago, its 30-day mediation period ended two days ago."""
    late = register_case(
        mediator,
        station,
        CaseInput(title="Old dispute", category="neighbour", channel="walk_in"),
        [PartyInput(role="applicant", name="王芳")],
        now=utcnow() - timedelta(days=40),
    )
    fire(late, "accept", mediator, now=utcnow() - timedelta(days=32))
    db.session.commit()
    login(client, mediator)
    html = page(client, late)
    assert 'data-overdue="2"' in html and "2 days overdue" in html and "text-danger" in html


def test_the_referral_and_what_became_of_it_and_the_agreement_are_shown(
    client, db, case, mediator, police_liaison
):
    fire(case, "accept", mediator)
    fire(case, "refer", mediator, reason="Threats were made")
    db.session.commit()
    login(client, mediator)
    html = page(client, case)
    assert 'id="referral"' in html and "西固派出所" in html and "Threats were made" in html
    assert 'id="agreement"' not in html

    fire(case, "recall_referral", mediator)
    fire(case, "reach_agreement", mediator, terms="李强 pays 800 yuan")
    db.session.commit()
    html = page(client, case)
    card = html[html.index('id="referral"') :]
    assert "Recalled" in card[: card.index("</section>")]  # the station still sees what became of it
    assert 'id="agreement"' in html and "李强 pays 800 yuan" in html
    assert f"/cases/{case.number}/agreement/print" in html


def test_the_timeline_lists_every_event_newest_first_with_who_did_it(
    client, db, case, mediator, police_liaison
):
    fire(case, "accept", mediator)
    fire(case, "refer", mediator, reason="Risk of violence")
    fire(case, "accept_referral", police_liaison)
    db.session.commit()
    login(client, mediator)
    html = page(client, case)
    timeline = html[html.index('id="timeline"') :]
    assert re.findall(r'data-event="(\w+)"', timeline) == ["accept_referral", "refer", "accept", "register"]
    entries = timeline.split("data-event=")[1:]
    assert "officer" in entries[0] and "Accept referral" in entries[0]
    assert "wang" in entries[1] and "Refer to an agency" in entries[1]
    assert "Risk of violence" in entries[1] and "西固派出所" in entries[1]  # data, agency code made a name
    assert re.search(r'data-state="registered".*→.*data-state="mediating"', entries[2], re.S)
    assert "Registered the dispute" in entries[3] and "Applicant: 王芳" in entries[3]


def test_the_timeline_translates_choices(client, db, case, mediator):
    fire(case, "decline", mediator, reason="court_accepted")
    db.session.commit()
    login(client, mediator)
    html = page(client, case)
    assert "A court has already accepted it" in html
    assert 'data-outcome="declined"' in html


def test_another_agencys_liaison_cannot_see_a_case_referred_elsewhere(client, db, case, mediator, police):
    other = make_agency("DHPS", "东海派出所")
    officer = make_user("other_officer", "liaison", agency=other)
    fire(case, "refer", mediator)
    db.session.commit()
    login(client, officer)
    assert client.get(f"/cases/{case.number}").status_code == 404


def test_a_date_deadline_reads_as_that_day_and_the_confirmation_window_is_shown(client, db, case, mediator):
    deadline = local_date(utcnow()) + timedelta(days=5)
    fire(case, "accept", mediator)
    fire(case, "reach_agreement", mediator, performance_deadline=deadline.isoformat())
    db.session.commit()
    login(client, mediator)
    html = page(client, case)
    due = html[html.index('id="deadlines"') : html.index('id="actions"')]
    assert "First follow-up visit" in due and f"by {written(deadline)}" in due
    assert "judicial confirmation" in due
    assert f"by {written(deadline + timedelta(days=1))}" not in due


def test_free_text_that_looks_like_a_date_is_shown_as_typed(client, db, case, mediator):
    """Only fields that hold dates are written as dates; a reason typed like one stays as typed."""
    fire(case, "accept", mediator)
    fire(case, "withdraw", mediator, reason="2026-03-01")
    db.session.commit()
    login(client, mediator)
    timeline = page(client, case).split('id="timeline"')[1]
    assert "2026-03-01" in timeline and "Mar 1, 2026" not in timeline
