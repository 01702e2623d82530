"""A station's books: the visit log (服务记录本), a visit turned into a case, and the duty roster (值班表)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mediation.clock import local_date, local_now_input, utcnow
from mediation.models import Case, DutyShift, VisitLogEntry
from mediation.services.station_log import VisitorInput, log_visitor, week_start
from tests.conftest import login, make_user
from tests.test_intake import intake_data


def visit(station, mediator, name="刘大爷", matter="隔壁装修噪音 Noise from renovation next door", **extra):
    return log_visitor(mediator, station, VisitorInput(visitor_name=name, matter=matter, **extra))


def entries(db):
    return db.session.scalars(select(VisitLogEntry).order_by(VisitLogEntry.id)).all()


# --- Who may see the books -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/station/XLG/visit-log", "/station/XLG/roster"])
def test_the_stations_mediators_see_its_books_with_forms(client, db, mediator, path):
    db.session.commit()
    login(client, mediator)
    response = client.get(path)
    assert response.status_code == 200
    assert 'method="post"' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/station/XLG/visit-log", "/station/XLG/roster"])
def test_its_supervisors_read_them_without_forms(client, db, supervisor, path):
    db.session.commit()
    login(client, supervisor)
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="visitor_name"' not in page and 'name="duty"' not in page
    assert "Save the week" not in page and "Add to the log" not in page


@pytest.mark.parametrize("persona", ["outsider", "police_liaison", "admin"])
@pytest.mark.parametrize("path", ["/station/XLG/visit-log", "/station/XLG/roster"])
def test_everyone_else_gets_404(client, db, station, request, persona, path):
    user = request.getfixturevalue(persona)
    db.session.commit()
    login(client, user)
    assert client.get(path).status_code == 404
    assert client.post(path, data={"visitor_name": "x", "matter": "y"}).status_code == 404


def test_an_unknown_station_is_404(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    assert client.get("/station/NOPE/visit-log").status_code == 404
    assert client.get("/station/NOPE/roster").status_code == 404


def test_station_codes_are_not_case_sensitive(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    assert client.get("/station/xlg/visit-log").status_code == 200


# --- Visit log --------------------------------------------------------------------------------------------


def test_a_mediator_records_a_visitor(client, db, station, mediator):
    db.session.commit()
    login(client, mediator)
    response = client.post(
        "/station/XLG/visit-log",
        data={
            "visitor_name": "刘大爷",
            "visitor_phone": "13700000007",
            "visited_at": "2025-03-04T09:30",
            "matter": "隔壁装修噪音 Noise from renovation",
            "action_taken": "Explained the quiet hours; will call the neighbour",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/station/XLG/visit-log"
    [entry] = entries(db)
    assert entry.visitor_name == "刘大爷" and entry.visitor_phone == "13700000007"
    assert entry.station_id == station.id and entry.recorded_by_id == mediator.id
    assert entry.action_taken.startswith("Explained")
    # Typed in China Standard Time, stored in UTC.
    assert entry.visited_at.isoformat() == "2025-03-04T01:30:00+00:00"
    page = client.get("/station/XLG/visit-log").get_data(as_text=True)
    assert "刘大爷" in page and "Noise from renovation" in page and "Register as a case" in page


def test_a_visit_with_missing_details_is_shown_again_with_messages(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    response = client.post(
        "/station/XLG/visit-log",
        data={
            "visitor_name": "",
            "visitor_phone": "12",
            "matter": "",
            "action_taken": "Gave advice on leases",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        'id="visitor_name-error"' in page
        and 'id="visitor_phone-error"' in page
        and 'id="matter-error"' in page
    )
    assert 'value="12"' in page and "Gave advice on leases" in page
    assert entries(db) == []


def test_a_visit_cannot_be_in_the_future(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    later = (local_now_input() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/station/XLG/visit-log", data={"visitor_name": "刘", "matter": "m", "visited_at": later}
    )
    assert response.status_code == 422 and 'id="visited_at-error"' in response.get_data(as_text=True)
    assert entries(db) == []


def test_a_supervisor_cannot_write_in_the_log(client, db, supervisor):
    db.session.commit()
    login(client, supervisor)
    response = client.post("/station/XLG/visit-log", data={"visitor_name": "刘", "matter": "m"})
    assert response.status_code == 403
    assert entries(db) == []


def test_the_log_is_newest_first_and_paged(client, db, station, mediator):
    start = utcnow() - timedelta(days=40)
    for i in range(30):
        visit(station, mediator, name=f"访客{i:02d}", visited_at=start + timedelta(days=i))
    db.session.commit()
    login(client, mediator)
    first = client.get("/station/XLG/visit-log").get_data(as_text=True)
    names = re.findall(r"访客\d\d", first)
    assert names[0] == "访客29" and len(names) == 25 and "访客04" not in names
    second = re.findall(r"访客\d\d", client.get("/station/XLG/visit-log?page=2").get_data(as_text=True))
    assert second == ["访客04", "访客03", "访客02", "访客01", "访客00"]
    assert client.get("/station/XLG/visit-log?page=abc").status_code == 200
    assert client.get("/station/XLG/visit-log?page=-3").status_code == 200


def test_supervisors_see_visitors_phones_masked(client, db, station, mediator, supervisor):
    visit(station, mediator, visitor_phone="13700000007")
    db.session.commit()
    login(client, supervisor)
    page = client.get("/station/XLG/visit-log").get_data(as_text=True)
    assert "13700000007" not in page and "137****0007" in page
    assert "Register as a case" not in page


# --- From visit to case -------------------------------------------------------------------------------------


def test_register_as_a_case_prefills_the_intake_form(client, db, station, mediator):
    entry = visit(station, mediator, visitor_phone="13700000007")
    db.session.commit()
    login(client, mediator)
    page = client.get(f"/cases/new?log_entry={entry.id}").get_data(as_text=True)
    assert 'value="刘大爷"' in page and 'value="13700000007"' in page
    assert "Noise from renovation next door" in page
    assert f'name="log_entry" type="hidden" value="{entry.id}"' in page


def test_a_visit_registered_as_a_case_is_linked_to_it(client, db, station, mediator):
    entry = visit(station, mediator)
    db.session.commit()
    login(client, mediator)
    data = intake_data(log_entry=str(entry.id), **{"parties-0-name": "刘大爷"})
    response = client.post("/cases/new", data=data)
    assert response.status_code == 302 and response.headers["Location"].startswith("/cases/XLG-")
    case = db.session.scalars(select(Case)).one()
    db.session.refresh(entry)
    assert entry.case_id == case.id
    assert [e.action for e in case.events] == ["register", "link_visit"]
    assert list(case.events)[-1].data["visit_id"] == entry.id
    page = client.get("/station/XLG/visit-log").get_data(as_text=True)
    assert f'href="/cases/{case.number}"' in page and "Register as a case" not in page
    # The form warns, and a second time is refused and nothing is registered.
    assert "already been registered" in client.get(f"/cases/new?log_entry={entry.id}").get_data(as_text=True)
    again = client.post("/cases/new", data=data)
    assert again.status_code == 409 and "already been registered" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_another_stations_visit_cannot_be_registered(client, db, mediator, other_station, outsider):
    entry = visit(other_station, outsider)
    db.session.commit()
    login(client, mediator)
    assert client.get(f"/cases/new?log_entry={entry.id}").status_code == 404
    assert client.post("/cases/new", data=intake_data(log_entry=str(entry.id))).status_code == 404
    assert client.get("/cases/new?log_entry=abc").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


# --- Duty roster --------------------------------------------------------------------------------------------


def this_monday():
    return week_start(local_date(utcnow()))


def shifts(db):
    return {(s.day, s.user_id) for s in db.session.scalars(select(DutyShift))}


def test_the_roster_shows_the_week_with_whoever_is_on_duty(
    client, db, station, mediator, colleague, supervisor
):
    monday = this_monday()
    db.session.add(DutyShift(station_id=station.id, day=monday + timedelta(days=2), user_id=colleague.id))
    db.session.commit()
    login(client, supervisor)
    page = client.get("/station/XLG/roster").get_data(as_text=True)
    assert len(re.findall(r'<tr class="[^"]*" data-day="', page)) == 7
    wednesday = page[page.index(f'data-day="{(monday + timedelta(days=2)).isoformat()}"') :]
    assert "zhao" in wednesday[: wednesday.index("</tr>")]
    assert f"week={(monday - timedelta(days=7)).isoformat()}" in page
    assert f"week={(monday + timedelta(days=7)).isoformat()}" in page
    # Any day of a week shows that week; nonsense shows this week.
    later = client.get(f"/station/XLG/roster?week={(monday + timedelta(days=10)).isoformat()}").get_data(
        as_text=True
    )
    assert f'data-day="{(monday + timedelta(days=7)).isoformat()}"' in later
    for junk in ("abc", "2026-13-45", "99999-01-01", "0001-01-01"):
        response = client.get(f"/station/XLG/roster?week={junk}")
        assert response.status_code == 200 and f'data-day="{monday.isoformat()}"' in response.get_data(
            as_text=True
        )


def test_a_mediator_sets_next_weeks_roster(client, db, station, mediator, colleague):
    next_monday = this_monday() + timedelta(days=7)
    db.session.add(DutyShift(station_id=station.id, day=next_monday, user_id=mediator.id))
    db.session.commit()
    login(client, mediator)
    week = next_monday.isoformat()
    ticked = [
        f"{next_monday.isoformat()}:{colleague.id}",
        f"{(next_monday + timedelta(days=3)).isoformat()}:{mediator.id}",
    ]
    response = client.post(f"/station/XLG/roster?week={week}", data={"week": week, "duty": ticked})
    assert response.status_code == 302 and f"week={week}" in response.headers["Location"]
    assert shifts(db) == {(next_monday, colleague.id), (next_monday + timedelta(days=3), mediator.id)}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Roster saved: 2 added, 1 removed." in page


@pytest.mark.parametrize("week", ["", "garbage", "2026-13-45"])
def test_a_posted_roster_whose_week_cannot_be_read_changes_nothing(client, db, station, mediator, week):
    """Read as "this week", an empty post would take everyone off this week's coming days."""
    tomorrow = local_date(utcnow()) + timedelta(days=1)
    db.session.add(DutyShift(station_id=station.id, day=tomorrow, user_id=mediator.id))
    db.session.commit()
    login(client, mediator)
    response = client.post("/station/XLG/roster", data={"week": week})
    assert response.status_code == 422
    assert shifts(db) == {(tomorrow, mediator.id)}


