"""The liaison's workspace: their home is their agency's inbox, a referral's page is the case as the agency
needs it, and the station sees where a dispute an agency sent came from (issue 13 §2, §3, §5, §6)."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from mediation.clock import utcnow
from mediation.models import User
from mediation.services import inbox
from mediation.services.attachments import add_attachment
from mediation.services.cases import Inbound
from mediation.services.sessions import record_session
from tests.conftest import (
    delegated_by,
    fire,
    login,
    make_agency,
    make_case,
    make_user,
    statements,
    with_panels,
)

#: A moment on a working day (a Wednesday, 10:00 in China), for the frozen clock.
MORNING = datetime(2026, 3, 18, 2, 0, tzinfo=UTC)


def html_of(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def section(html: str, name: str) -> str:
    """One section of the inbox (``inbox-waiting``, ``inbox-with-us``, ``inbox-sent``)."""
    start = html.index(f'data-section="{name}"')
    end = html.find("data-section=", start + 20)
    return html[start : end if end != -1 else len(html)]


def rows(html: str) -> list[str]:
    """The case numbers of the inbox rows in ``html``, in order."""
    return re.findall(r'data-referral="\d+" data-case="([^"]+)"', html)


def listed(client, href) -> list[str]:
    """The case numbers the case list shows at ``href``."""
    return sorted(
        re.findall(r'<tr class="[^"]*" data-case="([^"]+)"', html_of(client, href.replace("&amp;", "&")))
    )


def tiles(html: str) -> list[tuple[int, str]]:
    """The inbox's count tiles: (count, the list they link to)."""
    return [
        (int(count), href)
        for href, count in re.findall(
            r'<a class="card[^"]*" href="([^"]+)">\s*<div[^>]*>\s*<div[^>]*data-count>(\d+)<', html
        )
    ]


@pytest.fixture
def other_police(station):
    """A second police station serving the same station: its referrals are not the first one's."""
    return make_agency("XGPS2", "西固城派出所", "police", stations=[station])


@pytest.fixture
def world(db, station, other_station, mediator, police, court, other_police, police_liaison, outsider):
    """The police's work in every section, and cases it must not see."""
    waiting = make_case(station, mediator, title="待答复 waiting")
    fire(waiting, "refer", mediator)
    taken = make_case(station, mediator, title="办理中 taken")
    fire(taken, "refer", mediator)
    fire(taken, "accept_referral", police_liaison, agency_case_number="西公110-7")
    answered = make_case(station, mediator, title="已退回 answered")  # declined: only in the list of cases
    fire(answered, "refer", mediator)
    fire(answered, "decline_referral", police_liaison)
    handed = make_case(
        station, police_liaison, title="移交 handed", inbound=_handover(police, police_liaison, "西公110-9")
    )
    to_court = make_case(station, mediator, title="诉讼 court")
    fire(to_court, "refer", mediator, agency="XGFY")
    elsewhere = make_case(station, mediator, title="别的派出所 other police")
    fire(elsewhere, "refer", mediator, agency="XGPS2")
    own = make_case(station, mediator, title="驿站自办 the station's own")
    far = make_case(other_station, outsider, title="别处 far away")
    db.session.commit()
    return {
        "waiting": waiting,
        "taken": taken,
        "answered": answered,
        "handed": handed,
        "to_court": to_court,
        "elsewhere": elsewhere,
        "own": own,
        "far": far,
    }


def _handover(police, liaison, number):
    return Inbound(
        agency=police, kind="police_handover", sent_at=utcnow(), sent_by=liaison, agency_case_number=number
    )


# --- The inbox ------------------------------------------------------------------------------------------


