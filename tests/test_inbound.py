"""An agency sends a dispute to a station: it arrives registered, with its referral, for the station to
accept or decline; a court's dispute is fed back before it closes."""

from datetime import timedelta

import pytest

from mediation import lifecycle
from mediation.clock import local_date, utcnow
from mediation.errors import Invalid, NotAllowed
from mediation.models import DutyShift
from mediation.services.cases import CaseInput
from mediation.services.inbound import send_dispute
from mediation.services.parties import PartyInput
from mediation.services.transitions import apply_step
from tests.conftest import fire, make_agency, make_case, make_user

PARTIES = [
    PartyInput(role="applicant", name="刘建华", phone="13800000011"),
    PartyInput(role="respondent", name="赵敏", phone="13800000012"),
]


def details(**extra):
    return CaseInput(
        title="邻里噪音 Noise", category="neighbour", channel="walk_in", facts="楼上夜间噪音", **extra
    )


def send(liaison, station, kind, **extra):
    return send_dispute(liaison, station, kind, details(), list(PARTIES), **extra)


def test_a_police_handover_arrives_registered_with_its_referral(db, station, people, police):
    case = send(people["police_liaison"], station, "police_handover", agency_case_number="西公110-118")
    assert (case.state, case.channel, case.registered_by_id) == (
        "registered",
        "police",
        people["police_liaison"].id,
    )
    referral = case.inbound_referral
    assert (referral.direction, referral.kind, referral.status, referral.agency) == (
        "in",
        "police_handover",
        "pending",
        police,
    )
    assert referral.agency_case_number == "西公110-118" and case.external_ref == "西公110-118"
    assert {d.kind for d in case.deadlines if d.is_open} == {"acceptance"}
    assert case.mediator is None  # nobody on duty: whoever accepts it takes it
    fire(case, "accept", people["mediator"])
    assert (case.mediator, referral.status, referral.answered_by_id) == (
        people["mediator"],
        "accepted",
        people["mediator"].id,
    )


def test_it_goes_to_the_mediator_on_duty(db, station, people, police):
    db.session.add(DutyShift(station_id=station.id, user_id=people["colleague"].id, day=local_date(utcnow())))
    db.session.flush()
    case = send(people["police_liaison"], station, "police_handover")
    assert case.mediator == people["colleague"]


def test_declining_it_tells_the_agency_why(db, station, people, police):
    case = send(people["police_liaison"], station, "police_handover")
    fire(case, "decline", people["mediator"], reason="crime_or_public_order", note="已涉嫌违法")
    referral = case.inbound_referral
    assert (referral.status, referral.response) == ("declined", "已涉嫌违法")


@pytest.mark.parametrize(
    ("kind", "days"), [("court_delegated", 30), ("court_entrusted", 15), ("court_entrusted_summary", 7)]
)
def test_a_court_dispute_is_mediated_within_the_courts_period(db, station, people, court, kind, days):
    case = send(people["court_liaison"], station, kind, agency_case_number="(2026)甘0104民诉前调1号")
    fire(case, "accept", people["mediator"])
    period = next(d for d in case.deadlines if d.kind == "mediation")
    assert (period.variant, period.days, period.unit) == (kind, days, "calendar")


def test_a_court_dispute_cannot_close_before_its_feedback(db, station, people, court):
    case = send(
        people["court_liaison"], station, "court_delegated", agency_case_number="(2026)甘0104民诉前调2号"
    )
    fire(case, "accept", people["mediator"])
    for trigger in ("fail_mediation", "withdraw"):
        with pytest.raises(Invalid) as refused:
            fire(case, trigger, people["mediator"])
        assert refused.value.code == "feedback_sent"
    with pytest.raises(Invalid) as refused:  # an agreement is reported once it is recorded
        fire(case, "send_feedback", people["mediator"], outcome="agreement")
    assert refused.value.code == "feedback_fits"
    fire(case, "send_feedback", people["mediator"])
    referral = case.inbound_referral
    assert (referral.feedback_outcome, referral.feedback_by_id) == ("failure", people["mediator"].id)
    assert not lifecycle.STEPS["send_feedback"].applies_to(case)  # fed back once
    fire(case, "fail_mediation", people["mediator"])
    assert case.state == "closed"


