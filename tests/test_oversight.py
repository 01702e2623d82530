"""The supervisor's view (issue 15 §2–4, §7): the dashboard and the breakdowns over the hand-worked November
of tests/test_metrics.py, each number a link to the case list of exactly its cases, and who sees what.

The clock stands at 16 November 2026, 12:00 in China (``NOW``), as in the figures' own tests.
"""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from mediation.services import metrics
from tests.conftest import login, make_case, make_station, make_user, statements
from tests.test_metrics import NOW, november  # noqa: F401  (the fixture)


@pytest.fixture
def at_now(november):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        yield november


def html_of(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def cell(html: str, figure: str, within: str | None = None) -> str:
    """The first cell of ``figure`` (``data-figure``), inside the row ``within`` starts with if given."""
    if within is not None:
        html = html[html.index(within) :]
    start = html.index(f'data-figure="{figure}"')
    return html[start : html.index("</t", start)]


def row_of(html: str, start: str) -> str:
    html = html[html.index(start) :]
    return html[: html.index("</tr>")]


def link_and_count(fragment: str) -> tuple[str, int]:
    href, count = re.search(r'<a href="([^"]+)" data-count-link[^>]*>([\d,]+)</a>', fragment).groups()
    return unescape(href), int(count.replace(",", ""))


def listed(client, href) -> tuple[int, list[str]]:
    """The case list at ``href``: the total it says, and the titles of its rows."""
    html = html_of(client, href)
    total = int(re.search(r'data-total="(\d+)"', html).group(1))
    return total, sorted(re.findall(r"\s(case [A-F]) ", html))


def every_count(html: str) -> list[tuple[str, int]]:
    return [(unescape(h), int(n.replace(",", ""))) for h, n in re.findall(
        r'<a href="([^"]+)" data-count-link[^>]*>([\d,]+)</a>', html
    )]  # fmt: skip


def test_the_dashboard_shows_novembers_figures_beside_octobers(client, at_now, supervisor):
    login(client, supervisor)
    html = html_of(client, "/oversight/")
    assert "November 2026" in html and "October 2026" in html
    row = html[html.index('<tr data-figure="opened"') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r"data-count-link[^>]*>(\d+)<", row) == ["4", "1"]  # 4 opened in November, 1 in October
    assert 'data-change="up"' in row and "up 3" in row
    closure = row_of(html, '<tr data-figure="closure_rate"')
    assert re.findall(r"(\d+%)", closure) == ["50%", "100%"]  # of November's 4, 2 closed; October's 1 of 1
    assert 'data-change="down" data-tone="bad"' in closure and "down 50 points" in closure
    overdue = row_of(html, '<tr data-figure="overdue_now"')
    assert re.findall(r"data-count-link[^>]*>(\d+)<", overdue) == ["1"]  # now: no previous period to compare


@pytest.mark.parametrize(
    ("figure", "titles"),
    [
        ("opened", ["case A", "case B", "case C", "case E"]),
        ("closed", ["case A", "case B", "case D"]),
        ("closed_on_time", ["case A", "case D"]),
        ("overdue_now", ["case C"]),
        ("referral_accepted", ["case E"]),
        ("follow_ups_due", ["case A", "case B"]),
        ("supervised", ["case C"]),
    ],
)
def test_a_dashboard_number_opens_the_list_of_exactly_its_cases(client, at_now, supervisor, figure, titles):
    login(client, supervisor)
    href, count = link_and_count(row_of(html_of(client, "/"), f'<tr data-figure="{figure}"'))
    assert count == len(titles)
    assert listed(client, href) == (count, titles)


def test_the_list_says_what_it_shows(client, at_now, supervisor):
    login(client, supervisor)
    html = html_of(client, "/cases?metric=closed&from=2026-11-01&to=2026-11-30&station=XLG")
    assert "Cases closed, November 2026, 西固解纷驿站: <span data-drill-down-total>3</span>" in html
    html = html_of(client, "/cases?metric=overdue_now&from=2026-11-01&to=2026-11-30")
    assert (
        "Overdue now, All my stations: <span data-drill-down-total>1</span>" in html
    )  # no period: it is now
    client.post("/language/zh_Hans_CN", data={"next": "/"})
    html = html_of(client, "/cases?metric=closed&from=2026-11-01&to=2026-11-30&category=neighbour")
    assert "结案数，2026年11月，我的全部驿站，邻里纠纷：<span data-drill-down-total>3</span>" in html


@pytest.mark.parametrize("page", ["/oversight/", *(f"/oversight/by/{d}" for d in metrics.DIMENSIONS)])
def test_every_number_on_every_page_is_the_count_of_its_list(client, at_now, supervisor, page):
    """Each count of the dashboard and of each breakdown (every row, every figure) equals the total of
    the case list its link opens; the list filtered by the same figure lists those cases."""
    login(client, supervisor)
    counts = every_count(html_of(client, page + "?period=this_month"))
    assert counts and any(n for _, n in counts)
    for href, count in counts:
        assert listed(client, href)[0] == count, href


def test_a_breakdown_row_lists_its_cases(client, at_now, supervisor):
    login(client, supervisor)
    html = html_of(client, "/oversight/by/category?period=this_month")
    neighbour = html[html.index('data-group="neighbour"') :]
    href, count = link_and_count(cell(neighbour, "closed"))
    assert count == 3 and parse_qs(urlsplit(href).query)["category"] == ["neighbour"]
    assert listed(client, href) == (3, ["case A", "case B", "case D"])
    contract = html[html.index('data-group="contract"') :]
    assert listed(client, link_and_count(cell(contract, "opened"))[0]) == (2, ["case C", "case E"])


def opened(html: str) -> int:
    return link_and_count(row_of(html, '<tr data-figure="opened"'))[1]


def test_a_supervisor_sees_only_their_stations_whatever_the_address_asks(client, at_now, supervisor):
    login(client, supervisor)
    assert opened(html_of(client, "/oversight/?period=this_month")) == 4
    assert opened(html_of(client, "/oversight/?period=this_month&station=XLG&station=DHJ")) == 4
    assert opened(html_of(client, "/oversight/?period=this_month&station=DHJ")) == 0  # not theirs: nothing
    assert "东海街" not in html_of(client, "/oversight/by/station?period=this_month&station=DHJ")
    assert listed(client, "/cases?metric=opened&from=2026-11-01&to=2026-11-30&station=DHJ") == (0, [])


def test_a_mediator_sees_their_stations_and_an_administrator_every_one(client, at_now, mediator, admin):
    login(client, mediator)
    assert opened(html_of(client, "/oversight/?period=this_month")) == 4
    assert 'href="/oversight/"' in html_of(client, "/")  # the navbar's link; their home stays their work
    client.post("/logout")
    login(client, admin)
    html = html_of(client, "/oversight/?period=this_month")
    assert opened(html) == 5 and 'data-station="DHJ"' in html and 'data-station="XLG"' in html
    assert 'name="district"' in html and '<option value="西固区"' in html  # districts, not 2,000 ticks
    assert opened(html_of(client, "/oversight/?period=this_month&station=DHJ")) == 1
    assert opened(html_of(client, "/oversight/?period=this_month&district=西固区")) == 5
    assert opened(html_of(client, "/oversight/?period=this_month&district=nowhere")) == 0


def test_a_liaison_may_not_read_the_oversight_pages(client, at_now, police_liaison):
    login(client, police_liaison)
    for path in ("/oversight/", "/oversight/by/station", "/oversight/by/agency?period=last_year"):
        assert client.get(path).status_code == 403, path
    assert 'href="/oversight/"' not in html_of(client, "/")


def test_the_supervisors_home_is_the_dashboard(client, at_now, supervisor):
    login(client, supervisor)
    home = html_of(client, "/")
    assert ">Oversight</h1>" in home and opened(home) == 4 and 'data-station="XLG"' in home


def test_stations_are_ranked_by_closure_rate_then_overdue(client, db, at_now, supervisor, other_station):
    # DHJ (case F): 1 opened, 1 closed: 100 %; XLG: 50 %; XGJ opened nothing: its rate "—", last.
    supervisor.stations.extend([other_station, make_station("XGJ", "西固街解纷驿站")])
    db.session.commit()
    login(client, supervisor)
    html = html_of(client, "/oversight/?period=this_month")
    assert re.findall(r'<tr data-station="(\w+)"', html) == ["DHJ", "XLG", "XGJ"]
    xlg = row_of(html, '<tr data-station="XLG"')
    assert ">50%<" in xlg and link_and_count(cell(xlg, "overdue_now"))[1] == 1
    assert "<svg" in html and 'aria-label="Closure rate by station"' in html


def test_bad_periods_and_dimensions_never_fail(client, at_now, supervisor):
    login(client, supervisor)
    html = html_of(client, "/oversight/?from=2026-13-40&to=x&station=%3Cx%3E&district=" + "x" * 500)
    assert "November 2026" in html
    assert client.get("/oversight/by/nonsense").status_code == 404
    html = html_of(client, "/oversight/?from=2026-11-03&to=2026-11-09")
    assert (
        "Nov 3\u2009–\u20099, 2026" in html and "Oct 27\u2009–\u2009Nov 2, 2026" in html
    )  # a week beside the week before
    assert html_of(client, "/cases?metric=nonsense&month=2026-13&agency=x&mediator=-1")


def test_breakdown_labels_in_the_readers_language(client, at_now, supervisor):
    login(client, supervisor)
    client.post("/language/zh_Hans_CN", data={"next": "/"})
    html = html_of(client, "/oversight/by/month?from=2026-10-01&to=2026-11-30")
    rows = re.findall(r'<tr data-group="([\d-]+)">\s*<th scope="row" class="fw-normal">([^<]+)<', html)
    assert rows[:2] == [("2026-10", "2026年10月"), ("2026-11", "2026年11月")]
    html = html_of(client, "/oversight/by/agency?period=this_month")
    assert "西固派出所" in html and "派出所" in html
    assert 'data-figure="opened"' not in html  # only the referral figures split by agency
    html = html_of(client, "/oversight/by/category?period=this_month")
    assert "邻里纠纷" in html and "合同纠纷" in html


def test_the_dashboard_costs_the_same_few_statements_however_many_cases(
    client, app, db, at_now, station, mediator, supervisor
):
    login(client, supervisor)
    paths = ("/oversight/?period=this_month", "/oversight/by/station?period=this_month")
    few = {path: statements(client, path) for path in paths}
    for i in range(15):
        make_case(station, mediator, title=f"more {i}", now=NOW)
    make_user("second", "mediator", [station])
    db.session.commit()
    many = {path: statements(client, path) for path in paths}
    assert many == few, (few, many)
    # Sign-in session and user, the user's stations, the navbar; then two periods of 7 sources and 3
    # averages, the ranking's 3 sources, its stations.
    assert few["/oversight/?period=this_month"] <= 29, few
    # A breakdown: its 7 sources, the rows' labels, the sign-in and the navbar.
    assert few["/oversight/by/station?period=this_month"] <= 12, few


def test_the_breakdown_charts_are_well_formed_svg_with_the_right_bars(client, at_now, supervisor):
    import xml.etree.ElementTree as ET

    login(client, supervisor)
    svg = "{http://www.w3.org/2000/svg}"
    html = html_of(client, "/oversight/by/category?period=this_month")
    (chart,) = [ET.fromstring(unescape(m)) for m in re.findall(r"<svg xmlns=.*?</svg>", html, re.S)]
    assert chart.get("aria-label") == "Outcomes by category"
    bars = [
        (r.get("data-series"), r.get("data-value"))
        for r in chart.iter(f"{svg}rect")
        if r.get("class") == "chart-bar"
    ]
    assert bars == [
        ("Resolved", "1"),
        ("Mediation failed", "1"),
        ("Withdrawn", "1"),
    ]  # neighbours; contracts: none
    assert [g.get("data-label") for g in chart.iter(f"{svg}g") if g.get("class") == "chart-row"] == [
        "Neighbours", "Contracts",
    ]  # fmt: skip
    html = html_of(client, "/oversight/by/month?from=2026-10-01&to=2026-11-30")
    (chart,) = [ET.fromstring(unescape(m)) for m in re.findall(r"<svg xmlns=.*?</svg>", html, re.S)]
    values = [r.get("data-value") for r in chart.iter(f"{svg}rect") if r.get("class") == "chart-bar"]
    assert values == ["1", "0", "4", "3"]  # October opened 1 closed 0; November 4 and 3


NASTY = [
    "",
    "x",
    "-1",
    "0",
    "9" * 30,
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "<b>",
    "'; --",
    "１２",
    "null",
]


@pytest.mark.parametrize(
    "name", ["period", "from", "to", "station", "district", "metric", "month", "agency", "mediator"]
)
def test_no_value_of_any_argument_breaks_the_oversight_pages_or_the_list(client, at_now, admin, name):
    login(client, admin)
    pages = [("/oversight/", {}), *((f"/oversight/by/{d}", {}) for d in metrics.DIMENSIONS)]
    pages.append(("/cases", {"metric": "closed"}))
    for value in NASTY:
        for page, args in pages:
            response = client.get(page, query_string={**args, name: value})
            assert response.status_code == 200, (page, name, value, response.status_code)


def test_a_breakdown_exports_its_numbers(client, at_now, supervisor):
    """The XLSX of a breakdown has the page's rows and numbers; the CSV the same, with a BOM."""
    import csv
    import io

    from openpyxl import load_workbook

    login(client, supervisor)
    html = html_of(client, "/oversight/by/category?period=this_month")
    assert 'data-export="xlsx"' in html
    response = client.get("/oversight/by/category.xlsx?period=this_month")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Category")
    by_group = {r[0]: dict(zip(rows[header], r, strict=True)) for r in rows[header + 1 :]}
    assert by_group["Neighbours"]["Cases closed"] == 3 and by_group["Contracts"]["Cases opened"] == 2
    assert by_group["Neighbours"]["Closure rate"] == pytest.approx(
        link_and_count(cell(html[html.index('data-group="neighbour"') :], "opened_closed"))[1]
        / link_and_count(cell(html[html.index('data-group="neighbour"') :], "opened"))[1]
    )
    text = client.get("/oversight/by/category.csv?period=this_month").data.decode("utf-8")
    assert text.startswith("\ufeff") and list(csv.reader(io.StringIO(text[1:])))[0][0] == "Category"
    assert client.get("/oversight/by/nonsense.xlsx").status_code == 404
    assert client.get("/oversight/by/category.pdf").status_code == 404
