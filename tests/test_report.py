"""The monthly statistical report (``services.report``, ``/reports/monthly``) on a hand-built dataset.

The clock at 5 December 2026, 10:00 in China, so "last month" is November. At 西固 (XLG):

- A, neighbour, ¥1,200.50, registered 3 Nov: accepted, agreement 5 Nov, follow-up visit made 9 Nov.
- B, neighbour, ¥300, registered 4 Nov: accepted, mediation failed 12 Nov.
- C, neighbour, no amount, registered 6 Nov: never accepted.
- D, marriage and family, ¥50,000, registered 10 Nov: accepted, agreement 20 Nov.
- E, contract, ¥320,000, registered 10 Nov: accepted, referred to the police 11 Nov.
- G, compensation for damage, ¥9,999, registered 28 Oct: accepted 29 Oct, agreement 3 Nov.
- H, labour, registered 1 Dec: accepted 2 Dec.
- J, road traffic, registered 10 Sep: accepted, agreement 12 Sep.
- F, neighbour, ¥100, registered 5 Nov at 东海街 (DHJ): outside XLG's reports.

November at XLG, worked out by hand (received, mediated, settled, referred, followed up, amount):
  neighbour 3 (A B C), 2 (A B), 1 (A), 0, 1 (A), 1,500.50
  marriage and family 1 (D), 1, 1, 0, 0, 50,000.00
  contract 1 (E), 1, 0, 1 (E), 0, 320,000.00
  compensation for damage 0, 0, 1 (G's agreement), 0, 0, 0.00
  total 5, 4, 3, 1, 1, 371,500.50; one failure (B), so the success rate is 3 / (3 + 1) = 75 %.
The fourth quarter adds G (received, mediated, ¥9,999) and H (labour: received, mediated): received 7,
mediated 6, settled 3, amount 381,499.50. The year adds J (traffic: received, mediated, settled): 8, 7, 4.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from flask_babel import refresh
from sqlalchemy import select

from mediation import taxonomy
from mediation.clock import LOCAL_ZONE
from mediation.models import Case
from mediation.services import followups, metrics, report
from tests.conftest import fire, login, make_case, make_user

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=LOCAL_ZONE)
NOVEMBER = metrics.month_of(date(2026, 11, 1))
YEAR = "year"
COUNTS = ("opened", "mediated", "agreements", "referred", "visited")


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, 0, tzinfo=LOCAL_ZONE)


def step(case, trigger, actor, when, **data):
    with time_machine.travel(when, tick=False):
        return fire(case, trigger, actor, **data)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dataset(db, station, other_station, mediator, police):
    far = make_user("far", "mediator", [other_station])

    def case(key, where, who, when, category, amount=None):
        with time_machine.travel(when, tick=False):
            return make_case(where, who, title=f"case {key}", category=category, amount=amount, now=when)

    a = case("A", station, mediator, at(11, 3, 9), "neighbour", "1200.50")
    step(a, "accept", mediator, at(11, 3))
    step(a, "reach_agreement", mediator, at(11, 5), performance_deadline="2026-11-09")
    with time_machine.travel(at(11, 9, 15), tick=False):
        followups.record_visit(mediator, a, done_on="2026-11-09", method="phone", performance="fully")
    b = case("B", station, mediator, at(11, 4, 9), "neighbour", "300")
    step(b, "accept", mediator, at(11, 4))
    step(b, "fail_mediation", mediator, at(11, 12))
    case("C", station, mediator, at(11, 6, 9), "neighbour")
    d = case("D", station, mediator, at(11, 10, 9), "marriage_family", "50000")
    step(d, "accept", mediator, at(11, 10))
    step(d, "reach_agreement", mediator, at(11, 20), performance_deadline="2026-12-20")
    e = case("E", station, mediator, at(11, 10, 9), "contract", "320000")
    step(e, "accept", mediator, at(11, 10))
    step(e, "refer", mediator, at(11, 11))
    g = case("G", station, mediator, at(10, 28, 9), "damages", "9999")
    step(g, "accept", mediator, at(10, 29))
    step(g, "reach_agreement", mediator, at(11, 3), performance_deadline="2026-11-30")
    h = case("H", station, mediator, at(12, 1, 9), "labour")
    step(h, "accept", mediator, at(12, 2))
    j = case("J", station, mediator, at(9, 10, 9), "traffic")
    step(j, "accept", mediator, at(9, 10))
    step(j, "reach_agreement", mediator, at(9, 12), performance_deadline="2026-09-30")
    case("F", other_station, far, at(11, 5, 9), "neighbour", "100")
    db.session.commit()


def xlg(station):
    return metrics.Scope((station.id,))


def table(built):
    """``{category: (received, mediated, settled, referred, followed up, amount)}`` of the non-empty rows."""
    out = {}
    for row in [*built.rows, built.total]:
        values = tuple(row[k] for k in COUNTS) + (row["amount"],)
        if any(values):
            out[row.key or "total"] = values
    return out


def test_november_as_worked_out_by_hand(dataset, station, frozen):
    built = report.build(xlg(station), NOVEMBER)
    assert table(built) == {
        "neighbour": (3, 2, 1, 0, 1, Decimal("1500.50")),
        "marriage_family": (1, 1, 1, 0, 0, Decimal("50000.00")),
        "contract": (1, 1, 0, 1, 0, Decimal("320000.00")),
        "damages": (0, 0, 1, 0, 0, Decimal("0.00")),
        "total": (5, 4, 3, 1, 1, Decimal("371500.50")),
    }
    assert built.figures["failed"] == 1
    assert built.figures["success_rate"] == 0.75
    assert [s.code for s in built.stations] == ["XLG"]


def test_one_row_per_category_in_the_bureaus_order_and_the_total_is_their_sum(dataset, station, frozen):
    built = report.build(xlg(station), NOVEMBER)
    assert [row.key for row in built.rows] == list(taxonomy.CATEGORIES)
    assert [c.key for c in built.columns] == ["category", *COUNTS, "amount"]
    for key in (*COUNTS, "amount"):
        assert built.total[key] == sum(row[key] for row in built.rows)
    assert isinstance(built.total["amount"], Decimal)


@pytest.mark.parametrize(
    ("column", "category", "titles"),
    [
        ("opened", "neighbour", ["case A", "case B", "case C"]),
        ("mediated", "neighbour", ["case A", "case B"]),
        ("agreements", "damages", ["case G"]),
        ("referred", "contract", ["case E"]),
        ("visited", "neighbour", ["case A"]),
        ("opened", None, ["case A", "case B", "case C", "case D", "case E"]),
    ],
)
def test_each_cell_is_the_count_of_the_cases_its_figure_lists(
    dataset, station, frozen, column, category, titles
):
    built = report.build(xlg(station), NOVEMBER)
    row = next(r for r in [*built.rows, built.total] if r.key == category)
    figure = next(c.figure for c in built.columns if c.key == column)
    condition = metrics.cases(figure, xlg(station), NOVEMBER, metrics.Slice(category=category))
    from mediation.extensions import db

    assert sorted(db.session.scalars(select(Case.title).where(condition))) == titles
    assert row[column] == len(titles)


def test_a_quarter_and_a_year(dataset, station, frozen):
    quarter = report.build(xlg(station), metrics.quarter_of(date(2026, 11, 1)))
    assert table(quarter)["total"] == (7, 6, 3, 1, 1, Decimal("381499.50"))
    assert table(quarter)["labour"] == (1, 1, 0, 0, 0, Decimal("0.00"))
    assert table(quarter)["damages"] == (1, 1, 1, 0, 0, Decimal("9999.00"))
    year = report.build(xlg(station), metrics.year_of(date(2026, 1, 1)))
    assert table(year)["total"] == (8, 7, 4, 1, 1, Decimal("381499.50"))
    assert table(year)["traffic"] == (1, 1, 1, 0, 0, Decimal("0.00"))


def sentence(app, built, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()  # the locale is cached on the app context the test runs in
        return report.summary(built)


def test_the_summary_sentence_in_chinese_and_english(app, dataset, station, frozen):
    built = report.build(xlg(station), NOVEMBER)
    assert sentence(app, built, "zh-CN") == (
        "本月共受理矛盾纠纷5件，调解成功3件，调解成功率75%，其中邻里纠纷3件、婚姻家庭纠纷1件和合同纠纷1件，"
        "涉及金额37.2万元。"
    )
    assert sentence(app, built, "en") == (
        "This month 5 disputes were received; 3 were settled by agreement (a success rate of 75%);"
        " the disputes received included 3 neighbour disputes, 1 marriage and family dispute,"
        " and 1 contract dispute; the amount involved was 372,000 yuan."
    )
    quarter = report.build(xlg(station), metrics.quarter_of(date(2026, 11, 1)))
    assert sentence(app, quarter, "zh-CN").startswith("本季度共受理矛盾纠纷7件，")
    assert sentence(app, quarter, "en").startswith("This quarter 7 disputes were received;")
    year = report.build(xlg(station), metrics.year_of(date(2026, 1, 1)))
    assert sentence(app, year, "zh-CN").startswith("本年度共受理矛盾纠纷8件，调解成功4件，调解成功率80%，")


def made_up(counts: dict, amount="0", failed=0, kind=metrics.MONTH):
    """A report of the given received counts by category (everything received was settled)."""
    rows = []
    for code in taxonomy.CATEGORIES:
        n = counts.get(code, 0)
        rows.append(report.Row(code, (code, n, n, n, 0, 0, Decimal("0"))))
    total = sum(counts.values())
    figures = {"opened": total, "agreements": total, "failed": failed}
    figures["success_rate"] = total / (total + failed) if total + failed else None
    total_row = report.Row(None, ("total", total, total, total, 0, 0, Decimal(amount)))
    period = metrics.Period(date(2026, 11, 1), date(2026, 11, 30), kind)
    return report.Report(period, metrics.Scope(()), [], report.COLUMNS, rows, total_row, figures)


def test_the_sentence_names_the_four_biggest_categories_and_sums_the_rest(app):
    built = made_up(
        {"neighbour": 23, "marriage_family": 18, "labour": 9, "contract": 9, "traffic": 5, "other": 4,
         "medical": 1},
        amount="356049.99",
    )  # fmt: skip
    assert sentence(app, built, "zh-CN") == (
        "本月共受理矛盾纠纷69件，调解成功69件，调解成功率100%，其中邻里纠纷23件、婚姻家庭纠纷18件、合同纠纷9件、"
        "劳动争议纠纷9件和其余类别纠纷10件，涉及金额35.6万元。"
    )
    assert sentence(app, built, "en").endswith(
        "included 23 neighbour disputes, 18 marriage and family disputes, 9 contract disputes,"
        " 9 labour disputes, and 10 in other categories; the amount involved was 356,000 yuan."
    )


def test_the_sentence_in_the_singular_without_amount_and_with_nothing(app):
    one = made_up({"neighbour": 1}, failed=0)
    assert sentence(app, one, "en") == (
        "This month 1 dispute was received; 1 was settled by agreement (a success rate of 100%); the disputes"
        " received included 1 neighbour dispute."
    )
    assert sentence(app, one, "zh-CN") == (
        "本月共受理矛盾纠纷1件，调解成功1件，调解成功率100%，其中邻里纠纷1件。"
    )
    nothing = made_up({}, kind=metrics.YEAR)
    assert sentence(app, nothing, "en") == "This year no dispute was received."
    assert sentence(app, nothing, "zh-CN") == "本年度未受理矛盾纠纷。"
    small = made_up({"other": 2}, amount="8500.40")
    assert sentence(app, small, "zh-CN").endswith("其中其他纠纷2件，涉及金额8,500元。")
    assert sentence(app, small, "en").endswith(
        "included 2 other disputes; the amount involved was 8,500 yuan."
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
        ({"month": "2026-10"}, (date(2026, 10, 1), date(2026, 10, 31), "month")),
        ({"quarter": "2026-q3"}, (date(2026, 7, 1), date(2026, 9, 30), "quarter")),
        ({"year": "2025"}, (date(2025, 1, 1), date(2025, 12, 31), "year")),
        ({"kind": "year", "month": "2026-10", "year": "2026"}, (date(2026, 1, 1), date(2026, 12, 31), YEAR)),
        ({"month": "2026-13"}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
        ({"month": "11/2026"}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
        ({"quarter": "2026-Q5"}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
        ({"year": "99999"}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
        ({"year": "1066"}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
        ({"kind": "week", "month": "-"}, (date(2026, 11, 1), date(2026, 11, 30), "month")),
    ],
)
def test_the_period_read_from_the_address(args, expected):
    period = report.period_from_args(args, today=date(2026, 12, 5))
    assert (period.start, period.end, period.kind) == expected
    if args and expected[0] != date(2026, 11, 1):
        assert report.period_from_args(report.period_args(period), today=date(2026, 12, 5)) == period


# --- The page ----------------------------------------------------------------------------------------------


def test_the_page_in_chinese_with_its_table_sentence_links_and_signatures(
    client, dataset, supervisor, frozen
):
    login(client, supervisor)
    page = client.get("/reports/monthly", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "西固区人民调解工作统计表" in page and "2026年11月" in page
    for heading in ("受理纠纷", "调解纠纷", "调解成功", "移交", "回访", "涉及金额（元）", "合计"):
        assert heading in page
    assert "西固解纷驿站" in page and "东海街解纷驿站" not in page
    assert "本月共受理矛盾纠纷5件，调解成功3件" in page
    assert "371,500.50" in page
    assert 'href="/cases?metric=opened&amp;from=2026-11-01&amp;to=2026-11-30&amp;category=neighbour"' in page
    assert 'href="/cases?metric=opened&amp;from=2026-11-01&amp;to=2026-11-30"' in page  # the total
    for line in ("填报单位", "负责人", "填报人", "填报日期"):
        assert line in page


def test_the_page_in_english_for_a_quarter(client, dataset, mediator, frozen):
    login(client, mediator)
    response = client.get("/reports/monthly?quarter=2026-Q4", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "4th quarter 2026" in page and "Disputes received" in page
    assert "This quarter 7 disputes were received" in page
    assert "from=2026-10-01&amp;to=2026-12-31" in page


def test_an_admin_picks_stations_and_the_links_name_them(client, dataset, admin, frozen):
    login(client, admin)
    every = client.get("/reports/monthly", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This month 6 disputes were received" in every  # F at DHJ too
    response = client.get("/reports/monthly?station=DHJ", headers={"Accept-Language": "en"})
    one = response.get_data(as_text=True)
    assert "This month 1 dispute was received" in one
    assert "metric=opened&amp;from=2026-11-01&amp;to=2026-11-30&amp;station=DHJ&amp;category=neighbour" in one


def test_a_supervisor_asking_for_another_station_gets_only_their_own(client, dataset, supervisor, frozen):
    login(client, supervisor)
    response = client.get("/reports/monthly?station=DHJ", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert "This month 5 disputes were received" in page
    assert "东海街解纷驿站" not in page


def test_a_mediator_elsewhere_sees_their_station_only(client, dataset, outsider, frozen):
    built = report.build(metrics.scope_for(outsider), NOVEMBER)
    assert table(built)["total"] == (1, 0, 0, 0, 0, Decimal("100.00"))


def test_liaisons_are_refused_and_strangers_sent_to_sign_in(client, dataset, police_liaison, frozen):
    assert client.get("/reports/monthly").status_code == 302
    login(client, police_liaison)
    assert client.get("/reports/monthly").status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "month=garbage",
        "month=2026-00",
        "quarter=Q4-2026",
        "year=-1",
        "kind=quarter&quarter=",
        "station=%3Cscript%3E&station=",
        "month=2026-11-31&year=abc&kind=%E2%80%AE",
        "station=" + "X" * 500,
    ],
)
def test_garbage_in_the_address_falls_back_to_last_month(client, dataset, supervisor, frozen, query):
    login(client, supervisor)
    response = client.get(f"/reports/monthly?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "November 2026" in response.get_data(as_text=True)


def test_the_report_exports_as_xlsx_and_csv_with_its_numbers(client, dataset, supervisor, frozen):
    """The export is the page's table: every category row and the total, counts as numbers, the amount as a
    number of yuan, headers in the reader's language; CSV with a BOM."""
    import csv
    import io

    from openpyxl import load_workbook

    login(client, supervisor)
    page = client.get("/reports/monthly?month=2026-11").get_data(as_text=True)
    assert 'data-export="xlsx"' in page
    response = client.get("/reports/monthly.xlsx?month=2026-11")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Category")
    body = rows[header + 1 :]
    assert len(body) == len(taxonomy.CATEGORIES) + 1 and body[-1][0] == "Total"
    assert all(isinstance(v, int) for r in body for v in r[1:6])
    total = dict(zip(rows[header], body[-1], strict=True))
    assert total["Disputes received"] == 5 and total["Amount involved (yuan)"] == pytest.approx(371500.50)
    response = client.get("/reports/monthly.csv?month=2026-11")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert (
        parsed[0][0] == "Category"
        and parsed[-1][0] == "Total"
        and len(parsed) == len(taxonomy.CATEGORIES) + 2
    )
    assert client.get("/reports/monthly.pdf").status_code == 404


@pytest.mark.parametrize("args", ["?year=²²²²", "?month=2026-²", "?kind=month&month=2026-1²"])
def test_superscript_digits_in_the_period_fall_back_not_500(client, dataset, supervisor, frozen, args):
    login(client, supervisor)
    assert client.get(f"/reports/monthly{args}").status_code == 200
