"""Indicator pages: the list, one indicator's results, and the coordinators' form."""
from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from ..auth.permissions import can_manage_indicators, can_report_values, is_agency_user, requires
from ..contract import csv_response
from ..enums import Direction, Frequency
from ..errors import Invalid, NotAllowed, Problem
from ..extensions import db
from ..forms import agency_picker, submit
from ..models import Agency, Indicator, Pillar, Report
from ..pickers.options import pickable
from ..progress.uploads import upload_limits
from ..verification.services import open_report
from . import bp
from .charts import indicator_chart
from .filters import read_listing
from .forms import IndicatorForm, RetireForm, ValuesForm
from .grid import Grid
from .periods import Period, ended_periods, open_period
from .rates import reporting_rates
from .reporting import report_values, reportable_periods
from .services import (
    breakdown_table,
    delete,
    indicator_or_404,
    list_indicators,
    pending_reports,
    retire,
    save_indicator,
    series,
    value_evidence,
)
from .sheet import read_sheet, sheet_template
from .values import CellValue, cell_key, previous_values

MANAGE = _l("Only coordinators and admins define indicators.")


@bp.route("/indicators")
def indicator_list():
    listing = read_listing(request.args)
    filters = listing.filters
    pagination = list_indicators(filters, listing.page, listing.per_page)
    agencies = db.session.scalars(pickable(sa.select(Agency).where(Agency.id.in_(sa.select(Indicator.agency_id)))
                                           .order_by(Agency.name))).all()
    pillars = db.session.scalars(sa.select(Pillar).order_by(Pillar.position)).all()
    return render_template("indicators/list.html", pagination=pagination, filters=filters, agencies=agencies,
                           pillars=pillars)


@bp.route("/indicators/rates")
def reporting_rates_page():
    today = date.today()
    choices = [p for frequency in (Frequency.QUARTERLY, Frequency.YEARLY)
               for p in ended_periods(frequency, today.replace(year=today.year - 2), today)][::-1]
    choices.sort(key=lambda p: (p.end, p.quarter == 0), reverse=True)
    codes = [p.code for p in choices]
    asked = request.args.get("period")
    period = Period.parse(asked) if asked in codes else open_period(Frequency.QUARTERLY, today)
    return render_template("indicators/rates.html", rates=reporting_rates(period), periods=codes,
                           ignored=asked if asked and asked not in codes else "")


@bp.route("/indicators/<code>")
def indicator_detail(code: str):
    indicator = indicator_or_404(code)
    points = series(indicator)
    tables = {breakdown: breakdown_table(indicator, breakdown) for breakdown in indicator.breakdown_list}
    return render_template("indicators/detail.html", indicator=indicator, points=points, tables=tables,
                           chart=indicator_chart(indicator, points), retire_form=RetireForm(),
                           reports=pending_reports(indicator), evidence=value_evidence(indicator),
                           now=datetime.now(UTC))


def _choices(form: IndicatorForm) -> None:
    form.pillar.choices = [(p.id, p.name) for p in db.session.scalars(sa.select(Pillar).order_by(Pillar.position))]
    form.direction.choices = [(d.value, str(d.label).capitalize()) for d in Direction]
    agency_picker(form.agency, _("None yet"))


def _edit(indicator: Indicator | None):
    form = IndicatorForm(indicator=indicator)
    _choices(form)
    if not form.is_submitted() and indicator is not None:
        form.process(obj=indicator)
        form.kind.data, form.direction.data = indicator.kind.value, indicator.direction.value
        form.frequency.data, form.pillar.data = indicator.frequency.value, indicator.pillar_id
        form.agency.data = indicator.agency_id
        form.breakdowns.data = [b.value for b in indicator.breakdown_list]
        form.items.data = ", ".join(item.ref for item in indicator.items)
        form.targets.data = "\n".join(f"{t.period} = {t.value:g}" for t in indicator.targets)
    submission = submit(form, lambda: save_indicator(current_user, form.indicator_fields(), indicator))
    if submission.done:
        flash(_("Indicator %(code)s saved.", code=submission.result.code), "success")
        return redirect(url_for("indicators.indicator_detail", code=submission.result.code))
    return render_template("indicators/form.html", form=form, indicator=indicator), submission.status


@bp.route("/indicators/new", methods=["GET", "POST"])
@requires(can_manage_indicators, MANAGE)
def indicator_new():
    return _edit(None)


@bp.route("/indicators/<code>/edit", methods=["GET", "POST"])
@requires(can_manage_indicators, MANAGE)
def indicator_edit(code: str):
    return _edit(indicator_or_404(code))


@bp.route("/indicators/<code>/retire", methods=["POST"])
@requires(can_manage_indicators, MANAGE)
def indicator_retire(code: str):
    indicator = indicator_or_404(code)
    if not RetireForm().validate_on_submit():
        raise Invalid(_("The form was incomplete; please try again."))
    bring_back = request.form.get("back") == "1"
    retire(current_user, indicator, retired=not bring_back)
    flash(_("%(code)s is in use again.", code=indicator.code) if bring_back
          else _("%(code)s is retired: no more values are expected.", code=indicator.code), "success")
    return redirect(url_for("indicators.indicator_detail", code=indicator.code))


