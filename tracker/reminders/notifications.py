"""In-app notifications: every reminder given also appears in its recipient's notifications."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Notification, User


def notify(user_id: int, title: str, body: str = "", link: str = "") -> None:
    """Add a notification for a user (the caller commits).

    A plain INSERT, not an object for the session to flush: a reminder run adds one after every e-mail.
    """
    db.session.execute(sa.insert(Notification.__table__).values(user_id=user_id, title=title, body=body, link=link))


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notifications_for(user: User, page: int, per_page: int = 20):
    return db.paginate(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=page, per_page=per_page, error_out=False,
    )


def mark_all_read(user: User) -> int:
    count = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    ).rowcount
    db.session.commit()
    return count


def set_email_reminders(user: User, by_email: bool) -> None:
    """Turn a user's reminder e-mails on or off; reminders keep appearing among the notifications."""
    user.email_reminders = by_email
    db.session.commit()
