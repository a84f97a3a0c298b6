"""The one search service: which items a search matches, how well, and where, on SQLite or PostgreSQL.

`search_for(text)` reads what was typed (query.py) with the agencies' names and the synonym list, and returns a
`Search` for the database in use, which gives the SQL the item filters need: a clause (the items matched), a
ranking (best first) and the highlighted title and snippet of the items of a page. The typed words reach the
databases only as bound values inside quoted phrases, so no text is a syntax error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from ..extensions import db
from ..models import ActionItem, SearchDocument
from .documents import DOCUMENTS, FTS_TABLE, PG_COLUMN
from .query import Phrase, SearchQuery, load_thesaurus, parse

# Where a match begins and ends, as the databases mark it in the text they return: private-use characters, which
# `marked` turns into <mark> around escaped text.
OPEN, CLOSE = "\ue000", "\ue001"
_MARKS = re.compile(f"({OPEN}|{CLOSE})")

# Where a snippet comes from, in the order one is chosen, as the list names it.
SNIPPET_PARTS = {"body": _l("Source text"), "notes": _l("Verified notes"), "agencies": _l("Agencies")}


def marked(text: str) -> Markup:
    """The text escaped, with its marked matches as <mark> elements (a stray or unclosed mark is balanced)."""
    parts, inside = [], False
    for piece in _MARKS.split(text):
        if piece == OPEN:
            if not inside:
                parts.append(Markup("<mark>"))
            inside = True
        elif piece == CLOSE:
            if inside:
                parts.append(Markup("</mark>"))
            inside = False
        elif piece:
            parts.append(escape(piece))
    if inside:
        parts.append(Markup("</mark>"))
    return Markup("").join(parts)


@dataclass
class Highlight:
    """An item's title with the matches marked (None if they are elsewhere), and a snippet of where they are."""

    title: Markup | None = None
    snippet: Markup | None = None
    where: str = ""  # a key of SNIPPET_PARTS


class Search:
    """A search for the database in use: the SQL that matches, ranks and highlights it."""

    def __init__(self, query: SearchQuery):
        self.query = query

    @property
    def empty(self) -> bool:
        return self.query.empty

    def clause(self) -> sa.ColumnElement[bool]:
        """WHERE: the items the search matches (none, if it holds no word)."""
        parts = []
        if self.query.groups:
            parts.append(ActionItem.id.in_(self._matching(self.query.groups)))
        if self.query.excluded:
            parts.append(ActionItem.id.not_in(self._matching(((*self.query.excluded,),))))
        return sa.and_(*parts) if parts else sa.false()

    def ranking(self) -> sa.Subquery | None:
        """(item_id, rank) of the items matched, the best with the lowest rank; None with nothing to rank by."""
        raise NotImplementedError

    def highlights(self, item_ids: list[int]) -> dict[int, Highlight]:
        """The matches in these items' titles, and a snippet of their text, notes or agencies where they are."""
        if not self.query.groups or not item_ids:
            return {}
        found = {}
        for item_id, title, *snippets in db.session.execute(self._highlighted(item_ids)):
            highlight = Highlight(title=marked(title) if OPEN in title else None)
            for where, snippet in zip(SNIPPET_PARTS, snippets, strict=True):
                if snippet and OPEN in snippet:
                    highlight.snippet, highlight.where = marked(snippet), where
                    break
            found[item_id] = highlight
        return found

    def _matching(self, groups: tuple[tuple[Phrase, ...], ...]) -> sa.Select:
        raise NotImplementedError

    def _highlighted(self, item_ids: list[int]) -> sa.Select:
        raise NotImplementedError


class SqliteSearch(Search):
    """FTS5: a MATCH expression of quoted phrases; bm25 with the ref and title weighing most."""

    FTS = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer))
    TABLE = sa.literal_column(FTS_TABLE)  # the hidden column of the table's name, which MATCH and the functions take
    # bm25's weight per column: ref, title, body (source text), notes, agencies.
    WEIGHTS = (10.0, 5.0, 1.0, 0.5, 2.0)
    SNIPPET_WORDS = 24

    @staticmethod
    def _phrase(phrase: Phrase) -> str:
        return '"' + phrase.text.replace('"', '""') + '"' + (" *" if phrase.prefix else "")

    @classmethod
    def expression(cls, groups: tuple[tuple[Phrase, ...], ...]) -> str:
        """The FTS5 query: every group, each any of its phrases."""
        def either(group):
            joined = " OR ".join(cls._phrase(p) for p in group)
            return f"({joined})" if len(group) > 1 else joined
        return " AND ".join(either(group) for group in groups)

    def _match(self, groups) -> sa.ColumnElement[bool]:
        return self.TABLE.op("MATCH", is_comparison=True)(sa.literal(self.expression(groups), sa.Text))

    def _matching(self, groups) -> sa.Select:
        return sa.select(self.FTS.c.rowid).where(self._match(groups))

    def ranking(self) -> sa.Subquery | None:
        if not self.query.groups:
            return None
        weights = [sa.literal_column(repr(weight)) for weight in self.WEIGHTS]
        return (sa.select(self.FTS.c.rowid.label("item_id"), sa.func.bm25(self.TABLE, *weights).label("rank"))
                .where(self._match(self.query.groups)).subquery("search_rank"))

    def _highlighted(self, item_ids: list[int]) -> sa.Select:
        columns = {name: index for index, name in enumerate(("ref", "title", *SNIPPET_PARTS))}
        snippets = [sa.func.snippet(self.TABLE, columns[part], OPEN, CLOSE, "…", self.SNIPPET_WORDS)
                    for part in SNIPPET_PARTS]
        return (sa.select(self.FTS.c.rowid, sa.func.highlight(self.TABLE, columns["title"], OPEN, CLOSE), *snippets)
                .where(self._match(self.query.groups), self.FTS.c.rowid.in_(item_ids)))


