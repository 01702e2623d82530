"""Judicial confirmation (司法确认, DOMAIN §4): the parties' joint application to a court, which the mediator
records, and the court's answers, which its liaison records.

Beside the lifecycle's steps: the parties apply while the case is followed up, within the window the
agreement opened (its ``judicial_confirmation`` deadline row says until when); the court answers whatever
the case's state, even after the station has closed the case. Each function records one of
``lifecycle.JUDICIAL``: it changes the agreement, meets and opens the deadlines declared there and appends a
``judicial`` event. A court that finds the agreement invalid lets the station mediate again (the
``mediate_again`` step).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, select

from mediation import lifecycle, policy, taxonomy
from mediation.clock import local_date, parse_iso_date, utcnow
from mediation.errors import Conflict, Invalid
from mediation.extensions import db
from mediation.models import Agency, Agreement, Case, Deadline, User
from mediation.services import deadlines, notifications
from mediation.services.transitions import check_version, record_event
from mediation.templating import format_day
from mediation.text import parse_text

#: The court's number for the application (调确字): ``Agreement.jc_court_case_number`` is String(64).
MAX_LENGTHS = {"jc_court_case_number": 64}


def apply_for_confirmation(actor: User, case: Case, version, *, applied_on, court, now=None) -> Agreement:
    """Record that the parties jointly applied to ``court`` on ``applied_on`` to confirm the agreement in
    force; return it.

    Who: the station's mediators, while the case is open (``policy.can_work_on_case``), else ``NotAllowed``.
    ``Conflict`` for a stale ``version`` (``None`` skips the check), an agreement already applied for
    (``already_applied``), an earlier agreement's application still awaiting its court
    (``application_pending``) or no open window (an oral agreement, or none in force: ``no_window``).
    ``Invalid`` names ``applied_on`` (an ISO date) in the future, before the agreement took effect or after
    the window's last day, and ``court`` (an agency code) that is not a court serving the case's station.
    Meets the window and opens the court's days to accept it; flushes.
    """
    now = now or utcnow()
    check_version(case, version)
    agreement, pending = case.current_agreement, case.confirmation
    if agreement is not None and agreement.jc_applied_on is not None:
        raise Conflict(
            _("The application for judicial confirmation is already recorded."), code="already_applied"
        )
    if pending is not None and pending.jc_stage in Agreement.AWAITING:
        raise Conflict(
            _("An application to confirm an earlier agreement still awaits the court's answer."),
            code="application_pending",
        )
    window = case.confirmation_window
    if window is None:
        raise Conflict(
            _("The agreement cannot be applied for: it is oral, or the case no longer follows it up."),
            code="no_window",
        )
    policy.require(
        policy.can_work_on_case(actor, case),
        _("Only the station's mediators can record the application for judicial confirmation."),
    )
    errors = {}
    day = _day(errors, "applied_on", applied_on, now, not_before=(agreement.effective_on, _too_early))
    last = local_date(window.due_at - timedelta(microseconds=1))
    if "applied_on" not in errors and day > last:
        errors["applied_on"] = _(
            "The parties may apply within %(days)d days of the agreement taking effect: by %(day)s.",
            days=window.days,
            day=format_day(last),
        )
    chosen = _court(errors, court, case)
    _refuse(errors)
    agreement.jc_applied_on, agreement.jc_court = day, chosen
    _record(actor, case, "apply_for_confirmation", agreement, now, jc_applied_on=day, jc_court=chosen)
    _tell(notifications.liaisons(chosen), actor, "jc_applied", case, at=now)
    return agreement


def answer_application(
    actor: User, case: Case, version, *, answer, answered_on, court_case_number="", now=None
) -> Agreement:
    """Record the court's answer to the application awaiting it: ``accepted`` or ``not_accepted``
    (``taxonomy.JC_ANSWERS``) on ``answered_on``, with the court's number for it if it gave one; return the
    agreement.

    Who: a liaison of the court applied to (``policy.can_answer_for_court``), in any state of the case, else
    ``NotAllowed``. ``Conflict`` for a stale ``version``, no application (``no_application``) or one already
    answered (``already_answered``). ``Invalid`` names a wrong answer, a date in the future or before the
    application, a number that is too long. Accepting opens the court's days to decide; flushes.
    """
    now = now or utcnow()
    check_version(case, version)
    agreement = _application(case)
    if agreement.jc_stage != "acceptance":
        raise Conflict(
            _("The court's answer to this application is already recorded."), code="already_answered"
        )
    _require_court(actor, agreement)
    errors = {}
    if answer not in taxonomy.JC_ANSWERS:
        errors["answer"] = _("Choose one of the listed options.")
    day = _day(
        errors, "answered_on", answered_on, now, not_before=(agreement.jc_applied_on, _before_applying)
    )
    number = _number(errors, court_case_number, required=False)
    _refuse(errors)
    if number:
        agreement.jc_court_case_number = number
    if answer == "accepted":
        agreement.jc_accepted_on = day
        action, data = "accept_application", {"jc_accepted_on": day}
    else:
        agreement.jc_decision, agreement.jc_decided_on = "not_accepted", day
        action, data = "refuse_application", {"jc_decision": "not_accepted", "jc_decided_on": day}
    _record(actor, case, action, agreement, now, **data, jc_court_case_number=number)
    if answer == "not_accepted":  # the court's last word on it
        _told_the_station(actor, case, agreement, "not_accepted", now)
    return agreement


def decide_confirmation(
    actor: User, case: Case, version, *, decision, decided_on, court_case_number, now=None
) -> Agreement:
    """Record the court's decision on the application it accepted: the agreement ``valid`` or ``invalid``
    (``taxonomy.JC_RULINGS``) on ``decided_on``, under the court's number; return the agreement.

    Who: a liaison of the court applied to, in any state of the case (the court decides even after the
    station has closed it), else ``NotAllowed``. ``Conflict`` for a stale ``version``, no application
    (``no_application``), one not accepted yet (``not_accepted_yet``) or already decided
    (``already_decided``). ``Invalid`` names a wrong decision, a date in the future or before the acceptance,
    a missing or too long number. An invalid agreement lets the station mediate again (``mediate_again``);
    flushes.
    """
    now = now or utcnow()
    check_version(case, version)
    agreement = _application(case)
    if agreement.jc_stage == "acceptance":
        raise Conflict(
            _("The court has not accepted the application yet: record its answer first."),
            code="not_accepted_yet",
        )
    if agreement.jc_stage == "decided":
        raise Conflict(
            _("The court's decision on this application is already recorded."), code="already_decided"
        )
    _require_court(actor, agreement)
    errors = {}
    if decision not in taxonomy.JC_RULINGS:
        errors["decision"] = _("Choose one of the listed options.")
    day = _day(
        errors, "decided_on", decided_on, now, not_before=(agreement.jc_accepted_on, _before_accepting)
    )
    number = _number(errors, court_case_number, required=True)
    _refuse(errors)
    agreement.jc_decision, agreement.jc_decided_on, agreement.jc_court_case_number = decision, day, number
    data = {"jc_decision": decision, "jc_decided_on": day, "jc_court_case_number": number}
    _record(actor, case, "decide_confirmation", agreement, now, **data)
    _told_the_station(actor, case, agreement, decision, now)
    return agreement


def _told_the_station(actor, case, agreement, decision, now) -> None:
    data = {"agency": agreement.jc_court.name, "decision": decision}
    _tell(notifications.mediators(case), actor, "jc_decided", case, at=now, **data)


def _tell(recipients, actor, kind, case, **data) -> None:
    """Notify, after the commit, everyone concerned but the one who did it."""
    notifications.notify([u for u in recipients if u.id != actor.id], kind, case, **data)


@dataclass(frozen=True)
class Pending:
    """An application awaiting a court (a row of its liaison's inbox)."""

    case: Case
    agreement: Agreement
    #: What the court is to do: ``acceptance`` (accept it or not) or ``decision`` (valid or invalid).
    stage: str
    #: The open deadline for it; ``None`` for an application recorded before the court's days were kept.
    deadline: Deadline | None


def pending_applications(liaison: User) -> list[Pending]:
    """The applications for judicial confirmation awaiting ``liaison``'s court, to accept or to decide,
    oldest first (by the day the parties applied); nothing for someone who speaks for no agency."""
    if liaison.agency_id is None:
        return []
    court_days = and_(
        Deadline.case_id == Case.id,
        Deadline.kind.in_(("jc_acceptance", "jc_decision")),
        Deadline.met_at.is_(None),
        Deadline.cancelled_at.is_(None),
    )
    rows = db.session.execute(
        select(Case, Agreement, Deadline)
        .join(Agreement, Agreement.case_id == Case.id)
        .outerjoin(Deadline, court_days)
        .where(
            Agreement.jc_court_id == liaison.agency_id,
            Agreement.jc_applied_on.is_not(None),
            Agreement.jc_decision.is_(None),
        )
        .order_by(Agreement.jc_applied_on, Agreement.id)
    )
    return [Pending(case, agreement, agreement.jc_stage, deadline) for case, agreement, deadline in rows]


# --- Checks -------------------------------------------------------------------------------------------------


def _application(case: Case) -> Agreement:
    agreement = case.confirmation
    if agreement is None:
        raise Conflict(
            _("No application for judicial confirmation has been recorded."), code="no_application"
        )
    return agreement


def _require_court(actor, agreement) -> None:
    court = agreement.jc_court.name if agreement.jc_court is not None else ""
    policy.require(
        policy.can_answer_for_court(actor, agreement),
        _("Only a liaison of %(court)s can record its answers.", court=court),
    )


def _too_early():
    return _("The application cannot be earlier than the agreement taking effect.")


def _before_applying():
    return _("The court cannot answer before the parties applied.")


def _before_accepting():
    return _("The court cannot decide before it accepted the application.")


def _day(errors: dict, name: str, raw, now: datetime, *, not_before: tuple) -> date | None:
    """A day typed for ``name``: required, not after the station's today, not before ``not_before``'s day."""
    if raw in (None, "") or (isinstance(raw, str) and not raw.strip()):
        errors[name] = _("This field is required.")
        return None
    try:
        day = parse_iso_date(raw)
    except ValueError as error:
        errors[name] = str(error)
        return None
    earliest, message = not_before
    if day > local_date(now):
        errors[name] = _("This date is in the future.")
    elif earliest is not None and day < earliest:
        errors[name] = message()
    return day


def _court(errors: dict, raw, case) -> Agency | None:
    """The court applied to: a court serving the case's station (the basic-level court where the
    committee sits, 人民调解法 Art. 33), by its code."""
    if raw in (None, ""):
        errors["court"] = _("This field is required.")
        return None
    court = raw if isinstance(raw, Agency) else db.session.scalar(select(Agency).filter_by(code=str(raw)))
    if court is None or court.kind != "court" or case.station_id not in {s.id for s in court.stations}:
        errors["court"] = _("Choose a court that serves this station.")
        return None
    return court


def _number(errors: dict, raw, *, required: bool) -> str:
    try:
        number = parse_text(raw if isinstance(raw, str) else "", MAX_LENGTHS["jc_court_case_number"])
    except ValueError as error:
        errors["court_case_number"] = str(error)
        return ""
    if required and not number:
        errors["court_case_number"] = _("This field is required.")
    return number


def _refuse(errors: dict) -> None:
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors, code="invalid_fields")


def _record(actor, case, name: str, agreement: Agreement, now: datetime, **data) -> None:
    """What ``lifecycle.JUDICIAL[name]`` does to the deadlines, and its event; one flush at the end, where a
    concurrent writer's version surfaces as a ``Conflict``."""
    action = lifecycle.JUDICIAL[name]
    with db.session.no_autoflush:
        met = deadlines.meet(case, action.meets, now=now, by=name)
        opened = deadlines.open_(case, action.opens, now=now, by=name, closed=met)
    trail = {"agreement_id": agreement.id, **{k: v for k, v in data.items() if v not in (None, "")}}
    record_event(case, actor, "judicial", name, {**trail, **deadlines.for_event(opened, met, [])}, now=now)
