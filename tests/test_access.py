"""Every route × every role: who gets what, and a refused request changes nothing.

ROUTES lists every endpoint of the app's url_map with what each role gets from it. A route that is not
listed fails `test_every_route_is_in_the_matrix`, naming it: add its line here, with its permissions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from conftest import csrf_token, fresh_item
from factories import EvidenceFactory, ReportFactory, UpdateFactory
from tracker.catalogue.services import find_agency
from tracker.enums import GenerationState, IndicatorKind, ReportStage
from tracker.extensions import db
from tracker.models import (
    ActionItem,
    Agency,
    AgencyAlias,
    Assessment,
    AuditEvent,
    CoverageLink,
    Evidence,
    Indicator,
    IndicatorValue,
    ItemAgency,
    RapporteurReport,
    Report,
    Update,
    User,
)

# The validator is NADRA's validating authority; "agency_responsible" is a NADRA focal person.
ROLES = ["anonymous", "agency_responsible", "validator", "agency_other", "coordinator", "rapporteur", "admin"]
USERS = ROLES[1:]
# Not pages of ours: files served as they are.
UNCHECKED = {"static", "bootstrap.static"}
# Ids the world fixture makes, for the {placeholders} of the paths.
IDS = ("update", "agency", "user", "alias", "evidence", "other_agency", "report", "rapporteur_report", "coverage_link")


def expect(allowed: dict[str, int], refused: int = 403, anonymous: int = 302) -> dict[str, int]:
    """The status each role gets: `allowed` ones as given, other users `refused`, anonymous users the
    login page (302) or, from the API, a 401."""
    return {"anonymous": anonymous, **{role: allowed.get(role, refused) for role in USERS}}


EVERYONE = expect({role: 200 for role in USERS})


@dataclass(frozen=True)
class Post:
    """A POST: the roles that may make it (their own tests check what it does), and a body for the
    others, who are refused (403; anonymous users get `anonymous`) and must change nothing."""

    allowed: tuple[str, ...]
    data: dict[str, str] = field(default_factory=dict)
    json: bool = False  # the body is JSON, with the CSRF token in a header (the API)
    anonymous: int = 302

    @property
    def refused(self) -> list[str]:
        return [role for role in ROLES if role not in self.allowed]


@dataclass(frozen=True)
class Route:
    """One endpoint: its path ({placeholders} from IDS), then per method what each role gets."""

    path: str
    get: dict[str, int] | None = None
    post: Post | None = None


ROUTES = {
    # Public.
    "auth.login": Route("/login", get={"anonymous": 200, **{r: 302 for r in USERS}},  # logged in: sent on
                        post=Post(allowed=tuple(ROLES))),
    # Asking for a link to set a new password, and the page a link opens (this one is no link: 400 for all).
    "auth.forgot_password": Route("/password/forgot", get={role: 200 for role in ROLES},
                                  post=Post(allowed=tuple(ROLES))),
    "auth.set_password": Route("/password/set/not-a-link", get={role: 400 for role in ROLES},
                               post=Post(allowed=tuple(ROLES))),
    # Every logged-in user.
    "auth.logout": Route("/logout", post=Post(allowed=tuple(USERS))),
    "auth.logout_everywhere": Route("/logout/everywhere", post=Post(allowed=tuple(USERS))),
    "home.home": Route("/", get=EVERYONE),
    "items.item_list": Route("/items", get=EVERYONE),
    "items.item_detail": Route("/items/PAPER-g", get=EVERYONE),
    "catalogue.agency_list": Route("/agencies", get=EVERYONE),
    "catalogue.agency_detail": Route("/agencies/{agency}", get=EVERYONE),
    "catalogue.pillar_list": Route("/pillars", get=EVERYONE),
    "catalogue.pillar_detail": Route("/pillars/prevention", get=EVERYONE),
    "catalogue.framework_list": Route("/frameworks", get=EVERYONE),
    "catalogue.framework_detail": Route("/frameworks/NAP21", get=EVERYONE),
    "catalogue.context": Route("/context", get=EVERYONE),
    "catalogue.source_list": Route("/sources", get=EVERYONE),
    "catalogue.challenge_detail": Route("/challenges/A", get=EVERYONE),
    "catalogue.achievement_detail": Route("/achievements/A", get=EVERYONE),
    "catalogue.law_detail": Route("/laws/PTPA-2018", get=EVERYONE),
    "dashboard.dashboard": Route("/dashboard", get=EVERYONE),
    "dashboard.plotly_js": Route("/vendor/plotly.min.js", get=EVERYONE),
    "pickers.tom_select": Route("/vendor/tom-select/js/tom-select.complete.min.js", get=EVERYONE),
    # Bootstrap and the Nastaliq font: the login page needs them too.
    "i18n.bootstrap_files": Route("/vendor/bootstrap/css/bootstrap.rtl.min.css", get={role: 200 for role in ROLES}),
    # For load balancers and monitors: no login.
    "health.healthz": Route("/healthz", get={role: 200 for role in ROLES}),
    "i18n.nastaliq_font": Route("/vendor/fonts/noto-nastaliq-urdu/arabic-400.css", get={role: 200 for role in ROLES}),
    "i18n.language": Route("/account/language", get=EVERYONE,
                           post=Post(allowed=tuple(USERS), data={"language": "ur", "digits": "arabext"})),
    "reminders.notifications": Route("/notifications", get=EVERYONE),
    "reminders.read_all": Route("/notifications/read", post=Post(allowed=tuple(USERS))),
    "reminders.email_preference": Route("/notifications/email", post=Post(allowed=tuple(USERS))),
    # A link has no file to download: everyone who may see it gets a 404, anonymous users the login page.
    "progress.download_evidence": Route("/evidence/{evidence}/download", get=expect({}, refused=404)),
    # The responsible agencies and coordinators.
    "progress.update_item": Route(
        "/items/PAPER-g/update", get=expect({"agency_responsible": 200, "validator": 200, "coordinator": 200}),
        post=Post(("agency_responsible", "validator", "coordinator"),
                  {"status": "in_progress", "progress": "50", "note": "n"}),
    ),
    # The report awaits NADRA's validator: only the validator may decide it now (forward or return);
    # its own focal person, other agencies, the coordinators (before the validator) and the rest may not.
    "assessments.assessment_list": Route("/assessments", get=EVERYONE),
    # The National Rapporteur alone assesses an item (everyone reads the assessments).
    "assessments.assess_item": Route("/items/PAPER-g/assessments", post=Post(
        ("rapporteur",), {"year": "2026", "rating": "limited", "reason": "Only a draft."})),
    # Coverage: everyone reads it; coordinators and admins add and remove links; its CSV, as every export.
    "coverage.coverage_list": Route("/coverage", get=EVERYONE),
    "coverage.coverage_csv": Route("/coverage.csv", get=expect({"coordinator": 200, "rapporteur": 200})),
    "coverage.add_coverage": Route("/items/PAPER-g/coverage", post=Post(
        ("coordinator", "admin"), {"action": "NAP05-PREV-d-ii", "reason": "Secure identity documents."})),
    "coverage.remove_coverage": Route("/coverage/links/{coverage_link}/remove", post=Post(("coordinator", "admin"))),
    "indicators.indicator_list": Route("/indicators", get=EVERYONE),
    "indicators.reporting_rates_page": Route("/indicators/rates", get=EVERYONE),
    "indicators.indicator_detail": Route("/indicators/TEST-IND", get=EVERYONE),
    "indicators.indicator_new": Route("/indicators/new", get=expect({"coordinator": 200, "admin": 200}), post=Post(
        ("coordinator", "admin"), {"code": "NEW-IND", "name": "n", "kind": "count", "direction": "higher",
                                   "pillar": "1", "frequency": "quarterly"})),
    "indicators.indicator_edit": Route("/indicators/TEST-IND/edit", get=expect({"coordinator": 200, "admin": 200}),
                                       post=Post(("coordinator", "admin"), {"code": "TEST-IND", "name": "Renamed",
                                                                            "kind": "count", "pillar": "1"})),
    # TEST-IND has no reporting agency yet: only a coordinator gives its values.
    "indicators.report_values_page": Route("/indicators/TEST-IND/values", get=expect({"coordinator": 200}),
                                           post=Post(("coordinator",), {"period": "2026-Q3", "total": "5"})),
    "indicators.values_sheet": Route("/indicators/TEST-IND/values/sheet.csv", get=expect({"coordinator": 200})),
    "indicators.indicator_retire": Route("/indicators/TEST-IND/retire", post=Post(("coordinator", "admin"))),
    "indicators.indicator_delete": Route("/indicators/TEST-IND/delete", post=Post(("coordinator", "admin"))),
    "verification.queue": Route("/queue", get=expect({"validator": 200, "coordinator": 200})),
    "verification.decision": Route("/reports/{report}/decision",
                                   post=Post(("validator",), {"forward": "Forward", "comment": "c"})),
    "api.decide_report": Route("/api/v1/reports/{report}/decisions", post=Post(
        ("validator",), {"decision": "forward", "comment": "c"}, json=True, anonymous=401)),
    # Coordinators.
    "coordination.edit_agencies": Route("/items/PAPER-g/agencies", get=expect({"coordinator": 200}),
                                        post=Post(("coordinator",), {"lead": "{other_agency}"})),
    "coordination.edit_plan": Route("/items/PAPER-g/plan", get=expect({"coordinator": 200}),
                                    post=Post(("coordinator",), {"due_date": "2027-01-01", "priority": "high"})),
    "coordination.bulk": Route("/items/bulk", post=Post(("coordinator",),
                                                        {"refs": "PAPER-g", "action": "priority", "priority": "low"})),
    # Coordinators and the rapporteur.
    "exports.export_items": Route("/exports/items.csv", get=expect({"coordinator": 200, "rapporteur": 200})),
    "exports.export_indicator_values": Route("/exports/indicator-values.csv",
                                             get=expect({"coordinator": 200, "rapporteur": 200})),
    # The Rapporteur's report: coordinators and the rapporteur, as every export.
    "rapporteur.builder": Route("/rapporteur/reports", get=expect({"coordinator": 200, "rapporteur": 200}),
                                post=Post(("coordinator", "rapporteur"), {"year": "2025"})),
    "rapporteur.report_status": Route("/rapporteur/reports/{rapporteur_report}",
                                      get=expect({"coordinator": 200, "rapporteur": 200})),
    "rapporteur.report_progress": Route("/rapporteur/reports/{rapporteur_report}/progress.json",
                                        get=expect({"coordinator": 200, "rapporteur": 200})),
    "rapporteur.report_file": Route("/rapporteur/reports/{rapporteur_report}/report.pdf",
                                    get=expect({"coordinator": 200, "rapporteur": 200})),
    # What changed between two dates: coordinators, the rapporteur and admins; its CSV, as every export.
    "changes.changes_page": Route("/changes", get=expect({"coordinator": 200, "rapporteur": 200, "admin": 200})),
    "changes.changes_download": Route("/changes.csv", get=expect({"coordinator": 200, "rapporteur": 200})),
    "assessments.assessment_csv": Route("/assessments.csv", get=expect({"coordinator": 200, "rapporteur": 200})),
    # Admins.
    "admin.users": Route("/admin/users", get=expect({"admin": 200}), post=Post(
        ("admin",), {"email": "x@example.org", "role": "rapporteur"})),
    "admin.user_detail": Route("/admin/users/{user}", get=expect({"admin": 200}),
                               post=Post(("admin",), {"role": "rapporteur", "agency": ""})),
    "admin.user_reset_password": Route("/admin/users/{user}/password", post=Post(("admin",))),
    # The first-run checklist on the admin's overview: the one step an admin ticks.
    "checklist.tick_step": Route("/admin/checklist/agencies_checked/done", post=Post(("admin",))),
    "audit.log": Route("/admin/audit", get=expect({"admin": 200})),
    "audit.log_csv": Route("/admin/audit.csv", get=expect({"admin": 200})),
    "admin.agencies": Route("/admin/agencies", get=expect({"admin": 200}),
                            post=Post(("admin",), {"name": "New Body", "kind": "ngo"})),
    "admin.agency_detail": Route("/admin/agencies/{agency}", get=expect({"admin": 200}), post=Post(
        ("admin",), {"agency-name": "Renamed", "agency-kind": "federal_agency"})),
    "admin.agency_add_alias": Route("/admin/agencies/{agency}/aliases",
                                    post=Post(("admin",), {"alias-alias": "Another"})),
    "admin.agency_remove_alias": Route("/admin/agencies/{agency}/aliases/{alias}/remove", post=Post(("admin",))),
    "admin.agency_merge": Route("/admin/agencies/{agency}/merge",
                                post=Post(("admin",), {"merge-target": "{other_agency}"})),
    "imports.upload": Route("/admin/import", get=expect({"admin": 200}),
                            post=Post(("admin",), {"create_agencies": "y"})),
    # Confirming the repeats a held plan file suggests; and the template plan file.
    "imports.confirm": Route("/admin/import/confirm", post=Post(("admin",), {"staged": "x", "repeats": "A:B"})),
    "imports.template": Route("/admin/import/template.csv", get=expect({"admin": 200})),
    "reminders.settings": Route("/admin/reminders", get=expect({"admin": 200}), post=Post(
        ("admin",), {"enabled": "", "send_time": "03:00", "weekdays": "mon", "timezone": "UTC",
                     "due_soon_days": "1", "stale_days": "1", "report_wait_days": "1"})),
    "reminders.log": Route("/admin/reminders/log", get=expect({"admin": 200})),
    "reminders.confirm_delivered": Route("/admin/reminders/log/1/confirm", post=Post(("admin",))),
    "reminders.resend": Route("/admin/reminders/log/1/resend", post=Post(("admin",))),
    # Coordinators and admins: their own API tokens (refused before any token is looked up).
    "tokens.tokens": Route("/account/tokens", get=expect({"coordinator": 200, "admin": 200}),
                           post=Post(("coordinator", "admin"), {"name": "script"})),
    "tokens.revoke": Route("/account/tokens/1/revoke", post=Post(("coordinator", "admin"))),
    # The API's documentation page and Swagger UI's files, for anyone logged in.
    "api_docs.docs": Route("/api/v1/docs", get=EVERYONE),
    "api_docs.swagger_ui": Route("/vendor/swagger-ui/swagger-ui.css", get=EVERYONE),
    # The API: JSON, anonymous callers get a 401 rather than the login page; users read with their session.
    "api.openapi": Route("/api/v1/openapi.json", get=expect({r: 200 for r in USERS}, anonymous=401)),
    "api.items": Route("/api/v1/items", get=expect({r: 200 for r in USERS}, anonymous=401)),
    "api.item": Route("/api/v1/items/PAPER-g", get=expect({r: 200 for r in USERS}, anonymous=401)),
    "api.stats": Route("/api/v1/stats", get=expect({r: 200 for r in USERS}, anonymous=401)),
    "api.indicators": Route("/api/v1/indicators", get=expect({r: 200 for r in USERS}, anonymous=401)),
    "api.indicator": Route("/api/v1/indicators/TEST-IND", get=expect({r: 200 for r in USERS}, anonymous=401)),
    "api.report_indicator_values": Route("/api/v1/indicators/TEST-IND/values", post=Post(
        ("coordinator",), {"period": "2026-Q3", "values": [{"value": 5}]}, json=True, anonymous=401)),
    "api.assessments": Route("/api/v1/assessments", get=expect({r: 200 for r in USERS}, anonymous=401)),
    "api.coverage": Route("/api/v1/coverage", get=expect({r: 200 for r in USERS}, anonymous=401)),
    "api.assess_item": Route("/api/v1/items/PAPER-g/assessments", post=Post(
        ("rapporteur",), {"year": 2026, "rating": "limited", "reason": "Only a draft."}, json=True, anonymous=401)),
    "api.report": Route("/api/v1/items/PAPER-g/updates", post=Post(
        ("agency_responsible", "validator", "coordinator"), {"status": "in_progress", "progress": 50, "note": "n"},
        json=True, anonymous=401)),
}


def test_every_route_is_in_the_matrix(app):
    """A new route fails here until its permissions are listed in ROUTES."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in UNCHECKED]
    missing = [
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule in rules
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if getattr(ROUTES.get(rule.endpoint), method.lower(), None) is None
    ]
    assert missing == [], "add these routes' permissions to ROUTES in tests/test_access.py:\n" + "\n".join(missing)
    assert set(ROUTES) <= {rule.endpoint for rule in rules}, "ROUTES lists endpoints the app no longer has"
    # Each path reaches the endpoint it is listed under.
    adapter = app.url_map.bind("localhost")
    reached = {name: adapter.match(route.path.format(**dict.fromkeys(IDS, 1)),
                                   method="GET" if route.get else "POST")[0]
               for name, route in ROUTES.items()}
    assert reached == {name: name for name in ROUTES}


