"""The case lifecycle, declared once as data.

``STATES`` and ``STEPS`` are the single source of truth: the shared ``transitions`` machine, the permission
checks in ``policy``, the buttons and forms on the case page, the API, the audit trail, the deadlines and
the diagram in ``docs/lifecycle.md`` are all derived from them.

This module knows nothing of the database. Guards and deadlines are plain functions of the case (they read
its relationships), so they can be declared here next to the steps they belong to.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from transitions import Machine, MachineError

from mediation import linkage, taxonomy
from mediation.clock import end_of_day
from mediation.text import DOCUMENT_LENGTH, NOTE_LENGTH

# --- States -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    name: str
    label: object
    #: Bootstrap colour of the state's badge.
    badge: str
    #: The station mediates the case here: entering it means the station has accepted the case.
    mediation: bool = False
    #: The case is concluded here and has an outcome (the database ties the two together).
    final: bool = False


# fmt: off
STATES = {s.name: s for s in (
    State("registered", _l("Registered"), "secondary"),
    State("mediating", _l("In mediation"), "primary", mediation=True),
    State("referred", _l("Referred"), "info"),
    State("with_agency", _l("With the agency"), "info"),
    State("following_up", _l("Following up"), "warning"),
    State("closed", _l("Closed"), "success", final=True),
)}
# fmt: on
#: Where intake puts a case: waiting for the station to accept or decline it.
INITIAL_STATE = "registered"
FINAL_STATES = frozenset(s.name for s in STATES.values() if s.final)
OPEN_STATES = tuple(name for name in STATES if name not in FINAL_STATES)


# --- Deadlines ------------------------------------------------------------------------------------------

CALENDAR, WORKING = "calendar", "working"


@dataclass(frozen=True)
class DeadlineRule:
    """A kind of deadline: what is due, how long it runs by default (DOMAIN.md; deployments change the
    lengths in their settings) and in which states it may be open.

    Lengths count whole local days — the day it starts is not counted and it falls due as its last day
    ends — except an ``exact`` rule, counted in 24-hour days from the moment it starts (a police answer
    "within 24 hours"). Working days follow the holiday calendar.
    """

    kind: str
    label: object
    days: int
    unit: str
    states: tuple[str, ...]
    #: Other lengths by ``variant(case)``, e.g. by the referral's kind: ``{"police": (1, "calendar")}``.
    variants: dict = field(default_factory=dict)
    variant: Callable | None = None
    #: The values ``variant`` can take, each of which a deployment may give its own length.
    variant_choices: tuple[str, ...] = ()
    exact: bool = False
    #: A window the parties may use or let pass (judicial confirmation is optional): never overdue.
    lapses: bool = False
    #: ``start(case, now, closed) -> datetime``: when it starts, if not now (``closed``: the deadlines the
    #: same step just closed).
    start: Callable | None = None
    #: ``due(case, start) -> datetime | None``: a due moment the case itself sets (an agreement's own
    #: performance deadline), before the rule's length.
    due: Callable | None = None
    #: ``applies(case) -> bool``: whether a step that opens it opens it for this case.
    applies: Callable | None = None
    #: Whose work it is, so reminders (and "my work") reach them: the ``station``'s mediators, the ``agency``
    #: the case is referred to, or the ``court`` an agreement was brought to for confirmation.
    owner: str = "station"


def _outbound_kind(case) -> str:
    referral = case.active_referral
    return referral.kind if referral is not None else ""


def _inbound_kind(case) -> str:
    """A dispute a court sent runs on the court's period (委派 30 days, 委托 15 or 7)."""
    referral = case.inbound_referral
    return referral.kind if referral is not None else ""


def _after_the_mediation_period(case, now, closed):
    """Starts where the period it extends ended."""
    return next((d.due_at for d in closed if d.kind == "mediation"), now)


def _by_the_performance_deadline(case, start):
    """The first visit is due by the agreement's performance deadline, when the agreement reached as the
    case entered follow-up sets one."""
    agreement = case.current_agreement
    if agreement is not None and agreement.performance_deadline and agreement.created_at >= start:
        return end_of_day(agreement.performance_deadline)
    return None


#: A major case (visited again after its first follow-up, DOMAIN §5): a risk of escalation, a large amount,
#: or many parties (a group dispute).
MAJOR_AMOUNT, MAJOR_PARTIES = 100_000, 5


def is_major(case) -> bool:
    return (
        case.risk_level == "high"
        or (case.amount is not None and case.amount >= MAJOR_AMOUNT)
        or len(case.party_links) >= MAJOR_PARTIES
    )


def _written_agreement(case):
    agreement = case.current_agreement
    return agreement is not None and not agreement.oral


