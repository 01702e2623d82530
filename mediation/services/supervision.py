"""Supervision (督办): a supervisor presses a stuck case of the stations they oversee, with an urgency, a day
by which the station answers and what they ask; the case's mediator is told and answers with progress notes;
the supervisor reads the answers and ends it, or it ends when the case closes (``apply_step``).

While it is open the case carries its urgency (``Case.supervision_urgency``), so every list marks it, and a
``supervision`` deadline row (due as the answer's day ends, owned by the station) puts it in "my work",
the reminders and the overdue counts; the first answer meets it. Every change is a ``supervision`` event.
"""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, with_expression

from mediation import policy, taxonomy
from mediation.clock import end_of_day, local_date, parse_iso_date, utcnow
from mediation.errors import Conflict, Invalid
from mediation.extensions import db
from mediation.models import Case, Supervision, SupervisionAnswer, User
from mediation.services import deadlines, notifications
from mediation.services.transitions import check_version, record_event
from mediation.text import NOTE_LENGTH, parse_text

KIND = "supervision"
#: The answer's day is at most this far ahead: a supervision presses for progress, not for next year.
LONGEST = timedelta(days=366)


def start(actor: User, case: Case, version, *, urgency, due_on, request, now=None) -> Supervision:
    """Put ``case`` under supervision: ``urgency`` (``taxonomy.SUPERVISION_URGENCIES``), the station answers
    by ``due_on`` (an ISO date, today to a year ahead), ``request`` what the supervisor asks.

    Who: a supervisor of the case's station, on an open case (``policy.can_supervise``), else ``NotAllowed``.
    ``Conflict`` for a stale ``version``, a closed case (``case_closed``) or one already under supervision
    (``already_supervised``); ``Invalid`` names each wrong field. Tells the case's mediator; flushes.
    """
    now = now or utcnow()
    check_version(case, version)
    if not case.is_open:
        raise Conflict(_("A closed case cannot be put under supervision."), code="case_closed")
    if case.supervision is not None:
        raise Conflict(_("The case is already under supervision."), code="already_supervised")
    policy.require(
        policy.can_supervise(actor, case),
        _("Only a supervisor of the case's station can put it under supervision."),
    )
    errors = {}
    if urgency not in taxonomy.SUPERVISION_URGENCIES:
        errors["urgency"] = _("Choose one of the listed options.")
    day = _answer_day(errors, due_on, local_date(now))
    asked = _text(errors, "request", request)
    _refuse(errors)
    with db.session.no_autoflush:
        (deadline,) = deadlines.open_(case, (KIND,), now=now, by="start_supervision", due=end_of_day(day))
        supervision = Supervision(
            case_id=case.id,
            station_id=case.station_id,
            supervisor_id=actor.id,
            supervisor=actor,
            urgency=urgency,
            due_on=day,
            request=asked,
            deadline=deadline,
            created_at=now,
        )
        case.supervisions.append(supervision)
        case.supervision_urgency = urgency
    data = {"urgency": urgency, "due_on": day, "request": asked}
    record_event(
        case, actor, KIND, "start_supervision", {**data, **deadlines.for_event([deadline], [], [])}, now=now
    )
    others = [u for u in notifications.mediators(case) if u.id != actor.id]
    notifications.notify(
        others,
        "supervision_started",
        case,
        at=now,
        supervisor=actor.name,
        urgency=urgency,
        due=end_of_day(day),
    )
    return supervision


def answer(actor: User, case: Case, version, *, text, now=None) -> SupervisionAnswer:
    """The station's progress note on the supervision ``case`` is under; the first meets its deadline.

    Who: the station's mediators, on the open case (``policy.can_answer_supervision``), else ``NotAllowed``.
    ``Conflict`` for a stale ``version`` or no supervision (``not_supervised``); ``Invalid`` for an empty or
    too long note. Tells the supervisor who started it; flushes.
    """
    now = now or utcnow()
    check_version(case, version)
    supervision = _open(case)
    policy.require(
        policy.can_answer_supervision(actor, case), _("Only the station's mediators answer a supervision.")
    )
    errors = {}
    note = _text(errors, "text", text)
    _refuse(errors)
    with db.session.no_autoflush:
        reply = SupervisionAnswer(author_id=actor.id, author=actor, text=note, created_at=now)
        supervision.answers.append(reply)
        rows = [supervision.deadline] if supervision.deadline is not None else []
        met = deadlines.meet_rows(case, rows, now=now, by="answer_supervision")
    record_event(
        case, actor, KIND, "answer_supervision", {"text": note, **deadlines.for_event([], met, [])}, now=now
    )
    if supervision.supervisor.id != actor.id:
        notifications.notify(
            [supervision.supervisor], "supervision_answered", case, at=now, mediator=actor.name
        )
    return reply


