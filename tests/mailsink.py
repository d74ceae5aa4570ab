"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port): what the app sends arrives here."""

import email
import email.policy
import re
import socket
import threading
import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.gate = threading.Event()  # cleared by a test to hold deliveries (a slow mail server)
        self.gate.set()

    async def handle_DATA(self, server, session, envelope):
        while not self.gate.is_set():  # noqa: ASYNC110 - the test releases it from another thread
            time.sleep(0.01)
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 10) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message, path: str = "/password/set/") -> str:
    """The first link to `path` written out in the plain-text part."""
    found = re.search(r"https?://\S+" + re.escape(path) + r"\S+", text_of(message))
    assert found, text_of(message)
    return found.group(0)


@contextmanager
def running_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        sink.gate.set()
        controller.stop()


def smtp_settings(port: int) -> dict:
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port),
            "MAIL_FROM": "suivi@example.org", "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_TIMEOUT": "10"}
