"""Models as the API shows them: plain JSON values, confidential evidence only to those who may see it."""
from __future__ import annotations

from datetime import date, datetime

from flask import url_for

from ..auth.permissions import can_view_evidence
from ..contract import item_row
from ..enums import UpdateOrigin
from ..models import ActionItem, Evidence, Update, User


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def item_json(item: ActionItem, today: date) -> dict:
    """The export contract's columns, plus what an API client needs to follow up and to update safely."""
    # ISO dates whatever the row holds: Flask would otherwise write a date in the HTTP format.
    row = {key: _iso(value) if isinstance(value, (date, datetime)) else value for key, value in item_row(item).items()}
    return {
        **row,
        "overdue": item.is_overdue(today),
        "version": item.version,
        "url": url_for("api.item", ref=item.ref),
    }


def evidence_json(evidence: Evidence) -> dict:
    file = None
    if evidence.stored_name:
        file = {
            "name": evidence.original_name,
            "content_type": evidence.content_type,
            "size": evidence.size,
            "sha256": evidence.sha256,
            "download_url": url_for("progress.download_evidence", evidence_id=evidence.id),
        }
    figure = None
    if evidence.value is not None:
        figure = {"value": evidence.value, "unit": evidence.unit, "as_of": _iso(evidence.as_of)}
    return {
        "id": evidence.id,
        "origin": evidence.origin.value,
        "note": evidence.note,
        "url": evidence.url or None,
        "figure": figure,
        "file": file,
        "source_document": evidence.source_document,
        "locator": evidence.locator,
        "confidential": evidence.confidential,
    }


def visible_evidence(user: User, evidence: list[Evidence]) -> list[dict]:
    return [evidence_json(e) for e in evidence if can_view_evidence(user, e)]


def review_json(update: Update) -> dict | None:
    """Where an agency's report stands; None for entries that are not reports."""
    if not update.is_report:
        return None
    review = update.review
    if review is None:
        return {"state": "awaiting_verification", "comment": "", "reviewer": None, "reviewed_at": None}
    return {
        "state": review.decision.value,
        "comment": review.comment,
        "reviewer": review.reviewer.display_name,
        "reviewed_at": _iso(review.created_at),
    }


def update_json(update: Update, user: User) -> dict:
    """One entry of an item's history."""
    return {
        "id": update.id,
        "created_at": _iso(update.created_at),
        "origin": update.origin.value,
        "kind": update.kind.value,
        # Source-derived entries have no author: the source document speaks.
        "author": update.author.display_name if update.author else None,
        "agency": update.agency.name if update.agency else None,
        "status_before": update.status_before.value,
        "status_after": update.status_after.value,
        "progress_before": update.progress_before,
        "progress_after": update.progress_after,
        "note": update.note,
        "source_document": update.source_document,
        "item_version": update.item_version,
        "review": review_json(update),
        "evidence": visible_evidence(user, update.evidence),
    }


def item_detail_json(item: ActionItem, user: User, today: date) -> dict:
    """An item with its agencies, related items, history (newest first) and the evidence its sources give."""
    return {
        **item_json(item, today),
        "agencies": [
            {
                "id": a.agency_id,
                "name": a.agency.name,
                "short_name": a.agency.short_name,
                "role": a.role.value,
                "basis": a.basis.value,
            }
            for a in item.assignments
        ],
        "related": [related.ref for related in item.related],
        "history": [update_json(update, user) for update in item.updates],
        "source_evidence": visible_evidence(user, [e for e in item.evidence if e.origin == UpdateOrigin.SOURCE]),
    }
