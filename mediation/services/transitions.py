"""``apply_step``: the only code that moves a case through its lifecycle."""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from mediation import lifecycle, linkage, policy, taxonomy
from mediation.clock import end_of_day, local_date, parse_iso_date, utcnow
from mediation.errors import Conflict, Invalid, NotAllowed, NotFound
from mediation.extensions import db
from mediation.ids import parse_version
from mediation.models import Agency, Agreement, Case, Event, FollowUpVisit, Referral, User
from mediation.models.event import EVENT_KINDS
from mediation.services import calendar, deadlines, notifications, settings
from mediation.text import parse_text


def apply_step(
    case: Case, trigger: str, actor: User, *, version: int | None, now: datetime | None = None, **data
) -> Event:
    """Fire ``trigger`` on ``case`` as ``actor`` with the step's ``data``; return the event it appended.

    Checks, in order, and refuses without changing anything: an unknown trigger (``NotFound``), a stale
    ``version`` or a state the trigger cannot fire from (``Conflict``), role and scope (``NotAllowed``), then
    the data and the guards together: one ``Invalid`` names every missing or malformed field and every guard
    that fails, its message beside the field it is about (``Guard.field``), or under the guard's name for a
    guard on the case alone. Its code is ``invalid_fields``, or the guard's name when one guard is the only
    problem (a guard on the case alone then has no ``fields``: its message is the refusal's). Then writes the
    step's records, the new state, outcome and deadlines and the event, and flushes; whom the step concerns
    is told after the commit (``notifications.after_step``). Never commits: the caller commits once, or
    rolls back if anything raises (a concurrent writer surfaces here as ``Conflict``).
    """
    step = lifecycle.STEPS.get(trigger)
    if step is None:
        raise NotFound(_("There is no step called “%(trigger)s”.", trigger=trigger), code="unknown_trigger")
    check_version(case, version)
    if not lifecycle.may(case.state, trigger):
        raise Conflict(
            _(
                "“%(step)s” is not possible while the case is “%(state)s”.",
                step=step.label,
                state=lifecycle.STATES[case.state].label,
            ),
            code="invalid_state",
        )
    if not step.applies_to(case):
        raise Conflict(_("“%(step)s” does not apply to this case.", step=step.label), code="not_applicable")
    why = policy.refusal(actor, case, trigger)
    if why == "role":
        raise NotAllowed(_("Your role may not do “%(step)s”.", step=step.label), code="wrong_role")
    if why is not None:
        raise NotAllowed(_("This case is not in your station or agency."), code="out_of_scope")

    now = now or utcnow()
    values, errors = parse_fields(step, case, actor, data)
    values["today"] = local_date(now)  # dates are the station's days (China Standard Time)
    values["permits"] = settings.permits_for([step])
    failed = [guard for guard in step.guards if _fails(guard, case, values, errors)]
    values.pop("today"), values.pop("permits")
    if errors or failed:
        raise _refusal(errors, failed)

    source = case.state
    dest = lifecycle.fire(source, trigger)
    mediator_before = case.mediator
    # One flush at the end, where a concurrent writer's version surfaces as a Conflict.
    with db.session.no_autoflush:
        EFFECTS[trigger](case, actor, values, now)
        _enter(case, dest, step, now)
        met = deadlines.meet(case, step.meets, now=now, by=trigger)
        cancelled = deadlines.cancel(case, step.cancels, now=now, by=trigger)
        ended = _end_supervision(case, now) if dest in lifecycle.FINAL_STATES else None
        for visit in case.visits:  # a visit planned by a deadline the step cancelled is called off with it
            if visit.is_planned and visit.deadline in cancelled:
                visit.cancelled_at = now
        opened = deadlines.open_(case, step.opens, now=now, by=trigger, closed=met + cancelled)
        planned = _plan_follow_up(case, opened, now, trigger) if step.plans_follow_up else []
        opened += [v.deadline for v in planned if v.deadline not in opened]
        if dest in lifecycle.FINAL_STATES and case.first_closed_at is None:
            _record_first_closure(case, step, now)
        # Every step moves the version (even one that changes nothing else), and the UPDATE carries the
        # step's time, not the wall clock.
        case.updated_at = now
    flush_case()
    trail = {
        **values,
        **_assignment(step, mediator_before, case.mediator),
        **({"planned_visits": [v.scheduled_for.isoformat() for v in planned]} if planned else {}),
        **({"supervision_ended": ended.urgency} if ended is not None else {}),
        **deadlines.for_event(opened, met, cancelled),
    }
    event = record_event(case, actor, "transition", trigger, trail, now=now, from_state=source)
    notifications.after_step(case, step, actor, event)
    return event


