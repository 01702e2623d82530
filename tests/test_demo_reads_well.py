"""Everything the demo writes reads as words in both languages: no raw code on any case page's timeline,
and no English in the Chinese one."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from mediation import demo
from mediation.demo.stations import MEDIATORS
from mediation.extensions import db as _db
from mediation.models import Case
from tests.conftest import purge

#: Latin letters a Chinese page may show: case numbers (station codes), units and the roles' short names.
ALLOWED = re.compile(r"^(?:[A-Z]{2,5}(?:-\d{4}-\d{4})?|KB|MB)$")


def timeline_text(html: str) -> str:
    section = html.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    return unescape(re.sub(r"<[^>]+>", " ", section))


def reader(case) -> str:
    """The case's mediator, or the station's first one for a dispute an agency sent nobody has taken yet."""
    return case.mediator.username if case.mediator else MEDIATORS[case.station.code][0]


@pytest.fixture(scope="module")
def pages(app, tmp_path_factory):
    """Every case's page as the station's mediator sees it, in Chinese and in English."""
    out = {}
    with app.app_context():
        purge()  # whatever an earlier module left
        try:
            demo.seed(cases=120)
            _db.session.commit()
            for case in _db.session.scalars(select(Case).order_by(Case.id)).all():
                client = app.test_client()
                client.post("/login", data={"username": reader(case), "password": demo.DEMO_PASSWORD})
                for lang in ("zh_Hans_CN", "en"):
                    client.post(f"/language/{lang}")
                    response = client.get(f"/cases/{case.number}")
                    assert response.status_code == 200, case.number
                    out[(lang, case.number)] = timeline_text(response.get_data(as_text=True))
        except BaseException:
            _db.session.rollback()
            purge()  # a failed setup gets no teardown: leave nothing for the next module
            raise
        _db.session.rollback()
        _db.session.remove()
    yield out
    with app.app_context():
        purge()


def test_the_chinese_timeline_has_no_english_and_no_codes(pages):
    problems = {}
    for (lang, number), text in pages.items():
        if lang != "zh_Hans_CN":
            continue
        words = {w for w in re.findall(r"[A-Za-z_][A-Za-z_]+", text) if not ALLOWED.match(w)}
        if words:
            problems[number] = sorted(words)
    assert not problems, problems


def test_the_english_timeline_shows_no_codes(pages):
    codes = re.compile(r"\b[a-z]+_[a-z_]+\b")
    problems = {
        n: sorted(set(codes.findall(t))) for (lang, n), t in pages.items() if lang == "en" and codes.search(t)
    }
    assert not problems, problems
