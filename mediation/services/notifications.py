"""In-app notifications: who is told what when a case moves on, and the queries of the inbox.

``notify`` queues the rows with ``services.deferred``, so they are written only once the change they tell of
is committed: a rolled-back request tells nobody anything. ``after_step`` (the end of ``apply_step``) reads
who is told what from ``AFTER_STEP``, the one table of it; ``dispute_sent`` (the end of
``inbound.send_dispute``) tells the station of a dispute an agency sent. The kinds, their sentences and where
they lead are declared in ``mediation.notification_kinds``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from mediation import lifecycle
from mediation.clock import utcnow
from mediation.errors import NotFound
from mediation.extensions import db
from mediation.models import Case, Event, Notification, User, user_station
from mediation.models._base import insert_for
from mediation.notification_kinds import KINDS
from mediation.services.deferred import defer
from mediation.services.search import paginate

PER_PAGE = 25


def notify(
    recipients, kind: str, case: Case | None = None, *, dedupe_key=None, at=None, then=None, **data
) -> None:
    """Tell each active user among ``recipients`` of ``kind`` (about ``case``), once the transaction commits.

    ``data`` are exactly the kind's ``fields``: codes and values, never text (a date or moment is stored in
    ISO form). ``dedupe_key`` makes it at most once per reader: a reader who already has a notification with
    that key gets no other, even when two processes send it at the same moment. ``at`` is when it happened
    (the step's time; now by default). ``then(ids)``, if given, is told the ids of the rows actually written
    (not those a dedupe key skipped), once they are committed: what a reminder run e-mails. Any caller;
    writes nothing before the commit. A kind that is not
    declared, or data that does not fit it, is a programming error (``ValueError``).
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown notification kind {kind!r}")
    if set(data) != set(spec.fields):
        raise ValueError(f"{kind!r} takes {sorted(spec.fields)}, not {sorted(data)}")
    if spec.variant is not None and data[spec.variant] not in spec.message:
        raise ValueError(f"{kind!r} has no sentence for {spec.variant}={data[spec.variant]!r}")
    user_ids = sorted({user.id for user in recipients if user.active})
    if user_ids:
        values = {key: value.isoformat() if isinstance(value, date) else value for key, value in data.items()}
        case_id = case.id if case else None
        defer(_create, user_ids, kind, case_id, dedupe_key, values, at or utcnow(), then=then)


def _create(user_ids, kind, case_id, dedupe_key, data, at) -> list[int]:
    """The rows, after the commit; one a reader already has under ``dedupe_key`` is skipped (a concurrent
    sender's insert waits on the unique index, then skips). Returns the ids of those written."""
    rows = [
        {
            "user_id": user_id,
            "case_id": case_id,
            "kind": kind,
            "data": data,
            "created_at": at,
            "dedupe_key": dedupe_key,
        }
        for user_id in user_ids
    ]
    insert = insert_for(db.session)(Notification).values(rows).on_conflict_do_nothing()
    return list(db.session.scalars(insert.returning(Notification.id)))


# --- Who is told what ---------------------------------------------------------------------------------


def liaisons(agency) -> list[User]:
    """The agency's active liaisons."""
    query = select(User).where(User.agency_id == agency.id, User.role == "liaison", User.active.is_(True))
    return list(db.session.scalars(query.order_by(User.id)))


def mediators(case: Case) -> list[User]:
    """The case's mediator, while they still mediate at its station; else every active mediator there."""
    mediator = case.mediator
    serving = mediator is not None and mediator.active and mediator.role == "mediator"
    if serving and case.station_id in mediator.station_ids:
        return [mediator]
    query = (
        select(User)
        .join(user_station, user_station.c.user_id == User.id)
        .where(user_station.c.station_id == case.station_id, User.role == "mediator", User.active.is_(True))
    )
    return list(db.session.scalars(query.order_by(User.id)))


@dataclass(frozen=True)
class Notice:
    """What a step tells: its kind, to whom, with what data and, if not always, when. Each function takes the
    case (the step applied) and the step's event."""

    kind: str
    to: Callable
    data: Callable = lambda case, event: {}
    when: Callable = lambda case, event: True


def _referral(case):
    """The outbound referral the step acted on: the case's latest."""
    return next(r for r in reversed(case.referrals) if r.direction == "out")


def _to_agency(case, event):
    return liaisons(_referral(case).agency)


def _to_sender(case, event):
    return liaisons(case.inbound_referral.agency)


def _to_mediators(case, event):
    return mediators(case)


def _to_new_mediator(case, event):
    return [case.mediator] if case.mediator is not None else []


def _agency_said(field):
    def data(case, event):
        referral = _referral(case)
        return {"agency": referral.agency.name, field: referral.status}

    return data


def _urgent(case, event):
    return {"urgent": _referral(case).urgent}


def _case_number(case, event):
    referral = _referral(case)
    return {"agency": referral.agency.name, "agency_case_number": referral.agency_case_number}


def _station_said(case, event):
    return {"answer": case.inbound_referral.status}


def _feedback(case, event):
    return {"outcome": case.inbound_referral.feedback_outcome}


def _extended_to(case, event):
    return {"due": next(d.due_at for d in case.deadlines if d.kind == "mediation_extension" and d.is_open)}


def _sent_in(case, event):
    return case.inbound_referral is not None


def _sent_by_a_court(case, event):
    referral = case.inbound_referral
    return referral is not None and referral.agency.kind == "court"


def _mediator_changed(case, event):
    return "previous_mediator" in event.data


#: Who a step tells of what, by trigger; steps not listed tell nobody. The agency's answers go to the case's
#: mediator, the station's to the agency that sent the dispute.
# fmt: off
AFTER_STEP = {
    "refer": (Notice("referral_received", _to_agency, _urgent),),
    "recall_referral": (Notice("referral_recalled", _to_agency),),
    "accept_referral": (Notice("referral_answered", _to_mediators, _agency_said("answer")),),
    "decline_referral": (Notice("referral_answered", _to_mediators, _agency_said("answer")),),
    "record_case_number": (Notice("case_number_recorded", _to_mediators, _case_number),),
    "return_to_station": (Notice("referral_result", _to_mediators, _agency_said("result")),),
    "resolve_by_agency": (Notice("referral_result", _to_mediators, _agency_said("result")),),
    "accept": (Notice("dispute_answered", _to_sender, _station_said, when=_sent_in),
               Notice("case_assigned", _to_new_mediator, when=_mediator_changed)),
    "decline": (Notice("dispute_answered", _to_sender, _station_said, when=_sent_in),),
    "send_feedback": (Notice("feedback_received", _to_sender, _feedback),),
    "extend": (Notice("extension_recorded", _to_sender, _extended_to, when=_sent_by_a_court),),
    "reassign": (Notice("case_assigned", _to_new_mediator, when=_mediator_changed),),
}
# fmt: on


def after_step(case: Case, step, actor: User, event: Event) -> None:
    """Tell whom ``step`` concerns (``AFTER_STEP``), never ``actor``, once the step is committed.

    Called by ``apply_step`` after it wrote the step and its event; flushes nothing.
    """
    for notice in AFTER_STEP.get(step.trigger, ()):
        if notice.when(case, event):
            others = [user for user in notice.to(case, event) if user.id != actor.id]
            notify(others, notice.kind, case, at=event.at, **notice.data(case, event))


def dispute_sent(case: Case) -> None:
    """Tell the station of a dispute an agency sent: its assigned mediator (the one on duty), or every active
    mediator there when nobody is assigned. Called by ``inbound.send_dispute`` once the case is registered."""
    referral = case.inbound_referral
    notify(
        mediators(case),
        "dispute_received",
        case,
        at=referral.created_at,
        agency=referral.agency.name,
        referral_kind=referral.kind,
    )


def _check() -> None:
    """The table names only declared steps and kinds: checked at import."""
    unknown = sorted(set(AFTER_STEP) - set(lifecycle.STEPS))
    kinds = sorted({n.kind for notices in AFTER_STEP.values() for n in notices} - set(KINDS))
    if unknown or kinds:
        raise lifecycle.DeclarationError(
            f"notifications after unknown steps {unknown}, of unknown kinds {kinds}"
        )


_check()


# --- The inbox ------------------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    """How many of ``user``'s notifications are unread: the navbar's badge. The signed-in user's is counted
    with the sign-in (``auth.sign_in.user_of``), so every page's chrome costs no statement of its own."""
    if user.unread_notifications is not None:
        return user.unread_notifications
    return db.session.scalar(unread_of(user.id))


def unread_of(user_id):
    """The COUNT (on a partial index) of the unread notifications of ``user_id`` (a value or a column)."""
    return select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))


