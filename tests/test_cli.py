"""``flask --app mediation mediation …``: the administrator sets up stations, agencies and accounts."""

import pytest
from sqlalchemy import func, select

from mediation.extensions import db as _db
from mediation.models import Agency, Station, User
from tests.conftest import make_agency, make_station, make_user

PASSWORD = "long enough 1"


@pytest.fixture
def run(app, db):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(args=["mediation", *args], **kwargs)

    return invoke


def count(model):
    return _db.session.scalar(select(func.count()).select_from(model))


def assert_fails(result, *words):
    assert result.exit_code != 0, result.output
    message = result.output.lower()
    for word in words:
        assert word.lower() in message, f"{word!r} not in {result.output!r}"


# --- Stations -----------------------------------------------------------------------------------------------


def test_create_station(run, db):
    result = run("create-station", "xlg", "西固解纷驿站", "--address", "兰州市西固区", "--district", "西固区")
    assert result.exit_code == 0, result.output
    assert "Created station XLG" in result.output
    station = db.session.scalar(select(Station))
    assert (station.code, station.name, station.address, station.district) == (
        "XLG",
        "西固解纷驿站",
        "兰州市西固区",
        "西固区",
    )


def test_station_codes_are_unique(run, db):
    assert run("create-station", "XLG", "西固").exit_code == 0
    result = run("create-station", "xlg", "另一个")
    assert_fails(result, "XLG", "already exists")
    assert count(Station) == 1


@pytest.mark.parametrize("code", ["X-1", "西固", "ABCDEFGHIJKLMNOPQ"])
def test_a_station_code_is_letters_and_digits(run, db, code):
    assert_fails(run("create-station", code, "名字"), "CODE", "letters or digits")
    assert count(Station) == 0


# --- Agencies -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["police", "court", "judicial_office"])
def test_create_agency(run, db, kind):
    result = run("create-agency", "xgps", "西固派出所", "--kind", kind)
    assert result.exit_code == 0, result.output
    assert f"Created {kind} agency XGPS" in result.output
    agency = db.session.scalar(select(Agency))
    assert (agency.code, agency.name, agency.kind, agency.stations) == ("XGPS", "西固派出所", kind, [])


def test_an_agency_serves_the_stations_named(run, db, station, other_station):
    db.session.commit()
    args = (
        "create-agency",
        "XGFY",
        "西固区人民法院",
        "--kind",
        "court",
        "--station",
        "xlg",
        "--station",
        "DHJ",
    )
    assert run(*args).exit_code == 0
    assert [s.code for s in db.session.scalar(select(Agency)).stations] == ["DHJ", "XLG"]


def test_an_agency_needs_a_known_kind(run, db):
    assert_fails(run("create-agency", "XGPS", "西固派出所"), "--kind")
    assert_fails(run("create-agency", "XGPS", "西固派出所", "--kind", "army"), "--kind", "army")
    assert count(Agency) == 0


def test_an_agency_code_is_unique_and_its_station_must_exist(run, db, police):
    db.session.commit()
    assert_fails(run("create-agency", "xgps", "又一个", "--kind", "police"), "XGPS", "already exists")
    assert_fails(
        run("create-agency", "DHPS", "东海派出所", "--kind", "police", "--station", "NOPE"), "no station"
    )
    assert count(Agency) == 1


# --- Users --------------------------------------------------------------------------------------------------


@pytest.fixture
def places(db):
    """Two stations, a police station and a court, committed as the CLI would find them."""
    make_station()
    make_station("DHJ", "东海街解纷驿站")
    make_agency()
    make_agency("XGFY", "西固区人民法院", "court")
    db.session.commit()


def user(username):
    return _db.session.scalar(select(User).filter_by(username=username))


@pytest.mark.parametrize(
    ("role", "args", "stations", "agency"),
    [
        ("mediator", ["--station", "XLG"], ["XLG"], None),
        ("mediator", ["--station", "xlg", "--station", "DHJ"], ["DHJ", "XLG"], None),
        ("supervisor", ["--station", "XLG"], ["XLG"], None),
        ("liaison", ["--agency", "xgps"], [], "XGPS"),
        ("liaison", ["--agency", "XGFY"], [], "XGFY"),
        ("admin", [], [], None),
    ],
)
def test_create_user_of_each_role(run, places, role, args, stations, agency):
    result = run("create-user", "lin", "--role", role, *args, "--password", PASSWORD, "--name", "林")
    assert result.exit_code == 0, result.output
    assert f"Created {role} lin" in result.output
    created = user("lin")
    assert (created.role, created.display_name, created.active) == (role, "林", True)
    assert [s.code for s in created.stations] == stations
    assert (created.agency.code if created.agency else None) == agency
    assert created.check_password(PASSWORD)
    assert PASSWORD not in created.password_hash


