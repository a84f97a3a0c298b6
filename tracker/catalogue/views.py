"""Pages for agencies, pillars and frameworks."""
from flask import abort, render_template
from flask_babel import gettext as _

from ..enums import FindingKind
from ..extensions import db
from ..models import Agency, Framework, Pillar
from . import bp
from .services import (
    agencies_with_counts,
    agency_items_by_pillar,
    findings_and_laws,
    framework_or_404,
    framework_summary,
    frameworks_with_counts,
    get_finding,
    get_law,
    pillar_items_by_status,
    pillars_source,
    pillars_with_counts,
)
from .sources import source_documents


@bp.route("/agencies")
def agency_list():
    return render_template("catalogue/agencies.html", rows=agencies_with_counts())


@bp.route("/agencies/<int:agency_id>")
def agency_detail(agency_id: int):
    agency = db.get_or_404(Agency, agency_id, description=_("There is no such agency."))
    groups = agency_items_by_pillar(agency)
    return render_template("catalogue/agency.html", agency=agency, groups=groups)


@bp.route("/pillars")
def pillar_list():
    return render_template("catalogue/pillars.html", rows=pillars_with_counts(), source=pillars_source())


@bp.route("/pillars/<code>")
def pillar_detail(code: str):
    pillar = db.first_or_404(db.select(Pillar).where(Pillar.code == code), description=_("There is no such pillar."))
    return render_template("catalogue/pillar.html", pillar=pillar, groups=pillar_items_by_status(pillar))


@bp.route("/frameworks")
def framework_list():
    return render_template("catalogue/frameworks.html", rows=frameworks_with_counts())


@bp.route("/frameworks/<code>")
def framework_detail(code: str):
    framework = framework_or_404(code)
    pillars = db.session.scalars(db.select(Pillar).order_by(Pillar.position)) if framework.source_of_pillars else []
    return render_template("catalogue/framework.html", framework=framework, summary=framework_summary(framework),
                           pillars=list(pillars))


@bp.route("/sources")
def source_list():
    return render_template("catalogue/sources.html", documents=source_documents().values(),
                           frameworks=db.session.scalars(db.select(Framework).order_by(Framework.position)).all())


@bp.route("/context")
def context():
    challenges, achievements, laws = findings_and_laws()
    return render_template("catalogue/context.html", challenges=challenges, achievements=achievements, laws=laws)


@bp.route("/challenges/<code>", defaults={"kind": FindingKind.CHALLENGE}, endpoint="challenge_detail")
@bp.route("/achievements/<code>", defaults={"kind": FindingKind.ACHIEVEMENT}, endpoint="achievement_detail")
def finding_detail(code: str, kind: FindingKind):
    finding = get_finding(kind, code)
    if finding is None:
        abort(404, description=_("There is no challenge %(code)s.", code=code) if kind == FindingKind.CHALLENGE
              else _("There is no achievement %(code)s.", code=code))
    return render_template("catalogue/finding.html", finding=finding)


@bp.route("/laws/<code>")
def law_detail(code: str):
    law = get_law(code)
    if law is None:
        abort(404, description=_("There is no law with the code %(code)s.", code=code))
    return render_template("catalogue/law.html", law=law)