@pytest.fixture
def world(as_role, make_user):
    """Clients for each role, an agency report awaiting its validator, and a non-confidential evidence file."""
    clients = {
        "agency_responsible": as_role("agency", "NADRA"),  # NADRA leads PAPER-g
        "validator": as_role("agency", "NADRA", email="validator-nadra@example.org"),
        "agency_other": as_role("agency", "Ministry of Foreign Affairs"),
        "coordinator": as_role("coordinator"),
        "rapporteur": as_role("rapporteur"),
        "admin": as_role("admin"),
    }
    clients["anonymous"] = current_app.test_client()
    item = fresh_item("PAPER-g")
    nadra = find_agency("NADRA")
    user = db.session.scalar(sa.select(User).where(User.email == "agency-nadra@example.org"))
    db.session.scalar(sa.select(User).where(User.email == "validator-nadra@example.org")).validator = True
    update = UpdateFactory(item=item, author=user)
    EvidenceFactory(update=update)
    report = ReportFactory(item=item, author=user, stage=ReportStage.VALIDATION)
    db.session.add(Indicator(code="TEST-IND", name="Convictions", kind=IndicatorKind.COUNT, pillar=item.pillar,
                             items=[item]))
    written = RapporteurReport(period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                               state=GenerationState.DONE, docx_name="world.docx", pdf_name="world.pdf")
    db.session.add(written)
    folder = Path(current_app.config["REPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "world.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    db.session.commit()
    alias = db.session.scalar(sa.select(AgencyAlias).where(AgencyAlias.agency_id == nadra.id))
    return {
        "clients": clients,
        "ids": {"update": update.id, "agency": nadra.id, "user": user.id, "alias": alias.id,
                "evidence": update.evidence[0].id, "other_agency": find_agency("FIA").id, "report": report.id,
                "rapporteur_report": written.id,
                "coverage_link": db.session.scalar(sa.select(sa.func.min(CoverageLink.id)))},
    }


GETS = [name for name, route in ROUTES.items() if route.get]
POSTS = [name for name, route in ROUTES.items() if route.post and route.post.refused]


@pytest.mark.parametrize("endpoint", GETS)
def test_get_matrix(world, endpoint):
    route = ROUTES[endpoint]
    path = route.path.format(**world["ids"])
    got = {role: world["clients"][role].get(path).status_code for role in ROLES}
    assert got == route.get


@pytest.mark.parametrize("endpoint", [name for name in GETS if 200 in ROUTES[name].get.values()])
def test_every_page_renders_in_urdu(world, endpoint):
    """Each page, asked for in Urdu by a role that may see it, answers as it does in English, right to left."""
    route = ROUTES[endpoint]
    role = next(role for role, status in route.get.items() if status == 200)
    path = route.path.format(**world["ids"])
    response = world["clients"][role].get(path + ("&" if "?" in path else "?") + "lang=ur")
    assert response.status_code == 200, (endpoint, role)
    if response.mimetype == "text/html":
        assert '<html lang="ur" dir="rtl">' in response.get_data(as_text=True), endpoint


def snapshot() -> dict:
    db.session.expire_all()
    counts = {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
              for m in (Update, Report, Evidence, User, Agency, AgencyAlias, ItemAgency, AuditEvent, Indicator,
                        Assessment, CoverageLink)}
    return {
        **counts,
        "versions": db.session.scalar(sa.select(sa.func.sum(ActionItem.version))),
        "users": db.session.execute(sa.select(User.id, User.role, User.active, User.password_hash, User.agency_id)
                                    .order_by(User.id)).all(),
        "agencies": db.session.execute(sa.select(Agency.id, Agency.name).order_by(Agency.id)).all(),
        "reports": db.session.execute(sa.select(Report.id, Report.stage, Report.version).order_by(Report.id)).all(),
        "indicators": db.session.execute(sa.select(Indicator.code, Indicator.name, Indicator.retired_at)).all(),
        "indicator_values": db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorValue)),
        "coverage": db.session.execute(sa.select(CoverageLink.id, CoverageLink.reason, CoverageLink.removed_at)
                                       .order_by(CoverageLink.id)).all(),
    }


@pytest.mark.parametrize("endpoint", POSTS)
def test_refused_posts_change_nothing(world, endpoint):
    route = ROUTES[endpoint]
    post = route.post
    path = route.path.format(**world["ids"])
    data = {k: v.format(**world["ids"]) if isinstance(v, str) else v for k, v in post.data.items()}
    before = snapshot()
    for role in post.refused:
        client = world["clients"][role]
        token = csrf_token(client.get("/login" if role == "anonymous" else "/items").get_data(as_text=True))
        if post.json:
            response = client.post(path, json=data, headers={"X-CSRFToken": token})
        else:
            prefixed = {f"{p}-csrf_token": token for p in ("agency", "alias", "merge", "remove")}
            response = client.post(path, data={**data, "csrf_token": token, **prefixed})
        expected = post.anonymous if role == "anonymous" else 403
        assert response.status_code == expected, (role, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login")
        assert snapshot() == before, role
