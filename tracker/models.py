"""Typed models of the tracker's domain (see docs/domain.md); its enums are in enums.py."""
from __future__ import annotations

import enum
import re
import secrets
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import limits
from .enums import (
    CLOSED_STATUSES,
    PENDING_STAGES,
    AgeGroup,
    AgencyKind,
    AssessmentRating,
    AssignmentRole,
    AuditEventKind,
    Basis,
    Breakdown,
    DeliveryState,
    Direction,
    Exploitation,
    FindingKind,
    FrameworkKind,
    Frequency,
    GenerationState,
    GovernmentResponse,
    IndicatorKind,
    Priority,
    ReminderRule,
    ReportStage,
    ReportStep,
    Role,
    Sex,
    Status,
    UpdateKind,
    UpdateOrigin,
)
from .extensions import db
from .i18n.content import in_language, is_translated

# Every day of the week, as ReminderSettings.weekdays holds them.
WEEKDAYS_ALL = "mon,tue,wed,thu,fri,sat,sun"


def utcnow() -> datetime:
    """Timezone-aware now, called per row (never evaluated once at import)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite returns them without their time zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def normalise_email(email: str) -> str:
    """The form of an e-mail address that accounts are stored and matched under."""
    return email.strip().lower()


def name_key(name: str) -> str:
    """The form of a name used to match it: case-folded, whitespace collapsed, no trailing dot."""
    return re.sub(r"\s+", " ", name).strip().rstrip(".").strip().casefold()


def assign_changed(obj, **values) -> bool:
    """Set the attributes that differ; say whether any did, so that unchanged rows stay clean."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def enum_column(enum_cls: type[enum.Enum], **kwargs) -> sa.Enum:
    """Store an enum as its lower-case value in a VARCHAR, the same on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        **kwargs,
    )


item_relations = sa.Table(
    "item_relations",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("related_id", sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
)


item_laws = sa.Table(
    "item_laws",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("law_id", sa.ForeignKey("laws.id", ondelete="CASCADE"), primary_key=True),
)

item_findings = sa.Table(
    "item_findings",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("finding_id", sa.ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
)


class SourceDocument(db.Model):
    """A document the catalogue is taken from, known to readers by its title (sources name it by file)."""

    __tablename__ = "source_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    file: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(limits.TITLE))
    author: Mapped[str] = mapped_column(sa.String(200), default="")
    year: Mapped[int | None]
    published: Mapped[date | None]
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    @property
    def citation(self) -> str:
        """Title, author and date, as a reference list gives them."""
        when = f"{self.published:%-d %B %Y}" if self.published else (str(self.year) if self.year else "undated")
        return f"{self.title} ({', '.join(part for part in (self.author, when) if part)})"


class Framework(db.Model):
    __tablename__ = "frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(limits.FRAMEWORK_CODE), unique=True)
    name: Mapped[str] = mapped_column(sa.String(limits.FRAMEWORK_NAME), unique=True)
    title: Mapped[str] = mapped_column(sa.String(limits.TITLE))
    # Its name and title in Urdu (seed/catalogue.toml), shown in Urdu pages; empty: the English is shown.
    name_ur: Mapped[str] = mapped_column(sa.String(limits.FRAMEWORK_NAME), default="", server_default="")
    title_ur: Mapped[str] = mapped_column(sa.String(limits.TITLE), default="", server_default="")
    year: Mapped[int | None]
    source_document: Mapped[str] = mapped_column(sa.String(120), default="")
    source_date: Mapped[date | None]
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[FrameworkKind] = mapped_column(enum_column(FrameworkKind), default=FrameworkKind.PLAN,
                                                server_default=FrameworkKind.PLAN.value)
    # Its aim, quoted verbatim from its source document, and where there (for a plan known only by its description).
    aim: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    aim_locator: Mapped[str] = mapped_column(sa.String(limits.LOCATOR), default="", server_default="")
    # The plan whose framework the four pillars are (the NAP 2021–2025's 4P).
    source_of_pillars: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    position: Mapped[int] = mapped_column(default=0)
    # When the tracker took it in (by the seed or an import): what "new frameworks" between two dates reads.
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    items: Mapped[list[ActionItem]] = relationship(back_populates="framework")

    @property
    def is_recommendations(self) -> bool:
        return self.kind == FrameworkKind.RECOMMENDATIONS

    @property
    def shown_name(self) -> str:
        """Its name in the request's language: the Urdu name in an Urdu page when it has one."""
        return in_language(self.name, self.name_ur)

    @property
    def shown_title(self) -> str:
        return in_language(self.title, self.title_ur)


class Pillar(db.Model):
    __tablename__ = "pillars"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    name_ur: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    items: Mapped[list[ActionItem]] = relationship(back_populates="pillar")

    @property
    def shown_name(self) -> str:
        """Its name in the request's language (روک تھام for Prevention in an Urdu page)."""
        return in_language(self.name, self.name_ur)


