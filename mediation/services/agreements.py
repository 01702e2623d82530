"""The agreement (调解协议书) after it is reached: its remaining details and judicial confirmation (司法确认).

The agreement itself is made by the lifecycle step ``reach_agreement`` (``services.transitions``); its terms
and performance deadline are what the parties signed and are not edited here.
"""

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from mediation import lifecycle, policy, taxonomy
from mediation.clock import local_date, parse_iso_date, utcnow
from mediation.errors import Invalid, NotFound
from mediation.extensions import db
from mediation.models import Agency, Agreement, Case, User
from mediation.services import deadlines
from mediation.services.transitions import check_version, record_event
from mediation.text import parse_text

#: The details that may be completed after the agreement is reached.
EDITABLE = (
    "oral",
    "facts_and_responsibility",
    "performance_method",
    "performance_place",
    "jc_applied_on",
    "jc_court",
    "jc_court_case_number",
    "jc_decision",
    "jc_decided_on",
)
_AGREEMENT_FIELDS = {spec.name: spec for spec in lifecycle.STEPS["reach_agreement"].fields}
#: The longest text each detail takes: what the step that records the agreement declares, and the court's
#: case number its column (``Agreement.jc_court_case_number``, String(64)).
MAX_LENGTHS = {
    **{
        name: _AGREEMENT_FIELDS[name].max_length
        for name in ("facts_and_responsibility", "performance_method", "performance_place")
    },
    "jc_court_case_number": 64,
}
_DATES = ("jc_applied_on", "jc_decided_on")


def update_agreement(case: Case, actor: User, version, *, now: datetime | None = None, **data) -> Agreement:
    """Complete the current agreement of ``case`` as ``actor``; return the agreement.

    Who: the station's mediators, on open cases (``policy.can_work_on_case``), else ``NotAllowed``.
    ``data`` holds any of ``EDITABLE`` (absent keys are left alone): ``oral`` (bool, or ``"oral"`` /
    ``"written"``), texts, ``jc_applied_on`` / ``jc_decided_on`` (ISO dates), ``jc_court`` (a court's
    agency code), ``jc_decision`` (one of ``taxonomy.JC_DECISIONS``). Raises ``Conflict`` for a stale
    ``version`` (``None`` skips the check), ``NotFound`` when the case has no agreement, ``Invalid`` naming
    every bad field. Appends an ``agreement`` event listing what changed (none when nothing did) and flushes.
    """
    policy.require(
        policy.can_work_on_case(actor, case), _("Only the station's mediators can change the agreement.")
    )
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise TypeError(f"update_agreement() got unexpected fields {sorted(unknown)}")
    check_version(case, version)
    agreement = case.current_agreement
    if agreement is None:
        raise NotFound(_("This case has no agreement yet."), code="no_agreement")

    now = now or utcnow()
    values, errors = _parse(data)
    merged = {name: values.get(name, _current(agreement, name)) for name in EDITABLE}
    errors.update(_check(agreement, merged, local_date(now), errors))
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors, code="invalid_fields")

    changes = {}
    for name, value in values.items():
        if value != _current(agreement, name):
            changes[name] = value
            if name == "jc_court":
                agreement.jc_court_id = value.id if value is not None else None
            else:
                setattr(agreement, name, value)
    if changes:
        trail = {"agreement_id": agreement.id, **changes, **_window(case, changes, now)}
        record_event(case, actor, "agreement", "update_agreement", trail, now=now)
    return agreement


def _window(case, changes, now) -> dict:
    """Applying for judicial confirmation meets its window; an oral agreement cannot be confirmed at all."""
    window, by = ("judicial_confirmation",), "update_agreement"
    met = deadlines.meet(case, window, now=now, by=by) if changes.get("jc_applied_on") else []
    cancelled = deadlines.cancel(case, window, now=now, by=by) if changes.get("oral") else []
    return deadlines.for_event([], met, cancelled)


def _current(agreement: Agreement, name: str):
    if name == "jc_court":
        return db.session.get(Agency, agreement.jc_court_id) if agreement.jc_court_id else None
    return getattr(agreement, name)


def _parse(data: dict) -> tuple[dict, dict]:
    values, errors = {}, {}
    for name, raw in data.items():
        if isinstance(raw, str):
            raw = raw.strip()
        try:
            values[name] = _PARSE.get(name, _text)(name, raw)
        except ValueError as error:
            errors[name] = str(error)
    return values, errors


def _text(name, raw) -> str:
    return parse_text(raw, MAX_LENGTHS[name])


def _oral(name, raw) -> bool:
    if raw in (True, False):
        return raw
    if raw in ("oral", "true", "1", "on", "yes"):
        return True
    if raw in ("written", "false", "0", "", None, "no"):
        return False
    raise ValueError(_("Choose written or oral."))


def _date(name, raw) -> date | None:
    return None if raw in (None, "") else parse_iso_date(raw)


def _court(name, raw) -> Agency | None:
    if raw in (None, ""):
        return None
    court = raw if isinstance(raw, Agency) else db.session.scalar(select(Agency).filter_by(code=str(raw)))
    if court is None or court.kind != "court":
        raise ValueError(_("Choose a court."))
    return court


def _decision(name, raw) -> str | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or raw not in taxonomy.JC_DECISIONS:
        raise ValueError(_("Choose one of the listed options."))
    return raw


_PARSE = {
    "oral": _oral,
    "jc_applied_on": _date,
    "jc_decided_on": _date,
    "jc_court": _court,
    "jc_decision": _decision,
}


def _check(agreement: Agreement, merged: dict, today: date, errors: dict) -> dict:
    """Rules across fields, on the agreement as it would be; fields already wrong are not checked again."""
    found = {}

    def fail(name, message):
        if name not in errors and name not in found:
            found[name] = message

    applied, decided = merged["jc_applied_on"], merged["jc_decided_on"]
    for name in _DATES:
        if merged[name] is not None and merged[name] > today:
            fail(name, _("This date is in the future."))
    if applied is not None and agreement.effective_on and applied < agreement.effective_on:
        fail("jc_applied_on", _("The application cannot be earlier than the agreement taking effect."))
    if applied is not None and merged["oral"]:
        fail("oral", _("Only a written agreement can be submitted for judicial confirmation."))
    if applied is None:
        for name in ("jc_court", "jc_court_case_number", "jc_decision", "jc_decided_on"):
            if merged[name]:
                fail(name, _("Enter first when the parties applied for judicial confirmation."))
    elif merged["jc_court"] is None:
        fail("jc_court", _("Choose the court the parties applied to."))
    if decided is not None and applied is not None and decided < applied:
        fail("jc_decided_on", _("The decision cannot be earlier than the application."))
    if merged["jc_decision"] and decided is None:
        fail("jc_decided_on", _("Enter when the court decided."))
    if decided is not None and not merged["jc_decision"]:
        fail("jc_decision", _("Choose what the court decided."))
    return found
