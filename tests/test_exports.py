"""Exports: the table writers (XLSX, CSV) and the case list's export (/cases/export.xlsx, .csv)."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from mediation import exports
from mediation.clock import local_date, utcnow
from mediation.exports import DATE, DATETIME, DECIMAL, INTEGER, PERCENT, Column, Table
from mediation.models import AuditEntry
from mediation.services import case_export, supervision
from mediation.services.cases import CaseInput, register_case
from mediation.services.parties import PartyInput
from tests.conftest import fire, login, make_case, make_station, make_user

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}
#: Titles a spreadsheet would run as formulas.
FORMULAS = ('=HYPERLINK("http://evil","x")', "+1", "@SUM(A1)", "-2+3", "＝1+1")
#: And text a form would strip, but an import or a report's label might carry.
EVIL = (*FORMULAS, "\tcmd", "\r=1")

#: The export's header row, as an English reader gets it.
HEADERS_EN = [
    "Number",
    "Title",
    "Station",
    "Category",
    "Channel",
    "State",
    "Outcome",
    "Risk",
    "Mediator",
    "Registered on",
    "Accepted at",
    "Closed at",
    "Next deadline",
    "Overdue",
    "Supervision",
    "Amount in dispute (yuan)",
    "Applicants",
    "Respondents",
    "Third parties",
]

HEADERS_ZH = [
    "编号",
    "标题",
    "驿站",
    "纠纷类别",
    "案件来源",
    "状态",
    "调解结果",
    "风险",
    "调解员",
    "登记日期",
    "受理时间",
    "结案时间",
    "下一期限",
    "已超期",
    "督办",
    "争议金额（元）",
    "申请人",
    "被申请人",
    "第三人",
]


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(data: bytes) -> tuple[list, list[list]]:
    """The header row and the data rows of an export's only sheet (the title lines above are skipped: the
    header is the first row after the first blank one)."""
    rows = [list(r) for r in workbook(data).active.iter_rows(values_only=True)]
    blank = next(i for i, row in enumerate(rows) if not any(v is not None for v in row))
    return rows[blank + 1], rows[blank + 2 :]


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def listed(response) -> list[str]:
    """The case numbers in the case list page's rows, in order."""
    assert response.status_code == 200
    return re.findall(r'<tr class="[^"]*" data-case="([^"]+)"', response.get_data(as_text=True))


def exported(client, query="", fmt="xlsx", headers=EN) -> list[str]:
    """The case numbers in an export, in order."""
    response = client.get(f"/cases/export.{fmt}?{query}", headers=headers)
    assert response.status_code == 200, response.status_code
    if fmt == "csv":
        return [row[0] for row in csv_rows(response.data)[1:]]
    return [row[0] for row in sheet_rows(response.data)[1]]


# --- The writers ----------------------------------------------------------------------------------------

COLUMNS = [
    Column("name", "Name"),
    Column("count", "Count", INTEGER),
    Column("amount", "Amount", DECIMAL),
    Column("rate", "Rate", PERCENT),
    Column("day", "Day", DATE),
    Column("at", "At", DATETIME),
]
#: 23:30 UTC on 31 March is 07:30 on 1 April in China.
MOMENT = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


def sample(rows=None, **kwargs) -> Table:
    rows = rows or [
        ("王芳", 12, Decimal("800.50"), 0.25, date(2026, 3, 1), MOMENT),
        {"name": "-5 yuan", "count": -5, "rate": None},
    ]
    return Table(
        title="Closure rate", columns=COLUMNS, rows=rows, subtitle=["March 2026", "西固区"], **kwargs
    )


