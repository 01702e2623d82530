"""Reminders (``flask --app mediation mediation remind``, run from cron): an in-app notification for every
open deadline that is due soon or overdue, to whoever's work it is (``DeadlineRule.owner``).

At most once per deadline and threshold: each notification carries the key ``deadline:<id>:<threshold>``,
unique per reader, so running the command twice — or on two instances at once against one PostgreSQL —
tells nobody twice (``services.notifications.notify``). A window the parties may let pass (judicial
confirmation) is reminded of as it comes due, never as overdue.
"""

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from mediation.clock import utcnow
from mediation.extensions import db
from mediation.models import Case, Deadline
from mediation.services import deadlines, notifications

THRESHOLDS = {deadlines.DUE_SOON: "deadline_due_soon", deadlines.OVERDUE: "deadline_overdue"}


def remind(now: datetime | None = None) -> Counter:
    """Queue the reminders due at ``now`` (written once the caller commits); return how many deadlines were
    reminded of, by threshold."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Deadline)
        .where(Deadline.warn_at <= now, Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None))
        .order_by(Deadline.due_at)
    )
    tally = Counter()
    for deadline in due:
        threshold = deadlines.status(deadline, now)
        if threshold not in THRESHOLDS:  # a lapsed window
            continue
        case = db.session.get(Case, deadline.case_id)
        recipients = owners(deadline, case)
        if not recipients:
            continue
        notifications.notify(
            recipients,
            THRESHOLDS[threshold],
            case,
            dedupe_key=f"deadline:{deadline.id}:{threshold}",
            deadline=deadline.kind,
            due=deadline.due_at,
        )
        tally[threshold] += 1
    return tally


def owners(deadline: Deadline, case: Case) -> list:
    """Whose work the deadline is: the agency's liaisons, the court's, or the station's mediators."""
    if deadline.rule.owner == "station":
        return notifications.mediators(case)
    agency = owning_agency(deadline, case)
    return notifications.liaisons(agency) if agency is not None else []


def owning_agency(deadline: Deadline, case: Case):
    """The agency whose work the deadline is: the one the case is referred to (``owner`` "agency"), or the
    court its agreement was brought to (``owner`` "court"); ``None`` for the station's, or for nobody."""
    owner = deadline.rule.owner
    if owner == "agency":
        referral = case.active_referral
        return referral.agency if referral is not None else None
    if owner == "court":
        agreement = case.confirmation
        return agreement.jc_court if agreement is not None else None
    return None