class Province(db.Model):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name_ur: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")

    @property
    def shown_name(self) -> str:
        return in_language(self.name, self.name_ur)


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(limits.AGENCY_NAME), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(limits.AGENCY_SHORT_NAME), default="")
    # Its name as it writes it in Urdu (seed/agencies.toml), where known; empty: Urdu pages show the English.
    name_ur: Mapped[str] = mapped_column(sa.String(limits.AGENCY_NAME), default="", server_default="")
    kind: Mapped[AgencyKind] = mapped_column(enum_column(AgencyKind))
    province_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provinces.id"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # Where the catalogue's agency comes from: the source documents that name it (file names, separated by
    # commas), or, for a body no document names, why the curators added it. An admin's own agency has neither.
    named_in: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    curated: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    province: Mapped[Province | None] = relationship()
    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="units")
    units: Mapped[list[Agency]] = relationship(back_populates="parent", order_by="Agency.name")
    aliases: Mapped[list[AgencyAlias]] = relationship(
        back_populates="agency", cascade="all, delete-orphan", order_by="AgencyAlias.alias"
    )
    assignments: Mapped[list[ItemAgency]] = relationship(back_populates="agency")

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.short_name})" if self.short_name else self.name

    @property
    def label(self) -> str:
        """The short form used in history notes and tight tables: the short name when it has one."""
        return self.short_name or self.name

    @property
    def shown_name(self) -> str:
        """Its name in the request's language: the Urdu name in an Urdu page when it has one, else the name."""
        return in_language(self.name, self.name_ur)

    @property
    def alias_names(self) -> list[str]:
        """Its other names, as a picker's option carries them (tracker/pickers)."""
        return [alias.alias for alias in self.aliases]

    @property
    def shown_display_name(self) -> str:
        """display_name in the request's language (the short name, an acronym Urdu text keeps, stays beside it)."""
        return f"{self.shown_name} ({self.short_name})" if self.short_name else self.shown_name

    @property
    def source_documents(self) -> list[str]:
        """The file names of the source documents that name it (seed/README.md, "named_in")."""
        return [name for name in self.named_in.split(",") if name]


class AgencyAlias(db.Model):
    """Another name a document uses for an agency ("DG FIA" for the FIA)."""

    __tablename__ = "agency_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(sa.String(limits.AGENCY_NAME))
    key: Mapped[str] = mapped_column(sa.String(limits.AGENCY_NAME), unique=True)

    agency: Mapped[Agency] = relationship(back_populates="aliases")


