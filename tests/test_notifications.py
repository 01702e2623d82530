"""In-app notifications: the right people are told of each step after its commit, in their language; the
inbox, opening one, marking all read and the navbar's count."""

import re
import threading
import time
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from mediation.clock import local_date, utcnow
from mediation.extensions import db as _db
from mediation.models import DutyShift, Notification, User
from mediation.notification_kinds import KINDS
from mediation.notifications.messages import message
from mediation.services import deferred, notifications
from mediation.services.cases import CaseInput
from mediation.services.inbound import send_dispute
from mediation.services.parties import PartyInput
from tests.conftest import delegated_by, delivered, fire, login, make_agency, make_case, make_user, told


@pytest.fixture
def crowd(db, station, other_station, people, police):
    """Besides the personas: a second officer of the same police station, one who left (inactive), an officer
    of another police station that serves the same station, and a mediator who left."""
    other_police = make_agency("DHPS", "东湖派出所", stations=[station, other_station])
    extra = {
        "second_officer": make_user("officer2", "liaison", agency=police),
        "retired_officer": make_user("officer3", "liaison", agency=police),
        "other_officer": make_user("officer4", "liaison", agency=other_police),
        "retired_mediator": make_user("qian", "mediator", [station]),
    }
    extra["retired_officer"].active = extra["retired_mediator"].active = False
    _db.session.flush()
    return {**people, **extra}


def referred_case(station, people, **extra):
    case = make_case(station, people["mediator"], **extra)
    fire(case, "refer", people["mediator"])
    delivered()
    return case


# --- Who is told what -------------------------------------------------------------------------------------


def test_a_referral_tells_every_active_liaison_of_that_agency_and_nobody_else(db, station, crowd):
    referred_case(station, crowd)
    assert told() == {"officer": [{"urgent": False}], "officer2": [{"urgent": False}]}


def test_a_referral_of_a_high_risk_case_arrives_urgent(db, station, crowd):
    referred_case(station, crowd, risk_level="high")
    assert told("referral_received") == {"officer": [{"urgent": True}], "officer2": [{"urgent": True}]}


@pytest.mark.parametrize(
    ("trigger", "kind", "data"),
    [
        ("accept_referral", "referral_answered", {"agency": "西固派出所", "answer": "accepted"}),
        ("decline_referral", "referral_answered", {"agency": "西固派出所", "answer": "declined"}),
    ],
)
def test_the_agencys_answer_tells_the_cases_mediator(db, station, crowd, trigger, kind, data):
    case = referred_case(station, crowd)
    fire(case, trigger, crowd["police_liaison"])
    delivered()
    assert told(kind) == {"wang": [data]}  # not the officer who answered, not the colleague


@pytest.mark.parametrize(
    ("trigger", "result"), [("resolve_by_agency", "resolved"), ("return_to_station", "returned")]
)
def test_the_agencys_result_tells_the_cases_mediator(db, station, crowd, trigger, result):
    case = referred_case(station, crowd)
    fire(case, "accept_referral", crowd["second_officer"])
    fire(case, trigger, crowd["police_liaison"])
    delivered()
    assert told("referral_result") == {"wang": [{"agency": "西固派出所", "result": result}]}


def test_the_agencys_case_number_tells_the_cases_mediator(db, station, crowd):
    case = referred_case(station, crowd)
    fire(case, "accept_referral", crowd["police_liaison"])
    fire(case, "record_case_number", crowd["police_liaison"])
    delivered()
    assert told("case_number_recorded") == {
        "wang": [{"agency": "西固派出所", "agency_case_number": "西公(治)受字〔2026〕118号"}]
    }


def test_a_recalled_referral_tells_the_agencys_liaisons(db, station, crowd):
    case = referred_case(station, crowd)
    fire(case, "recall_referral", crowd["mediator"])
    delivered()
    assert set(told("referral_recalled")) == {"officer", "officer2"}


def send(liaison, station, kind="police_handover", **extra):
    details = CaseInput(title="邻里噪音", category="neighbour", channel="walk_in", facts="楼上夜间噪音")
    parties = [
        PartyInput(role="applicant", name="刘建华", phone="13800000011"),
        PartyInput(role="respondent", name="赵敏", phone="13800000012"),
    ]
    case = send_dispute(liaison, station, kind, details, parties, **extra)
    delivered()
    return case


def test_a_dispute_sent_with_nobody_on_duty_tells_every_active_mediator_of_the_station(db, station, crowd):
    send(crowd["police_liaison"], station)
    assert told() == {
        "wang": [{"agency": "西固派出所", "referral_kind": "police_handover"}],
        "zhao": [{"agency": "西固派出所", "referral_kind": "police_handover"}],
    }


