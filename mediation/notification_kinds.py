"""The kinds of in-app notification, declared once as data: what each says and where it leads.

A notification stores its kind and the codes and values its sentence needs (``Notification.data``), never
text: the sentence is written when it is read, in the reader's language (``notifications.messages``). The
table's codes are the ``notification.kind`` CHECK constraint; ``services.notifications`` decides who is told
what, and when. Like ``lifecycle`` and ``linkage``, this module knows nothing of the database, so the model
can read it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

#: Placeholders every sentence may use besides its kind's ``fields``, filled from the notification's case.
CASE_CONTEXT = ("number", "station")


def case_page(notification) -> str:
    """Where most notifications lead: the case they are about (the inbox, for one about no case)."""
    if notification.case is None:
        return url_for("notifications.inbox")
    return url_for("case_page.show", number=notification.case.number)


@dataclass(frozen=True)
class NotificationKind:
    code: str
    #: The sentence, with named placeholders (``%(agency)s``) taken from ``fields`` and ``CASE_CONTEXT``; or,
    #: when the sentence depends on a coded value, one sentence per value of the field ``variant`` names.
    message: object
    #: The keys the sender must give, exactly (``services.notifications.notify`` checks them).
    fields: tuple[str, ...] = ()
    variant: str | None = None
    #: ``link(notification) -> url``: what opening it leads to.
    link: Callable = case_page

    def sentence(self, data: dict):
        """The (lazy) sentence for ``data``; for a variant value since retired, the first one declared."""
        if self.variant is None:
            return self.message
        return self.message.get(data.get(self.variant), next(iter(self.message.values())))


# fmt: off
KINDS = {k.code: k for k in (
    # Station → agency, and the agency's answers.
    NotificationKind("referral_received", {
        False: _l("%(station)s referred a dispute to your agency."),
        True: _l("Urgent: %(station)s referred a dispute at high risk of escalation to your agency."),
    }, fields=("urgent",), variant="urgent"),
    NotificationKind("referral_recalled", _l("%(station)s recalled its referral; nothing more is needed.")),
    NotificationKind("referral_answered", {
        "accepted": _l("%(agency)s accepted the referral."),
        "declined": _l("%(agency)s declined the referral; the case is back with the station."),
    }, fields=("agency", "answer"), variant="answer"),
    NotificationKind("case_number_recorded",
                     _l("%(agency)s recorded its case number %(agency_case_number)s."),
                     fields=("agency", "agency_case_number")),
    NotificationKind("referral_result", {
        "resolved": _l("%(agency)s resolved the dispute; follow the case up."),
        "returned": _l("%(agency)s returned the case to the station for mediation."),
    }, fields=("agency", "result"), variant="result"),
    # Agency → station, and the station's answers.
    NotificationKind("dispute_received", _l("%(agency)s sent the station a dispute: %(referral_kind)s."),
                     fields=("agency", "referral_kind")),
    NotificationKind("dispute_answered", {
        "accepted": _l("%(station)s accepted the dispute your agency sent."),
        "declined": _l("%(station)s declined the dispute your agency sent."),
    }, fields=("answer",), variant="answer"),
    NotificationKind("feedback_received", _l("%(station)s sent the court its result: %(outcome)s."),
                     fields=("outcome",)),
    NotificationKind("extension_recorded",
                     _l("%(station)s extended the mediation period with the parties’ consent, to %(due)s."),
                     fields=("due",)),
    # Judicial confirmation (司法确认).
    NotificationKind("jc_applied", _l("The parties applied to the court for judicial confirmation of their"
                                      " agreement, through %(station)s.")),
    NotificationKind("jc_decided", {
        "valid": _l("%(agency)s confirmed the agreement valid."),
        "invalid": _l("%(agency)s found the agreement invalid; the station may mediate again."),
        "not_accepted": _l("%(agency)s did not accept the application for judicial confirmation."),
    }, fields=("agency", "decision"), variant="decision"),
    # The station's own work.
    NotificationKind("case_assigned", _l("You are now the mediator of this case.")),
    NotificationKind("deadline_due_soon", _l("Due soon: %(deadline)s, by %(due)s."),
                     fields=("deadline", "due")),
    NotificationKind("deadline_overdue", _l("Overdue: %(deadline)s, due by %(due)s."),
                     fields=("deadline", "due")),
    # Supervision (督办).
    NotificationKind("supervision_started",
                     _l("%(supervisor)s put the case under supervision (%(urgency)s): answer by %(due)s."),
                     fields=("supervisor", "urgency", "due")),
    NotificationKind("supervision_answered", _l("%(mediator)s answered your supervision of the case."),
                     fields=("mediator",)),
    NotificationKind("supervision_ended", _l("%(supervisor)s ended the supervision of the case."),
                     fields=("supervisor",)),
)}
# fmt: on

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _check() -> None:
    """Every sentence uses only placeholders its kind can fill: checked at import, so none fails when read."""
    for kind in KINDS.values():
        sentences = kind.message.values() if kind.variant else [kind.message]
        if kind.variant is not None and kind.variant not in kind.fields:
            raise ValueError(
                f"notification kind {kind.code!r} varies by {kind.variant!r}, not one of its fields"
            )
        for sentence in sentences:
            unknown = set(_PLACEHOLDER.findall(str(sentence))) - {*kind.fields, *CASE_CONTEXT}
            if unknown:
                raise ValueError(f"notification kind {kind.code!r} cannot fill {sorted(unknown)}")


_check()
