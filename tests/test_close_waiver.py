"""Closing without the required visit (the close waiver): off unless an admin turns it on; while on, a case
no visit found performed closes only with a reason the deployment allows and an explanation, and the trail
records all three. Off, closing is as it always was."""

import re

import pytest
from sqlalchemy import select

from mediation import lifecycle
from mediation.clock import local_date
from mediation.errors import Invalid
from mediation.models import AuditEntry
from mediation.services import followups, settings
from mediation.services.transitions import apply_step
from tests.conftest import fire, login, make_case, with_panels

NAME = lifecycle.CLOSE_WITHOUT_VISIT.name
WAIVER = {
    "visit_waived": True,
    "visit_waiver_reason": "moved_away",
    "visit_waiver_explanation": "双方已搬离西固区，电话停机，居委会证实",
}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def agreed(db, station, mediator):
    case = make_case(station, mediator)
    fire(case, "accept", mediator)
    fire(case, "reach_agreement", mediator)
    db.session.commit()
    return case


def allow(*reasons):
    settings.set_waiver(None, NAME, True, reasons)
    from mediation.extensions import db

    db.session.commit()


def close(case, actor, **data):
    return apply_step(case, "close", actor, version=case.version, **data)


def refusal(case, actor, **data) -> Invalid:
    with pytest.raises(Invalid) as caught:
        close(case, actor, **data)
    return caught.value


# --- The rule ---------------------------------------------------------------------------------------------


def test_off_by_default_closing_needs_the_visit_whatever_is_typed(db, agreed, mediator):
    assert settings.waiver(NAME) == {"enabled": False, "reasons": []} and settings.permits() == {}
    error = refusal(agreed, mediator, **WAIVER)
    assert error.code == "visit_found_performed" and agreed.state == "following_up"


def test_on_it_still_needs_a_reason_it_allows_and_an_explanation(db, agreed, mediator):
    allow("moved_away", "unreachable")
    assert refusal(agreed, mediator).code == "visit_found_performed"  # not asked for: the rule holds
    error = refusal(agreed, mediator, visit_waived=True)
    assert set(error.fields) == {"visit_waiver_reason", "visit_waiver_explanation"}
    error = refusal(agreed, mediator, **{**WAIVER, "visit_waiver_reason": "refuse_visit"})
    assert set(error.fields) == {"visit_waiver_reason"}  # a reason this deployment does not accept
    error = refusal(agreed, mediator, **{**WAIVER, "visit_waiver_reason": "nonsense"})
    assert set(error.fields) == {"visit_waiver_reason"}
    assert agreed.state == "following_up" and agreed.events.all()[-1].action != "close"


def test_on_with_a_reason_and_an_explanation_the_case_closes_and_the_trail_says_why(db, agreed, mediator):
    allow()
    event = close(agreed, mediator, note="无法回访", **WAIVER)
    assert (agreed.state, agreed.outcome) == ("closed", "resolved")
    assert {k: event.data[k] for k in WAIVER} == WAIVER and event.data["note"] == "无法回访"
    assert not followups.follow_up_owed(agreed)  # the first visit's deadline is met by closing


def test_a_waiver_is_not_recorded_when_a_visit_found_the_agreement_performed(db, agreed, mediator):
    allow()
    followups.record_visit(mediator, agreed, done_on=local_date(agreed.registered_at), method="phone",
                           performance="fully")  # fmt: skip
    event = close(agreed, mediator, **WAIVER)
    assert agreed.state == "closed" and not set(WAIVER) & set(event.data)


def test_turned_off_again_it_no_longer_helps(db, agreed, mediator):
    allow()
    settings.set_waiver(None, NAME, False)
    assert refusal(agreed, mediator, **WAIVER).code == "visit_found_performed"


def test_every_change_of_the_setting_is_audited(db):
    settings.set_waiver(None, NAME, True, ["unreachable"])
    settings.set_waiver(None, NAME, False)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "set_setting").order_by(AuditEntry.id)
    ).all()
    assert [(e.target, e.old, e.new) for e in entries] == [
        (f"setting:waiver.{NAME}", {"enabled": False, "reasons": []},
         {"enabled": True, "reasons": ["unreachable"]}),
        (f"setting:waiver.{NAME}", {"enabled": True, "reasons": ["unreachable"]},
         {"enabled": False, "reasons": ["unreachable"]}),
    ]  # fmt: skip
    with pytest.raises(Invalid):
        settings.set_waiver(None, NAME, True, ["unreachable", "bribed"])