class ActionItem(db.Model):
    """One thing to be done, as a plan states it."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(limits.REF), unique=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("frameworks.id"), index=True)
    pillar_id: Mapped[int] = mapped_column(sa.ForeignKey("pillars.id"), index=True)
    pillar_basis: Mapped[Basis] = mapped_column(enum_column(Basis), default=Basis.ASSIGNED)
    position: Mapped[int] = mapped_column(default=0)
    # A copy of its framework's position, kept by items/ordering.py: document order (the framework's position, then
    # the item's) is then one index on this table, and a page of the list reads 50 rows of it, not sorts them all.
    framework_position: Mapped[int] = mapped_column(default=0, server_default="0")
    label: Mapped[str] = mapped_column(sa.String(20), default="")
    section: Mapped[str] = mapped_column(sa.String(limits.SECTION), default="")
    title: Mapped[str] = mapped_column(sa.String(limits.TITLE))
    # The short title translated into Urdu (seed/items/*.toml); the verbatim source text stays as written.
    title_ur: Mapped[str] = mapped_column(sa.String(limits.TITLE), default="", server_default="")
    text: Mapped[str] = mapped_column(sa.Text)
    locator: Mapped[str] = mapped_column(sa.String(limits.LOCATOR), default="")
    responsibility_text: Mapped[str] = mapped_column(sa.Text, default="")
    province_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provinces.id"), index=True)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.NOT_STARTED, index=True)
    status_derived: Mapped[bool] = mapped_column(default=False)
    progress: Mapped[int] = mapped_column(default=0)
    due_date: Mapped[date | None] = mapped_column(index=True)
    due_derived: Mapped[bool] = mapped_column(default=False)
    due_note: Mapped[str] = mapped_column(sa.String(200), default="")
    priority: Mapped[Priority | None] = mapped_column(enum_column(Priority))
    last_update_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    # Status and progress are the *official* state: a coordinator's own update, or an agency's report
    # once verified. When and by whom it became so (empty for a state derived from the source).
    verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # A recommendation's: the government's response, and the year of the review cycle that made it.
    response: Mapped[GovernmentResponse | None] = mapped_column(enum_column(GovernmentResponse), index=True)
    cycle: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        # The list's orders, each read from an index with LIMIT (items/services.py, _ordering): the same
        # expressions, in the same order, as its ORDER BY.
        sa.Index("ix_action_items_document_order", "framework_position", "position", "id"),
        sa.Index("ix_action_items_due_order", sa.text("(due_date IS NULL)"), "due_date", "framework_position",
                 "position", "id"),
        sa.Index("ix_action_items_updated_order", sa.text("(last_update_at IS NULL)"), sa.text("last_update_at DESC"),
                 "framework_position", "position", "id"),
    )
    # Optimistic locking: a save based on a stale version raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}

    framework: Mapped[Framework] = relationship(back_populates="items")
    pillar: Mapped[Pillar] = relationship(back_populates="items")
    province: Mapped[Province | None] = relationship()
    verified_by: Mapped[User | None] = relationship()
    reports: Mapped[list[Report]] = relationship(back_populates="item", order_by="Report.id")
    assignments: Mapped[list[ItemAgency]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemAgency.id"
    )
    updates: Mapped[list[Update]] = relationship(
        back_populates="item", order_by="(Update.created_at.desc(), Update.id.desc())"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="item", order_by="(Evidence.as_of.desc(), Evidence.id.desc())"
    )
    laws: Mapped[list[Law]] = relationship(secondary=item_laws, back_populates="items", order_by="Law.year")
    findings: Mapped[list[Finding]] = relationship(
        secondary=item_findings, back_populates="items", order_by="(Finding.kind, Finding.code)"
    )
    indicators: Mapped[list[Indicator]] = relationship(secondary="indicator_items", back_populates="items",
                                                       order_by="Indicator.code")
    # The rapporteur's, newest year first and, within a year, the standing one first.
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="item", order_by="(Assessment.year.desc(), Assessment.id.desc())", passive_deletes=True
    )
    related: Mapped[list[ActionItem]] = relationship(
        secondary=item_relations,
        primaryjoin=lambda: ActionItem.id == item_relations.c.item_id,
        secondaryjoin=lambda: ActionItem.id == item_relations.c.related_id,
        order_by=lambda: ActionItem.ref,
    )
    # The earlier recommendations this one repeats, and the later ones that repeat it (confirmed by a user).
    repeats: Mapped[list[RecommendationRepeat]] = relationship(
        foreign_keys="RecommendationRepeat.item_id", back_populates="item", passive_deletes=True,
        order_by="RecommendationRepeat.id")
    repeated_by: Mapped[list[RecommendationRepeat]] = relationship(
        foreign_keys="RecommendationRepeat.earlier_id", back_populates="earlier", passive_deletes=True,
        order_by="RecommendationRepeat.id")

    @property
    def shown_title(self) -> str:
        """The title to show in the request's language: the Urdu translation in an Urdu page when the item has
        one, else the English title. Templates show it with its translation mark (_macros/content.html)."""
        return in_language(self.title, self.title_ur)

    @property
    def title_translated(self) -> bool:
        """Whether shown_title is a translation (an Urdu page and an Urdu title)."""
        return is_translated(self.title_ur)

    @property
    def review_cycle(self) -> int | None:
        """A recommendation's cycle: its own, else its set's year (the paper's a–x are of 2024); None for a plan's
        item. What repeats are matched and "recurring since" is told by (in SQL: coalesce(cycle, frameworks.year),
        as cycles/repeats.py and cycles/services.py read it)."""
        if self.framework.kind != FrameworkKind.RECOMMENDATIONS:
            return None
        return self.cycle if self.cycle is not None else self.framework.year

    @property
    def lead(self) -> ItemAgency | None:
        return next((a for a in self.assignments if a.role == AssignmentRole.LEAD), None)

    @property
    def supporting(self) -> list[ItemAgency]:
        return [a for a in self.assignments if a.role == AssignmentRole.SUPPORTING]

    @property
    def pending_reports(self) -> list[Report]:
        """The agencies' reports awaiting a decision, oldest first."""
        return [report for report in self.reports if report.stage.is_pending]

    @hybrid_property
    def is_open(self) -> bool:
        """Neither completed nor superseded."""
        return not self.status.is_closed

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> sa.ColumnElement[bool]:
        return cls.status.not_in(CLOSED_STATUSES)

    @hybrid_method
    def is_overdue(self, today: date | None = None) -> bool:
        """Derived, never stored: a past due date on an item still open (not closed)."""
        today = today or date.today()
        return self.due_date is not None and self.due_date < today and self.is_open

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls, today: date | None = None) -> sa.ColumnElement[bool]:
        """The same rule in SQL, for filters, counts and reminders."""
        return cls.overdue_with(cls.status, today or date.today())

    @classmethod
    def overdue_with(cls, status: sa.ColumnElement, today: date) -> sa.ColumnElement[bool]:
        """The overdue rule in SQL for a status read elsewhere than the item's own column: the official
        status at a past moment, read from the history (items.history.official_states)."""
        return sa.and_(cls.due_date.is_not(None), cls.due_date < today, status.not_in(CLOSED_STATUSES))


class SearchDocument(db.Model):
    """What the search reads of an item: its ref and title, its source text, the verified notes of its history and
    the names of its agencies. search/documents.py is the one writer, after every change to any of them; SQLite's
    FTS5 table `search_fts` and PostgreSQL's GIN index (both made beside this table) index it."""

    __tablename__ = "search_documents"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    ref: Mapped[str] = mapped_column(sa.String(limits.REF))
    title: Mapped[str] = mapped_column(sa.String(limits.TITLE))
    body: Mapped[str] = mapped_column(sa.Text)  # the source text, verbatim
    notes: Mapped[str] = mapped_column(sa.Text)
    agencies: Mapped[str] = mapped_column(sa.Text)  # lead and supporting: names, short names and aliases


