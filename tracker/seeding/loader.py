"""Write a validated catalogue to the database: add what is new, refresh what is curated.

Users' history is never touched: updates they reported, evidence they attached and agencies a
coordinator assigned stay as they are, and an item's status is taken from the seed only while
no user has reported on it.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from ..enums import AgeGroup, Breakdown, Exploitation, FindingKind, Sex, Status, UpdateKind, UpdateOrigin
from ..extensions import db
from ..items import history
from ..models import (
    ActionItem,
    Agency,
    AgencyAlias,
    CoverageLink,
    Evidence,
    Finding,
    Framework,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    ItemAgency,
    Law,
    Pillar,
    Province,
    SectionNote,
    SourceDocument,
    Synonym,
    Update,
    assign_changed,
    name_key,
)
from .validate import Catalogue, IndicatorRecord, IndicatorValueRecord, ItemRecord, read_catalogue


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated or +self.removed)

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.removed))
        if not kinds:
            return "nothing to change: the database already holds this catalogue"
        parts = []
        for kind in kinds:
            counts = [f"{self.created[kind]} new", f"{self.updated[kind]} refreshed"]
            if self.removed[kind]:
                counts.append(f"{self.removed[kind]} removed")
            parts.append(f"{kind}: {', '.join(counts)}")
        return "; ".join(parts)


def _as_datetime(day) -> datetime | None:
    return datetime.combine(day, time(0, 0), tzinfo=UTC) if day else None


def _evidence_key(item: str, note: str, unit: str, value) -> str:
    return hashlib.sha256(f"{item}|{note}|{unit}|{value}".encode()).hexdigest()[:40]


def indicator_value_key(code: str, period: str, cell: dict[str, str]) -> str:
    """A source value's identity: its indicator, period and breakdown cell, not its figure (which may be corrected)."""
    parts = [code, period] + [f"{b.value}={cell.get(b.value, '')}" for b in Breakdown]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def seed_catalogue(seed_dir: str) -> SeedReport:
    """Validate every seed file, then load them in one transaction."""
    catalogue = read_catalogue(seed_dir)
    try:
        report = load_catalogue(catalogue)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def load_catalogue(catalogue: Catalogue) -> SeedReport:
    """Write a validated catalogue into the current session (the caller commits)."""
    report = SeedReport()
    pillars = _upsert_by_code(Pillar, catalogue.pillars, ("name", "name_ur", "description", "position"), report,
                             "pillars")
    provinces = _upsert_by_code(Province, catalogue.provinces, ("name", "name_ur"), report, "provinces")
    _load_documents(catalogue, report)
    frameworks = _load_frameworks(catalogue, report)
    agencies = _load_agencies(catalogue, provinces, report)
    items = _load_items(catalogue, frameworks, pillars, provinces, agencies, report)
    _load_relations(catalogue, items, report)
    _load_evidence(catalogue, items, report)
    _load_context(catalogue, items, provinces, report)
    _load_section_notes(catalogue, frameworks, report)
    _load_indicators(catalogue, pillars, provinces, agencies, items, report)
    _load_coverage(catalogue, items, report)
    _load_synonyms(catalogue, report)
    db.session.flush()
    return report


def _upsert_by_code(model, records: list[dict], fields: tuple[str, ...], report: SeedReport, kind: str) -> dict:
    existing = {row.code: row for row in db.session.scalars(db.select(model))}
    for record in records:
        values = {key: record.get(key, "") for key in fields}
        row = existing.get(record["code"])
        if row is None:
            row = model(code=record["code"], **values)
            db.session.add(row)
            existing[row.code] = row
            report.created[kind] += 1
        elif assign_changed(row, **values):
            report.updated[kind] += 1
    return existing


def _load_documents(catalogue: Catalogue, report: SeedReport) -> None:
    existing = {row.file: row for row in db.session.scalars(db.select(SourceDocument))}
    for position, record in enumerate(catalogue.documents):
        values = {
            "title": record["title"],
            "author": record.get("author", ""),
            "year": record.get("year"),
            "published": record.get("published"),
            "description": record.get("description", "").strip(),
            "position": position,
        }
        row = existing.get(record["file"])
        if row is None:
            db.session.add(SourceDocument(file=record["file"], **values))
            report.created["source documents"] += 1
        elif assign_changed(row, **values):
            report.updated["source documents"] += 1


