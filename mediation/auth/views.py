"""Signing in and out, and choosing the interface language."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from mediation.auth import devices, sign_in
from mediation.auth.forms import LoginForm
from mediation.extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(token: str):
    return sign_in.user_of(token)


@bp.before_app_request
def _load_the_user_afresh():
    # Flask-Login caches the user on `g`, which lives as long as the app context: where one outlives a request
    # (the test client inside a test's context), each request must still find its own cookies' user.
    g.pop("_login_user", None)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    try:
        user = sign_in.check_password(
            form.username.data, form.password.data, address=_address(), known_device=devices.known_device
        )
    except sign_in.Throttled as refusal:
        db.session.commit()  # the audit entry of the refused attempt
        return _too_many_failures(form, refusal.wait)
    if user is None:
        db.session.commit()  # the audit entry of the failure
        form.password.errors.append(_("Wrong username or password."))
        return render_template("auth/login.html", form=form)
    session.clear()  # nothing from before the sign-in survives it (session fixation)
    remember = form.remember.data
    sign_in.start(user, remember=remember, address=_address(), user_agent=request.user_agent.string)
    db.session.commit()
    login_user(user, remember=remember)
    response = redirect(_safe_next(request.args.get("next")))
    devices.remember(response, user.id)
    return response


@bp.post("/logout")
@login_required
def logout():
    sign_in.end(current_user)
    db.session.commit()
    session.clear()
    logout_user()  # after clearing: it asks for the remember-me cookie to be deleted
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


def _address() -> str:
    return request.remote_addr or ""


def _too_many_failures(form, wait: int):
    """The sign-in page again, saying truthfully how long to wait (429, with ``Retry-After``)."""
    if wait < 60:
        how_long = ngettext("%(num)d second", "%(num)d seconds", wait)
    else:
        minutes = -(-wait // 60)
        how_long = ngettext("%(num)d minute", "%(num)d minutes", minutes)
    message = _("Too many failed sign-ins. Please try again in %(wait)s.", wait=how_long)
    response = current_app.make_response(
        (render_template("auth/login.html", form=form, refusal=message), 429)
    )
    response.headers["Retry-After"] = str(wait)
    return response


def _safe_next(target: str | None) -> str:
    """Only ever redirect within this site."""
    # Browsers read "/\\host" as "//host": refuse backslashes along with absolute and scheme-relative URLs.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("cases.home")