def test_a_liaison_cannot_send_the_mediators_feedback(db, station, people, court):
    case = send(
        people["court_liaison"], station, "court_delegated", agency_case_number="(2026)甘0104民诉前调3号"
    )
    fire(case, "accept", people["mediator"])
    with pytest.raises(NotAllowed):
        fire(case, "send_feedback", people["court_liaison"])


@pytest.mark.parametrize(
    ("persona", "kind", "extra", "field"),
    [
        ("court_liaison", "court_delegated", {}, "agency_case_number"),  # a court's 案号 is required
        (
            "police_liaison",
            "court_delegated",
            {"agency_case_number": "x"},
            "kind",
        ),  # not the police's to send
        ("police_liaison", "litigation", {}, "kind"),  # an outbound kind
        ("police_liaison", "nope", {}, "kind"),
        ("police_liaison", "police_handover", {"agency_case_number": "号" * 65}, "agency_case_number"),
    ],
)
def test_a_wrong_dispute_is_refused_by_field_with_the_rest(
    db, station, people, police, court, persona, kind, extra, field
):
    bad = CaseInput(title="", category="neighbour", channel="walk_in")
    with pytest.raises(Invalid) as refused:
        send_dispute(people[persona], station, kind, bad, list(PARTIES), **extra)
    assert field in refused.value.fields and "title" in refused.value.fields


def test_only_a_liaison_of_an_agency_serving_the_station_sends_to_it(
    db, station, other_station, people, police
):
    for persona in ("mediator", "supervisor", "admin"):
        with pytest.raises(NotAllowed):
            send(people[persona], station, "police_handover")
    with pytest.raises(NotAllowed):
        send(people["police_liaison"], other_station, "police_handover")
    elsewhere = make_user(
        "dh_officer", "liaison", agency=make_agency("DHPS", "东海派出所", stations=[other_station])
    )
    with pytest.raises(NotAllowed):
        send(elsewhere, station, "police_handover")


def test_the_referral_picker_refuses_an_agency_that_does_not_serve_the_station(
    db, station, other_station, people, police
):
    make_agency("DHPS", "东海派出所", stations=[other_station])
    case = send(people["police_liaison"], station, "police_handover")
    fire(case, "accept", people["mediator"])
    with pytest.raises(Invalid) as refused:
        apply_step(case, "refer", people["mediator"], version=case.version, agency="DHPS", reason="风险")
    assert "agency" in refused.value.fields
    fire(case, "refer", people["mediator"], agency="XGPS")
    assert case.active_referral.kind == "police"


def test_a_high_risk_case_goes_to_the_police_urgent(db, station, people, police, court):
    risky = make_case(station, people["mediator"], risk_level="high")
    calm = make_case(station, people["mediator"], title="calm")
    fire(risky, "refer", people["mediator"])
    fire(calm, "refer", people["mediator"])
    assert risky.active_referral.urgent and not calm.active_referral.urgent


def test_the_police_answer_within_24_hours(db, station, people, police):
    case = make_case(station, people["mediator"])
    event = fire(case, "refer", people["mediator"])
    answer = next(d for d in case.deadlines if d.kind == "referral_answer")
    assert answer.due_at - answer.started_at == timedelta(days=1) and answer.variant == "police"
    assert event.data["deadlines"]["opened"][0]["kind"] == "referral_answer"


@pytest.mark.parametrize("trigger", ["resolve_by_agency", "return_to_station"])
def test_the_police_record_their_case_number_with_their_result(db, station, people, police, trigger):
    case = make_case(station, people["mediator"])
    fire(case, "refer", people["mediator"])
    referral = case.active_referral
    fire(case, "accept_referral", people["police_liaison"], agency_case_number="西公(治)受字〔2026〕7号")
    assert referral.agency_case_number == "西公(治)受字〔2026〕7号"
    fire(case, trigger, people["police_liaison"], agency_case_number="西公(治)决字〔2026〕9号")
    assert referral.agency_case_number == "西公(治)决字〔2026〕9号" and referral.closed_at is not None


def test_a_dispute_referred_before_anyone_took_it_is_the_referrers(db, station, people, police):
    case = send(people["police_liaison"], station, "police_handover")
    assert case.mediator is None
    fire(case, "refer", people["colleague"], agency="XGPS")
    fire(case, "decline_referral", people["police_liaison"])
    assert (case.state, case.mediator) == ("mediating", people["colleague"])
