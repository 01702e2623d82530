"""Follow-up visits (回访): planning one, and recording what a visit found.

The committee follows up successful and failed mediations alike (DOMAIN §5), so a visit may be recorded on
a case in follow-up and on a closed one. A visit that is done meets the case's open ``follow_up`` deadline;
closing a case needs a visit, recorded since it entered follow-up, that found the agreement performed.
"""

from datetime import date, datetime

from flask_babel import gettext as _

from mediation import policy, taxonomy
from mediation.clock import local_date, parse_iso_date, utcnow
from mediation.errors import Invalid
from mediation.models import Case, FollowUpVisit, User
from mediation.services import deadlines
from mediation.services.transitions import flush_case, record_event


def plan_visit(actor: User, case: Case, *, scheduled_for, now: datetime | None = None) -> FollowUpVisit:
    """Plan a visit to ``case`` on ``scheduled_for`` (a date, not in the past) as ``actor``.

    Who: the station's mediators (``policy.can_follow_up``), else ``NotAllowed``. Raises ``Invalid`` for a
    bad date. Appends a ``visit`` event and flushes.
    """
    policy.require(policy.can_follow_up(actor, case), _("Only the station's mediators follow cases up."))
    now = now or utcnow()
    day = _day("scheduled_for", scheduled_for)
    if day < local_date(now):
        raise Invalid(
            _("Some information is missing or wrong."),
            fields={"scheduled_for": _("A visit is planned for today or later.")},
        )
    visit = FollowUpVisit(scheduled_for=day, visitor_id=actor.id, created_at=now)
    case.visits.append(visit)
    flush_case()
    record_event(case, actor, "visit", "plan_visit", {"visit_id": visit.id, "scheduled_for": day}, now=now)
    return visit


def record_visit(
    actor: User,
    case: Case,
    *,
    done_on,
    method: str,
    party_reached: str = "",
    agreement_performed: bool | None = None,
    satisfaction: int | None = None,
    renewed_conflict: bool = False,
    notes: str = "",
    planned: FollowUpVisit | None = None,
    now: datetime | None = None,
) -> FollowUpVisit:
    """Record a visit to ``case`` done on ``done_on`` as ``actor``: ``planned`` when it was planned.

    Who: the station's mediators (``policy.can_follow_up``), else ``NotAllowed``. Raises ``Invalid`` naming
    every bad field: a day in the future or before the case was registered, a method not in
    ``taxonomy.VISIT_METHODS``, satisfaction outside 1–5. ``agreement_performed`` is about the agreement,
    or the settlement the agency reached when it resolved the case.
    Meets the open ``follow_up`` deadline; appends a ``visit`` event and flushes.
    """
    policy.require(policy.can_follow_up(actor, case), _("Only the station's mediators follow cases up."))
    now = now or utcnow()
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
    if satisfaction is not None and satisfaction not in range(1, 6):
        errors["satisfaction"] = _("Satisfaction is from 1 to 5.")
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors)
    visit = planned or FollowUpVisit(created_at=now)
    if planned is None:
        case.visits.append(visit)
    visit.done_on, visit.method, visit.visitor_id = day, method, actor.id
    visit.party_reached, visit.notes = party_reached.strip()[:200], notes.strip()
    visit.agreement_performed, visit.satisfaction = agreement_performed, satisfaction
    visit.renewed_conflict = bool(renewed_conflict)
    met = deadlines.meet(case, ("follow_up",), now=now, by="record_visit")
    flush_case()
    data = {
        "visit_id": visit.id,
        "done_on": day,
        "method": method,
        "party_reached": visit.party_reached,
        "agreement_performed": agreement_performed,
        "satisfaction": satisfaction,
        "renewed_conflict": visit.renewed_conflict,
        "notes": visit.notes,
        **deadlines.for_event([], met, []),
    }
    record_event(case, actor, "visit", "record_visit", data, now=now)
    return visit


def _day(name: str, raw) -> date:
    try:
        return parse_iso_date(raw)
    except ValueError as error:
        raise Invalid(_("Some information is missing or wrong."), fields={name: str(error)}) from None