def end(actor: User, case: Case, version, *, conclusion="", now=None) -> Supervision:
    """The supervisor ends the supervision ``case`` is under, with what they concluded (optional).

    Who: a supervisor of the case's station (``policy.can_supervise``), else ``NotAllowed``; a mediator
    cannot end one. ``Conflict`` for a stale ``version`` or no supervision (``not_supervised``). Calls off
    an answer still due; tells the case's mediator; flushes.
    """
    now = now or utcnow()
    check_version(case, version)
    supervision = _open(case)
    policy.require(
        policy.can_supervise(actor, case),
        _("Only a supervisor of the case's station can end its supervision."),
    )
    errors = {}
    said = _text(errors, "conclusion", conclusion, required=False)
    _refuse(errors)
    with db.session.no_autoflush:
        cancelled = _close(case, supervision, "ended", actor, now)
        supervision.conclusion = said
    record_event(
        case,
        actor,
        KIND,
        "end_supervision",
        {"conclusion": said, **deadlines.for_event([], [], cancelled)},
        now=now,
    )
    others = [u for u in notifications.mediators(case) if u.id != actor.id]
    notifications.notify(others, "supervision_ended", case, at=now, supervisor=actor.name)
    return supervision


def end_with_case(case: Case, now: datetime) -> Supervision | None:
    """A step closed ``case``: its supervision ends with it (the step cancels the answer's deadline)."""
    supervision = case.supervision
    if supervision is not None:
        _close(case, supervision, "case_closed", None, now)
    return supervision


def open_at(actor) -> list[Supervision]:
    """The open supervisions of the cases ``actor`` works on or oversees at their stations, the answer due
    soonest first (the mediator's home puts them on top), each with its case, deadline and ``answer_count``;
    one query."""
    if actor.role not in ("mediator", "supervisor") or not actor.station_ids:
        return []
    answers = select(func.count()).where(SupervisionAnswer.supervision_id == Supervision.id)
    query = (
        select(Supervision)
        .join(Case, Case.id == Supervision.case_id)
        .where(Supervision.ended_at.is_(None), Supervision.station_id.in_(actor.station_ids))
        .options(
            contains_eager(Supervision.case),
            joinedload(Supervision.deadline),
            with_expression(Supervision.answer_count, answers.scalar_subquery()),
        )
        .order_by(Supervision.due_on, Supervision.id)
    )
    if actor.role == "mediator":
        query = query.where(or_(Case.mediator_id == actor.id, Case.mediator_id.is_(None)))
    return list(db.session.scalars(query))


def _close(case, supervision, ending, actor, now) -> list:
    supervision.ended_at, supervision.ending = now, ending
    supervision.ended_by_id = actor.id if actor is not None else None
    case.supervision_urgency = None
    rows = [supervision.deadline] if supervision.deadline is not None else []
    return deadlines.cancel_rows(case, rows, now=now, by="end_supervision")


def _open(case) -> Supervision:
    supervision = case.supervision
    if supervision is None:
        raise Conflict(_("The case is not under supervision."), code="not_supervised")
    return supervision


def _answer_day(errors, raw, today: date) -> date | None:
    if raw in (None, "") or (isinstance(raw, str) and not raw.strip()):
        errors["due_on"] = _("This field is required.")
        return None
    try:
        day = parse_iso_date(raw)
    except ValueError as error:
        errors["due_on"] = str(error)
        return None
    if day < today:
        errors["due_on"] = _("This date is in the past.")
    elif day > today + LONGEST:
        errors["due_on"] = _("Give a day within a year.")
    return day


def _text(errors, name, raw, *, required=True) -> str:
    try:
        value = parse_text(raw if isinstance(raw, str) else "", NOTE_LENGTH)
    except ValueError as error:
        errors[name] = str(error)
        return ""
    if required and not value:
        errors[name] = _("This field is required.")
    return value


def _refuse(errors: dict) -> None:
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors, code="invalid_fields")
