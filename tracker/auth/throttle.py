"""Throttling logins so that nobody can guess passwords, and no stranger can lock a user out.

Every attempt is counted twice — for the client's address and for the e-mail typed, whether an
account has it or not — in rows all workers share. The first few attempts are free; after that each
one must wait twice as long as the one before (up to a cap), rather than meeting a hard lock a
stranger could keep closed. The count is claimed atomically *before* the password is checked: one
UPDATE … WHERE next_allowed_at <= now per key, so parallel guesses cannot overshoot the limit.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from ..extensions import db, insert_on_conflict
from ..models import LoginThrottle, normalise_email

# Attempts are forgotten after this long without one.
FORGET_AFTER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait_seconds: int = 0


def _delay_case(column, free: int, base: float, cap: float) -> sa.ColumnElement:
    """The wait after the n-th attempt, in SQL: none for the free ones, then base, 2·base, 4·base … up to cap."""
    steps, n, delay = [], free, base
    while delay < cap:
        steps.append((column == n, delay))
        n, delay = n + 1, delay * 2
    return sa.case((column < free, 0.0), *steps, else_=cap)


def _email_key(email: str, scope: str = "") -> str:
    """The row an e-mail's attempts are counted in: the address as accounts match it, cut to fit the key."""
    return f"{scope}email:{normalise_email(email)[:250]}"


def _keys(address: str | None, email: str, scope: str) -> list[tuple[str, int]]:
    config = current_app.config
    keys = [(_email_key(email, scope), config["LOGIN_FREE_ATTEMPTS"])]
    if address:
        # Many people may share an office's address: it gets more free attempts than one e-mail.
        keys.append((f"{scope}ip:{address[:250]}", config["LOGIN_FREE_ATTEMPTS_PER_ADDRESS"]))
    return keys


def claim_attempt(address: str | None, email: str, scope: str = "") -> Verdict:
    """Count one attempt for the address and the e-mail; refuse it while either must wait.

    Logins count under no scope; other requests a stranger could repeat (asking for a password-reset
    link: scope "reset:") count apart, with the same rules.
    """
    config = current_app.config
    now = time.time()
    base, cap = float(config["LOGIN_BASE_DELAY_SECONDS"]), float(config["LOGIN_MAX_DELAY_SECONDS"])
    waits = []
    for key, free in _keys(address, email, scope):
        _ensure_row(key, now)
        attempts = LoginThrottle.attempts + 1
        claimed = db.session.execute(
            sa.update(LoginThrottle)
            .where(LoginThrottle.key == key, LoginThrottle.next_allowed_at <= now)
            .values(attempts=attempts, last_attempt_at=now,
                    next_allowed_at=now + _delay_case(attempts, free, base, cap))
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            waits.append(db.session.scalar(sa.select(LoginThrottle.next_allowed_at).where(LoginThrottle.key == key)))
    db.session.commit()
    if waits:
        return Verdict(False, max(1, int(max(waits) - now + 0.999)))
    return Verdict(True)


def _ensure_row(key: str, now: float) -> None:
    """The key's row, made on its first attempt; counts idle for a day start again."""
    table = LoginThrottle.__table__
    insert = insert_on_conflict(table)
    db.session.execute(insert.values(key=key, attempts=0, next_allowed_at=0.0, last_attempt_at=now)
                       .on_conflict_do_nothing(index_elements=["key"]))
    db.session.execute(sa.update(LoginThrottle)
                       .where(LoginThrottle.key == key, LoginThrottle.last_attempt_at < now - FORGET_AFTER_SECONDS,
                              LoginThrottle.next_allowed_at <= now)
                       .values(attempts=0).execution_options(synchronize_session=False))


def forget(email: str) -> None:
    """A right password (or an admin's reset) clears the e-mail's count; the address's keeps counting."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == _email_key(email))
                       .execution_options(synchronize_session=False))