@bp.route("/indicators/<code>/delete", methods=["POST"])
@requires(can_manage_indicators, MANAGE)
def indicator_delete(code: str):
    indicator = indicator_or_404(code)
    if not RetireForm().validate_on_submit():
        raise Invalid(_("The form was incomplete; please try again."))
    delete(current_user, indicator)
    flash(_("%(code)s deleted.", code=code), "success")
    return redirect(url_for("indicators.indicator_list"))


def _values_form_start(indicator: Indicator) -> tuple[list[str], str]:
    """The periods values may be given for, newest first, and the one the page starts at: the one asked for
    if offered, else the last one ended."""
    if not can_report_values(current_user, indicator):
        raise NotAllowed(_("Only the indicator's reporting agency and the coordinators give its values."))
    codes = [p.code for p in reportable_periods(indicator, date.today())]
    asked = request.args.get("period")
    return codes, asked if asked in codes else codes[1]


def _reported_before(indicator: Indicator, period: str) -> tuple[Report | None, dict[tuple, float]]:
    """The user's agency's report of the period that a new one replaces (pending or returned), and its values by
    cell: what the grid and the sheet to fill in start from."""
    earlier = open_report(None, current_user.agency_id, indicator, period) if is_agency_user(current_user) else None
    return earlier, {cell_key(v.cell): v.value for v in earlier.values} if earlier else {}


@bp.route("/indicators/<code>/values/sheet.csv")
def values_sheet(code: str):
    """The sheet to fill in for a period and upload on the values page: a row per cell, what the agency
    reported already filled in."""
    indicator = indicator_or_404(code)
    _, period = _values_form_start(indicator)
    _, given = _reported_before(indicator, period)
    return csv_response(sheet_template(indicator, period, given), f"{indicator.code}-{period}-values.csv")


def _sheet_cells(form: ValuesForm, indicator: Indicator, typed_cells: list) -> list[CellValue] | None:
    """The values of the uploaded sheet, or None when none was chosen; every problem is named beside the field,
    by row and column."""
    upload = form.sheet.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    if typed_cells:
        raise Invalid({"sheet": _("Type the values in the grid or upload a sheet, not both: clear the grid or "
                                  "leave the sheet out.")})
    data = upload.stream.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
    if len(data) > current_app.config["UPLOAD_MAX_BYTES"]:
        raise Invalid({"sheet": _("The sheet is over %(size)s MB: keep the rows of this indicator and period.",
                                  size=current_app.config["UPLOAD_MAX_BYTES"] // 1048576)})
    try:
        return read_sheet(indicator, form.period.data or "", upload.filename, data)
    except Invalid as exc:
        raise Invalid([Problem(str(problem), field="sheet") for problem in exc.problems]) from None


@bp.route("/indicators/<code>/values", methods=["GET", "POST"])
def report_values_page(code: str):
    indicator = indicator_or_404(code)
    codes, period = _values_form_start(indicator)
    grid = Grid.of(indicator)
    form = ValuesForm()
    form.period.choices = [(code, code) for code in codes]
    earlier, by_cell = _reported_before(indicator, form.period.data if form.period.data in codes else period)
    typed = {}
    if not form.is_submitted():
        form.period.data = period
        if earlier is not None:
            form.note.data = earlier.note
            typed = {field.name: f"{by_cell[cell_key(field.cell)]:g}" for field in grid.inputs()
                     if cell_key(field.cell) in by_cell}
    cells, wrong = [], []
    if form.is_submitted():
        cells, typed, wrong = grid.read(request.form)

    def send():
        from_sheet = _sheet_cells(form, indicator, cells or wrong)
        if wrong and from_sheet is None:
            raise Invalid({"values": "; ".join(wrong) + "."})
        return report_values(current_user, indicator, form.period.data or "",
                             cells if from_sheet is None else from_sheet, form.note.data or "",
                             confirmed=form.confirm.data, evidence=form.evidence())

    submission = submit(form, send)
    if submission.done:
        report = submission.result
        if report is None:
            flash(_("%(code)s %(period)s: the values count now.", code=indicator.code, period=form.period.data),
                  "success")
        else:
            flash(_("%(code)s %(period)s: your values are %(stage)s; they count once a coordinator verifies them.",
                    code=indicator.code, period=form.period.data, stage=report.stage.label), "success")
        return redirect(url_for("indicators.indicator_detail", code=indicator.code))
    previous = {}
    if form.period.data in codes:
        before = previous_values(indicator, form.period.data)
        previous = {field.name: before[cell_key(field.cell)] for field in grid.inputs()
                    if cell_key(field.cell) in before}
    return render_template("indicators/values.html", indicator=indicator, grid=grid, form=form, typed=typed,
                           previous=previous, earlier=earlier, chosen=form.chosen(),
                           **upload_limits(current_app.config["UPLOAD_MAX_BYTES"])), submission.status
