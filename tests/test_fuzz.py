"""No input ever ends in a 5xx: Hypothesis throws malformed values at every route and every form field.

Schemathesis-style: the routes come from ``app.url_map``, each POST's fields from its form class (each step's
form from ``lifecycle.STEPS``) and who may post what from ``policy``, so a new route, form or field is fuzzed
without being listed here; a route argument or POST endpoint the fuzz cannot fill fails the test instead of
being skipped. Each example is one request, by a mediator, a police liaison, a supervisor, an admin or
nobody, on cases kept in every state (a case a request moved on is replaced before the next request):

* a page read with a made-up query string (every GET route, persona and case state);
* a form posted by someone it is meant for, with every field plausible (a listed choice, the case's current
  version, a date that fits) but one, which gets a malformed value; or with every field at random;
* anything: any route, any persona, garbage in the URL too.

Exceptions go to the app's own 500 handler (``PROPAGATE_EXCEPTIONS`` off) as in production, and are counted
rather than raised, so one run reports every cause at once. The default budget, 1,000 requests, takes about
50 s on two cores; ``FUZZ_EXAMPLES=5000`` makes a longer run and ``TEST_BACKEND=postgresql`` runs it on
PostgreSQL. The figures are printed at the end either way.
"""

import io
import os
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

from flask import got_request_exception
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from wtforms import BooleanField, FieldList, FileField, FormField, RadioField, SelectField

from mediation import lifecycle, linkage, policy
from mediation.auth.forms import LoginForm
from mediation.case_page.forms import (
    JUDICIAL_FORMS,
    AgreementForm,
    AttachmentForm,
    CancelVisitForm,
    DetailsForm,
    MoveVisitForm,
    PlanVisitForm,
    SessionForm,
    VisitForm,
    judicial_form,
    step_form,
)
from mediation.case_page.views import SUPERVISION
from mediation.cases.forms import IntakeForm
from mediation.clock import local_date, local_now_input, utcnow
from mediation.models import Attachment, Case, CaseParty, FollowUpVisit, Notification
from mediation.notifications.forms import MarkAllReadForm
from mediation.parties.forms import PartyEditForm
from mediation.referrals.forms import DisputeForm
from mediation.services import metrics
from mediation.services.attachments import add_attachment
from mediation.services.cases import Serving
from mediation.services.deferred import run_deferred
from mediation.services.station_log import VisitorInput, log_visitor, week_start
from mediation.station.forms import RosterForm, VisitorForm
from tests.conftest import fire, login, make_case

#: Requests per run (one per example).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))

PERSONAS = ("mediator", "police_liaison", "supervisor", "admin", None)

#: The states cases are kept in, and the steps (by whom) that take a new case there.
PATHS = {
    "registered": (),
    "mediating": (("accept", "mediator"),),
    "referred": (("refer", "mediator"),),
    "with_agency": (("refer", "mediator"), ("accept_referral", "police_liaison")),
    "following_up": (("accept", "mediator"), ("reach_agreement", "mediator")),
    "closed": (("withdraw", "mediator"),),
}

