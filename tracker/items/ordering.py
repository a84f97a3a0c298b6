"""Document order kept on the items themselves: each item carries a copy of its framework's position
(`ActionItem.framework_position`), so that "by reference" — the framework's position, then the item's — is one
index of action_items and a page of the list reads its rows from that index instead of sorting every item.

The copy is written in the flush that makes it stale, whichever page, command, import or test makes the change:
an item added or moved to another framework takes its framework's position; a framework whose position changes
passes it to its items.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import ActionItem, Framework


def document_order(descending: bool = False) -> list:
    """ORDER BY terms of document order, ending with the id so that a page boundary never splits a tie."""
    terms = [ActionItem.framework_position, ActionItem.position, ActionItem.id]
    return [term.desc() for term in terms] if descending else terms


def _framework_changed(item: ActionItem) -> bool:
    state = sa.inspect(item)
    return any(state.attrs[name].history.has_changes() for name in ("framework", "framework_id"))


@sa.event.listens_for(Session, "before_flush")
def _copy_framework_position(session: Session, _flush_context, _instances) -> None:
    """Give each item added or moved to another framework its framework's position."""
    items = [obj for obj in session.new if isinstance(obj, ActionItem)]
    items += [obj for obj in session.dirty if isinstance(obj, ActionItem) and _framework_changed(obj)]
    unknown = set()
    for item in items:
        if item.framework is None:  # only its framework_id given: read below, once for all
            unknown.add(item.framework_id)
    positions = dict(session.execute(sa.select(Framework.id, Framework.position)
                                     .where(Framework.id.in_(unknown - {None})))) if unknown else {}
    for item in items:
        position = item.framework.position if item.framework is not None else positions.get(item.framework_id)
        if position is not None and item.framework_position != position:
            item.framework_position = position


@sa.event.listens_for(Session, "after_flush")
def _pass_framework_position_on(session: Session, _flush_context) -> None:
    """A framework whose position changed passes it on to its items, in the same transaction."""
    for obj in session.dirty:
        if isinstance(obj, Framework) and sa.inspect(obj).attrs.position.history.has_changes():
            session.connection().execute(sa.update(ActionItem.__table__)
                                         .where(ActionItem.__table__.c.framework_id == obj.id)
                                         .values(framework_position=obj.position))
            for item in obj.items if "items" not in sa.inspect(obj).unloaded else ():
                sa.orm.attributes.set_committed_value(item, "framework_position", obj.position)
