"""Deadlines as rows: opened and closed as the lifecycle declares, and one answer to "is it overdue?".

``apply_step`` (and intake, and the few actions outside steps that meet a deadline) call ``open_``,
``meet`` and ``cancel``; every page, list, report and the API ask ``status``. ``Case.next_due_at`` caches
the earliest open deadline that can become overdue, so lists sort and filter by it on an index; only this
module writes it.
"""

from datetime import datetime

import sqlalchemy as sa

from mediation import lifecycle
from mediation.models import Case, Deadline
from mediation.services import calendar, settings

OVERDUE, DUE_SOON, ON_TIME = "overdue", "due_soon", "on_time"
MET, CANCELLED, LAPSED = "met", "cancelled", "lapsed"
#: The statuses that ask for attention, most urgent first.
URGENCY = (OVERDUE, DUE_SOON, ON_TIME)


def status(deadline: Deadline, now: datetime) -> str:
    """Where ``deadline`` stands at ``now``: met, cancelled, overdue (or, for a window the parties may let
    pass, lapsed), due soon, or on time."""
    if deadline.met_at is not None:
        return MET
    if deadline.cancelled_at is not None:
        return CANCELLED
    if now >= deadline.due_at:
        return LAPSED if deadline.rule.lapses else OVERDUE
    if now >= deadline.warn_at:
        return DUE_SOON
    return ON_TIME


def worst(deadlines, now: datetime) -> str | None:
    """The most urgent status among ``deadlines`` (a list row's mark); ``None`` when nothing is open."""
    found = {status(d, now) for d in deadlines}
    return next((s for s in URGENCY if s in found), None)


def worst_status(now: datetime):
    """``worst`` of a case's deadlines at ``now`` (a moment, or a bind parameter for one) as a SQL expression
    correlated to ``Case``: a list marks each row without loading its deadlines (``Case.due_now``). The rules
    are ``status``'s, tested equal."""
    lapsing = [kind for kind, rule in lifecycle.DEADLINES.items() if rule.lapses]
    rank = sa.case((Deadline.due_at <= now, 0), (Deadline.warn_at <= now, 1), else_=2)  # URGENCY's order
    worst_rank = (
        sa.select(sa.func.min(rank))
        .where(Deadline.case_id == Case.id, Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None))
        .where(sa.not_(sa.and_(Deadline.due_at <= now, Deadline.kind.in_(lapsing))))
        .scalar_subquery()
    )
    return sa.case(dict(enumerate(URGENCY)), value=worst_rank)


def open_deadlines(case: Case) -> list[Deadline]:
    return sorted((d for d in case.deadlines if d.is_open), key=lambda d: d.due_at)


def open_(
    case: Case, kinds, *, now: datetime, by: str, closed=(), due: datetime | None = None
) -> list[Deadline]:
    """Open the ``kinds`` deadlines on ``case`` that apply to it, counted from ``now`` by the settings in
    force; ``closed`` are the deadlines the same step just closed (an extension starts where its period
    ended); ``due``, a due moment set by hand (a visit planned for a day). Returns the new rows (added to
    the case, not flushed)."""
    opened = []
    warn = settings.warning()
    for kind in kinds:
        rule = lifecycle.DEADLINES[kind]
        if rule.applies is not None and not rule.applies(case):
            continue
        variant = rule.variant(case) if rule.variant else ""
        length = settings.deadline_length(kind, variant)
        start = rule.start(case, now, closed) if rule.start else now
        due_at = due or (rule.due(case, start) if rule.due else None)
        counted = calendar.count(
            start,
            length.days,
            length.unit,
            exact=rule.exact,
            fraction=warn["fraction"],
            working_left=warn["working_days"],
            due=max(due_at, start) if due_at is not None else None,
        )
        deadline = Deadline(
            case_id=case.id,
            station_id=case.station_id,
            kind=kind,
            variant=variant,
            started_at=start,
            due_at=counted.due,
            warn_at=counted.warn,
            days=length.days,
            unit=length.unit,
            calendar_known=counted.known,
            opened_by=by,
        )
        case.deadlines.append(deadline)
        opened.append(deadline)
    sync(case)
    return opened


def meet(case: Case, kinds, *, now: datetime, by: str) -> list[Deadline]:
    """Mark the open ``kinds`` deadlines of ``case`` met: the work they asked for was done."""
    return _close(case, kinds, "met_at", now, by)


def cancel(case: Case, kinds, *, now: datetime, by: str) -> list[Deadline]:
    """Mark the open ``kinds`` deadlines of ``case`` cancelled: the work is no longer asked for."""
    return _close(case, kinds, "cancelled_at", now, by)


def meet_rows(case: Case, rows, *, now: datetime, by: str) -> list[Deadline]:
    """Mark these open deadline rows of ``case`` met (a planned visit made)."""
    return _close_rows(case, [d for d in rows if d.is_open], "met_at", now, by)


def cancel_rows(case: Case, rows, *, now: datetime, by: str) -> list[Deadline]:
    """Mark these open deadline rows of ``case`` cancelled (a planned visit moved or called off)."""
    return _close_rows(case, [d for d in rows if d.is_open], "cancelled_at", now, by)


def _close(case, kinds, column, now, by) -> list[Deadline]:
    return _close_rows(case, [d for d in case.deadlines if d.is_open and d.kind in kinds], column, now, by)


def _close_rows(case, closed, column, now, by) -> list[Deadline]:
    for deadline in closed:
        setattr(deadline, column, now)
        deadline.closed_by = by
    sync(case)
    return closed


def sync(case: Case) -> None:
    """Keep ``case.next_due_at``: the earliest open deadline that can become overdue."""
    dues = [d.due_at for d in case.deadlines if d.is_open and not d.rule.lapses]
    case.next_due_at = min(dues) if dues else None


def for_event(opened, met, cancelled) -> dict:
    """What a step did to the deadlines, as its event records it under ``deadlines`` (kinds, and when the
    new ones fall due); nothing when it did nothing to them."""
    out = {}
    if opened:
        out["opened"] = [
            {"kind": d.kind, "due_at": d.due_at.isoformat(), "days": d.days, "unit": d.unit}
            | ({} if d.calendar_known else {"calendar_known": False})
            for d in opened
        ]
    if met:
        out["met"] = [d.kind for d in met]
    if cancelled:
        out["cancelled"] = [d.kind for d in cancelled]
    return {"deadlines": out} if out else {}
