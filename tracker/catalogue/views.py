"""Pages for agencies and pillars."""
from flask import render_template

from ..extensions import db
from ..models import Agency, Pillar
from . import bp
from .services import agencies_with_counts, agency_items_by_pillar, pillar_items_by_status, pillars_with_counts


@bp.route("/agencies")
def agency_list():
    return render_template("catalogue/agencies.html", rows=agencies_with_counts())


@bp.route("/agencies/<int:agency_id>")
def agency_detail(agency_id: int):
    agency = db.get_or_404(Agency, agency_id, description="There is no such agency.")
    groups = agency_items_by_pillar(agency)
    return render_template("catalogue/agency.html", agency=agency, groups=groups)


@bp.route("/pillars")
def pillar_list():
    return render_template("catalogue/pillars.html", rows=pillars_with_counts())


@bp.route("/pillars/<code>")
def pillar_detail(code: str):
    pillar = db.first_or_404(db.select(Pillar).where(Pillar.code == code), description="There is no such pillar.")
    return render_template("catalogue/pillar.html", pillar=pillar, groups=pillar_items_by_status(pillar))
