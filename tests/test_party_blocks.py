"""The empty party blocks intake renders once per language: the same HTML as rendering them, and a block
anything was put in is rendered afresh, so nothing typed or ticked is lost."""

import pytest
from flask import render_template_string

from mediation import taxonomy
from mediation.cases.forms import IntakeForm, PartyForm
from mediation.cases.party_blocks import blank_party, untouched
from tests.conftest import login
from tests.test_intake import case_count, intake_data

MACRO = (
    '{% from "cases/_parties.html" import party_block %}{{ party_block(form, number, removable=removable) }}'
)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_empty_block_is_the_html_rendering_it_writes(app, db, language):
    roles = list(taxonomy.PARTY_ROLES)
    data = {"parties": [{"role": role} for role in roles]}
    for _ in range(2):  # the first call renders and keeps the blocks, the second reads them back
        with app.test_request_context(headers={"Accept-Language": language}):
            form = IntakeForm(data=data)
            for number, entry in enumerate(form.parties, start=1):
                assert untouched(entry.form)
                expected = render_template_string(MACRO, form=entry.form, number=number, removable=False)
                assert blank_party(entry, number) == expected
            template = PartyForm(prefix="parties-__prefix__-")
            assert blank_party() == render_template_string(MACRO, form=template, number="", removable=True)
    with app.test_request_context(headers={"Accept-Language": language}):
        page = blank_party(IntakeForm(data=data).parties.entries[0], 1)
    assert ("当事人" if language == "zh-CN" else "Party") in page


def test_a_block_with_only_a_box_ticked_comes_back_ticked(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    response = client.post("/cases/new", data=intake_data(title="", **{"parties-2-organisation": "y"}))
    assert response.status_code == 422 and case_count(db) == 0
    page = response.get_data(as_text=True)
    box = page.index('name="parties-2-organisation"')
    assert "checked" in page[page.rindex("<input", 0, box) : box]


def test_an_empty_block_the_script_added_comes_back_numbered_after_the_others(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    added = {"parties-7-role": "respondent", "parties-7-name": "", "parties-7-phone": ""}
    response = client.post("/cases/new", data=intake_data(title="", **added))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # WTForms numbers the blocks posted in their order: block 7 comes back as the fourth.
    assert 'name="parties-3-name"' in page and 'id="parties-3-phone"' in page
    assert "<span data-party-number>4</span>" in page
    assert "__number__" not in page and page.count('name="parties-__prefix__-name"') == 1  # the template's