def test_a_liaisons_home_is_their_agencys_inbox_and_nothing_else(client, world, police_liaison):
    login(client, police_liaison)
    html = html_of(client, "/")
    assert rows(section(html, "inbox-waiting")) == [world["waiting"].number]
    assert rows(section(html, "inbox-with-us")) == [world["taken"].number]
    assert rows(section(html, "inbox-sent")) == [world["handed"].number]
    for absent in ("answered", "to_court", "elsewhere", "own", "far"):
        assert world[absent].number not in html, absent
    assert "Our case number: 西公110-7" in section(html, "inbox-with-us")


def test_the_counts_are_true_and_open_exactly_the_cases_they_count(client, world, police_liaison):
    login(client, police_liaison)
    html = html_of(client, "/")
    counted = tiles(html)
    assert [count for count, _href in counted] == [1, 0, 1, 0, 1]
    expected = [["waiting"], [], ["taken"], [], ["handed"]]
    for (count, href), keys in zip(counted, expected, strict=True):
        assert listed(client, href) == sorted(world[k].number for k in keys), href
        assert count == len(keys)


def test_a_mediator_filtering_referrals_sees_those_of_every_agency(client, world, mediator):
    login(client, mediator)
    waiting = listed(client, "/cases?referral=waiting")
    assert waiting == sorted(world[k].number for k in ("waiting", "to_court", "elsewhere"))


def test_the_inbox_service_answers_the_same_as_the_page(db, world, police_liaison, mediator):
    box = inbox.inbox(police_liaison)
    assert [i.case.number for i in box.waiting] == [world["waiting"].number]
    assert box.counts == {
        "waiting": 1,
        "waiting_overdue": 0,
        "with_us": 1,
        "with_us_overdue": 0,
        "sent": 1,
        "sent_open": 1,
    }
    assert inbox.inbox(mediator).counts["waiting"] == 0  # nobody's agency: an empty inbox


def test_waiting_referrals_come_urgent_first_then_oldest_first(
    client, db, station, mediator, police, police_liaison
):
    start = utcnow() - timedelta(hours=5)
    made = []
    for hours, risk in ((0, "low"), (1, "low"), (2, "high"), (3, "medium")):
        case = make_case(station, mediator, title=f"case {hours}", risk_level=risk, now=start)
        fire(case, "refer", mediator, now=start + timedelta(hours=hours))
        made.append(case)
    db.session.commit()
    login(client, police_liaison)
    html = html_of(client, "/")
    waiting = section(html, "inbox-waiting")
    assert rows(waiting) == [made[2].number, made[0].number, made[1].number, made[3].number]
    urgent_row = waiting[waiting.index(f'data-case="{made[2].number}"') :].split("</li>")[0]
    assert "data-urgent" in urgent_row and "Urgent: high risk of escalation" in urgent_row


def test_an_answer_coming_due_and_overdue_is_marked_by_the_clock(
    client, db, station, mediator, police, police_liaison
):
    case = make_case(station, mediator, now=MORNING - timedelta(hours=1))
    fire(case, "refer", mediator, now=MORNING)  # the police answer within 24 hours
    db.session.commit()

    def waiting_row(at):
        """The inbox and its waiting row at ``at``, and the list the overdue answers' tile opens."""
        with time_machine.travel(at, tick=False):
            login(client, police_liaison)
            html = html_of(client, "/")
            return html, section(html, "inbox-waiting"), listed(client, tiles(html)[1][1])

    html, row, overdue = waiting_row(MORNING + timedelta(hours=4))
    # A day's answer is due soon from the start (less than two working days left).
    assert "20 hours left" in row and 'data-due="due_soon"' in row and "data-overdue" not in row
    assert tiles(html)[1][0] == 0 and overdue == []
    html, row, overdue = waiting_row(MORNING + timedelta(hours=23, minutes=30))
    assert "less than an hour left" in row and "data-overdue" not in row
    html, row, overdue = waiting_row(MORNING + timedelta(hours=26, minutes=30))
    assert "2 hours overdue" in row and 'data-due="overdue"' in row and "data-overdue" in row
    assert tiles(html)[1][0] == 1 and overdue == [case.number]  # answers overdue