def _load_frameworks(catalogue: Catalogue, report: SeedReport) -> dict[str, Framework]:
    existing = {row.code: row for row in db.session.scalars(db.select(Framework))}
    for record in catalogue.frameworks:
        values = {
            "name": record["name"],
            "title": record["title"],
            "name_ur": record.get("name_ur", ""),
            "title_ur": record.get("title_ur", ""),
            "year": record.get("year"),
            "source_document": record.get("source", ""),
            "source_date": record.get("source_date"),
            "description": record.get("description", "").strip(),
            "kind": record["kind"],
            "aim": record["aim"],
            "aim_locator": record["aim_locator"],
            "source_of_pillars": record["source_of_pillars"],
            "position": record["position"],
        }
        row = existing.get(record["code"])
        if row is None:
            row = Framework(code=record["code"], **values)
            db.session.add(row)
            existing[row.code] = row
            report.created["frameworks"] += 1
        elif assign_changed(row, **values):
            report.updated["frameworks"] += 1
    return existing


def _load_agencies(catalogue: Catalogue, provinces: dict, report: SeedReport) -> dict[str, Agency]:
    """Upsert agencies by name; a name an admin has since renamed is found through its alias."""
    by_name = {name_key(a.name): a for a in db.session.scalars(db.select(Agency))}
    alias_rows = {a.key: a for a in db.session.scalars(db.select(AgencyAlias))}
    agencies: dict[str, Agency] = {}
    new_agencies: set[str] = set()
    for record in catalogue.agencies:
        key = name_key(record.name)
        agency = by_name.get(key) or (alias_rows[key].agency if key in alias_rows else None)
        province = provinces[record.province] if record.province else None
        named_in = ",".join(sorted(record.named_in))
        if agency is None:
            agency = Agency(name=record.name, short_name=record.short_name, name_ur=record.name_ur, kind=record.kind,
                            province=province, note=record.note, named_in=named_in, curated=record.curated)
            db.session.add(agency)
            by_name[key] = agency
            new_agencies.add(record.name)
            report.created["agencies"] += 1
        elif assign_changed(agency, short_name=record.short_name, name_ur=record.name_ur, kind=record.kind,
                            province=province, note=record.note, named_in=named_in, curated=record.curated):
            report.updated["agencies"] += 1
        agencies[record.name] = agency
        for alias in record.aliases:
            alias_key = name_key(alias)
            if alias_key in alias_rows or alias_key == name_key(agency.name):
                continue  # kept as it is: an admin may have moved an alias on purpose
            row = AgencyAlias(alias=alias, key=alias_key)
            agency.aliases.append(row)
            alias_rows[alias_key] = row
            report.created["agency aliases"] += 1
    for record in catalogue.agencies:
        parent = agencies[record.parent] if record.parent else None
        if assign_changed(agencies[record.name], parent=parent) and record.name not in new_agencies:
            report.updated["agencies"] += 1
    return agencies


def _load_items(catalogue, frameworks, pillars, provinces, agencies, report) -> dict[str, ActionItem]:
    existing = {
        item.ref: item
        for item in db.session.scalars(
            db.select(ActionItem).options(
                selectinload(ActionItem.assignments).joinedload(ItemAgency.agency),
                selectinload(ActionItem.related),
            )
        )
    }
    reported = set(
        db.session.scalars(
            db.select(Update.item_id).where(Update.origin == UpdateOrigin.USER).distinct()
        )
    )
    source_updates = {
        update.item_id: update
        for update in db.session.scalars(db.select(Update).where(Update.origin == UpdateOrigin.SOURCE))
    }
    # Items whose agencies a coordinator has changed keep them as the coordinator left them.
    user_assigned = set(
        db.session.scalars(db.select(ItemAgency.item_id).where(ItemAgency.assigned_by_id.is_not(None)).distinct())
    ) | set(db.session.scalars(db.select(Update.item_id).where(Update.kind == UpdateKind.ASSIGNMENT).distinct()))
    items: dict[str, ActionItem] = {}
    for record in catalogue.items:
        framework = frameworks[record.framework]
        curated = {
            "framework": framework,
            "pillar": pillars[record.pillar],
            "pillar_basis": record.pillar_basis,
            "position": record.position,
            "label": record.label,
            "section": record.section,
            "title": record.title,
            "title_ur": record.title_ur,
            "text": record.text,
            "locator": record.locator,
            "responsibility_text": record.responsibility,
            "province": provinces[record.province] if record.province else None,
        }
        item = existing.get(record.ref)
        if item is None:
            item = ActionItem(ref=record.ref, **curated)
            db.session.add(item)
            report.created["items"] += 1
            changed = False
        else:
            changed = assign_changed(item, **curated)
        if item.id is None or item.id not in reported:
            changed |= assign_changed(item, status=record.status, status_derived=True, progress=record.progress)
        if item.id is None or item.due_derived or item.due_date is None:
            changed |= assign_changed(item, due_date=record.due_date, due_derived=record.due_date is not None,
                               due_note=record.due_note)
        if record.priority and item.priority is None:
            changed |= assign_changed(item, priority=record.priority)
        if item.id is None or item.id not in user_assigned:
            changed |= _sync_assignments(item, record, agencies, report)
        changed |= _sync_source_update(item, record, framework, source_updates.get(item.id), report)
        if changed and item.id is not None:
            report.updated["items"] += 1
        items[record.ref] = item
    return items


