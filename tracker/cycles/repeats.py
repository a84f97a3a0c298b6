"""Which earlier recommendation an imported one repeats: suggested by the similarity of their texts, recorded only
once a person confirmed it.

An imported recommendation (a row of a recommendations framework, or of a framework the file creates as one)
is compared with every recommendation of an earlier cycle — of any recommendations framework, already in the
tracker or earlier in the same file. A recommendation's cycle is its own `cycle`, else its set's year (see
`ActionItem.review_cycle`). Nothing here writes.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from rapidfuzz import fuzz, process, utils
from sqlalchemy.orm import aliased

from ..enums import FrameworkKind
from ..errors import Invalid, Problem
from ..extensions import db
from ..models import ActionItem, Framework, RecommendationRepeat, name_key

# Suggested from this similarity on (0–100). Recommendations of one report that are not repeats score up to
# about 65 (the paper's a–x among themselves); a reworded repeat scores from about 80.
THRESHOLD = 75
# The best few earlier recommendations per imported one: enough to choose from, few enough to read.
MAX_SUGGESTIONS = 3
# How a confirmation names a suggestion in a form or on the command line: "NEW-REF:EARLIER-REF" (refs hold
# only letters, digits and hyphens).
KEY_SEPARATOR = ":"


@dataclass(frozen=True)
class Recommendation:
    """A recommendation as the comparison sees it: in the tracker, or a row of the file being imported."""

    ref: str
    title: str
    text: str
    cycle: int
    framework: str


@dataclass(frozen=True)
class RepeatSuggestion:
    """An imported recommendation that looks like an earlier one, with how alike their texts are."""

    row: int
    recommendation: Recommendation
    earlier: Recommendation
    score: int
    recorded: bool = False  # confirmed already (by an earlier import of the same file)

    @property
    def key(self) -> str:
        return f"{self.recommendation.ref}{KEY_SEPARATOR}{self.earlier.ref}"

    def __str__(self) -> str:
        return (f"{self.recommendation.ref} (cycle {self.recommendation.cycle}) repeats {self.earlier.ref} "
                f"(cycle {self.earlier.cycle}), {self.score}% alike")


def similarity(first: str, second: str) -> int:
    """How alike two texts are, 0–100: the mean of two token scorers. Sorting the words sees a reordered sentence
    as the same; comparing the sets of words forgives words added to one of them; neither alone sees both a
    rewording and an addition, and the set alone calls any text inside a longer one identical."""
    return round(_blend(fuzz.token_sort_ratio(first, second, processor=utils.default_process),
                        fuzz.token_set_ratio(first, second, processor=utils.default_process)))


def _blend(sorted_words, word_sets):
    return (sorted_words + word_sets) / 2


def tracked_recommendations() -> dict[str, Recommendation]:
    """Every recommendation in the tracker that has a cycle (its own or its set's year), by ref."""
    cycle = sa.func.coalesce(ActionItem.cycle, Framework.year)
    rows = db.session.execute(
        sa.select(ActionItem.ref, ActionItem.title, ActionItem.text, cycle, Framework.name)
        .join(ActionItem.framework)
        .where(Framework.kind == FrameworkKind.RECOMMENDATIONS, cycle.is_not(None))
    )
    return {ref: Recommendation(ref, title, text, year, framework) for ref, title, text, year, framework in rows}


def suggest_repeats(rows, reader) -> list[RepeatSuggestion]:
    """For each row of a checked file that is a recommendation with a cycle, the earlier recommendations its text
    is most like (at most MAX_SUGGESTIONS, from THRESHOLD on), best first; in the file's order."""
    imported = _imported_recommendations(rows, reader)
    if not imported:
        return []
    pool = tracked_recommendations()
    pool.update({recommendation.ref: recommendation for _row, recommendation in imported})
    earlier = list(pool.values())
    # One matrix per scorer, computed in C++ over every pair at once (the per-pair scorer above gives the same).
    scores = _blend(
        process.cdist([r.text for _row, r in imported], [e.text for e in earlier],
                      scorer=fuzz.token_sort_ratio, processor=utils.default_process),
        process.cdist([r.text for _row, r in imported], [e.text for e in earlier],
                      scorer=fuzz.token_set_ratio, processor=utils.default_process),
    )
    recorded = _recorded_pairs([r.ref for _row, r in imported])
    suggestions: list[RepeatSuggestion] = []
    for index, (row, recommendation) in enumerate(imported):
        found = sorted(
            ((round(float(score)), candidate) for candidate, score in zip(earlier, scores[index], strict=True)
             if candidate.cycle < recommendation.cycle and candidate.ref != recommendation.ref
             and round(float(score)) >= THRESHOLD),
            key=lambda pair: (-pair[0], -pair[1].cycle, pair[1].ref),
        )[:MAX_SUGGESTIONS]
        suggestions += [RepeatSuggestion(row, recommendation, candidate, score,
                                         (recommendation.ref, candidate.ref) in recorded)
                        for score, candidate in found]
    return suggestions


def _imported_recommendations(rows, reader) -> list[tuple[int, Recommendation]]:
    """The file's rows that are recommendations with a cycle: the row's own, else (when the file has no cycle
    column) the item's, else its set's year — for a set the file creates, the earliest cycle its rows give."""
    catalogue = reader.catalogue
    found = []
    for row in rows:
        framework = catalogue.framework(row.framework)
        key = name_key(row.framework)
        if framework is not None and framework.is_recommendations:
            name, year = framework.name, framework.year
        elif framework is None and key in reader.new_recommendations:
            name, year = reader.new_frameworks[key], min(reader.new_recommendations[key], default=None)
        else:
            continue
        cycle = row.cycle
        if cycle is None and "cycle" not in reader.optional_columns and row.ref in catalogue.items:
            cycle = catalogue.items[row.ref].cycle
        cycle = cycle if cycle is not None else year
        if cycle is not None:
            found.append((row.row, Recommendation(row.ref, row.title, row.text, cycle, name)))
    return found


def _recorded_pairs(refs: list[str]) -> set[tuple[str, str]]:
    later, earlier = aliased(ActionItem), aliased(ActionItem)
    pairs = set()
    for start in range(0, len(refs), 500):  # bounded IN lists
        pairs.update(db.session.execute(
            sa.select(later.ref, earlier.ref)
            .select_from(RecommendationRepeat)
            .join(later, later.id == RecommendationRepeat.item_id)
            .join(earlier, earlier.id == RecommendationRepeat.earlier_id)
            .where(later.ref.in_(refs[start:start + 500]))
        ).tuples())
    return pairs


def confirmed(suggestions: list[RepeatSuggestion], confirm: Collection[str] | bool,
              rows: Mapping[str, int] | None = None) -> list[RepeatSuggestion]:
    """The suggestions a person confirmed: every one not yet recorded (`True`), none (`False`), or those named by
    their keys — a key that names no suggestion of this file is refused, by the row of its recommendation (`rows`:
    the file's rows by ref)."""
    open_ones = [suggestion for suggestion in suggestions if not suggestion.recorded]
    if confirm is True or confirm is False:
        return open_ones if confirm else []
    by_key = {suggestion.key: suggestion for suggestion in suggestions}
    problems = []
    for key in dict.fromkeys(confirm):
        if key not in by_key:
            ref = key.split(KEY_SEPARATOR)[0]
            row = (rows or {}).get(ref)
            earlier = key.split(KEY_SEPARATOR)[-1]
            problems.append(Problem(_("'%(ref)s repeats %(earlier)s' is not a repeat suggested for this file",
                                      ref=ref, earlier=earlier), field="repeats", row=row))
    if problems:
        raise Invalid(problems)
    wanted = set(confirm)
    return [suggestion for suggestion in open_ones if suggestion.key in wanted]
