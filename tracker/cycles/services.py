"""Recurrence: which recommendations repeat earlier ones, and since which cycle a recommendation recurs."""
from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from ..extensions import db
from ..models import ActionItem, Framework, RecommendationRepeat


def _earliest_cycles() -> sa.Select:
    """For the items `:ids`, each item that repeats an earlier recommendation and the earliest cycle of the ones it
    repeats, directly or through the ones they repeat (a recursive CTE walking the confirmed repeats back)."""
    repeats = RecommendationRepeat.__table__
    chain = (sa.select(repeats.c.item_id, repeats.c.earlier_id)
             .where(repeats.c.item_id.in_(sa.bindparam("ids", expanding=True)))
             .cte("chain", recursive=True))
    step = repeats.alias("step")
    # UNION (not UNION ALL) stops at a pair seen already; a repeat always points to an earlier cycle besides.
    chain = chain.union(sa.select(chain.c.item_id, step.c.earlier_id).join(step, step.c.item_id == chain.c.earlier_id))
    earliest = sa.func.min(sa.func.coalesce(ActionItem.cycle, Framework.year))
    return (sa.select(chain.c.item_id, earliest)
            .join(ActionItem, ActionItem.id == chain.c.earlier_id)
            .join(Framework, Framework.id == ActionItem.framework_id)
            .group_by(chain.c.item_id))


# Built once: every item list asks it, and building the CTE cost more than running it.
EARLIEST_CYCLES = _earliest_cycles()


def recurring_since(item_ids: Collection[int]) -> dict[int, int]:
    """For each of these items that repeats an earlier recommendation, the earliest cycle it recurs since: the
    earliest of the recommendations it repeats, directly or through the ones they repeat. One query, whatever the
    number of items or the length of the chains."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = db.session.execute(EARLIEST_CYCLES, {"ids": ids})
    return {item_id: since for item_id, since in rows if since is not None}


def recurring_clause() -> sa.ColumnElement[bool]:
    """Items that repeat an earlier recommendation (a filter)."""
    return ActionItem.id.in_(sa.select(RecommendationRepeat.item_id))