def _plan_follow_up(case, opened, now, trigger) -> list[FollowUpVisit]:
    """The follow-up plan (DOMAIN §5): a first visit on the last day of the ``follow_up`` deadline the step
    opened (the agreement's performance deadline, or 7 days), and for a major case a second one a ``visit``
    length after it, due by its own deadline. Visited by the case's mediator unless someone else is chosen."""
    first = next((d for d in opened if d.kind == "follow_up"), None)
    if first is None:
        return []
    day = local_date(first.due_at - timedelta(microseconds=1))
    planned = [
        FollowUpVisit(
            station_id=case.station_id,
            scheduled_for=day,
            visitor_id=case.mediator_id,
            deadline=first,
            created_at=now,
        )
    ]
    if lifecycle.is_major(case):
        gap = settings.deadline_length("visit")
        due = calendar.due_after(end_of_day(day), gap.days, gap.unit)
        (second,) = deadlines.open_(case, ("visit",), now=now, by=trigger, due=due)
        planned.append(
            FollowUpVisit(
                station_id=case.station_id,
                scheduled_for=local_date(due - timedelta(microseconds=1)),
                visitor_id=case.mediator_id,
                deadline=second,
                created_at=now,
            )
        )
    case.visits.extend(planned)
    return planned


def _record_first_closure(case, step, now) -> None:
    """The case closes for the first time: what the oversight figures count of it, kept if it is reopened.
    On time when no deadline it had (but a window the parties may let pass) was closed, or is still open,
    past its due moment."""
    late = any(
        not d.rule.lapses and d.started_at < now and (d.met_at or d.cancelled_at or now) > d.due_at
        for d in case.deadlines
    )
    case.first_closed_at, case.first_outcome, case.first_closed_on_time = now, step.outcome, not late
    case.days_to_close = (local_date(now) - local_date(case.registered_at)).days


def _end_supervision(case, now):
    """A closing step ends the case's supervision (督办) with it."""
    from mediation.services import supervision  # it records its own changes through this module

    return supervision.end_with_case(case, now)


def check_version(case: Case, version) -> None:
    """Refuse with ``Conflict`` when ``version`` is not the case's current one (``None`` skips the check):
    someone changed the case since the caller loaded it. A value that is not a version (garbled, huge) is
    stale too: nothing typed into a form's hidden field can make it fail otherwise."""
    if version is not None and parse_version(version) != case.version:
        raise Conflict(
            _(
                "Someone else changed this case while you were looking at it. "
                "Review the latest version and try again."
            ),
            code="stale_version",
        )


def _fails(guard, case, values, errors) -> bool:
    """Whether ``guard`` refuses the step. It is not judged while a field it reads is wrong. One that holds
    needs no waiver: a waiver ticked anyway is left out of the trail. One that fails is waived by its ticked
    confirmation — for a permitted waiver only while the deployment allows it (``values["permits"]``), and
    then the reason must be one it allows and the explanation given (named in ``errors`` otherwise)."""
    if any(name in errors for name in guard.reads):
        return False
    if guard.check(case, values):
        _drop_waiver(guard, values)
        return False
    if not (guard.waived_by and values.get(guard.waived_by)):
        return True
    permit = guard.permit
    if permit is None:
        return False
    allowed = values["permits"].get(permit.name)
    if allowed is None:
        _drop_waiver(guard, values)
        return True
    if values.get(permit.reason) not in allowed:
        errors[permit.reason] = _("Choose one of the reasons this station allows.")
    if not values.get(permit.explanation):
        errors[permit.explanation] = _("Say what happened.")
    return False


def _drop_waiver(guard, values) -> None:
    """A waiver not used leaves nothing in the trail: its confirmation, and a permit's reason and text."""
    for name in (guard.waived_by, *(guard.permit.fields if guard.permit else ())):
        values.pop(name, None)


def _refusal(errors: dict, failed: list) -> Invalid:
    """One refusal naming every problem with the data and the guards (see ``apply_step``)."""
    if not errors and len(failed) == 1:
        guard = failed[0]
        if guard.field is None:
            return Invalid(guard.message, code=guard.name)
        return Invalid(
            _("Some information is missing or wrong."), fields={guard.field: guard.message}, code=guard.name
        )
    fields = dict(errors)
    for guard in failed:
        fields.setdefault(guard.field or guard.name, guard.message)
    return Invalid(_("Some information is missing or wrong."), fields=fields, code="invalid_fields")


def _assignment(step, before, after) -> dict:
    """What a step that chooses the mediator records: who mediates now, and who did before if that changed."""
    if not any(spec.kind == "mediator" for spec in step.fields):
        return {}
    if getattr(before, "id", None) == getattr(after, "id", None):
        return {"mediator": after}
    return {"mediator": after, "previous_mediator": before}


