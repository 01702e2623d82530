"""Mediation sessions (调解记录): one record per sitting with the parties."""

from datetime import datetime, timedelta

from flask_babel import gettext as _

from mediation import policy
from mediation.clock import parse_local_datetime, utcnow
from mediation.errors import Invalid
from mediation.models import Case, MediationSession, User
from mediation.services.transitions import flush_case, record_event
from mediation.text import DOCUMENT_LENGTH, NOTE_LENGTH, parse_texts

#: A session is recorded after it was held; allow a little clock drift between phone and server.
_FUTURE_TOLERANCE = timedelta(minutes=10)
#: The longest text each field takes (``MediationSession.place`` is String(200); the others are Text).
MAX_LENGTHS = {"place": 200, "attendees": 2_000, "notes": DOCUMENT_LENGTH, "result": NOTE_LENGTH}


def record_session(
    case: Case,
    actor: User,
    *,
    held_at,
    place: str = "",
    attendees: str = "",
    notes: str = "",
    result: str = "",
    rights_notified: bool = False,
    now: datetime | None = None,
) -> MediationSession:
    """Record a mediation session on ``case`` as ``actor``; return it.

    Who: the station's mediators, on open cases (``policy.can_work_on_case``), else ``NotAllowed``.
    ``held_at`` is an aware datetime, or local time (Asia/Shanghai) as ``YYYY-MM-DDTHH:MM``
    (``clock.parse_local_datetime``: years 1900–2199); it is stored in UTC and may not lie in the future.
    The texts may be no longer than ``MAX_LENGTHS``. The parties must be told their rights and duties
    before the first session (DOMAIN §2): while ``case.rights_notified_at`` is empty, ``rights_notified``
    must be true, and it then sets ``rights_notified_at`` to the session's time. Raises ``Invalid`` naming
    every bad field. Appends a ``session`` event and flushes; the caller commits.
    """
    policy.require(
        policy.can_work_on_case(actor, case), _("Only the station's mediators can record sessions.")
    )
    now = now or utcnow()
    errors, when = {}, None
    if held_at is None or (isinstance(held_at, str) and not held_at.strip()):
        errors["held_at"] = _("Enter when the session was held.")
    else:
        try:
            when = parse_local_datetime(held_at)
        except ValueError as error:
            errors["held_at"] = str(error)
    if when is not None and when > now + _FUTURE_TOLERANCE:
        errors["held_at"] = _("A session is recorded after it was held; this time is in the future.")
    texts = parse_texts(
        {"place": place, "attendees": attendees, "notes": notes, "result": result}, MAX_LENGTHS, errors
    )
    if texts.get("notes") == "":
        errors["notes"] = _("Record what was discussed.")
    if texts.get("result") == "":
        errors["result"] = _("Record the result of the session.")
    notify_now = case.rights_notified_at is None
    if notify_now and not _truthy(rights_notified):
        errors["rights_notified"] = _(
            "Tell the parties their rights and duties before the first session, then tick this box."
        )
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors, code="invalid_fields")

    place, attendees, notes, result = (texts[name] for name in ("place", "attendees", "notes", "result"))
    session = MediationSession(
        held_at=when,
        place=place,
        attendees=attendees,
        notes=notes,
        result=result,
        recorded_by_id=actor.id,
        created_at=now,
    )
    case.sessions.append(session)
    flush_case()
    data = {
        "session_id": session.id,
        "held_at": when,
        "place": place,
        "attendees": attendees,
        "notes": notes,
        "result": result,
    }
    if notify_now:
        # The notice is given at the start of the first session, so it is dated with the session.
        case.rights_notified_at = when
        data["rights_notified_at"] = when
    record_event(case, actor, "session", "record_session", data, now=now)
    return session


def _truthy(value) -> bool:
    return value in (True, 1, "1", "true", "y", "yes", "on")
