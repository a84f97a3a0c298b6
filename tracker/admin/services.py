"""Rules for managing accounts and agencies."""
from __future__ import annotations

from flask_babel import gettext as _

from ..audit.services import describe_changes, record
from ..auth.passwords import LinkSent, welcome
from ..auth.services import account_state, create_user, end_all_sessions
from ..catalogue.services import find_agency
from ..enums import AgencyKind, AuditEventKind, Role
from ..errors import Invalid
from ..extensions import db
from ..models import Agency, AgencyAlias, Evidence, ItemAgency, Province, Update, User, name_key


def _active_admins() -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True))
    )


def update_user(admin: User, user: User, *, name: str, role: Role, agency: Agency | None, active: bool,
                validator: bool = False) -> User:
    """Change a user's name, role, agency, active state or whether they validate their agency's reports,
    keeping at least one active admin."""
    problems = {}
    if role == Role.AGENCY and agency is None:
        problems["agency"] = _("An agency user needs an agency: choose the one this person reports for.")
    if validator and role != Role.AGENCY:
        problems["validator"] = _("Only an agency user validates an agency's reports.")
    if role != Role.AGENCY:
        agency = None
    losing_admin = user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active)
    if losing_admin and _active_admins() <= 1:
        where = "role" if role != Role.ADMIN else "active"
        problems[where] = _("This is the last active admin: make another admin first.")
    if user.id == admin.id and not active:
        problems["active"] = _("You cannot deactivate your own account.")
    if problems:
        raise Invalid(problems)
    if role != user.role or not active:
        end_all_sessions(user)  # a changed role or a deactivated account starts from a new login
    before = account_state(user)
    was_validator, agency_before = user.validator, user.agency
    user.name, user.role, user.agency, user.active = name.strip(), role, agency, active
    user.validator = validator
    if changes := describe_changes(before, account_state(user)):
        record(AuditEventKind.ACCOUNT_CHANGED, subject=f"user:{user.id}", detail=f"{user.email}: {changes}")
    if validator != was_validator:
        done = "appointed validator of" if validator else "no longer validator of"
        record(AuditEventKind.VALIDATOR_CHANGED, subject=f"user:{user.id}",
               detail=f"{user.email}: {done} {(agency if validator else agency_before).label}")
    db.session.commit()
    return user


def create_account(email: str, role: str, name: str, agency: Agency | None) -> LinkSent:
    """Create an account with no password anyone knows, and e-mail its holder the link to set theirs."""
    user = create_user(email, role, None, name=name, agency_name=agency.name if agency else None)
    return welcome(user)


def _name_taken(name: str, agency: Agency | None = None) -> str | None:
    existing = find_agency(name)
    if existing is not None and existing is not agency:
        return _("“%(name)s” already names %(agency)s.", name=name, agency=existing.name)
    return None


def _check_name_free(name: str, agency: Agency | None = None) -> None:
    if problem := _name_taken(name, agency):
        raise Invalid(problem)


def _agency_problems(name: str, short_name: str, kind: AgencyKind, province: Province | None,
                     parent: Agency | None, agency: Agency | None = None) -> dict[str, str]:
    """What is wrong with an agency's fields, by field, every problem at once."""
    problems = {}
    if not name:
        problems["name"] = _("An agency needs a name.")
    elif taken := _name_taken(name, agency):
        problems["name"] = taken
    if short_name and (taken := _name_taken(short_name, agency)):
        problems["short_name"] = taken
    if agency is not None and parent is agency:
        problems["parent"] = _("An agency cannot be a unit of itself.")
    if kind == AgencyKind.PROVINCIAL_BODY and province is None:
        problems["province"] = _("A provincial body needs its province.")
    return problems


def add_agency(name: str, short_name: str, kind: AgencyKind, province: Province | None,
               parent: Agency | None) -> Agency:
    name = " ".join(name.split())
    if problems := _agency_problems(name, short_name, kind, province, parent):
        raise Invalid(problems)
    agency = Agency(name=name, short_name=short_name.strip(), kind=kind, province=province, parent=parent)
    db.session.add(agency)
    db.session.commit()
    return agency


def edit_agency(agency: Agency, *, name: str, short_name: str, kind: AgencyKind, province: Province | None,
                parent: Agency | None) -> Agency:
    """Rename or reclassify an agency; its old name stays as an alias, so documents still match."""
    name = " ".join(name.split())
    if problems := _agency_problems(name, short_name, kind, province, parent, agency):
        raise Invalid(problems)
    if name_key(name) != name_key(agency.name):
        old = agency.name
        alias = db.session.scalar(db.select(AgencyAlias).where(AgencyAlias.key == name_key(name)))
        if alias is not None:
            db.session.delete(alias)  # the new name is a name now, no longer an alias
            db.session.flush()
        agency.aliases.append(AgencyAlias(alias=old, key=name_key(old)))
    agency.name, agency.short_name, agency.kind = name, short_name.strip(), kind
    agency.province, agency.parent = province, parent
    db.session.commit()
    return agency


def add_alias(agency: Agency, alias: str) -> AgencyAlias:
    alias = " ".join(alias.split())
    if not alias:
        raise Invalid(_("Write the other name."))
    _check_name_free(alias, agency)
    if any(a.key == name_key(alias) for a in agency.aliases) or name_key(alias) == name_key(agency.name):
        raise Invalid(_("“%(name)s” already names %(agency)s.", name=alias, agency=agency.name))
    row = AgencyAlias(alias=alias, key=name_key(alias))
    agency.aliases.append(row)
    db.session.commit()
    return row


def remove_alias(agency: Agency, alias_id: int) -> None:
    alias = db.session.get(AgencyAlias, alias_id)
    if alias is None or alias.agency_id != agency.id:
        raise Invalid(_("That alias does not belong to this agency."))
    db.session.delete(alias)
    db.session.commit()


def merge_agencies(source: Agency, target: Agency) -> int:
    """Fold a duplicate agency into another: its items, users, units and names move; it goes."""
    if source.id == target.id:
        raise Invalid(_("Choose another agency to merge into."))
    moved = 0
    target_items = {a.item_id: a for a in target.assignments}
    for assignment in list(source.assignments):
        kept = target_items.get(assignment.item_id)
        if kept is None:
            assignment.agency = target
        else:
            # Both were on the item: the merged agency keeps the stronger role.
            if assignment.role.value == "lead":
                kept.role = assignment.role
            db.session.delete(assignment)
        moved += 1
    for user in db.session.scalars(db.select(User).where(User.agency_id == source.id)):
        user.agency = target
    for update in db.session.scalars(db.select(Update).where(Update.agency_id == source.id)):
        update.agency = target
    for evidence in db.session.scalars(db.select(Evidence).where(Evidence.agency_id == source.id)):
        evidence.agency_id = target.id
    for unit in list(source.units):
        unit.parent = target if unit is not target else None
    if target.parent is source:
        target.parent = source.parent
    # The duplicate's names become the target's aliases: its own rows move, its names are added.
    known = {name_key(target.name), name_key(target.short_name or "")} | {a.key for a in target.aliases}
    for alias in list(source.aliases):
        if alias.key in known:
            db.session.delete(alias)
        else:
            alias.agency = target
            known.add(alias.key)
    db.session.flush()
    for name in (source.name, source.short_name):
        if name and name_key(name) not in known:
            target.aliases.append(AgencyAlias(alias=name, key=name_key(name)))
            known.add(name_key(name))
    db.session.flush()
    db.session.delete(source)
    db.session.commit()
    return moved


def agency_item_count(agency: Agency) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(ItemAgency).where(ItemAgency.agency_id == agency.id)
    )