def test_the_inbox_costs_the_same_few_statements_however_many_rows(
    client, app, db, station, mediator, police, police_liaison
):
    def add(n):
        for i in range(n):
            waiting = make_case(station, mediator, title=f"w{i}")
            fire(waiting, "refer", mediator)
            taken = make_case(station, mediator, title=f"t{i}")
            fire(taken, "refer", mediator)
            fire(taken, "accept_referral", police_liaison)
            make_case(
                station, police_liaison, title=f"s{i}", inbound=_handover(police, police_liaison, f"n{i}")
            )
        db.session.commit()

    add(1)
    login(client, police_liaison)
    few = statements(client, "/")
    add(9)
    many = statements(client, "/")
    assert many == few and few <= 13, (few, many)  # 13 with the navbar's unread count


def test_a_liaison_navigates_their_inbox_cases_and_sending_not_the_stations_books(
    client, world, police_liaison
):
    login(client, police_liaison)
    nav = html_of(client, "/").split('id="nav"')[1].split("</ul>")[0]
    assert re.findall(r">([^<>]+)</a></li>", nav) == ["Inbox", "My work", "Cases", "Send a dispute"]


def test_a_mediators_navigation_does_not_offer_sending_a_dispute(client, world, mediator):
    login(client, mediator)
    nav = html_of(client, "/").split('id="nav"')[1].split("</ul>")[0]
    assert "Send a dispute" not in nav and "My work" in nav and "Visit log" in nav


# --- A referral's page, as the liaison sees it ----------------------------------------------------------


def test_the_referral_comes_first_on_the_liaisons_case_page_with_their_steps(client, world, police_liaison):
    case = world["waiting"]
    login(client, police_liaison)
    html = with_panels(client, f"/cases/{case.number}")
    card = html[html.index('id="referral"') : html.index('<div class="row g-4">')]
    assert "Referred to your agency" in card
    assert "To the police: a risk of escalation, or already a public-order matter" in card  # the kind
    assert "Risk of violence" in card  # the reason
    assert "wang, 西固解纷驿站" in card  # who sent it
    assert 'data-deadline="referral_answer"' in card and "hours left" in card
    assert 'data-step="accept_referral"' in card and 'data-step="decline_referral"' in card
    assert 'name="agency_case_number"' in card and 'name="reason"' in card
    # The station's tools are not theirs.
    for tool in ("/details", "session-form", "attachment-form", "rights-notice", "Correct particulars"):
        assert tool not in html, tool
    # Facts, parties and sessions are there, for the agency.
    assert 'id="parties"' in html and "王芳" in html and 'id="sessions"' in html


def test_once_accepted_the_liaison_records_their_number_and_reports_the_result(client, world, police_liaison):
    login(client, police_liaison)
    card = (
        html_of(client, f"/cases/{world['taken'].number}")
        .split('id="referral"')[1]
        .split('<div class="row g-4">')[0]
    )
    steps = re.findall(r'data-step="(\w+)"', card)
    assert steps == ["record_case_number", "return_to_station", "resolve_by_agency"]
    assert 'data-deadline="referral_result"' in card and "西公110-7" in card


