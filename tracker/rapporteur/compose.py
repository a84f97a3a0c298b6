"""The Rapporteur's report composed from the data: what the plan's implementation was in a period, measured.

Every figure is the official, verified state read from the append-only history (`changes_between`,
`official_states`), so a report of a past period says what was true then, whenever it is written. Evidence
marked confidential never appears; neither does anything an agency reported that no coordinator verified.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import format_date as babel_date
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload, selectinload

from ..assessments.filters import AssessmentFilters
from ..assessments.services import current_assessments, disagrees
from ..catalogue.sources import source_documents, source_title
from ..changes.services import Change, Changes, changes_between
from ..dashboard.charts import STATUS_COLOURS
from ..enums import CLOSED_STATUSES, Frequency, Role, Status, UpdateKind, UpdateOrigin
from ..extensions import db
from ..indicators.periods import Period, ended_periods
from ..indicators.rates import Rate, combined_rates
from ..indicators.services import Track, results, series
from ..items.filters import ItemFilters
from ..items.history import day_end, day_start, official_states
from ..models import ActionItem, Agency, Assessment, Evidence, Framework, ItemAgency, Pillar, Update, User
from .document import BarChart, Bullets, Document, Paragraph, Series, Table


def title() -> str:
    """The report's title, in the language it is composed in."""
    return _("Implementation of the National Action Plan against Human Trafficking")


def day(value: date, long: bool = False) -> str:
    """A day as the report writes it, in its language (Babel's month names): 5 Jan 2026, or 5 January 2026."""
    return babel_date(value, "d MMMM y" if long else "d MMM y")


def period_title(options) -> str:
    """The report's period: a calendar year, or its two days."""
    if (options.start.month, options.start.day, options.end.month, options.end.day) == (1, 1, 12, 31) \
            and options.start.year == options.end.year:
        return str(options.start.year)
    return f"{day(options.start)} – {day(options.end)}"
# Charts of single indicators drawn per pillar at most: the rest are in the tables (a plan of hundreds of
# indicators would otherwise be a book of charts).
INDICATOR_CHARTS_PER_PILLAR = 6
NOTE_LIMIT = 600  # characters of a verified note quoted in full; longer ones are cut with an ellipsis


@dataclass
class Scope:
    """The items and pillars a report covers, and their official state at the period's end."""

    pillars: list[Pillar]
    items: list[ActionItem]  # those that existed at the end, in ref order
    state: dict[int, tuple[Status, int]]  # item id → official status and progress at the end
    frameworks: list[Framework]
    assessments: dict[int, Assessment] = field(default_factory=dict)  # item id → the Rapporteur's, standing

    def disagrees(self, item: ActionItem) -> bool:
        """Whether the Rapporteur's assessment disagrees with the official status at the period's end."""
        assessment = self.assessments.get(item.id)
        return assessment is not None and disagrees(self.state[item.id][0], assessment.rating)

    def overdue(self, item: ActionItem, cutoff: date) -> bool:
        return item.due_date is not None and item.due_date < cutoff and self.state[item.id][0] not in CLOSED_STATUSES


def _reader() -> User:
    """Whose eyes the report reads the data with: one who sees no confidential evidence (never saved)."""
    return User(role=Role.RAPPORTEUR, email="report@tracker")


def _scope(options) -> Scope:
    pillars = list(db.session.scalars(sa.select(Pillar).order_by(Pillar.position)))
    if options.pillars:
        pillars = [p for p in pillars if p.code in options.pillars]
    frameworks = list(db.session.scalars(sa.select(Framework).order_by(Framework.position)))
    if options.frameworks:
        frameworks = [f for f in frameworks if f.code in options.frameworks]
    until = day_end(options.end)
    states = official_states(until)
    query = (sa.select(ActionItem, states.c.status, states.c.progress)
             .join(states, states.c.item_id == ActionItem.id)
             .where(ActionItem.created_at < until, ActionItem.pillar_id.in_([p.id for p in pillars]),
                    ActionItem.framework_id.in_([f.id for f in frameworks]))
             .options(joinedload(ActionItem.pillar), joinedload(ActionItem.framework),
                      selectinload(ActionItem.assignments).joinedload(ItemAgency.agency))
             .order_by(ActionItem.ref))
    items, state = [], {}
    for item, status, progress in db.session.execute(query).unique():
        items.append(item)
        state[item.id] = (Status(status), progress)
    # The Rapporteur's assessments of the period's years; of several, the latest year's.
    assessments = {}
    for year in range(options.start.year, options.end.year + 1):
        for assessment in current_assessments(AssessmentFilters(year=year)):
            if assessment.item_id in state:
                assessments[assessment.item_id] = assessment
    return Scope(pillars, items, state, frameworks, assessments)


