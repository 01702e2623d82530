"""The case list (filters, search, sorting, pages) and the home page."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for

from mediation.clock import utcnow
from mediation.services import search
from mediation.services.cases import CaseInput, register_case
from mediation.services.parties import PartyInput
from mediation.services.search import CaseFilters, case_query
from mediation.templating import case_url
from tests.conftest import fire, login, make_case, make_station, make_user


def register(
    station, actor, title, *, category="neighbour", channel="walk_in", days_ago=0, parties=None, **extra
):
    """A case registered ``days_ago`` days ago (so its 3-day acceptance deadline may be past)."""
    parties = parties or [
        PartyInput(role="applicant", name=f"申请人{title}"),
        PartyInput(role="respondent", name=f"被申请人{title}"),
    ]
    return register_case(
        actor,
        station,
        CaseInput(title=title, category=category, channel=channel, **extra),
        parties,
        now=utcnow() - timedelta(days=days_ago),
    )


def listed(response) -> list[str]:
    """The case numbers in the page's rows, in order."""
    assert response.status_code == 200, response.status_code
    return re.findall(r'<tr class="[^"]*" data-case="([^"]+)"', response.get_data(as_text=True))


@pytest.fixture
def cases(db, station, mediator, colleague):
    """Five cases at the mediator's station that differ in every filtered attribute."""
    made = {
        "leak": register(station, mediator, "漏水 leak", category="neighbour", days_ago=10, facts="水管破裂"),
        "wages": register(station, colleague, "欠薪 wages", category="labour", channel="grid", days_ago=1),
        "crash": register(
            station,
            mediator,
            "车祸 crash",
            category="traffic",
            channel="police",
            days_ago=2,
            parties=[
                PartyInput(role="applicant", name="孙悟空"),
                PartyInput(role="respondent", name="猪八戒"),
            ],
        ),
        "shop": register(station, mediator, "退货 refund", category="consumer", channel="phone", days_ago=0),
        "fence": register(
            station, colleague, "围墙 fence", category="neighbour", channel="online", days_ago=5
        ),
    }
    fire(made["crash"], "accept", mediator)
    fire(made["fence"], "withdraw", colleague)
    db.session.commit()
    return made


def numbers_of(cases, *keys):
    return sorted(cases[k].number for k in keys)


# --- What is listed ---------------------------------------------------------------------------------------


def test_the_list_shows_only_cases_the_user_may_see(client, db, cases, other_station, outsider):
    theirs = register(other_station, outsider, "别处 elsewhere")
    db.session.commit()
    login(client, cases["leak"].mediator)
    shown = listed(client.get("/cases"))
    assert sorted(shown) == numbers_of(cases, "leak", "wages", "crash", "shop", "fence")
    assert theirs.number not in shown
    login(client, outsider)
    assert listed(client.get("/cases")) == [theirs.number]


def test_each_row_shows_number_link_title_state_risk_category_mediator_parties_and_due(
    client, db, cases, mediator
):
    login(client, mediator)
    page = client.get("/cases?q=车祸").get_data(as_text=True)
    crash = cases["crash"]
    assert f'href="/cases/{crash.number}"' in page
    assert "车祸 crash" in page and 'data-state="mediating"' in page
    assert "text-bg-primary" in page  # low risk is blue
    assert "Road traffic accidents" in page and mediator.name in page
    assert "孙悟空 — 猪八戒" in page


def test_a_rows_parties_are_the_applicants_then_the_respondents_in_their_order(client, db, station, mediator):
    register(
        station,
        mediator,
        "分家 family",
        parties=[
            PartyInput(role="applicant", name="唐僧"),
            PartyInput(role="third_party", name="白龙马"),
            PartyInput(role="respondent", name="沙悟净"),
            PartyInput(role="applicant", name="观音"),
        ],
    )
    db.session.commit()
    login(client, mediator)
    page = client.get("/cases").get_data(as_text=True)
    assert "唐僧、观音 — 沙悟净" in page
    assert "白龙马" not in page  # a third party is on the case page, not in the list