def _sync_assignments(item: ActionItem, record: ItemRecord, agencies: dict, report: SeedReport) -> bool:
    """Make the curated lead and supporting agencies those of the seed, on the basis the seed gives."""
    before = {a.agency for a in item.assignments}
    change = history.assign(item, agencies[record.lead], [agencies[name] for name in record.supporting],
                            record.responsibility_basis)  # the basis of each is set just below
    after = {a.agency for a in item.assignments}
    if after - before:
        report.created["assignments"] += len(after - before)
    if before - after:
        report.removed["assignments"] += len(before - after)
    changed = change.changed
    for assignment in item.assignments:
        changed |= assign_changed(assignment, basis=record.basis_of(assignment.agency.name))
    return changed


def _sync_source_update(item, record: ItemRecord, framework: Framework, update: Update | None, report) -> bool:
    """A status the source states (done, superseded, under way) is the item's first history entry."""
    if record.status == Status.NOT_STARTED or not record.status_note:
        return False
    when = _as_datetime(record.status_as_of or framework.source_date)
    values = {
        "status_before": Status.NOT_STARTED,
        "status_after": record.status,
        "progress_before": 0,
        "progress_after": record.progress,
        "note": record.status_note,
        "source_document": record.status_source or framework.source_document,
    }
    if update is None:
        update = Update(item=item, origin=UpdateOrigin.SOURCE, created_at=when or datetime.now(UTC),
                        **values)
        db.session.add(update)
        report.created["source updates"] += 1
        if item.last_update_at is None:
            item.last_update_at = update.created_at
        return True
    if assign_changed(update, **values):
        report.updated["source updates"] += 1
    return False


def _load_synonyms(catalogue: Catalogue, report: SeedReport) -> None:
    """The synonym list is the seed's alone: replaced whole when it differs."""
    rows = list(db.session.scalars(db.select(Synonym).order_by(Synonym.group_no, Synonym.id)))
    current = [[row.term for row in rows if row.group_no == number]
               for number in dict.fromkeys(row.group_no for row in rows)]
    if current == catalogue.synonyms:
        return
    for row in rows:
        db.session.delete(row)
    for number, terms in enumerate(catalogue.synonyms, start=1):
        db.session.add_all(Synonym(group_no=number, term=term) for term in terms)
    (report.updated if rows else report.created)["synonym groups"] += len(catalogue.synonyms)


def _load_relations(catalogue: Catalogue, items: dict[str, ActionItem], report: SeedReport) -> None:
    """Relations are symmetric: a link stated on either item shows on both."""
    related: dict[str, set[str]] = defaultdict(set)
    for record in catalogue.items:
        for other in record.related:
            related[record.ref].add(other)
            related[other].add(record.ref)
    for ref, item in items.items():
        wanted = sorted(related.get(ref, ()))
        current = sorted(r.ref for r in item.related)
        if current != wanted:
            item.related = [items[other] for other in wanted]
            (report.updated if current else report.created)["related-item lists"] += 1


def _load_evidence(catalogue: Catalogue, items: dict[str, ActionItem], report: SeedReport) -> None:
    existing = {
        row.seed_key: row
        for row in db.session.scalars(db.select(Evidence).where(Evidence.origin == UpdateOrigin.SOURCE))
    }
    wanted = set()
    for record in catalogue.evidence:
        key = _evidence_key(record.item, record.note, record.unit, record.value)
        wanted.add(key)
        values = {
            "item": items[record.item],
            "note": record.note,
            "url": record.url,
            "value": record.value,
            "unit": record.unit,
            "as_of": record.as_of,
            "source_document": record.source,
            "locator": record.locator,
        }
        row = existing.get(key)
        if row is None:
            db.session.add(Evidence(origin=UpdateOrigin.SOURCE, seed_key=key, **values))
            report.created["evidence"] += 1
        elif assign_changed(row, **values):
            report.updated["evidence"] += 1
    # Seeded evidence is curated, not user history: what the seed no longer holds goes.
    for key, row in existing.items():
        if key not in wanted:
            db.session.delete(row)
            report.removed["evidence"] += 1


