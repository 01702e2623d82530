"""The interface in Simplified Chinese and English: the catalogues are complete, in step with the source, and
the pages really render in the reader's language.

When a test here fails after you add or change an interface string: run ``make messages``, translate the new
entries in ``mediation/translations/zh_Hans_CN/LC_MESSAGES/messages.po`` (no ``fuzzy`` flags left), then
``make translations``.
"""

import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale

from mediation import lifecycle, taxonomy
from mediation.case_page.forms import step_form
from mediation.i18n import translated
from tests.conftest import delegated_by, fire, login, make_case

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "mediation" / "translations"
POT = TRANSLATIONS / "messages.pot"
ZH = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES"
EN = TRANSLATIONS / "en" / "LC_MESSAGES"
FIX = (
    "Run `make messages`, translate every new entry in "
    "mediation/translations/zh_Hans_CN/LC_MESSAGES/messages.po (and clear its `fuzzy` flags), "
    "then run `make translations`."
)

ZH_BROWSER = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}

#: ``%(name)s``, ``%(num)d``: the named placeholders gettext fills in.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
CJK = r"[\u3400-\u9fff]"
#: Western punctuation touching a Chinese character (a Chinese text uses ，。：；（）！？).
WESTERN_PUNCTUATION = re.compile(rf"{CJK}[,.;:!?()]|[,;:!?()]{CJK}")


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _ids(catalog) -> set:
    return {message.id for message in catalog if message.id}


