"""Follow-up visits (回访): the plan, and recording what a visit found.

The station follows up successful and failed mediations alike (DOMAIN §5). The steps that conclude a
mediation plan the visits (``apply_step``, ``Step.plans_follow_up``); a mediator adds, moves or cancels a
planned visit with a reason, and records a visit done. Each planned visit is due by a deadline row — the
first by the step's ``follow_up`` deadline, any other by its own ``visit`` deadline — which recording it
meets and cancelling it cancels, so overdue visits show wherever deadlines do. Visits come once the
mediation is concluded (following up), and on a closed case only while a follow-up is still owed (a failed
mediation's, a major case's second visit). Closing a case
needs a visit, recorded since it entered follow-up, that found the agreement performed in full.
"""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from mediation import lifecycle, policy, taxonomy
from mediation.clock import end_of_day, local_date, parse_iso_date, utcnow
from mediation.errors import Conflict, Invalid
from mediation.models import Case, FollowUpVisit, User
from mediation.services import deadlines
from mediation.services.transitions import check_version, flush_case, record_event
from mediation.text import NOTE_LENGTH, parse_texts

#: The longest text each part of a follow-up record takes.
MAX_LENGTHS = {
    "party_reached": 200,
    "purpose": NOTE_LENGTH,
    "lawsuit_result": NOTE_LENGTH,
    "measures": NOTE_LENGTH,
    "notes": NOTE_LENGTH,
    "reason": NOTE_LENGTH,
}
#: The deadlines a planned visit can be due by.
VISIT_DEADLINES = ("follow_up", "visit")


def follow_up_owed(case: Case) -> bool:
    """A visit is still owed: a ``follow_up`` or ``visit`` deadline is open."""
    return any(d.is_open and d.kind in VISIT_DEADLINES for d in case.deadlines)


def takes_visits(case: Case) -> bool:
    """Whether visits are planned and recorded on the case now (who may, ``policy.can_follow_up`` says)."""
    return case.state in lifecycle.DEADLINES["visit"].states and (case.is_open or follow_up_owed(case))


def planned_visits(case: Case) -> list[FollowUpVisit]:
    """The visits still to make, soonest first."""
    return sorted((v for v in case.visits if v.is_planned), key=lambda v: v.scheduled_for)


def plan_visit(
    actor: User, case: Case, *, scheduled_for, reason: str = "", version=None, now: datetime | None = None
) -> FollowUpVisit:
    """Plan a visit to ``case`` on ``scheduled_for`` (today or later), due by its own ``visit`` deadline."""
    now = _check(actor, case, version, now)
    errors = {}
    day = _future_day("scheduled_for", scheduled_for, now, errors)
    texts = parse_texts({"reason": reason}, MAX_LENGTHS, errors)
    _refuse(errors)
    (deadline,) = deadlines.open_(case, ("visit",), now=now, by="plan_visit", due=end_of_day(day))
    visit = FollowUpVisit(
        station_id=case.station_id, scheduled_for=day, visitor_id=actor.id, deadline=deadline, created_at=now
    )
    case.visits.append(visit)
    flush_case()
    data = {"visit_id": visit.id, "scheduled_for": day, "reason": texts["reason"]}
    record_event(case, actor, "visit", "plan_visit", data | deadlines.for_event([deadline], [], []), now=now)
    return visit


def move_visit(
    actor: User, case: Case, visit: FollowUpVisit, *, scheduled_for, reason: str, version=None, now=None
) -> FollowUpVisit:
    """Move a planned visit to another day (today or later), with a reason: its deadline is replaced by one
    of the same kind due that day, and the trail keeps both days."""
    now = _check(actor, case, version, now)
    _planned(case, visit)
    errors = {}
    day = _future_day("scheduled_for", scheduled_for, now, errors)
    texts = _reason(reason, errors)
    _refuse(errors)
    before, kind = visit.scheduled_for, visit.deadline.kind if visit.deadline else "visit"
    cancelled = deadlines.cancel_rows(
        case, [visit.deadline] if visit.deadline else [], now=now, by="move_visit"
    )
    (deadline,) = deadlines.open_(case, (kind,), now=now, by="move_visit", due=end_of_day(day))
    visit.scheduled_for, visit.deadline = day, deadline
    flush_case()
    data = {"visit_id": visit.id, "moved_from": before, "scheduled_for": day, "reason": texts["reason"]}
    record_event(
        case, actor, "visit", "move_visit", data | deadlines.for_event([deadline], [], cancelled), now=now
    )
    return visit


def cancel_visit(
    actor: User, case: Case, visit: FollowUpVisit, *, reason: str, version=None, now=None
) -> FollowUpVisit:
    """Cancel a planned visit, with a reason; its deadline no longer applies."""
    now = _check(actor, case, version, now)
    _planned(case, visit)
    errors = {}
    texts = _reason(reason, errors)
    _refuse(errors)
    visit.cancelled_at, visit.cancel_reason = now, texts["reason"]
    cancelled = deadlines.cancel_rows(
        case, [visit.deadline] if visit.deadline else [], now=now, by="cancel_visit"
    )
    flush_case()
    data = {"visit_id": visit.id, "scheduled_for": visit.scheduled_for, "reason": texts["reason"]}
    record_event(case, actor, "visit", "cancel_visit", data | deadlines.for_event([], [], cancelled), now=now)
    return visit


