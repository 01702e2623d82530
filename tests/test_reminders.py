"""``remind``: who is told of which deadline coming due or overdue, once per deadline and threshold, in the
reader's language; twice in a row (and on two sessions at once) tells nobody twice."""

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import func, select

from mediation.clock import utcnow
from mediation.extensions import db as _db
from mediation.models import Notification
from mediation.notifications.messages import message
from mediation.services import reminders
from tests.conftest import delivered, fire, make_case, told


def remind(now):
    """A run at ``now``, committed: how many deadlines it reminded of, by threshold."""
    reminded = reminders.remind(now)
    delivered()
    return reminded.tally


def only(case, kind):
    (row,) = [d for d in case.deadlines if d.kind == kind and d.is_open]
    return row


def test_the_station_is_reminded_of_acceptance_due_soon_then_overdue_once_each(db, station, people):
    case = make_case(station, people["mediator"])
    acceptance = only(case, "acceptance")
    _db.session.commit()
    assert remind(acceptance.warn_at - timedelta(minutes=1)) == {}
    assert remind(acceptance.warn_at) == {"due_soon": 1}
    assert remind(acceptance.warn_at + timedelta(minutes=5)) == {"due_soon": 1}  # the same, told once
    assert told("deadline_due_soon") == {
        "wang": [{"deadline": "acceptance", "due": acceptance.due_at.isoformat()}]
    }
    remind(acceptance.due_at)
    remind(acceptance.due_at + timedelta(hours=1))
    assert list(told("deadline_overdue")) == ["wang"]
    assert _db.session.scalar(select(func.count()).select_from(Notification)) == 2


def test_a_referrals_answer_is_the_agencys_to_be_reminded_of(db, station, people, police):
    case = make_case(station, people["mediator"])
    fire(case, "refer", people["mediator"])
    answer = only(case, "referral_answer")
    _db.session.commit()
    remind(answer.due_at + timedelta(minutes=1))
    assert set(told("deadline_overdue")) == {"officer"}  # the police, not the station
    assert "wang" not in told("deadline_due_soon")


def test_met_deadlines_and_a_lapsed_window_are_not_reminded_of(db, station, people):
    case = make_case(station, people["mediator"])
    acceptance = only(case, "acceptance")
    fire(case, "accept", people["mediator"])  # meets it
    _db.session.commit()
    remind(acceptance.due_at + timedelta(days=1))
    assert "acceptance" not in str(told())


def test_a_reminder_reads_in_the_readers_language(app, db, station, people):
    case = make_case(station, people["mediator"])
    acceptance = only(case, "acceptance")
    _db.session.commit()
    remind(acceptance.due_at + timedelta(minutes=1))
    notification = _db.session.scalar(select(Notification))
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        chinese = message(notification)
    with app.test_request_context(), force_locale("en"):
        english = message(notification)
    assert "逾期" in str(chinese) and "受理" in str(chinese)
    assert "Overdue" in str(english)


def test_the_command_says_what_it_did_and_twice_tells_nobody_twice(app, db, station, people):
    make_case(station, people["mediator"], now=utcnow() - timedelta(days=10))  # its acceptance is overdue
    _db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["mediation", "remind"])
    assert first.exit_code == 0 and "Reminded of" in first.output
    count = _db.session.scalar(select(func.count()).select_from(Notification))
    assert runner.invoke(args=["mediation", "remind"]).exit_code == 0
    assert count == 1 and "1 overdue" in first.output
    assert _db.session.scalar(select(func.count()).select_from(Notification)) == count
