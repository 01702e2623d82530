"""The case lifecycle, declared once as data.

``STATES`` and ``STEPS`` are the single source of truth: the shared ``transitions`` machine, the permission
checks in ``policy``, the buttons and forms on the case page, the API, the audit trail, the deadlines and
the diagram in ``docs/lifecycle.md`` are all derived from them.

This module knows nothing of the database. Guards and deadlines are plain functions of the case (they read
its relationships), so they can be declared here next to the steps they belong to.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from transitions import Machine, MachineError

from mediation import taxonomy
from mediation.clock import end_of_day
from mediation.text import DOCUMENT_LENGTH, NOTE_LENGTH

# --- States -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    name: str
    label: object
    #: Bootstrap colour of the state's badge.
    badge: str
    #: ``deadline(case, days) -> datetime | None``: when the work of this state is due.
    deadline: Callable | None = None
    #: What is due by the deadline, in words for the case page.
    due_label: object = None


def _after(days_key: str, extra: Callable = lambda case, days: 0):
    """A deadline ``days[days_key]`` days after the case entered its state (plus ``extra`` days)."""

    def deadline(case, days):
        return case.state_entered_at + timedelta(days=days[days_key] + extra(case, days))

    return deadline


def _by_agency_kind(days_key: str):
    """A deadline that depends on the kind of agency the case is referred to (police answer faster)."""

    def deadline(case, days):
        table = days[days_key]
        referral = case.active_referral
        kind = referral.agency.kind if referral is not None else "default"
        return case.state_entered_at + timedelta(days=table.get(kind, table["default"]))

    return deadline


def _mediation_extension(case, days):
    return days["mediating_extension"] if case.extended else 0


def _follow_up_deadline(case, days):
    """First visit by the agreement's performance deadline, or within a week when there is none.

    Only an agreement reached as the case entered follow-up counts: one breached earlier does not.
    """
    agreement = case.current_agreement
    if (
        agreement is not None
        and agreement.performance_deadline is not None
        and agreement.created_at >= case.state_entered_at
    ):
        return end_of_day(agreement.performance_deadline)
    return case.state_entered_at + timedelta(days=days["following_up"])


# fmt: off
STATES = {s.name: s for s in (
    State("registered", _l("Registered"), "secondary", _after("registered"), _l("Accept or decline")),
    State("mediating", _l("In mediation"), "primary", _after("mediating", _mediation_extension),
          _l("Conclude mediation")),
    State("referred", _l("Referred"), "info", _by_agency_kind("referred"), _l("Agency answers the referral")),
    State("with_agency", _l("With the agency"), "info", _by_agency_kind("with_agency"),
          _l("Agency reports a result")),
    State("following_up", _l("Following up"), "warning", _follow_up_deadline, _l("First follow-up visit")),
    State("closed", _l("Closed"), "success"),
)}
# fmt: on
INITIAL_STATE = "registered"


def deadline_for(case, days) -> datetime | None:
    """The deadline the declaration gives ``case`` in its current state."""
    rule = STATES[case.state].deadline
    return rule(case, days) if rule else None


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
class Guard:
    """A condition on the case itself; ``check(case, values)`` is true when the step may go ahead."""

    name: str
    check: Callable
    message: object


def _performed_visit(case, values):
    return any(v.done_on is not None and v.agreement_performed for v in case.visits_since_entered)


def _deadline_not_past(case, values):
    deadline = values.get("performance_deadline")
    return deadline is None or deadline >= values["today"]


VISIT_FOUND_PERFORMED = Guard(
    "visit_found_performed",
    _performed_visit,
    _l("A completed follow-up visit must have found the agreement performed."),
)
PERFORMANCE_DEADLINE_NOT_PAST = Guard(
    "performance_deadline_not_past",
    _deadline_not_past,
    _l("The performance deadline cannot be in the past."),
)
NOT_EXTENDED_YET = Guard(
    "not_extended_yet",
    lambda case, values: not case.extended,
    _l("The mediation period can be extended only once."),
)

REASON = Field("reason", "longtext", _l("Reason"), max_length=NOTE_LENGTH)


# --- Steps ------------------------------------------------------------------------------------------

MEDIATOR = frozenset({"mediator"})
LIAISON = frozenset({"police_liaison", "court_liaison"})
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


# fmt: off
STEPS = {s.trigger: s for s in (
    Step("accept", ("registered",), "mediating", MEDIATOR, STATION, _l("Accept"),
         fields=(Field("mediator", "mediator", _l("Mediator"), required=False,
                       help=_l("Leave empty to take the case yourself.")),),
         help=_l("Accept the dispute for mediation (受理).")),
    Step("decline", ("registered",), "closed", MEDIATOR, STATION, _l("Decline"),
         fields=(Field("reason", "choice", _l("Reason"), choices=taxonomy.DECLINE_REASONS),
                 Field("note", "longtext", _l("Note"), required=False, max_length=NOTE_LENGTH)),
         outcome="declined", style="outline-danger", help=_l("Do not accept the dispute (不予受理).")),
    Step("refer", ("registered", "mediating"), "referred", MEDIATOR, STATION, _l("Refer to an agency"),
         fields=(Field("agency", "agency", _l("Agency")), REASON),
         style="outline-primary", help=_l("Send the case to the police, a court or another body.")),
    Step("accept_referral", ("referred",), "with_agency", LIAISON, AGENCY, _l("Accept referral")),
    Step("decline_referral", ("referred",), "mediating", LIAISON, AGENCY, _l("Decline referral"),
         fields=(REASON,), style="outline-danger"),
    Step("recall_referral", ("referred",), "mediating", MEDIATOR, STATION, _l("Recall referral"),
         fields=(REASON,), style="outline-secondary"),
    Step("return_to_station", ("with_agency",), "mediating", LIAISON, AGENCY, _l("Return to station"),
         fields=(Field("result", "longtext", _l("What the agency did"), max_length=NOTE_LENGTH),),
         style="outline-primary"),
    Step("resolve_by_agency", ("with_agency",), "following_up", LIAISON, AGENCY, _l("Resolved by agency"),
         fields=(Field("result", "longtext", _l("Result"), max_length=NOTE_LENGTH),), style="success"),
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
                 Field("signatures_recorded", "confirm", _l("The parties and the mediator have signed"))),
         guards=(PERFORMANCE_DEADLINE_NOT_PAST,), style="success",
         help=_l("The parties reached an agreement (达成协议).")),
    Step("fail_mediation", ("mediating",), "closed", MEDIATOR, STATION, _l("Mediation failed"),
         fields=(REASON, Field("advice", "longtext", _l("Advice given to the parties"),
                               help=_l("E.g. that they may go to court, arbitration or an authority."),
                               max_length=NOTE_LENGTH)),
         outcome="unresolved", style="outline-danger"),
    Step("withdraw", ("registered", "mediating"), "closed", MEDIATOR, STATION, _l("Withdrawn"),
         fields=(REASON,), outcome="withdrawn", style="outline-secondary",
         help=_l("The applicant withdrew (撤回).")),
    Step("report_breach", ("following_up",), "mediating", MEDIATOR, STATION, _l("Report breach"),
         fields=(REASON,), style="outline-danger",
         help=_l("The agreement is not being performed: mediate again.")),
    Step("close", ("following_up",), "closed", MEDIATOR, STATION, _l("Close case"),
         fields=(Field("note", "longtext", _l("Closing note"), required=False, max_length=NOTE_LENGTH),),
         guards=(VISIT_FOUND_PERFORMED,), outcome="resolved", style="success"),
    Step("reopen", ("closed",), "mediating", SUPERVISOR, STATION, _l("Reopen"),
         fields=(REASON,), style="outline-warning", help=_l("The case was closed wrongly (重新启动).")),
    Step("extend", ("mediating",), "=", MEDIATOR, STATION, _l("Extend mediation period"),
         fields=(Field("consent_recorded", "confirm", _l("Both parties consent to the extension")), REASON),
         guards=(NOT_EXTENDED_YET,), style="outline-secondary"),
    Step("reassign", ("registered", "mediating"), "=", MEDIATOR | SUPERVISOR, STATION, _l("Reassign"),
         fields=(Field("mediator", "mediator", _l("New mediator")), REASON), style="outline-secondary",
         help=_l("E.g. a party asked for another mediator (回避).")),
)}
# fmt: on


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
    "police_liaison": "liaison",
    "court_liaison": "liaison",
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
        "| state | meaning | deadline (what is due) |",
        "|---|---|---|",
    ]
    with force_locale("en"):
        for s in STATES.values():
            out.append(f"| `{s.name}` | {text(s.label)} | {text(s.due_label) or '—'} |")
        out += [
            "",
            "## Steps",
            "",
            "| trigger | from | to | who (scope) | requires | guards | outcome |",
            "|---|---|---|---|---|---|---|",
        ]
        for s in STEPS.values():
            fields = ", ".join(f"`{f.name}`" + ("" if f.required else " (optional)") for f in s.fields)
            guards = "; ".join(text(g.message) for g in s.guards)
            dest = "(same)" if s.dest == "=" else f"`{s.dest}`"
            out.append(
                f"| `{s.trigger}` | {', '.join(f'`{x}`' for x in s.sources)} | {dest} | "
                f"{', '.join(sorted(s.roles))} ({s.scope}) | {fields or '—'} | {guards or '—'} | "
                f"{s.outcome or '—'} |"
            )
    out += [
        "",
        "Deadlines are configured in `DEADLINE_DAYS` (`mediation/config.py`); a case past its deadline is"
        " overdue everywhere it is shown.",
        "",
    ]
    return "\n".join(out)


__all__ = ["STATES", "STEPS", "MACHINE", "MachineError", "may", "fire", "triggers_from", "deadline_for"]
