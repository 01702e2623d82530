"""E-mail through the deployment's SMTP server (``MAIL_*`` in the configuration): plain-text UTF-8 messages,
each to one recipient (nobody sees who else was written to), over one connection.

Without ``MAIL_SERVER`` nothing is sent. A failure never raises: ``send`` says which messages did not go, and
why, so that the caller (``mediation remind``) reports it and keeps what it wrote in the database.
"""

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app

from mediation.clock import utcnow

#: Failures of one message: the others still go over the same connection.
_ONE_MESSAGE = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,  # a non-ASCII address the server cannot take
    ValueError,
)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


@dataclass
class Sent:
    """What ``send`` did: how many went, and each that did not with why."""

    sent: int = 0
    failed: list[tuple[Mail, str]] = field(default_factory=list)


def configured() -> bool:
    return bool(current_app.config["MAIL_SERVER"])


def send(mails: list[Mail]) -> Sent:
    """Send ``mails``, one message each; when the server cannot be reached (or drops the connection), every
    message not yet sent fails with that reason. Nothing when SMTP is not configured."""
    outcome = Sent()
    if not mails or not configured():
        return outcome
    config = current_app.config
    pending = list(mails)
    try:
        with _connect(config) as smtp:
            while pending:
                mail = pending[0]
                try:
                    smtp.send_message(_message(mail, config["MAIL_FROM"]))
                    outcome.sent += 1
                except _ONE_MESSAGE as error:
                    outcome.failed.append((mail, _reason(error)))
                pending.pop(0)
    except (OSError, smtplib.SMTPException) as error:  # the connection, the greeting, TLS or the sign-in
        outcome.failed.extend((mail, _reason(error)) for mail in pending)
    return outcome


def _connect(config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    try:
        if config["MAIL_USE_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    message.set_content(mail.body, charset="utf-8", cte=None if mail.body.isascii() else "base64")
    return message


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