def _on_the_day(day, now):
    """A court's days run from the day it received or accepted the application, which may be recorded
    later: from the end of that day (``calendar.count`` counts a start at local midnight as the day that
    ends), or from now when it is today."""
    return min(now, end_of_day(day))


def _from_the_application(case, now, closed):
    """Counted from the day the parties applied."""
    return _on_the_day(case.confirmation.jc_applied_on, now)


def _from_the_acceptance(case, now, closed):
    """Counted from the day the court accepted the application."""
    return _on_the_day(case.confirmation.jc_accepted_on, now)


#: The states a case may be in while a court has its application for judicial confirmation: every one the
#: case can reach after an agreement. The court answers whatever the station does meanwhile (reports a
#: breach, closes the case, reopens it).
_WHILE_THE_COURT_HAS_IT = ("mediating", "referred", "with_agency", "following_up", "closed")


# fmt: off
DEADLINES = {d.kind: d for d in (
    DeadlineRule("acceptance", _l("Accept or decline"), 3, WORKING, ("registered",)),
    DeadlineRule("mediation", _l("Conclude mediation"), 30, CALENDAR, ("mediating",),
                 variants=linkage.lengths("mediation"), variant=_inbound_kind,
                 variant_choices=linkage.codes(linkage.IN)),
    DeadlineRule("mediation_extension", _l("Conclude mediation (extended period)"), 30, CALENDAR,
                 ("mediating",), start=_after_the_mediation_period),
    DeadlineRule("referral_answer", _l("Agency answers the referral"), 3, CALENDAR, ("referred",),
                 variants=linkage.lengths("answer"), variant=_outbound_kind, exact=True,
                 variant_choices=linkage.codes(linkage.OUT), owner="agency"),
    DeadlineRule("referral_result", _l("Agency reports a result"), 15, CALENDAR, ("with_agency",),
                 variants=linkage.lengths("result"), variant=_outbound_kind,
                 variant_choices=linkage.codes(linkage.OUT), owner="agency"),
    # A failed mediation is followed up too, after it closed (DOMAIN §5).
    DeadlineRule("follow_up", _l("First follow-up visit"), 7, CALENDAR, ("following_up", "closed"),
                 due=_by_the_performance_deadline),
    # Any other planned visit: due on its day; the length is the gap to a major case's second visit.
    DeadlineRule("visit", _l("Planned follow-up visit"), 30, CALENDAR, ("following_up", "closed")),
    DeadlineRule("judicial_confirmation", _l("Last day to apply for judicial confirmation (optional)"), 30,
                 CALENDAR, ("following_up",), lapses=True, applies=_written_agreement),
    # The Supreme People's Court's rules on judicial confirmation of people's mediation agreements
    # (法释〔2011〕5号): the court decides within 3 days of receiving the application whether to accept it
    # (Art. 4), and decides within 15 days of accepting it (Art. 5; its president may extend that by 10).
    DeadlineRule("jc_acceptance", _l("Court decides whether to accept the application for confirmation"), 3,
                 CALENDAR, _WHILE_THE_COURT_HAS_IT, start=_from_the_application, owner="court"),
    DeadlineRule("jc_decision", _l("Court decides on judicial confirmation"), 15, CALENDAR,
                 _WHILE_THE_COURT_HAS_IT, start=_from_the_acceptance, owner="court"),
    # Supervision (督办): the station answers by the day the supervisor set (the length only places the
    # warning when no day is given); it ends when the case closes.
    DeadlineRule("supervision", _l("Answer the supervision (督办)"), 5, WORKING, OPEN_STATES),
)}
# fmt: on
#: What registering a dispute opens.
INTAKE_OPENS = ("acceptance",)
MEDIATION_PERIOD = ("mediation", "mediation_extension")
#: A closing step ends the case's supervision with it (``services.supervision``), and calls off its answer.
SUPERVISION = ("supervision",)


# --- Judicial confirmation (司法确认) ------------------------------------------------------------------


@dataclass(frozen=True)
class JudicialAction:
    """What is recorded of an agreement's judicial confirmation (DOMAIN §4), beside the steps: the parties
    apply while the case is followed up, and the court answers whatever the case's state, even after the
    station has closed it. ``services.judicial`` records each and opens and meets its deadlines."""

    name: str
    #: As the timeline says it.
    label: object
    opens: tuple[str, ...] = ()
    meets: tuple[str, ...] = ()