# --- The command line ------------------------------------------------------------------------------------


def test_the_cli_shows_enables_and_disables_it(app, db):
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["mediation", "close-waiver", *args])

    assert "not allowed" in run("show").output
    result = run("enable", "--reason", "moved_away", "--reason", "unreachable")
    assert result.exit_code == 0, result.output
    assert settings.permits() == {NAME: ("moved_away", "unreachable")}
    shown = run("show").output
    assert "allowed, for these reasons" in shown and "moved_away" in shown and "refuse_visit" not in shown
    assert run("enable", "--reason", "bribed").exit_code == 2  # not a reason it knows
    assert run("enable").exit_code == 0 and set(settings.permits()[NAME]) == set(
        lifecycle.CLOSE_WITHOUT_VISIT.reasons
    )
    assert run("disable").exit_code == 0 and settings.permits() == {}
    (entry, *_rest) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "set_setting")).all()
    assert entry.actor_id is None and entry.address.startswith("cli:")


# --- The case page ---------------------------------------------------------------------------------------


def close_panel(html: str) -> str:
    start = html.index('data-step="close"')
    return html[start : html.index("</form>", start)] if "</form>" in html[start:] else html[start:]


def test_off_the_page_shows_close_disabled_with_the_rule(client, agreed, mediator):
    login(client, mediator)
    html = with_panels(client, f"/cases/{agreed.number}")
    assert 'data-step="close" data-blocked' in html
    assert "visit_waived" not in html and "visit_waiver_reason" not in html


def test_on_the_page_offers_the_waiver_while_no_visit_found_it_performed(client, db, agreed, mediator):
    allow("moved_away", "unreachable")
    login(client, mediator)
    panel = close_panel(with_panels(client, f"/cases/{agreed.number}"))
    assert "data-blocked" not in panel.split(">", 1)[0]
    assert 'id="close-visit_waived"' in panel and 'id="close-visit_waiver_explanation"' in panel
    options = re.findall(r'<option[^>]*value="([^"]*)"', panel)
    assert options == ["", "unreachable", "moved_away"]  # only those this deployment accepts, in order
    assert "A completed follow-up visit must have found the agreement performed." in panel
    # Found performed: the waiver is not needed, and not offered.
    followups.record_visit(mediator, agreed, done_on=local_date(agreed.registered_at), method="phone",
                           performance="fully")  # fmt: skip
    db.session.commit()
    panel = close_panel(with_panels(client, f"/cases/{agreed.number}"))
    assert "visit_waived" not in panel and "visit_waiver_reason" not in panel


def post_close(client, case, **data):
    return client.post(f"/cases/{case.number}/steps/close", data={"version": case.version, **data})


def test_closing_from_the_page_with_the_waiver(client, db, agreed, mediator):
    allow()
    login(client, mediator)
    response = post_close(client, agreed, visit_waived="y", visit_waiver_reason="moved_away")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say what happened." in html and 'id="close-visit_waived"' in html  # re-rendered, kept
    response = post_close(client, agreed, **{**WAIVER, "visit_waived": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert agreed.state == "closed"
    html = client.get(f"/cases/{agreed.number}").get_data(as_text=True)
    for text in ("Close without the required visit", "The parties have moved away", WAIVER[
            "visit_waiver_explanation"]):  # fmt: skip
        assert text in html, text
    html = client.get(f"/cases/{agreed.number}", headers=ZH).get_data(as_text=True)
    for text in ("未经规定回访结案", "未回访原因", "当事人已迁离"):
        assert text in html, text


def test_off_a_posted_waiver_is_refused(client, db, agreed, mediator):
    login(client, mediator)
    response = post_close(client, agreed, **{**WAIVER, "visit_waived": "y"})
    assert response.status_code == 422
    db.session.expire_all()
    assert agreed.state == "following_up"
