"""Interface language: the user's choice, else the browser's, else Simplified Chinese."""

import os
from types import SimpleNamespace

import flask_babel
import flask_wtf.i18n
from babel import support
from flask import current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations, refresh
from flask_login import current_user
from wtforms.i18n import messages_path

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


#: ``translated``'s labels: (the vocabulary's id, locale) → (the vocabulary, its labels in that language).
_TRANSLATED: dict = {}


def translated(vocabulary) -> dict:
    """A vocabulary (a long-lived mapping of codes to lazy labels: ``taxonomy``'s, the lifecycle's) in the
    reader's language, translated once per language and process: a page that names a label per row or per
    event looks it up instead of translating it again (a lazy string costs ~20 µs each time it is read)."""
    key = (id(vocabulary), get_locale())
    found = _TRANSLATED.get(key)
    if found is None or found[0] is not vocabulary:
        found = _TRANSLATED[key] = (vocabulary, {code: str(label) for code, label in vocabulary.items()})
    return found[1]


#: The templates' ``_('…')`` literals by (locale, msgid): a bounded set, each translated once per language.
_TEMPLATE_STRINGS: dict = {}


def _template_gettext(string: str) -> str:
    """Templates' ``_()`` (newstyle: Jinja formats the variables): the catalogue is read once per literal
    and language, not every time a page says it (a case page says ~100)."""
    key = (get_locale(), string)
    found = _TEMPLATE_STRINGS.get(key)
    if found is None:
        found = _TEMPLATE_STRINGS[key] = get_translations().ugettext(string)
    return found


#: WTForms' own messages ("This field is required.") by locale.
_WTFORMS: dict = {}


def wtforms_translations():
    """WTForms' catalogue in the request's language, read once per language and process: Flask-WTF's own
    lookup reads and parses it again for every request that builds a form."""
    if not has_request_context():
        return None
    locale = get_locale()
    found = _WTFORMS.get(locale)
    if found is None:
        found = _WTFORMS[locale] = support.Translations.load(messages_path(), [locale], domain="wtforms")
    return found


def babel_context() -> SimpleNamespace | None:
    """Where Flask-Babel keeps a request's locale and domain (``g._flask_babel``), as its own
    ``_get_current_context`` finds it, but straight from the app context rather than through three lookups
    of the ``g`` proxy: every translated word and formatted date asks for it, a few hundred times a page."""
    context = _cv_app.get(None)
    if context is None:
        return None
    try:
        return context.g._flask_babel
    except AttributeError:
        found = context.g._flask_babel = SimpleNamespace()
        return found


def init_app(app) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=os.path.join(app.root_path, "translations"),
    )
    # flask_babel's, but for ``_()``; no template says pgettext (a context's word).
    app.jinja_env.install_gettext_callables(
        gettext=_template_gettext,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
    )
    # The locale is cached on `g`; choose afresh for every request even where an app context outlives one.
    app.before_request(refresh)
    flask_babel._get_current_context = babel_context
    flask_wtf.i18n._get_translations = wtforms_translations
