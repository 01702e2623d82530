"""Interface language: the user's choice, else the browser's, else Simplified Chinese."""

import os

from flask import current_app, has_request_context, request, session
from flask_babel import refresh
from flask_login import current_user

from mediation.extensions import babel

#: Browser language tags mapped to our catalogues. Babel spells Simplified Chinese as used in China
#: ``zh_Hans_CN``, and its catalogue folder has that name.
_BROWSER = {"zh": "zh_Hans_CN", "en": "en"}


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if not chosen and current_user and current_user.is_authenticated:
        chosen = current_user.locale
    if chosen in _BROWSER.values():
        return chosen
    for language, _quality in request.accept_languages:  # already sorted by preference
        primary = language.replace("_", "-").split("-")[0].lower()
        if primary in _BROWSER:
            return _BROWSER[primary]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=os.path.join(app.root_path, "translations"),
    )
    # The locale is cached on `g`; choose afresh for every request even where an app context outlives one.
    app.before_request(refresh)
