"""The register of source documents: how pages, exports and the report name a document."""
from __future__ import annotations

from flask import g

from ..extensions import db
from ..models import SourceDocument


def source_documents() -> dict[str, SourceDocument]:
    """Every registered document by file name, read once per request (or job)."""
    if "source_documents" not in g:
        g.source_documents = {row.file: row for row in db.session.scalars(
            db.select(SourceDocument).order_by(SourceDocument.position))}
    return g.source_documents


def source_title(file: str | None) -> str:
    """A document as readers know it: its title; a file the register does not hold (an import's) by its name."""
    if not file:
        return ""
    document = source_documents().get(file)
    return document.title if document else file

