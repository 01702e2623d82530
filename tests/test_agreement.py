"""The agreement (调解协议书): completing its details after it is reached, and the printable document."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mediation.clock import local_date, utcnow
from mediation.errors import Conflict, Invalid, NotAllowed, NotFound
from mediation.models import Event
from mediation.services import judicial
from mediation.services.agreements import update_agreement
from mediation.services.parties import PartyInput
from tests.conftest import fire, login, make_case

ID_NUMBER = "110101198001051234"


@pytest.fixture
def deadline():
    """The agreement's performance deadline: two weeks from the station's today."""
    return local_date(utcnow()) + timedelta(days=14)


@pytest.fixture
def case(db, station, mediator, court, deadline):
    case = make_case(
        station,
        mediator,
        facts="Water from 李强's flat leaked into 王芳's kitchen.",
        parties=[
            PartyInput(
                role="applicant",
                name="王芳",
                phone="13800000001",
                id_number=ID_NUMBER,
                address="兰州市西固区福利路12号",
                sex="female",
                ethnicity="汉族",
                occupation="教师",
            ),
            PartyInput(role="respondent", name="李强", phone="13800000002"),
        ],
    )
    fire(case, "accept", mediator)
    fire(
        case,
        "reach_agreement",
        mediator,
        terms="李强 repairs the pipe and pays 王芳 800 yuan",
        performance_method="Bank transfer",
        performance_deadline=deadline.isoformat(),
    )
    db.session.commit()
    return case


def last_event(db, case):
    return db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id.desc())).first()


# --- The service ---------------------------------------------------------------------------------------


def test_details_are_completed_and_the_change_is_logged(db, case, mediator):
    agreement = update_agreement(
        case,
        mediator,
        case.version,
        facts_and_responsibility="The pipe in 李强's flat burst; he is responsible.",
        performance_place="西固解纷驿站",
    )
    assert agreement.performance_place == "西固解纷驿站" and agreement.performance_method == "Bank transfer"
    event = last_event(db, case)
    assert (event.kind, event.action) == ("agreement", "update_agreement")
    assert event.data["performance_place"] == "西固解纷驿站" and "facts_and_responsibility" in event.data
    assert "performance_method" not in event.data  # only what changed


def test_nothing_changed_logs_nothing(db, case, mediator):
    before = last_event(db, case).id
    update_agreement(case, mediator, case.version, performance_method="Bank transfer")
    assert last_event(db, case).id == before


def test_a_stale_version_is_refused(db, case, mediator):
    with pytest.raises(Conflict):
        update_agreement(case, mediator, case.version - 1, performance_place="x")
    assert case.current_agreement.performance_place == ""


def test_without_an_agreement_there_is_nothing_to_complete(db, station, mediator):
    case = make_case(station, mediator)
    with pytest.raises(NotFound):
        update_agreement(case, mediator, case.version, performance_place="x")


@pytest.mark.parametrize("persona", ["supervisor", "outsider", "court_liaison"])
def test_only_the_stations_mediators_may_complete_it(db, case, persona, request):
    with pytest.raises(NotAllowed):
        update_agreement(case, request.getfixturevalue(persona), case.version, performance_place="x")


@pytest.mark.parametrize(
    ("data", "field"), [({"performance_place": "x" * 201}, "performance_place"), ({"oral": "maybe"}, "oral")]
)
def test_wrong_details_are_named(db, case, mediator, data, field):
    with pytest.raises(Invalid) as refused:
        update_agreement(case, mediator, case.version, **data)
    assert set(refused.value.fields) == {field}


def test_an_agreement_brought_to_a_court_stays_written(db, case, mediator, court):
    today = local_date(utcnow())
    judicial.apply_for_confirmation(mediator, case, case.version, applied_on=today, court="XGFY")
    with pytest.raises(Invalid) as refused:
        update_agreement(case, mediator, case.version, oral="oral")
    assert set(refused.value.fields) == {"oral"}


def test_turned_oral_it_can_no_longer_be_brought_to_a_court(db, case, mediator):
    update_agreement(case, mediator, case.version, oral="oral")
    assert case.confirmation_window is None
    assert last_event(db, case).data["deadlines"] == {"cancelled": ["judicial_confirmation"]}


# --- The page to complete it ---------------------------------------------------------------------------


def test_the_mediator_completes_the_agreement_on_its_page(client, db, case, mediator):
    login(client, mediator)
    page = client.get(f"/cases/{case.number}/agreement")
    assert page.status_code == 200 and "Bank transfer" in page.get_data(as_text=True)
    response = client.post(
        f"/cases/{case.number}/agreement",
        data={
            "version": case.version,
            "oral": "written",
            "performance_place": "西固解纷驿站",
            "performance_method": "Bank transfer",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#agreement")
    db.session.expire_all()
    assert case.current_agreement.performance_place == "西固解纷驿站"
    assert "Completed the agreement&#39;s details" in client.get(f"/cases/{case.number}").get_data(
        as_text=True
    )


def test_an_error_keeps_what_was_typed(client, db, case, mediator):
    login(client, mediator)
    response = client.post(
        f"/cases/{case.number}/agreement",
        data={
            "version": case.version,
            "oral": "maybe",
            "performance_place": "typed place",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose written or oral." in html and 'value="typed place"' in html
    db.session.expire_all()
    assert case.current_agreement.performance_place == ""


def test_a_stale_page_shows_the_conflict_and_what_is_saved_now(client, db, case, mediator):
    login(client, mediator)
    seen = case.version
    update_agreement(case, mediator, case.version, performance_place="Saved by a colleague")
    db.session.commit()
    response = client.post(
        f"/cases/{case.number}/agreement",
        data={"version": seen, "oral": "written", "performance_place": "mine"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this case" in html
    assert 'value="mine"' in html and re.search(
        r'data-saved="performance_place".*Saved by a colleague', html, re.S
    )
    db.session.expire_all()
    assert case.current_agreement.performance_place == "Saved by a colleague"


def test_the_page_is_for_the_stations_mediators(client, case, supervisor, outsider):
    login(client, supervisor)
    assert client.get(f"/cases/{case.number}/agreement").status_code == 403
    login(client, outsider)
    assert client.get(f"/cases/{case.number}/agreement").status_code == 404


# --- The printable document ----------------------------------------------------------------------------


def printed(client, case):
    response = client.get(f"/cases/{case.number}/agreement/print")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_printed_agreement_has_the_required_contents(client, db, case, mediator, deadline):
    update_agreement(case, mediator, case.version, performance_place="西固解纷驿站")
    db.session.commit()
    login(client, mediator)
    html = printed(client, case)
    doc = html[html.index('class="agreement-doc"') :]
    assert '<h1 id="doc-title">People\'s Mediation Agreement</h1>' in doc and f"No. {case.number}" in doc
    assert "西固解纷驿站" in doc  # the committee
    # each party's basic information
    for text in (
        "王芳",
        "李强",
        "Female",
        "1980",
        "汉族",
        "教师",
        "兰州市西固区福利路12号",
        "Applicant",
        "Respondent",
    ):
        assert text in doc, text
    # the facts, the terms, the manner, place and deadline of performance
    assert "leaked into 王芳&#39;s kitchen" in doc and "李强 repairs the pipe and pays 王芳 800 yuan" in doc
    assert "Bank transfer" in doc and "西固解纷驿站" in doc
    assert deadline.strftime("%B") in doc and str(deadline.year) in doc
    # a signature line per party, the mediator's, the committee's seal, the copies
    assert len(re.findall(r'class="doc-sign"', doc)) == 3
    assert "Presiding mediator (signature)" in doc and "wang" in doc
    assert "mediation committee (seal)" in doc
    assert "made in 3 copies: one for each party" in doc
    # the print button and no navigation when printed
    assert "data-print" in html and "print.js" in html  # tests/browser/test_security_headers.py clicks it


def test_blank_details_become_lines_to_fill_in(client, case, mediator):
    login(client, mediator)
    doc = printed(client, case)
    respondent = doc[doc.index("李强</dd>") - 400 : doc.index("李强</dd>") + 900]
    assert respondent.count('class="blank"') >= 4  # sex, year of birth, ethnicity, occupation…


def test_the_full_id_number_is_printed_only_for_those_who_may_see_it(client, case, mediator, supervisor):
    login(client, mediator)
    assert ID_NUMBER in printed(client, case)
    login(client, supervisor)
    html = printed(client, case)
    assert ID_NUMBER not in html and "110***********1234" in html
    assert "ID numbers are masked" in html


def test_no_agreement_no_document_and_outsiders_get_404(client, db, station, mediator, outsider, case):
    plain = make_case(station, mediator)
    db.session.commit()
    login(client, mediator)
    assert client.get(f"/cases/{plain.number}/agreement/print").status_code == 404
    login(client, outsider)
    assert client.get(f"/cases/{case.number}/agreement/print").status_code == 404


def test_the_print_stylesheet_sets_a4_and_the_printout_has_no_navigation(client, mediator, case):
    css = (Path(__file__).parent.parent / "mediation/static/app.css").read_text(encoding="utf-8")
    assert "@page { size: A4; margin: 2cm; }" in css
    assert '"Noto Serif CJK SC"' in css
    login(client, mediator)
    html = client.get(f"/cases/{case.number}/agreement/print").get_data(as_text=True)
    assert re.search(r'<nav class="[^"]*\bd-print-none\b', html)
    assert re.search(r'<footer class="[^"]*\bd-print-none\b', html)