def test_a_dispute_sent_tells_the_mediator_on_duty_alone(db, station, crowd):
    db.session.add(DutyShift(station_id=station.id, user_id=crowd["colleague"].id, day=local_date(utcnow())))
    db.session.flush()
    send(crowd["police_liaison"], station)
    assert set(told("dispute_received")) == {"zhao"}


def test_the_answer_to_a_dispute_sent_on_before_anyone_took_it_tells_who_sent_it_on(db, station, crowd):
    case = send(crowd["police_liaison"], station)  # nobody on duty: whoever accepts it takes it
    fire(case, "refer", crowd["colleague"], agency="DHPS")  # the station sends it on before accepting it
    fire(case, "accept_referral", crowd["other_officer"])
    delivered()
    assert set(told("referral_answered")) == {"zhao"}  # the referrer took the dispute by sending it on


def test_the_answer_to_a_case_whose_mediator_left_tells_every_active_mediator_of_the_station(
    db, station, crowd
):
    case = referred_case(station, crowd)
    crowd["mediator"].active = False  # wang left the station's service
    fire(case, "accept_referral", crowd["police_liaison"])
    delivered()
    assert set(told("referral_answered")) == {"zhao"}  # not qian nor wang, who left, nor chen elsewhere


@pytest.mark.parametrize(
    ("trigger", "answer", "data"),
    [("accept", "accepted", {}), ("decline", "declined", {"reason": "party_refused"})],
)
def test_the_stations_answer_to_a_dispute_tells_the_agencys_liaisons(
    db, station, crowd, trigger, answer, data
):
    case = send(crowd["police_liaison"], station)
    fire(case, trigger, crowd["mediator"], **data)
    delivered()
    assert told("dispute_answered") == {"officer": [{"answer": answer}], "officer2": [{"answer": answer}]}
    assert told("case_assigned") == {}  # the mediator who accepted took the case: not told of it


def test_the_stations_answer_to_its_own_walk_in_tells_no_agency(db, station, crowd):
    fire(make_case(station, crowd["mediator"]), "accept", crowd["mediator"])
    delivered()
    assert told() == {}


@pytest.fixture
def court_case(db, station, crowd, court):
    case = make_case(station, crowd["mediator"], inbound=delegated_by(court))
    fire(case, "accept", crowd["mediator"])
    delivered()
    return case


def test_the_feedback_tells_the_courts_liaisons(db, crowd, court_case):
    fire(court_case, "send_feedback", crowd["mediator"])
    delivered()
    assert told("feedback_received") == {"clerk": [{"outcome": "failure"}]}


def test_an_extension_of_a_court_dispute_tells_the_court_when_it_now_ends(db, crowd, court_case):
    fire(court_case, "extend", crowd["mediator"])
    delivered()
    extension = next(d for d in court_case.deadlines if d.kind == "mediation_extension")
    assert told("extension_recorded") == {"clerk": [{"due": extension.due_at.isoformat()}]}


def test_an_extension_of_a_walk_in_tells_nobody(db, station, crowd):
    case = make_case(station, crowd["mediator"])
    fire(case, "accept", crowd["mediator"])
    fire(case, "extend", crowd["mediator"])
    delivered()
    assert told() == {}


def test_a_reassigned_case_tells_its_new_mediator_not_whoever_reassigned_it(db, station, crowd):
    case = make_case(station, crowd["mediator"])
    fire(case, "reassign", crowd["mediator"], mediator="zhao", reason="回避")
    fire(case, "reassign", crowd["supervisor"], mediator="wang", reason="回来了")
    fire(case, "reassign", crowd["mediator"], mediator="wang", reason="no change")  # tells nobody
    delivered()
    assert told("case_assigned") == {"zhao": [{}], "wang": [{}]}


def test_nothing_is_told_of_a_step_that_was_rolled_back(db, station, crowd):
    case = make_case(station, crowd["mediator"])
    db.session.commit()
    fire(case, "refer", crowd["mediator"])
    db.session.rollback()
    assert deferred.run_deferred() == 0
    assert told() == {}


def test_a_step_refused_at_the_request_boundary_tells_nobody(client, db, station, crowd):
    case = make_case(station, crowd["mediator"])
    db.session.commit()
    login(client, crowd["mediator"])
    refused = client.post(
        f"/cases/{case.number}/steps/refer", data={"version": case.version, "agency": "XGPS", "reason": ""}
    )
    assert refused.status_code == 422
    assert told() == {}
    done = client.post(
        f"/cases/{case.number}/steps/refer",
        data={"version": case.version, "agency": "XGPS", "reason": "有打架风险"},
    )
    assert done.status_code == 302
    assert set(told("referral_received")) == {"officer", "officer2"}


