"""The agreement (调解协议书) after it is reached: its remaining details.

The agreement itself is made by the lifecycle step ``reach_agreement`` (``services.transitions``); its terms
and performance deadline are what the parties signed and are not edited here. Judicial confirmation (司法确认)
is recorded by ``services.judicial``.
"""

from datetime import datetime

from flask_babel import gettext as _

from mediation import lifecycle, policy
from mediation.clock import utcnow
from mediation.errors import Invalid, NotFound
from mediation.models import Agreement, Case, User
from mediation.services import deadlines
from mediation.services.transitions import check_version, record_event
from mediation.text import parse_text

#: The details that may be completed after the agreement is reached.
EDITABLE = ("oral", "facts_and_responsibility", "performance_method", "performance_place")
_AGREEMENT_FIELDS = {spec.name: spec for spec in lifecycle.STEPS["reach_agreement"].fields}
#: The longest text each detail takes: what the step that records the agreement declares.
MAX_LENGTHS = {name: _AGREEMENT_FIELDS[name].max_length for name in EDITABLE if name != "oral"}


def update_agreement(case: Case, actor: User, version, *, now: datetime | None = None, **data) -> Agreement:
    """Complete the current agreement of ``case`` as ``actor``; return the agreement.

    Who: the station's mediators, on open cases (``policy.can_work_on_case``), else ``NotAllowed``.
    ``data`` holds any of ``EDITABLE`` (absent keys are left alone): ``oral`` (bool, or ``"oral"`` /
    ``"written"``; an agreement applied for judicial confirmation stays written) and texts. Raises
    ``Conflict`` for a stale ``version`` (``None`` skips the check), ``NotFound`` when the case has no
    agreement, ``Invalid`` naming every bad field. Appends an ``agreement`` event listing what changed (none
    when nothing did) and flushes.
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
    if values.get("oral") and agreement.jc_applied_on is not None:
        errors["oral"] = _("The agreement was submitted for judicial confirmation: it is a written one.")
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors, code="invalid_fields")

    changes = {name: value for name, value in values.items() if value != getattr(agreement, name)}
    for name, value in changes.items():
        setattr(agreement, name, value)
    if changes:
        trail = {"agreement_id": agreement.id, **changes, **_window(case, changes, now)}
        record_event(case, actor, "agreement", "update_agreement", trail, now=now)
    return agreement


def _window(case, changes, now) -> dict:
    """An oral agreement cannot be confirmed by a court: its window closes."""
    if not changes.get("oral"):
        return {}
    cancelled = deadlines.cancel(case, ("judicial_confirmation",), now=now, by="update_agreement")
    return deadlines.for_event([], [], cancelled)


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


_PARSE = {"oral": _oral}
