"""How a "Responsibility:" line of the 2005 plan is read into bodies (the rule seed/README.md states).

A line is read left to right, taking at each point the longest name or alias that agencies.toml
knows, so a body the file holds as one ("Director General, Immigration & Passport, M/o Interior")
is never split at its commas. Commas, "and" and "in coordination with" separate bodies; a phrase
that names no body ("All authorities in their own fields of activity", "other relevant agencies")
is kept aside as unnamed, never guessed. The seed validator, the catalogue tests and the curator
all use this one reading.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import name_key

# What may stand between two bodies of a line.
_SEPARATOR = re.compile(r"(?:\s|,|;|\.|\band\b|\bin coordination with\b)+")
# The line's own label and heading: "x. Responsibility:" or "Responsibility:".
_LEAD_IN = re.compile(r"^\s*(?:[ivx]+\.\s*)?responsibility\s*:\s*", re.IGNORECASE)
# A plural heading that distributes one word over the names after it.
_DISTRIBUTED = re.compile(r"^\s*ministries of\s+", re.IGNORECASE)


# Phrases of Responsibility lines that name no particular body.
GENERIC_PHRASES = frozenset({
    "all authorities in their own fields of activity",
    "other relevant agencies",
    "other relevant actors",
})


def is_responsibility_line(text: str) -> bool:
    """A "Responsibility:" line (perhaps labelled, "x. Responsibility:"), not a sentence naming a body."""
    return bool(_LEAD_IN.match(text))


@dataclass
class ReadLine:
    bodies: list[str] = field(default_factory=list)  # canonical names, in the line's order
    unnamed: list[str] = field(default_factory=list)  # phrases that name no known body


def read_line(line: str, names: dict[str, str]) -> ReadLine:
    """The bodies a Responsibility line names; `names` maps each name key to its canonical name."""
    text = _LEAD_IN.sub("", re.sub(r"\s+", " ", line))
    distributed = bool(_DISTRIBUTED.match(text))
    text = _DISTRIBUTED.sub("", text)
    candidates = _candidates(names, distributed)
    result = ReadLine()
    position = 0
    folded = text.casefold()
    while position < len(folded):
        gap = _SEPARATOR.match(folded, position)
        if gap and gap.end() > position:
            position = gap.end()
            continue
        match = _name_at(folded, position, candidates)
        if match is None:
            end = folded.find(",", position)
            end = len(folded) if end < 0 else end
            result.unnamed.append(text[position:end].strip(" ."))
            position = end
            continue
        candidate, key = match
        _add(result.bodies, names[key])
        position += len(candidate)
    return result


def names_in(text: str, names: dict[str, str]) -> list[str]:
    """Every body a sentence names anywhere in it (longest names first, never overlapping)."""
    folded = re.sub(r"\s+", " ", text).casefold()
    bodies: list[str] = []
    taken = [False] * len(folded)
    for candidate, key in _candidates(names, distributed=False):
        for found in re.finditer(rf"(?<!\w){re.escape(candidate)}(?!\w)", folded):
            if not any(taken[found.start():found.end()]):
                taken[found.start():found.end()] = [True] * (found.end() - found.start())
                _add(bodies, names[key])
    return bodies


def _candidates(names: dict[str, str], distributed: bool) -> list[tuple[str, str]]:
    """(text to look for, name key), longest first so that the fullest name wins."""
    pairs = [(key, key) for key in names]
    if distributed:  # "Ministries of Interior, Law & Justice": each is "Ministry of …"
        pairs += [(key.removeprefix("ministry of "), key) for key in names if key.startswith("ministry of ")]
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def _name_at(folded: str, position: int, candidates: list[tuple[str, str]]) -> tuple[str, str] | None:
    for candidate, key in candidates:
        end = position + len(candidate)
        if folded.startswith(candidate, position) and not (end < len(folded) and folded[end].isalnum()):
            return candidate, key
    return None


def _add(bodies: list[str], name: str) -> None:
    if name not in bodies:
        bodies.append(name)


def name_keys(agencies: Iterable) -> dict[str, str]:
    """Every name, short name and alias of the agencies, by name key, to the canonical name."""
    keys: dict[str, str] = {}
    for agency in agencies:
        for name in (agency.name, agency.short_name, *agency.aliases):
            if name:
                keys[name_key(name)] = agency.name
    return keys
