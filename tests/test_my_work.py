"""My work (issue 14 §4): each user's open deadlines across their stations or agency — overdue, due today
and due this week in China's days — most urgent first, each a link to where it is done; and a deadline's
warning reads the same on the case page, the case list, the home page and my work (§3)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from mediation.clock import end_of_day
from mediation.services import deadlines, my_work, supervision
from mediation.services.judicial import apply_for_confirmation
from tests.conftest import fire, login, make_case, statements

#: Wednesday 18 March 2026, 10:00 in China: "this week" runs through Sunday 22 March.
NOW = datetime(2026, 3, 18, 2, 0, tzinfo=UTC)
#: The last second of 18 March in China.
TODAY_LAST_SECOND = datetime(2026, 3, 18, 15, 59, 59, tzinfo=UTC)
OVERDUE_AT = datetime(2026, 3, 17, 10, 0, tzinfo=UTC)  # 18:00 yesterday in China
FRIDAY = end_of_day(date(2026, 3, 20))
SUNDAY = end_of_day(date(2026, 3, 22))
NEXT_MONDAY = end_of_day(date(2026, 3, 23))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def only(case, kind):
    (row,) = [d for d in case.deadlines if d.kind == kind and d.is_open]
    return row


def due(case, at, kind="acceptance", *, warn=timedelta(days=2)):
    """Make ``case``'s open ``kind`` deadline fall due at ``at`` (warning ``warn`` before), as a deployment's
    lengths and the calendar would; keeps the case's next due moment with it."""
    row = only(case, kind)
    row.started_at = min(row.started_at, at - timedelta(days=10))
    row.due_at, row.warn_at = at, at - warn
    deadlines.sync(case)
    return row


def registered(station, actor, title, at, **extra):
    """A dispute registered ten days ago, whose acceptance falls due at ``at``."""
    case = make_case(station, actor, title=title, now=NOW - timedelta(days=10), **extra)
    due(case, at)
    return case