def test_notify_refuses_data_that_does_not_fit_the_kind(db, crowd):
    with pytest.raises(ValueError, match="takes"):
        notifications.notify([crowd["mediator"]], "referral_answered", answer="accepted")
    with pytest.raises(ValueError, match="no sentence"):
        notifications.notify([crowd["mediator"]], "referral_answered", agency="A", answer="maybe")
    with pytest.raises(ValueError, match="unknown"):
        notifications.notify([crowd["mediator"]], "lottery_won")


# --- Once per key -----------------------------------------------------------------------------------------


def test_a_dedupe_key_makes_a_second_notification_a_no_op_for_that_reader_only(db, station, crowd):
    due = utcnow() + timedelta(days=1)
    send_reminder = lambda *users: notifications.notify(  # noqa: E731
        users, "deadline_due_soon", dedupe_key="deadline:1:due_soon", deadline="acceptance", due=due
    )
    send_reminder(crowd["mediator"])
    delivered()
    send_reminder(crowd["mediator"], crowd["colleague"])
    delivered()
    assert {user: len(rows) for user, rows in told().items()} == {"wang": 1, "zhao": 1}


def test_the_same_dedupe_key_sent_by_two_processes_at_once_makes_one_notification(app, db, crowd):
    """The second insert waits on the unique index (PostgreSQL) or the write lock (SQLite) until the first
    commits, then skips its row."""
    user_id = crowd["mediator"].id
    db.session.commit()
    first_inserted, second_started, errors = threading.Event(), threading.Event(), []

    def create(first):
        try:
            with app.app_context():
                if not first:
                    first_inserted.wait(10)
                    second_started.set()
                notifications._create([user_id], "case_assigned", None, "assigned:7", {}, utcnow())
                if first:
                    first_inserted.set()
                    second_started.wait(10)
                    time.sleep(0.3)  # the second insert is under way, waiting for this one
                _db.session.commit()
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=create, args=(first,)) for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


# --- How they read ----------------------------------------------------------------------------------------

#: A notification of every kind, with every sentence it can say.
SAMPLES = [
    (kind.code, {**dict.fromkeys(kind.fields, "西固派出所"), **extra})
    for kind in KINDS.values()
    for extra in ([{kind.variant: value} for value in kind.message] if kind.variant else [{}])
]
VALUES = {
    "referral_kind": "court_delegated",
    "outcome": "agreement",
    "deadline": "referral_answer",
    "due": "2026-12-25T00:00:00+08:00",
    "agency_case_number": "(2026)甘0104民诉前调1234号",
}


@pytest.mark.parametrize(("kind", "data"), SAMPLES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(SAMPLES)])
def test_every_sentence_reads_in_both_languages_and_the_chinese_has_no_english(
    app, db, station, crowd, kind, data
):
    case = make_case(station, crowd["mediator"], title="楼上漏水")
    data = {key: VALUES.get(key, value) for key, value in data.items()}
    notification = Notification(user_id=crowd["mediator"].id, case=case, kind=kind, data=data)
    with app.test_request_context():
        with force_locale("zh_Hans_CN"):
            chinese = message(notification)
        with force_locale("en"):
            english = message(notification)
    assert "%(" not in chinese + english
    assert chinese != english
    leftover = chinese.replace(case.number, "")
    assert not re.search(r"[A-Za-z]", leftover), chinese
    if "due" in data:
        assert "2026年12月24日" in chinese and "Dec 24, 2026" in english  # the day it ends, not midnight


def test_a_sentence_names_the_agency_and_the_station(app, db, station, crowd):
    notification = Notification(
        case=make_case(station, crowd["mediator"]), kind="referral_received", data={"urgent": True}
    )
    with app.test_request_context(), force_locale("en"):
        assert message(notification) == (
            "Urgent: 西固解纷驿站 referred a dispute at high risk of escalation to your agency."
        )
    notification = Notification(kind="referral_answered", data={"agency": "西固派出所", "answer": "declined"})
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert "西固派出所" in message(notification) and "退回" in message(notification)


# --- The pages --------------------------------------------------------------------------------------------


@pytest.fixture
def answered(db, station, crowd):
    """Two notifications for wang, the officer's answer and result, the result the newer; one for zhao."""
    case = referred_case(station, crowd)
    fire(case, "accept_referral", crowd["police_liaison"])
    delivered()
    fire(case, "resolve_by_agency", crowd["police_liaison"])
    delivered()
    notifications.notify([crowd["colleague"]], "case_assigned", case)
    delivered()
    return case


