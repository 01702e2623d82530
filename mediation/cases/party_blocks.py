"""Empty party blocks, rendered once per language.

Intake (and an agency sending a dispute) opens with an empty block per default role and carries one more as
the page script's template: of the form's controls, these are two thirds, and they come out the same on every
request in a language but for the block's index and number. So each is rendered once per process, language
and role, with ``__prefix__`` where the index goes (as the script does with the template), and numbered by
substitution. A block that anything was typed, ticked or asked in is rendered as usual (``untouched``).
"""

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from mediation import taxonomy
from mediation.cases.forms import PartyForm

_PREFIX = "__prefix__"
_NUMBER = "__number__"
_MACROS = "cases/_parties.html"


def untouched(form: PartyForm) -> bool:
    """Nothing typed, ticked, picked or asked in the block, whose role is one we offer: it renders as the
    empty block of its role."""
    return (
        form.role.data in taxonomy.PARTY_ROLES
        and not form.match
        and not form.match_errors
        and not form.errors
        and not any(field.data for field in form if field is not form.role)
    )


def blank_party(entry=None, number: int | None = None) -> Markup:
    """The empty block ``entry`` (a ``PartyRows.parties`` entry, ``untouched``) shown as party ``number``;
    without them, the removable block the page's script copies to add a party."""
    if entry is None:
        return _rendered(None, removable=True)
    html = _rendered(entry.form.role.data, removable=False)
    return Markup(html.replace(_PREFIX, entry.name.rpartition("-")[2]).replace(_NUMBER, str(number)))


def _rendered(role: str | None, *, removable: bool) -> str:
    # Kept by the app, and not kept while templates reload (development), so an edited template shows.
    key = (str(get_locale()), role, removable)
    cache = current_app.extensions.setdefault("blank_party_blocks", {})
    if key not in cache or current_app.jinja_env.auto_reload:
        form = PartyForm(prefix=f"parties-{_PREFIX}-", data={"role": role} if role else None)
        macros = current_app.jinja_env.get_template(_MACROS).module
        cache[key] = macros.party_block(form, "" if removable else Markup(_NUMBER), removable=removable)
    return cache[key]
