"""The oversight figures (``services.metrics``) on a small dataset whose answers were worked out by hand.

November 2026 at 西固 (XLG), the clock at 16 November, 12:00 in China:

- A, neighbour, registered 3 Nov: accepted 3 Nov, agreement 5 Nov (to perform by 9 Nov), visit 9 Nov (found
  performed, satisfaction 4), closed 10 Nov: resolved, on time, 7 days.
- B, neighbour, registered Wednesday 4 Nov: accepted 10 Nov, after its 3 working days ended on 9 Nov (late);
  mediation failed 12 Nov: unresolved, late, 8 days.
- C, contract, registered Friday 6 Nov: never accepted (due 11 Nov, overdue now); under supervision 14 Nov.
- D, neighbour, registered 28 Oct: accepted 29 Oct, withdrawn 12 Nov: on time, 15 days.
- E, contract, registered 10 Nov: accepted, referred to the police 11 Nov 09:00, accepted by them at 11:00.
- F, neighbour, registered 5 Nov at 东海街 (DHJ), withdrawn 6 Nov: outside the scope.

So for November: opened A B C E = 4, of them closed A B = 2 (closure rate 50 %); closed A B D = 3, on time A D
(2/3), resolved 1, failed 1, withdrawn 1, median days to close 8; agreements 1, failures 1 (success 50 %);
open now C E = 2, overdue now C = 1; referred E = 1, answered and accepted (100 %), median answer 2 hours;
follow-up visits due A (9 Nov) and B (19 Nov) = 2, made A = 1 (50 %), mean satisfaction 4; put under
supervision C = 1, answered 0, open 1. October: opened D = 1, nothing closed.
"""

from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import select

from mediation.clock import LOCAL_ZONE
from mediation.models import Case
from mediation.services import followups, metrics, supervision
from tests.conftest import fire, make_case, make_station, make_user

NOVEMBER = metrics.month_of(date(2026, 11, 1))
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=LOCAL_ZONE)


def at(month, day, hour=10, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_ZONE)


def step(case, trigger, actor, when, **data):
    with time_machine.travel(when, tick=False):
        return fire(case, trigger, actor, **data)


@pytest.fixture
def november(db, station, other_station, mediator, police, police_liaison, supervisor):
    far = make_user("far", "mediator", [other_station])
    made = {}

    def case(key, where, who, when, category):
        with time_machine.travel(when, tick=False):
            made[key] = make_case(where, who, title=f"case {key}", category=category, now=when)
        return made[key]

    a = case("A", station, mediator, at(11, 3, 9), "neighbour")
    step(a, "accept", mediator, at(11, 3, 10))
    step(a, "reach_agreement", mediator, at(11, 5), performance_deadline="2026-11-09")
    with time_machine.travel(at(11, 9, 15), tick=False):
        followups.record_visit(mediator, a, done_on="2026-11-09", method="phone", performance="fully",
                               satisfaction=4)  # fmt: skip
    step(a, "close", mediator, at(11, 10))
    b = case("B", station, mediator, at(11, 4, 9), "neighbour")
    step(b, "accept", mediator, at(11, 10, 9))
    step(b, "fail_mediation", mediator, at(11, 12))
    c = case("C", station, mediator, at(11, 6, 9), "contract")
    with time_machine.travel(at(11, 14), tick=False):
        supervision.start(supervisor, c, c.version, urgency="key", due_on="2026-11-17", request="请尽快受理")
    d = case("D", station, mediator, at(10, 28, 9), "neighbour")
    step(d, "accept", mediator, at(10, 29))
    step(d, "withdraw", mediator, at(11, 12, 11))
    e = case("E", station, mediator, at(11, 10, 8), "contract")
    step(e, "accept", mediator, at(11, 10, 8, 30))
    step(e, "refer", mediator, at(11, 11, 9))
    step(e, "accept_referral", police_liaison, at(11, 11, 11))
    f = case("F", other_station, far, at(11, 5, 9), "neighbour")
    step(f, "withdraw", far, at(11, 6))
    db.session.commit()
    return made


def scope(station):
    return metrics.Scope((station.id,))


def test_every_figure_of_november_as_worked_out_by_hand(november, station):
    t = metrics.totals(scope(station), NOVEMBER, now=NOW)
    assert (t["opened"], t["opened_closed"], t["closure_rate"]) == (4, 2, 0.5)
    assert (t["closed"], t["closed_on_time"], t["on_time_rate"]) == (3, 2, pytest.approx(2 / 3))
    assert (t["resolved"], t["failed"], t["withdrawn"], t["declined"]) == (1, 1, 1, 0)
    assert t["median_days_to_close"] == 8
    assert (t["agreements"], t["success_rate"]) == (1, 0.5)
    assert (t["open_now"], t["overdue_now"]) == (2, 1)
    assert (t["referred"], t["referral_answered"], t["referral_accepted"], t["referral_acceptance"]) == (
        1, 1, 1, 1.0,
    )  # fmt: skip
    assert t["median_answer_hours"] == pytest.approx(2.0)
    assert (t["follow_ups_due"], t["follow_ups_done"], t["follow_up_completion"]) == (2, 1, 0.5)
    assert t["mean_satisfaction"] == 4
    assert (t["supervised"], t["supervision_answered"], t["supervision_open"]) == (1, 0, 1)


