"""What a user types into a search box, read into groups of phrases that the databases match.

    shelters KP           both: "shelters" (stemmed: shelter, sheltered …) and "KP" or "Khyber Pakhtunkhwa" or …
    "help line"           the words together, as written (no synonyms)
    traffick*             any word starting so
    FIA OR police         either
    -Balochistan          not that

Every word, phrase and name becomes a quoted phrase for the database's own parser, so no input is syntax to it:
quotes, parentheses, `*`, `NEAR`, `AND`, `-` and any script are text. A run of words that is a name of an agency
(its name, short name or an alias) or a term of the synonym list (seed/synonyms.toml) is matched with every other
name of the same group. Words like "the" or "of" standing alone are left out, as PostgreSQL's English
configuration leaves them out, so the two databases find the same items.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from .. import limits
from ..extensions import db
from ..models import Agency, AgencyAlias, Synonym

# PostgreSQL's English stop words (tsearch_data/english.stop), which its parser drops.
STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it
its itself they them their theirs themselves what which who whom this that these those am is are was were be been
being have has had having do does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on off over under again further
then once here there when where why how all any both each few more most other some such no nor not only own same so
than too very s t can will just don should now
""".split())

_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; an underscore separates, as both parsers have it
_PREFIX = re.compile(r"([^\W_]+)\*+")


def words(text: str) -> list[str]:
    """The words of a text as the search compares names and terms: case-folded letters and digits."""
    return _WORD.findall(text.casefold())


def name_key(text: str) -> tuple[str, ...]:
    """A name or term as compared with what is typed: its words, a plural's final "s" dropped ("helplines")."""
    return tuple(word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words(text))


