"""The rules of a coverage link, written once for the seed's validation and the coordinators' form alike:
a link goes from a recommendation to a plan's action, never to itself, with a one-line reason saying how."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import limits
from ..enums import FrameworkKind

# Lazy: shown in the page's language, and in English where the seed's validation prints them.
REASON_NEEDED = _l("Say in one line how the action addresses the recommendation.")
REASON_TOO_LONG = _l("Keep the reason to one line of at most %(limit)s characters: how the action addresses the "
                     "recommendation.", limit=limits.COVERAGE_REASON)


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
        return _("%(ref)s cannot address itself: link it to a plan's action", ref=recommendation)
    if recommendation_kind != FrameworkKind.RECOMMENDATIONS:
        return _("%(ref)s is not a recommendation (its framework is a plan): coverage links go from a "
                 "recommendation to the actions that address it", ref=recommendation)
    if action_kind != FrameworkKind.PLAN:
        return _("%(ref)s is not a plan's action (its framework is a set of recommendations): only a plan's "
                 "actions address a recommendation", ref=action)
    return None