def test_xlsx_cells_are_typed_by_their_column():
    sheet = workbook(exports.to_xlsx(sample())).active
    header, rows = sheet_rows(exports.to_xlsx(sample()))
    assert header == ["Name", "Count", "Amount", "Rate", "Day", "At"]
    assert rows[0] == ["王芳", 12, 800.5, 0.25, datetime(2026, 3, 1), datetime(2026, 4, 1, 7, 30)]
    # A dict row by key: missing keys empty; a negative number stays a number, a text "-5" is neutralised.
    assert rows[1] == ["'-5 yuan", -5, None, None, None, None]
    formats = [cell.number_format for cell in sheet[6]]
    assert formats == ["General", "0", "#,##0.00", "0.0%", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"]
    assert sheet.cell(6, 5).is_date and sheet.cell(6, 6).is_date


def test_xlsx_has_the_title_lines_a_bold_frozen_header_and_widths():
    sheet = workbook(exports.to_xlsx(sample())).active
    assert sheet.title == "Closure rate"
    assert [sheet.cell(r, 1).value for r in (1, 2, 3)] == ["Closure rate", "March 2026", "西固区"]
    assert sheet.cell(4, 1).value is None
    assert sheet.cell(1, 1).font.bold and sheet.cell(6, 1).font.bold is False
    assert all(cell.font.bold for cell in sheet[5])
    assert sheet.freeze_panes == "A6"
    assert sheet.auto_filter.ref == "A5:F7"
    assert all(sheet.column_dimensions[letter].width >= 8 for letter in "ABCDEF")


def test_formula_like_text_is_neutralised_in_both_formats_and_numbers_are_not():
    rows = [(text, -1, Decimal("-2.5"), -0.1, None, None) for text in EVIL]
    header, xlsx = sheet_rows(exports.to_xlsx(sample(rows)))
    # (Without lxml, openpyxl's XML writer leaves a carriage return to be read back as a line feed.)
    assert [row[0].replace("\r", "\n") for row in xlsx] == ["'" + text.replace("\r", "\n") for text in EVIL]
    assert all(row[1:4] == [-1, -2.5, -0.1] for row in xlsx)
    sheet = workbook(exports.to_xlsx(sample(rows))).active
    assert all(sheet.cell(r, 1).data_type == "s" for r in range(6, 6 + len(EVIL)))
    data = csv_rows(exports.to_csv(sample(rows)))[1:]
    assert [row[0] for row in data] == ["'" + text for text in EVIL]
    assert all(row[1:4] == ["-1", "-2.5", "-0.1"] for row in data)


def test_csv_has_a_bom_one_header_row_iso_dates_and_plain_numbers():
    data = exports.to_csv(sample())
    rows = csv_rows(data)
    assert rows[0] == ["Name", "Count", "Amount", "Rate", "Day", "At"]
    assert rows[1] == ["王芳", "12", "800.50", "0.25", "2026-03-01", "2026-04-01 07:30"]
    assert rows[2] == ["'-5 yuan", "-5", "", "", "", ""]
    assert len(rows) == 3


def test_writers_count_the_rows_they_wrote():
    table = sample(rows=iter([("a", 1, None, None, None, None)] * 7))
    exports.to_csv(table)
    assert table.rows_written == 7


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Cases [open]: a/b\\c*d?", "Cases open a b c d"),
        ("'quoted'", "quoted"),
        ("x" * 40, "x" * 31),
        ("[]:*?/\\", "Sheet1"),
        ("西固区解纷驿站 2026年3月 结案率", "西固区解纷驿站 2026年3月 结案率"),
    ],
)
def test_sheet_titles_are_what_excel_accepts(title, expected):
    assert exports.sheet_title(title) == expected
    assert workbook(exports.to_xlsx(Table(title, COLUMNS, []))).active.title == expected


def test_control_characters_excel_cannot_hold_are_dropped_and_long_text_cut():
    rows = [("a\x01b\x0bc", None, None, None, None, None), ("=" + "x" * 40_000, None, None, None, None, None)]
    header, rows = sheet_rows(exports.to_xlsx(sample(rows)))
    assert rows[0][0] == "abc"
    assert rows[1][0].startswith("'=x") and len(rows[1][0]) == 32_767


