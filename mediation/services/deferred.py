"""Work a service asks for once its transaction has committed: notifications now, webhooks later.

A service calls ``defer(job, …)`` while it changes rows; the request boundary (``web.submit``) or the CLI
command that committed calls ``run_deferred()`` after the commit — never before, never inside the
transaction, so nothing is announced that was rolled back. A rollback discards the queue.
"""

import logging
from functools import partial

from sqlalchemy import event
from sqlalchemy.orm import Session

from mediation.extensions import db

_QUEUE = "mediation_deferred"
log = logging.getLogger(__name__)


def defer(job, *args, then=None, **kwargs) -> None:
    """Run ``job(*args, **kwargs)`` once the current transaction commits; never, if it rolls back. ``then``,
    if given, is called with what the job returned once that, too, is committed."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, even of nothing written yet, discards the job
    session.info.setdefault(_QUEUE, []).append((partial(job, *args, **kwargs), then))


def run_deferred() -> int:
    """Run the jobs queued before the last commit, in order, and commit what they wrote; return how many ran.

    A job that fails is logged and rolled back on its own: the change that queued it is already committed
    and stays.
    """
    jobs = db.session.info.pop(_QUEUE, [])
    for job, then in jobs:
        try:
            result = job()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("deferred job %r failed after commit", job)
            continue
        if then is not None:
            then(result)
    return len(jobs)


@event.listens_for(Session, "after_soft_rollback")
def _discard(session, previous_transaction):
    if previous_transaction.parent is None:  # the outermost transaction: its work is gone
        session.info.pop(_QUEUE, None)
