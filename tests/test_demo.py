"""``flask --app mediation mediation seed-demo``: realistic demo data reached only through the real steps."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from mediation import demo, lifecycle, taxonomy
from mediation.clock import local_date, utcnow
from mediation.demo.planner import Planner
from mediation.models import (
    Agency,
    Agreement,
    Case,
    CaseParty,
    Deadline,
    DutyShift,
    Event,
    FollowUpVisit,
    MediationSession,
    Notification,
    Referral,
    Station,
    Supervision,
    User,
    VisitLogEntry,
)
from mediation.services import settings

CASES = "60"


def seed(app, *args):
    return app.test_cli_runner().invoke(args=["mediation", "seed-demo", *args])


@pytest.fixture
def seeded(app, db):
    result = seed(app, "--cases", CASES)
    assert result.exit_code == 0, result.output
    return result


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def empty_database(db):
    """What the ``db`` fixture does after a test, for a test that seeds twice."""
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


def test_every_state_channel_category_and_outcome_occurs(db, seeded):
    cases = db.session.scalars(select(Case)).all()
    assert len(cases) == int(CASES)
    assert {c.state for c in cases} == set(lifecycle.STATES)
    assert {c.channel for c in cases} == set(taxonomy.CHANNELS)
    assert {c.category for c in cases} == set(taxonomy.CATEGORIES)
    assert {c.outcome for c in cases if c.state == "closed"} == set(taxonomy.OUTCOMES)


def test_every_case_replays_its_events_to_its_state(db, seeded):
    for case in db.session.scalars(select(Case)):
        events = case.events.all()
        assert events[0].action == "register" and events[0].to_state == "registered", case.number
        state = "registered"
        for event in events:
            if event.kind == "transition":
                assert event.from_state == state, (case.number, event)
                assert lifecycle.may(event.from_state, event.action), (case.number, event)
            state = event.to_state
        assert state == case.state, case.number
        # Back-dated in order: registration first, each event no earlier than the one before.
        times = [e.at for e in events]
        assert times == sorted(times) and times[0] == case.registered_at, case.number
        assert times[-1] <= utcnow()


def test_every_closed_case_has_an_outcome_and_every_resolved_one_a_performed_visit(db, seeded):
    closed = db.session.scalars(select(Case).where(Case.state == "closed")).all()
    assert closed and all(c.outcome in taxonomy.OUTCOMES and c.closed_at for c in closed)
    assert all(c.outcome is None for c in db.session.scalars(select(Case).where(Case.state != "closed")))
    for case in closed:
        if case.outcome == "resolved":
            assert any(v.done_on and v.agreement_performed for v in case.visits), case.number


def test_every_row_the_figures_count_by_station_is_at_its_cases_station(db, seeded):
    """The oversight figures scope agreements, referrals, visits, deadlines and supervisions by the station
    copied onto them; the demo's every kind of step copies it right."""
    for model in (Agreement, Referral, FollowUpVisit, Deadline, Supervision):
        query = select(model.station_id, Case.station_id).join(Case, Case.id == model.case_id)
        pairs = db.session.execute(query).all()
        assert pairs and all(row == case for row, case in pairs), model.__name__


def test_the_data_reads_like_a_stations_year(db, seeded):
    now = utcnow()
    cases = db.session.scalars(select(Case)).all()
    assert min(c.registered_at for c in cases) >= now - timedelta(days=366)
    assert any(c.is_overdue(now) for c in cases) and any(c.is_open and not c.is_overdue(now) for c in cases)
    assert count(db, MediationSession) and count(db, FollowUpVisit)
    agreed = [c for c in cases if c.state == "following_up" and c.agreements]
    assert agreed and all(c.sessions and c.rights_notified_at for c in agreed)
    # One file per person: some people come back in other cases.
    returning = select(CaseParty.party_id).group_by(CaseParty.party_id).having(func.count() > 1).subquery()
    assert count(db, returning) > 0
    # This week's roster covers every day at every station; some visit-log entries became cases.
    monday = local_date(now) - timedelta(days=local_date(now).weekday())
    for station in db.session.scalars(select(Station)):
        days = db.session.scalars(select(DutyShift.day).where(DutyShift.station_id == station.id)).all()
        assert sorted(days) == [monday + timedelta(days=i) for i in range(7)], station.code
    linked = select(func.count()).select_from(VisitLogEntry).where(VisitLogEntry.case_id.is_not(None))
    assert db.session.scalar(linked) > 0


