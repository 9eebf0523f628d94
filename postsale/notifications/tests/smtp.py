"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port) that keeps what it
receives and can be told to refuse. Also used by the worker tests in postsale.ops."""

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage  # parsed with policy.default: headers come back decoded
    raw: bytes  # as it came over the wire (subjects MIME-encoded)


class SmtpSink:
    """`mail_reply` / `rcpt_reply` / `data_reply`: answer MAIL FROM / RCPT TO / DATA with
    this ("550 …", "451 …") instead of accepting; messages refused at DATA are kept in
    `refused`. `delay`: seconds to think before accepting a message."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[Received] = []
        self.refused: list[Received] = []
        self.mail_reply: str | None = None
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None
        self.delay = 0.0
        self._controller: Controller | None = None
        self._lock = threading.Lock()

    def mailer(self, timeout: int = 5) -> dict:
        """A MAILERS entry that sends here."""
        return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": timeout}}

    def start(self) -> "SmtpSink":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [r.message for r in self.received]

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    # aiosmtpd handler hooks
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received = Received(envelope.mail_from, list(envelope.rcpt_tos),
                            message_from_bytes(envelope.content, policy=policy.default),
                            envelope.content)
        if self.data_reply:
            self.refused.append(received)
            return self.data_reply
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.received.append(received)
        return "250 Message accepted for delivery"
