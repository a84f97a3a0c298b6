"""The National Rapporteur's report as content, apart from any file format: what `compose` writes from the
data and what the Word and PDF writers lay out, so that both files say exactly the same.

A document is a cover, then sections in reading order; a section of level 1 is a chapter (a new page, an
entry of the contents list), levels 2 and 3 sit inside it. Blocks are plain text, never markup: the writers
escape nothing because nothing here is HTML.
"""
from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # one per category; None where there is no value


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
