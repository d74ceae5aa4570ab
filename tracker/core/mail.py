"""A small e-mail sender: SMTP in production, an in-memory outbox in tests.

Settings are read from the app config, then from the environment (config.py may not define them):

    MAIL_BACKEND    "smtp" (default) or "memory" (messages appended to app.extensions["mail_outbox"])
    MAIL_SERVER     SMTP host (required for smtp)
    MAIL_PORT       default 587 with MAIL_USE_TLS, 465 with MAIL_USE_SSL, else 25
    MAIL_USERNAME   login, when the server needs one
    MAIL_PASSWORD
    MAIL_USE_TLS    STARTTLS after connecting (1/true/yes)
    MAIL_USE_SSL    implicit TLS from the start (port 465)
    MAIL_FROM       sender address (required)
    MAIL_TIMEOUT    seconds, default 20
"""

import os
import smtplib
import ssl
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

OUTBOX_KEY = "mail_outbox"


class MailError(Exception):
    """Sending failed. `fatal` means the server cannot be used at all (stop trying other messages)."""

    def __init__(self, message: str, fatal: bool = True):
        super().__init__(message)
        self.fatal = fatal


def setting(name: str, default=None):
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    return default if value is None or value == "" else value


def _flag(name: str) -> bool:
    value = setting(name, False)
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")


def build_message(to: str, subject: str, body: str, language: str | None = None,
                  html: str | None = None) -> EmailMessage:
    sender = setting("MAIL_FROM")
    if not sender and setting("MAIL_BACKEND", "smtp") != "memory":
        raise MailError("MAIL_FROM is not set: the sender address of the e-mails is unknown.")
    message = EmailMessage()
    message["From"] = sender or "mowakaba@localhost"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=(sender or "localhost").rpartition("@")[2] or "localhost")
    message.set_content(body)  # UTF-8, Arabic included; clears the Content-* headers, so it comes first
    if html:
        message.add_alternative(html, subtype="html")  # multipart/alternative: mail clients pick one
    if language:
        message["Content-Language"] = language
    return message


def deliver(payload: dict) -> None:
    """One message, built from plain data so it can travel through the job queue (tracker/core/jobs.py):
    {"to", "subject", "text", "html" (optional), "language" (optional)}. Raises MailError."""
    message = build_message(payload["to"], payload["subject"], payload["text"], payload.get("language"),
                            payload.get("html"))
    with connection() as conn:
        conn.send(message)


class _MemoryConnection:
    def __init__(self, outbox: list):
        self.outbox = outbox

    def send(self, message: EmailMessage) -> None:
        self.outbox.append(message)


class _SMTPConnection:
    def __init__(self, client: smtplib.SMTP):
        self.client = client

    def send(self, message: EmailMessage) -> None:
        try:
            refused = self.client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise MailError(f"recipient refused: {error.recipients}", fatal=False) from error
        except smtplib.SMTPDataError as error:
            raise MailError(f"message refused by the server: {error.smtp_code} {error.smtp_error!r}",
                            fatal=False) from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"SMTP error: {error}") from error
        if refused:
            raise MailError(f"recipient refused: {refused}", fatal=False)


def outbox() -> list:
    """The messages sent with MAIL_BACKEND=memory (tests read and clear it)."""
    return current_app.extensions.setdefault(OUTBOX_KEY, [])


@contextmanager
def connection():
    """One connection for a batch of messages: `with connection() as conn: conn.send(message)`.

    Raises MailError when the server cannot be reached or refuses the login.
    """
    if setting("MAIL_BACKEND", "smtp") == "memory":
        yield _MemoryConnection(outbox())
        return
    host = setting("MAIL_SERVER")
    if not host:
        raise MailError("MAIL_SERVER is not set: no SMTP server to send the e-mails through.")
    use_ssl, use_tls = _flag("MAIL_USE_SSL"), _flag("MAIL_USE_TLS")
    try:
        port = int(setting("MAIL_PORT", 465 if use_ssl else 587 if use_tls else 25))
        timeout = float(setting("MAIL_TIMEOUT", 20))
    except ValueError as error:
        raise MailError(f"MAIL_PORT and MAIL_TIMEOUT must be numbers: {error}") from error
    context = ssl.create_default_context()
    try:
        if use_ssl:
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
            if use_tls:
                client.starttls(context=context)
        username = setting("MAIL_USERNAME")
        if username:
            client.login(username, setting("MAIL_PASSWORD", ""))
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"cannot connect to the SMTP server {host}:{port}: {error}") from error
    try:
        yield _SMTPConnection(client)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
