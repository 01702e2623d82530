"""The request boundary: one commit per posted form, the refusal's status, a one-time key against retries,
and work deferred until after the commit."""

import threading

import pytest
from sqlalchemy import func, select

from mediation.extensions import db as _db
from mediation.models import Case, Submission
from mediation.services import deferred
from tests.conftest import login
from tests.test_intake import intake_data

KEY = "retry-key-0123456789abcdef"


def case_count(db):
    return db.session.scalar(select(func.count()).select_from(Case))


def test_a_retried_intake_registers_one_case_and_leads_to_it(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    first = client.post("/cases/new", data=intake_data(submission=KEY))
    # The connection dropped before the answer arrived; the browser sends the same form again.
    again = client.post("/cases/new", data=intake_data(submission=KEY))
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert case_count(db) == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This form was already sent; nothing was saved twice." in page


def test_a_refused_submit_keeps_its_key_unused_so_the_corrected_form_goes_through(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    refused = client.post("/cases/new", data=intake_data(submission=KEY, title=""))
    assert refused.status_code == 422
    assert KEY in refused.get_data(as_text=True)  # the page comes back with the same key
    assert db.session.get(Submission, KEY) is None
    assert client.post("/cases/new", data=intake_data(submission=KEY)).status_code == 302
    assert case_count(db) == 1


def test_every_rendered_form_carries_a_fresh_key(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    pages = [client.get("/cases/new").get_data(as_text=True) for _ in range(2)]
    keys = [page.split('name="submission" type="hidden" value="', 1)[1].split('"', 1)[0] for page in pages]
    assert len(set(keys)) == 2 and all(len(k) >= 16 for k in keys)


def test_someone_elses_key_is_not_theirs_to_replay(client, db, mediator, colleague):
    db.session.commit()
    login(client, colleague)
    assert client.post("/cases/new", data=intake_data(submission=KEY)).status_code == 302
    client.post("/logout")
    login(client, mediator)
    assert client.post("/cases/new", data=intake_data(submission=KEY)).status_code == 400
    assert case_count(db) == 1


def test_the_same_form_posted_twice_at_once_registers_one_case(app, db, mediator):
    """Two workers receive the same retried form at the same moment: the key lets only one through."""
    db.session.commit()
    responses, start = [], threading.Barrier(2)
    username = mediator.username

    def post():
        client = app.test_client()
        signed_in = client.post("/login", data={"username": username, "password": "correct horse 8"})
        assert signed_in.status_code == 302
        start.wait(timeout=10)
        responses.append(client.post("/cases/new", data=intake_data(submission=KEY)))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in responses] == [302, 302]
    assert len({r.headers["Location"] for r in responses}) == 1
    _db.session.remove()
    assert case_count(db) == 1


def test_deferred_work_runs_after_the_commit_and_never_after_a_rollback(db, mediator):
    db.session.commit()
    ran = []
    deferred.defer(ran.append, "rolled back")
    db.session.rollback()
    assert deferred.run_deferred() == 0 and ran == []

    def sees_committed_row():
        # Runs after the commit: a new transaction already sees what was committed.
        ran.append(db.session.get(type(mediator), mediator.id).username)

    deferred.defer(sees_committed_row)
    db.session.commit()
    assert deferred.run_deferred() == 1 and ran == ["wang"]


def test_a_failing_deferred_job_does_not_undo_the_committed_change(db, mediator):
    def broken():
        raise RuntimeError("the mail server is down")

    deferred.defer(broken)
    db.session.commit()
    assert deferred.run_deferred() == 1
    assert db.session.get(type(mediator), mediator.id) is not None


@pytest.mark.parametrize(
    ("data", "status"),
    [({"title": ""}, 422), ({"station": "DHJ"}, 422), ({"mediator": "99999"}, 422)],
)
def test_a_refused_intake_answers_with_the_refusals_status(client, db, mediator, other_station, data, status):
    db.session.commit()
    login(client, mediator)
    assert client.post("/cases/new", data=intake_data(**data)).status_code == status
    assert case_count(db) == 0