def test_a_download_names_the_file_in_ascii_and_in_utf8():
    disposition = exports.content_disposition("案件清单-2026-03-01.xlsx")
    assert disposition == (
        "attachment; filename=\"2026-03-01.xlsx\"; filename*=UTF-8''"
        "%E6%A1%88%E4%BB%B6%E6%B8%85%E5%8D%95-2026-03-01.xlsx"
    )
    assert exports.content_disposition('cases "x".csv').startswith('attachment; filename="cases-x.csv"')
    assert exports.content_disposition("案件.csv").startswith('attachment; filename="export.csv"')


def test_an_unknown_column_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        Column("x", "X", "money")


# --- The case list's export ------------------------------------------------------------------------------


def register(station, actor, title, *, days_ago=0, **extra):
    return register_case(
        actor,
        station,
        CaseInput(title=title, category=extra.pop("category", "neighbour"), channel="walk_in", **extra),
        [PartyInput(role="applicant", name="王芳"), PartyInput(role="respondent", name="李强")],
        now=utcnow() - timedelta(days=days_ago),
    )


@pytest.fixture
def cases(db, station, other_station, mediator, colleague, supervisor):
    """Cases at the mediator's station that differ in state, age (overdue), category and supervision, and
    one at another station the mediator also serves."""
    mediator.stations.append(other_station)
    made = {
        "leak": register(station, mediator, "漏水 leak", days_ago=10, amount="800.50"),
        "wages": register(station, colleague, "欠薪 wages", category="labour", days_ago=1),
        "crash": register(station, mediator, "车祸 crash", category="traffic", days_ago=2),
        "fence": register(station, colleague, "围墙 fence", days_ago=5),
        "east": register(other_station, mediator, "东海 east", days_ago=3),
    }
    fire(made["crash"], "accept", mediator)
    fire(made["fence"], "withdraw", colleague)
    supervision.start(
        supervisor,
        made["wages"],
        made["wages"].version,
        urgency="urgent",
        due_on=local_date(utcnow()) + timedelta(days=5),
        request="请尽快处理",
    )
    db.session.commit()
    return made


@pytest.mark.parametrize(
    "query",
    [
        "",
        "state=open",
        "state=closed",
        "station=XLG",
        "station=DHJ",
        "overdue=1",
        "supervised=1",
        "q=leak",
        "category=neighbour&state=open",
        "sort=number",
        "sort=-due",
        "mine=1",
    ],
)
def test_the_export_has_exactly_the_case_lists_cases_in_its_order(client, db, cases, mediator, query):
    login(client, mediator)
    shown = listed(client.get(f"/cases?{query}"))
    assert exported(client, query) == shown
    assert exported(client, query, "csv") == shown


def test_the_export_has_every_page_not_one(client, app, db, cases, mediator, monkeypatch):
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 2)
    login(client, mediator)
    assert len(listed(client.get("/cases"))) == 2
    assert len(exported(client, "page=2")) == 5


def test_rows_are_read_in_batches_each_with_its_parties(client, db, cases, mediator, monkeypatch):
    monkeypatch.setattr(case_export, "BATCH", 2)
    login(client, mediator)
    header, rows = sheet_rows(client.get("/cases/export.xlsx", headers=EN).data)
    assert [row[0] for row in rows] == listed(client.get("/cases"))
    by_name = [dict(zip(header, row, strict=True)) for row in rows]
    assert all(row["Applicants"] == "王芳" and row["Respondents"] == "李强" for row in by_name)


def test_the_header_row_is_in_the_readers_language(client, db, cases, mediator):
    login(client, mediator)
    header, _rows = sheet_rows(client.get("/cases/export.xlsx", headers=EN).data)
    assert header == HEADERS_EN
    header, _rows = sheet_rows(client.get("/cases/export.xlsx", headers=ZH).data)
    assert header == HEADERS_ZH
    assert csv_rows(client.get("/cases/export.csv", headers=ZH).data)[0] == header


