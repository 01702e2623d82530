"""The request boundary, and small helpers the blueprints share.

Every posted form goes through ``submit``: it checks the form's one-time key, runs the service call, and
commits once. On a refusal it rolls back and shows the form again, with everything typed and the refusal's
status (422 invalid, 409 conflict, 403 not allowed); after a successful commit — never before — it runs the
work the services deferred (``services.deferred``), then redirects. The JSON API will use ``commit`` below.
"""

import secrets
from typing import NamedTuple

from flask import abort, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import QueryableAttribute, defaultload
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import HiddenField

from mediation import policy
from mediation.errors import NotFound, Refused
from mediation.extensions import db
from mediation.models import Case, Submission
from mediation.services import audit
from mediation.services.deferred import run_deferred


def init_app(app) -> None:
    """Every request records where it comes from, for the audit log."""

    @app.before_request
    def _origin():
        audit.origin.set(request.remote_addr or "")


def load_case(number: str, actor, *options, sparse: tuple["OftenEmpty", ...] = ()) -> Case:
    """The case numbered ``number`` if ``actor`` may see it; 404 otherwise, so numbers leak nothing.
    ``options``: what the page loads with it (``sqlalchemy.orm`` loader options); ``sparse``: collections it
    reads that are often empty (``often_empty``)."""
    query = select(Case, *(s.exists for s in sparse)).filter_by(number=number[:40])
    query = query.options(*options, *(s.option for s in sparse))
    row = db.session.execute(query).unique().one_or_none()  # unique: a collection may be joined in
    if row is None or not policy.can_view_case(actor, row[0]):
        abort(404)
    case, *filled = row
    loaded = inspect(case).dict
    for often, has_rows in zip(sparse, filled, strict=True):
        if not has_rows and often.attribute.key not in loaded:
            set_committed_value(case, often.attribute.key, [])
    return case


class OftenEmpty(NamedTuple):
    attribute: QueryableAttribute
    option: object
    #: ``attribute.any()``, built once (an expression costs more to build than to run).
    exists: object


def often_empty(attribute: QueryableAttribute, *then) -> OftenEmpty:
    """A collection of the case that ``load_case`` asks about in the case's own query (``EXISTS``): one found
    empty is set so, and one that is not is loaded when first read (with ``then``, loader options of its
    rows). Most of a case's collections are empty most of its life, and each statement is a round trip
    and the ORM's work around it: on the case page this leaves out four or five of them."""
    return OftenEmpty(attribute, defaultload(attribute).options(*then), attribute.any())


def submission_key(form_id: str | None = "submission") -> HiddenField:
    """The hidden one-time key of a form (its id unique on the page, as several forms may share one;
    ``None`` for a form built with a ``prefix``, whose fields take it as their ids)."""
    return HiddenField(**({"id": form_id} if form_id else {}), default=lambda: secrets.token_urlsafe(24))


class OnceForm(FlaskForm):
    """A form that carries a one-time key: posted again (a retry after a dropped connection), it does
    nothing twice and leads where the first post led."""

    submission = submission_key()


def commit(action):
    """Run ``action`` (service calls) and commit once, then run the deferred work; return what it returned.

    A ``Refused`` is re-raised after rolling back, so nothing half-done survives.
    """
    try:
        result = action()
    except Refused:
        db.session.rollback()
        raise
    db.session.commit()
    run_deferred()
    return result


def submit(form, action, *, then, again, show=None):
    """The one way a posted form changes anything.

    ``action()`` calls the services; ``then(result)`` gives ``(url, message)`` for the redirect after the
    commit; ``again(status, error)`` renders the page with ``form`` as posted. ``show(form, error)`` puts a
    refusal's messages on the form (default ``show_refusal``).
    """
    if not form.validate():
        csrf = getattr(form, "csrf_token", None)
        return again(400 if csrf is not None and csrf.errors else 422, None)
    key = _key(form)
    if key is not None:
        done = _claim(key)
        if done is not None:
            return done
    try:
        result = action()
        url, message = then(result)
        if key is not None:
            db.session.get(Submission, key).result_url = url
        db.session.flush()
    except Refused as error:
        db.session.rollback()
        if isinstance(error, NotFound):
            abort(404)
        (show or show_refusal)(form, error)
        return again(error.status, error)
    db.session.commit()
    run_deferred()
    flash(message, "success")
    return redirect(url)


def _key(form) -> str | None:
    field = getattr(form, "submission", None)
    value = (field.data or "").strip() if field is not None else ""
    return value if 16 <= len(value) <= 64 and value.isascii() else None


def _claim(key: str):
    """Take ``key`` for this submit, inside the transaction; a redirect when it was already used.

    A concurrent post of the same form waits here for the first to commit (PostgreSQL's unique index, or
    SQLite's write lock), then finds the key taken.
    """
    done = db.session.get(Submission, key)
    if done is None:
        db.session.add(Submission(key=key, user_id=current_user.id))
        try:
            db.session.flush()
            return None
        except IntegrityError:
            db.session.rollback()
            done = db.session.get(Submission, key)
    if done is None or done.user_id != current_user.id:
        abort(400)
    flash(_("This form was already sent; nothing was saved twice."), "info")
    return redirect(done.result_url or request.path)


def show_refusal(form, error: Refused, prefix: str = "") -> None:
    """Put a service's field errors on the matching form fields; the rest becomes the form's own error."""
    unplaced = []
    for name, message in error.fields.items():
        field = form._fields.get(prefix + name) if form is not None else None
        if field is not None:
            field.errors = [*field.errors, str(message)] if isinstance(field.errors, list) else [str(message)]
        else:
            unplaced.append(str(message))
    if form is not None:
        form.form_errors = [str(error.message), *unplaced]
