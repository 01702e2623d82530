"""``apply_step``: the only code that moves a case through its lifecycle."""

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from mediation import lifecycle, policy, taxonomy
from mediation.clock import local_date, parse_iso_date, utcnow
from mediation.errors import Conflict, Invalid, NotAllowed, NotFound
from mediation.extensions import db
from mediation.ids import parse_version
from mediation.models import Agency, Agreement, Case, Event, Referral, User
from mediation.models.event import EVENT_KINDS
from mediation.services import deadlines
from mediation.text import parse_text


def apply_step(
    case: Case, trigger: str, actor: User, *, version: int | None, now: datetime | None = None, **data
) -> Event:
    """Fire ``trigger`` on ``case`` as ``actor`` with the step's ``data``; return the event it appended.

    Checks, in order, and refuses without changing anything: an unknown trigger (``NotFound``), a stale
    ``version`` or a state the trigger cannot fire from (``Conflict``), role and scope (``NotAllowed``),
    missing or malformed data (``Invalid`` with ``fields``) and the step's guards (``Invalid``). Then writes
    the step's records, the new state, outcome and deadline and the event, and flushes. Never commits: the
    caller commits once, or rolls back if anything raises (a concurrent writer surfaces here as ``Conflict``).
    """
    step = lifecycle.STEPS.get(trigger)
    if step is None:
        raise NotFound(_("There is no step called “%(trigger)s”.", trigger=trigger), code="unknown_trigger")
    if version is not None and parse_version(version) != case.version:
        raise Conflict(
            _(
                "Someone else changed this case while you were looking at it. "
                "Review the latest version and try again."
            ),
            code="stale_version",
        )
    if not lifecycle.may(case.state, trigger):
        raise Conflict(
            _(
                "“%(step)s” is not possible while the case is “%(state)s”.",
                step=step.label,
                state=lifecycle.STATES[case.state].label,
            ),
            code="invalid_state",
        )
    why = policy.refusal(actor, case, trigger)
    if why == "role":
        raise NotAllowed(_("Your role may not do “%(step)s”.", step=step.label), code="wrong_role")
    if why is not None:
        raise NotAllowed(_("This case is not in your station or agency."), code="out_of_scope")

    now = now or utcnow()
    values = parse_fields(step, case, actor, data)
    values["today"] = local_date(now)  # dates are the station's days (China Standard Time)
    for guard in step.guards:
        if not guard.check(case, values):
            raise Invalid(guard.message, code=guard.name)
    values.pop("today")

    source = case.state
    dest = lifecycle.fire(source, trigger)
    # One flush at the end, where a concurrent writer's version surfaces as a Conflict.
    with db.session.no_autoflush:
        EFFECTS.get(trigger, _no_effect)(case, actor, values, now)
        _enter(case, dest, step, now)
        met = deadlines.meet(case, step.meets, now=now, by=trigger)
        cancelled = deadlines.cancel(case, step.cancels, now=now, by=trigger)
        opened = deadlines.open_(case, step.opens, now=now, by=trigger, closed=met + cancelled)
        # Every step moves the version (even one that changes nothing else), and the UPDATE carries the
        # step's time, not the wall clock.
        case.updated_at = now
    flush_case()
    trail = {**values, **deadlines.for_event(opened, met, cancelled)}
    return record_event(case, actor, "transition", trigger, trail, now=now, from_state=source)


def _enter(case, dest, step, now) -> None:
    if dest != case.state:
        case.state = dest
        case.state_entered_at = now
        if dest == "mediating":
            # A case referred straight from registration and sent back is now accepted by the station.
            case.accepted_at = case.accepted_at or now
    if dest == "closed":
        case.outcome, case.closed_at = step.outcome, now
    elif case.outcome is not None:
        case.outcome, case.closed_at = None, None


def record_event(case, actor, kind, action, data=None, *, now=None, from_state=None) -> Event:
    """Append an event for a change already applied to ``case``.

    A change that is not a transition still touches the case, so its version moves and a stale page that
    acts on it afterwards is refused.
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    if kind != "transition":
        case.updated_at = now or utcnow()
    flush_case()
    event = Event(
        case_id=case.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        action=action,
        from_state=from_state if kind == "transition" else case.state,
        to_state=case.state,
        case_version=case.version,
        data=_jsonable(data or {}),
        at=now or utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    return event


def flush_case() -> None:
    """Flush, turning a concurrent writer's bumped version into a ``Conflict``."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise Conflict(
            _("Someone else changed this case at the same moment. Try again."), code="stale_version"
        ) from error


def _jsonable(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, date | datetime):
            value = value.isoformat()
        elif isinstance(value, User):
            value = value.username
        elif isinstance(value, Agency):
            value = value.code
        out[key] = value
    return out


# --- Data a step requires ---------------------------------------------------------------------------


