"""STARTTLS to a real SMTP server on 127.0.0.1 that requires it (aiosmtpd, a self-signed
certificate made for the test): the message goes over TLS when the server's certificate is
verified against ``notify.smtp.ca_file``; a certificate the system does not trust, a plain
connection to a server that requires TLS, or an unreadable CA file send nothing."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from accountability.mailer import MailError, send
from dhr.config import SmtpConfig

from .smtp import SmtpServer


@pytest.fixture
def tls_smtp(tmp_path):
    with SmtpServer(tls_dir=tmp_path) as server:
        yield server


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "DHR repository <no-reply@dhr.example.org>"
    message["To"] = "alerts@gmp.example.org"
    message["Subject"] = "New recommendations for your organisation"
    message.set_content("One new recommendation (a synthetic test message).")
    return message


def test_starttls_verified_against_the_ca_file_delivers_over_tls(tls_smtp):
    smtp = SmtpConfig(host="127.0.0.1", port=tls_smtp.port, starttls=True,
                      ca_file=str(tls_smtp.cert))
    assert send(smtp, _message()) == {}
    [received] = tls_smtp.mailbox.received
    assert received.tls and received.rcpt_tos == ["alerts@gmp.example.org"]


def test_a_certificate_the_system_does_not_trust_sends_nothing(tls_smtp):
    smtp = SmtpConfig(host="127.0.0.1", port=tls_smtp.port, starttls=True)
    with pytest.raises(MailError) as err:
        send(smtp, _message())
    assert "certificate verify failed" in str(err.value).lower()
    assert tls_smtp.mailbox.received == []


def test_a_plain_connection_to_a_server_that_requires_tls_sends_nothing(tls_smtp):
    smtp = SmtpConfig(host="127.0.0.1", port=tls_smtp.port, starttls=False)
    with pytest.raises(MailError) as err:
        send(smtp, _message())
    assert "530" in str(err.value)
    assert tls_smtp.mailbox.received == []


def test_an_unreadable_ca_file_is_a_configuration_error(tls_smtp, tmp_path):
    smtp = SmtpConfig(host="127.0.0.1", port=tls_smtp.port, starttls=True,
                      ca_file=str(tmp_path / "missing.pem"))
    with pytest.raises(MailError) as err:
        send(smtp, _message())
    assert not err.value.temporary and "notify.smtp.ca_file" in str(err.value)
    assert tls_smtp.mailbox.received == []