def test_each_row_carries_the_cases_facts_typed(client, db, cases, mediator, station):
    login(client, mediator)
    header, rows = sheet_rows(client.get("/cases/export.xlsx?q=leak", headers=EN).data)
    row = dict(zip(header, rows[0], strict=True))
    leak = cases["leak"]
    assert row["Number"] == leak.number and row["Title"] == "漏水 leak"
    assert row["Station"] == station.name and row["Category"] == "Neighbours"
    assert row["State"] == "Registered" and row["Outcome"] is None and row["Risk"] == "Low"
    assert row["Mediator"] == mediator.name
    assert row["Registered on"] == datetime.combine(local_date(leak.registered_at), datetime.min.time())
    assert isinstance(row["Next deadline"], datetime) and row["Accepted at"] is None
    assert row["Overdue"] == "Yes"
    assert row["Amount in dispute (yuan)"] == 800.5
    assert row["Applicants"] == "王芳" and row["Respondents"] == "李强" and row["Third parties"] is None
    header, rows = sheet_rows(client.get("/cases/export.xlsx?state=closed", headers=EN).data)
    closed = dict(zip(header, rows[0], strict=True))
    assert closed["Outcome"] == "Withdrawn" and isinstance(closed["Closed at"], datetime)
    assert closed["Overdue"] == "No" and closed["Next deadline"] is None
    header, rows = sheet_rows(client.get("/cases/export.xlsx?supervised=1", headers=EN).data)
    assert dict(zip(header, rows[0], strict=True))["Supervision"] == "Urgent"


def test_datetimes_are_china_time(client, db, cases, mediator):
    login(client, mediator)
    header, rows = sheet_rows(client.get("/cases/export.xlsx?state=mediating", headers=EN).data)
    accepted = dict(zip(header, rows[0], strict=True))["Accepted at"]
    expected = cases["crash"].accepted_at.astimezone(exports.LOCAL_ZONE).replace(tzinfo=None, second=0)
    assert accepted.replace(second=0, microsecond=0) == expected.replace(microsecond=0)
    data = csv_rows(client.get("/cases/export.csv?state=mediating", headers=EN).data)
    assert data[1][HEADERS_EN.index("Accepted at")] == expected.strftime("%Y-%m-%d %H:%M")
    assert data[1][HEADERS_EN.index("Registered on")] == local_date(cases["crash"].registered_at).isoformat()


@pytest.mark.parametrize("title", FORMULAS)
def test_a_formula_like_title_is_neutralised(client, db, station, mediator, title):
    case = make_case(station, mediator, title=title)
    db.session.commit()
    login(client, mediator)
    header, rows = sheet_rows(client.get("/cases/export.xlsx", headers=EN).data)
    assert rows[0][:2] == [case.number, "'" + title]
    assert csv_rows(client.get("/cases/export.csv", headers=EN).data)[1][1] == "'" + title


def test_the_csv_is_utf8_with_a_bom_and_parses(client, db, cases, mediator):
    login(client, mediator)
    response = client.get("/cases/export.csv", headers=ZH)
    assert response.mimetype == "text/csv" and response.data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(response.data)
    assert len(rows) == 6 and all(len(row) == len(HEADERS_EN) for row in rows)
    assert "漏水 leak" in [row[1] for row in rows]


def test_the_download_is_named_in_the_readers_language_and_never_cached(client, db, cases, mediator):
    login(client, mediator)
    today = local_date(utcnow()).isoformat()
    response = client.get("/cases/export.xlsx", headers=EN)
    assert response.mimetype == exports.XLSX_MIMETYPE
    assert f'filename="cases-{today}.xlsx"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    response = client.get("/cases/export.csv", headers=ZH)
    assert "filename*=UTF-8''%E6%A1%88%E4%BB%B6" in response.headers["Content-Disposition"]


def test_the_sheet_says_what_was_exported(client, db, cases, mediator):
    login(client, mediator)
    sheet = workbook(client.get("/cases/export.xlsx?state=open&overdue=1", headers=EN).data).active
    lines = [sheet.cell(r, 1).value for r in range(1, 5)]
    assert lines[0] == "Cases" and lines[1].startswith("Exported ")
    assert lines[2:] == ["State: Open (not closed)", "Overdue"]