def parse_fields(step, case, actor, data: dict) -> dict:
    """Check and convert the step's declared fields; raise ``Invalid`` naming every bad field at once."""
    values, errors = {}, {}
    for spec in step.fields:
        raw = data.get(spec.name)
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in (None, "", False) and spec.kind != "confirm":
            if spec.required:
                errors[spec.name] = _("This field is required.")
            elif spec.kind == "mediator":
                values[spec.name] = actor if actor.role == "mediator" else None
            else:
                values[spec.name] = ""
            continue
        try:
            values[spec.name] = PARSERS[spec.kind](spec, raw, case)
        except ValueError as error:
            errors[spec.name] = str(error)
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors, code="invalid_fields")
    return values


def _text(spec, raw, case):
    if not isinstance(raw, str):
        raise ValueError(_("Enter text."))
    return parse_text(raw, spec.max_length)


def _date(spec, raw, case):
    return parse_iso_date(raw)


def _confirm(spec, raw, case):
    if raw not in (True, "true", "y", "yes", "on", "1", 1):
        raise ValueError(_("This must be confirmed."))
    return True


def _choice(spec, raw, case):
    if not isinstance(raw, str) or raw not in spec.choices:
        raise ValueError(_("Choose one of the listed options."))
    return raw


def _agency(spec, raw, case):
    agency = raw if isinstance(raw, Agency) else db.session.scalar(select(Agency).filter_by(code=str(raw)))
    if agency is None:
        raise ValueError(_("There is no agency with code “%(code)s”.", code=raw))
    return agency


def _mediator(spec, raw, case):
    user = raw if isinstance(raw, User) else db.session.scalar(select(User).filter_by(username=str(raw)))
    if user is None or not user.active or user.role != "mediator" or case.station_id not in user.station_ids:
        raise ValueError(_("“%(name)s” is not a mediator at this station.", name=raw))
    return user


PARSERS = {
    "text": _text,
    "longtext": _text,
    "date": _date,
    "confirm": _confirm,
    "choice": _choice,
    "agency": _agency,
    "mediator": _mediator,
}


# --- What each step writes besides the state ------------------------------------------------------


def _no_effect(case, actor, values, now):
    pass


def _accept(case, actor, values, now):
    case.mediator = values["mediator"] or case.mediator or actor
    case.accepted_at = now
    _answer_inbound(case, actor, "accepted", now)


def _decline(case, actor, values, now):
    reason = taxonomy.DECLINE_REASONS[values["reason"]]
    _answer_inbound(case, actor, "declined", now, response=values["note"] or str(reason))


def _answer_inbound(case, actor, status, now, response=""):
    """Accepting or declining a dispute an agency sent answers its referral (the agency sees the answer)."""
    referral = case.inbound_referral
    if referral is not None and referral.status == "pending":
        referral.status, referral.answered_by_id, referral.answered_at = status, actor.id, now
        referral.response = response
        if status == "declined":
            referral.closed_at = now


def _reassign(case, actor, values, now):
    case.mediator = values["mediator"]


def _refer(case, actor, values, now):
    agency = values["agency"]
    kind = (
        agency.kind if agency.kind == "police" else ("court_delegated" if agency.kind == "court" else "other")
    )
    case.referrals.append(
        Referral(
            direction="out",
            # Set here, not left to the column default: the deadline below reads it before the flush.
            status="pending",
            agency=agency,
            kind=kind,
            reason=values["reason"],
            created_by_id=actor.id,
            created_at=now,
        )
    )


def _recall_referral(case, actor, values, now):
    referral = case.active_referral
    referral.status, referral.closed_at = "recalled", now


def _answer_referral(status, text_field=None, closes=False):
    """The agency's answer: the first one stamps who answered and when (response time is reported)."""

    def effect(case, actor, values, now):
        referral = case.active_referral
        referral.status = status
        if referral.answered_at is None:
            referral.answered_by_id, referral.answered_at = actor.id, now
        if text_field == "result":
            referral.result = values["result"]
        elif text_field:
            referral.response = values[text_field]
        if closes:
            referral.closed_at = now

    return effect


def _reach_agreement(case, actor, values, now):
    case.agreements.append(
        Agreement(
            terms=values["terms"],
            facts_and_responsibility=values["facts_and_responsibility"],
            performance_method=values["performance_method"],
            performance_place=values["performance_place"],
            performance_deadline=values["performance_deadline"],
            signatures_recorded=True,
            effective_on=local_date(now),
            recorded_by_id=actor.id,
            created_at=now,
        )
    )


EFFECTS = {
    "accept": _accept,
    "decline": _decline,
    "reassign": _reassign,
    "refer": _refer,
    "accept_referral": _answer_referral("accepted"),
    "decline_referral": _answer_referral("declined", "reason", closes=True),
    "recall_referral": _recall_referral,
    "return_to_station": _answer_referral("returned", "result", closes=True),
    "resolve_by_agency": _answer_referral("resolved", "result", closes=True),
    "reach_agreement": _reach_agreement,
}
assert set(EFFECTS) <= set(lifecycle.STEPS), "an effect names a trigger the lifecycle does not declare"
