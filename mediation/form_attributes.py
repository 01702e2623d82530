"""A faster writer of form controls' HTML attributes, for every WTForms widget and label.

WTForms writes each attribute through ``Markup('{k}="{v}"').format(…)``, a Python-level string formatter: on a
case page of some fifty controls that is a few hundred formatter calls, the costliest part of rendering its
forms. ``html_params`` writes the same bytes with markupsafe's C ``escape`` (``tests/test_form_attributes.py``
holds it to WTForms' output); ``install`` puts it wherever the widgets and labels look it up.
"""

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core

#: WTForms' own, kept for the test that compares the two.
WTFORMS_HTML_PARAMS = core.html_params

_QUOTE, _ENTITY = Markup('"'), Markup("&quot;")


def html_params(**kwargs) -> Markup:
    """``wtforms.widgets.html_params``: sorted by key, ``class_``/``for_`` and ``data_``/``aria_`` keys as
    WTForms cleans them, ``True`` a bare attribute, ``False`` none, every key and value escaped."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(core.clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            params.append(f'{key}="{escape(value).replace(_QUOTE, _ENTITY)}"')
    return Markup(" ".join(params))


def install() -> None:
    core.html_params = widgets.html_params = html_params
    # Inputs and buttons keep their own reference, taken when WTForms was imported.
    core.Input.html_params = core.Button.html_params = staticmethod(html_params)
