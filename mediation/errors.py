"""Why the system refuses something, and how each refusal is answered over HTTP.

Services raise ``Refused`` subclasses; pages turn them into messages and field errors, the API into
``{"error": {"code", "message", "fields"}}`` with the class's status. Nothing else should become a 500;
when something does, the 500 page still renders (see ``error_page``).

Codes (the API's contract, shared by intake, steps and every other service): ``invalid_fields`` (422, with
``fields``), a guard's name (422), ``stale_version`` and ``invalid_state`` (409), ``wrong_role`` and
``out_of_scope`` (403), ``unknown_trigger`` and ``not_found`` (404), and a few named where they are raised.
"""

from flask import abort, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from mediation.extensions import db


class Refused(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message, *, fields: dict | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def as_json(self) -> dict:
        body = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {k: str(v) for k, v in self.fields.items()}
        return {"error": body}


class NotAllowed(Refused):
    status = 403
    code = "out_of_scope"


class NotFound(Refused):
    status = 404
    code = "not_found"


class Conflict(Refused):
    """Someone else changed the case since the caller loaded it, or its state no longer allows this."""

    status = 409
    code = "conflict"


class Invalid(Refused):
    """Missing or malformed data (``invalid_fields``), or a guard that does not hold (the guard's name)."""

    status = 422
    code = "invalid_fields"


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _refuse_nul_bytes():
    """A NUL character can be typed into a URL or a form but not stored (PostgreSQL refuses it): say 400."""
    values = [request.path, *request.args.keys(), *(v for vs in request.args.listvalues() for v in vs)]
    if request.method == "POST" and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values += [*request.form.keys(), *(v for vs in request.form.listvalues() for v in vs)]
    if any("\x00" in value for value in values):
        abort(400)


def error_page(status: int, message, body: dict | None = None):
    """The error page for ``status`` (or for JSON, ``body``), whatever state the request left the database in.

    A 500 may come from inside a transaction that failed (PostgreSQL then refuses every statement, and the
    page reads the signed-in user), and a refusal may follow a failed flush: the page rolls such a session
    back first (a 500 always; nothing of a failed request is kept). If the page still cannot be rendered
    (the database is unreachable), a plain page that needs nothing from it says the same, rather than the
    server's bare 500.
    """
    try:
        if status >= 500 or not db.session.is_active:
            db.session.rollback()
        if _wants_json():
            return jsonify(body or {"error": {"code": str(status), "message": str(message)}}), status
        return render_template("errors/error.html", status=status, message=message), status
    except Exception:
        current_app.logger.exception("the %s page could not be rendered", status)
        plain = f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{escape(str(message))}</p>"
        return plain, status, {"Content-Type": "text/html; charset=utf-8"}


def register(app) -> None:
    """Error pages for HTML, error bodies for JSON; no request should ever end in a bare 500."""
    app.before_request(_refuse_nul_bytes)

    @app.errorhandler(Refused)
    def refused(error):
        return error_page(error.status, error.message, error.as_json())

    def page(status, message):
        app.register_error_handler(status, lambda error: error_page(status, message))

    page(400, _l("The request could not be understood."))
    page(403, _l("You do not have access to this page."))
    page(404, _l("There is nothing at this address, or you may not see it."))
    page(405, _l("That action is not possible here."))
    page(413, _l("The upload is too large."))
    page(429, _l("Too many attempts. Please wait a minute and try again."))
    page(500, _l("Something went wrong on our side. Nothing you entered was saved; please try again."))
