"""The rules of a coverage link, written once for the seed's validation and the coordinators' form alike:
a link goes from a recommendation to a plan's action, never to itself, with a one-line reason saying how."""
from __future__ import annotations

from .. import limits
from ..enums import FrameworkKind

REASON_NEEDED = "Say in one line how the action addresses the recommendation."
REASON_TOO_LONG = (f"Keep the reason to one line of at most {limits.COVERAGE_REASON} characters: how the action "
                   "addresses the recommendation.")


def one_line(reason: str) -> str:
    """A reason as one line: surrounding spaces dropped, inner runs of spaces and line breaks made one space."""
    return " ".join((reason or "").split())


def reason_problem(reason: str) -> str | None:
    """What is wrong with a reason (already made one line), or None."""
    if not reason:
        return REASON_NEEDED
    if len(reason) > limits.COVERAGE_REASON:
        return REASON_TOO_LONG
    return None


def link_problem(recommendation: str, recommendation_kind: FrameworkKind | None, action: str,
                 action_kind: FrameworkKind | None) -> str | None:
    """What is wrong with linking the item `recommendation` to the item `action` (refs, and their frameworks'
    kinds), or None: only a recommendation is addressed, only a plan's action addresses, and never itself."""
    if recommendation == action:
        return f"{recommendation} cannot address itself: link it to a plan's action"
    if recommendation_kind != FrameworkKind.RECOMMENDATIONS:
        return (f"{recommendation} is not a recommendation (its framework is a plan): coverage links go from a "
                "recommendation to the actions that address it")
    if action_kind != FrameworkKind.PLAN:
        return (f"{action} is not a plan's action (its framework is a set of recommendations): only a plan's "
                "actions address a recommendation")
    return None
