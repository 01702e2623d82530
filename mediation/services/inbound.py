"""An agency sends a dispute to a station (公安移交, a court's 委派 or 委托, a department's 交办).

The dispute arrives in the station's intake queue as a registered case, with the channel its kind names
and the agency's referral (``direction="in"``), assigned to the mediator on duty; the station accepts or
declines it like any other (``accept`` / ``decline`` answer the referral, and the agency sees the answer).
"""

from datetime import datetime

from flask_babel import gettext as _

from mediation import linkage, policy
from mediation.clock import local_date, utcnow
from mediation.errors import Invalid
from mediation.models import Case, Station, User
from mediation.services import notifications
from mediation.services.cases import CaseInput, Inbound, check_intake, register_case
from mediation.services.parties import PartyInput
from mediation.text import NOTE_LENGTH, parse_texts


def send_dispute(
    liaison: User,
    station: Station,
    kind: str,
    details: CaseInput,
    parties: list[PartyInput],
    *,
    agency_case_number: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """Send a dispute from ``liaison``'s agency to ``station`` as a referral of ``kind``; return the case.

    Refuses (``NotAllowed``) anyone but a liaison of an agency that serves the station, and (``Invalid``,
    every problem at once with the case's own) a kind the agency does not send, a missing case number the
    kind requires, and text longer than its column. The channel is the kind's. Flushes; the caller commits.
    """
    policy.require(policy.can_send_dispute(liaison, station), _("Your agency does not serve this station."))
    now = now or utcnow()
    errors = {}
    texts = parse_texts(
        {"agency_case_number": agency_case_number, "reason": reason},
        {"agency_case_number": 64, "reason": NOTE_LENGTH},
        errors,
    )
    rules = linkage.KINDS.get(kind)
    if rules is None or rules.direction != linkage.IN or liaison.agency.kind not in rules.agency_kinds:
        errors["kind"] = _("Choose one of the kinds of dispute your agency sends.")
    elif rules.case_number_required and not texts.get("agency_case_number"):
        errors["agency_case_number"] = _("Give the court's case number (案号).")
    if errors:  # with whatever else is wrong with the dispute, all at once
        try:
            check_intake(liaison, station, details, parties, None, local_date(now))
        except Invalid as error:
            errors = {**error.fields, **errors}
        raise Invalid(_("Some information is missing or wrong."), fields=errors)
    details.channel = rules.channel
    inbound = Inbound(
        agency=liaison.agency,
        kind=kind,
        sent_at=now,
        sent_by=liaison,
        agency_case_number=texts["agency_case_number"],
        reason=texts["reason"],
    )
    details.external_ref = details.external_ref or texts["agency_case_number"]
    case = register_case(liaison, station, details, parties, inbound=inbound, now=now)
    notifications.dispute_sent(case)
    return case