def page(client, path="/work", status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def groups(html) -> dict[str, list[str]]:
    """``{group: [case number, …]}`` of the sections of my work, in the order shown."""
    out = {}
    for match in re.finditer(r'data-group="(\w+)"(.*?)</section>', html, re.S):
        out[match.group(1)] = re.findall(r'data-work="\d+" data-case="([^"]+)"', match.group(2))
    return out


def hrefs(html) -> list[tuple[str, str]]:
    """``(kind, href)`` of each row of my work."""
    return re.findall(r'data-kind="(\w+)">\s*<td><a class="fw-semibold" href="([^"]+)"', html)


def links(html) -> dict[str, str]:
    """``{kind: href}`` of the rows of my work (one row of each kind)."""
    return dict(hrefs(html))


@pytest.fixture
def week(db, station, other_station, mediator, colleague, outsider):
    """A mediator's work this week, a colleague's, an unassigned case, and another station's."""
    cases = {
        "overdue": registered(station, mediator, "逾期 overdue", OVERDUE_AT),
        "today": registered(station, mediator, "今天 today", TODAY_LAST_SECOND),
        "friday": registered(station, mediator, "周五 friday", FRIDAY),
        "sunday": registered(station, mediator, "周日 sunday", SUNDAY),
        "next_week": registered(station, mediator, "下周 next week", NEXT_MONDAY),
        "colleague": registered(station, colleague, "同事 colleague", TODAY_LAST_SECOND - timedelta(hours=1)),
        "elsewhere": registered(other_station, outsider, "别处 elsewhere", OVERDUE_AT),
    }
    nobody = registered(station, mediator, "无人 nobody's", OVERDUE_AT + timedelta(hours=1))
    nobody.mediator = None  # nobody mediates it yet
    cases["nobody"] = nobody
    db.session.commit()
    return {k: c.number for k, c in cases.items()}


# --- Whose work, and when -----------------------------------------------------------------------------------


def test_a_mediator_sees_their_cases_and_unassigned_ones_by_when_they_fall_due(client, week, mediator):
    login(client, mediator)
    assert groups(page(client)) == {
        "overdue": [week["overdue"], week["nobody"]],  # earliest due first
        "today": [week["today"]],
        "week": [week["friday"], week["sunday"]],
    }
    html = page(client)
    assert week["next_week"] not in html and week["elsewhere"] not in html and week["colleague"] not in html
    assert "Due this week, through Sunday" in html and "China time" in html


def test_all_at_my_stations_adds_a_colleagues_cases_but_never_another_stations(client, week, mediator):
    login(client, mediator)
    html = page(client, "/work?scope=all")
    assert groups(html)["today"] == [week["colleague"], week["today"]]  # 22:59 before 23:59:59
    assert week["elsewhere"] not in html
    assert 'data-scope="all"' in html and 'aria-current="page"' in html.split('data-scope="all"')[1][:80]


def test_china_decides_what_today_is(client, db, station, mediator):
    case = registered(station, mediator, "午夜 midnight", TODAY_LAST_SECOND)
    db.session.commit()
    with time_machine.travel(datetime(2026, 3, 18, 15, 0, tzinfo=UTC), tick=False):  # 23:00 in China
        login(client, mediator)
        assert groups(page(client))["today"] == [case.number]
    with time_machine.travel(datetime(2026, 3, 18, 16, 0, 1, tzinfo=UTC), tick=False):  # 00:00:01 on the 19th
        login(client, mediator)
        assert groups(page(client))["overdue"] == [case.number]
        assert groups(page(client))["today"] == []


def test_met_work_and_a_lapsed_window_are_left_out_a_window_due_soon_is_not(client, db, station, mediator):
    met = registered(station, mediator, "已受理 accepted", TODAY_LAST_SECOND)
    fire(met, "accept", mediator)
    window = make_case(station, mediator, title="司法确认 window", now=NOW - timedelta(days=20))
    fire(window, "accept", mediator, now=NOW - timedelta(days=20))
    fire(window, "reach_agreement", mediator, now=NOW - timedelta(days=20))
    due(window, FRIDAY, "judicial_confirmation")
    due(window, NEXT_MONDAY, "follow_up")
    db.session.commit()
    login(client, mediator)
    html = page(client)
    assert met.number not in html
    assert groups(html)["week"] == [window.number]
    assert "Last day to apply for judicial confirmation" in html
    with time_machine.travel(FRIDAY + timedelta(hours=1), tick=False):  # the window has passed: lapsed
        login(client, mediator)
        later = page(client)
        assert window.number not in groups(later)["overdue"] and "judicial confirmation" not in later


def test_a_liaison_sees_their_agencys_answers_and_a_courts_liaison_its_windows(
    client, db, station, mediator, police, court, police_liaison, court_liaison
):
    referred = make_case(station, mediator, title="移送 referred", now=NOW - timedelta(days=1))
    fire(referred, "refer", mediator, now=NOW - timedelta(hours=2))  # the police answer within 24 hours
    elsewhere = make_case(station, mediator, title="法院 to the court", now=NOW - timedelta(days=1))
    fire(elsewhere, "refer", mediator, agency="XGFY", now=NOW - timedelta(hours=2))
    due(elsewhere, FRIDAY, "referral_answer")
    confirming = make_case(station, mediator, title="确认 confirming", now=NOW - timedelta(days=5))
    fire(confirming, "accept", mediator, now=NOW - timedelta(days=5))
    fire(confirming, "reach_agreement", mediator, now=NOW - timedelta(days=5))
    apply_for_confirmation(
        mediator, confirming, confirming.version, applied_on="2026-03-16", court="XGFY", now=NOW
    )  # the court decides by 19 March whether to accept it
    db.session.commit()

    login(client, police_liaison)
    police_html = page(client)
    assert groups(police_html) == {"overdue": [], "today": [], "week": [referred.number]}
    assert links(police_html) == {"referral_answer": f"/cases/{referred.number}#referral"}
    assert 'id="referral"' in page(client, f"/cases/{referred.number}")

    login(client, court_liaison)
    court_html = page(client)
    assert sorted(groups(court_html)["week"]) == sorted([elsewhere.number, confirming.number])
    assert links(court_html)["jc_acceptance"] == f"/cases/{confirming.number}#step-jc-answer"
    assert 'id="step-jc-answer"' in page(client, f"/cases/{confirming.number}")

    login(client, mediator)  # neither is the station's work
    station_html = page(client, "/work?scope=all")
    assert referred.number not in station_html and "jc_acceptance" not in station_html


def test_a_supervisor_sees_the_overdue_and_todays_work_of_their_stations_to_read(client, week, supervisor):
    login(client, supervisor)
    html = page(client)
    assert groups(html) == {
        "overdue": [week["overdue"], week["nobody"]],
        "today": [week["colleague"], week["today"]],
    }
    assert week["friday"] not in html and week["elsewhere"] not in html
    shown = ("overdue", "nobody", "colleague", "today")
    assert {href for _kind, href in hrefs(html)} == {f"/cases/{week[k]}#deadlines" for k in shown}


def test_an_administrator_has_nothing_of_their_own_and_is_sent_to_the_overdue_cases(client, week, admin):
    login(client, admin)
    html = page(client)
    assert groups(html) == {}
    assert "no case work of their own" in html and 'href="/cases?overdue=1&amp;sort=due"' in html


def test_each_row_links_to_where_its_work_is_done(client, db, station, mediator):
    accept = registered(station, mediator, "受理 accept", FRIDAY)
    mediate = make_case(station, mediator, title="调解 mediate", now=NOW - timedelta(days=1))
    fire(mediate, "accept", mediator, now=NOW - timedelta(days=1))
    due(mediate, FRIDAY, "mediation")
    visit = make_case(station, mediator, title="回访 visit", now=NOW - timedelta(days=2))
    fire(visit, "accept", mediator, now=NOW - timedelta(days=2))
    fire(visit, "reach_agreement", mediator, now=NOW - timedelta(days=2))
    due(visit, SUNDAY, "follow_up")
    due(visit, SUNDAY, "judicial_confirmation")
    db.session.commit()
    login(client, mediator)
    html = page(client)
    assert links(html) == {
        "acceptance": f"/cases/{accept.number}#step-accept",
        "mediation": f"/cases/{mediate.number}#actions",
        "follow_up": f"/cases/{visit.number}#visits",
        "judicial_confirmation": f"/cases/{visit.number}#step-jc-apply",
    }
    for href in links(html).values():  # and the place is on the page the link opens
        number, anchor = href.removeprefix("/cases/").split("#")
        assert f'id="{anchor}"' in page(client, f"/cases/{number}"), href


def test_a_kind_declared_first_comes_first_in_its_group(db, monkeypatch, station, mediator):
    """A supervisor's 督办 will top the mediator's work: the kinds of ``my_work.PRIORITY`` come first in
    their group, however late they fall due."""
    accept = registered(station, mediator, "受理 accept", NOW + timedelta(hours=1))
    mediate = make_case(station, mediator, title="调解 mediate", now=NOW - timedelta(days=1))
    fire(mediate, "accept", mediator, now=NOW - timedelta(days=1))
    due(mediate, NOW + timedelta(hours=5), "mediation")
    db.session.commit()
    assert [i.case.number for i in my_work.my_work(mediator).first(my_work.TODAY)] == [
        accept.number,
        mediate.number,
    ]
    monkeypatch.setattr(my_work, "PRIORITY", ("mediation",))
    assert [i.case.number for i in my_work.my_work(mediator).first(my_work.TODAY)] == [
        mediate.number,
        accept.number,
    ]


# --- The home page and the counts ---------------------------------------------------------------------------


def tiles(html) -> dict[str, tuple[int, str]]:
    return {
        label.strip(): (int(count), href)
        for href, count, label in re.findall(
            r'<a class="card[^"]*" href="([^"]+)">\s*<div[^>]*>\s*<div[^>]*data-count>(\d+)</div>\s*'
            r'<div class="small text-body">([^<]+)</div>',
            html,
        )
    }


def test_the_home_shows_the_top_of_my_work_and_its_overdue_tiles_count_the_same_rows(client, week, mediator):
    login(client, mediator)
    home = page(client, "/")
    top = home[home.index('data-section="home-work"') :].split("</section>")[0]
    assert re.findall(r'data-work="\d+" data-case="([^"]+)"', top) == [
        week["overdue"],
        week["nobody"],
        week["today"],
    ]
    assert 'href="/work">All my work</a>' in top
    counted = tiles(home)
    assert counted["My open cases"][0] == 5  # the existing tiles stay
    mine, mine_href = counted["My overdue cases"]
    every, every_href = counted["Overdue at my stations"]
    assert mine == len(set(groups(page(client, mine_href.replace("&amp;", "&")))["overdue"])) == 2
    assert every == len(set(groups(page(client, every_href.replace("&amp;", "&")))["overdue"])) == 2
    assert mine_href == "/work#overdue" and every_href == "/work?scope=all#overdue"


def test_a_liaisons_inbox_links_to_their_work(client, db, police_liaison):
    login(client, police_liaison)
    assert 'href="/work"' in page(client, "/")


def test_every_signed_in_user_has_my_work_in_the_navigation(client, db, mediator, police_liaison, admin):
    for user in (mediator, police_liaison, admin):
        login(client, user)
        nav = page(client, "/cases").split('id="nav"')[1].split("</ul>")[0]
        assert 'href="/work">My work</a>' in nav, user.username


def test_my_work_speaks_chinese(client, week, mediator):
    login(client, mediator)
    client.post("/language/zh_Hans_CN", data={"next": "/work"})
    html = page(client)
    for heading in ("我的待办", "已超期", "今天到期", "本周到期"):
        assert heading in html, heading
    assert "Overdue" not in html and "Due today" not in html


def test_my_work_costs_the_same_few_statements_however_many_rows(client, app, db, station, mediator):
    def add(n):
        for i in range(n):
            registered(station, mediator, f"o{i}", OVERDUE_AT)
            registered(station, mediator, f"t{i}", TODAY_LAST_SECOND)
            registered(station, mediator, f"w{i}", FRIDAY)
        db.session.commit()

    add(1)
    login(client, mediator)
    few = {path: statements(client, path) for path in ("/work", "/work?scope=all", "/")}
    add(9)
    many = {path: statements(client, path) for path in few}
    assert len(groups(page(client))["overdue"]) == 10
    assert many == few and few["/work"] <= 8, (few, many)


def test_a_long_group_lists_its_most_urgent_rows_and_counts_them_all(
    client, db, monkeypatch, station, mediator
):
    monkeypatch.setattr(my_work, "SHOWN", 3)
    made = [registered(station, mediator, f"o{i}", OVERDUE_AT - timedelta(hours=i)) for i in range(5)]
    numbers = [case.number for case in made]
    db.session.commit()
    login(client, mediator)
    html = page(client)
    assert groups(html)["overdue"] == numbers[::-1][:3]  # the longest overdue first
    section = html.split('data-group="overdue"')[1].split("</section>")[0]
    assert re.search(r"data-count>5<", section) and "The 3 most urgent of 5 are listed." in section
    assert "/cases?overdue=1&amp;sort=due" in section
    # Only the listed rows are loaded; every row is counted, as the home page's tile counts them.
    work = my_work.my_work(mediator)
    assert [item.number for item in work.groups[my_work.OVERDUE]] == numbers[::-1][:3]
    assert (work.count(my_work.OVERDUE), work.cases(my_work.OVERDUE)) == (5, 5)


def test_each_view_counts_every_row_and_case_even_where_none_of_a_side_is_listed(
    client, db, monkeypatch, station, mediator, colleague, supervisor
):
    """A mediator's own rows fill the listed ones; the colleague's, less urgent, are counted all the same,
    and a case with two rows due is one case."""
    monkeypatch.setattr(my_work, "SHOWN", 2)
    mine = [registered(station, mediator, f"m{i}", OVERDUE_AT - timedelta(hours=10 + i)) for i in range(3)]
    for i in range(2):
        registered(station, colleague, f"c{i}", OVERDUE_AT - timedelta(hours=i))
    supervision.start(
        supervisor, mine[0], mine[0].version, urgency="key", due_on="2026-03-20", request="请推进", now=NOW
    )
    due(mine[0], OVERDUE_AT, "supervision")  # a second overdue row on the same case
    db.session.commit()
    work = my_work.my_work(mediator, scope=my_work.ALL)
    assert [(i.number, i.deadline.kind) for i in work.first(my_work.OVERDUE)] == [
        (mine[0].number, "supervision"),  # 督办 first
        (mine[2].number, "acceptance"),
    ]
    assert (work.count(my_work.OVERDUE), work.cases(my_work.OVERDUE)) == (6, 5)
    assert (
        work.count(my_work.OVERDUE, scope=my_work.MINE),
        work.cases(my_work.OVERDUE, scope=my_work.MINE),
    ) == (
        4,
        3,
    )
    login(client, mediator)
    counted = tiles(page(client, "/"))
    assert (counted["My overdue cases"][0], counted["Overdue at my stations"][0]) == (3, 5)


# --- A warning reads the same everywhere (§3) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (TODAY_LAST_SECOND - timedelta(hours=1), "due_soon"),
        (TODAY_LAST_SECOND + timedelta(hours=2), "overdue"),
    ],
)
def test_a_deadlines_badge_is_the_same_on_the_case_page_the_list_the_home_and_my_work(
    client, db, station, mediator, at, expected
):
    case = registered(station, mediator, "一处 one case", TODAY_LAST_SECOND)
    db.session.commit()
    with time_machine.travel(at, tick=False):
        login(client, mediator)
        case_page = page(client, f"/cases/{case.number}")
        due_card = case_page[case_page.index('id="deadlines"') :].split("</section>")[0]
        listed = page(client, "/cases")
        list_row = listed[listed.index(f'data-case="{case.number}"') :].split("</tr>")[0]
        home = page(client, "/")
        home_rows = re.findall(rf'data-case="{case.number}".*?</tr>', home, re.S)
        work = page(client)
        work_row = work[work.index(f'data-case="{case.number}"') :].split("</tr>")[0]
        for where, html in [("case page", due_card), ("case list", list_row), ("my work", work_row)] + [
            (f"home {i}", row) for i, row in enumerate(home_rows)
        ]:
            assert re.findall(r'data-due="(\w+)"', html) == [expected], where
        assert len(home_rows) == 2  # in the open cases, and at the top of my work