# fmt: off
JUDICIAL = {a.name: a for a in (
    # The station's mediators, while the agreement's window is open.
    JudicialAction("apply_for_confirmation", _l("Recorded the application for judicial confirmation"),
                   opens=("jc_acceptance",), meets=("judicial_confirmation",)),
    # The liaisons of the court applied to.
    JudicialAction("accept_application", _l("The court accepted the application for judicial confirmation"),
                   opens=("jc_decision",), meets=("jc_acceptance",)),
    JudicialAction("refuse_application",
                   _l("The court did not accept the application for judicial confirmation"),
                   meets=("jc_acceptance",)),
    JudicialAction("decide_confirmation", _l("The court decided on judicial confirmation"),
                   meets=("jc_decision",)),
)}
# fmt: on


# --- Fields and guards ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A piece of data a step requires; ``kind`` says how the service parses it and the form renders it.

    Kinds: ``text`` (one line), ``longtext``, ``date`` (ISO), ``confirm`` (must be true), ``choice``
    (one of ``choices``), ``agency`` (an agency code), ``mediator`` (a username serving at the station).
    """

    name: str
    kind: str
    label: object
    required: bool = True
    choices: dict | None = None
    help: object = None
    #: The longest text accepted, for ``text`` and ``longtext`` (which must declare it): the length of the
    #: column the value lands in, or a generous limit for a ``Text`` column. The service refuses more; the
    #: form carries it as ``maxlength``.
    max_length: int | None = None

    def __post_init__(self):
        if self.kind in ("text", "longtext") and self.max_length is None:
            raise TypeError(f"the text field {self.name!r} must declare its max_length")


@dataclass(frozen=True)
class Permit:
    """What a waiver only some deployments allow needs: an admin turns it on, allowing some of ``reasons``
    (a deployment setting, ``services.settings``); while it is on, ticking the guard's ``waived_by`` lets
    the step go ahead without what the guard requires, provided the step's ``reason`` field names an allowed
    reason and its ``explanation`` says what happened. The trail records all three.

    This module reads no settings: whoever applies a step gives the permits in force as
    ``values["permits"]`` (``{name: allowed reason codes}``), as it gives ``values["today"]``.
    """

    name: str
    label: object
    reasons: dict
    reason: str
    explanation: str

    @property
    def fields(self) -> tuple[str, str]:
        return (self.reason, self.explanation)


@dataclass(frozen=True)
class Guard:
    """A condition a step must meet: ``check(case, values)`` is true when the step may go ahead.

    ``values`` are the step's typed fields, parsed, and ``today`` (the station's day). ``apply_step`` judges
    every guard alongside the fields and names every problem at once.
    """

    name: str
    check: Callable
    message: object
    #: The step's fields ``check`` reads. A guard that reads none depends on the case alone: the case page
    #: judges it before anything is typed and shows its step disabled, with the message, while it fails.
    #: A guard is not judged while a field it reads is missing or malformed.
    reads: tuple[str, ...] = ()
    #: An optional ``confirm`` field of the step that, ticked, lets the step go ahead anyway (a date that
    #: looks mistyped but is right); the page offers it only once the guard has refused.
    waived_by: str | None = None
    #: For a guard on the case alone: the waiver is offered, and honoured, only while the deployment allows
    #: it (``Permit``); the case page then shows the step with the waiver's fields instead of disabled.
    permit: Permit | None = None

    @property
    def field(self) -> str | None:
        """The field the message belongs beside: the one field it reads, if it reads exactly one."""
        return self.reads[0] if len(self.reads) == 1 else None

    @property
    def on_case_alone(self) -> bool:
        return not self.reads


def blocking_guard(step, case, permits=frozenset()) -> Guard | None:
    """The first of ``step``'s guards on the case alone that does not hold now and cannot be waived under
    the ``permits`` in force (their names); ``None`` if none fails."""
    return next(
        (g for g in step.guards if g.on_case_alone and not g.check(case, {}) and not permitted(g, permits)),
        None,
    )


def permitted(guard, permits) -> bool:
    """Whether ``guard`` may be waived under ``permits`` (the names of the permits in force)."""
    return guard.permit is not None and guard.permit.name in permits


def waivers_offered(step, case, permits) -> list[Guard]:
    """The guards of ``step`` the page offers to waive now: on the case alone, failing, and permitted."""
    return [g for g in step.guards if permitted(g, permits) and g.on_case_alone and not g.check(case, {})]


#: A date a step takes further ahead than this many years is questioned: 2099 typed for 2029.
DISTANT_YEARS = 2


def _years_after(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _performed_visit(case, values):
    return any(v.done_on is not None and v.agreement_performed for v in case.visits_since_entered)


def _deadline_not_past(case, values):
    deadline = values.get("performance_deadline")
    return deadline is None or deadline >= values["today"]


def _not_distant(name: str) -> Callable:
    def check(case, values):
        day = values.get(name)
        return day is None or day <= _years_after(values["today"], DISTANT_YEARS)

    return check


#: Closing without the visit the case needs (parties moved away, unreachable, refusing visits), where the
#: deployment allows it (``flask --app mediation mediation close-waiver``).
CLOSE_WITHOUT_VISIT = Permit(
    "close_without_visit",
    _l("Closing a case without the required follow-up visit"),
    taxonomy.VISIT_WAIVER_REASONS,
    reason="visit_waiver_reason",
    explanation="visit_waiver_explanation",
)
VISIT_FOUND_PERFORMED = Guard(
    "visit_found_performed",
    _performed_visit,
    _l("A completed follow-up visit must have found the agreement performed."),
    waived_by="visit_waived",
    permit=CLOSE_WITHOUT_VISIT,
)
PERFORMANCE_DEADLINE_NOT_PAST = Guard(
    "performance_deadline_not_past",
    _deadline_not_past,
    _l("The performance deadline cannot be in the past."),
    reads=("performance_deadline",),
)
PERFORMANCE_DEADLINE_NOT_DISTANT = Guard(
    "performance_deadline_not_distant",
    _not_distant("performance_deadline"),
    _l(
        "This date is more than %(years)d years away. Check the year; if the date is right, confirm it"
        " below.",
        years=DISTANT_YEARS,
    ),
    reads=("performance_deadline",),
    waived_by="distant_date_confirmed",
)


def _inbound_owing_feedback(case):
    referral = case.inbound_referral
    return referral is not None and referral.feedback_owed


def _feedback_fits(case, values):
    """An agreement is reported once it is recorded (following up); a failure or withdrawal before the
    station records it (mediating)."""
    outcome = values.get("outcome")
    return outcome is None or (outcome == "agreement") == (case.state == "following_up")


def _found_invalid(case):
    """The court found the agreement in force invalid, and the station has not taken the case up again
    since it was reached (each return to mediation opens a mediation period)."""
    agreement = case.current_agreement
    return (
        agreement is not None
        and agreement.jc_decision == "invalid"
        and not any(d.kind == "mediation" and d.started_at > agreement.created_at for d in case.deadlines)
    )


FEEDBACK_SENT = Guard(
    "feedback_sent",
    lambda case, values: not _inbound_owing_feedback(case),
    _l("First send the court the result of the mediation it asked for (调解情况反馈)."),
)
FEEDBACK_FITS = Guard(
    "feedback_fits",
    _feedback_fits,
    _l("Report an agreement once it is recorded; report a failure or a withdrawal before recording it."),
    reads=("outcome",),
)
NOT_EXTENDED_YET = Guard(
    "not_extended_yet",
    lambda case, values: not case.extended,
    _l("The mediation period can be extended only once."),
)

#: The agency's own reference for the matter, which its liaison records.
AGENCY_CASE_NUMBER = Field(
    "agency_case_number", "text", _l("Your case number"), required=False, max_length=64,
    help=_l("The number your agency gave the matter (警情号, 案号)."),
)  # fmt: skip
#: Ticked to confirm a date the step questioned as far off (``Guard.waived_by``).
DISTANT_DATE_CONFIRMED = Field("distant_date_confirmed", "confirm", _l("The date is right"), required=False)
REASON = Field("reason", "longtext", _l("Reason"), max_length=NOTE_LENGTH)


# --- Steps ------------------------------------------------------------------------------------------

MEDIATOR = frozenset({"mediator"})
LIAISON = frozenset({"liaison"})
SUPERVISOR = frozenset({"supervisor"})

#: Scopes: ``station`` (the actor serves at or oversees the case's station), ``agency`` (the case is
#: referred to the actor's agency).
STATION, AGENCY = "station", "agency"


@dataclass(frozen=True)
class Step:
    trigger: str
    sources: tuple[str, ...]
    #: ``"="`` keeps the state: a recorded change (reassignment, extension) that still goes through policy.
    dest: str
    roles: frozenset[str]
    scope: str
    label: object
    fields: tuple[Field, ...] = ()
    guards: tuple[Guard, ...] = ()
    #: The outcome a closing step records; ``None`` elsewhere (reopening clears it).
    outcome: str | None = None
    #: Bootstrap colour of the step's button.
    style: str = "primary"
    help: object = None
    #: Deadlines (``DEADLINES`` kinds) the step opens, meets (the work was done) and cancels (it no longer
    #: has to be); a kind that is not open is skipped. Checked at import against each rule's states.
    opens: tuple[str, ...] = ()
    meets: tuple[str, ...] = ()
    cancels: tuple[str, ...] = ()
    #: ``applies(case) -> bool``: a step that exists only for some cases (feedback to the court that sent
    #: the dispute) is not offered to, and refused for, the others. A guard, by contrast, shows the step
    #: disabled until it holds.
    applies: Callable | None = None
    #: The step plans the follow-up: a first visit by the ``follow_up`` deadline it opens, and for a
    #: major case (``is_major``) a second one a ``visit`` length after it.
    plans_follow_up: bool = False

    def applies_to(self, case) -> bool:
        return self.applies is None or self.applies(case)


# fmt: off
STEPS = {s.trigger: s for s in (
    Step("accept", ("registered",), "mediating", MEDIATOR, STATION, _l("Accept"),
         fields=(Field("mediator", "mediator", _l("Mediator"), required=False,
                       help=_l("Left as it is, the case keeps its mediator; choose yourself to take it.")),),
         help=_l("Accept the dispute for mediation (受理)."),
         opens=("mediation",), meets=("acceptance",)),
    Step("decline", ("registered",), "closed", MEDIATOR, STATION, _l("Decline"),
         fields=(Field("reason", "choice", _l("Reason"), choices=taxonomy.DECLINE_REASONS),
                 Field("note", "longtext", _l("Note"), required=False, max_length=NOTE_LENGTH)),
         outcome="declined", style="outline-danger", help=_l("Do not accept the dispute (不予受理)."),
         meets=("acceptance",), cancels=SUPERVISION),
    Step("refer", ("registered", "mediating"), "referred", MEDIATOR, STATION, _l("Refer to an agency"),
         fields=(Field("agency", "agency", _l("Agency"),
                       help=_l("The agencies that serve this station. A high-risk case goes to the police"
                               " marked urgent.")), REASON),
         style="outline-primary", help=_l("Send the case to the police, a court or another body."),
         opens=("referral_answer",), meets=("acceptance",), cancels=MEDIATION_PERIOD),
    Step("accept_referral", ("referred",), "with_agency", LIAISON, AGENCY, _l("Accept referral"),
         fields=(AGENCY_CASE_NUMBER,),
         opens=("referral_result",), meets=("referral_answer",)),
    Step("record_case_number", ("with_agency",), "=", LIAISON, AGENCY, _l("Record our case number"),
         fields=(replace(AGENCY_CASE_NUMBER, required=True),), style="outline-secondary",
         help=_l("The number your agency gave the matter (警情号, 案号).")),
    Step("decline_referral", ("referred",), "mediating", LIAISON, AGENCY, _l("Decline referral"),
         fields=(REASON,), style="outline-danger",
         opens=("mediation",), meets=("referral_answer",)),
    Step("recall_referral", ("referred",), "mediating", MEDIATOR, STATION, _l("Recall referral"),
         fields=(REASON,), style="outline-secondary",
         opens=("mediation",), cancels=("referral_answer",)),
    Step("return_to_station", ("with_agency",), "mediating", LIAISON, AGENCY, _l("Return to station"),
         fields=(Field("result", "longtext", _l("What the agency did"), max_length=NOTE_LENGTH),
                 AGENCY_CASE_NUMBER),
         style="outline-primary", help=_l("The station mediates the dispute again."),
         opens=("mediation",), meets=("referral_result",)),
    Step("resolve_by_agency", ("with_agency",), "following_up", LIAISON, AGENCY, _l("Resolved by agency"),
         fields=(Field("result", "longtext", _l("Result"), max_length=NOTE_LENGTH), AGENCY_CASE_NUMBER),
         style="success", help=_l("The station follows the case up and closes it."),
         opens=("follow_up",), meets=("referral_result",), plans_follow_up=True),
    Step("reach_agreement", ("mediating",), "following_up", MEDIATOR, STATION, _l("Record agreement"),
         fields=(Field("terms", "longtext", _l("Agreed terms"), max_length=DOCUMENT_LENGTH),
                 Field("facts_and_responsibility", "longtext",
                       _l("Facts, points in dispute and responsibility"), required=False,
                       max_length=DOCUMENT_LENGTH),
                 Field("performance_method", "text", _l("Manner of performance"), required=False,
                       max_length=500),
                 # Agreement.performance_place is String(200).
                 Field("performance_place", "text", _l("Place of performance"), required=False,
                       max_length=200),
                 Field("performance_deadline", "date", _l("Performance deadline")),
                 DISTANT_DATE_CONFIRMED,
                 Field("signatures_recorded", "confirm", _l("The parties and the mediator have signed"))),
         guards=(PERFORMANCE_DEADLINE_NOT_PAST, PERFORMANCE_DEADLINE_NOT_DISTANT), style="success",
         help=_l("The parties reached an agreement (达成协议)."),
         opens=("follow_up", "judicial_confirmation"), meets=MEDIATION_PERIOD, plans_follow_up=True),
    Step("fail_mediation", ("mediating",), "closed", MEDIATOR, STATION, _l("Mediation failed"),
         fields=(REASON, Field("advice", "longtext", _l("Advice given to the parties"),
                               help=_l("E.g. that they may go to court, arbitration or an authority."),
                               max_length=NOTE_LENGTH)),
         guards=(FEEDBACK_SENT,), outcome="unresolved", style="outline-danger",
         opens=("follow_up",), meets=MEDIATION_PERIOD, cancels=SUPERVISION, plans_follow_up=True),
    Step("withdraw", ("registered", "mediating"), "closed", MEDIATOR, STATION, _l("Withdrawn"),
         fields=(REASON,), guards=(FEEDBACK_SENT,), outcome="withdrawn", style="outline-secondary",
         help=_l("The applicant withdrew (撤回)."),
         cancels=("acceptance", *MEDIATION_PERIOD, *SUPERVISION)),
    Step("report_breach", ("following_up",), "mediating", MEDIATOR, STATION, _l("Report breach"),
         fields=(REASON,), style="outline-danger",
         help=_l("The agreement is not being performed: mediate again."),
         opens=("mediation",), cancels=("follow_up", "visit", "judicial_confirmation")),
    Step("close", ("following_up",), "closed", MEDIATOR, STATION, _l("Close case"),
         fields=(Field("note", "longtext", _l("Closing note"), required=False, max_length=NOTE_LENGTH),
                 # Offered only while the waiver is allowed and no visit has found the agreement performed.
                 Field("visit_waived", "confirm", _l("Close without the required visit"), required=False,
                       help=_l("Allowed here when the visit cannot be made. Say why below.")),
                 Field("visit_waiver_reason", "choice", _l("Why there is no visit"), required=False,
                       choices=taxonomy.VISIT_WAIVER_REASONS),
                 Field("visit_waiver_explanation", "longtext", _l("What happened"), required=False,
                       help=_l("E.g. when and how the parties were sought, and what was learnt."),
                       max_length=NOTE_LENGTH)),
         guards=(VISIT_FOUND_PERFORMED, FEEDBACK_SENT), outcome="resolved", style="success",
         meets=("follow_up",), cancels=("judicial_confirmation", *SUPERVISION)),
    Step("send_feedback", ("mediating", "following_up"), "=", MEDIATOR, STATION,
         _l("Send the result to the court"),
         fields=(Field("outcome", "choice", _l("Result"), choices=taxonomy.FEEDBACK_OUTCOMES),
                 Field("feedback", "longtext", _l("What the station did, for the court"),
                       max_length=DOCUMENT_LENGTH)),
         guards=(FEEDBACK_FITS,), style="primary", applies=_inbound_owing_feedback,
         help=_l("The court that sent the dispute is owed its result (调解情况反馈); a printable letter"
                 " goes with it.")),
    Step("mediate_again", ("following_up", "closed"), "mediating", MEDIATOR, STATION, _l("Mediate again"),
         fields=(REASON,), style="outline-primary", applies=_found_invalid,
         help=_l("The court found the agreement invalid: the parties may mediate again, or go to court."),
         opens=("mediation",), cancels=("follow_up", "visit", "judicial_confirmation")),
    Step("reopen", ("closed",), "mediating", SUPERVISOR, STATION, _l("Reopen"),
         fields=(REASON,), style="outline-warning", help=_l("The case was closed wrongly (重新启动)."),
         opens=("mediation",), cancels=("follow_up", "visit")),
    Step("extend", ("mediating",), "=", MEDIATOR, STATION, _l("Extend mediation period"),
         fields=(Field("consent_recorded", "confirm", _l("Both parties consent to the extension")), REASON),
         guards=(NOT_EXTENDED_YET,), style="outline-secondary",
         opens=("mediation_extension",), cancels=("mediation",)),
    Step("reassign", ("registered", "mediating"), "=", MEDIATOR | SUPERVISOR, STATION, _l("Reassign"),
         fields=(Field("mediator", "mediator", _l("New mediator")), REASON), style="outline-secondary",
         help=_l("E.g. a party asked for another mediator (回避).")),
)}
# fmt: on
#: The waivers a deployment may allow, by name: those the steps' guards declare.
PERMITS = {g.permit.name: g.permit for s in STEPS.values() for g in s.guards if g.permit is not None}


class DeclarationError(Exception):
    """The declaration contradicts itself; raised at import, so it never reaches a running server."""


def _check_deadlines() -> None:
    """Every step leaves only deadlines its destination allows open, and names only declared kinds."""
    for kind in INTAKE_OPENS:
        if INITIAL_STATE not in DEADLINES[kind].states:
            raise DeclarationError(f"intake opens {kind!r}, which cannot be open in {INITIAL_STATE!r}")
    for step in STEPS.values():
        unknown = set(step.opens + step.meets + step.cancels) - set(DEADLINES)
        if unknown:
            raise DeclarationError(f"step {step.trigger!r} names unknown deadlines {sorted(unknown)}")
        for source in step.sources:
            dest = source if step.dest == "=" else step.dest
            may_be_open = {d.kind for d in DEADLINES.values() if source in d.states}
            left = (may_be_open - set(step.meets) - set(step.cancels)) | set(step.opens)
            stray = sorted(kind for kind in left if dest not in DEADLINES[kind].states)
            if stray:
                raise DeclarationError(
                    f"step {step.trigger!r} from {source!r} leaves {stray} open in {dest!r}: meet or cancel"
                )
    for action in JUDICIAL.values():
        unknown = set(action.opens + action.meets) - set(DEADLINES)
        if unknown:
            raise DeclarationError(f"action {action.name!r} names unknown deadlines {sorted(unknown)}")
        # An action is recorded while what it meets is open, so in those states what it opens must be allowed.
        when = {state for kind in action.meets for state in DEADLINES[kind].states}
        for kind in action.opens:
            if not when <= set(DEADLINES[kind].states):
                raise DeclarationError(
                    f"action {action.name!r} opens {kind!r}, which cannot be open in {sorted(when)}"
                )


def _check_guards() -> None:
    """A guard reads only fields of its step, and what waives it is an optional confirmation there."""
    for step in STEPS.values():
        fields = {f.name: f for f in step.fields}
        for guard in step.guards:
            unknown = sorted(set(guard.reads) - set(fields))
            if unknown:
                raise DeclarationError(
                    f"guard {guard.name!r} of {step.trigger!r} reads unknown fields {unknown}"
                )
            waiver = fields.get(guard.waived_by) if guard.waived_by else None
            if guard.waived_by and (waiver is None or waiver.kind != "confirm" or waiver.required):
                raise DeclarationError(
                    f"guard {guard.name!r} of {step.trigger!r} is waived by {guard.waived_by!r},"
                    " which is not an optional confirmation of the step"
                )
            if guard.permit is not None:
                _check_permit(step, guard, fields)


def _check_permit(step, guard, fields) -> None:
    """A permitted waiver is of a guard on the case alone, asked for by its confirmation, and says why in an
    optional choice of the permit's reasons and an optional text of the step."""
    permit, problem = guard.permit, None
    reason, explanation = fields.get(permit.reason), fields.get(permit.explanation)
    if not guard.waived_by or not guard.on_case_alone:
        problem = "must be of a guard on the case alone, with a confirmation that asks for it"
    elif reason is None or reason.kind != "choice" or reason.required or reason.choices != permit.reasons:
        problem = f"needs {permit.reason!r}, an optional choice of its reasons"
    elif explanation is None or explanation.kind not in ("text", "longtext") or explanation.required:
        problem = f"needs {permit.explanation!r}, an optional text"
    if problem:
        raise DeclarationError(f"the permit of guard {guard.name!r} of {step.trigger!r} {problem}")