def _by_pillar(changes: Changes, refs: set[str], pillars: list[Pillar]) -> dict[str, dict[str, list[Change]]]:
    """The comparison's rows per pillar, section by section: of the items in scope, and the indicators'. One
    comparison of the whole plan, split here, rather than one per pillar that reads the history each time."""
    grouped = {pillar.code: {section: [] for section in changes.sections} for pillar in pillars}
    for section, rows in changes.sections.items():
        for change in rows:
            if change.pillar is not None and change.pillar.code in grouped and (
                    change.subject != "item" or change.key in refs):
                grouped[change.pillar.code][section].append(change)
    return grouped


def _chunks(items: list[ActionItem], size: int = 500):
    """The items' ids a few hundred at a time: an IN list of a whole national plan is too long for one query."""
    ids = [item.id for item in items]
    return (ids[i:i + size] for i in range(0, len(ids), size))


def _verified_notes(items: list[ActionItem], start: date, end: date) -> dict[int, list[Update]]:
    """The official entries of the period, by item: the notes a coordinator verified (or wrote), oldest first."""
    notes: dict[int, list[Update]] = defaultdict(list)
    for chunk in _chunks(items):
        for entry in db.session.scalars(
            sa.select(Update).where(Update.item_id.in_(chunk), Update.kind == UpdateKind.PROGRESS,
                                    Update.created_at >= day_start(start), Update.created_at < day_end(end))
            .options(joinedload(Update.author), joinedload(Update.agency)).order_by(Update.created_at, Update.id)
        ):
            notes[entry.item_id].append(entry)
    return notes


def _evidence(items: list[ActionItem], start: date, end: date) -> dict[int, list[Evidence]]:
    """The evidence given in the period, by item, confidential evidence left out."""
    found: dict[int, list[Evidence]] = defaultdict(list)
    for chunk in _chunks(items):
        for evidence in db.session.scalars(
            sa.select(Evidence).where(Evidence.item_id.in_(chunk), Evidence.confidential.is_(False),
                                      Evidence.created_at >= day_start(start), Evidence.created_at < day_end(end))
            .order_by(Evidence.created_at, Evidence.id)
        ):
            found[evidence.item_id].append(evidence)
    return found


def source_name(document: str) -> str:
    """A source document as a reader knows it: its title in the register, not its file name."""
    return source_title(document) or _("the sources")


def evidence_line(evidence: Evidence) -> str:
    """Evidence as the report cites it: a figure with its unit and date, a file's name, a link, a note."""
    parts = []
    if evidence.value is not None:
        figure = f"{evidence.value:,g} {evidence.unit}".strip()
        parts.append(_("%(figure)s (as of %(day)s)", figure=figure, day=day(evidence.as_of)) if evidence.as_of
                     else figure)
    if evidence.stored_name:
        parts.append(_("file “%(name)s”", name=evidence.original_name))
    if evidence.url:
        parts.append(evidence.url)
    if evidence.note:
        parts.append(_cut(evidence.note))
    if evidence.source_document:
        source = source_name(evidence.source_document) + (f", {evidence.locator}" if evidence.locator else "")
        parts.append(_("source: %(source)s", source=source))
    # Evidence from the sources is dated by them (as_of, the locator); when the seed loaded it says nothing.
    if evidence.origin == UpdateOrigin.SOURCE:
        return "; ".join(parts)
    return _("%(evidence)s — given %(day)s", evidence="; ".join(parts), day=day(evidence.created_at))


def _count(n: int) -> str:
    return ngettext("%(count)s item", "%(count)s items", n, count=f"{n:,}")


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NOTE_LIMIT else text[:NOTE_LIMIT - 1] + "…"


def _state(value) -> str:
    return _("%(status)s, %(progress)s%%", status=value.status.label, progress=value.progress) \
        if hasattr(value, "status") else str(value)