@pytest.mark.parametrize("number", ["S1-2026-0000001", "XLG-2026-12", "a b/c?d#é"])
def test_a_rows_link_is_the_address_url_for_writes(app, number):
    with app.test_request_context("/cases"):
        assert case_url(number) == url_for("case_page.show", number=number)
        assert case_url(number) == url_for("case_page.show", number=number)  # the second, from the cache


@pytest.mark.parametrize(
    "query, expected",
    [
        ("state=mediating", ["crash"]),
        ("state=closed", ["fence"]),
        ("state=open", ["leak", "wages", "crash", "shop"]),
        ("category=neighbour", ["leak", "fence"]),
        ("channel=grid", ["wages"]),
        ("channel=police&state=mediating", ["crash"]),
        ("mine=1", ["leak", "crash", "shop"]),
        ("overdue=1", ["leak"]),
        ("q=leak", ["leak"]),
        ("q=水管", ["leak"]),  # facts
        ("q=猪八戒", ["crash"]),  # a party's name
        ("q=WAGES", ["wages"]),  # any case
    ],
)
def test_each_filter_narrows_the_list(client, db, cases, mediator, query, expected):
    login(client, mediator)
    assert sorted(listed(client.get(f"/cases?{query}"))) == numbers_of(cases, *expected)


def test_search_finds_a_case_by_its_number(client, db, cases, mediator):
    login(client, mediator)
    assert listed(client.get(f"/cases?q={cases['shop'].number.lower()}")) == [cases["shop"].number]


def test_search_treats_wildcards_as_text(client, db, cases, mediator):
    login(client, mediator)
    assert listed(client.get("/cases?q=%25")) == []
    assert listed(client.get("/cases?q=_")) == []


def test_the_station_filter_picks_one_of_several_stations(client, db, cases, station):
    east = make_station("DHJ", "东海街解纷驿站")
    both = make_user("both", "mediator", [station, east])
    there = register(east, both, "东海 east")
    db.session.commit()
    login(client, both)
    page = client.get("/cases").get_data(as_text=True)
    assert 'id="filter-station"' in page
    assert listed(client.get("/cases?station=DHJ")) == [there.number]
    assert there.number not in listed(client.get("/cases?station=xlg"))
    assert len(listed(client.get("/cases?station=xlg"))) == 5


def test_a_station_the_user_does_not_see_matches_nothing(
    client, db, cases, mediator, other_station, outsider
):
    register(other_station, outsider, "别处 elsewhere")
    db.session.commit()
    login(client, mediator)
    assert listed(client.get("/cases?station=DHJ")) == []


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("-registered", ["shop", "wages", "crash", "fence", "leak"]),
        ("registered", ["leak", "fence", "crash", "wages", "shop"]),
        ("number", ["leak", "wages", "crash", "shop", "fence"]),
        ("-number", ["fence", "shop", "crash", "wages", "leak"]),
        # Due: the oldest registered is due first; closed cases (no deadline) always last.
        ("due", ["leak", "wages", "shop", "crash", "fence"]),
    ],
)
def test_sorting(client, db, cases, mediator, sort, expected):
    if sort == "due":
        # Cases due at the same moment come newest first. Registered a working day apart, two cases can still
        # fall due together: over a weekend in China, the day before and the day after both count from Monday.
        due = {key: case.next_due_at for key, case in cases.items()}
        expected = sorted(expected, key=lambda k: (due[k] is None, due[k] or 0, -cases[k].id))
    login(client, mediator)
    assert listed(client.get(f"/cases?sort={sort}")) == [cases[k].number for k in expected]