def record_visit(
    actor: User,
    case: Case,
    *,
    done_on,
    method: str,
    party_reached: str = "",
    purpose: str = "",
    performance: str | None = None,
    satisfaction: int | None = None,
    lawsuit_filed: bool = False,
    lawsuit_result: str = "",
    renewed_conflict: bool = False,
    measures: str = "",
    notes: str = "",
    planned: FollowUpVisit | None = None,
    version=None,
    now: datetime | None = None,
) -> FollowUpVisit:
    """Record a visit to ``case`` done on ``done_on`` as ``actor`` — the follow-up record of DOMAIN §5.

    ``planned`` is the planned visit it was; without one, it fulfils the planned first visit if there is
    one. Raises ``NotAllowed`` for anyone but the station's mediators, ``Conflict`` for a stale ``version``
    or a closed case that owes no visit, and ``Invalid`` naming every bad field: a day in the future or
    before the case was registered, a method or performance not in the vocabularies, satisfaction outside
    1–5, text too long. ``performance`` is of the agreement, or of the settlement the agency reached.
    Meets the visit's deadline (or the open ``follow_up``); appends a ``visit`` event and flushes.
    """
    now = _check(actor, case, version, now)
    if planned is not None:
        _planned(case, planned)
    errors = {}
    try:
        day = _day("done_on", done_on)
        if day > local_date(now):
            errors["done_on"] = _("A visit is recorded once it is done; this day is still to come.")
        elif day < local_date(case.registered_at):
            errors["done_on"] = _("This day is before the case was registered.")
    except Invalid as error:
        errors.update(error.fields)
    if method not in taxonomy.VISIT_METHODS:
        errors["method"] = _("Choose how the visit was made.")
    if performance not in (None, "", *taxonomy.PERFORMANCE):
        errors["performance"] = _("Choose what the visit found.")
    if satisfaction is not None and satisfaction not in range(1, 6):
        errors["satisfaction"] = _("Satisfaction is from 1 to 5.")
    typed = {
        "party_reached": party_reached,
        "purpose": purpose,
        "lawsuit_result": lawsuit_result,
        "measures": measures,
        "notes": notes,
    }
    texts = parse_texts(typed, MAX_LENGTHS, errors)
    _refuse(errors)
    visit = planned or _first_planned(case) or FollowUpVisit(station_id=case.station_id, created_at=now)
    if visit not in case.visits:
        case.visits.append(visit)
    visit.done_on, visit.method, visit.visitor_id = day, method, actor.id
    visit.performance, visit.satisfaction = performance or None, satisfaction
    visit.lawsuit_filed, visit.renewed_conflict = bool(lawsuit_filed), bool(renewed_conflict)
    for name, value in texts.items():
        setattr(visit, name, value)
    due = [visit.deadline] if visit.deadline is not None and visit.deadline.is_open else []
    met = deadlines.meet_rows(case, due, now=now, by="record_visit") or deadlines.meet(
        case, ("follow_up",), now=now, by="record_visit"
    )
    flush_case()
    data = {
        "visit_id": visit.id,
        "done_on": day,
        "method": method,
        "performance": visit.performance,
        "satisfaction": satisfaction,
        "lawsuit_filed": visit.lawsuit_filed,
        "renewed_conflict": visit.renewed_conflict,
        **texts,
        **deadlines.for_event([], met, []),
    }
    record_event(case, actor, "visit", "record_visit", data, now=now)
    return visit


def _check(actor, case, version, now) -> datetime:
    """Who may follow the case up, on the version they saw, and whether a closed case still owes a visit."""
    policy.require(policy.can_follow_up(actor, case), _("Only the station's mediators follow cases up."))
    check_version(case, version)
    if takes_visits(case):
        return now or utcnow()
    if not case.is_open:
        raise Conflict(_("This case is closed and owes no follow-up visit."), code="case_closed")
    raise Conflict(_("Follow-up visits come once the mediation is concluded."), code="not_following_up")


def _planned(case, visit) -> None:
    if visit not in case.visits or not visit.is_planned:
        raise Conflict(_("This visit is no longer planned."), code="visit_not_planned")


def _first_planned(case) -> FollowUpVisit | None:
    """The planned visit the first ``follow_up`` deadline is for, while that deadline is open."""
    return next(
        (v for v in planned_visits(case) if v.deadline is not None and v.deadline.kind == "follow_up"
         and v.deadline.is_open),
        None,
    )  # fmt: skip


def _future_day(name, raw, now, errors) -> date | None:
    try:
        day = _day(name, raw)
    except Invalid as error:
        errors.update(error.fields)
        return None
    if day < local_date(now):
        errors[name] = _("A visit is planned for today or later.")
    elif day > local_date(now) + timedelta(days=366 * 2):
        errors[name] = _("Plan a visit within the next two years.")
    return day


def _reason(reason, errors) -> dict:
    texts = parse_texts({"reason": reason}, MAX_LENGTHS, errors)
    if texts.get("reason") == "":
        errors["reason"] = _("Say why.")
    return texts


def _refuse(errors) -> None:
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors)


def _day(name: str, raw) -> date:
    try:
        return parse_iso_date(raw)
    except ValueError as error:
        raise Invalid(_("Some information is missing or wrong."), fields={name: str(error)}) from None
