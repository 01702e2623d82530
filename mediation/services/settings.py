"""Deployment settings kept in the database: deadline lengths, when a deadline is due soon, and the
waivers a deployment allows (``lifecycle.Permit``: closing without the required visit).

Each has a default in the code (the lifecycle's ``DEADLINES``, from DOMAIN.md); a ``Setting`` row holds a
change, made from the command line now (admin pages later), and every change is in the audit log. A
deadline keeps the length it was opened with: a change applies to deadlines opened afterwards.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from mediation import lifecycle
from mediation.clock import utcnow
from mediation.errors import Invalid
from mediation.extensions import db
from mediation.models import Setting
from mediation.services import audit

WARNING_KEY = "deadline_warning"
#: A deadline is due soon once this share of its time is used, or this many working days are left.
WARNING_DEFAULT = {"fraction": 0.7, "working_days": 2}


@dataclass(frozen=True)
class Length:
    days: int
    unit: str
    #: Whether a setting changed it from the declared default.
    changed: bool = False


def _key(kind: str, variant: str = "") -> str:
    return f"deadline.{kind}" + (f".{variant}" if variant else "")


def default_length(kind: str, variant: str = "") -> Length:
    rule = lifecycle.DEADLINES[kind]
    return Length(*rule.variants.get(variant, (rule.days, rule.unit)))


def deadline_length(kind: str, variant: str = "") -> Length:
    """How long a ``kind`` deadline runs (for ``variant``, else the rule's own length)."""
    keys = [_key(kind, variant), _key(kind)] if variant else [_key(kind)]
    rows = {s.key: s.value for s in db.session.scalars(select(Setting).where(Setting.key.in_(keys)))}
    if variant and variant in lifecycle.DEADLINES[kind].variants and keys[0] not in rows:
        return default_length(kind, variant)
    for key in keys:
        if key in rows:
            return Length(int(rows[key]["days"]), rows[key]["unit"], changed=True)
    return default_length(kind, variant)


def warning() -> dict:
    row = db.session.get(Setting, WARNING_KEY)
    return {**WARNING_DEFAULT, **(row.value if row else {})}


def set_deadline_length(actor, kind: str, variant: str, days: int, unit: str) -> Length:
    """Set how long ``kind`` (for ``variant``) deadlines run from now on. Refuses an unknown kind or
    variant, a unit other than calendar or working, and a length outside 1–3650 days. Audited."""
    rule = lifecycle.DEADLINES.get(kind)
    errors = {}
    if rule is None:
        errors["kind"] = _("There is no deadline called “%(kind)s”.", kind=kind)
    elif variant and not rule.variant_choices:
        errors["variant"] = _("This deadline has no variants.")
    elif variant and variant not in rule.variant_choices:
        errors["variant"] = _("This deadline has no variant “%(variant)s”.", variant=variant)
    if unit not in (lifecycle.CALENDAR, lifecycle.WORKING):
        errors["unit"] = _("Count calendar days or working days.")
    if not 1 <= days <= 3650:
        errors["days"] = _("A deadline runs from 1 to 3,650 days.")
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors)
    before = deadline_length(kind, variant)
    _store(
        actor, _key(kind, variant), {"days": days, "unit": unit}, {"days": before.days, "unit": before.unit}
    )
    return Length(days, unit, changed=True)


def set_warning(actor, fraction: float, working_days: int) -> dict:
    """Set when deadlines opened from now on become due soon. Audited."""
    errors = {}
    if not 0 < fraction < 1:
        errors["fraction"] = _("Give a share between 0 and 1, such as 0.7.")
    if not 0 <= working_days <= 30:
        errors["working_days"] = _("Give 0 to 30 working days.")
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors)
    value = {"fraction": fraction, "working_days": working_days}
    _store(actor, WARNING_KEY, value, warning())
    return value


def _permit(name: str) -> lifecycle.Permit:
    permit = lifecycle.PERMITS.get(name)
    if permit is None:
        raise Invalid(_("There is no waiver called “%(name)s”.", name=name), fields={"name": name})
    return permit


def waiver(name: str) -> dict:
    """Whether the waiver ``name`` is allowed (off unless an admin turned it on), and with which reasons."""
    _permit(name)
    row = db.session.get(Setting, _waiver_key(name))
    return {"enabled": False, "reasons": [], **(row.value if row else {})}


def permits() -> dict[str, tuple[str, ...]]:
    """The waivers allowed now, each with the reasons it accepts: what ``apply_step`` gives the guards, and
    the case page the steps (``values["permits"]``)."""
    keys = {_waiver_key(name): name for name in lifecycle.PERMITS}
    rows = db.session.scalars(select(Setting).where(Setting.key.in_(keys)))
    return {keys[r.key]: tuple(r.value["reasons"]) for r in rows if r.value.get("enabled")}


def permits_for(steps) -> dict[str, tuple[str, ...]]:
    """``permits()`` where one of ``steps`` has a guard a permit waives; else none are asked about (most
    steps have none: a page or step then spares the statement)."""
    return permits() if any(g.permit for step in steps for g in step.guards) else {}


def set_waiver(actor, name: str, enabled: bool, reasons=None) -> dict:
    """Allow or forbid the waiver ``name``; allowing it names the reasons it accepts (``reasons``, by
    default all the permit's). Refuses a reason the permit does not know. Audited."""
    permit = _permit(name)
    before = waiver(name)
    if not enabled:
        value = {"enabled": False, "reasons": before["reasons"]}
    else:
        chosen = list(permit.reasons) if not reasons else list(dict.fromkeys(reasons))
        unknown = [code for code in chosen if code not in permit.reasons]
        if unknown:
            raise Invalid(
                _("Some information is missing or wrong."),
                fields={"reasons": _("Unknown reasons: %(codes)s.", codes=", ".join(unknown))},
            )
        value = {"enabled": True, "reasons": chosen}
    _store(actor, _waiver_key(name), value, before)
    return value


def _waiver_key(name: str) -> str:
    return f"waiver.{name}"


def _store(actor, key: str, value: dict, before: dict) -> None:
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=value)
        db.session.add(row)
    row.value, row.updated_at = value, utcnow()
    row.updated_by_id = actor.id if actor is not None else None
    audit.record(actor, "settings", "set_setting", target=f"setting:{key}", old=before, new=value)
    db.session.flush()


def lengths() -> list[tuple[str, str, Length]]:
    """Every deadline length in force: ``(kind, variant, length)``, the rules' own and their variants."""
    out = []
    for kind, rule in lifecycle.DEADLINES.items():
        out.append((kind, "", deadline_length(kind)))
        out += [(kind, variant, deadline_length(kind, variant)) for variant in rule.variant_choices]
    return out
