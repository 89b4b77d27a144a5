"""A real SMTP server on 127.0.0.1 for the notification tests (aiosmtpd).

:class:`Mailbox` keeps every message the server accepted, parsed, with its envelope and whether
it came over TLS; set ``refuse`` to answer the next N messages ``451`` (a temporary failure) at
the DATA stage, or ``refuse_always`` to refuse every one. ``SmtpServer(tls_dir=...)`` requires
STARTTLS, with a self-signed certificate for 127.0.0.1 written to ``tls_dir / "cert.pem"``.
"""

from __future__ import annotations

import email
import email.policy
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Self

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool = False

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
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message,
                                      tls=session.ssl is not None))
        return "250 2.0.0 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own CA) and its key, as PEM files in ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dhr test SMTP server")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class SmtpServer:
    def __init__(self, tls_dir: Path | None = None) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.cert: Path | None = None
        tls: dict = {}
        if tls_dir is not None:
            self.cert, key = self_signed(tls_dir)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert, key)
            tls = {"tls_context": context, "require_starttls": True}
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **tls)

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
