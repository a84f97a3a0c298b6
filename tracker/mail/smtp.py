"""Sending e-mail over SMTP: one connection for a whole run, plain text with an HTML alternative.

A send that fails before the message data went out in full (no connection, a refused sender or
recipient, a 4xx/5xx answer to DATA or to the final ".") raises Unavailable: nothing was delivered.
A timeout or disconnect *after* the final "." raises DeliveryUncertain: the server may have stored
the message and only its answer was lost, so sending it again could deliver it twice. A recipient
the server refuses raises RecipientRefused: the server works, that one address does not.
"""
from __future__ import annotations

import email.policy
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..errors import Unavailable


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    starttls: bool
    sender: str
    timeout: float = 20.0  # seconds to wait for each answer of the server, the final "." included

    @classmethod
    def from_config(cls, config) -> SmtpSettings:
        return cls(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"],
            starttls=bool(config["SMTP_STARTTLS"]),
            sender=config["MAIL_FROM"],
            timeout=float(config.get("SMTP_TIMEOUT", 20)),
        )


class DeliveryUncertain(Unavailable):
    """The message went out in full but the server's answer to it never came: it may have been delivered."""


class RecipientRefused(Unavailable):
    """The server refused the recipient's address (and no other part of the message): nothing was delivered."""


# Python's email package folds a long non-ASCII header (an Urdu subject) between encoded words and the space there
# is lost ("اسمگلنگکے"): headers are folded only past SMTP's own line limit, so a subject stays one encoded word.
MESSAGE_POLICY = email.policy.default.clone(max_line_length=998)


def build_message(sender: str, recipient: str, subject: str, text: str, html: str,
                  message_id: str | None = None) -> EmailMessage:
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2] or "tracker")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class _SMTP(smtplib.SMTP):
    """smtplib's client, noting when a message's data has gone out in full (its final CRLF "." CRLF)."""

    data_sent = False

    def send(self, s) -> None:
        super().send(s)
        # smtplib's data() sends the whole quoted message, terminator included, in one call.
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_sent = True


class Mailer:
    """An SMTP session opened on first use and closed at the end of the run."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: _SMTP | None = None

    def _connect(self) -> _SMTP:
        if self._smtp is None:
            s = self.settings
            try:
                smtp = _SMTP(s.host, s.port, timeout=s.timeout)
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, s.password)
            except (OSError, smtplib.SMTPException) as exc:
                raise Unavailable(f"cannot reach the SMTP server {s.host}:{s.port}: {exc}") from exc
            self._smtp = smtp
        return self._smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message; Unavailable if it surely was not delivered, DeliveryUncertain if it may have been."""
        smtp = self._connect()
        smtp.data_sent = False
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            raise RecipientRefused(f"the SMTP server refused the address {message['To']}: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            # The server answered, and said no: whatever it had of the message, it did not take it.
            self.close()
            raise Unavailable(f"the SMTP server refused the message to {message['To']}: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            if smtp.data_sent:
                raise DeliveryUncertain(
                    f"no answer from the SMTP server after the message to {message['To']} was sent "
                    f"(it may have been delivered): {exc}"
                ) from exc
            raise Unavailable(f"the SMTP server refused the message to {message['To']}: {exc}") from exc

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