@dataclass(frozen=True)
class Phrase:
    """Words to find together, as written (each database's parser reads them); `prefix`: the last is a prefix."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Every group must match (any one phrase of it), and no excluded phrase may."""

    groups: tuple[tuple[Phrase, ...], ...] = ()
    excluded: tuple[Phrase, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to look for: the text held no word (only punctuation, or only words like "the")."""
        return not self.groups and not self.excluded


@dataclass
class Thesaurus:
    """The names that mean the same: each agency's names and aliases, each group of the synonym list."""

    groups: dict[tuple[str, ...], list[str]] = field(default_factory=dict)

    @property
    def longest(self) -> int:
        return max((len(key) for key in self.groups), default=0)

    def others(self, key: tuple[str, ...]) -> list[str]:
        return self.groups.get(key, [])


def load_thesaurus() -> Thesaurus:
    """Agencies' names and the synonym list, read from the database (three small queries)."""
    names: dict[tuple[str, int], list[str]] = defaultdict(list)
    for agency_id, name, short_name in db.session.execute(sa.select(Agency.id, Agency.name, Agency.short_name)):
        names["agency", agency_id].extend(n for n in (name, short_name) if n)
    for agency_id, alias in db.session.execute(sa.select(AgencyAlias.agency_id, AgencyAlias.alias)):
        names["agency", agency_id].append(alias)
    for group_no, term in db.session.execute(sa.select(Synonym.group_no, Synonym.term).order_by(Synonym.id)):
        names["synonym", group_no].append(term)
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for members in names.values():
        for member in members:
            key = name_key(member)
            if key:
                groups[key].extend(m for m in members if m not in groups[key])
    return Thesaurus(dict(groups))


@dataclass
class _Chunk:
    text: str
    quoted: bool = False
    negated: bool = False
    prefix: bool = False
    operator: bool = False  # OR

    @property
    def plain(self) -> bool:
        return not (self.quoted or self.negated or self.prefix or self.operator)


def _chunks(text: str) -> list[_Chunk]:
    chunks = []
    for match in _CHUNK.finditer(text):
        negated, quoted, bare = match.groups()
        if quoted is not None:
            if words(quoted):
                chunks.append(_Chunk(quoted, quoted=True, negated=bool(negated)))
            continue
        if bare == "OR":
            chunks.append(_Chunk(bare, operator=True))
            continue
        chunk = _Chunk(bare)
        if bare.startswith("-") and len(bare) > 1:
            chunk.text, chunk.negated = bare[1:], True
        prefix = _PREFIX.fullmatch(chunk.text)
        if prefix and not chunk.negated:
            chunk.text, chunk.prefix = prefix.group(1), True
        if words(chunk.text):
            chunks.append(chunk)
    return chunks


def _with_others(own: str, thesaurus: Thesaurus, key: tuple[str, ...]) -> tuple[Phrase, ...]:
    """The user's own words first, then every other name of their group, each once, and none that holds another
    whole: whatever "DG FIA" or "FIA Headquarters" finds, "FIA" finds too, so only "FIA" is asked for (an agency
    has a dozen names; each phrase costs the database a look at every document that has its words)."""
    phrases, seen = [], set()
    for text in (own, *thesaurus.others(key)):
        if name_key(text) not in seen:
            seen.add(name_key(text))
            phrases.append((Phrase(text), tuple(words(text))))
    return tuple(phrase for phrase, longer in phrases
                 if not any(_holds(longer, shorter) for _, shorter in phrases))


def _holds(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """Whether a run of words holds a shorter one, whole and in order."""
    size = len(shorter)
    return 0 < size < len(longer) and any(longer[i:i + size] == shorter for i in range(len(longer) - size + 1))


def parse(text: str, thesaurus: Thesaurus | None = None) -> SearchQuery:
    """Read a search box's text; names and synonyms are matched with their group when a thesaurus is given."""
    thesaurus = thesaurus or Thesaurus()
    chunks = _chunks(text[: limits.SEARCH])
    groups: list[tuple[Phrase, ...] | None] = []  # None: an OR between two groups; (): a word left out
    excluded: list[Phrase] = []
    index = 0
    while index < len(chunks):
        chunk = chunks[index]
        if chunk.operator:
            groups.append(None)
            index += 1
            continue
        if chunk.negated:
            excluded.extend(_with_others(chunk.text, thesaurus, name_key(chunk.text)) if not chunk.quoted
                            else (Phrase(chunk.text),))
            index += 1
            continue
        if not chunk.plain:
            groups.append((Phrase(chunk.text, prefix=chunk.prefix),))
            index += 1
            continue
        # The longest run of plain chunks, from here, that is a name or a term of the thesaurus.
        end = index + 1
        run_key = name_key(chunk.text)
        for stop in range(min(len(chunks), index + thesaurus.longest), index, -1):
            run = chunks[index:stop]
            if all(c.plain for c in run):
                key = name_key(" ".join(c.text for c in run))
                if thesaurus.others(key):
                    end, run_key = stop, key
                    break
        own = " ".join(c.text for c in chunks[index:end])
        if thesaurus.others(run_key):
            groups.append(_with_others(own, thesaurus, run_key))
        else:
            groups.append(() if set(words(own)) <= STOP_WORDS else (Phrase(own),))
        index = end
    return SearchQuery(_join_alternatives(groups)[: limits.SEARCH_TERMS], tuple(excluded[: limits.SEARCH_TERMS]))


def _join_alternatives(groups: list[tuple[Phrase, ...] | None]) -> tuple[tuple[Phrase, ...], ...]:
    """Fold `a OR b` into one group. An OR with nothing on one side, or beside a word left out ("a OR b": "a" is
    such a word), is left out with it."""
    joined: list[tuple[Phrase, ...]] = []
    pending_or = after_nothing = False
    for group in groups:
        if group is None:
            pending_or = bool(joined) and not after_nothing
            continue
        if not group:
            pending_or, after_nothing = False, True
            continue
        if pending_or:
            joined[-1] = joined[-1] + tuple(p for p in group if p not in joined[-1])
        else:
            joined.append(group)
        pending_or = after_nothing = False
    return tuple(joined)