def test_days_already_past_are_not_changed(client, db, station, mediator, colleague):
    last_monday = this_monday() - timedelta(days=7)
    db.session.add(DutyShift(station_id=station.id, day=last_monday, user_id=mediator.id))
    db.session.commit()
    login(client, mediator)
    week = last_monday.isoformat()
    # Unticking (the page disables past days, so nothing is posted for them) keeps the record.
    assert client.post(f"/station/XLG/roster?week={week}", data={"week": week}).status_code == 302
    assert shifts(db) == {(last_monday, mediator.id)}
    # Adding someone to a past day is refused.
    response = client.post(
        f"/station/XLG/roster?week={week}",
        data={"week": week, "duty": [f"{week}:{mediator.id}", f"{week}:{colleague.id}"]},
    )
    assert response.status_code == 422 and "cannot be changed" in response.get_data(as_text=True)
    assert shifts(db) == {(last_monday, mediator.id)}


def test_only_the_stations_mediators_can_be_put_on_duty(client, db, station, mediator, outsider, supervisor):
    next_monday = (this_monday() + timedelta(days=7)).isoformat()
    db.session.commit()
    login(client, mediator)
    for stranger in (outsider, supervisor):
        response = client.post(
            f"/station/XLG/roster?week={next_monday}",
            data={"week": next_monday, "duty": [f"{next_monday}:{stranger.id}"]},
        )
        assert response.status_code == 422 and "Only the station" in response.get_data(as_text=True)
    assert shifts(db) == set()
    # Malformed values are ignored.
    response = client.post(
        f"/station/XLG/roster?week={next_monday}", data={"week": next_monday, "duty": ["x:y", ":"]}
    )
    assert response.status_code == 302 and shifts(db) == set()


