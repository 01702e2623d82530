"""Deadline and warning arithmetic at the edges, with a frozen clock: month ends and a leap day, China's
midnight, the Mid-Autumn and National Day holidays of 2026 with their adjusted working weekend days, an
extension, an answer one minute either side of its deadline, and when "due soon" starts (and its setting).

What tests/test_deadlines.py already proves (three working days over a weekend; acceptance started on 30
September 2026 reaching the adjusted Saturday; the status function at ``warn_at`` and ``due_at``; an
extension's arithmetic) is not repeated here.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from mediation.clock import end_of_day
from mediation.services import deadlines, reminders, settings
from tests.conftest import delivered, fire, login, make_case, told


def local(y, m, d, hour=10, minute=0):
    """A moment on a local (China) day."""
    return datetime(y, m, d, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def only(case, kind):
    (row,) = [d for d in case.deadlines if d.is_open and d.kind == kind]
    return row


def due_section(client, case) -> str:
    """The case page's "What is due next" card."""
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    return html.split('id="deadlines"')[1].split("</section>")[0]


# --- Month ends -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accepted", "last_day"),
    [
        (date(2026, 1, 31), date(2026, 3, 2)),  # February 2026 has 28 days
        (date(2026, 12, 31), date(2027, 1, 30)),  # into the new year
        (date(2028, 1, 30), date(2028, 2, 29)),  # ends on a leap day
        (date(2028, 1, 31), date(2028, 3, 1)),  # and runs through it
    ],
    ids=["31-january", "31-december", "to-29-february-2028", "over-29-february-2028"],
)
def test_thirty_days_from_a_month_end(client, db, station, mediator, accepted, last_day):
    """Calendar days need no holiday calendar: 2027 and 2028 count as surely as 2026."""
    case = make_case(station, mediator, now=local(*accepted.timetuple()[:3]) - timedelta(days=1))
    fire(case, "accept", mediator, now=local(*accepted.timetuple()[:3]))
    row = only(case, "mediation")
    assert row.due_at == end_of_day(last_day) and row.calendar_known
    db.session.commit()
    with time_machine.travel(row.started_at, tick=False):
        login(client, mediator)
        assert f"by {last_day:%b} {last_day.day}, {last_day.year}" in due_section(client, case)


# --- China's midnight -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "status", "page"),
    [
        (datetime(2026, 3, 11, 15, 59, 0, tzinfo=UTC), "due_soon", 'data-deadline="due_soon"'),
        (datetime(2026, 3, 11, 15, 59, 59, tzinfo=UTC), "due_soon", 'data-deadline="due_soon"'),
        (datetime(2026, 3, 11, 16, 0, 1, tzinfo=UTC), "overdue", 'data-overdue="1"'),
    ],
    ids=["23:59:00-china", "23:59:59-china", "00:00:01-china"],
)
def test_a_day_ends_at_chinas_midnight_not_utcs(client, db, station, mediator, moment, status, page):
    """Acceptance registered on Friday 6 March runs through Wednesday 11 March in China: 23:59:59 there
    (15:59:59 UTC) is the last second on time; at 16:00:01 UTC it is overdue everywhere, though UTC's date
    is still the 11th."""
    case = make_case(station, mediator, now=local(2026, 3, 6))
    row = only(case, "acceptance")
    assert row.due_at == datetime(2026, 3, 11, 16, tzinfo=UTC)
    db.session.commit()
    with time_machine.travel(moment, tick=False):
        login(client, mediator)
        assert deadlines.status(row, moment) == status
        card = due_section(client, case)
        assert page in card and "by Mar 11, 2026" in card
        listed = client.get("/cases?overdue=1").get_data(as_text=True)
        assert (case.number in listed) == (status == "overdue")
        reminders.remind(moment)
        delivered()
    assert set(told(f"deadline_{status}")) == {"wang"}


# --- A holiday week and its adjusted working days (2026) ----------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "last_day"),
    [
        # Saturday 19 off, Sunday 20 September worked in lieu of National Day: Sun 20, Mon 21, Tue 22.
        (date(2026, 9, 18), date(2026, 9, 22)),
        # The Mid-Autumn Festival (Fri 25) and its weekend are off: Mon 28, Tue 29, Wed 30.
        (date(2026, 9, 24), date(2026, 9, 30)),
        # One working day before National Day (1–7 October), two after it: Wed 30, Thu 8, Fri 9.
        (date(2026, 9, 29), date(2026, 10, 9)),
        # Registered in the holiday: Thu 8, Fri 9 and the adjusted Saturday 10 October.
        (date(2026, 10, 3), date(2026, 10, 10)),
    ],
    ids=["adjusted-sunday", "mid-autumn", "eve-of-national-day", "in-the-holiday"],
)
def test_three_working_days_around_the_2026_holidays(db, station, mediator, registered, last_day):
    case = make_case(station, mediator, now=local(*registered.timetuple()[:3]))
    row = only(case, "acceptance")
    assert row.due_at == end_of_day(last_day) and row.calendar_known


