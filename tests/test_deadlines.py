"""Deadlines as rows on a working-day calendar: what each rule counts, what opens and closes them, when
they are due soon and overdue, and the settings and calendar a deployment keeps."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mediation import lifecycle
from mediation.clock import end_of_day
from mediation.errors import Invalid
from mediation.models import AuditEntry, CalendarDay, Case, Deadline
from mediation.services import calendar, deadlines, judicial, search, settings
from mediation.services.agreements import update_agreement
from tests.conftest import fire, login, make_case

#: 2026-03-02 09:30 in China, a Monday.
T = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def local(y, m, d, hour=10):
    """A moment on a local (China) day."""
    return datetime(y, m, d, hour, tzinfo=UTC) - timedelta(hours=8)


def open_rows(case, kind=None):
    return [d for d in case.deadlines if d.is_open and (kind is None or d.kind == kind)]


def only(case, kind):
    (row,) = open_rows(case, kind)
    return row


# --- What each rule counts ---------------------------------------------------------------------------------


def test_acceptance_counts_three_working_days_over_a_weekend(db, station, mediator):
    case = make_case(station, mediator, now=local(2026, 3, 6))  # a Friday
    row = only(case, "acceptance")
    assert (row.days, row.unit, row.calendar_known) == (3, "working", True)
    assert row.due_at == end_of_day(date(2026, 3, 11))  # Mon, Tue, Wed


def test_working_days_skip_national_day_and_count_the_adjusted_saturday(db, station, mediator):
    """2026: 1–7 October off, Saturday 10 October worked in lieu (State Council notice)."""
    case = make_case(station, mediator, now=local(2026, 9, 30))
    assert only(case, "acceptance").due_at == end_of_day(date(2026, 10, 10))  # Thu 8, Fri 9, Sat 10


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday_and_says_so(client, db, station, mediator):
    case = make_case(station, mediator, now=local(2027, 9, 30))  # 2027 is not in the calendar
    row = only(case, "acceptance")
    assert row.calendar_known is False
    assert row.due_at == end_of_day(date(2027, 10, 5))  # Fri 1, Mon 4, Tue 5: no National Day known
    db.session.commit()
    login(client, mediator)
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "Counted Monday to Friday: the holidays of that year are not in the calendar yet." in html


def test_mediation_runs_thirty_whole_days_from_acceptance(db, station, mediator):
    case = make_case(station, mediator, now=T - timedelta(days=1))
    fire(case, "accept", mediator, now=T)
    row = only(case, "mediation")
    assert row.started_at == T and row.due_at == end_of_day(date(2026, 4, 1))
    assert case.next_due_at == row.due_at
    assert not open_rows(case, "acceptance")


@pytest.mark.parametrize(
    ("agency", "liaison", "answer", "result"),
    [("XGPS", "police_liaison", timedelta(days=1), 5), ("XGFY", "court_liaison", timedelta(days=7), 30)],
)
def test_an_agency_answers_and_reports_by_its_kinds_deadlines(
    db, station, people, police, court, agency, liaison, answer, result
):
    """The police answer within 24 hours and report within 5 days; a court, sent parties advised to sue,
    has 7 days to answer (立案) and 30 to report."""
    case = make_case(station, people["mediator"], now=T - timedelta(days=1))
    fire(case, "accept", people["mediator"], now=T)
    fire(case, "refer", people["mediator"], agency=agency, now=T + timedelta(hours=2))
    row = only(case, "referral_answer")
    assert row.due_at == T + timedelta(hours=2) + answer  # counted from the moment
    assert row.variant == ("police" if agency == "XGPS" else "litigation")
    later = T + timedelta(hours=5)
    fire(case, "accept_referral", people[liaison], now=later)
    assert only(case, "referral_result").due_at == end_of_day(date(2026, 3, 2) + timedelta(days=result))
    assert [d.met_at for d in case.deadlines if d.kind == "referral_answer"] == [later]


def test_the_first_visit_is_due_by_the_agreements_performance_deadline(db, station, mediator):
    case = make_case(station, mediator, now=T - timedelta(days=1))
    fire(case, "accept", mediator, now=T)
    fire(case, "reach_agreement", mediator, now=T, performance_deadline="2026-03-20")
    assert only(case, "follow_up").due_at == end_of_day(date(2026, 3, 20))
    window = only(case, "judicial_confirmation")
    assert window.due_at == end_of_day(date(2026, 4, 1))  # 30 days from the agreement taking effect
    # The optional window never makes the case overdue, and the case waits on the visit.
    assert case.next_due_at == end_of_day(date(2026, 3, 20))


def test_a_case_the_agency_resolved_is_visited_within_a_week(db, station, people, police):
    case = make_case(station, people["mediator"], now=T - timedelta(days=1))
    fire(case, "accept", people["mediator"], now=T)
    fire(case, "refer", people["mediator"], now=T)
    fire(case, "accept_referral", people["police_liaison"], now=T)
    fire(case, "resolve_by_agency", people["police_liaison"], now=T)
    assert only(case, "follow_up").due_at == end_of_day(date(2026, 3, 9))
    assert not open_rows(case, "judicial_confirmation")  # no agreement, nothing to confirm


def test_an_earlier_breached_agreement_does_not_set_the_follow_up_deadline(db, station, people, police):
    case = make_case(station, people["mediator"], now=T - timedelta(days=1))
    fire(case, "accept", people["mediator"], now=T)
    fire(case, "reach_agreement", people["mediator"], now=T, performance_deadline="2026-03-05")
    fire(case, "report_breach", people["mediator"], now=T + timedelta(days=10))
    assert {d.kind for d in open_rows(case)} == {"mediation"}
    fire(case, "refer", people["mediator"], now=T + timedelta(days=11))
    fire(case, "accept_referral", people["police_liaison"], now=T + timedelta(days=11))
    fire(case, "resolve_by_agency", people["police_liaison"], now=T + timedelta(days=12))
    assert only(case, "follow_up").due_at == end_of_day(date(2026, 3, 21))


def test_an_extension_runs_on_from_the_end_of_the_period_once_per_mediation(db, station, people, police):
    case = make_case(station, people["mediator"], now=T - timedelta(days=1))
    fire(case, "accept", people["mediator"], now=T)
    fire(case, "extend", people["mediator"], now=T + timedelta(days=20))
    extension = only(case, "mediation_extension")
    assert extension.started_at == end_of_day(date(2026, 4, 1))
    assert extension.due_at == end_of_day(date(2026, 5, 1))
    assert [d.closed_by for d in case.deadlines if d.kind == "mediation"] == ["extend"]
    assert case.extended
    with pytest.raises(Invalid) as refused:
        fire(case, "extend", people["mediator"], now=T + timedelta(days=21))
    assert refused.value.code == "not_extended_yet"
    # Coming back from an agency starts a new mediation period, with its own extension.
    fire(case, "refer", people["mediator"], now=T + timedelta(days=21))
    fire(case, "recall_referral", people["mediator"], now=T + timedelta(days=22))
    assert not case.extended
    assert only(case, "mediation").due_at == end_of_day(date(2026, 3, 24) + timedelta(days=30))
    fire(case, "extend", people["mediator"], now=T + timedelta(days=23))
    assert case.extended


def test_a_closed_case_has_nothing_open_and_nothing_due(db, station, mediator):
    case = make_case(station, mediator)
    fire(case, "decline", mediator)
    assert open_rows(case) == [] and case.next_due_at is None
    (row,) = case.deadlines
    assert (row.closed_by, row.met_at is not None) == ("decline", True)


def test_applying_for_judicial_confirmation_meets_its_window_and_gives_the_court_three_days(
    db, station, mediator, court
):
    case = make_case(station, mediator, now=T - timedelta(days=1))
    fire(case, "accept", mediator, now=T)
    fire(case, "reach_agreement", mediator, now=T, performance_deadline="2026-03-20")
    judicial.apply_for_confirmation(
        mediator, case, None, applied_on="2026-03-03", court="XGFY", now=T + timedelta(days=2)
    )
    assert not open_rows(case, "judicial_confirmation")
    # Counted from the day the parties applied, though the mediator recorded it a day later.
    assert only(case, "jc_acceptance").due_at == end_of_day(date(2026, 3, 6))
    last = case.events.all()[-1]
    assert last.data["deadlines"]["met"] == ["judicial_confirmation"]


def test_an_oral_agreement_has_no_confirmation_window(db, station, mediator):
    case = make_case(station, mediator, now=T - timedelta(days=1))
    fire(case, "accept", mediator, now=T)
    fire(case, "reach_agreement", mediator, now=T, performance_deadline="2026-03-20")
    update_agreement(case, mediator, None, oral="oral", now=T)
    assert not open_rows(case, "judicial_confirmation")


# --- Overdue, due soon, on time ----------------------------------------------------------------------------


def test_the_one_status_function(db, station, mediator):
    case = make_case(station, mediator, now=T - timedelta(days=1))
    fire(case, "accept", mediator, now=T)  # due as 1 April ends; 70 % of the time is used on 23 March
    row = only(case, "mediation")
    assert deadlines.status(row, T + timedelta(days=5)) == deadlines.ON_TIME
    assert deadlines.status(row, row.warn_at - timedelta(seconds=1)) == deadlines.ON_TIME
    assert deadlines.status(row, row.warn_at) == deadlines.DUE_SOON
    assert row.warn_at.date() in (date(2026, 3, 22), date(2026, 3, 23))
    assert deadlines.status(row, row.due_at) == deadlines.OVERDUE
    fire(case, "withdraw", mediator, now=T + timedelta(days=3))
    assert deadlines.status(row, row.due_at) == deadlines.CANCELLED


def test_a_short_deadline_is_due_soon_two_working_days_before_it_ends(db, station, mediator):
    """Three working days from a Friday end on Wednesday; "two working days left" starts on Tuesday,
    before 70 % of the time is used."""
    case = make_case(station, mediator, now=local(2026, 3, 6, hour=9))
    row = only(case, "acceptance")
    assert row.warn_at == datetime(2026, 3, 10, tzinfo=UTC) - timedelta(hours=8)  # Tuesday 00:00 local


def test_a_lapsed_window_is_not_overdue(db, station, mediator):
    case = make_case(station, mediator, now=T - timedelta(days=1))
    fire(case, "accept", mediator, now=T)
    fire(case, "reach_agreement", mediator, now=T, performance_deadline="2026-03-20")
    window = only(case, "judicial_confirmation")
    assert deadlines.status(window, window.due_at + timedelta(days=1)) == deadlines.LAPSED
    assert deadlines.worst([window], window.due_at + timedelta(days=1)) is None


def test_a_lists_worst_status_is_what_the_deadlines_say(db, station, mediator):
    """The worst status a list computes in its query (``worst_status``) is ``worst`` of the case's rows, at
    every moment around each warning and due moment: met rows, a lapsing window, several open at once."""
    registered = make_case(station, mediator, now=T - timedelta(days=1))
    accepted = make_case(station, mediator, now=T - timedelta(days=1))
    fire(accepted, "accept", mediator, now=T)
    agreed = make_case(station, mediator, now=T - timedelta(days=1))
    fire(agreed, "accept", mediator, now=T)
    fire(agreed, "reach_agreement", mediator, now=T, performance_deadline="2026-03-20")
    window_only = make_case(station, mediator, now=T - timedelta(days=1))
    fire(window_only, "accept", mediator, now=T)
    fire(window_only, "reach_agreement", mediator, now=T, performance_deadline="2026-03-20")
    for row in window_only.deadlines:  # as if visited: only the optional window is left open
        row.met_at = row.met_at or (None if row.rule.lapses else T)
    db.session.flush()
    cases = (registered, accepted, agreed, window_only)
    rows = [row for case in cases for row in case.deadlines]
    assert any(row.rule.lapses for row in rows) and any(not row.is_open for row in rows)
    step = timedelta(seconds=1)
    moments = sorted(
        {m + d for row in rows for m in (row.warn_at, row.due_at) for d in (-step, step * 0, step)}
    )
    ids = [c.id for c in cases]
    for now in moments:
        expected = {case.id: deadlines.worst(case.deadlines, now) for case in cases}
        computed = select(Case.id, deadlines.worst_status(now)).where(Case.id.in_(ids))
        assert dict(db.session.execute(computed).all()) == expected, now
        # As the case table reads it: one statement built once, the moment bound when it runs.
        listed = search.for_table(select(Case).where(Case.id.in_(ids)), now)
        listed = db.session.scalars(listed.execution_options(populate_existing=True)).unique()
        assert {case.id: case.due_now for case in listed} == expected, now


def test_lists_and_counts_mark_what_is_overdue_and_due_soon(client, db, station, mediator, colleague):
    from mediation.clock import utcnow

    now = utcnow()
    overdue = make_case(station, mediator, title="Overdue one", now=now - timedelta(days=40))
    fire(overdue, "accept", mediator, now=now - timedelta(days=35))
    soon = make_case(station, mediator, title="Soon one", now=now - timedelta(days=30))
    fire(soon, "accept", mediator, now=now - timedelta(days=27))
    fine = make_case(station, mediator, title="Fine one", now=now - timedelta(days=1))
    fire(fine, "accept", mediator, now=now)
    db.session.commit()
    login(client, mediator)
    html = client.get("/cases?state=mediating&sort=due").get_data(as_text=True)
    rows = {
        n: html.split(f'data-case="{n}"')[1].split("</tr>")[0]
        for n in (overdue.number, soon.number, fine.number)
    }
    assert 'data-due="overdue"' in rows[overdue.number]
    assert re.search(f'<tr class="overdue table-danger" data-case="{overdue.number}"', html)
    assert 'data-due="due_soon"' in rows[soon.number]
    assert "data-due=" not in rows[fine.number]
    assert html.index(overdue.number) < html.index(soon.number) < html.index(fine.number)
    overdue_list = client.get("/cases?overdue=1").get_data(as_text=True)
    assert overdue.number in overdue_list and soon.number not in overdue_list


# --- Settings ---------------------------------------------------------------------------------------------


def test_a_changed_length_applies_to_deadlines_opened_afterwards_and_is_audited(db, station, mediator, admin):
    before = make_case(station, mediator, now=T)
    settings.set_deadline_length(admin, "acceptance", "", 5, "calendar")
    after = make_case(station, mediator, now=T)
    assert only(before, "acceptance").due_at == end_of_day(date(2026, 3, 5))  # 3 working days, as opened
    assert only(after, "acceptance").due_at == end_of_day(date(2026, 3, 7))  # 5 calendar days
    (entry,) = db.session.scalars(select(AuditEntry).filter_by(action="set_setting"))
    assert (entry.realm, entry.target, entry.actor_id) == (
        "settings",
        "setting:deadline.acceptance",
        admin.id,
    )
    assert entry.old == {"days": 3, "unit": "working"} and entry.new == {"days": 5, "unit": "calendar"}


def test_a_variant_keeps_its_own_length(db):
    assert settings.deadline_length("referral_answer", "police").days == 1
    settings.set_deadline_length(None, "referral_answer", "", 2, "calendar")
    assert settings.deadline_length("referral_answer", "other").days == 2
    assert settings.deadline_length("referral_answer", "police").days == 1
    settings.set_deadline_length(None, "referral_answer", "police", 2, "working")
    assert settings.deadline_length("referral_answer", "police") == settings.Length(2, "working", True)


@pytest.mark.parametrize(
    ("kind", "variant", "days", "unit", "field"),
    [("nope", "", 3, "calendar", "kind"), ("mediation", "", 0, "calendar", "days"),
     ("mediation", "", 3, "weeks", "unit"), ("mediation", "police", 3, "calendar", "variant")],
)  # fmt: skip
def test_a_wrong_setting_is_refused_by_name(db, kind, variant, days, unit, field):
    with pytest.raises(Invalid) as refused:
        settings.set_deadline_length(None, kind, variant, days, unit)
    assert field in refused.value.fields


def test_the_command_line_lists_and_sets_lengths(app, db):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["mediation", "deadlines", "list"]).output
    assert "acceptance" in listed and "3 working" in listed and "referral_answer.police" in listed
    result = runner.invoke(args=["mediation", "deadlines", "set", "mediation", "45"])
    assert result.exit_code == 0, result.output
    assert settings.deadline_length("mediation") == settings.Length(45, "calendar", True)
    assert "(default 30 calendar)" in runner.invoke(args=["mediation", "deadlines", "list"]).output
    bad = runner.invoke(args=["mediation", "deadlines", "set", "mediation", "0"])
    assert bad.exit_code == 2 and "days" in bad.output
    assert (
        runner.invoke(
            args=["mediation", "deadlines", "warn", "--fraction", "0.5", "--working-days", "3"]
        ).exit_code
        == 0
    )
    assert settings.warning() == {"fraction": 0.5, "working_days": 3}


# --- The calendar ---------------------------------------------------------------------------------------


def test_the_migrations_seed_the_years_the_package_knows(db):
    known, days = calendar.year_days(2026)
    assert known is not None and known.source.startswith("chinesecalendar")
    national_day = {d.day: d.working for d in days if d.day.month == 10}
    assert national_day[date(2026, 10, 1)] is False and national_day[date(2026, 10, 10)] is True
    assert calendar.year_days(2027)[0] is None


def test_an_administrator_enters_next_years_holidays_from_the_command_line(app, db, station, mediator):
    runner = app.test_cli_runner()
    assert "2027 is not known" in runner.invoke(args=["mediation", "holidays", "list", "2027"]).output
    for day in ("2027-10-01", "2027-10-04", "2027-10-05"):
        assert (
            runner.invoke(args=["mediation", "holidays", "set", day, "off", "--name", "国庆节"]).exit_code
            == 0
        )
    assert runner.invoke(args=["mediation", "holidays", "set", "2027-10-09", "working"]).exit_code == 0
    assert runner.invoke(args=["mediation", "holidays", "confirm", "2027"]).exit_code == 0
    listed = runner.invoke(args=["mediation", "holidays", "list", "2027"]).output
    assert "2027 is known (source: manual)" in listed and "2027-10-09" in listed
    case = make_case(station, mediator, now=local(2027, 9, 30))
    row = only(case, "acceptance")
    assert row.calendar_known and row.due_at == end_of_day(date(2027, 10, 8))  # Wed 6, Thu 7, Fri 8
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[:5] == ["set_holiday"] * 4 + ["confirm_holiday_year"]
    # Back to a normal weekday; nonsense is refused clearly.
    assert runner.invoke(args=["mediation", "holidays", "set", "2027-10-05", "normal"]).exit_code == 0
    assert db.session.get(CalendarDay, date(2027, 10, 5)) is None
    assert runner.invoke(args=["mediation", "holidays", "set", "2027-13-01", "off"]).exit_code == 2


def test_loading_again_adds_nothing_and_replace_reloads(app, db):
    runner = app.test_cli_runner()
    assert "Nothing new" in runner.invoke(args=["mediation", "holidays", "load"]).output
    assert "Loaded 2004" in runner.invoke(args=["mediation", "holidays", "load", "--replace"]).output


# --- The declaration --------------------------------------------------------------------------------------


def test_a_step_that_leaves_a_deadline_open_where_it_cannot_be_fails_at_import(monkeypatch):
    broken = dict(lifecycle.STEPS)
    broken["accept"] = lifecycle.Step(
        "accept",
        ("registered",),
        "mediating",
        lifecycle.MEDIATOR,
        lifecycle.STATION,
        "x",
        opens=("mediation",),
    )  # forgets to meet "acceptance"
    monkeypatch.setattr(lifecycle, "STEPS", broken)
    with pytest.raises(lifecycle.DeclarationError, match="acceptance"):
        lifecycle._check_deadlines()


def test_every_deadline_row_names_a_declared_rule(db, station, mediator):
    make_case(station, mediator)
    kinds = set(db.session.scalars(select(Deadline.kind)))
    assert kinds <= set(lifecycle.DEADLINES)