def inbox(user: User, page: int = 1, per_page: int = PER_PAGE):
    """One page of ``user``'s notifications, newest first, each with its case."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(joinedload(Notification.case))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(query, page, per_page)


def newest_id(user: User) -> int | None:
    """The id of ``user``'s latest notification: what "mark all read" on the page they see goes up to."""
    return db.session.scalar(select(func.max(Notification.id)).where(Notification.user_id == user.id))


def own(user: User, notification_id: int) -> Notification:
    """``user``'s notification ``notification_id``; ``NotFound`` if there is none, or it is someone else's."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("There is no such notification."))
    return notification


def mark_read(user: User, notification: Notification, *, now: datetime | None = None) -> None:
    """``user`` opened their ``notification``: it is read (from the first time). ``NotFound`` for anyone
    else's. Flushes; the caller commits."""
    if notification.user_id != user.id:
        raise NotFound(_("There is no such notification."))
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()


def mark_all_read(user: User, up_to: int | None = None, *, now: datetime | None = None) -> int:
    """Mark ``user``'s unread notifications read, only those up to id ``up_to`` when given (the newest the
    page showed: one that arrived since stays unread); return how many. The caller commits."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if up_to is not None:
        query = query.where(Notification.id <= up_to)
    return db.session.execute(query.values(read_at=now or utcnow())).rowcount