def _strings(message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _sources(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def _where(message) -> str:
    return " ".join(f"{path}:{line}" for path, line in message.locations[:2])


@pytest.fixture(scope="module")
def pot():
    return _read(POT)


@pytest.fixture(scope="module")
def zh():
    return _read(ZH / "messages.po")


# --- The catalogues -----------------------------------------------------------------------------------


def test_the_template_holds_every_string_in_the_source(tmp_path, pot):
    """Re-extract exactly as `make messages` does and compare: a string added, changed or removed in a
    template or a Python file since the last `make messages` shows up here."""
    fresh = tmp_path / "messages.pot"
    done = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
        + ["-k", "_l", "-k", "lazy_gettext", "--ignore-dirs", ".* ._ __pycache__", "-o", str(fresh), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    catalog = _read(fresh)
    extracted, stored = _ids(catalog), _ids(pot)
    assert len(extracted) > 400, "extraction found too few strings: check babel.cfg"
    folders = {path.split("/")[0] for message in catalog for path, _line in message.locations}
    assert folders >= {"mediation", "templates"}, (
        "babel.cfg must cover both the Python code and the templates"
    )
    paths = {path for message in catalog for path, _line in message.locations}
    assert any(path.startswith("templates/_macros/") for path in paths), (
        "the shared macros (templates/_macros) must be extracted too: Babel skips _folders unless told"
    )
    new, gone = sorted(extracted - stored, key=str), sorted(stored - extracted, key=str)
    assert not new and not gone, f"messages.pot is out of date (new: {new}, gone: {gone}). {FIX}"


@pytest.mark.parametrize("folder", [ZH, EN], ids=["zh_Hans_CN", "en"])
def test_each_language_has_every_string_of_the_template(pot, folder):
    missing = sorted(_ids(pot) - _ids(_read(folder / "messages.po")), key=str)
    assert not missing, f"{folder.parent.name} lacks {missing}. {FIX}"


def test_every_string_has_a_chinese_translation_and_none_is_fuzzy(pot, zh):
    problems = []
    for message in zh:
        if not message.id or message.id not in pot:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {_key(message)!r} ({_where(message)})")
        elif not all(s.strip() for s in _strings(message)):
            problems.append(f"untranslated: {_key(message)!r} ({_where(message)})")
    assert not problems, f"{len(problems)} Chinese entries need work. {FIX}\n" + "\n".join(problems)


def test_chinese_has_one_plural_form(zh):
    assert zh.num_plurals == 1
    for message in zh:
        if message.pluralizable:
            assert len(message.string) == 1 and message.string[0], _key(message)


def test_translations_keep_the_placeholders_of_the_source(zh):
    wrong = []
    for message in zh:
        if not message.id:
            continue
        wanted = set().union(*(PLACEHOLDER.findall(s) for s in _sources(message)))
        for string in _strings(message):
            if string and set(PLACEHOLDER.findall(string)) != wanted:
                wrong.append(f"{_key(message)!r} → {string!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_babel_finds_nothing_wrong_with_the_catalogues(zh):
    """What `pybabel compile` would warn about (placeholder mismatches and the like)."""
    problems = [f"{_key(message)!r}: {errors}" for message, errors in zh.check() if errors]
    assert not problems, "\n".join(problems)


def test_chinese_text_uses_chinese_punctuation(zh):
    western = [
        f"{_key(message)!r} → {string!r}"
        for message in zh
        if message.id
        for string in _strings(message)
        if WESTERN_PUNCTUATION.search(string)
    ]
    assert not western, "use ，。：；（）！？ in Chinese text:\n" + "\n".join(western)


#: Terms fixed by the domain glossary (docs: DOMAIN §10 and §11) that every page must use alike.
GLOSSARY = {
    "Dispute resolution station": "解纷驿站",
    "Mediator": "调解员",
    "Police liaison": "对接民警",
    "Court liaison": "法院联络人",
    "Applicant": "申请人",
    "Respondent": "被申请人",
    "Third party": "第三人",
    "Registered": "已登记",
    "Accept": "受理",
    "Decline": "不予受理",
    "In mediation": "调解中",
    "Referred": "已移交",
    "With the agency": "机构处理中",
    "Following up": "回访中",
    "Closed": "已结案",
    "Mediation failed": "调解不成",
    "Withdrawn": "撤回",
    "Reopen": "重新启动",
    "Follow-up visit": "回访",
    "Mediation sessions": "调解记录",
    "People's Mediation Agreement": "人民调解协议书",
    "Judicial confirmation": "司法确认",
    "Duty roster": "值班表",
    "Visit log": "服务记录本",
    "Risk of escalation": "民转刑风险",
    "Marriage and family": "婚姻家庭纠纷",
    "Neighbours": "邻里纠纷",
    "Housing and homestead land": "房屋宅基地纠纷",
    "Contracts": "合同纠纷",
    "Production and business": "生产经营纠纷",
    "Compensation for damage": "损害赔偿纠纷",
    "Labour disputes": "劳动争议纠纷",
    "Property management": "物业纠纷",
    "Land and forest rights": "山林土地纠纷",
    "Land expropriation and demolition": "征地拆迁纠纷",
    "Environmental pollution": "环境污染纠纷",
    "Medical disputes": "医疗纠纷",
    "Road traffic accidents": "道路交通事故纠纷",
    "Consumer disputes": "消费纠纷",
    "Other": "其他纠纷",
}


def test_the_glossary_terms_are_translated_as_the_domain_says(zh):
    found = {msgid: zh.get(msgid).string if zh.get(msgid) else None for msgid in GLOSSARY}
    assert found == GLOSSARY


def test_the_compiled_catalogue_matches_the_translations(zh):
    """The pages read the compiled .mo file, which git does not keep."""
    mo = ZH / "messages.mo"
    assert mo.exists(), "the Chinese catalogue is not compiled: run `make translations`"
    with mo.open("rb") as f:
        compiled = {_key(message): _strings(message) for message in read_mo(f) if message.id}
    wanted = {_key(message): _strings(message) for message in zh if message.id and not message.fuzzy}
    assert compiled == wanted, "the compiled catalogue is out of date: run `make translations`"


# --- The pages ---------------------------------------------------------------------------------------------


class _Text(HTMLParser):
    """What a reader sees or hears: text outside scripts and styles, plus labels read out to them."""

    SPOKEN = ("aria-label", "placeholder", "title", "alt")

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in self.SPOKEN and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


#: English that may stand on a Chinese page: the switch to English, codes, units, paper size, file formats,
#: usernames.
NOT_INTERFACE = {"English", "XLG", "KB", "MB", "A4", "XLSX", "CSV", "wang"}


@pytest.fixture
def english_words(app):
    """The Latin-letter words of a page's text that are not data (file types allowed for upload included)."""
    allowed = NOT_INTERFACE | set(app.config["ATTACHMENT_EXTENSIONS"])

    def words(text: str) -> set[str]:
        return {
            word for word in re.findall(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]+", text) if word not in allowed
        }

    return words


@pytest.fixture
def chinese(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ZH_BROWSER["Accept-Language"]
    return client


@pytest.fixture
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = EN_BROWSER["Accept-Language"]
    return client


@pytest.fixture
def a_case(db, station, mediator):
    case = make_case(station, mediator, title="楼上漏水")
    db.session.commit()
    return case


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_login_page_speaks_chinese_to_a_chinese_browser(chinese, english_words):
    html = page(chinese, "/login")
    assert '<html lang="zh-CN">' in html
    text = visible_text(html)
    for label in ("登录", "用户名", "密码", "在此设备上保持登录", "解纷驿站", "人民调解不收取任何费用。"):
        assert label in text
    assert not english_words(text)


def test_the_login_page_speaks_english_to_an_english_browser(english):
    html = page(english, "/login")
    assert '<html lang="en">' in html
    text = visible_text(html)
    for label in ("Sign in", "Username", "Password", "Mediation is free of charge."):
        assert label in text
    assert not re.search(r"登录|用户名|密码", text)


# Each page: its path, Chinese a reader must see, and the English source of those labels.
PAGES = {
    "home": (
        "/",
        [
            "首页",
            "我的待办",
            "登记纠纷",
            "我的在办案件",
            "待受理",
            "服务记录本",
            "值班表",
            "退出登录",
            "调解员",
        ],
        [
            "Home",
            "My work",
            "Register a dispute",
            "My open cases",
            "Waiting to be accepted",
            "Visit log",
            "Sign out",
        ],
    ),
    "case list": (
        "/cases",
        ["案件", "搜索", "筛选和排序", "纠纷类别", "案件来源", "已登记", "邻里纠纷", "共1件案件", "期限"],
        [
            "Cases",
            "Search",
            "Filters and sorting",
            "Category",
            "Channel",
            "Registered",
            "Neighbours",
            "1 case",
        ],
    ),
    "intake form": (
        "/cases/new",
        [
            "登记纠纷",
            "纠纷情况",
            "案件来源",
            "纠纷类别",
            "民转刑风险",
            "当事人",
            "申请人",
            "被申请人",
            "来访",
        ],
        [
            "Register a dispute",
            "The dispute",
            "How it came in",
            "Risk of escalation",
            "Applicant",
            "Respondent",
        ],
    ),
    "case page": (
        "/cases/{number}",
        [
            "可办理事项",
            "受理",
            "不予受理",
            "移交机构",
            "纠纷情况",
            "调解记录",
            "证据材料",
            "办理经过",
            "登记纠纷",
        ],
        ["What you can do", "Accept", "Refer to an agency", "Mediation sessions", "Timeline", "Parties"],
    ),
    "visit log": (
        "/station/XLG/visit-log",
        ["服务记录本", "登记来访", "来访人姓名", "来访事由", "记入服务记录本"],
        ["Visit log", "Record a visitor", "Visitor's name", "Add to the log"],
    ),
    "duty roster": (
        "/station/XLG/roster",
        ["值班表", "每日值班人员", "值班人员", "保存本周值班表"],
        ["Duty roster", "On duty", "Save the week"],
    ),
}


@pytest.mark.parametrize("name", PAGES)
def test_a_mediators_pages_speak_chinese_to_a_chinese_browser(chinese, english_words, mediator, a_case, name):
    path, labels, _english = PAGES[name]
    login(chinese, mediator)
    html = page(chinese, path.format(number=a_case.number))
    assert '<html lang="zh-CN">' in html
    text = visible_text(html)
    missing = [label for label in labels if label not in text]
    assert not missing, f"{name}: no {missing}"
    stray = english_words(text.replace(a_case.number, ""))
    assert not stray, f"{name}: untranslated English on the Chinese page: {sorted(stray)}. {FIX}"


@pytest.mark.parametrize("name", PAGES)
def test_a_mediators_pages_speak_english_to_an_english_browser(english, mediator, a_case, name):
    path, _chinese, labels = PAGES[name]
    login(english, mediator)
    html = page(english, path.format(number=a_case.number))
    assert '<html lang="en">' in html
    text = visible_text(html)
    missing = [label for label in labels if label not in text]
    assert not missing, f"{name}: no {missing}"
    assert not re.search(r"我的待办|首页|登记纠纷|调解员|案件来源|服务记录本", text)


def test_a_case_further_on_shows_its_agreement_and_deadlines_in_chinese(
    chinese, english_words, db, mediator, a_case
):
    fire(a_case, "accept", mediator)
    fire(a_case, "reach_agreement", mediator, terms="李强修复水管并赔偿800元")
    db.session.commit()
    login(chinese, mediator)
    text = visible_text(page(chinese, f"/cases/{a_case.number}"))
    for label in (
        "回访中",
        "首次回访",
        "调解协议",
        "协议内容",
        "履行期限",
        "打印调解协议书",
        "报告未履行",
        "结案",
    ):
        assert label in text, label
    assert not english_words(text.replace(a_case.number, ""))
    printed = visible_text(page(chinese, f"/cases/{a_case.number}/agreement/print"))
    for label in ("人民调解协议书", "申请人", "被申请人", "履行方式、地点和期限", "人民调解委员会（盖章）"):
        assert label in printed, label
    assert not english_words(printed.replace(a_case.number, ""))


def test_a_liaisons_pages_speak_chinese(
    chinese, english_words, db, station, mediator, police, court, police_liaison, court_liaison
):
    referred = make_case(station, mediator, title="楼上漏水", risk_level="high")
    fire(referred, "refer", mediator, reason="有激化风险")
    sent = replace(delegated_by(court), sent_by=court_liaison, reason="诉前委派调解")
    delegated = make_case(station, court_liaison, title="借款纠纷", inbound=sent)
    fire(delegated, "accept", mediator)
    fire(delegated, "send_feedback", mediator)
    db.session.commit()
    pages = {
        police_liaison: [
            ("/", ["待办箱", "待本单位答复", "答复已超期", "本单位办理中", "移送纠纷", "紧急：民转刑风险高"]),
            ("/disputes/new", ["向驿站移送纠纷", "移送类型", "公安移交", "本单位案号", "当事人", "移送驿站"]),
            (f"/cases/{referred.number}", ["移交本单位", "民转刑风险高。", "接收移交", "可办理事项"]),
        ],
        court_liaison: [
            ("/", ["本单位移送的纠纷办理情况（最新的在前）", "驿站已受理", "打印调解情况反馈函"]),
            (f"/cases/{delegated.number}", ["本单位移送的纠纷", "法院诉前委派调解", "调解期限"]),
            (
                f"/cases/{delegated.number}/feedback/print",
                ["调解情况反馈函", "致西固区人民法院：", "特此函告。"],
            ),
        ],
    }
    for liaison, paths in pages.items():
        chinese.post("/logout")
        login(chinese, liaison)
        for path, labels in paths:
            text = visible_text(page(chinese, path)).replace(liaison.name, "")
            missing = [label for label in labels if label not in text]
            assert not missing, f"{path}: no {missing}"
            stray = english_words(text)
            assert not stray, f"{path}: untranslated English on the Chinese page: {sorted(stray)}. {FIX}"


def test_a_step_forms_class_is_built_once_and_speaks_each_readers_language(app, db, station, mediator):
    """The case page builds each step's form class once (``case_page.forms._step_class``) and translates
    vocabularies once per language (``i18n.translated``): neither keeps the language of its first reader."""
    case = make_case(station, mediator)
    step = lifecycle.STEPS["decline"]
    seen = {}
    with app.test_request_context():
        for locale in ("en", "zh_Hans_CN", "en"):
            with force_locale(locale):
                form = step_form(step, case, formdata=None)
                seen.setdefault(locale, []).append(
                    (type(form), str(form.reason.label.text), translated(taxonomy.CATEGORIES)["neighbour"])
                )
                assert seen[locale][-1][1:] == (
                    str(step.fields[0].label),
                    str(taxonomy.CATEGORIES["neighbour"]),
                )
    (en_class, en_label, en_word), (zh_class, zh_label, zh_word) = seen["en"][0], seen["zh_Hans_CN"][0]
    assert en_class is zh_class and seen["en"][1] == seen["en"][0]
    assert en_label != zh_label and en_word != zh_word


def test_babel_finds_each_requests_language_through_the_quicker_context(app, client):
    """``i18n.babel_context`` stands in for Flask-Babel's own lookup of where a request keeps its locale: the
    language still follows each request, and outside an app context there is none."""
    import threading

    import flask_babel

    from mediation.i18n import babel_context

    assert flask_babel._get_current_context is babel_context
    languages = (("en", "en", "Cases"), ("zh-CN", "zh_Hans_CN", "案件"), ("en", "en", "Cases"))
    for header, locale, word in languages:
        with app.test_request_context(headers={"Accept-Language": header}):
            flask_babel.refresh()  # as before every request (the suite's app context outlives each)
            assert str(flask_babel.get_locale()) == locale and flask_babel.gettext("Cases") == word
            assert babel_context().babel_locale == flask_babel.get_locale()
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    outside = []
    thread = threading.Thread(target=lambda: outside.extend([babel_context(), flask_babel.get_locale()]))
    thread.start()
    thread.join()
    assert outside == [None, None]


def test_wtforms_own_messages_follow_each_requests_language(app):
    """WTForms' messages come from a catalogue read once per language (``i18n.wtforms_translations``), still
    in each request's language."""
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import InputRequired

    class Form(FlaskForm):
        class Meta:
            csrf = False

        name = StringField("name", validators=[InputRequired()])

    said = {}
    for header in ("en", "zh-CN", "en", "zh-CN"):
        with app.test_request_context(method="POST", data={}, headers={"Accept-Language": header}):
            form = Form()
            assert not form.validate()
            said.setdefault(header, set()).add(form.name.errors[0])
    assert said["en"] == {"This field is required."}
    (chinese,) = said["zh-CN"]
    assert chinese != "This field is required." and re.search(r"[\u4e00-\u9fff]", chinese), chinese
