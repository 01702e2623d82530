"""Police and court linkage (警调对接, 诉调对接): the kinds of referral, declared once as data.

A referral's kind is the key of its rules (DOMAIN.md §7–8): which way it goes, which agencies take or
send it, how long the agency has to answer and to report a result (outbound) or the station has to
mediate (inbound), whether the agency's own case number is required, and whether the station owes the
agency its result before the case may close. The lifecycle's deadline rules take their lengths by kind
from here; the refer step, the liaison's "send a dispute" form, the inbox and the feedback letter read it
too. Lengths are defaults: a deployment changes them per kind (``flask … mediation deadlines set``).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from mediation.taxonomy import AGENCY_KINDS, CHANNELS

OUT, IN = "out", "in"
CALENDAR, WORKING = "calendar", "working"


@dataclass(frozen=True)
class ReferralKind:
    code: str
    label: object
    direction: str
    #: The kinds of agency that take it (outbound) or send it (inbound).
    agency_kinds: tuple[str, ...]
    #: Outbound: how long the agency has to answer and to report a result, ``(days, unit)``; ``None``
    #: takes the deadline rule's own default.
    answer: tuple[int, str] | None = None
    result: tuple[int, str] | None = None
    #: Inbound: the period the sender gives the station to mediate (a court's 30 / 15 / 7 days).
    mediation: tuple[int, str] | None = None
    #: The agency's own case number (a court's 案号) must be given when the dispute is sent.
    case_number_required: bool = False
    #: The station sends its result back (调解情况反馈) before the case may close.
    feedback_required: bool = False
    #: Inbound: how the case is recorded as having come in (``taxonomy.CHANNELS``).
    channel: str = ""
    help: object = None


# fmt: off
KINDS = {k.code: k for k in (
    # Station → agency.
    ReferralKind("police", _l("To the police: a risk of escalation, or already a public-order matter"), OUT,
                 ("police",), answer=(1, CALENDAR), result=(5, CALENDAR),
                 help=_l("The police answer within 24 hours and report within 5 days.")),
    ReferralKind("litigation", _l("To a court: the parties are advised to sue"), OUT, ("court",),
                 answer=(7, CALENDAR), result=(30, CALENDAR)),
    ReferralKind("judicial_office", _l("To the judicial office"), OUT, ("judicial_office",),
                 answer=(3, WORKING), result=(15, CALENDAR)),
    ReferralKind("labour_arbitration", _l("To labour arbitration"), OUT, ("labour_arbitration",),
                 answer=(5, CALENDAR), result=(45, CALENDAR)),
    ReferralKind("letters_visits", _l("To the letters and visits office (信访)"), OUT, ("letters_visits",),
                 answer=(15, CALENDAR), result=(60, CALENDAR)),
    ReferralKind("legal_aid", _l("To legal aid"), OUT, ("legal_aid",),
                 answer=(7, WORKING), result=(30, CALENDAR)),
    ReferralKind("other", _l("To another body"), OUT, ("government", "other")),
    # Agency → station.
    ReferralKind("police_handover", _l("Handed over by the police (公安移交)"), IN, ("police",),
                 channel="police", help=_l("A minor civil dispute the police handed to the station.")),
    ReferralKind("court_delegated", _l("Delegated by a court before filing (委派)"), IN, ("court",),
                 mediation=(30, CALENDAR), case_number_required=True, feedback_required=True,
                 channel="court"),
    ReferralKind("court_entrusted", _l("Entrusted by a court after filing, ordinary procedure (委托)"), IN,
                 ("court",), mediation=(15, CALENDAR), case_number_required=True, feedback_required=True,
                 channel="court"),
    ReferralKind("court_entrusted_summary", _l("Entrusted by a court after filing, summary procedure (委托)"),
                 IN, ("court",), mediation=(7, CALENDAR), case_number_required=True,
                 feedback_required=True, channel="court"),
    ReferralKind("government_assigned", _l("Assigned by a government department"), IN,
                 ("judicial_office", "letters_visits", "government", "other"), channel="government"),
)}
# fmt: on


def kinds(direction: str, agency_kind: str | None = None) -> list[ReferralKind]:
    """The kinds going ``direction``, those an agency of ``agency_kind`` takes or sends if given."""
    return [
        k
        for k in KINDS.values()
        if k.direction == direction and (agency_kind is None or agency_kind in k.agency_kinds)
    ]


def codes(direction: str) -> tuple[str, ...]:
    return tuple(k.code for k in kinds(direction))


def outbound_kind_for(agency_kind: str) -> ReferralKind:
    """The one outbound kind an agency of ``agency_kind`` takes (each agency kind takes exactly one)."""
    return kinds(OUT, agency_kind)[0]


def lengths(attribute: str) -> dict[str, tuple[int, str]]:
    """The kinds' own lengths for one deadline (``answer``, ``result``, ``mediation``): ``{code: length}``."""
    return {k.code: getattr(k, attribute) for k in KINDS.values() if getattr(k, attribute) is not None}


def _check() -> None:
    """Each agency kind takes exactly one outbound kind, so the agency picked names the referral's kind."""
    for agency_kind in AGENCY_KINDS:
        taken = kinds(OUT, agency_kind)
        if len(taken) != 1:
            raise ValueError(f"agency kind {agency_kind!r} takes {len(taken)} outbound referral kinds")
    for kind in KINDS.values():
        if len(kind.code) > 32:  # Referral.kind, Deadline.variant
            raise ValueError(f"referral kind {kind.code!r} is longer than its columns")
    for kind in kinds(IN):
        if kind.channel not in CHANNELS:
            raise ValueError(f"inbound kind {kind.code!r} has unknown channel {kind.channel!r}")


_check()
