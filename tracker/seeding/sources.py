"""Which source documents name an agency, and whether agencies.toml says so (seed/README.md, "named_in").

A body is named in a document when its name, short name or one of its aliases appears there: whitespace
collapsed, case ignored, as whole words. A body no document names carries `curated`, the curators' reason
for holding it. The catalogue tests check this against shared/seeds, and so does
`python -m tracker.seeding.validate seed --sources ../shared/seeds`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import Problem
from ..models import name_key

FILE = "agencies.toml"


def read_documents(directory: str | Path) -> dict[str, str]:
    """The source documents of a folder (its *.txt files), by file name, as folded text."""
    return {path.name: name_key(path.read_text(encoding="utf-8")) for path in sorted(Path(directory).glob("*.txt"))}


def documents_naming(agency, documents: dict[str, str]) -> list[str]:
    """The documents (folded by `read_documents`) in which the agency's name, short name or an alias appears."""
    names = sorted({name_key(name) for name in (agency.name, agency.short_name, *agency.aliases) if name},
                   key=len, reverse=True)
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(name)}(?!\w)" for name in names))
    return [document for document, text in documents.items() if pattern.search(text)]


def agency_source_problems(agencies: Iterable, documents: dict[str, str]) -> list[Problem]:
    """Where an agency's `named_in` or `curated` disagrees with the documents: each named body lists
    exactly the documents that name it, and only a body that none names carries the curators' reason."""
    problems = []
    for agency in agencies:
        naming = documents_naming(agency, documents)
        record = f"agency {agency.name!r}"
        if naming and agency.curated:
            problems.append(Problem(f"is named in {', '.join(naming)}: drop curated and give named_in = {naming!r}",
                                    file=FILE, record=record))
        elif naming and set(agency.named_in) != set(naming):
            problems.append(Problem(f"named_in should be {naming!r} (the documents that name it), "
                                    f"not {agency.named_in!r}", file=FILE, record=record))
        elif not naming and agency.named_in:
            problems.append(Problem(f"no document names it, although named_in says {agency.named_in!r}: add the "
                                    "alias a document uses, or drop named_in and say in curated why it is held",
                                    file=FILE, record=record))
        elif not naming and not agency.curated:
            problems.append(Problem("no document names it: say in curated why the catalogue holds it",
                                    file=FILE, record=record))
    return problems
