"""Interface language: the user's choice, else the browser's, else Simplified Chinese."""

from flask import current_app, has_request_context, request, session
from flask_login import current_user

from mediation.extensions import babel

#: What browsers send, mapped to the catalogues we ship.
_BROWSER = {"zh": "zh_CN", "en": "en"}


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if not chosen and current_user and current_user.is_authenticated:
        chosen = current_user.locale
    if chosen in _BROWSER.values():
        return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best:
        return _BROWSER[best.split("-")[0]]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    import os

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=os.path.join(app.root_path, "translations"),
    )