def test_pages_split_the_list_and_their_links_keep_the_filters(client, db, app, cases, mediator, monkeypatch):
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 2)
    login(client, mediator)
    first = listed(client.get("/cases?state=open&sort=registered"))
    second = listed(client.get("/cases?state=open&sort=registered&page=2"))
    assert first == [cases["leak"].number, cases["crash"].number]
    assert second == [cases["wages"].number, cases["shop"].number]
    page = client.get("/cases?state=open&sort=registered").get_data(as_text=True)
    link = re.search(r'href="(/cases\?[^"]*page=2[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "state=open" in link and "sort=registered" in link
    assert listed(client.get(link)) == second
    # Past the end shows the last page.
    assert listed(client.get("/cases?state=open&sort=registered&page=99")) == second


def test_a_list_longer_than_the_count_cap_says_more_than_and_its_next_links_walk_every_case(
    client, db, app, cases, mediator, monkeypatch
):
    """A province's list is counted only up to ``COUNT_CAP``: it says "more than", and following "Next"
    from the first page shows every case once, in order, nothing skipped or repeated."""
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 2)
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    login(client, mediator)
    newest_first = [cases[k].number for k in ("shop", "wages", "crash", "fence", "leak")]
    seen, url = [], "/cases"
    while url:
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert "More than 3 cases" in text and "of 3" not in text
        seen += listed(response)
        next_link = r'<li class="page-item (disabled)?">\s*<a class="page-link" href="([^"]+)" rel="next"'
        disabled, link = re.search(next_link, text).groups()
        url = None if disabled else link.replace("&amp;", "&")
    assert seen == newest_first
    # Past the end shows the last page; a filter that leaves fewer than the cap is counted exactly.
    assert listed(client.get("/cases?page=99")) == [cases["leak"].number]
    narrowed = client.get("/cases?q=leak").get_data(as_text=True)
    assert "More than" not in narrowed and re.search(r'data-total="(\d+)"', narrowed).group(1) == "1"


def test_overdue_rows_stand_out(client, db, cases, mediator):
    login(client, mediator)
    page = client.get("/cases").get_data(as_text=True)
    rows = {
        number: classes for classes, number in re.findall(r'<tr class="([^"]*)" data-case="([^"]+)"', page)
    }
    assert "overdue" in rows[cases["leak"].number] and "table-danger" in rows[cases["leak"].number]
    assert "overdue" not in rows[cases["shop"].number]
    leak_row = page[page.index(f'data-case="{cases["leak"].number}"') :]
    assert "Overdue" in leak_row[: leak_row.index("</tr>")]


@pytest.mark.parametrize(
    "query",
    [
        "state=bogus",
        "category=<script>",
        "channel=%01",
        "station=%27%3B+DROP+TABLE+case%3B--",
        "page=abc",
        "page=-1",
        "page=0",
        "page=99999999999999999999999",
        "sort=password",
        "sort=-",
        "mine=maybe&overdue=2",
        "q=" + "x" * 500,
        "q=%25%5C_",
    ],
)
def test_garbage_parameters_never_break_the_list(client, db, cases, mediator, query):
    login(client, mediator)
    response = client.get(f"/cases?{query}")
    assert response.status_code == 200


def test_garbage_filters_are_ignored_not_applied(client, db, cases, mediator):
    login(client, mediator)
    assert len(listed(client.get("/cases?state=bogus&category=nope&page=abc"))) == 5


def test_filters_are_read_forgivingly():
    filters = CaseFilters.from_args(
        {"state": "nope", "category": "labour", "page": "-4", "sort": "-due", "mine": "on", "q": "  x  "}
    )
    assert filters == CaseFilters(category="labour", page=1, sort="-due", mine=True, q="x")
    assert filters.to_args(page=3) == {"category": "labour", "mine": "1", "q": "x", "sort": "-due", "page": 3}
    assert CaseFilters.from_args({"page": "7"}).page == 7


def test_case_query_for_a_police_liaison_lists_only_referred_cases(
    db, cases, mediator, police, police_liaison
):
    fire(cases["crash"], "refer", mediator)
    db.session.commit()
    found = db.session.scalars(case_query(police_liaison, CaseFilters())).all()
    assert [c.number for c in found] == [cases["crash"].number]