def _periods(start: date, end: date, today: date) -> list[Period]:
    """The reporting periods that ended within the report's period (and by today): whose rates it gives."""
    last = min(end, today)
    return [p for frequency in (Frequency.QUARTERLY, Frequency.YEARLY)
            for p in ended_periods(frequency, start, last) if p.start >= start and p.end <= end]


def _rate_rows(rates: list[Rate]) -> list[list]:
    return [[r.label, r.expected, r.reported, r.verified, r.on_time, f"{r.verified_share:g}%"] for r in rates]


def rate_columns() -> list[str]:
    """The reporting rates' columns after the first (the agency or the province)."""
    return [_("Expected"), _("Reported"), _("Verified"), _("On time"), _("Verified share")]


def compose(options, today: date, progress) -> Document:
    """The report of the options' period: cover, executive summary, a chapter per pillar, the agencies, and an
    annex with every item and the method. `progress(percent, step)` is told how far it has got."""
    start, end = options.start, options.end
    progress(5, _("Reading the plan as it stood at the end of the period"))
    scope = _scope(options)
    refs = {item.ref for item in scope.items}
    cutoff = min(end, today)
    reader = _reader()
    progress(10, _("Comparing the start and end of the period"))
    by_pillar = _by_pillar(changes_between(start, end, ItemFilters(), reader, today), refs, scope.pillars)
    progress(42, _("Reading the verified notes and the evidence"))
    notes = _verified_notes(scope.items, start, end)
    evidence = _evidence(scope.items, start, end)
    progress(48, _("Counting the reporting rates"))
    rates_by_agency, rates_by_province = combined_rates(_periods(start, end, today))
    tracks = {pillar.code: results(pillar=pillar.code) for pillar in scope.pillars}

    document = Document(
        title=title(),
        subtitle=_("Report of the National Rapporteur · %(period)s", period=period_title(options)),
        cover_lines=[
            _("Period: %(start)s to %(end)s", start=day(start, long=True), end=day(end, long=True)),
            _("Frameworks: %(names)s", names=", ".join(f.name for f in scope.frameworks)),
            _("Pillars: %(names)s", names=", ".join(p.name for p in scope.pillars)),
            _("Written from the tracker's verified records on %(day)s", day=day(today, long=True)),
        ],
        language=getattr(options, "language", "en"),
    )
    progress(52, _("Writing the executive summary"))
    _summary(document, options, scope, by_pillar, tracks, rates_by_agency, rates_by_province, cutoff)
    for n, pillar in enumerate(scope.pillars):
        progress(55 + 10 * n // max(len(scope.pillars), 1), _("Writing the chapter on %(pillar)s", pillar=pillar.name))
        _pillar_chapter(document, pillar, scope, by_pillar[pillar.code], notes, evidence, tracks[pillar.code],
                        start, end)
    progress(66, _("Writing the agencies' sections"))
    _agency_chapter(document, scope, by_pillar, rates_by_agency, cutoff)
    progress(74, _("Writing the annex"))
    _annex(document, scope)
    return document


def _summary(document: Document, options, scope: Scope, by_pillar, tracks, rates_by_agency, rates_by_province,
             cutoff: date) -> None:
    chapter = document.chapter(_("Executive summary"))
    rows, totals = [], Counter()
    for pillar in scope.pillars:
        sections = by_pillar[pillar.code]
        items = [item for item in scope.items if item.pillar_id == pillar.id]
        counts = {"items": len(items), "completed": len(sections["completed"]),
                  "progressed": len(sections["status_changed"]),
                  "overdue": sum(scope.overdue(item, cutoff) for item in items),
                  "complete": sum(scope.state[item.id][0] == Status.COMPLETED for item in items)}
        totals.update(counts)
        rows.append([pillar.name, counts["items"], counts["completed"], counts["progressed"], counts["overdue"],
                     counts["complete"]])
    activity = sum(len(changes) for sections in by_pillar.values() for changes in sections.values())
    if not activity:
        chapter.add(Paragraph(
            _("Nothing was recorded in this period: between %(start)s and %(end)s no item's official status or "
              "progress changed, no item was completed, no evidence was given and no indicator value was verified.",
              start=day(options.start, long=True), end=day(options.end, long=True)), "lead"))
    else:
        chapter.add(Paragraph(
            _("Commitments covered: %(items)s. In the period, %(completed)s verified complete and %(progressed)s "
              "changed official status or progress; %(overdue)s overdue at its end; %(complete)s complete in all.",
              items=f"{totals['items']:,}", completed=_count(totals["completed"]),
              progressed=_count(totals["progressed"]), overdue=_count(totals["overdue"]),
              complete=_count(totals["complete"])), "lead"))
    chapter.add(Table([_("Pillar"), _("Items"), _("Completed in the period"), _("Status or progress changed"),
                       _("Overdue at the end"), _("Complete at the end")],
                      [*rows, [_("All pillars"), totals["items"], totals["completed"], totals["progressed"],
                               totals["overdue"], totals["complete"]]],
                      caption=_("Items by pillar: official, verified states only")))
    by_status = {status: [sum(scope.state[item.id][0] == status for item in scope.items
                              if item.pillar_id == pillar.id) for pillar in scope.pillars] for status in Status}
    chapter.add(BarChart(_("Items by official status at the end of the period"), [p.name for p in scope.pillars],
                         [Series(str(status.label), values, colour=STATUS_COLOURS[status.value])
                          for status, values in by_status.items()], stacked=True,
                         unit=_("items")))
    _assessments(document, scope)
    judged = [t for pillar_tracks in tracks.values() for t in pillar_tracks]
    section = document.section(_("Results against targets"))
    if judged:
        states = Counter(t.state for t in judged)
        section.add(Paragraph(_("%(on)s indicator(s) on track and %(off)s off track of %(count)s in use; "
                                "%(untargeted)s have no target, %(unjudged)s no value to judge by.",
                                on=states["on_track"], off=states["off_track"], count=len(judged),
                                untargeted=states["no_target"], unjudged=states["no_values"] + states["no_total"])))
        section.add(_results_table(judged))
    else:
        section.add(Paragraph(_("No indicator is in use for these pillars.")))
    section = document.section(_("Reporting rates"))
    if rates_by_agency:
        section.add(Paragraph(_("Indicator values expected from each reporting agency in the reporting periods that "
                                "ended within the period, and how many came, were verified and came on time (within "
                                "a month of the period's end).")))
        section.add(Table([_("Agency"), *rate_columns()], _rate_rows(rates_by_agency), caption=_("By agency")))
        if rates_by_province:
            section.add(Table([_("Province"), *rate_columns()], _rate_rows(rates_by_province),
                              caption=_("By province (indicators reported by province)")))
    else:
        section.add(Paragraph(_("No reporting period ended within this period: there is no reporting rate to "
                                "give.")))


def _assessments(document: Document, scope: Scope) -> None:
    """How the Rapporteur rates the commitments, and where that rating and the government's status disagree."""
    section = document.section(_("The Rapporteur's assessments"))
    if not scope.assessments:
        section.add(Paragraph(_("The Rapporteur recorded no assessment of these commitments for the period's "
                                "years.")))
        return
    ratings = Counter(a.rating for a in scope.assessments.values())
    section.add(Paragraph(_("%(count)s commitment(s) assessed: %(ratings)s. The assessment is the Rapporteur's own, "
                            "kept beside the official status and never replacing it.", count=len(scope.assessments),
                            ratings=", ".join(f"{count} {str(rating.label).lower()}"
                                              for rating, count in ratings.items()))))
    disagreeing = [item for item in scope.items if scope.disagrees(item)]
    if disagreeing:
        section.add(Table([_("Item"), _("Government says"), _("Rapporteur says"), _("Why")],
                          [[f"{i.ref} {i.title}", str(scope.state[i.id][0].label),
                            str(scope.assessments[i.id].rating.label), scope.assessments[i.id].reason]
                           for i in disagreeing],
                          caption=_("Where the Rapporteur's assessment and the official status disagree"),
                          widths=[3, 1.4, 1.4, 4]))
    else:
        section.add(Paragraph(_("No assessment disagrees with the official status at the end of the period.")))


def _results_table(tracks: list[Track]) -> Table:
    rows = []
    for t in tracks:
        indicator = t.indicator
        rows.append([f"{indicator.code} {indicator.name}", indicator.unit, t.period or "—",
                     t.actual if t.actual is not None else "—", t.target if t.target is not None else "—",
                     str(t.label)])
    return Table([_("Indicator"), _("Unit"), _("Latest period"), _("Actual"), _("Target"), _("Where it stands")],
                 rows, caption=_("Each indicator's latest verified value against its target"),
                 widths=[4, 2, 1.3, 1.2, 1.2, 2])


def _pillar_chapter(document: Document, pillar: Pillar, scope: Scope, sections: dict[str, list[Change]],
                    notes, evidence, tracks: list[Track], start: date, end: date) -> None:
    chapter = document.chapter(pillar.name)
    if pillar.description:
        chapter.add(Paragraph(pillar.description, "note"))
    changed = sections["status_changed"]
    items = {item.ref: item for item in scope.items if item.pillar_id == pillar.id}
    cited = {ref for ref in items if notes.get(items[ref].id) or evidence.get(items[ref].id)
             or items[ref].id in scope.assessments}
    refs = sorted({c.key for c in changed} | cited)
    section = document.section(_("What changed in the period"))
    if not refs:
        section.add(Paragraph(_("No commitment under %(pillar)s changed its official status or progress, and no "
                                "evidence was given, in this period.", pillar=pillar.name.lower())))
    if sections["completed"]:
        section.add(Paragraph(_("Verified complete in the period: %(refs)s.",
                                refs=", ".join(c.ref for c in sections["completed"]))))
    by_ref = {c.key: c for c in changed}
    for ref in refs:
        item = items[ref]
        entry = document.section(f"{item.ref} {item.title}", 3)
        change = by_ref.get(ref)
        lead = item.lead.agency.label if item.lead else _("no lead agency")
        entry.add(Paragraph(f"{_state(change.before)} → {_state(change.after)}" if change
                            else _("%(state)s (unchanged)", state=_state_of(scope, item)), "lead"))
        entry.add(Paragraph(_("Lead: %(agency)s; due %(day)s", agency=lead, day=day(item.due_date)) if item.due_date
                            else _("Lead: %(agency)s", agency=lead), "note"))
        for note in notes.get(item.id, []):
            who = note.author.display_name if note.author else source_name(note.source_document)
            text = _cut(note.note) if note.note else _("(no note)")
            if note.agency and note.author:
                entry.add(Paragraph(_("%(day)s, %(who)s (reported by %(agency)s): %(text)s", day=day(note.created_at),
                                      who=who, agency=note.agency.label, text=text), "quote"))
            else:
                entry.add(Paragraph(_("%(day)s, %(who)s: %(text)s", day=day(note.created_at), who=who, text=text),
                                    "quote"))
        if evidence.get(item.id):
            entry.add(Bullets([evidence_line(e) for e in evidence[item.id]]))
        if (assessment := scope.assessments.get(item.id)) is not None:
            if scope.disagrees(item):
                entry.add(Paragraph(_("The Rapporteur's assessment (%(year)s): %(rating)s — disagreeing with the "
                                      "official status. %(reason)s", year=assessment.year,
                                      rating=assessment.rating.label, reason=assessment.reason)))
            else:
                entry.add(Paragraph(_("The Rapporteur's assessment (%(year)s): %(rating)s. %(reason)s",
                                      year=assessment.year, rating=assessment.rating.label,
                                      reason=assessment.reason)))
    _indicators(document, pillar, tracks, start, end)


def _state_of(scope: Scope, item: ActionItem) -> str:
    status, progress = scope.state[item.id]
    return _("%(status)s, %(progress)s%%", status=status.label, progress=progress)


def _indicators(document: Document, pillar: Pillar, tracks: list[Track], start: date, end: date) -> None:
    section = document.section(_("Results: the indicators of %(pillar)s", pillar=pillar.name.lower()))
    if not tracks:
        section.add(Paragraph(_("No indicator measures this pillar yet.")))
        return
    section.add(_results_table(tracks))
    drawn = 0
    for t in tracks:
        if drawn >= INDICATOR_CHARTS_PER_PILLAR:
            section.add(Paragraph(_("Charts are drawn for the first %(count)s indicators with values in the period; "
                                    "the table gives every one.", count=INDICATOR_CHARTS_PER_PILLAR), "note"))
            break
        points = [p for p in series(t.indicator) if start <= Period.parse(p.period).end <= end]
        if not any(p.actual is not None for p in points):
            continue
        drawn += 1
        section.add(BarChart(f"{t.indicator.code} {t.indicator.name}", [p.period for p in points],
                             [Series(_("Actual"), [p.actual for p in points])], unit=t.indicator.unit,
                             line=Series(_("Target"), [p.target for p in points])
                             if any(p.target is not None for p in points) else None))


def _agency_chapter(document: Document, scope: Scope, by_pillar, rates: list[Rate], cutoff: date) -> None:
    chapter = document.chapter(_("The agencies"))
    chapter.add(Paragraph(_("For each agency responsible for a commitment in scope (as lead or in support): its items "
                            "by official status at the end of the period, its reporting rate for indicators, its "
                            "overdue items and the reports returned to it in the period.")))
    items_of: dict[int, list[ActionItem]] = defaultdict(list)
    agencies: dict[int, Agency] = {}
    for item in scope.items:
        for assignment in item.assignments:
            items_of[assignment.agency_id].append(item)
            agencies[assignment.agency_id] = assignment.agency
    returned: dict[int, list[Change]] = defaultdict(list)
    for sections in by_pillar.values():
        for change in sections["report_returned"]:
            for agency in change.agencies[:1]:  # a report is returned to the agency that sent it
                returned[agency.id].append(change)
    rate_of = {rate.label: rate for rate in rates}
    for agency in sorted(agencies.values(), key=lambda a: a.name.lower()):
        section = document.section(agency.name + (f" ({agency.short_name})" if agency.short_name else ""))
        items = items_of[agency.id]
        counts = Counter(scope.state[item.id][0] for item in items)
        section.add(Paragraph(_("%(count)s item(s): %(statuses)s.", count=len(items), statuses=", ".join(
            f"{counts[s]} {str(s.label).lower()}" for s in Status if counts[s]))))
        rate = rate_of.get(agency.label)
        if rate is not None:
            section.add(Paragraph(_("Indicator values: %(expected)s expected, %(reported)s reported, %(verified)s "
                                    "verified (%(share)s%%), %(on_time)s on time.", expected=rate.expected,
                                    reported=rate.reported, verified=rate.verified,
                                    share=f"{rate.verified_share:g}", on_time=rate.on_time)))
        overdue = [item for item in items if scope.overdue(item, cutoff)]
        if overdue:
            section.add(Table([_("Item"), _("Due"), _("Official state")],
                              [[f"{i.ref} {i.title}", day(i.due_date), _state_of(scope, i)] for i in overdue],
                              caption=_("Overdue at the end of the period"), widths=[5, 1.4, 1.6]))
        if returned.get(agency.id):
            section.add(Paragraph(_("Reports returned to it in the period: %(reports)s.", reports="; ".join(
                f"{c.ref} ({day(c.when)})" for c in returned[agency.id]))))


def _annex(document: Document, scope: Scope) -> None:
    document.chapter(_("Annex: every item and the method"))
    document.section(_("Every item, as it stood at the end of the period")).add(
        Table([_("Item"), _("Pillar"), _("Lead"), _("Official state"), _("Due")],
              [[f"{i.ref} {i.title}", i.pillar.name, i.lead.agency.label if i.lead else "—", _state_of(scope, i),
                day(i.due_date) if i.due_date else "—"] for i in scope.items],
              caption=_count(len(scope.items)), widths=[5, 1.4, 1.6, 1.6, 1.2]))
    method = document.section(_("Method"))
    now = datetime.now(UTC)
    method.add(
        Paragraph(_("Figures are the official state of each commitment: a coordinator's own update, an import of the "
                    "plan, or an agency's report once its validator forwarded it and a coordinator verified it. What "
                    "an agency reported and nobody has verified is not counted. Indicator values count once verified "
                    "likewise. Every figure is read from the tracker's append-only history, so a report of a past "
                    "period says what was true then.")),
        Paragraph(_("Evidence marked confidential is left out of this report; so are victims' identities, which the "
                    "tracker never holds.")),
        Paragraph(_("Data sources:")),
        Bullets([f"{f.name}: {f.title}" + (_(", as of %(day)s", day=day(f.source_date, long=True))
                                           if f.source_date else "")
                 for f in scope.frameworks]),
        Paragraph(_("The documents the catalogue is taken from:")),
        Bullets([document.citation for document in source_documents().values()]),
        Paragraph(_("Written on %(day)s at %(time)s UTC from the records as they stood then.",
                    day=day(now, long=True), time=f"{now:%H:%M}"), "note"),
    )