def _load_context(catalogue: Catalogue, items: dict[str, ActionItem], provinces: dict, report: SeedReport) -> None:
    """Laws, challenges and achievements, each linked to the items that cite or address it."""
    laws = {law.code: law for law in db.session.scalars(db.select(Law).options(selectinload(Law.items)))}
    findings = {
        (finding.kind, finding.code): finding
        for finding in db.session.scalars(db.select(Finding).options(selectinload(Finding.items)))
    }
    law_records = [r for r in catalogue.context if r.kind == "law"]
    for record in law_records:
        values = {
            "name": record.fields["name"],
            "short_name": record.fields["short_name"],
            "year": record.fields["year"],
            "province": provinces.get(record.fields["jurisdiction"]),
            "repealed": record.fields["repealed"],
            "note": record.fields["note"],
            "source_document": record.fields["source"],
            "locator": record.fields["locator"],
            "features": record.fields["features"],
        }
        law = laws.get(record.code)
        if law is None:
            law = laws[record.code] = Law(code=record.code, **values)
            db.session.add(law)
            report.created["laws"] += 1
        elif assign_changed(law, **values):
            report.updated["laws"] += 1
    for record in law_records:
        law = laws[record.code]
        repealed_by = laws[record.fields["repealed_by"]] if record.fields["repealed_by"] else None
        changed = assign_changed(law, repealed_by=repealed_by)
        changed |= _link_items(law, record.items, items)
        if changed and law.id is not None:
            report.updated["laws"] += 1
    for record in catalogue.context:
        if record.kind == "law":
            continue
        kind = FindingKind(record.kind)
        values = {
            "title": record.fields["title"],
            "text": record.fields["text"],
            "source_document": record.fields["source"],
            "locator": record.fields["locator"],
        }
        finding = findings.get((kind, record.code))
        if finding is None:
            finding = findings[(kind, record.code)] = Finding(kind=kind, code=record.code, **values)
            db.session.add(finding)
            report.created[kind.plural] += 1
            _link_items(finding, record.items, items)
        elif assign_changed(finding, **values) | _link_items(finding, record.items, items):
            report.updated[kind.plural] += 1


def _link_items(record, refs: list[str], items: dict[str, ActionItem]) -> bool:
    wanted = [items[ref] for ref in dict.fromkeys(refs)]
    if sorted(i.ref for i in record.items) == sorted(i.ref for i in wanted):
        return False
    record.items = wanted
    return True


def _load_section_notes(catalogue: Catalogue, frameworks: dict[str, Framework], report: SeedReport) -> None:
    existing = {
        (note.framework.code, note.section, note.label): note
        for note in db.session.scalars(db.select(SectionNote).options(selectinload(SectionNote.framework)))
    }
    for record in catalogue.section_notes:
        key = (record["framework"], record["section"], record["label"])
        note = existing.get(key)
        if note is None:
            db.session.add(
                SectionNote(framework=frameworks[record["framework"]], section=record["section"],
                            label=record["label"], text=record["text"], locator=record["locator"],
                            position=record["position"])
            )
            report.created["section notes"] += 1
        elif assign_changed(note, text=record["text"], locator=record["locator"], position=record["position"]):
            report.updated["section notes"] += 1


def _load_indicators(catalogue: Catalogue, pillars: dict, provinces: dict, agencies: dict,
                     items: dict[str, ActionItem], report: SeedReport) -> None:
    """Upsert indicators by code with their items and targets, and their source values by seed key.

    Values users report (origin user) are never read or touched here; a retired indicator stays retired.
    """
    existing = {
        row.code: row
        for row in db.session.scalars(
            db.select(Indicator).options(selectinload(Indicator.items), selectinload(Indicator.targets))
        )
    }
    source_values = {
        row.seed_key: row
        for row in db.session.scalars(db.select(IndicatorValue).where(IndicatorValue.origin == UpdateOrigin.SOURCE))
    }
    wanted: set[str] = set()
    for record in catalogue.indicators:
        curated = _indicator_fields(record, pillars, agencies)
        indicator = existing.get(record.code)
        if indicator is None:
            indicator = existing[record.code] = Indicator(code=record.code, **curated)
            db.session.add(indicator)
            report.created["indicators"] += 1
            changed = False
        else:
            changed = assign_changed(indicator, **curated)
        changed |= _link_items(indicator, record.items, items)
        changed |= _sync_targets(indicator, record.targets)
        if changed and indicator.id is not None:
            report.updated["indicators"] += 1
        for value in record.values:
            key = indicator_value_key(record.code, value.period, value.cell)
            wanted.add(key)
            fields = _indicator_value_fields(indicator, value, provinces)
            row = source_values.get(key)
            if row is None:
                db.session.add(IndicatorValue(origin=UpdateOrigin.SOURCE, seed_key=key, **fields))
                report.created["indicator values"] += 1
            elif assign_changed(row, **fields):
                report.updated["indicator values"] += 1
    # Like seeded evidence, source values are curated: what the seed no longer holds goes.
    for key, row in source_values.items():
        if key not in wanted:
            db.session.delete(row)
            report.removed["indicator values"] += 1


