"""Parts of pages that a process writes once and keeps, by the values they are written from.

A part is written by a function of plain, hashable values (never an ORM object or the request: a template it
renders is given those values alone), so its HTML depends on them and on how the page is written: its language,
its digits and the app's root. Each app keeps the parts it wrote under all of these. A changed value is another
key, so a part is never shown stale: at worst it is written again.

What is kept: the item list's lines (items/lines.py) and its bulk change's fields (coordination/forms.py).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from functools import lru_cache

from flask import Flask, current_app, request
from markupsafe import Markup

from .display import locale
from .i18n import page_digits

# Parts a process keeps, some 2 KB each: a few pages of lines in each language.
PARTS_KEPT = 4096


def remembered(write: Callable[..., str], *values: Hashable) -> Markup:
    """`write(*values)` as HTML, written in this request the first time and kept for the next ones."""
    return remembered_each(write, [values])[0]


def remembered_each(write: Callable[..., str], values: Iterable[tuple]) -> list[Markup]:
    """`write(*these)` for each tuple of values (a list's lines: how the page is written is asked once)."""
    kept, how = current_app.extensions["remembered"], (str(locale()), page_digits(), request.script_root)
    return [kept(write, these, *how) for these in values]


def _written(write: Callable[..., str], values: tuple, _language: str, _digits: str, _root: str) -> Markup:
    # The last three are part of the key only: the request that first asks for a part writes it in them.
    return Markup(write(*values))


def register(app: Flask) -> None:
    # One store per app: two apps in one process (the tests) may write the same part differently.
    app.extensions["remembered"] = lru_cache(maxsize=PARTS_KEPT)(_written)