# --- Scope ------------------------------------------------------------------------------------------------


def test_a_mediator_of_another_station_gets_none_of_its_cases(client, db, cases):
    stranger = make_user("stranger", "mediator", [make_station("DHK", "东岗解纷驿站")])
    theirs = make_case(stranger.stations[0], stranger, title="东岗 theirs")
    db.session.commit()
    login(client, stranger)
    assert exported(client) == [theirs.number]
    assert exported(client, "station=XLG", "csv") == []


def test_a_liaison_gets_only_the_cases_referred_to_their_agency(
    client, db, station, mediator, police, police_liaison
):
    referred = make_case(station, mediator, title="打架 fight")
    fire(referred, "refer", mediator)
    make_case(station, mediator, title="漏水 leak")
    db.session.commit()
    login(client, police_liaison)
    assert exported(client) == [referred.number]
    header, rows = sheet_rows(client.get("/cases/export.xlsx", headers=EN).data)
    row = dict(zip(header, rows[0], strict=True))
    assert row["Applicants"] == "王芳"  # the agency the case is with sees the names


def test_a_supervisor_gets_their_stations_cases(client, db, cases, supervisor):
    login(client, supervisor)
    assert sorted(exported(client)) == sorted(c.number for k, c in cases.items() if k != "east")


def test_signed_out_is_sent_to_sign_in(client, db):
    response = client.get("/cases/export.xlsx")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "query",
    [
        "state=bogus",
        "overdue=maybe&sort=sideways&page=-3",
        "category=%E2%98%83&channel=x&referral=%27%3B--&mine=2",
        "page=999999999999",
    ],
)
def test_garbage_filters_give_the_unfiltered_scoped_export(client, db, cases, mediator, query):
    login(client, mediator)
    assert sorted(exported(client, query)) == sorted(c.number for c in cases.values())
    outsider = make_user("chen", "mediator", [cases["east"].station])
    db.session.commit()
    login(client, outsider)  # a mediator at the other station
    assert exported(client, query, "csv") == [cases["east"].number]


def test_an_unknown_format_is_not_found(client, db, cases, mediator):
    login(client, mediator)
    assert client.get("/cases/export.pdf").status_code == 404


# --- The audit log and the page -----------------------------------------------------------------------


def test_each_export_is_in_the_audit_log_with_its_filters_and_row_count(client, db, cases, mediator, station):
    login(client, mediator)
    client.get("/cases/export.xlsx?state=open&station=XLG&page=3")
    client.get("/cases/export.csv?overdue=1")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "export_cases").order_by(AuditEntry.id)
    ).all()
    assert [(e.actor_id, e.realm, e.target) for e in entries] == [
        (mediator.id, "case", "cases.xlsx"),
        (mediator.id, "case", "cases.csv"),
    ]
    assert entries[0].new == {
        "format": "xlsx",
        "filters": "state=open&station=XLG",
        "rows": 3,
        "output": "export",
    }
    assert entries[0].station_id == station.id
    assert entries[1].new["rows"] == 1 and entries[1].station_id is None


def test_the_supervisor_reads_the_export_in_the_audit_log(client, db, cases, mediator, supervisor):
    login(client, mediator)
    client.get("/cases/export.xlsx?station=XLG")
    login(client, supervisor)
    page = client.get("/audit", headers=EN).get_data(as_text=True)
    assert "Exported a case list" in page and "station=XLG" in page


def test_the_case_list_links_to_exports_with_its_filters(client, db, cases, mediator):
    login(client, mediator)
    page = client.get("/cases?state=open&station=XLG&page=2", headers=EN).get_data(as_text=True)
    for fmt in ("xlsx", "csv"):
        link = re.search(rf'data-export="{fmt}" href="([^"]+)"', page)[1].replace("&amp;", "&")
        assert link.startswith(f"/cases/export.{fmt}?")
        assert set(link.split("?")[1].split("&")) == {"state=open", "station=XLG"}
    assert "Export XLSX" in page and "Export CSV" in page