def test_the_list_needs_a_login(client, db):
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- Home ---------------------------------------------------------------------------------------------


def test_a_mediators_home_lists_their_open_cases_overdue_first(client, db, cases, mediator):
    login(client, mediator)
    response = client.get("/")
    shown = listed(response)
    # Mine and open: leak (overdue), crash (mediating, due in 30 days), shop (due in 3 days).
    assert shown == [cases["leak"].number, cases["shop"].number, cases["crash"].number]
    page = response.get_data(as_text=True)
    assert 'href="/cases/new"' in page
    assert 'href="/station/XLG/visit-log"' in page and 'href="/station/XLG/roster"' in page
    assert "/cases?station=XLG" in page


def test_the_home_counts_open_overdue_and_waiting_cases(client, db, cases, mediator):
    login(client, mediator)
    page = client.get("/").get_data(as_text=True)
    counts = re.findall(r"data-count>(\d+)<", page)
    # My open, my overdue, waiting to be accepted (registered), overdue at my stations.
    assert counts == ["3", "1", "3", "1"]


def test_a_supervisors_home_is_the_oversight_dashboard_over_the_cases_they_oversee(
    client, db, cases, supervisor
):
    login(client, supervisor)
    page = client.get("/").get_data(as_text=True)
    assert ">Oversight</h1>" in page and 'href="/cases/new"' not in page
    open_now = re.search(r'<tr data-figure="open_now".*?<a href="([^"]+)" data-count-link', page, re.S)
    assert sorted(listed(client.get(open_now.group(1).replace("&amp;", "&")))) == numbers_of(
        cases, "leak", "wages", "crash", "shop"
    )


@pytest.mark.parametrize(
    "persona", ["mediator", "colleague", "outsider", "supervisor", "police_liaison", "court_liaison", "admin"]
)
def test_home_and_list_render_for_every_role(client, db, cases, request, persona):
    user = request.getfixturevalue(persona)
    db.session.commit()
    login(client, user)
    home = client.get("/")
    # A liaison's home is their inbox, a supervisor's the oversight dashboard.
    heading = {"police_liaison": "Inbox", "court_liaison": "Inbox", "supervisor": "Oversight"}.get(
        persona, "Home"
    )
    assert home.status_code == 200 and f">{heading}</h1>" in home.get_data(as_text=True)
    assert client.get("/cases?state=open&sort=due").status_code == 200
    expected = 5 if persona in ("mediator", "colleague", "supervisor", "admin") else 0
    assert len(listed(client.get("/cases"))) == expected


def test_the_list_shows_a_date_deadline_as_the_last_day_like_the_case_page(client, db, station, mediator):
    case = make_case(station, mediator, now=datetime(2026, 11, 1, 2, tzinfo=UTC))
    # Accepted on 8 November (China time): its 30 days end as 8 December ends, i.e. 9 December 00:00 local.
    fire(case, "accept", mediator, now=datetime(2026, 11, 8, 2, tzinfo=UTC))
    db.session.commit()
    login(client, mediator)
    html = client.get("/cases").get_data(as_text=True)
    assert ">Dec 8, 2026</time>" in html and "Dec 9, 2026" not in html.split("<tbody>")[1]


