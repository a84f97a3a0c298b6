"""The National Rapporteur's report as content, apart from any file format: what `compose` writes from the
data and what the Word and PDF writers lay out, so that both files say exactly the same.

A document is a cover, then sections in reading order; a section of level 1 is a chapter (a new page, an
entry of the contents list), levels 2 and 3 sit inside it. Blocks are plain text, never markup: nothing here is
HTML to unescape, and a writer whose format reads markup (reportlab's paragraphs) escapes the text itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body; lead (an opening statement); note (small print: sources, method); quote (verbatim)


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str | int | float]]  # numbers are right-aligned and written with thousands separators
    caption: str = ""
    widths: list[float] | None = None  # relative column widths; even when None

    @property
    def numeric_columns(self) -> list[bool]:
        """Whether each column holds numbers only (blanks aside): its header is right-aligned over them."""
        return [
            any(is_number(row[index]) for row in self.rows)
            and all(is_number(row[index]) or row[index] in ("", None) for row in self.rows)
            for index in range(len(self.columns))
        ]


def is_number(value) -> bool:
    """A cell to right-align (a bool is not a figure, though Python counts it as an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def cell_text(value: str | int | float | None) -> str:
    """A cell as both files write it: figures with thousands separators and no needless ".0", as the pages'
    `number` filter writes them (tracker.templating.format_number, which a test holds this to: that module is
    not imported here as it can only be imported once the app has loaded the views it imports, and back)."""
    if value is None:
        return ""
    if not is_number(value):
        return str(value)
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # one per category; None where there is no value
    colour: str | None = None  # "#rrggbb", e.g. a status's colour on the dashboard; None takes the next of the palette


@dataclass(frozen=True)
class BarChart:
    """A bar chart drawn as an image in both files: bars per series (stacked or side by side) over the categories,
    and an optional line (e.g. the target), each with its legend."""

    title: str
    categories: list[str]
    series: list[Series]
    stacked: bool = False
    unit: str = ""
    line: Series | None = None
    horizontal: bool = False  # long category names (agencies) read better down the side


Block = Paragraph | Bullets | Table | BarChart


@dataclass
class Section:
    title: str
    level: int = 1  # 1: a chapter; 2 and 3 inside it
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Section:
        self.blocks.extend(blocks)
        return self


@dataclass
class Document:
    title: str
    subtitle: str  # e.g. "Implementation of the National Action Plan, 1 January – 31 December 2026"
    cover_lines: list[str]  # under the subtitle: who issues it, when it was generated, the options it was built with
    sections: list[Section] = field(default_factory=list)
    language: str = "en"
    # When it was composed: the files' creation date. None leaves the Word file undated and gives the PDF
    # reportlab's fixed 1 January 2000 (it always writes a date); either way equal documents give equal bytes.
    created: datetime | None = None

    def chapter(self, title: str) -> Section:
        section = Section(title, 1)
        self.sections.append(section)
        return section

    def section(self, title: str, level: int = 2) -> Section:
        section = Section(title, level)
        self.sections.append(section)
        return section

    @property
    def contents(self) -> list[str]:
        """The chapters' titles, in order: the contents list."""
        return [section.title for section in self.sections if section.level == 1]