class Synonym(db.Model):
    """A word or phrase of seed/synonyms.toml: a search for it also finds the others of its group."""

    __tablename__ = "synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_no: Mapped[int] = mapped_column(index=True)
    term: Mapped[str] = mapped_column(sa.String(limits.SYNONYM))


class RecommendationRepeat(db.Model):
    """A recommendation repeats an earlier cycle's: suggested by text similarity when it is imported, and
    recorded only once a user confirmed it (who and when), so that a recurring recommendation is seen as such."""

    __tablename__ = "recommendation_repeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    earlier_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]  # the texts' similarity when it was suggested, 0–100
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    source_name: Mapped[str] = mapped_column(sa.String(120), default="")  # the import that brought it

    __table_args__ = (
        sa.UniqueConstraint("item_id", "earlier_id", name="uq_recommendation_repeats_item_id_earlier_id"),
        sa.CheckConstraint("item_id <> earlier_id", name="not_itself"),
    )

    item: Mapped[ActionItem] = relationship(foreign_keys=[item_id], back_populates="repeats")
    earlier: Mapped[ActionItem] = relationship(foreign_keys=[earlier_id], back_populates="repeated_by")
    confirmed_by: Mapped[User | None] = relationship()


class StagedImport(db.Model):
    """A plan file checked and held while its importer confirms the repeats it suggests; written, or dropped,
    by the confirmation. Kept in the database so that any web worker can take the confirmation."""

    __tablename__ = "staged_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(24))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source_name: Mapped[str] = mapped_column(sa.String(120))
    content: Mapped[str] = mapped_column(sa.Text)
    create_agencies: Mapped[bool] = mapped_column(default=False)
    create_frameworks: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Law(db.Model):
    """A law the documents name, for reference from the items that cite it."""

    __tablename__ = "laws"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    short_name: Mapped[str] = mapped_column(sa.String(80), default="")
    year: Mapped[int | None]
    # "federal", or the province whose law it is.
    province_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provinces.id"))
    repealed: Mapped[bool] = mapped_column(default=False)
    repealed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("laws.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # Where a source document names it, and what that document says of it, verbatim (the P&CHTO's
    # salient features i–v in the 2005 plan).
    source_document: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    locator: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    features: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    province: Mapped[Province | None] = relationship()
    repealed_by: Mapped[Law | None] = relationship(remote_side=[id])
    items: Mapped[list[ActionItem]] = relationship(
        secondary=item_laws, back_populates="laws", order_by="ActionItem.position"
    )

    @property
    def jurisdiction(self) -> str:
        return self.province.name if self.province else "Federal"


class Finding(db.Model):
    """A challenge or an achievement the research paper records, linked to the items that address it."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FindingKind] = mapped_column(enum_column(FindingKind))
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    source_document: Mapped[str] = mapped_column(sa.String(120), default="")
    locator: Mapped[str] = mapped_column(sa.String(300), default="")

    __table_args__ = (sa.UniqueConstraint("kind", "code"),)

    items: Mapped[list[ActionItem]] = relationship(
        secondary=item_findings, back_populates="findings", order_by="ActionItem.position"
    )


indicator_items = sa.Table(
    "indicator_items",
    db.metadata,
    sa.Column("indicator_id", sa.ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
)


class Indicator(db.Model):
    """A result measured over periods — investigations, convictions, victims referred — against a baseline and
    targets, reported by one agency, and linked to the items whose results it measures."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(limits.INDICATOR_CODE), unique=True)
    name: Mapped[str] = mapped_column(sa.String(limits.TITLE))
    definition: Mapped[str] = mapped_column(sa.Text, default="")
    unit: Mapped[str] = mapped_column(sa.String(limits.UNIT), default="")
    kind: Mapped[IndicatorKind] = mapped_column(enum_column(IndicatorKind))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction), default=Direction.HIGHER)
    pillar_id: Mapped[int] = mapped_column(sa.ForeignKey("pillars.id"), index=True)
    # The agency that reports its values.
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    means_of_verification: Mapped[str] = mapped_column(sa.Text, default="")
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency), default=Frequency.QUARTERLY)
    # The breakdowns its values are reported by, as Breakdown codes separated by commas ("province,sex").
    breakdowns: Mapped[str] = mapped_column(sa.String(80), default="")
    # The baseline, when a source gives one: empty otherwise, never invented.
    baseline_value: Mapped[float | None]
    baseline_period: Mapped[str] = mapped_column(sa.String(limits.PERIOD), default="")
    baseline_source: Mapped[str] = mapped_column(sa.Text, default="")
    origin: Mapped[UpdateOrigin] = mapped_column(enum_column(UpdateOrigin), default=UpdateOrigin.USER)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Retired, never deleted once it has values: its history stays readable.
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    pillar: Mapped[Pillar] = relationship()
    agency: Mapped[Agency | None] = relationship()
    items: Mapped[list[ActionItem]] = relationship(secondary=indicator_items, order_by="ActionItem.ref",
                                                   back_populates="indicators")
    targets: Mapped[list[IndicatorTarget]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorTarget.period")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", order_by="(IndicatorValue.period, IndicatorValue.id)")

    @property
    def breakdown_list(self) -> list[Breakdown]:
        return [Breakdown(code) for code in self.breakdowns.split(",") if code]

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class IndicatorTarget(db.Model):
    """What an indicator should reach by the end of a period (a year's target may stand for the plan's end)."""

    __tablename__ = "indicator_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(limits.PERIOD))
    value: Mapped[float]

    __table_args__ = (sa.UniqueConstraint("indicator_id", "period"),)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class BreakdownCell:
    """A breakdown cell of an indicator's value: a province, a sex, an age group, a form of exploitation —
    each empty where the value is not broken down by it; all empty for the total."""

    province_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provinces.id"))
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex))
    age: Mapped[AgeGroup | None] = mapped_column(enum_column(AgeGroup))
    exploitation: Mapped[Exploitation | None] = mapped_column(enum_column(Exploitation))

    @declared_attr
    def province(cls) -> Mapped[Province | None]:
        return relationship()

    @property
    def cell(self) -> dict[str, str]:
        """The cell as codes: {"province": "SD", "exploitation": "bonded_labour"}; {} for the total."""
        cell = {"province": self.province.code if self.province else None, "sex": self.sex, "age": self.age,
                "exploitation": self.exploitation}
        return {name: getattr(value, "value", value) for name, value in cell.items() if value is not None}


