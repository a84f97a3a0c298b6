"""The admin's lists of agencies and accounts: searched, filtered and paged in SQL, a fixed number of queries a page."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..catalogue.services import agency_called
from ..enums import Role
from ..extensions import db
from ..models import Agency, Province, User
from ..pickers.options import pickable
from .filters import AgencyFilters, UserFilters


def _words(text: str) -> list[str]:
    return text.split()


def list_agencies(filters: AgencyFilters, page: int, per_page: int):
    """A page of agencies by name: each word of the search in its name, short name or another name."""
    query = db.select(Agency).options(selectinload(Agency.aliases), joinedload(Agency.province)).order_by(Agency.name)
    for word in _words(filters.q):
        query = query.where(agency_called(word))
    if filters.kind:
        query = query.where(Agency.kind == filters.kind)
    if filters.province:
        query = query.where(Agency.province.has(Province.code == filters.province))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def matched_names(agencies: list[Agency], q: str) -> dict[int, str]:
    """For each agency that the search found by another name, that name: the list shows it, so that a search for
    "DG FIA" says why the Federal Investigation Agency is there."""
    words = [word.casefold() for word in _words(q)]
    found = {}
    for agency in agencies if words else []:
        own = f"{agency.name} {agency.short_name}".casefold()
        if all(word in own for word in words):
            continue
        phrase = " ".join(words)
        matching = [alias.alias for alias in agency.aliases
                    if all(word in f"{own} {alias.alias.casefold()}" for word in words)]
        # The name as typed first ("DG FIA", not "Additional DG (Immigration) FIA"), then the shortest.
        matching.sort(key=lambda alias: (phrase not in alias.casefold(), len(alias)))
        if matching:
            found[agency.id] = matching[0]
    return found


def _roles_called(word: str) -> list[Role]:
    return [role for role in Role if word.casefold() in role.label.casefold()]


def list_users(filters: UserFilters, page: int, per_page: int):
    """A page of accounts, the active first, then by role and e-mail: each word of the search in the e-mail, the
    name, the role or a name of the user's agency."""
    query = db.select(User).options(joinedload(User.agency)).order_by(User.active.desc(), User.role, User.email)
    for word in _words(filters.q):
        query = query.where(sa.or_(User.email.icontains(word, autoescape=True),
                                   User.name.icontains(word, autoescape=True),
                                   User.role.in_(_roles_called(word)),
                                   User.agency.has(agency_called(word))))
    if filters.role:
        query = query.where(User.role == Role(filters.role))
    if filters.agency:
        query = query.where(User.agency_id == filters.agency)
    if filters.state:
        query = query.where(User.active.is_(filters.state == "active"))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def agencies_with_users() -> list[Agency]:
    """The agencies some account belongs to: those the users list's agency filter offers."""
    return list(db.session.scalars(pickable(
        db.select(Agency).where(Agency.id.in_(db.select(User.agency_id))).order_by(Agency.name))))
