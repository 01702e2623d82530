"""How a notification reads: its kind's sentence, in the reader's language, filled from the codes and values
it stores (``Notification.data``) and from its case."""

from datetime import datetime

from mediation import lifecycle, linkage, taxonomy
from mediation.notification_kinds import KINDS
from mediation.templating import deadline_text

#: How a value stored under each key reads: a code as its label, a moment as the reader's language writes it.
#: Other values read as they were stored (names, numbers).
VALUES = {
    "referral_kind": lambda code: linkage.KINDS[code].label,
    "outcome": lambda code: taxonomy.FEEDBACK_OUTCOMES[code],
    "deadline": lambda code: lifecycle.DEADLINES[code].label,
    "urgency": lambda code: taxonomy.SUPERVISION_URGENCIES[code],
    "due": lambda moment: deadline_text(datetime.fromisoformat(moment)),
}


class _Context(dict):
    """A placeholder whose value is missing (a row older than its kind's fields) reads as nothing."""

    def __missing__(self, key):
        return ""


def message(notification) -> str:
    """The notification's sentence in the current request's language."""
    return str(KINDS[notification.kind].sentence(notification.data or {})) % context(notification)


def context(notification) -> dict:
    """What its sentence is filled from, as the current language reads it: its data, its case's number and
    station (an e-mail of it says them again)."""
    values = _Context({key: _read(key, value) for key, value in (notification.data or {}).items()})
    if notification.case is not None:
        values.update(number=notification.case.number, station=notification.case.station.name)
    return values


def _read(key, value):
    try:
        return VALUES[key](value) if key in VALUES else value
    except (KeyError, TypeError, ValueError):  # a code since retired, a value stored by an older version
        return value


def link(notification) -> str:
    """Where opening the notification leads (its kind's ``link``: normally the case page)."""
    return KINDS[notification.kind].link(notification)