_check_deadlines()
_check_guards()


# --- The shared machine -----------------------------------------------------------------------------

#: Built once at import; cases are attached to it only for the instant a trigger fires.
MACHINE = Machine(
    model=None,
    states=list(STATES),
    transitions=[{"trigger": s.trigger, "source": list(s.sources), "dest": s.dest} for s in STEPS.values()],
    initial=None,
    auto_transitions=False,
    send_event=True,
    queued=False,
)
_machine_lock = threading.Lock()


class _Carrier:
    """Stands in for a case while the machine fires, so the machine never touches a mapped row."""

    def __init__(self):
        self.state = None


def may(state: str, trigger: str) -> bool:
    """Whether ``trigger`` can fire from ``state`` at all (regardless of who asks)."""
    return trigger in MACHINE.get_triggers(state)


def fire(state: str, trigger: str) -> str:
    """The state ``trigger`` leads to from ``state``; raises ``MachineError`` if it cannot fire there."""
    carrier = _Carrier()
    with _machine_lock:
        MACHINE.add_model(carrier, initial=state)
        try:
            carrier.trigger(trigger)
            return carrier.state
        finally:
            MACHINE.remove_model(carrier)


def triggers_from(state: str) -> list[str]:
    """The triggers that can fire from ``state``, in declaration order."""
    possible = set(MACHINE.get_triggers(state))
    return [t for t in STEPS if t in possible]