def test_the_previous_period_is_october(november, station):
    october = NOVEMBER.previous()
    assert (october.start, october.end, october.kind) == (date(2026, 10, 1), date(2026, 10, 31), "month")
    t = metrics.totals(scope(station), october, now=NOW)
    assert (t["opened"], t["closed"], t["closure_rate"], t["median_days_to_close"]) == (1, 0, 1.0, None)


def test_breakdowns_by_category_and_month(november, station):
    by_category = metrics.breakdown(scope(station), NOVEMBER, "category", names=["opened", "closed"], now=NOW)
    assert by_category == {"neighbour": {"opened": 2, "closed": 3}, "contract": {"opened": 2, "closed": 0}}
    autumn = metrics.Period(date(2026, 10, 1), date(2026, 11, 30))
    by_month = metrics.breakdown(scope(station), autumn, "month", names=["opened", "closed"], now=NOW)
    assert by_month == {"2026-10": {"opened": 1, "closed": 0}, "2026-11": {"opened": 4, "closed": 3}}


def test_the_by_station_breakdown_counts_only_the_scope(november, station, other_station):
    both = metrics.Scope((station.id, other_station.id))
    groups = metrics.breakdown(both, NOVEMBER, "station", names=["opened", "closed"], now=NOW)
    assert groups == {station.id: {"opened": 4, "closed": 3}, other_station.id: {"opened": 1, "closed": 1}}
    assert metrics.totals(metrics.Scope((other_station.id,)), NOVEMBER, now=NOW)["opened"] == 1


def dated(counts):
    """The figures of a period (the "now" figures are counted on the current side only)."""
    return {name: count for name, count in counts.items() if not metrics.is_now(name)}


@pytest.mark.parametrize("period", [NOVEMBER, metrics.month_of(date(2026, 12, 1))], ids=["nov", "dec"])
def test_the_dashboards_one_query_per_source_gives_each_periods_own_figures(
    november, station, other_station, period
):
    """``compare`` reads a period and the one before in one query per source; each side, station by
    station and in total, is what that period's own queries count (December's previous side is the
    November worked out above)."""
    both = metrics.Scope((station.id, other_station.id))
    compared = metrics.compare(both, period, now=NOW)
    averages = metrics.compare_averages(both, period, now=NOW)
    for side, on in {metrics.CURRENT: period, metrics.PREVIOUS: period.previous()}.items():
        stations = {key: dated(counts) for (s, key), counts in compared.items() if s == side}
        expected = metrics.breakdown(both, on, "station", now=NOW)
        assert {k: c for k, c in stations.items() if any(c.values())} == {
            k: dated(c) for k, c in expected.items() if any(dated(c).values())
        }
        assert dated(metrics.side_totals(compared, side)) == dated(metrics.breakdown(both, on, now=NOW)[None])
        assert averages[side] == metrics.averages(both, on, now=NOW)
    november = metrics.CURRENT if period == NOVEMBER else metrics.PREVIOUS
    at_xlg = metrics.compare(scope(station), period, now=NOW)
    assert metrics.side_totals(at_xlg, november)["closed"] == 3
    assert metrics.compare_averages(scope(station), period, now=NOW)[november]["median_days_to_close"] == 8


def numbers(condition):
    from mediation.extensions import db

    return sorted(db.session.scalars(select(Case.title).where(condition)))


@pytest.mark.parametrize(
    ("name", "titles"),
    [
        ("opened", ["case A", "case B", "case C", "case E"]),
        ("opened_closed", ["case A", "case B"]),
        ("mediated", ["case A", "case B", "case E"]),
        ("visited", ["case A"]),
        ("closed", ["case A", "case B", "case D"]),
        ("closed_on_time", ["case A", "case D"]),
        ("failed", ["case B"]),
        ("overdue_now", ["case C"]),
        ("open_now", ["case C", "case E"]),
        ("agreements", ["case A"]),
        ("referral_accepted", ["case E"]),
        ("follow_ups_due", ["case A", "case B"]),
        ("follow_ups_done", ["case A"]),
        ("supervised", ["case C"]),
    ],
)
def test_each_drill_down_lists_exactly_the_cases_counted(november, station, name, titles):
    condition = metrics.cases(name, scope(station), NOVEMBER, now=NOW)
    assert numbers(condition) == titles
    assert metrics.totals(scope(station), NOVEMBER, now=NOW)[name] == len(titles)


def test_a_drill_down_of_a_breakdown_row_equals_its_count(november, station):
    neighbour = metrics.Slice(category="neighbour")
    groups = metrics.breakdown(scope(station), NOVEMBER, "category", now=NOW)
    for name in metrics.FIGURES:
        listed = numbers(metrics.cases(name, scope(station), NOVEMBER, neighbour, now=NOW))
        assert len(listed) == groups.get("neighbour", {}).get(name, 0), name