class IndicatorValue(BreakdownCell, db.Model):
    """One value of an indicator for a period and a breakdown cell.

    Values from the source documents are dated data points with their source; an agency's values count
    once a coordinator verifies the report that carried them (`report`).
    """

    __tablename__ = "indicator_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(limits.PERIOD), index=True)
    value: Mapped[float]
    origin: Mapped[UpdateOrigin] = mapped_column(enum_column(UpdateOrigin), default=UpdateOrigin.USER)
    as_of: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    source_document: Mapped[str] = mapped_column(sa.String(120), default="")
    locator: Mapped[str] = mapped_column(sa.String(300), default="")
    # Identifies a value from the sources, so that seeding again refreshes it rather than adding it twice.
    seed_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # The verified report it came from (an agency's values), or the coordinator's own entry.
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="values")
    report: Mapped[Report | None] = relationship()


class SectionNote(db.Model):
    """A line of a plan's section that observes rather than commits: kept, but not tracked."""

    __tablename__ = "section_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("frameworks.id"), index=True)
    section: Mapped[str] = mapped_column(sa.String(300))
    label: Mapped[str] = mapped_column(sa.String(20), default="")
    text: Mapped[str] = mapped_column(sa.Text)
    locator: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("framework_id", "section", "label"),)

    framework: Mapped[Framework] = relationship()


class ItemAgency(db.Model):
    """An agency made responsible for an item, as lead or supporting."""

    __tablename__ = "item_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    role: Mapped[AssignmentRole] = mapped_column(enum_column(AssignmentRole))
    basis: Mapped[Basis] = mapped_column(enum_column(Basis))
    # Set when a coordinator made the assignment; curated (seeded) rows leave it empty.
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("item_id", "agency_id"),)

    item: Mapped[ActionItem] = relationship(back_populates="assignments")
    agency: Mapped[Agency] = relationship(back_populates="assignments")
    assigned_by: Mapped[User | None] = relationship()


class Update(db.Model):
    """An entry of an item's history. Rows are only ever added."""

    __tablename__ = "updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    origin: Mapped[UpdateOrigin] = mapped_column(enum_column(UpdateOrigin), default=UpdateOrigin.USER)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    status_before: Mapped[Status] = mapped_column(enum_column(Status))
    status_after: Mapped[Status] = mapped_column(enum_column(Status))
    progress_before: Mapped[int] = mapped_column(default=0)
    progress_after: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    source_document: Mapped[str] = mapped_column(sa.String(120), default="")
    kind: Mapped[UpdateKind] = mapped_column(enum_column(UpdateKind), default=UpdateKind.PROGRESS)
    # The agency the author reported for, kept even if the user later moves on.
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    # The item's version once this update was saved: what changed since version N is every later one.
    item_version: Mapped[int | None]
    # A step of the reporting cycle (or a coordinator's official update), and the report it concerns.
    step: Mapped[ReportStep | None] = mapped_column(enum_column(ReportStep))
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id", ondelete="SET NULL"), index=True)
    # Why a completed or superseded item was reopened.
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    item: Mapped[ActionItem] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    report: Mapped[Report | None] = relationship(back_populates="entries")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="update", order_by="Evidence.id")


class MonthlyHistoryCount(db.Model):
    """Per month of the history, the items completed and the reports made in it: the dashboard's chart over time
    for the whole plan, kept as entries are written (items/monthly_counts.py) instead of read from every entry."""

    __tablename__ = "monthly_history_counts"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)  # YYYY-MM, in UTC
    completed: Mapped[int] = mapped_column(default=0, server_default="0")
    reported: Mapped[int] = mapped_column(default=0, server_default="0")


