"""A real SMTP server on 127.0.0.1 for the notification tests (aiosmtpd).

:class:`Mailbox` keeps every message the server accepted, parsed, with its envelope; set
``refuse`` to answer the next N messages ``451`` (a temporary failure) at the DATA stage, or
``refuse_always`` to refuse every one.
"""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Self

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class Mailbox:
    received: list[Received] = field(default_factory=list)
    refuse: int = 0
    refuse_always: bool = False
    refused: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse_always or self.refuse > 0:
            self.refuse = max(0, self.refuse - 1)
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
