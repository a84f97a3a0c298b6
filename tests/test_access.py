"""Every route × every role: who gets what, and a refused request changes nothing."""
import pytest
import sqlalchemy as sa

from conftest import csrf_token, fresh_item
from factories import EvidenceFactory, UpdateFactory
from tracker.catalogue.services import find_agency
from tracker.extensions import db
from tracker.models import ActionItem, Agency, AgencyAlias, Evidence, ItemAgency, Review, Update, User

ROLES = ["anonymous", "agency_responsible", "agency_other", "coordinator", "rapporteur", "admin"]
EVERYONE = {r: 200 for r in ROLES[1:]}


def expect(allowed: dict[str, int], refused: int = 403) -> dict[str, int]:
    return {"anonymous": 302, **{r: allowed.get(r, refused) for r in ROLES[1:]}}


@pytest.fixture
def world(as_role, make_user):
    """Clients for each role, an agency report awaiting review, and a non-confidential evidence file."""
    clients = {
        "agency_responsible": as_role("agency", "NADRA"),  # NADRA leads PAPER-g
        "agency_other": as_role("agency", "Ministry of Foreign Affairs"),
        "coordinator": as_role("coordinator"),
        "rapporteur": as_role("rapporteur"),
        "admin": as_role("admin"),
    }
    from flask import current_app
    clients["anonymous"] = current_app.test_client()
    item = fresh_item("PAPER-g")
    nadra = find_agency("NADRA")
    user = db.session.scalar(sa.select(User).where(User.agency_id == nadra.id))
    update = UpdateFactory(item=item, author=user)
    EvidenceFactory(update=update)
    db.session.commit()
    alias = db.session.scalar(sa.select(AgencyAlias).where(AgencyAlias.agency_id == nadra.id))
    return {
        "clients": clients,
        "ids": {"update": update.id, "agency": nadra.id, "user": user.id, "alias": alias.id,
                "evidence": update.evidence[0].id, "other_agency": find_agency("FIA").id},
    }


GETS = [
    ("/", EVERYONE),
    ("/items", EVERYONE),
    ("/items/PAPER-g", EVERYONE),
    ("/agencies", EVERYONE),
    ("/agencies/{agency}", EVERYONE),
    ("/pillars", EVERYONE),
    ("/pillars/prevention", EVERYONE),
    ("/context", EVERYONE),
    ("/challenges/A", EVERYONE),
    ("/achievements/A", EVERYONE),
    ("/laws/PTPA-2018", EVERYONE),
    ("/items/PAPER-g/update", {"agency_responsible": 200, "coordinator": 200}),
    ("/items/PAPER-g/agencies", {"coordinator": 200}),
    ("/items/PAPER-g/plan", {"coordinator": 200}),
    ("/admin/users", {"admin": 200}),
    ("/admin/users/{user}", {"admin": 200}),
    ("/admin/agencies", {"admin": 200}),
    ("/admin/agencies/{agency}", {"admin": 200}),
]


@pytest.mark.parametrize("path, allowed", GETS, ids=[g[0] for g in GETS])
def test_get_matrix(world, path, allowed):
    path = path.format(**world["ids"])
    expected = expect(allowed)
    got = {role: world["clients"][role].get(path).status_code for role in ROLES}
    assert got == expected


def test_evidence_download_matrix(world):
    # A link has no file to download: everyone who may see it gets a 404, anonymous the login page.
    path = f"/evidence/{world['ids']['evidence']}/download"
    got = {role: world["clients"][role].get(path).status_code for role in ROLES}
    assert got == {"anonymous": 302, **{r: 404 for r in ROLES[1:]}}


def snapshot() -> dict:
    db.session.expire_all()
    counts = {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
              for m in (Update, Review, Evidence, User, Agency, AgencyAlias, ItemAgency)}
    return {
        **counts,
        "versions": db.session.scalar(sa.select(sa.func.sum(ActionItem.version))),
        "users": db.session.execute(sa.select(User.id, User.role, User.active, User.password_hash, User.agency_id)
                                    .order_by(User.id)).all(),
        "agencies": db.session.execute(sa.select(Agency.id, Agency.name).order_by(Agency.id)).all(),
    }


POSTS = [
    ("/items/PAPER-g/update", {"status": "in_progress", "progress": "50", "note": "n"},
     ["agency_responsible", "coordinator"]),
    ("/items/PAPER-g/agencies", {"lead": "{other_agency}"}, ["coordinator"]),
    ("/items/PAPER-g/plan", {"due_date": "2027-01-01", "priority": "high"}, ["coordinator"]),
    ("/items/bulk", {"refs": "PAPER-g", "action": "priority", "priority": "low"}, ["coordinator"]),
    ("/updates/{update}/review", {"verify": "Verify"}, ["coordinator"]),
    ("/admin/users", {"email": "x@example.org", "role": "rapporteur", "password": "longenough1"}, ["admin"]),
    ("/admin/users/{user}", {"role": "rapporteur", "agency": ""}, ["admin"]),
    ("/admin/users/{user}/password", {}, ["admin"]),
    ("/admin/agencies", {"name": "New Body", "kind": "ngo"}, ["admin"]),
    ("/admin/agencies/{agency}", {"agency-name": "Renamed", "agency-kind": "federal_agency"}, ["admin"]),
    ("/admin/agencies/{agency}/aliases", {"alias-alias": "Another"}, ["admin"]),
    ("/admin/agencies/{agency}/aliases/{alias}/remove", {}, ["admin"]),
    ("/admin/agencies/{agency}/merge", {"merge-target": "{other_agency}"}, ["admin"]),
]


@pytest.mark.parametrize("path, data, allowed", POSTS, ids=[p[0] for p in POSTS])
def test_refused_posts_change_nothing(world, path, data, allowed):
    path = path.format(**world["ids"])
    data = {k: v.format(**world["ids"]) for k, v in data.items()}
    before = snapshot()
    for role in ROLES:
        if role in allowed:
            continue
        client = world["clients"][role]
        token = csrf_token(client.get("/login" if role == "anonymous" else "/items").get_data(as_text=True))
        prefixed = {f"{p}-csrf_token": token for p in ("agency", "alias", "merge", "remove")}
        fields = {**data, "csrf_token": token, **prefixed}
        response = client.post(path, data=fields)
        assert response.status_code == (302 if role == "anonymous" else 403), (role, response.status_code)
        if role == "anonymous":
            assert response.headers["Location"].startswith("/login")
        assert snapshot() == before, role