def test_a_reopened_case_keeps_its_first_closure(november, station, supervisor, mediator):
    a = november["A"]
    step(a, "reopen", supervisor, at(11, 15))
    assert a.state == "mediating" and a.closed_at is None and a.first_closed_at == at(11, 10)
    t = metrics.totals(scope(station), NOVEMBER, now=NOW)
    assert (t["closed"], t["resolved"], t["open_now"]) == (3, 1, 3)  # still closed in November, and open now
    step(a, "withdraw", mediator, at(11, 16, 9))
    assert a.first_outcome == "resolved" and a.outcome == "withdrawn"
    assert metrics.totals(scope(station), NOVEMBER, now=NOW)["closed"] == 3  # counted once


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"period": "this_month"}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
        ({"period": "last_month"}, (date(2026, 10, 1), date(2026, 10, 31), "month")),
        ({"period": "this_quarter"}, (date(2026, 10, 1), date(2026, 12, 31), "quarter")),
        ({"period": "this_year"}, (date(2026, 1, 1), date(2026, 12, 31), "year")),
        ({"from": "2026-02-01", "to": "2026-02-28"}, (date(2026, 2, 1), date(2026, 2, 28), "month")),
        ({"from": "2026-11-03", "to": "2026-11-09"}, (date(2026, 11, 3), date(2026, 11, 9), "range")),
        ({"from": "2026-11-09", "to": "2026-11-03"}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
        ({"from": "garbage", "to": ""}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
        ({"from": "1026-01-01", "to": "2026-01-01"}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
    ],
)
def test_periods_from_what_people_type(args, expected):
    period = metrics.period_from_args(args, today=date(2026, 11, 16))
    assert (period.start, period.end, period.kind) == expected


def test_previous_periods_at_the_year_and_quarter_turn():
    january = metrics.month_of(date(2026, 1, 15))
    assert (january.previous().start, january.previous().end) == (date(2025, 12, 1), date(2025, 12, 31))
    q1 = metrics.quarter_of(date(2026, 2, 1))
    assert (q1.previous().start, q1.previous().end) == (date(2025, 10, 1), date(2025, 12, 31))
    week = metrics.Period(date(2026, 11, 9), date(2026, 11, 15))
    assert (week.previous().start, week.previous().end) == (date(2026, 11, 2), date(2026, 11, 8))


def test_a_period_is_counted_in_chinas_days(db, station, mediator):
    """A case registered at 23:30 on 30 November in China (15:30 UTC) is November's; one at 00:30 on
    1 December (16:30 UTC on 30 November) is December's."""
    late = at(11, 30, 23, 30)
    early = at(12, 1, 0, 30)
    for when in (late, early):
        with time_machine.travel(when, tick=False):
            make_case(station, mediator, now=when)
    december = metrics.month_of(date(2026, 12, 1))
    assert metrics.totals(scope(station), NOVEMBER, now=early)["opened"] == 1
    assert metrics.totals(scope(station), december, now=early)["opened"] == 1


def test_scope_is_the_readers_stations(
    db, station, other_station, supervisor, mediator, admin, police_liaison
):
    elsewhere = make_station("ZY", "正阳")
    assert metrics.scope_for(supervisor).station_ids == (station.id,)
    assert metrics.scope_for(supervisor, ["DHJ"]).station_ids == ()  # not theirs: ignored, never added
    assert metrics.scope_for(mediator).station_ids == (station.id,)
    assert set(metrics.scope_for(admin).station_ids) == {station.id, other_station.id, elsewhere.id}
    assert metrics.scope_for(admin, ["ZY"]).station_ids == (elsewhere.id,)
    assert metrics.scope_for(police_liaison).station_ids == ()


def test_the_amount_involved_is_summed_over_the_cases_opened(november, station):
    """A ¥1,200.50, B ¥300, C none, E ¥320,000 (opened in November); D's ¥9,999 is October's."""
    from decimal import Decimal

    from mediation.extensions import db

    for key, amount in (("A", "1200.50"), ("B", "300"), ("D", "9999"), ("E", "320000")):
        november[key].amount = Decimal(amount)
    db.session.commit()
    total = metrics.sums(scope(station), NOVEMBER, now=NOW)
    assert total == {None: {"amount": Decimal("321500.50")}}
    by_category = metrics.sums(scope(station), NOVEMBER, "category", now=NOW)
    assert by_category == {
        "neighbour": {"amount": Decimal("1500.50")},
        "contract": {"amount": Decimal("320000.00")},
    }
    october = metrics.sums(scope(station), NOVEMBER.previous(), now=NOW)
    assert october == {None: {"amount": Decimal("9999.00")}}
    assert metrics.sums(scope(station), metrics.month_of(date(2026, 9, 1)), now=NOW) == {}
