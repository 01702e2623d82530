"""Reminders (``flask --app mediation mediation remind``, run from cron): an in-app notification for every
open deadline that is due soon or overdue, to whoever's work it is (``DeadlineRule.owner``).

At most once per deadline and threshold: each notification carries the key ``deadline:<id>:<threshold>``,
unique per reader, so running the command twice — or on two instances at once against one PostgreSQL —
tells nobody twice (``services.notifications.notify``). A window the parties may let pass (judicial
confirmation) is reminded of as it comes due, never as overdue.

When SMTP is configured (``MAIL_SERVER``), ``mail`` then e-mails each notification the run actually wrote —
never one a dedupe key skipped, so the e-mail too goes out once — to its reader, if they have an address, in
their language. A failing mail server loses no in-app notification: those are committed first.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mediation import mail as smtp
from mediation.clock import utcnow
from mediation.extensions import db
from mediation.models import Case, Deadline, Notification, User
from mediation.notifications import messages
from mediation.services import deadlines, notifications

THRESHOLDS = {deadlines.DUE_SOON: "deadline_due_soon", deadlines.OVERDUE: "deadline_overdue"}


@dataclass
class Reminded:
    """What a run did: how many deadlines it reminded of, by threshold; and the ids of the notifications it
    wrote, known once they are committed (``run_deferred``): what ``mail`` sends."""

    tally: Counter = field(default_factory=Counter)
    created: list[int] = field(default_factory=list)


def remind(now: datetime | None = None) -> Reminded:
    """Queue the reminders due at ``now`` (written once the caller commits and runs what was deferred)."""
    now = now or utcnow()
    reminded = Reminded()
    due = db.session.scalars(
        select(Deadline)
        .where(Deadline.warn_at <= now, Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None))
        .order_by(Deadline.due_at)
    )
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
            then=reminded.created.extend,
        )
        reminded.tally[threshold] += 1
    return reminded


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


# --- E-mail -----------------------------------------------------------------------------------------------


def mail(notification_ids) -> smtp.Sent:
    """E-mail each of the (committed) notifications to its reader, when SMTP is configured and the reader is
    active and has an address; one message each, in the reader's language."""
    if not notification_ids or not smtp.configured():
        return smtp.Sent()
    query = (
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(notification_ids), User.email != "", User.active.is_(True))
        .options(joinedload(Notification.case))
        .order_by(Notification.id)
    )
    # Links are made as a request to the public address would make them (none without one).
    base_url = current_app.config["PUBLIC_URL"]
    with current_app.test_request_context(base_url=base_url or None):
        rows = db.session.execute(query)
        mails = [_compose(notification, user, bool(base_url)) for notification, user in rows]
    return smtp.send(mails)


def _compose(notification: Notification, user: User, linked: bool) -> smtp.Mail:
    config = current_app.config
    locale = user.locale if user.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        sentence = messages.message(notification)
        values = messages.context(notification)
        lines = [
            sentence,
            "",
            _("Case: %(number)s, %(station)s", number=values["number"], station=values["station"]),
            _("Deadline: %(deadline)s", deadline=values["deadline"]),
            _("Due by: %(due)s (China time)", due=values["due"]),
        ]
        if linked:
            link = request.host_url.rstrip("/") + messages.link(notification)
            lines.append(_("Open the case: %(link)s", link=link))
        lines += ["", _("This reminder is also in your notifications in the mediation system.")]
        subject = _("[Mediation] %(number)s: %(sentence)s", number=values["number"], sentence=sentence)
    return smtp.Mail(to=user.email, subject=subject, body="\n".join(lines) + "\n")