class CatalogueVersion(db.Model):
    """One row: a counter that moves, in the transaction of the change, whenever what pages read of the whole
    catalogue changes (agencies and their names, frameworks, pillars, provinces, which of them have items, the
    responses and cycles items carry, whether a recommendation repeats another). Processes keep what they read of
    it until it moves (catalogue/version.py)."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0, server_default="0")


# A schema made by create_all starts with the row, as the migration makes it.
sa.event.listen(CatalogueVersion.__table__, "after_create",
                sa.DDL("INSERT INTO catalogue_version (id, version) VALUES (1, 0)"))


class Assessment(db.Model):
    """The National Rapporteur's independent assessment of an item for a reporting year: a rating and its reason,
    beside the item's official status, which it never changes. Rows are only ever added: the latest for an item
    and a year is the one that stands, earlier ones stay readable (assessments/services.py is the one writer).
    """

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(index=True)
    rating: Mapped[AssessmentRating] = mapped_column(enum_column(AssessmentRating))
    reason: Mapped[str] = mapped_column(sa.String(limits.ASSESSMENT_REASON))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    # Which assessment of an item and a year stands (the latest) is looked up by these.
    __table_args__ = (sa.Index("ix_assessments_item_id_year", "item_id", "year"),)

    item: Mapped[ActionItem] = relationship(back_populates="assessments")
    author: Mapped[User] = relationship()

    @property
    def when(self) -> datetime:
        return as_utc(self.created_at)


@sa.event.listens_for(Assessment, "before_update")
@sa.event.listens_for(Assessment, "before_delete")
def _assessments_are_never_changed(_mapper, _connection, target: Assessment) -> None:
    """Append-only: a later assessment of the same item and year supersedes an earlier one, never edits it."""
    raise RuntimeError(f"assessment {target.id} is append-only: it is never updated or deleted")


class CoverageLink(db.Model):
    """A recommendation addressed by a plan's action, with a one-line reason saying how (see docs/domain.md).

    Directed, from a recommendation (an item of a recommendations framework) to an action (an item of a plan),
    and apart from "related items". Curated in seed/coverage.toml (origin source, no user) or added by a
    coordinator (coverage/services.py is the one writer). A curated link a coordinator removes is kept, marked
    removed, so that loading the seed again does not bring it back; a user's is deleted.
    """

    __tablename__ = "coverage_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by the pair's unique key, whose first column it is.
    recommendation_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(limits.COVERAGE_REASON))
    origin: Mapped[UpdateOrigin] = mapped_column(enum_column(UpdateOrigin), default=UpdateOrigin.USER)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.UniqueConstraint("recommendation_id", "action_id", name="uq_coverage_links_pair"),
        sa.CheckConstraint("recommendation_id <> action_id", name="not_to_itself"),
    )

    recommendation: Mapped[ActionItem] = relationship(foreign_keys=[recommendation_id])
    action: Mapped[ActionItem] = relationship(foreign_keys=[action_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

    @hybrid_property
    def active(self) -> bool:
        """Not removed: what the pages, exports and the API count."""
        return self.removed_at is None

    @active.inplace.expression
    @classmethod
    def _active_expression(cls) -> sa.ColumnElement[bool]:
        return cls.removed_at.is_(None)

    @property
    def curated(self) -> bool:
        return self.origin == UpdateOrigin.SOURCE


class Report(db.Model):
    """An agency's report: on an item, the status and progress it claims; on an indicator, a period's values.

    A focal person's report waits for the agency's validator (if it has one), then for a coordinator;
    only a coordinator's verification makes it count. Each step of an item's report is an entry of the
    item's history; each decision on either kind is in the audit log.
    What was reported is never edited: a correction is a new report (`corrects`).
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(limits.PERIOD), default="", server_default="")
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[Status | None] = mapped_column(enum_column(Status))
    progress: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    stage: Mapped[ReportStage] = mapped_column(enum_column(ReportStage), index=True)
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # When it reached its current stage: how long it has waited there.
    stage_since: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    # The latest decision on it.
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # The returned or replaced report this one corrects.
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id"))
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="report_progress_range"),
        # At most one report per agency and item awaits a decision, however many people submit at once.
        sa.Index("uq_reports_one_pending", "item_id", "agency_id", unique=True,
                 sqlite_where=sa.text("stage IN ('validation', 'coordination')"),
                 postgresql_where=sa.text("stage IN ('validation', 'coordination')")),
        # … and per agency, indicator and period.
        sa.Index("uq_reports_one_pending_values", "indicator_id", "period", "agency_id", unique=True,
                 sqlite_where=sa.text("stage IN ('validation', 'coordination')"),
                 postgresql_where=sa.text("stage IN ('validation', 'coordination')")),
        sa.CheckConstraint("(item_id IS NULL) <> (indicator_id IS NULL)", name="report_of_one_thing"),
    )
    # Two decisions at once: the second one's UPDATE … WHERE version = n finds nothing and fails.
    __mapper_args__ = {"version_id_col": version}

    item: Mapped[ActionItem | None] = relationship(back_populates="reports")
    indicator: Mapped[Indicator | None] = relationship()
    values: Mapped[list[ReportValue]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                     order_by="ReportValue.id")
    agency: Mapped[Agency] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    corrects: Mapped[Report | None] = relationship(remote_side=[id])
    entries: Mapped[list[Update]] = relationship(back_populates="report", order_by="Update.id")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="report", order_by="Evidence.id")

    @hybrid_property
    def is_pending(self) -> bool:
        return self.stage.is_pending

    @is_pending.inplace.expression
    @classmethod
    def _is_pending_expression(cls) -> sa.ColumnElement[bool]:
        return cls.stage.in_(PENDING_STAGES)

    @property
    def subject(self) -> str:
        """What it reports on, in a few words: an item's ref, or an indicator's code and period."""
        return self.item.ref if self.item else f"{self.indicator.code} {self.period}"

    @property
    def subject_title(self) -> str:
        return self.item.title if self.item else self.indicator.name


