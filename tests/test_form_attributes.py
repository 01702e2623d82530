"""The faster attribute writer writes exactly what WTForms writes, so every form looks as it did."""

import pytest
from markupsafe import Markup

from mediation.form_attributes import WTFORMS_HTML_PARAMS, html_params

CASES = [
    {},
    {"name": "title", "id": "title", "class_": "form-control is-invalid", "maxlength": 200, "required": True},
    {"type": "checkbox", "checked": True, "disabled": False, "value": "y"},
    {"data_bs_toggle": "collapse", "aria_describedby": "a-help a-error", "for_": "x"},
    {"value": "He said \"no\" & <left> 'now'"},
    {"value": Markup('already <b>safe</b> "quoted"')},
    {"value": 3.5, "min": 0, "step": None, "placeholder": "例如：邻里漏水 — 楼上楼下"},
    {"k_": "trailing", "data_a_b_c": "", "aria_x_y": 0},
]


@pytest.mark.parametrize("attributes", CASES)
def test_it_writes_what_wtforms_writes(attributes):
    ours, theirs = html_params(**attributes), WTFORMS_HTML_PARAMS(**attributes)
    assert ours == theirs and isinstance(ours, Markup)


def test_the_app_renders_controls_with_it(app):
    from wtforms import widgets
    from wtforms.widgets import core

    assert core.html_params is html_params and widgets.html_params is html_params
    assert core.TextInput.html_params is html_params and core.Button.html_params is html_params
