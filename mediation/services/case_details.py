"""Correcting a case after registration: its own details, checked as intake checks them.

The parties are not corrected here: each has one file (一人一档), corrected through ``services.parties``.
Every correction is in the case's trail, old and new values side by side.
"""

from dataclasses import fields as dataclass_fields
from datetime import datetime

from flask_babel import gettext as _

from mediation import policy
from mediation.models import Case, User
from mediation.services import audit
from mediation.services.cases import CaseInput, validate_details
from mediation.services.transitions import check_version, record_event

#: What a mediator may correct: every detail intake takes about the dispute itself (``CaseInput``).
EDITABLE = tuple(f.name for f in dataclass_fields(CaseInput))


def update_case(actor: User, case: Case, version, *, now: datetime | None = None, **fields) -> dict:
    """Correct the details of ``case`` as ``actor``; return what changed as ``{name: (old, new)}``.

    Who: the station's mediators, on open cases (``policy.can_work_on_case``), else ``NotAllowed``.
    ``fields`` holds any of ``EDITABLE`` (absent ones are left alone), as intake takes them (``CaseInput``).
    Raises ``Conflict`` for a stale ``version`` (``None`` skips the check) and ``Invalid`` naming every bad
    field at once; an unknown field is a programming error (``TypeError``). Appends an ``update`` event with
    the old and new value of each detail that changed (none when nothing did) and flushes; never commits.
    """
    policy.require(
        policy.can_work_on_case(actor, case), _("Only the station's mediators can correct an open case.")
    )
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"update_case() got unexpected fields {sorted(unknown)}")
    check_version(case, version)

    before = {name: getattr(case, name) for name in EDITABLE}
    after = validate_details(CaseInput(**{**before, **fields}))
    old, new = audit.changes(before, after)
    if not new:
        return {}
    for name, value in new.items():
        setattr(case, name, value)
    record_event(
        case,
        actor,
        "update",
        "update_case",
        {"old": audit.jsonable(old), "new": audit.jsonable(new)},
        now=now,
    )
    return {name: (old[name], new[name]) for name in new}