class PostgresSearch(Search):
    """tsquery built of phraseto_tsquery (and to_tsquery for a prefix) with the English configuration, against the
    GIN-indexed weighted tsvector of the documents; ts_rank orders, ts_headline marks."""

    DOCUMENT = sa.literal_column(f"{DOCUMENTS.name}.{PG_COLUMN}", type_=TSVECTOR)  # generated, GIN-indexed
    ENGLISH = sa.literal_column("'english'")
    # ts_rank's weight per class, {D, C, B, A}: notes, source text, agencies, ref and title.
    WEIGHTS = sa.literal_column("'{0.05, 0.1, 0.4, 1.0}'::float4[]")
    TITLE_OPTIONS = f'StartSel="{OPEN}", StopSel="{CLOSE}", HighlightAll=true'
    SNIPPET_OPTIONS = (f'StartSel="{OPEN}", StopSel="{CLOSE}", MaxWords=30, MinWords=12, MaxFragments=2, '
                       'FragmentDelimiter=" … "')

    @classmethod
    def _tsquery(cls, phrase: Phrase) -> sa.ColumnElement:
        if phrase.prefix:  # a prefix is letters and digits only (query.py), so nothing in it is tsquery syntax
            return sa.func.to_tsquery(cls.ENGLISH, sa.literal(phrase.text + ":*", sa.Text), type_=TSQUERY)
        return sa.func.phraseto_tsquery(cls.ENGLISH, sa.literal(phrase.text, sa.Text), type_=TSQUERY)

    @classmethod
    def tsquery(cls, groups: tuple[tuple[Phrase, ...], ...]) -> sa.ColumnElement:
        """Every group (&&), each any of its phrases (||)."""
        def either(group):
            return reduce(lambda a, b: a.op("||")(b), (cls._tsquery(p) for p in group)).self_group()
        return reduce(lambda a, b: a.op("&&")(b), (either(group) for group in groups)).self_group()

    def _match(self, groups) -> sa.ColumnElement[bool]:
        return self.DOCUMENT.op("@@", is_comparison=True)(self.tsquery(groups))

    def _matching(self, groups) -> sa.Select:
        return sa.select(SearchDocument.item_id).where(self._match(groups))

    def ranking(self) -> sa.Subquery | None:
        if not self.query.groups:
            return None
        rank = sa.func.ts_rank(self.WEIGHTS, self.DOCUMENT, self.tsquery(self.query.groups))
        return (sa.select(SearchDocument.item_id, (-rank).label("rank"))
                .where(self._match(self.query.groups)).subquery("search_rank"))

    def _highlighted(self, item_ids: list[int]) -> sa.Select:
        # ts_headline marks every word of its query wherever it stands, phrase or not: given all the names of an
        # agency, it would mark "Oman" in any text that has it because "FIA Oman offices" is one of them. So each
        # part of a document is headlined with only the phrases found in that part, its tsvector computed once
        # (OFFSET 0 keeps PostgreSQL from folding the subquery back in and computing it again for every phrase).
        parts = ("title", *SNIPPET_PARTS)
        documents = (sa.select(SearchDocument.item_id,
                               *(getattr(SearchDocument, part) for part in parts),
                               *(sa.func.to_tsvector(self.ENGLISH, getattr(SearchDocument, part), type_=TSVECTOR)
                                 .label(f"{part}_vector") for part in parts))
                     .where(SearchDocument.item_id.in_(item_ids)).offset(0).subquery("documents"))
        nothing = sa.literal_column("''::tsquery", type_=TSQUERY)

        def found_in(part: str) -> sa.ColumnElement:
            vector = documents.c[f"{part}_vector"]

            def found(phrase: Phrase) -> sa.ColumnElement:
                query = self._tsquery(phrase)
                return sa.case((vector.op("@@", is_comparison=True)(query), query), else_=nothing)

            def either(group):
                return reduce(lambda a, b: a.op("||")(b), (found(p) for p in group)).self_group()

            return reduce(lambda a, b: a.op("&&")(b), (either(group) for group in self.query.groups)).self_group()

        def headline(part: str, options: str):
            return sa.func.ts_headline(self.ENGLISH, documents.c[part], found_in(part), sa.literal(options, sa.Text))

        return sa.select(documents.c.item_id, headline("title", self.TITLE_OPTIONS),
                         *(headline(part, self.SNIPPET_OPTIONS) for part in SNIPPET_PARTS))


ENGINES = {"sqlite": SqliteSearch, "postgresql": PostgresSearch}


def search_for(text: str) -> Search | None:
    """The search of a search box's text, for the database in use; None when nothing was typed."""
    if not text.strip():
        return None
    engine = ENGINES[db.engine.dialect.name]
    return engine(parse(text, load_thesaurus()))
