"""Handing one e-mail to the configured SMTP server (the standard library's smtplib).

:func:`send` connects, upgrades the connection with STARTTLS when configured (the server's
certificate verified against the system's CAs, or those of ``notify.smtp.ca_file``), signs in
when a user is configured, and sends.
The password is never put in a message, an error or a log line, and is never sent over an
unencrypted connection except to a server on this machine (127.0.0.1, ::1, localhost).
Failures raise :class:`MailError` with the server's answer (code and text) or the network error.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from dhr.config import SmtpConfig

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class MailError(Exception):
    """The message was not accepted: ``temporary`` when a later attempt may succeed."""

    def __init__(self, message: str, *, temporary: bool = True):
        super().__init__(message)
        self.temporary = temporary


def _describe(err: Exception) -> str:
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "every recipient was refused: " + "; ".join(
            f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in err.recipients.items())
    if isinstance(err, smtplib.SMTPResponseException):
        return f"SMTP {err.smtp_code} {_text(err.smtp_error)}"
    return f"{type(err).__name__}: {err}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _tls_context(smtp: SmtpConfig) -> ssl.SSLContext:
    """Certificate and host name verified, against ``ca_file``'s CAs when it is set."""
    if not smtp.ca_file:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=smtp.ca_file)
    except (OSError, ssl.SSLError) as err:
        raise MailError(f"notify.smtp.ca_file {smtp.ca_file!r} is not a readable file of PEM "
                        f"CA certificates: {err}", temporary=False) from None


def send(smtp: SmtpConfig, message: EmailMessage) -> dict[str, str]:
    """Send ``message`` to its To addresses; returns the recipients the server refused
    ({address: reason}) when it accepted the others. Raises :class:`MailError`."""
    if not smtp.host:
        raise MailError("notify.smtp.host is not set", temporary=False)
    if smtp.username and not smtp.starttls and smtp.host not in LOOPBACK:
        raise MailError("refusing to send the SMTP password over an unencrypted connection: "
                        "set notify.smtp.starttls: true", temporary=False)
    context = _tls_context(smtp) if smtp.starttls else None
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as conn:
            conn.ehlo()
            if context is not None:
                conn.starttls(context=context)
                conn.ehlo()
            if smtp.username:
                password = smtp.password.get_secret_value() if smtp.password else ""
                conn.login(smtp.username, password)
            refused = conn.send_message(message)
    except smtplib.SMTPAuthenticationError as err:
        raise MailError(f"the SMTP server refused the sign-in of {smtp.username!r}: "
                        f"{err.smtp_code}", temporary=False) from None
    except smtplib.SMTPResponseException as err:
        # 4xx: try again later; 5xx: the server will not take it as it is (still retried:
        # an administrator may fix the configuration or the contacts before the last attempt).
        raise MailError(_describe(err), temporary=400 <= err.smtp_code < 500) from None
    except (smtplib.SMTPException, OSError) as err:
        raise MailError(_describe(err)) from None
    return {rcpt: f"{code} {_text(msg)}" for rcpt, (code, msg) in (refused or {}).items()}