def _indicator_fields(record: IndicatorRecord, pillars: dict, agencies: dict) -> dict:
    baseline_source = record.baseline_source
    if baseline_source and record.baseline_locator:
        baseline_source = f"{baseline_source}, {record.baseline_locator}"
    return {
        "name": record.name,
        "definition": record.definition,
        "unit": record.unit,
        "kind": record.kind,
        "direction": record.direction,
        "pillar": pillars[record.pillar],
        "agency": agencies[record.agency],
        "means_of_verification": record.means_of_verification,
        "frequency": record.frequency,
        "breakdowns": ",".join(b.value for b in record.breakdowns),
        "baseline_value": record.baseline_value,
        "baseline_period": record.baseline_period,
        "baseline_source": baseline_source,
        "origin": UpdateOrigin.SOURCE,
        "position": record.position,
    }


def _indicator_value_fields(indicator: Indicator, record: IndicatorValueRecord, provinces: dict) -> dict:
    cell = record.cell
    return {
        "indicator": indicator,
        "period": record.period,
        "province": provinces[cell["province"]] if "province" in cell else None,
        "sex": Sex(cell["sex"]) if "sex" in cell else None,
        "age": AgeGroup(cell["age"]) if "age" in cell else None,
        "exploitation": Exploitation(cell["exploitation"]) if "exploitation" in cell else None,
        "value": record.value,
        "as_of": record.as_of,
        "note": record.note,
        "source_document": record.source,
        "locator": record.locator,
    }


def _sync_targets(indicator: Indicator, targets: list[tuple[str, float]]) -> bool:
    """Make the indicator's targets the file's, updating a period's value in place (periods are unique)."""
    wanted = dict(targets)
    changed = False
    for target in list(indicator.targets):
        if target.period not in wanted:
            indicator.targets.remove(target)
            changed = True
    current = {target.period: target for target in indicator.targets}
    for period, value in wanted.items():
        if period not in current:
            indicator.targets.append(IndicatorTarget(period=period, value=value))
            changed = True
        else:
            changed |= assign_changed(current[period], value=value)
    return changed


def _load_coverage(catalogue: Catalogue, items: dict[str, ActionItem], report: SeedReport) -> None:
    """Make the curated coverage links the file's: new ones added, reasons refreshed, those it no longer holds
    removed. Links users added are never read or touched here, and a curated link a coordinator removed stays
    removed (its pair is left as it is while the file holds it)."""
    recommendation, action = aliased(ActionItem), aliased(ActionItem)
    existing = {
        (recommendation_ref, action_ref): link
        for link, recommendation_ref, action_ref in db.session.execute(
            sa.select(CoverageLink, recommendation.ref, action.ref)
            .join(recommendation, CoverageLink.recommendation_id == recommendation.id)
            .join(action, CoverageLink.action_id == action.id)
        )
    }
    wanted: set[tuple[str, str]] = set()
    for record in catalogue.coverage:
        pair = (record.recommendation, record.action)
        wanted.add(pair)
        link = existing.get(pair)
        if link is None:
            db.session.add(CoverageLink(recommendation=items[record.recommendation], action=items[record.action],
                                        reason=record.reason, origin=UpdateOrigin.SOURCE))
            report.created["coverage links"] += 1
        elif link.origin == UpdateOrigin.SOURCE and link.active and assign_changed(link, reason=record.reason):
            report.updated["coverage links"] += 1
    # Curated links are not user history: what the file no longer holds goes (a removed one's record with it).
    for pair, link in existing.items():
        if link.origin == UpdateOrigin.SOURCE and pair not in wanted:
            db.session.delete(link)
            report.removed["coverage links"] += 1