def test_a_liaison_reaches_nothing_of_a_case_never_referred_to_them(
    client, db, world, mediator, police_liaison
):
    case = world["own"]
    record_session(
        case, mediator, held_at=utcnow() - timedelta(hours=1), notes="n", result="r", rights_notified=True
    )
    attachment = add_attachment(case, mediator, filename="note.txt", stream=b"a note")
    db.session.commit()
    party = case.party_links[0].party_id
    login(client, police_liaison)
    for path in (
        f"/cases/{case.number}",
        f"/cases/{case.number}/agreement/print",
        f"/cases/{case.number}/feedback/print",
        f"/cases/{case.number}/attachments/{attachment.id}",
        f"/parties/{party}/personal-data?case={case.number}",
        f"/cases/{world['to_court'].number}",
        f"/cases/{world['elsewhere'].number}",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/cases/{case.number}/steps/accept_referral", data={"version": case.version})
    assert response.status_code == 404


def test_another_agencys_liaison_cannot_answer_the_referral(client, db, world, other_police):
    make_user("officer2", "liaison", agency=other_police)
    db.session.commit()
    officer = db.session.scalar(select(User).filter_by(username="officer2"))
    login(client, officer)
    case = world["waiting"]
    assert client.get(f"/cases/{case.number}").status_code == 404
    assert (
        client.post(f"/cases/{case.number}/steps/accept_referral", data={"version": case.version}).status_code
        == 404
    )


# --- The station's side of a dispute a court sent --------------------------------------------------------


@pytest.fixture
def delegated(db, station, mediator, court, court_liaison):
    """A dispute the court delegated (委派) with its case number, accepted by the station."""
    case = make_case(station, court_liaison, inbound=replace(delegated_by(court), sent_by=court_liaison))
    fire(case, "accept", mediator)
    db.session.commit()
    return case


def test_the_mediator_is_told_the_courts_period_and_that_the_result_is_owed(client, delegated, mediator):
    login(client, mediator)
    html = html_of(client, f"/cases/{delegated.number}")
    card = html[html.index('id="inbound"') :].split("</section>")[0]
    assert "西固区人民法院" in card and "Delegated by a court before filing (委派)" in card
    assert "(2026)甘0104民诉前调1234号" in card
    assert "30 calendar days from the station’s acceptance" in card
    assert 'data-deadline="mediation"' in card and "days left" in card
    assert 'id="feedback-owed"' in card and "Send the result to the court" in card
    assert 'data-step="send_feedback"' in html
    assert "/feedback/print" not in html  # nothing to print yet


def test_the_feedback_letter_once_sent(client, db, delegated, mediator, court_liaison):
    login(client, mediator)
    assert client.get(f"/cases/{delegated.number}/feedback/print").status_code == 404  # not sent yet
    fire(delegated, "send_feedback", mediator)
    db.session.commit()
    html = html_of(client, f"/cases/{delegated.number}")
    assert 'id="feedback-owed"' not in html and f'href="/cases/{delegated.number}/feedback/print"' in html
    letter = html_of(client, f"/cases/{delegated.number}/feedback/print")
    doc = letter[letter.index("<article") : letter.index("</article>")]
    for text in (
        "Letter reporting the result of mediation",
        "To 西固区人民法院:",
        "(2026)甘0104民诉前调1234号",
        "Delegated by a court before filing (委派)",
        "Applicant 王芳",
        "Respondent 李强",
        "Mediation failed",
        "双方分歧较大，调解不成，建议依法审理。",
        "西固解纷驿站",
    ):
        assert text in doc, text
    assert "13800000001" not in doc  # names the parties, no more
    chinese = client.get(
        f"/cases/{delegated.number}/feedback/print", headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert "调解情况反馈函" in chinese and "致西固区人民法院：" in chinese


def test_the_letter_is_the_stations_and_the_courts_only(client, db, station, delegated, people, police):
    fire(delegated, "send_feedback", people["mediator"])
    other = make_case(station, people["mediator"], title="another")
    fire(other, "refer", people["mediator"])
    db.session.commit()
    path = f"/cases/{delegated.number}/feedback/print"
    expected = {
        "mediator": 200,
        "supervisor": 200,
        "court_liaison": 200,
        "police_liaison": 404,
        "outsider": 404,
    }
    for persona, status in expected.items():
        client.post("/logout")
        login(client, people[persona])
        assert client.get(path).status_code == status, persona
    # The police see the case once it is referred to them, but not the court's letter.
    fire(delegated, "refer", people["mediator"], agency="XGPS")
    db.session.commit()
    client.post("/logout")
    login(client, people["police_liaison"])
    assert client.get(f"/cases/{delegated.number}").status_code == 200
    assert client.get(path).status_code == 403


def test_the_court_sees_what_became_of_its_dispute(client, db, delegated, mediator, court_liaison):
    fire(delegated, "send_feedback", mediator)
    db.session.commit()
    login(client, court_liaison)
    sent = section(html_of(client, "/"), "inbox-sent")
    assert rows(sent) == [delegated.number]
    assert 'data-answer="accepted"' in sent and 'data-feedback="failure"' in sent
    assert f"/cases/{delegated.number}/feedback/print" in sent
    html = html_of(client, f"/cases/{delegated.number}")
    own = html[html.index('id="inbound"') : html.index('<div class="row g-4">')]
    assert "Your agency sent this dispute" in own and "双方分歧较大" in own


# --- Risk of escalation (民转刑) ---------------------------------------------------------------------------


def test_a_high_risk_case_prompts_the_mediator_to_refer_it_to_the_police(
    client, db, station, mediator, police, court
):
    case = make_case(station, mediator, risk_level="high")
    db.session.commit()
    login(client, mediator)
    html = with_panels(client, f"/cases/{case.number}")
    notice = html[html.index('id="risk-notice"') :].split("</div>")[0]
    assert "refer the case to the police" in notice and 'data-bs-target="#step-refer"' in notice
    refer = html[html.index('id="step-refer"') :].split("</form>")[0]
    assert '<option selected value="XGPS">西固派出所</option>' in refer  # the police, preselected


def test_a_case_at_ordinary_risk_preselects_no_agency(client, db, station, mediator, police):
    case = make_case(station, mediator)
    db.session.commit()
    login(client, mediator)
    picker = with_panels(client, f"/cases/{case.number}").split('name="agency"')[1].split("</select>")[0]
    assert re.findall(r'<option selected value="(\w+)"', picker) == []


def test_the_police_see_a_high_risk_referral_flagged(client, db, station, mediator, police, police_liaison):
    case = make_case(station, mediator, risk_level="high")
    fire(case, "refer", mediator)
    db.session.commit()
    login(client, police_liaison)
    html = html_of(client, f"/cases/{case.number}")
    assert 'id="risk-high"' in html and 'id="risk-notice"' not in html
    card = html[html.rindex("<section", 0, html.index('id="referral"')) : html.index('<div class="row g-4">')]
    assert "border-danger" in card.split(">")[0] and "Urgent: high risk of escalation" in card


# --- Pickers ------------------------------------------------------------------------------------------------


def test_the_refer_picker_offers_the_agencies_serving_the_station_grouped_by_kind(
    client, db, station, other_station, mediator, police, court
):
    make_agency("XGSFS", "西固司法所", "judicial_office", stations=[station])
    make_agency("DHPS", "东海派出所", "police", stations=[other_station])
    make_agency("GSFY", "甘肃省高级人民法院", "court", stations=[])  # the province's: nobody's picker
    case = make_case(station, mediator)
    db.session.commit()
    login(client, mediator)
    picker = with_panels(client, f"/cases/{case.number}").split('name="agency"')[1].split("</select>")[0]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', picker, re.S)
    offered = {label: re.findall(r'value="(\w+)"', options) for label, options in groups}
    assert offered == {"Court": ["XGFY"], "Judicial office": ["XGSFS"], "Police station": ["XGPS"]}


def test_the_liaisons_forms_show_the_case_number_recorded_so_far(
    client, db, station, mediator, police_liaison
):
    case = make_case(station, mediator)
    fire(case, "refer", mediator)
    fire(case, "accept_referral", police_liaison, agency_case_number="西公(治)受字〔2026〕5号")
    db.session.commit()
    login(client, police_liaison)
    html = with_panels(client, f"/cases/{case.number}")
    assert html.count('value="西公(治)受字〔2026〕5号"') >= 2  # resolve and return start from it