def test_due_soon_is_the_earlier_of_the_share_used_and_the_working_days_left_and_the_setting_moves_it(
    app, db, station, mediator
):
    """Acceptance from Wednesday 30 September runs to the adjusted Saturday 10 October. By default 70 % of
    that time is used on 7 October, in the holiday, before only two working days (Fri 9, Sat 10) are left;
    at 90 % the two working days come first, from Friday 9 October 00:00 in China. A setting applies to
    deadlines opened afterwards; the one already open keeps its moment."""
    start = local(2026, 9, 30)
    before = only(make_case(station, mediator, now=start), "acceptance")
    assert before.due_at == end_of_day(date(2026, 10, 10))
    assert before.warn_at == start + (before.due_at - start) * 0.7
    assert before.warn_at == local(2026, 10, 7, 19, 48)
    assert deadlines.status(before, local(2026, 10, 7, 19, 47)) == deadlines.ON_TIME
    assert deadlines.status(before, local(2026, 10, 7, 19, 48)) == deadlines.DUE_SOON

    result = app.test_cli_runner().invoke(
        args=["mediation", "deadlines", "warn", "--fraction", "0.9", "--working-days", "2"]
    )
    assert result.exit_code == 0, result.output
    after = only(make_case(station, mediator, now=start), "acceptance")
    assert after.warn_at == local(2026, 10, 9, 0)  # the 90 % mark would be Friday 22:36
    assert deadlines.status(after, local(2026, 10, 8, 23, 59)) == deadlines.ON_TIME
    assert before.warn_at == local(2026, 10, 7, 19, 48)  # unchanged

    settings.set_warning(None, 0.9, 0)  # the share alone
    alone = only(make_case(station, mediator, now=start), "acceptance")
    assert alone.warn_at == start + (alone.due_at - start) * 0.9


# --- An extension -----------------------------------------------------------------------------------------


def test_an_extension_replaces_the_period_on_the_page_and_the_trail_keeps_both(client, db, station, mediator):
    case = make_case(station, mediator, now=local(2026, 3, 1))
    fire(case, "accept", mediator, now=local(2026, 3, 2))
    fire(case, "extend", mediator, now=local(2026, 3, 25))
    db.session.commit()
    with time_machine.travel(local(2026, 3, 26), tick=False):
        login(client, mediator)
        card = due_section(client, case)
        page = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "Conclude mediation (extended period)" in card and "by May 1, 2026" in card
    assert "Apr 1, 2026" not in card and card.count("data-deadline=") == 1
    trail = page.split('id="deadlines"')[1].split("</section>", 1)[1]
    assert "Conclude mediation, by Apr 1, 2026" in trail  # set on acceptance
    assert "Conclude mediation (extended period), by May 1, 2026" in trail  # set by the extension
    events = {e.action: e.data.get("deadlines", {}) for e in case.events if e.action in ("accept", "extend")}
    assert events["accept"]["opened"][0]["due_at"] == end_of_day(date(2026, 4, 1)).isoformat()
    assert events["extend"]["opened"][0]["due_at"] == end_of_day(date(2026, 5, 1)).isoformat()
    assert events["extend"]["cancelled"] == ["mediation"]  # replaced, not met
    assert "Deadline no longer applies" in trail


# --- An answer one minute either side of its deadline -------------------------------------------------------


def referred(station, people, at):
    """A case referred to the police at ``at``: they answer within 24 hours, to the minute."""
    case = make_case(station, people["mediator"], now=at - timedelta(days=1))
    fire(case, "accept", people["mediator"], now=at - timedelta(hours=1))
    fire(case, "refer", people["mediator"], now=at)
    row = only(case, "referral_answer")
    assert row.due_at == at + timedelta(hours=24)
    return case, row


def test_an_answer_a_minute_before_its_deadline_is_on_time(db, station, people, police):
    case, row = referred(station, people, local(2026, 3, 2, 9, 30))
    answered = row.due_at - timedelta(minutes=1)
    assert deadlines.status(row, answered) == deadlines.DUE_SOON
    fire(case, "accept_referral", people["police_liaison"], now=answered)
    assert row.met_at == answered < row.due_at
    assert deadlines.status(row, row.due_at + timedelta(hours=1)) == deadlines.MET
    reminders.remind(row.due_at + timedelta(hours=1))
    delivered()
    assert "officer" not in told("deadline_overdue")


def test_an_answer_a_minute_late_was_overdue_from_the_deadline_to_the_second(
    client, db, station, people, police
):
    """Red from ``due_at`` itself; answering a minute later meets the deadline (the row keeps when, after
    ``due_at``, and the trail the step's time), and nothing is overdue any more."""
    case, row = referred(station, people, local(2026, 3, 2, 9, 30))
    assert deadlines.status(row, row.due_at - timedelta(microseconds=1)) == deadlines.DUE_SOON
    assert deadlines.status(row, row.due_at) == deadlines.OVERDUE
    answered = row.due_at + timedelta(minutes=1)
    db.session.commit()
    with time_machine.travel(answered, tick=False):
        login(client, people["mediator"])
        assert 'data-deadline="overdue"' in due_section(client, case)
        reminders.remind(answered)
        delivered()
        assert set(told("deadline_overdue")) == {"officer"}
        fire(case, "accept_referral", people["police_liaison"], now=answered)
        db.session.commit()
        assert 'data-deadline="overdue"' not in due_section(client, case)
    assert deadlines.status(row, answered) == deadlines.MET and row.met_at == answered > row.due_at
    (event,) = [e for e in case.events if e.action == "accept_referral"]
    assert event.at == answered and "referral_answer" in event.data["deadlines"]["met"]