def test_a_supervisor_cannot_edit_the_roster(client, db, station, mediator, supervisor):
    next_monday = (this_monday() + timedelta(days=7)).isoformat()
    db.session.commit()
    login(client, supervisor)
    response = client.post(
        f"/station/XLG/roster?week={next_monday}",
        data={"week": next_monday, "duty": [f"{next_monday}:{mediator.id}"]},
    )
    assert response.status_code == 403
    assert shifts(db) == set()


def test_the_roster_decides_who_gets_a_new_case(client, db, station, mediator, colleague):
    today = local_date(utcnow())
    db.session.commit()
    login(client, mediator)
    monday = week_start(today).isoformat()
    response = client.post(
        f"/station/XLG/roster?week={monday}",
        data={"week": monday, "duty": [f"{today.isoformat()}:{colleague.id}"]},
    )
    assert response.status_code == 302
    assert client.post("/cases/new", data=intake_data()).status_code == 302
    assert db.session.scalars(select(Case)).one().mediator_id == colleague.id


def test_a_mediator_who_left_comes_off_the_coming_days_but_stays_in_the_record(client, db, station, mediator):
    leaver = make_user("gone", "mediator", [station])
    today = local_date(utcnow())
    monday = week_start(today)
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    for day in (yesterday, tomorrow):
        db.session.add(DutyShift(station_id=station.id, day=day, user_id=leaver.id))
    leaver.stations = []
    db.session.commit()
    login(client, mediator)
    for week in {week_start(yesterday), monday, week_start(tomorrow)}:
        assert (
            client.post(f"/station/XLG/roster?week={week}", data={"week": week.isoformat()}).status_code
            == 302
        )
    assert shifts(db) == {(yesterday, leaver.id)}