def test_accounts_of_every_role_are_printed_and_can_sign_in(app, db, seeded):
    users = db.session.scalars(select(User)).all()
    assert {u.role for u in users} == {"mediator", "liaison", "supervisor", "admin"}
    assert any(len(u.stations) > 1 for u in users if u.role == "mediator")
    assert {a.kind for a in db.session.scalars(select(Agency))} >= {
        "police",
        "court",
        "judicial_office",
        "labour_arbitration",
    }
    assert demo.DEMO_PASSWORD in seeded.output
    for user in users:
        assert user.username in seeded.output
        response = app.test_client().post(
            "/login", data={"username": user.username, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, user.username


def test_if_empty_on_a_seeded_database_adds_nothing(app, db, seeded):
    before = [count(db, model) for model in (Station, User, Case, Event)]
    result = seed(app, "--if-empty", "--cases", CASES)
    assert result.exit_code == 0, result.output
    assert "no demo data added" in result.output and demo.DEMO_PASSWORD in result.output
    db.session.expire_all()
    assert [count(db, model) for model in (Station, User, Case, Event)] == before


def test_seeding_twice_without_if_empty_is_refused(app, db, seeded):
    result = seed(app, "--cases", "5")
    assert result.exit_code != 0
    assert "already here" in result.output
    assert count(db, Case) == int(CASES)


def test_if_empty_seeds_an_empty_database(app, db):
    result = seed(app, "--if-empty", "--cases", "15")
    assert result.exit_code == 0, result.output
    assert count(db, Case) == 15


def test_the_same_seed_gives_the_same_cases(app, db):
    def titles():
        return db.session.scalars(select(Case.title).order_by(Case.registered_at, Case.number)).all()

    assert seed(app, "--cases", "30", "--seed", "7").exit_code == 0
    first = titles()
    empty_database(db)
    assert seed(app, "--cases", "30", "--seed", "7").exit_code == 0
    assert titles() == first
    empty_database(db)
    assert seed(app, "--cases", "30", "--seed", "8").exit_code == 0
    assert titles() != first


@pytest.mark.parametrize("args", [["--cases", "-1"], ["--cases", "many"], ["--seed", "x"]])
def test_bad_arguments_are_refused_with_a_message(app, db, args):
    result = seed(app, *args)
    assert result.exit_code != 0
    assert "Invalid value" in result.output
    assert count(db, Station) == 0


def test_every_story_fills_in_its_text():
    """Each template formats with the fields a plan provides (a typo would surface only by chance)."""
    planner = Planner(random.Random(1), utcnow(), demo.planned_days(settings.default_length))
    for story in demo.STORIES:
        for target in ("resolved", "unresolved"):
            plan = planner.plan(0, story, "walk_in", target)
            assert plan.title and plan.facts and "{" not in plan.title + plan.facts
            vars = {**plan.vars, "deadline": "2026年1月1日"}
            for text_ in (story.terms, story.fail, story.onsite):
                assert "{" not in text_.format_map(vars), story.key


def test_the_demos_steps_leave_their_notifications(db, seeded):
    """The steps went through the services, so the agencies were told of referrals and the stations of
    the answers, as after any request."""
    kinds = {
        (user.role, kind)
        for user, kind in db.session.execute(
            select(User, Notification.kind).join(User, User.id == Notification.user_id)
        )
    }
    assert {("liaison", "referral_received"), ("mediator", "referral_answered")} <= kinds
    assert {("liaison", "dispute_answered"), ("mediator", "referral_result")} <= kinds


def test_the_demos_supervisors_press_stuck_cases_through_the_service(db, seeded):
    """督办: a stuck case at each station with one is under supervision, marked on the case, owing an answer
    (or answered), its mediator told."""
    open_ = db.session.scalars(select(Supervision).where(Supervision.ended_at.is_(None))).all()
    assert len(open_) >= 3 and len({s.station_id for s in open_}) == len(open_)
    assert all(s.case.supervision_urgency == s.urgency and s.case.is_open for s in open_)
    assert any(s.answers for s in open_) and any(not s.answers for s in open_)
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"supervision_started", "supervision_answered"} <= kinds