def test_an_account_may_have_an_email_address_for_its_reminders(run, places):
    result = run("create-user", "lin", "--role", "admin", "--password", PASSWORD, "--email", " lin@x.cn ")
    assert result.exit_code == 0, result.output
    assert user("lin").email == "lin@x.cn"
    run("create-user", "mu", "--role", "admin", "--password", PASSWORD)
    assert user("mu").email == ""


def test_the_password_can_be_typed_at_a_prompt(run, places):
    result = run("create-user", "lin", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert user("lin").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "mediator"], ["mediator", "--station"]),
        (["--role", "supervisor"], ["supervisor", "--station"]),
        (["--role", "mediator", "--station", "NOPE"], ["no station", "NOPE"]),
        (["--role", "mediator", "--station", "XLG", "--station", "NOPE"], ["no station", "NOPE"]),
        (["--role", "liaison"], ["liaison", "--agency"]),
        (["--role", "liaison", "--agency", "NOPE"], ["no agency", "NOPE"]),
        (
            ["--role", "liaison", "--agency", "XGPS", "--station", "XLG"],
            ["does not belong to stations"],
        ),
        (["--role", "admin", "--station", "XLG"], ["does not belong to stations"]),
        (["--role", "mediator", "--station", "XLG", "--agency", "XGPS"], ["only liaisons"]),
        (["--role", "janitor"], ["--role", "janitor"]),
        (["--station", "XLG"], ["--role"]),
        (["--role", "admin", "--email", "wang at example.cn"], ["--email"]),
        (["--role", "admin", "--email", "Wang <wang@example.cn>"], ["--email"]),
    ],
)
def test_create_user_refuses_bad_arguments(run, places, args, words):
    result = run("create-user", "lin", *args, "--password", PASSWORD)
    assert_fails(result, *words)
    assert user("lin") is None


def test_a_password_needs_eight_characters(run, places):
    result = run("create-user", "lin", "--role", "mediator", "--station", "XLG", "--password", "short")
    assert_fails(result, "password", "8 characters")
    assert user("lin") is None


def test_usernames_are_unique(run, places):
    make_user("lin", "admin")
    _db.session.commit()
    result = run("create-user", "lin", "--role", "mediator", "--station", "XLG", "--password", PASSWORD)
    assert_fails(result, "lin", "already exists")
    assert user("lin").role == "admin"
    assert count(User) == 1


def test_the_prompted_password_must_be_typed_twice_alike(run, places):
    result = run("create-user", "lin", "--role", "admin", input=f"{PASSWORD}\nsomething else\n\n\n")
    assert result.exit_code != 0
    assert user("lin") is None


# --- Housekeeping -------------------------------------------------------------------------------------------


def test_purge_deletes_old_form_keys_and_ended_sessions_only(run, db):
    from datetime import timedelta

    from mediation.clock import utcnow
    from mediation.models import SignInSession, Submission

    user = make_user("wang", "mediator", [make_station()])
    now = utcnow()
    db.session.add_all(
        [
            Submission(key="old-key-0123456789", user_id=user.id, created_at=now - timedelta(days=8)),
            Submission(key="new-key-0123456789", user_id=user.id, created_at=now - timedelta(hours=1)),
            SignInSession(token_digest="a" * 64, user_id=user.id, expires_at=now - timedelta(days=40)),
            SignInSession(
                token_digest="b" * 64, user_id=user.id, expires_at=now + timedelta(days=9),
                revoked_at=now - timedelta(days=31),
            ),
            SignInSession(token_digest="c" * 64, user_id=user.id, expires_at=now + timedelta(days=9)),
            SignInSession(token_digest="d" * 64, user_id=user.id, expires_at=now - timedelta(days=2)),
        ]
    )  # fmt: skip
    db.session.commit()
    result = run("purge")
    assert (
        result.exit_code == 0
        and "Deleted 1 one-time form keys and 2 ended sign-in sessions." in result.output
    )
    assert [k for (k,) in db.session.execute(select(Submission.key))] == ["new-key-0123456789"]
    assert sorted(d[0] for (d,) in db.session.execute(select(SignInSession.token_digest))) == ["c", "d"]