class ReportValue(BreakdownCell, db.Model):
    """One value of an indicator report, for one breakdown cell: counted once the report is verified."""

    __tablename__ = "report_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    value: Mapped[float]

    report: Mapped[Report] = relationship(back_populates="values")


class Evidence(db.Model):
    """What backs an update or an indicator's values for a period: a file, a link, a note, a figure; seeded
    evidence cites its source."""

    __tablename__ = "evidence"
    __table_args__ = (
        sa.CheckConstraint("item_id IS NOT NULL OR indicator_id IS NOT NULL", name="backs_something"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    # Or the indicator and period whose values it backs (an agency's report of them, or a coordinator's entry).
    indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(limits.PERIOD), default="", server_default="")
    update_id: Mapped[int | None] = mapped_column(sa.ForeignKey("updates.id"), index=True)
    origin: Mapped[UpdateOrigin] = mapped_column(enum_column(UpdateOrigin), default=UpdateOrigin.USER)
    # Identifies seeded evidence so that re-seeding refreshes it instead of duplicating it.
    seed_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str] = mapped_column(sa.String(limits.LINK), default="")
    value: Mapped[float | None]
    unit: Mapped[str] = mapped_column(sa.String(limits.UNIT), default="")
    as_of: Mapped[date | None]
    source_document: Mapped[str] = mapped_column(sa.String(120), default="")
    locator: Mapped[str] = mapped_column(sa.String(300), default="")
    confidential: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Uploaded files: stored under a generated name outside static/, served only after a check.
    stored_name: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255), default="")
    content_type: Mapped[str] = mapped_column(sa.String(120), default="")
    size: Mapped[int | None]
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The agency that owns confidential evidence (its uploader's), besides the coordinators.
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    # The report it backs; a correction of a returned report takes its evidence over.
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id", ondelete="SET NULL"), index=True)

    item: Mapped[ActionItem | None] = relationship(back_populates="evidence")
    indicator: Mapped[Indicator | None] = relationship()
    update: Mapped[Update | None] = relationship(back_populates="evidence")
    report: Mapped[Report | None] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def backs(self) -> str:
        """What it backs, in a few words: the item's ref, or the indicator's code and period."""
        return self.item.ref if self.item is not None else f"{self.indicator.code} {self.period}"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(limits.EMAIL), unique=True)
    name: Mapped[str] = mapped_column(sa.String(limits.PERSON_NAME), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Reminders by e-mail; turned off, they still appear among the user's notifications.
    email_reminders: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The agency's validating authority (e.g. a Joint Secretary): its focal persons' reports pass
    # through a validator before they reach the coordinators. Agency users only.
    validator: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A password generated for them (the first admin's, or by the reset command): it logs in once, to
    # choose their own.
    temporary_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The interface's language for them (tracker/i18n: "en" or "ur"), and of the e-mails they are sent; none
    # chosen yet, the browser's preference.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    # The digits of figures and dates in Urdu pages, by their CLDR name: "latn" (0123, the default) or "arabext"
    # (Urdu's ۰۱۲۳). None: the default.
    digits: Mapped[str | None] = mapped_column(sa.String(8))

    agency: Mapped[Agency | None] = relationship()

    # The login this request runs under (set by the session loader); Flask-Login keeps its id in the
    # session and remember-me cookies instead of the user's id.
    login_session_id = None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str | None:
        return self.login_session_id

    def set_password(self, password: str, method: str | None = None) -> None:
        self.password_hash = (
            generate_password_hash(password, method=method) if method else generate_password_hash(password)
        )

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.name or self.email


class LoginThrottle(db.Model):
    """Login attempts counted per client address and per e-mail (known or not), shared by every worker.

    A row is claimed with one atomic UPDATE before the password is checked (see auth.throttle), so
    attempts in parallel cannot get past the limit.
    """

    __tablename__ = "login_throttles"

    # "ip:<address>" or "email:<normalised e-mail>".
    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # Seconds since the epoch: compared and advanced in SQL the same way on SQLite and PostgreSQL.
    next_allowed_at: Mapped[float] = mapped_column(sa.Float, default=0.0)
    last_attempt_at: Mapped[float] = mapped_column(sa.Float, default=0.0)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class UserSession(db.Model):
    """A login: the id the session and remember-me cookies carry, checked on every request.

    Ending it (logout) or all of a user's (log out everywhere, a password reset, a role change,
    deactivation) makes every copy of those cookies worthless at once.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, default=new_session_id)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A bearer token for the API. Only its SHA-256 is kept: the secret is shown once, when made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(limits.TOKEN_NAME), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class ReminderSettings(db.Model):
    """The reminder schedule and thresholds: one row, edited by admins."""

    __tablename__ = "reminder_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    hour: Mapped[int] = mapped_column(default=8)
    minute: Mapped[int] = mapped_column(default=0)
    # The days of the week it runs on, as "mon,wed,fri" in the week's order (reminders/schedule.py).
    weekdays: Mapped[str] = mapped_column(sa.String(27), default=WEEKDAYS_ALL, server_default=WEEKDAYS_ALL)
    timezone: Mapped[str] = mapped_column(sa.String(60), default="Asia/Karachi")
    due_soon_days: Mapped[int] = mapped_column(default=14)
    stale_days: Mapped[int] = mapped_column(default=90)
    # Validators and coordinators are reminded of reports that waited longer than this for them.
    report_wait_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # When an admin last saved them (the first-run checklist's "set the reminder schedule"), and who.
    saved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    saved_by: Mapped[User | None] = relationship()


class ReminderLog(db.Model):
    """Every reminder given: the unique key makes sure the same one is never given twice."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[ReminderRule] = mapped_column(enum_column(ReminderRule))
    # "item:<id>" or "summary": a plain column, since NULLs would not take part in the unique key.
    subject_key: Mapped[str] = mapped_column(sa.String(40))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id", ondelete="SET NULL"))
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(24))
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState))
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    error: Mapped[str] = mapped_column(sa.Text, default="")
    # The Message-ID of the e-mail that carries this reminder, the same on every attempt.
    message_id: Mapped[str] = mapped_column(sa.String(250), default="", server_default="")
    # An admin's last word on an uncertain delivery: "confirmed" or "resend", by whom and when.
    decision: Mapped[str] = mapped_column(sa.String(24), default="", server_default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # When its in-app copy was shown: once, whether the e-mail went out at once, later or never.
    notified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (sa.UniqueConstraint("rule", "subject_key", "recipient_id", "period", name="one_reminder"),)

    item: Mapped[ActionItem | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class MailStatus(db.Model):
    """Whether e-mail goes out: one row, written after every attempt to send (reminders, account links).

    `failing_since` is the first failure of the current run of failures; a message the server accepts
    clears it. A recipient refused alone does not count: the server works, one address does not.
    """

    __tablename__ = "mail_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    failing_since: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(default=0)  # since failing_since
    last_failure_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    last_success_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class SetupStep(db.Model):
    """A step of the first-run checklist that an admin ticks as done (those the data shows are not kept)."""

    __tablename__ = "setup_steps"

    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    done_by: Mapped[User | None] = relationship()


class Notification(db.Model):
    """A message in a user's notifications menu."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


class RapporteurReport(db.Model):
    """A generation of the National Rapporteur's report: the options asked for, its progress, and the Word and PDF
    files once written (kept, so that the same report can be downloaded again)."""

    __tablename__ = "rapporteur_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    # The frameworks' and pillars' codes it covers, comma-separated; empty: all of them.
    frameworks: Mapped[str] = mapped_column(sa.String(400), default="")
    pillars: Mapped[str] = mapped_column(sa.String(200), default="")
    # The language of its headings, labels and fixed sentences (en or ur); the plan's own texts are as written.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    state: Mapped[GenerationState] = mapped_column(enum_column(GenerationState), default=GenerationState.QUEUED,
                                                   index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    step: Mapped[str] = mapped_column(sa.String(200), default="")  # what is being written now
    error: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The files, under generated names in the reports folder, and their sizes.
    docx_name: Mapped[str] = mapped_column(sa.String(80), default="")
    docx_size: Mapped[int | None]
    pdf_name: Mapped[str] = mapped_column(sa.String(80), default="")
    pdf_size: Mapped[int | None]

    requested_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
                      sa.CheckConstraint("period_start <= period_end", name="period_in_order"))

    @property
    def framework_codes(self) -> list[str]:
        return [code for code in self.frameworks.split(",") if code]

    @property
    def pillar_codes(self) -> list[str]:
        return [code for code in self.pillars.split(",") if code]


class AuditEvent(db.Model):
    """A security-relevant event: who, from where, what, to which object. Rows are only ever added.

    `actor` keeps the e-mail as it was known then (for a failed login, the one tried), so an event
    still says who it was after the account changes or goes; audit/services.py is the one writer.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(sa.String(limits.EMAIL), default="")
    address: Mapped[str] = mapped_column(sa.String(limits.CLIENT_ADDRESS), default="")
    event: Mapped[AuditEventKind] = mapped_column(enum_column(AuditEventKind), index=True)
    subject: Mapped[str] = mapped_column(sa.String(limits.AUDIT_SUBJECT), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")

    user: Mapped[User | None] = relationship()

    @property
    def when(self) -> datetime:
        return as_utc(self.created_at)


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _audit_events_are_never_changed(_mapper, _connection, target: AuditEvent) -> None:
    """Append-only: a change to a recorded event is a bug, refused before it reaches the database."""
    raise RuntimeError(f"audit event {target.id} is append-only: it is never updated or deleted")
