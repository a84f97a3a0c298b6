"""Sending one message now, as an account e-mail is sent from the request that asks for it."""
from __future__ import annotations

from email.message import EmailMessage

from flask import current_app

from ..errors import Unavailable
from .smtp import Mailer, SmtpSettings, build_message
from .status import record_outcome


def send_now(recipient: str, subject: str, text: str, html: str) -> str:
    """Send one message over its own SMTP connection and note the outcome (the caller commits).

    Returns "" when the server accepted it, else why it was not delivered; never raises for a mail problem.
    """
    message: EmailMessage = build_message(current_app.config["MAIL_FROM"], recipient, subject, text, html)
    error = None
    try:
        with Mailer(SmtpSettings.from_config(current_app.config)) as mailer:
            mailer.send(message)
    except Unavailable as exc:
        error = exc
    record_outcome(error)
    return str(error) if error else ""