#: The form each POST endpoint reads (in a request context), beside the step forms built per trigger.
FORMS = {
    "case_page.record_session": lambda world, case: [SessionForm()],
    "case_page.upload_attachment": lambda world, case: [AttachmentForm()],
    "case_page.agreement": lambda world, case: [AgreementForm()],
    "case_page.judicial": lambda world, case: [
        judicial_form(panel, case or world.case("following_up"), posted=True) for panel in JUDICIAL_FORMS
    ],
    "case_page.details": lambda world, case: [DetailsForm()],
    "case_page.record_visit": lambda world, case: [VisitForm()],
    "case_page.supervise": lambda world, case: [form() for form, _record, _done in SUPERVISION.values()],
    "case_page.plan_visit": lambda world, case: [PlanVisitForm()],
    "case_page.move_visit": lambda world, case: [
        MoveVisitForm(prefix=f"move-visit-{world.planned_visit(case)}-")
    ],
    "case_page.cancel_visit": lambda world, case: [
        CancelVisitForm(prefix=f"cancel-visit-{world.planned_visit(case)}-")
    ],
    "parties.edit": lambda world, case: [PartyEditForm()],
    "cases.intake": lambda world, case: [IntakeForm(stations=[world.station], serving=world.serving())],
    "referrals.send": lambda world, case: [
        DisputeForm(stations=[world.station], kinds=linkage.kinds(linkage.IN, "police"))
    ],
    "station.visit_log": lambda world, case: [VisitorForm()],
    "station.roster": lambda world, case: [RosterForm()],
    "notifications.mark_all_read": lambda world, case: [MarkAllReadForm()],
    "auth.login": lambda world, case: [LoginForm()],
    "auth.logout": lambda world, case: [],
    "auth.set_language": lambda world, case: [],
}
#: What views read beside their forms (the roster's ticks, where to go next, more party blocks), with
#: plausible values.
EXTRA_FIELDS = {
    "station.roster": {"duty": ["<duty>"]},
    "auth.set_language": {"next": ["/cases"]},
    "referrals.send": {"parties-3-name": ["王五"]},
    "cases.intake": {
        "log_entry": ["", "<visit>"],
        "parties-3-name": ["王五"],
        "parties-20-role": ["applicant"],
    },
}
#: Query-string keys the views read (``request.args``); the fuzz adds made-up ones.
QUERY_KEYS = ("state", "category", "channel", "station", "mine", "overdue", "q", "sort", "page", "week")
QUERY_KEYS += ("log_entry", "next", "actor", "realm", "since", "until", "before", "version", "part")

#: Numbers past what a parser or a column takes, and digits that are not ASCII.
NUMBERS = (
    *("0", "-1", "-0", "+1", "1.5", "1e309", "NaN", "-Infinity", "0x1F", "1_000", " 7 "),
    *(str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), str(2**64), "1" * 4400, "9" * 10_000),
    *("²", "١٢", "𝟗𝟗", "٣", "Ⅻ", "½", "１２"),
)
#: Dates and times at the ends of the calendar, impossible ones, and ISO forms a parser may not expect.
DATES = (
    *("0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "1899-12-31", "2200-01-01", "20260301"),
    *("2026-W09-7", "-2026-01-01", "10000-01-01", "0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00"),
    *("2026-03-01T25:61", "0001-01-01T00:00+14:00", "9999-12-31T23:59-12:00", "2026-03-01T10:00Z"),
    *("2026-03-01 10:00:00.123456", "1900-01-01T00:00+14:00", "2199-12-31T23:59-12:00"),
)
#: Text that broke, or could break, a driver, a template or a redirect.
NASTY = (
    *("", " ", "\t\r\n", "a\u0301" * 300, "\x01\x02\x1b[31m\x7f", "\u202e\u200b\ufeff", "\r\n\r\n"),
    *("line\nbreak", "' OR '1'='1", '\'; DROP TABLE "case"; --', "<script>alert(1)</script>", "{{7*7}}"),
    *('"><img src=x onerror=alert(1)>', "%(x)s %s %n", "../../../etc/passwd", "\\", "//evil.example"),
    *("javascript:alert(1)", "true", "on", "y", "null", "None", "[]", "{}"),
)
#: Text just past the lengths columns and forms have, in one-, three- and four-byte characters.
LONG = st.builds(
    lambda char, length: char * length,
    st.sampled_from(("x", "中", "🙂", " ")),
    st.sampled_from((17, 33, 65, 101, 201, 256, 501, 1_001, 2_001, 5_001, 10_001, 100_001)),
)
#: Any text a browser can send; NUL is refused with 400 by design (``errors._refuse_nul_bytes``).
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
VALUE = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(DATES),
    st.sampled_from(NASTY),
    LONG,
    TEXT,
    st.integers(-(2**80), 2**80).map(str),
    st.dates().map(lambda day: day.isoformat()),
    st.datetimes().map(lambda moment: moment.isoformat(timespec="minutes")),
)
FILES = st.tuples(
    st.sampled_from(
        (b"", b"hello", b"\x89PNG\r\n\x1a\n" + bytes(64), b"%PDF-1.7\n%%EOF\n", bytes(range(256)))
    ),
    st.builds(
        lambda stem, extension: f"{stem}.{extension}",
        TEXT,
        st.sampled_from(("txt", "png", "pdf", "exe", "", "TXT", "jpg.php", "x" * 300)),
    ),
)
PLAIN_WORDS = "普通的文字 plain words"