@pytest.mark.parametrize("sort", ["-registered", "registered"])
@pytest.mark.parametrize("state", ["", "open"])
def test_a_reader_of_several_stations_pages_through_each_stations_list_merged(
    client, db, app, station, other_station, supervisor, monkeypatch, sort, state
):
    """A supervisor's list is merged from each station's own (``search.merged_ids``): every page holds the
    cases the one query over all their stations would put there, ties in time included, and a station
    they do not oversee adds nothing."""
    third = make_station("DGL", "东岗解纷驿站")
    supervisor.stations.append(third)
    mediators = {s: make_user(f"m{s.code}", "mediator", [s]) for s in (station, other_station, third)}
    same_moment = utcnow() - timedelta(days=3)
    for i in range(4):
        for s in (station, third):
            register(s, mediators[s], f"{s.code}-{i}", days_ago=i % 3)
        at = (station, third)[i % 2]  # the same moment at both stations: ties across the merged lists
        register_case(
            mediators[at],
            at,
            CaseInput(title=f"同时{i}", category="neighbour", channel="walk_in"),
            [PartyInput(role="applicant", name=f"同时{i}")],
            now=same_moment,
        )
        register(other_station, mediators[other_station], f"not theirs {i}")
    newest = db.session.scalars(case_query(supervisor, CaseFilters())).first()
    fire(newest, "withdraw", mediators[newest.station])
    db.session.commit()
    filters = CaseFilters(sort=sort, state=state)
    assert search.merged_stations(supervisor, filters) == {station.id, third.id}
    query = case_query(supervisor, filters)
    everything = [case.number for case in db.session.scalars(query)]
    assert len(everything) == (12 if not state else 11)

    def page(number, merged):
        stations = sorted(search.merged_stations(supervisor, filters)) if merged else ()
        arms = [case_query(supervisor, filters, station_id=station_id) for station_id in stations]
        result = search.paginate(
            query,
            number,
            5,
            count_cap=search.COUNT_CAP,
            arms=arms,
            load=query,
            descending=sort.startswith("-"),
        )
        return [case.number for case in result.items]

    pages = [page(n, merged=True) for n in (1, 2, 3)]
    assert pages == [page(n, merged=False) for n in (1, 2, 3)]
    assert sum(pages, []) == everything
    # Over HTTP, the list a supervisor reads is the merged one.
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 5)
    login(client, supervisor)
    args = f"sort={sort}&state={state}"
    assert [listed(client.get(f"/cases?{args}&page={n}")) for n in (1, 2, 3)] == pages


@pytest.mark.parametrize("sort", ["-registered", "registered", "due"])
@pytest.mark.parametrize("state", ["", "open"])
def test_free_text_is_paged_and_counted_column_by_column_as_the_one_query_would(
    client, db, app, station, mediator, monkeypatch, sort, state
):
    """``search.text_arms``: a case found in its title, its facts and a party's name at once is listed once,
    every page holds what the one query (the union of matches) puts there, and the count, capped or not, is
    the same."""
    for i in range(9):
        title = "漏水纠纷" if i % 3 else "围墙"
        facts = "楼上漏水纠纷" if i % 2 else "无"
        name = "漏水纠纷物业" if i % 4 == 0 else f"张{i}"
        register(
            station,
            mediator,
            title,
            days_ago=i % 4,
            facts=facts,
            parties=[PartyInput(role="applicant", name=name)],
        )
    fire(db.session.scalars(case_query(mediator, CaseFilters(q="漏水纠纷"))).first(), "withdraw", mediator)
    db.session.commit()
    filters = CaseFilters(q="漏水纠纷", sort=sort, state=state)
    everything = [case.number for case in db.session.scalars(case_query(mediator, filters))]
    assert len(everything) == (8 if not state else 7)  # i = 0 is found by its party only; i = 6 nowhere

    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 3)
    login(client, mediator)
    pages = [listed(client.get(f"/cases?q=漏水纠纷&sort={sort}&state={state}&page={n}")) for n in (1, 2, 3)]
    assert sum(pages, []) == everything
    counted = client.get(f"/cases?q=漏水纠纷&sort={sort}&state={state}").get_data(as_text=True)
    assert re.search(r'data-total="(\d+)"', counted).group(1) == str(len(everything))
    # Over the cap: one column alone holds more than it.
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    assert "More than 4 cases" in client.get(f"/cases?q=漏水纠纷&sort={sort}&state={state}").get_data(
        as_text=True
    )
    monkeypatch.setattr(search, "COUNT_CAP", len(everything))
    exactly = client.get(f"/cases?q=漏水纠纷&sort={sort}&state={state}").get_data(as_text=True)
    assert "More than" not in exactly and f'data-total="{len(everything)}"' in exactly
