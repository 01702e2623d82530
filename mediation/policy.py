"""Who may see and do what. Pages, templates and the API ask these same predicates.

Scope rules: mediators act at the stations they serve; supervisors see the stations they oversee; liaisons
see the cases referred to or from their agency; admins manage accounts and see everything but do no case work.
"""

from sqlalchemy import exists, false, select, true

from mediation import lifecycle
from mediation.errors import NotAllowed
from mediation.models import Case, Referral


def serves_station(actor, station_id) -> bool:
    return actor.role in ("mediator", "supervisor") and station_id in actor.station_ids


def can_view_case(actor, case) -> bool:
    if actor.role == "admin":
        return True
    if actor.role in ("mediator", "supervisor"):
        return case.station_id in actor.station_ids
    if actor.agency_id is not None:
        return any(r.agency_id == actor.agency_id for r in case.referrals)
    return False


def visible_cases_clause(actor):
    """A SQL condition on ``Case`` matching exactly the cases ``can_view_case`` allows."""
    if actor.role == "admin":
        return true()
    if actor.role in ("mediator", "supervisor"):
        ids = actor.station_ids
        return Case.station_id.in_(ids) if ids else false()
    if actor.agency_id is not None:
        return exists(
            select(Referral.id).where(Referral.case_id == Case.id, Referral.agency_id == actor.agency_id)
        )
    return false()


def can_work_on_case(actor, case) -> bool:
    """Record sessions, agreements details, attachments and edits: the station's mediators, on open cases."""
    return actor.role == "mediator" and case.station_id in actor.station_ids and case.is_open


def can_follow_up(actor, case) -> bool:
    """Plan and record follow-up visits: the station's mediators, in any state but registration (a failed
    mediation is followed up too, after it closed)."""
    return (
        actor.role == "mediator"
        and case.station_id in actor.station_ids
        and case.state != lifecycle.INITIAL_STATE
    )


def can_read_station_books(actor, station) -> bool:
    """The station's visit log and duty roster: its mediators and supervisors see them."""
    return serves_station(actor, station.id)


def can_keep_station_books(actor, station) -> bool:
    """Only the station's mediators write in its visit log and edit its roster."""
    return actor.role == "mediator" and station.id in actor.station_ids


def can_read_audit_log(actor) -> bool:
    """The audit log: admins read all of it, supervisors what concerns the stations they oversee."""
    return actor.role == "admin" or (actor.role == "supervisor" and bool(actor.station_ids))


def can_register_at(actor, station) -> bool:
    return actor.role == "mediator" and station.id in actor.station_ids


def can_see_personal_data(actor, case) -> bool:
    """Full phone and ID numbers (PIPL): the station's mediators, and the agency the case is with."""
    if actor.role == "mediator":
        return case.station_id in actor.station_ids
    referral = case.active_referral
    return actor.agency_id is not None and referral is not None and referral.agency_id == actor.agency_id


def _in_scope(actor, case, scope) -> bool:
    if scope == lifecycle.STATION:
        return case.station_id in actor.station_ids
    referral = case.active_referral
    return referral is not None and actor.agency_id is not None and referral.agency_id == actor.agency_id


def refusal(actor, case, trigger) -> str | None:
    """Why ``actor`` may not fire ``trigger`` on ``case`` (role or scope); ``None`` if they may."""
    step = lifecycle.STEPS[trigger]
    if actor.role not in step.roles:
        return "role"
    if not _in_scope(actor, case, step.scope):
        return step.scope
    return None


def can_fire(actor, case, trigger) -> bool:
    """Whether ``actor`` may fire ``trigger`` on ``case`` now: the state allows it, and role and scope fit.

    Guards and data are checked when the step is applied; a button may show and still be refused for them.
    """
    return lifecycle.may(case.state, trigger) and refusal(actor, case, trigger) is None


def allowed_steps(actor, case) -> list:
    """The steps ``actor`` may fire on ``case`` now, in declaration order: the buttons on the case page."""
    return [
        lifecycle.STEPS[t] for t in lifecycle.triggers_from(case.state) if refusal(actor, case, t) is None
    ]


def require(allowed: bool, message) -> None:
    if not allowed:
        raise NotAllowed(message)
