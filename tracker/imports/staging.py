"""Plan files held between their check and the importer's confirmation of the repeats they suggest."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import StagedImport, User, as_utc
from .reader import decode_plan

# A held file not confirmed within this long is dropped (the next one held clears it).
KEPT_FOR = timedelta(days=1)


def stage_import(data: bytes | str, user: User, source_name: str, *, create_agencies: bool,
                 create_frameworks: bool) -> StagedImport:
    """Hold a checked file, with the choices it was checked with, for its importer to confirm."""
    db.session.execute(sa.delete(StagedImport).where(StagedImport.created_at < datetime.now(UTC) - KEPT_FOR))
    staged = StagedImport(user_id=user.id, source_name=source_name[:120], content=decode_plan(data),
                          create_agencies=create_agencies, create_frameworks=create_frameworks)
    db.session.add(staged)
    db.session.commit()
    return staged


def staged_import(token: str | None, user: User) -> StagedImport | None:
    """The file this user held under this token, unless it was imported or dropped since, or is too old."""
    if not token or len(token) > 64:
        return None
    staged = db.session.scalar(sa.select(StagedImport).where(StagedImport.token == token,
                                                             StagedImport.user_id == user.id))
    if staged is None or as_utc(staged.created_at) < datetime.now(UTC) - KEPT_FOR:
        return None
    return staged


def drop_staged(staged: StagedImport) -> None:
    db.session.delete(staged)
    db.session.commit()
