"""Reminders by e-mail, against a real SMTP server (aiosmtpd) the test starts on a free localhost port: each
new reminder is mailed once to its reader, in their language; one a dedupe key skipped is never mailed again,
also when two runs race on one database; a mail server that is down loses no in-app notification."""

import socket
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller

from mediation.extensions import db as _db
from mediation.services import reminders
from mediation.services.deferred import run_deferred
from tests.conftest import BACKEND, make_case, told

#: Friday 6 March 2026, 10:00 in China: three working days of acceptance end as Wednesday 11 March ends.
REGISTERED = datetime(2026, 3, 6, 2, 0, tzinfo=UTC)
PUBLIC_URL = "https://tiaojie.example.cn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """aiosmtpd's handler: keeps every message it is given, with its envelope's recipients."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def take(self) -> dict:
        """``{address: [(subject, body), …]}`` of what arrived since the last take."""
        got, self.received = self.received, []
        out = {}
        for recipients, message in got:
            assert recipients == [message["To"]]  # one recipient a message: nobody sees the others
            # A long subject may be folded right after "Subject:"; mail readers drop the fold's space.
            subject = message["Subject"].strip()
            out.setdefault(message["To"], []).append((subject, message.get_content()))
        return out


def configure_mail(monkeypatch, app, port):
    for name, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_TIMEOUT": 5.0}.items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.setitem(app.config, "MAIL_FROM", "调解系统 <noreply@tiaojie.example.cn>")
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC_URL)


@pytest.fixture
def mailbox(app, monkeypatch):
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    configure_mail(monkeypatch, app, controller.port)
    yield box
    controller.stop()


@pytest.fixture
def readers(db, station, other_station, mediator, colleague, outsider):
    """Wang reads Chinese, Zhao the deployment's default (English under test), both with an address;
    Chen, at another station, has none. Each has a case whose acceptance is theirs."""
    mediator.locale, mediator.email = "zh_Hans_CN", "wang@station.example.cn"
    colleague.email = "zhao@station.example.cn"
    cases = {
        user.username: make_case(home, user, now=REGISTERED)
        for user, home in ((mediator, station), (colleague, station), (outsider, other_station))
    }
    _db.session.commit()
    return cases


def run(app):
    return app.test_cli_runner().invoke(args=["mediation", "remind"])


def test_each_new_reminder_is_mailed_once_in_its_readers_language(app, readers, mailbox):
    acceptance = next(d for d in readers["wang"].deadlines if d.kind == "acceptance")
    with time_machine.travel(acceptance.warn_at + timedelta(minutes=1), tick=False):
        result = run(app)
        assert result.exit_code == 0, result.output
        assert "3 new notifications" in result.output and "E-mailed 2 reminders." in result.output
        soon = mailbox.take()
        assert run(app).exit_code == 0
        assert mailbox.take() == {}  # told already: no second e-mail
    with time_machine.travel(acceptance.due_at + timedelta(hours=1), tick=False):
        assert run(app).exit_code == 0
        overdue = mailbox.take()
        assert run(app).exit_code == 0
        assert mailbox.take() == {}

    assert set(soon) == set(overdue) == {"wang@station.example.cn", "zhao@station.example.cn"}  # Chen: none
    assert set(told("deadline_overdue")) == {"wang", "zhao", "chen"}  # yet all three are told in-app
    wang, zhao = readers["wang"].number, readers["zhao"].number
    [(subject, body)] = soon["wang@station.example.cn"]
    assert subject == f"[调解] {wang}：即将到期：决定是否受理，期限至2026年3月11日。"
    [(subject, body)] = overdue["wang@station.example.cn"]
    assert subject.startswith(f"[调解] {wang}：已逾期：决定是否受理")
    assert f"案件：{wang}，西固解纷驿站" in body
    assert "截止：2026年3月11日（北京时间）" in body
    assert f"{PUBLIC_URL}/cases/{wang}" in body
    [(subject, body)] = soon["zhao@station.example.cn"]
    assert subject == f"[Mediation] {zhao}: Due soon: Accept or decline, by Mar 11, 2026."
    [(subject, body)] = overdue["zhao@station.example.cn"]
    assert subject.startswith(f"[Mediation] {zhao}: Overdue: Accept or decline")
    assert f"Case: {zhao}, 西固解纷驿站" in body and "Due by: Mar 11, 2026 (China time)" in body
    assert f"Open the case: {PUBLIC_URL}/cases/{zhao}" in body