def inbox_items(html):
    return re.findall(r'data-notification="(\d+)"', html)


def notes_of(db, username):
    user = db.session.scalar(select(User).filter_by(username=username))
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(db.session.scalars(query))


def test_the_inbox_lists_the_readers_own_newest_first_with_the_case_and_unread_marked(
    client, db, crowd, answered
):
    mine = notes_of(db, "wang")
    login(client, crowd["mediator"])
    page = client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert inbox_items(page) == [str(mine[1].id), str(mine[0].id)]
    assert "西固派出所 resolved the dispute; follow the case up." in page
    assert "西固派出所 accepted the referral." in page
    assert answered.number in page and answered.title in page
    assert page.count(">Unread</span>") == 2
    assert f'href="/notifications/{mine[0].id}"' in page


def test_the_inbox_reads_in_chinese(client, db, crowd, answered):
    login(client, crowd["mediator"])
    page = client.get("/notifications", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "未读" in page and "西固派出所已受理移交。" in page and "Unread" not in page


def test_opening_a_notification_marks_it_read_and_leads_to_its_case(client, db, crowd, answered):
    first, second = notes_of(db, "wang")
    login(client, crowd["mediator"])
    response = client.get(f"/notifications/{first.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{answered.number}"
    db.session.expire_all()
    assert first.read_at is not None and second.read_at is None
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count(">Unread</span>") == 1


def test_someone_elses_notification_is_404_and_stays_unread(client, db, crowd, answered):
    (colleagues,) = notes_of(db, "zhao")
    login(client, crowd["mediator"])
    assert client.get(f"/notifications/{colleagues.id}").status_code == 404
    assert client.get("/notifications/999999").status_code == 404
    db.session.expire_all()
    assert colleagues.read_at is None


def test_mark_all_read_marks_the_readers_own_up_to_the_newest_the_page_showed(client, db, crowd, answered):
    login(client, crowd["mediator"])
    page = client.get("/notifications").get_data(as_text=True)
    form = dict(re.findall(r'name="(submission|up_to)" type="hidden" value="([^"]*)"', page))
    notifications.notify([crowd["mediator"]], "case_assigned", answered)  # arrives while the page is open
    delivered()
    response = client.post("/notifications/read", data=form, follow_redirects=True)
    assert response.status_code == 200
    assert "Your notifications are marked read." in response.get_data(as_text=True)
    db.session.expire_all()
    assert [n.read_at is None for n in notes_of(db, "wang")] == [False, False, True]
    assert [n.read_at is None for n in notes_of(db, "zhao")] == [True]


def test_mark_all_read_needs_its_csrf_token(app, client, db, crowd, answered, monkeypatch):
    login(client, crowd["mediator"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/notifications").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/notifications/read">.*?</form>', page, re.S).group(0)
    assert 'name="csrf_token"' in form
    assert client.post("/notifications/read").status_code == 400
    db.session.expire_all()
    assert all(n.read_at is None for n in notes_of(db, "wang"))


def test_the_navbar_says_how_many_are_unread_on_every_page(client, db, crowd, answered):
    login(client, crowd["mediator"])
    for url in ("/", "/cases", f"/cases/{answered.number}"):
        page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert '<span class="visually-hidden">Notifications, 2 unread</span>' in page, url
        assert re.search(r'<span class="badge[^"]*" aria-hidden="true">2</span>', page)
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "通知，2条未读" in page
    client.post("/notifications/read")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<span class="visually-hidden">Notifications</span>' in page and "unread" not in page


def test_an_empty_inbox_says_so(client, db, crowd):
    db.session.commit()
    login(client, crowd["police_liaison"])
    page = client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No notifications yet." in page and "Mark all read" not in page


def test_the_inbox_pages_by_25(client, db, station, crowd):
    case = make_case(station, crowd["mediator"])
    for minutes in range(30):
        notifications.notify(
            [crowd["mediator"]], "case_assigned", case, at=utcnow() - timedelta(minutes=minutes)
        )
    delivered()
    login(client, crowd["mediator"])
    first = inbox_items(client.get("/notifications").get_data(as_text=True))
    second = inbox_items(client.get("/notifications?page=2").get_data(as_text=True))
    assert (len(first), len(second)) == (25, 5)
    # Each was sent a minute before the one sent before it: newest first is the order they were sent in.
    assert [int(i) for i in first + second] == sorted(int(i) for i in first + second)