@dataclass
class World:
    """The cases (one per state, and one at a station the personas do not serve), and the test clients
    signed in as each persona."""

    app: object
    db: object
    people: dict
    station: object
    cases: dict = field(default_factory=dict)
    visit_id: int | None = None
    clients: dict = field(default_factory=dict)

    def keep_states(self) -> None:
        """A case in each state of ``PATHS``; one a request moved on is replaced by a new one."""
        self.db.session.rollback()
        ids = list(self.cases.values())
        now = dict(self.db.session.execute(select(Case.id, Case.state).where(Case.id.in_(ids))).all())
        stale = [state for state in PATHS if now.get(self.cases.get(state)) != state]
        for state in stale:
            case = make_case(self.station, self.people["mediator"])
            soon = (local_date(utcnow()) + timedelta(days=14)).isoformat()
            for trigger, who in PATHS[state]:
                fire(case, trigger, self.people[who], performance_deadline=soon)
            if case.is_open:
                add_attachment(case, self.people["mediator"], filename="note.txt", stream=b"a note")
            self.cases[state] = case.id
        if stale:
            self.db.session.commit()
            run_deferred()  # the steps' notifications, for the inbox to list and open

    def case(self, state):
        return self.db.session.get(Case, self.cases[state]) if state else None

    def serving(self) -> dict:
        return {self.station.id: Serving([self.people["mediator"], self.people["colleague"]], None)}

    def existing(self, argument: str, case: Case | None) -> list[str]:
        """Values of a route argument that name something that exists."""
        values = {
            "number": lambda: [case.number] if case is not None else [],
            "trigger": lambda: list(lifecycle.STEPS),
            "panel": lambda: [*JUDICIAL_FORMS, *SUPERVISION],
            "key": lambda: [*lifecycle.STEPS, *(f"jc-{panel}" for panel in JUDICIAL_FORMS)],
            "attachment_id": lambda: [str(i) for i in self.db.session.scalars(self._attachments(case))],
            "id": lambda: [str(i) for i in self.db.session.scalars(select(CaseParty.party_id).limit(5))],
            "party_id": lambda: self._parties(case),
            "code": lambda: ["XLG", "xlg", "DHJ", "en", "zh_Hans_CN"],
            "filename": lambda: ["app.css", "intake.js", "css/bootstrap.min.css"],
            "notification_id": lambda: [str(i) for i in self.db.session.scalars(self._notifications())],
            "visit_id": lambda: [str(i) for i in self.db.session.scalars(self._visits(case))],
            "fmt": lambda: ["xlsx", "csv", "pdf"],
            "dimension": lambda: [*metrics.DIMENSIONS, "nonsense"],
        }
        assert argument in values, f"the fuzz cannot fill <{argument}>: add it to World.existing"
        return values[argument]() or ["1"]

    def _parties(self, case) -> list[str]:
        query = select(CaseParty.party_id).limit(3)
        if case is not None:
            query = query.where(CaseParty.case_id == case.id)
        return [str(i) for i in self.db.session.scalars(query)]

    def planned_visit(self, case) -> str:
        """The id the prefixed visit forms carry: the case's first visit (planned or not), else 1."""
        return (self.existing("visit_id", case) or ["1"])[0]

    @staticmethod
    def _visits(case):
        query = select(FollowUpVisit.id).order_by(FollowUpVisit.id).limit(3)
        return query.where(FollowUpVisit.case_id == case.id) if case is not None else query

    @staticmethod
    def _notifications():
        return select(Notification.id).order_by(Notification.id.desc()).limit(5)

    @staticmethod
    def _attachments(case):
        query = select(Attachment.id).order_by(Attachment.id.desc()).limit(3)
        return query.where(Attachment.case_id == case.id) if case is not None else query

    def fill(self, value, case_id: int | None):
        """A placeholder replaced by what it stands for now; any other value as it is."""
        if not isinstance(value, str) or not value.startswith("<"):
            return value
        today = local_date(utcnow())
        known = {
            "<version>": lambda: str(self.db.session.scalar(select(Case.version).filter_by(id=case_id)) or 1),
            "<today>": lambda: today.isoformat(),
            "<soon>": lambda: (today + timedelta(days=14)).isoformat(),
            "<now>": lambda: local_now_input().strftime("%Y-%m-%dT%H:%M"),
            "<week>": lambda: week_start(today).isoformat(),
            "<party>": lambda: self.existing("id", None)[0],
            "<visit>": lambda: str(self.visit_id),
            "<notification>": lambda: self.existing("notification_id", None)[0],
            "<key>": lambda: secrets.token_urlsafe(24),
            "<duty>": lambda: f"{(today + timedelta(days=1)).isoformat()}:{self.people['mediator'].id}",
        }
        return known[value]() if value in known else value

    def sign_in(self, persona) -> None:
        client = self.app.test_client()
        if persona is not None:
            with self.app.app_context():
                login(client, self.people[persona])
        self.clients[persona] = client


