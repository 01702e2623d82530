"""Issue 15's journey in a real browser: in Chinese on a phone (375 px), a supervisor's home is the
oversight dashboard; they find the station with overdue work in the ranking, follow its overdue count to
exactly those cases, and open one. The same pages print on A4 without spilling sideways."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from playwright.sync_api import expect

from mediation.clock import utcnow
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_journey import fits_the_width
from tests.conftest import fire, make_case, make_station

pytestmark = pytest.mark.browser


@pytest.fixture
def stations(db, station, mediator, supervisor):
    """At 西固 (XLG) two cases left unaccepted for ten days (overdue now) and one being mediated (on time);
    at a second station of the supervisor's, one case closed."""
    supervisor.locale = "zh_Hans_CN"
    second = make_station("XGJ", "西固街解纷驿站")
    supervisor.stations.append(second)
    mediator.stations.append(second)
    then = utcnow() - timedelta(days=10)
    with time_machine.travel(then, tick=False):
        stuck = [make_case(station, mediator, title=f"久拖未受理 stuck {i}", now=then) for i in (1, 2)]
    fine = make_case(station, mediator, title="正在调解 on time")
    fire(fine, "accept", mediator)
    done = make_case(second, mediator, title="已撤回 withdrawn")
    fire(done, "withdraw", mediator)
    db.session.commit()
    return {"stuck": sorted(c.number for c in stuck), "fine": fine.number}


def test_a_supervisor_drills_from_an_overdue_count_to_the_cases_and_opens_one(
    open_page, live_server, stations
):
    page = open_page("zh-CN", 375, 800)
    sign_in(page, live_server, "boss")
    expect(page.get_by_role("heading", level=1)).to_have_text("统计督导")  # home is the dashboard
    row = page.locator("[data-ranking] tr[data-station=XLG]")
    overdue = row.locator("[data-figure=overdue_now] a")
    expect(overdue).to_have_text("2")
    fits_the_width(page)
    screenshot(page, "oversight-phone", full_page=False)
    overdue.click()

    expect(page.locator("[data-drill-down]")).to_contain_text("当前超期")
    expect(page.locator("[data-drill-down]")).to_contain_text("西固解纷驿站")
    expect(page.locator("[data-drill-down-total]")).to_have_text("2")
    rows = page.locator("main tbody tr[data-case]")
    expect(rows).to_have_count(2)
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.case)")) == stations["stuck"]
    fits_the_width(page)

    number = rows.first.get_attribute("data-case")
    rows.first.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(number)
    expect(page.locator("main")).to_contain_text("久拖未受理")
    assert number in stations["stuck"]

    # Back on the list, the supervisor downloads it as a spreadsheet: the same two cases.
    page.go_back()
    with page.expect_download() as download:
        page.locator("a[data-export=xlsx]").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    numbers = [row[0] for row in sheet.iter_rows(values_only=True) if row and str(row[0]).startswith("XLG-")]
    assert sorted(numbers) == stations["stuck"]


def test_the_breakdown_draws_its_charts_and_prints_on_a4(open_page, live_server, stations):
    page = open_page("zh-CN", 1280, 900)
    sign_in(page, live_server, "boss")  # who reads in Chinese
    expect(page.locator("[data-ranking] tbody tr")).to_have_count(2)
    screenshot(page, "oversight-dashboard")
    page.goto(f"{live_server}/oversight/by/station")
    charts = page.locator("figure.chart-figure svg[role=img]")
    expect(charts).to_have_count(2)
    expect(charts.first).to_have_attribute("aria-label", "各驿站结案率")
    screenshot(page, "oversight-by-station")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    expect(page.locator("nav.app-navbar")).to_be_hidden()
    expect(page.locator("form.oversight-picker")).to_be_hidden()
    expect(charts.first).to_be_visible()
    fits_the_width(page)
    assert page.pdf(format="A4")[:4] == b"%PDF"