def _enter(case, dest, step, now) -> None:
    if dest != case.state:
        case.state = dest
        case.state_entered_at = now
        if lifecycle.STATES[dest].mediation:
            # A case referred straight from registration and sent back is now accepted by the station.
            case.accepted_at = case.accepted_at or now
    if dest in lifecycle.FINAL_STATES:
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


def parse_fields(step, case, actor, data: dict) -> tuple[dict, dict]:
    """The step's declared fields checked and converted: ``(values, errors)``, every bad field named in
    ``errors``. An optional field left blank is ``""`` (``None`` for a mediator); an optional confirmation
    left unticked is left out."""
    values, errors = {}, {}
    for spec in step.fields:
        raw = data.get(spec.name)
        if isinstance(raw, str):
            raw = raw.strip()
        blank = raw in (None, "", False)
        if blank and not spec.required:
            if spec.kind != "confirm":
                values[spec.name] = None if spec.kind == "mediator" else ""
            continue
        if blank and spec.kind != "confirm":
            errors[spec.name] = _("This field is required.")
            continue
        try:
            values[spec.name] = PARSERS[spec.kind](spec, raw, case)
        except ValueError as error:
            errors[spec.name] = str(error)
    return values, errors


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
    if case.station_id not in {station.id for station in agency.stations}:
        raise ValueError(_("%(agency)s does not serve this station.", agency=agency.name))
    return agency


def _mediator(spec, raw, case):
    user = raw if isinstance(raw, User) else db.session.scalar(select(User).filter_by(username=str(raw)))
    if user is None or not _mediates_at(user, case.station_id):
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
    """Accepting keeps the mediator the case is assigned to (registration's choice, often whoever was on
    duty) unless the form names another; a case with none, or with one who no longer mediates at its
    station, goes to the actor."""
    current = case.mediator
    keep = current if current is not None and _mediates_at(current, case.station_id) else None
    case.mediator = values["mediator"] or keep or actor
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


def _mediates_at(user, station_id) -> bool:
    return user.active and user.role == "mediator" and station_id in user.station_ids


def _reassign(case, actor, values, now):
    case.mediator = values["mediator"]


def _refer(case, actor, values, now):
    """The agency picked names the kind (each kind of agency takes one); a high-risk case goes urgent. A
    dispute nobody was assigned yet (an agency sent it while nobody was on duty) is the referrer's."""
    agency = values["agency"]
    case.mediator = case.mediator or actor
    case.referrals.append(
        Referral(
            station_id=case.station_id,
            direction="out",
            # Set here, not left to the column default: the deadline below reads it before the flush.
            status="pending",
            agency=agency,
            kind=linkage.outbound_kind_for(agency.kind).code,
            urgent=case.risk_level == "high",
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
        if values.get("agency_case_number"):
            referral.agency_case_number = values["agency_case_number"]
        if closes:
            referral.closed_at = now

    return effect


def _record_case_number(case, actor, values, now):
    case.active_referral.agency_case_number = values["agency_case_number"]


def _send_feedback(case, actor, values, now):
    """调解情况反馈: the station's result, for the court that sent the dispute (its printable letter)."""
    referral = case.inbound_referral
    referral.feedback_outcome, referral.feedback = values["outcome"], values["feedback"]
    referral.feedback_at, referral.feedback_by_id = now, actor.id


def _reach_agreement(case, actor, values, now):
    case.agreements.append(
        Agreement(
            station_id=case.station_id,
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
    "record_case_number": _record_case_number,
    "send_feedback": _send_feedback,
    "decline_referral": _answer_referral("declined", "reason", closes=True),
    "recall_referral": _recall_referral,
    "return_to_station": _answer_referral("returned", "result", closes=True),
    "resolve_by_agency": _answer_referral("resolved", "result", closes=True),
    "reach_agreement": _reach_agreement,
    # These change only the state, outcome and deadlines, which ``apply_step`` writes for every step.
    "fail_mediation": _no_effect,
    "withdraw": _no_effect,
    "report_breach": _no_effect,
    "close": _no_effect,
    "reopen": _no_effect,
    "mediate_again": _no_effect,  # the invalid agreement stays on file; a new one is reached by mediating
    "extend": _no_effect,
}


def _check_effects() -> None:
    """Every declared step says what it writes, and nothing else does: checked at import, so a step added
    to the lifecycle without its effect (or an effect left for a step that is gone) never serves."""
    missing, extra = set(lifecycle.STEPS) - set(EFFECTS), set(EFFECTS) - set(lifecycle.STEPS)
    if missing or extra:
        raise lifecycle.DeclarationError(
            f"effects missing for {sorted(missing)}, without a step {sorted(extra)}"
        )


_check_effects()