# --- What each route takes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    persona: str | None
    method: str
    rule: object
    #: The state of the case the URL names, if it names one.
    state: str | None = None
    trigger: str | None = None


def targets(world: World) -> dict[str, list[Target]]:
    """Pages to read (every GET route, by everyone, on a case in every state) and forms to post (by the
    people ``policy`` lets post them, on the cases they may post them on)."""
    rules = sorted(world.app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    read, post = [], []
    for rule, persona in ((r, p) for r in rules for p in PERSONAS):
        actor = world.people.get(persona)
        for state in world.cases if "number" in rule.arguments else [None]:
            case = world.case(state)
            if "GET" in rule.methods:
                read.append(Target(persona, "GET", rule, state))
            if "POST" not in rule.methods:
                continue
            assert rule.endpoint in FORMS or rule.endpoint == "case_page.step", (
                f"the fuzz does not know the form {rule.endpoint} takes: add it to FORMS"
            )
            if case is None:
                post.append(Target(persona, "POST", rule))
            elif actor is not None and rule.endpoint == "case_page.step":
                post += [
                    Target(persona, "POST", rule, state, s.trigger) for s in policy.allowed_steps(actor, case)
                ]
            elif actor is not None and policy.can_work_on_case(actor, case):
                post.append(Target(persona, "POST", rule, state))
    return {"read": read, "post": post, "any": read + post}


def _leaves(form):
    for item in form:
        if isinstance(item, FieldList):
            for entry in item:
                yield from _leaves(entry.form)
        elif isinstance(item, FormField):
            yield from _leaves(item.form)
        else:
            yield item


def _plausible(item) -> list:
    """Values a person filling ``item`` in could send."""
    if isinstance(item, SelectField | RadioField) and item.choices:
        return [str(choice[0]) for choice in item.iter_choices()]
    if isinstance(item, BooleanField):
        return ["y"]
    if isinstance(item, FileField):
        return [(b"a scanned letter", "letter.txt")]
    by_name = {
        "version": ["<version>"],
        "party_id": ["", "<party>"],
        "log_entry": ["<visit>"],
        "week": ["<week>"],
        "up_to": ["", "<notification>"],
    }
    by_input = {"date": ["<today>", "<soon>"], "datetime-local": ["<now>"]}
    return by_name.get(item.name) or by_input.get(getattr(item.widget, "input_type", None)) or [PLAIN_WORDS]


def form_fields(world: World, endpoint: str, case: Case | None, trigger: str | None) -> dict[str, list]:
    """The fields of the form ``endpoint`` reads, from its form class, each with plausible values."""
    if endpoint == "case_page.step":
        step = lifecycle.STEPS.get(trigger)
        case = case or world.case("mediating")
        steps = [step] if step else list(lifecycle.STEPS.values())

        def forms(world, case):
            return [step_form(s, case) for s in steps]

    else:
        forms = FORMS[endpoint]
    with world.app.test_request_context(method="POST"):
        fields = {item.name: _plausible(item) for form in forms(world, case) for item in _leaves(form)}
    return {**fields, **EXTRA_FIELDS.get(endpoint, {})}


def requests(world: World, all_targets: dict):
    """One request: who sends it, the method, the URL (arguments and query string), the form and files."""

    @st.composite
    def one(draw):
        return _draw_request(draw, world, all_targets)

    return one()


def _draw_request(draw, world, all_targets):
    kind = draw(st.sampled_from(("read", "post", "post", "any")))
    target = draw(st.sampled_from(all_targets[kind]))
    if kind == "any":  # anyone, on any case, with anything in the URL
        target = Target(draw(st.sampled_from(PERSONAS)), target.method, target.rule)
    case = (
        world.case(target.state) if target.state else world.case(draw(st.sampled_from([*PATHS, "elsewhere"])))
    )
    args = {}
    for name in sorted(target.rule.arguments):
        if kind == "any" and not draw(st.integers(0, 2)):
            args[name] = draw(st.one_of(st.sampled_from(NUMBERS), VALUE))
        elif name == "trigger" and target.trigger:
            args[name] = target.trigger
        else:
            # An index, not ``sampled_from``: what exists changes as requests add to it, and Hypothesis
            # wants the same draws to mean the same choices.
            known = world.existing(name, case)
            args[name] = known[draw(st.integers(0, 7)) % len(known)]
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: quote(args[m[1]], safe=""), target.rule.rule)
    query = draw(st.dictionaries(st.one_of(st.sampled_from(QUERY_KEYS), TEXT), VALUE, max_size=3))
    form = {}
    if target.method == "POST":
        fields = form_fields(world, target.rule.endpoint, case, args.get("trigger"))
        wrong = draw(st.sampled_from(sorted(fields))) if fields and draw(st.booleans()) else None
        for name, plausible in fields.items():
            likely = st.sampled_from(plausible)
            if wrong is None and not draw(st.integers(0, 3)):
                continue  # left out altogether
            anything = FILES if name == "file" else VALUE
            value = anything if name == wrong else likely if wrong else st.one_of(likely, anything)
            form[name] = draw(st.lists(value, min_size=1, max_size=1 if wrong else 2))
    return target.persona, target.method, path, query, form, case.id if case is not None else None


