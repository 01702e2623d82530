"""What a malformed request gets instead of a 500: a 404 for an id no row can have, a 409 for a version no
case can have, a message under the field for a date outside 1900–2199 or a text past its length (with
everything typed kept), and a friendly 500 page even when the request died inside a failed transaction.

Each test here is one of the causes a fuzz of 3,200 requests found (issue 12 §7); ``test_fuzz.py`` looks for
new ones.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_login import current_user, login_required
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from mediation import create_app, lifecycle
from mediation.case_page.forms import (
    JUDICIAL_FORMS,
    AgreementForm,
    AttachmentForm,
    SessionForm,
    judicial_form,
    step_form,
)
from mediation.cases.forms import IntakeForm
from mediation.clock import local_date, parse_iso_date, parse_local_datetime, utcnow
from mediation.errors import Conflict, Invalid
from mediation.extensions import db as _db
from mediation.ids import MAX_ID, parse_id, parse_version
from mediation.models import Agreement, Attachment, Case, MediationSession, Party, Station, VisitLogEntry
from mediation.services import agreements, attachments, cases, judicial, parties, sessions, station_log
from mediation.services.transitions import apply_step
from mediation.station.forms import VisitorForm
from tests.conftest import fire, login, make_case, step_data
from tests.test_intake import intake_data

#: Numbers that are digits to ``str.isdigit`` (or to ``int``) but not ids: a superscript, Arabic-Indic and
#: full-width digits, one past a 32-bit column, and more digits than ``int()`` reads.
NOT_IDS = ["²", "١٢", "１２", str(MAX_ID + 1), str(2**63), "1" * 4400, "-1", "0", "", " ", "1.0", None, True]


@pytest.fixture
def case(db, station, mediator, police):
    case = make_case(station, mediator)
    fire(case, "accept", mediator)
    db.session.commit()
    return case


@pytest.fixture
def agreed(db, case, mediator):
    soon = (local_date(utcnow()) + timedelta(days=14)).isoformat()
    fire(case, "reach_agreement", mediator, performance_deadline=soon)
    db.session.commit()
    return case


def error_under(page: str, field_id: str) -> str:
    """The message shown under the input ``field_id``."""
    found = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', page)
    assert found, f"no message under {field_id}"
    return found[1]


# --- Ids and versions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_IDS)
def test_only_ascii_digits_within_a_32_bit_column_are_ids(value):
    assert parse_id(value) is None and parse_version(value) is None


def test_ids_up_to_the_columns_limit_are_read():
    assert parse_id("1") == 1 and parse_id(" 42 ") == 42 and parse_id(42) == 42
    assert parse_id(str(MAX_ID)) == MAX_ID == 2**31 - 1


@pytest.mark.parametrize(
    "url",
    [
        "/parties/{big}",
        "/parties/9223372036854775807",
        "/parties/99999999999999999999",
        "/parties/0",
        "/parties/-1",
        "/parties/١٢",
        "/cases/{number}/attachments/{big}",
        "/cases/{number}/attachments/99999999999999999999",
        "/cases/new?log_entry={big}",
        "/cases/new?log_entry=²",
    ],
)
def test_ids_no_row_can_have_are_not_found_on_every_database(client, case, mediator, url):
    login(client, mediator)
    assert client.get(url.format(big=MAX_ID + 1, number=case.number)).status_code == 404


def test_a_party_id_past_the_column_picks_nobody_at_intake(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    response = client.post("/cases/new", data=intake_data(**{"parties-0-party_id": str(2**63)}))
    assert response.status_code == 302
    [case] = db.session.scalars(select(Case)).all()
    assert [link.party.name for link in case.party_links] == ["王芳", "李强"]


def test_roster_ticks_with_ids_past_the_column_are_ignored(client, db, station, mediator):
    db.session.commit()
    login(client, mediator)
    monday = station_log.week_start(local_date(utcnow())) + timedelta(days=7)
    response = client.post(
        f"/station/XLG/roster?week={monday}",
        data={"week": monday.isoformat(), "duty": [f"{monday}:{MAX_ID + 1}", f"{monday}:²", "0001-01-01:1"]},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("version", ["²", "1" * 4400, str(2**63), "-1", "abc", ""])
def test_a_garbled_version_is_a_stale_page_not_an_error(client, db, case, mediator, version):
    login(client, mediator)
    before = case.version
    response = client.post(
        f"/cases/{case.number}/steps/withdraw", data={"version": version, "reason": "Settled privately"}
    )
    assert response.status_code == 409
    assert "Someone else changed this case" in response.get_data(as_text=True)
    db.session.expire_all()
    assert case.state == "mediating" and case.version == before


@pytest.mark.parametrize("version", ["²", "1" * 4400, str(2**63)])
def test_a_garbled_version_on_the_agreement_page_is_stale_too(client, db, agreed, mediator, version):
    login(client, mediator)
    response = client.post(
        f"/cases/{agreed.number}/agreement", data={"version": version, "performance_method": "Cash"}
    )
    assert response.status_code == 409
    assert "Someone else changed this case" in response.get_data(as_text=True)


def test_the_services_read_a_version_the_same_way(db, case, mediator):
    for version in ("²", "1" * 4400, 2**63):
        with pytest.raises(Conflict):
            apply_step(case, "withdraw", mediator, version=version, reason="x")
    apply_step(case, "withdraw", mediator, version=str(case.version), reason="Settled privately")
    assert case.state == "closed"


# --- Dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0001-01-01", "between 1900 and 2199"),
        ("9999-12-31", "between 1900 and 2199"),
        ("1899-12-31", "between 1900 and 2199"),
        ("2200-01-01", "between 1900 and 2199"),
        ("2026-02-30", "YYYY-MM-DD"),
        ("10000-01-01", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
    ],
)
def test_a_date_outside_the_years_stations_record_is_refused_with_a_message(app, typed, message):
    with app.test_request_context(), pytest.raises(ValueError, match=message):
        parse_iso_date(typed)


def test_the_first_and_last_days_of_the_range_are_dates():
    assert parse_iso_date("1900-01-01") == date(1900, 1, 1)
    assert parse_iso_date(" 2199-12-31 ") == date(2199, 12, 31)


@pytest.mark.parametrize(
    "typed", ["0001-01-01T00:00", "0001-01-01T00:00+14:00", "9999-12-31T23:59", "9999-12-31T23:59-12:00"]
)
def test_a_moment_at_the_ends_of_the_calendar_is_refused_before_any_time_zone_arithmetic(app, typed):
    with app.test_request_context(), pytest.raises(ValueError, match="between 1900 and 2199"):
        parse_local_datetime(typed)


def test_a_moment_is_typed_in_china_time_and_kept_in_utc(app):
    with app.test_request_context():
        assert parse_local_datetime("2026-03-01T14:30") == datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
        # Just inside the range, a zone away: the conversion crosses into 2200 without overflowing.
        assert parse_local_datetime("2199-12-31T23:59-12:00").year == 2200
        with pytest.raises(ValueError, match="2026-03-01 14:30"):
            parse_local_datetime("2026-02-30T10:00")


def test_a_session_held_in_year_one_is_refused_under_its_field(client, db, case, mediator):
    login(client, mediator)
    response = client.post(
        f"/cases/{case.number}/sessions",
        data={"held_at": "0001-01-01T00:00", "notes": "Both sides spoke.", "result": "Meet again."},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "between 1900 and 2199" in error_under(page, "session-held_at")
    assert "Both sides spoke." in page and "Meet again." in page
    assert db.session.scalar(select(func.count(MediationSession.id))) == 0


def test_a_visit_in_year_9999_is_refused_under_its_field(client, db, station, mediator):
    db.session.commit()
    login(client, mediator)
    response = client.post(
        "/station/XLG/visit-log",
        data={"visitor_name": "刘大爷", "matter": "隔壁装修噪音", "visited_at": "9999-12-31T23:59"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "between 1900 and 2199" in error_under(page, "visited_at")
    assert "刘大爷" in page and "隔壁装修噪音" in page
    assert db.session.scalar(select(func.count(VisitLogEntry.id))) == 0


def test_a_visit_typed_as_local_time_is_kept_in_utc(db, station, mediator):
    entry = station_log.log_visitor(
        mediator, station, station_log.VisitorInput("刘大爷", "噪音", visited_at="2025-03-04T09:30")
    )
    assert entry.visited_at == datetime(2025, 3, 4, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("deadline", ["9999-12-31", "0001-01-01"])
def test_a_performance_deadline_in_year_9999_is_refused_under_its_field(client, db, case, mediator, deadline):
    login(client, mediator)
    response = client.post(
        f"/cases/{case.number}/steps/reach_agreement",
        data={**step_data("reach_agreement"), "performance_deadline": deadline, "version": case.version},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "between 1900 and 2199" in error_under(page, "reach_agreement-performance_deadline")
    db.session.expire_all()
    assert case.state == "mediating"


def test_a_judicial_confirmation_in_year_one_is_refused_under_its_field(db, agreed, mediator):
    with pytest.raises(Invalid) as refused:
        judicial.apply_for_confirmation(mediator, agreed, agreed.version, applied_on="0001-01-01", court="")
    assert "between 1900 and 2199" in refused.value.fields["applied_on"]


@pytest.mark.parametrize("typed", ["9999-12-31T23:59-12:00", "0001-01-01T00:00+14:00"])
def test_free_text_that_looks_like_a_moment_at_the_ends_of_the_calendar_is_shown_as_typed(
    client, db, case, mediator, typed
):
    fire(case, "refer", mediator, reason=typed)
    db.session.commit()
    login(client, mediator)
    response = client.get(f"/cases/{case.number}")
    assert response.status_code == 200 and typed in response.get_data(as_text=True)


# --- Lengths ----------------------------------------------------------------------------------------------


def test_every_declared_text_field_carries_its_length():
    for step in lifecycle.STEPS.values():
        for spec in step.fields:
            assert (spec.max_length is not None) == (spec.kind in ("text", "longtext")), (step.trigger, spec)
    with pytest.raises(TypeError, match="max_length"):
        lifecycle.Field("place", "text", "Place")


def test_the_agreements_fields_fit_their_columns():
    for spec in lifecycle.STEPS["reach_agreement"].fields:
        column = Agreement.__table__.c.get(spec.name)  # a confirmation of the form is no column
        length = getattr(column.type, "length", None) if column is not None else None
        if spec.max_length is not None and length is not None:
            assert spec.max_length <= length, spec.name


@pytest.mark.parametrize(
    ("limits", "model"),
    [
        (sessions.MAX_LENGTHS, MediationSession),
        (agreements.MAX_LENGTHS, Agreement),
        (judicial.MAX_LENGTHS, Agreement),
        (attachments.MAX_LENGTHS, Attachment),
        (station_log.MAX_LENGTHS, VisitLogEntry),
        (cases.MAX_LENGTHS, Case),
        (parties.MAX_LENGTHS, Party),
    ],
)
def test_every_services_limit_fits_the_column_it_fills(limits, model):
    for name, limit in limits.items():
        length = getattr(model.__table__.c[name].type, "length", None)
        assert length is None or limit <= length, (model.__name__, name)


def _text_inputs(form):
    """Every text input and textarea of ``form`` (party blocks included), as rendered."""
    for item in form:
        if item.type == "FieldList":
            for entry in item:
                yield from _text_inputs(entry.form)
        elif item.type in ("StringField", "TextAreaField") and 'type="date' not in str(item()):
            yield item


def test_every_text_input_of_every_form_carries_maxlength(app, db, station, mediator, police, court):
    case = make_case(station, mediator)
    with app.test_request_context():
        forms = [step_form(step, case) for step in lifecycle.STEPS.values()]
        forms += [
            SessionForm(),
            AttachmentForm(),
            AgreementForm(),
            VisitorForm(),
            IntakeForm(stations=[station]),
            *(judicial_form(panel, case, posted=True) for panel in JUDICIAL_FORMS),
        ]
        for form in forms:
            for item in _text_inputs(form):
                assert re.search(r'maxlength="\d+"', str(item())), (type(form).__name__, item.name)
        spec = {f.name: f for f in lifecycle.STEPS["reach_agreement"].fields}["performance_place"]
        form = step_form(lifecycle.STEPS["reach_agreement"], case)
        assert spec.max_length == 200 and 'maxlength="200"' in str(form.performance_place())


def test_a_place_of_performance_past_its_column_keeps_the_whole_agreement_form(client, db, case, mediator):
    login(client, mediator)
    data = {
        **step_data("reach_agreement"),
        "performance_deadline": (local_date(utcnow()) + timedelta(days=14)).isoformat(),
        "facts_and_responsibility": "李强's pipe leaked into 王芳's kitchen.",
        "performance_method": "Bank transfer",
        "performance_place": "西" * 201,
        "version": case.version,
    }
    response = client.post(f"/cases/{case.number}/steps/reach_agreement", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "200 characters or fewer (it has 201)" in error_under(page, "reach_agreement-performance_place")
    for typed in (
        data["terms"],
        "李强&#39;s pipe leaked",
        "Bank transfer",
        "西" * 201,
        data["performance_deadline"],
    ):
        assert typed in page, typed
    db.session.expire_all()
    assert case.state == "mediating" and db.session.scalar(select(func.count(Agreement.id))) == 0


@pytest.mark.parametrize(
    ("call", "field", "limit"),
    [
        (lambda c, m: apply_step(c, "withdraw", m, version=c.version, reason="x" * 5_001), "reason", "5,000"),
        (
            lambda c, m: sessions.record_session(
                c, m, held_at="2026-03-01T10:00", notes="x" * 10_001, result="r"
            ),
            "notes",
            "10,000",
        ),
        (
            lambda c, m: sessions.record_session(
                c, m, held_at="2026-03-01T10:00", notes="n", place="x" * 201
            ),
            "place",
            "200",
        ),
        (
            lambda c, m: attachments.add_attachment(
                c, m, filename="a.txt", stream=b"a", description="x" * 201
            ),
            "description",
            "200",
        ),
        (
            lambda c, m: station_log.log_visitor(
                m, c.station, station_log.VisitorInput("刘", "x" * 5_001, action_taken="ok")
            ),
            "matter",
            "5,000",
        ),
        (
            lambda c, m: cases.validate_details(
                cases.CaseInput("t", "neighbour", "walk_in", external_ref="x" * 65)
            ),
            "external_ref",
            "64",
        ),
        (
            lambda c, m: cases.validate_details(cases.CaseInput("x" * 201, "neighbour", "walk_in")),
            "title",
            "200",
        ),
    ],
)
def test_the_services_refuse_longer_text_naming_the_limit(app, db, case, mediator, call, field, limit):
    with app.test_request_context(), pytest.raises(Invalid) as refused:
        call(case, mediator)
    assert f"{limit} characters or fewer" in refused.value.fields[field]


def test_a_party_name_past_its_column_is_refused_under_its_block_and_the_intake_kept(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    response = client.post("/cases/new", data=intake_data(**{"parties-0-name": "王" * 201}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "200 characters or fewer" in error_under(page, "parties-0-name")
    assert "Water has come through the ceiling for a week." in page and "3-502" in page
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_text_keeps_its_line_breaks_as_a_browser_counts_them(db, case, mediator):
    # A textarea sends each line break as CRLF but counts it as one character against maxlength.
    session = sessions.record_session(
        case, mediator, held_at="2026-03-01T10:00", notes="a\r\n" * 5_000, result="r", rights_notified=True
    )
    assert session.notes == ("a\n" * 5_000).strip()


# --- The 500 page -----------------------------------------------------------------------------------------


def _fail_mid_request_by_flushing():
    """A flush the database refuses (a CHECK constraint): the session must be rolled back before use."""
    _db.session.add(Station(code="", name="—"))
    _db.session.flush()


def _fail_mid_request_by_a_statement():
    """A statement the database refuses: PostgreSQL then refuses every statement until a rollback."""
    _db.session.execute(text("SELECT * FROM no_such_table"))


@pytest.fixture
def fragile_app(app):
    """The app as configured for the suite, with exceptions answered by its own 500 handler (as in
    production) and a test-only route that fails inside its transaction."""
    fragile = create_app({**app.config, "PROPAGATE_EXCEPTIONS": False})

    @fragile.post("/test-only/fail/<how>")
    @login_required
    def fail(how):
        # Forget the signed-in user, so the error page has to read them from the database again.
        _db.session.expire(current_user._get_current_object())
        {"flush": _fail_mid_request_by_flushing, "statement": _fail_mid_request_by_a_statement}[how]()

    return fragile


@pytest.mark.parametrize("how", ["flush", "statement"])
def test_a_database_error_mid_request_gets_the_friendly_500_page(fragile_app, db, mediator, how):
    db.session.commit()
    client = fragile_app.test_client()
    login(client, mediator)
    response = client.post(f"/test-only/fail/{how}")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side. Nothing you entered was saved" in page
    assert "Sign out" in page and mediator.display_name in page  # the whole page, read from the database
    assert client.get("/").status_code == 200  # and the app carries on


def test_an_error_page_that_cannot_reach_the_database_still_says_what_happened(
    client, case, mediator, monkeypatch
):
    login(client, mediator)

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr("mediation.errors.render_template", unreachable)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "There is nothing at this address" in response.get_data(as_text=True)


def test_a_nul_character_is_refused_as_a_bad_request_on_every_database(client, case, mediator):
    login(client, mediator)
    assert client.get("/cases?q=a%00b").status_code == 400
    response = client.post("/station/XLG/visit-log", data={"visitor_name": "王\x00芳", "matter": "x"})
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)