def test_without_a_mail_server_nothing_is_mailed(app, readers, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    with time_machine.travel(REGISTERED + timedelta(days=10), tick=False):
        result = run(app)
    assert result.exit_code == 0 and "E-mailed" not in result.output
    assert mailbox.take() == {}
    assert set(told("deadline_overdue")) == {"wang", "zhao", "chen"}


def test_a_mail_server_that_is_down_loses_no_notification_and_the_command_says_so(
    app, readers, mailbox, monkeypatch
):
    listening = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    with time_machine.travel(REGISTERED + timedelta(days=10), tick=False):
        result = run(app)
        assert result.exit_code == 1
        assert isinstance(result.exception, SystemExit)  # a clear error, not a traceback
        assert "Traceback" not in result.output
        assert "ConnectionRefusedError" in result.output
        assert "not e-mailed to wang@station.example.cn, zhao@station.example.cn." in result.output
        assert "2 reminders were not e-mailed; they are in the inbox all the same" in result.output
        assert set(told("deadline_overdue")) == {"wang", "zhao", "chen"}
        monkeypatch.setitem(app.config, "MAIL_PORT", listening)  # back: what was told is not mailed again
        assert run(app).exit_code == 0
    assert mailbox.take() == {}


# --- Two runs at once -------------------------------------------------------------------------------------


def remind_concurrently(app, now):
    """Two runs of ``remind`` as the command makes them, each in its own app context (its own session and
    connection): both read the due deadlines before either commits, and both write at once."""
    read, write = threading.Barrier(2), threading.Barrier(2)
    created, mailed, errors = [], [], []
    owners, waited = reminders.owners, threading.local()

    def owners_once_both_have_read(deadline, case):
        if not getattr(waited, "done", False):
            waited.done = True
            read.wait(timeout=30)
        return owners(deadline, case)

    def work():
        try:
            with app.app_context():
                reminded = reminders.remind(now)
                _db.session.commit()
                write.wait(timeout=30)
                run_deferred()
                created.extend(reminded.created)
                mailed.append(reminders.mail(reminded.created))
        except Exception as error:  # noqa: BLE001  (reported by the test)
            errors.append(repr(error))

    reminders.owners = owners_once_both_have_read
    try:
        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        reminders.owners = owners
    assert not any(t.is_alive() for t in threads), "a reminder run hung"
    assert not errors, errors
    return created, mailed


def check_once_each(app, readers, mailbox):
    created, mailed = remind_concurrently(app, REGISTERED + timedelta(days=10))
    assert {user: len(rows) for user, rows in told("deadline_overdue").items()} == {
        "wang": 1,
        "zhao": 1,
        "chen": 1,
    }
    assert sorted(created) == sorted(set(created)) and len(created) == 3  # each row written by one run
    assert sum(outcome.sent for outcome in mailed) == 2 and not any(o.failed for o in mailed)
    assert {address: len(got) for address, got in mailbox.take().items()} == {
        "wang@station.example.cn": 1,
        "zhao@station.example.cn": 1,
    }


@pytest.mark.postgres
@pytest.mark.skipif(BACKEND != "postgresql", reason="runs when TEST_BACKEND=postgresql")
def test_two_runs_at_once_tell_and_mail_each_reader_once_on_postgresql(app, readers, mailbox):
    check_once_each(app, readers, mailbox)


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite run of the same proof")
def test_two_runs_at_once_tell_and_mail_each_reader_once_on_sqlite(app, readers, mailbox):
    check_once_each(app, readers, mailbox)