# --- The run -----------------------------------------------------------------------------------------------


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    #: (persona, method, path and form, what went wrong) for every 5xx.
    failures: list = field(default_factory=list)

    def summary(self) -> str:
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        lines = [f"fuzz: {self.sent} requests sent, {len(self.failures)} answered 5xx ({statuses})"]
        lines += [f"  {n} x {cause}" for cause, n in Counter(f[-1] for f in self.failures).most_common()]
        lines += [
            f"  e.g. {persona} {method} {path[:150]}" for persona, method, path, _ in self.failures[:10]
        ]
        return "\n".join(lines)


def send(world: World, tally: Tally, request) -> None:
    persona, method, path, query, form, case_id = request
    data = {}
    for name, values in form.items():
        files = [(io.BytesIO(v[0]), v[1]) for v in values if isinstance(v, tuple)]
        data[name] = files or [world.fill(v, case_id) for v in values]
    query = {key: world.fill(value, case_id) for key, value in query.items()}
    client = world.clients[persona]
    raised = []

    def record(sender, exception, **extra):
        raised.append(f"{type(exception).__name__}: {str(exception).splitlines()[0][:160]}")

    got_request_exception.connect(record, world.app)
    # Every request in its own application context, with its own database session, as in production.
    try:
        with world.app.app_context():
            if method == "GET":
                status = client.get(path, query_string=query).status_code
            else:
                status = client.post(path, query_string=query, data=data).status_code
    except Exception as error:  # the 500 handler itself failed: the browser would get a bare 500
        status = 500
        raised.append(f"the error handler failed: {type(error).__name__}: {str(error).splitlines()[0][:160]}")
    finally:
        got_request_exception.disconnect(record, world.app)
    tally.sent += 1
    tally.statuses[status] += 1
    if status >= 500:
        sent = " ".join(f"{name}={str(values[0])[:24]!r}" for name, values in form.items())
        tally.failures.append((persona, method, f"{path[:100]} {sent}", " / ".join(raised) or "no exception"))
    if path == "/logout":
        world.sign_in(persona)


def test_no_malformed_request_gets_a_5xx(
    app, db, station, other_station, police, court, people, monkeypatch, capsys
):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    mediator = people["mediator"]
    world = World(app, db, people, station)
    world.cases["elsewhere"] = make_case(other_station, people["outsider"]).id
    world.visit_id = log_visitor(mediator, station, VisitorInput(visitor_name="张三", matter="楼上噪音")).id
    db.session.commit()
    world.keep_states()
    for persona in PERSONAS:
        world.sign_in(persona)
    all_targets = targets(world)
    tally = Tally()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def one_request(data):
        world.keep_states()
        send(world, tally, data.draw(requests(world, all_targets)))

    one_request()
    with capsys.disabled():
        print("\n" + tally.summary())
    assert tally.sent == EXAMPLES, tally.summary()
    assert not tally.failures, tally.summary()