# --- The picture ------------------------------------------------------------------------------------

_ROLE_SHORT = {
    "mediator": "mediator",
    "liaison": "liaison",
    "supervisor": "supervisor",
}


def mermaid() -> str:
    """The lifecycle as a Mermaid state diagram, drawn from ``STEPS``."""
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL_STATE}: intake"]
    for step in STEPS.values():
        who = "/".join(sorted({_ROLE_SHORT[r] for r in step.roles}))
        for source in step.sources:
            dest = source if step.dest == "=" else step.dest
            lines.append(f"    {source} --> {dest}: {step.trigger} ({who})")
    lines.append("    closed --> [*]")
    return "\n".join(lines) + "\n"


def markdown() -> str:
    """``docs/lifecycle.md``: the diagram and the step table, generated from the declaration."""
    from flask_babel import force_locale

    def text(value):
        return str(value) if value is not None else ""

    out = [
        "# The case lifecycle",
        "",
        "Generated from `mediation/lifecycle.py` by `flask --app mediation mediation lifecycle-doc`;"
        " a test fails when this file is out of date. Do not edit by hand.",
        "",
        "```mermaid",
        mermaid().rstrip(),
        "```",
        "",
        "## States",
        "",
        "| state | meaning |",
        "|---|---|",
    ]
    with force_locale("en"):
        for s in STATES.values():
            out.append(f"| `{s.name}` | {text(s.label)} |")
        out += [
            "",
            "## Steps",
            "",
            "| trigger | from | to | who (scope) | requires | guards | outcome | deadlines |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for s in STEPS.values():
            fields = ", ".join(f"`{f.name}`" + ("" if f.required else " (optional)") for f in s.fields)
            guards = "<br>".join(
                f"`{g.name}`"
                + (f" on {', '.join(f'`{r}`' for r in g.reads)}" if g.reads else " on the case alone")
                + (f", unless `{g.waived_by}`" if g.waived_by else "")
                + (
                    f" where the deployment allows it (`{g.permit.name}`), with"
                    f" {' and '.join(f'`{name}`' for name in g.permit.fields)}"
                    if g.permit
                    else ""
                )
                + f": {text(g.message)}"
                for g in s.guards
            )
            dest = "(same)" if s.dest == "=" else f"`{s.dest}`"
            changes = "; ".join(
                f"{verb} {', '.join(f'`{k}`' for k in kinds)}"
                for verb, kinds in (("opens", s.opens), ("meets", s.meets), ("cancels", s.cancels))
                if kinds
            )
            out.append(
                f"| `{s.trigger}` | {', '.join(f'`{x}`' for x in s.sources)} | {dest} | "
                f"{', '.join(sorted(s.roles))} ({s.scope}) | {fields or '—'} | {guards or '—'} | "
                f"{s.outcome or '—'} | {changes or '—'} |"
            )
        out += [
            "",
            "## Deadlines",
            "",
            f"Registering a dispute opens {', '.join(f'`{k}`' for k in INTAKE_OPENS)}. Whole days: the day"
            " a deadline starts is not counted, and it falls due as its last day ends (China time); an exact"
            " one counts 24-hour days from the moment it starts. Working days skip weekends and holidays on"
            " the holiday calendar (`flask --app mediation mediation holidays`). The lengths below are the"
            " defaults; a deployment changes them with `flask --app mediation mediation deadlines set`.",
            "",
            "| deadline | what is due | default length | open in | notes |",
            "|---|---|---|---|---|",
        ]
        for d in DEADLINES.values():
            length = f"{d.days} {d.unit} days" + "".join(
                f"; `{variant}`: {days} {unit}" for variant, (days, unit) in d.variants.items()
            )
            notes = [
                "exact (24-hour days)" if d.exact else "",
                "a window that lapses, never overdue" if d.lapses else "",
                "by the agreement's performance deadline when it sets one" if d.due else "",
                d.start.__doc__.rstrip(".").lower() if d.start else "",
                "by the referral's kind" if d.variant else "",
            ]
            out.append(
                f"| `{d.kind}` | {text(d.label)} | {length} | {', '.join(f'`{x}`' for x in d.states)} | "
                f"{'; '.join(n for n in notes if n) or '—'} |"
            )
        out += [
            "",
            "## Judicial confirmation",
            "",
            "Recorded beside the steps (`services.judicial`): the station's mediators record the parties'"
            " joint application while the window is open, and the liaisons of the court applied to its"
            " answer (accepted or not) and then its decision, whatever the case's state.",
            "",
            "| action | what it records | deadlines |",
            "|---|---|---|",
        ]
        for a in JUDICIAL.values():
            changes = "; ".join(
                f"{verb} {', '.join(f'`{k}`' for k in kinds)}"
                for verb, kinds in (("opens", a.opens), ("meets", a.meets))
                if kinds
            )
            out.append(f"| `{a.name}` | {text(a.label)} | {changes} |")
    out.append("")
    return "\n".join(out)


__all__ = ["DEADLINES", "STATES", "STEPS", "MACHINE", "MachineError", "may", "fire", "triggers_from"]
