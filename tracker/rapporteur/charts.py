"""The report's bar charts as PNG images, the same in the Word file and the PDF.

Drawn with matplotlib's object-oriented API on an Agg canvas of the figure's own: no pyplot, so no global figure
registry to leak into and no backend switched for the rest of the process, and each call owns its figure
(safe in a worker thread). Nothing depends on the clock, so equal charts give equal bytes.
"""
from __future__ import annotations

import io
import math
import os
import textwrap
from collections import OrderedDict
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import get_locale

from .document import BarChart, Series, cell_text

# Bootstrap 5's colours, as the dashboard's charts and the status badges use them (tests/test_rapporteur_writers.py
# holds these to tracker.dashboard.charts.BOOTSTRAP_COLOURS): blue, green, red, grey first, as the statuses are.
PALETTE = (
    "#0d6efd",  # primary
    "#198754",  # success
    "#dc3545",  # danger
    "#6c757d",  # secondary
    "#ffc107",  # warning
    "#0dcaf0",  # info
    "#6610f2",  # indigo
    "#fd7e14",  # orange
    "#20c997",  # teal
    "#d63384",  # pink
)
LINE_COLOUR = "#343a40"  # Bootstrap's dark: a target line stands apart from every bar
TEXT_COLOUR = "#212529"
GRID_COLOUR = "#dee2e6"
FONT_SIZE = 9  # points, at the image's own size (width_px / dpi inches)
# The size the Word file and the PDF print a chart at: 16 cm (the text's width on A4) at 200 dpi, so that its
# type prints at the size set here rather than scaled down.
PRINT_WIDTH_PX, PRINT_DPI = 1260, 200
MAX_LABELLED_BARS = 16  # above this, value labels crowd each other: the axis says the values instead


# The pictures drawn lately, by what was drawn: the Word file and the PDF of one report draw the same charts, and
# matplotlib takes a good part of a second for each. Bounded, so a long-running scheduler keeps only a few.
_drawn: OrderedDict[str, bytes] = OrderedDict()
DRAWN_KEPT = 64


def chart_png(chart: BarChart, width_px: int = 1200, dpi: int = 150, height_px: int | None = None,
              title: bool = True) -> bytes:
    """The chart as a PNG (see `draw_png`), drawn once for the same chart and size however often asked."""
    key = repr((chart, width_px, dpi, height_px, title, _language()))
    if key in _drawn:
        _drawn.move_to_end(key)
        return _drawn[key]
    png = _drawn[key] = draw_png(chart, width_px, dpi, height_px, title)
    while len(_drawn) > DRAWN_KEPT:
        _drawn.popitem(last=False)
    return png


def _language() -> str:
    """The language the report is being written in (build_files forces it); English outside an app."""
    return str(get_locale()) if has_app_context() else "en"


def draw_png(chart: BarChart, width_px: int = 1200, dpi: int = 150, height_px: int | None = None,
             title: bool = True) -> bytes:
    """The chart as a PNG of exactly width_px × height_px pixels (the height follows the chart when None).

    `title=False` leaves the title out, for documents that print it as the picture's caption. In Urdu the chart
    reads from the right (the first category on the right, bars growing leftwards, the value axis on the right),
    its words in Nastaliq, shaped by matplotlib's text layout (libraqm); Latin letters and figures fall back to
    matplotlib's own DejaVu Sans.
    """
    if _language() == "ur":
        from matplotlib import font_manager, rc_context

        from .fonts import URDU_FAMILY, urdu_font_files

        for path in urdu_font_files().values():
            font_manager.fontManager.addfont(str(path))
        with rc_context({"font.family": [URDU_FAMILY, "DejaVu Sans"], "text.language": "ur"}):
            return _draw_png(chart, width_px, dpi, height_px, title, right_to_left=True)
    return _draw_png(chart, width_px, dpi, height_px, title)


def _draw_png(chart: BarChart, width_px: int, dpi: int, height_px: int | None, title: bool,
              right_to_left: bool = False) -> bytes:
    # Imported here: matplotlib takes a good part of a second to import, which every process that loads the
    # app (the web workers, each test) would pay though only the report's background job draws charts.
    # Its font cache under the instance folder: a service account without a writable home would otherwise
    # make matplotlib rebuild the cache in a temporary folder every time the scheduler starts.
    if has_app_context():
        os.environ.setdefault("MPLCONFIGDIR", str(Path(current_app.instance_path) / "matplotlib"))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    height_px = height_px or _height_px(chart, width_px, dpi)
    figure = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    handles = _draw_bars(axes, chart, width_px / dpi)

    value_axis, category_axis = (axes.xaxis, axes.yaxis) if chart.horizontal else (axes.yaxis, axes.xaxis)
    value_axis.set_major_formatter(FuncFormatter(_tick_text))
    if chart.unit:
        value_axis.set_label_text(chart.unit, fontsize=FONT_SIZE, color=TEXT_COLOUR)
    axes.grid(axis="x" if chart.horizontal else "y", color=GRID_COLOUR, linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "left" if right_to_left else "right"):
        axes.spines[side].set_visible(False)
    if right_to_left:
        axes.invert_xaxis()  # columns from the right; horizontal bars grow leftwards
        axes.yaxis.tick_right()
        axes.yaxis.set_label_position("right")
        axes.spines["right"].set_visible(True)
    axes.tick_params(labelsize=FONT_SIZE, colors=TEXT_COLOUR, length=0 if chart.horizontal else 3)
    category_axis.set_tick_params(length=0)
    if chart.horizontal:
        axes.invert_yaxis()  # the first category on top: read down the page, as the table beside it is
    if title:
        axes.set_title("\n".join(textwrap.wrap(chart.title, _chars_across(width_px / dpi, FONT_SIZE + 2))),
                       fontsize=FONT_SIZE + 2, fontweight="bold", color=TEXT_COLOUR,
                       loc="right" if right_to_left else "left")
    if len(handles) > 1:
        figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4), fontsize=FONT_SIZE,
                      frameon=False)

    buffer = io.BytesIO()
    # No "Software" text chunk (it carries matplotlib's version): only the picture, the same each time.
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _tick_text(value: float, _position) -> str:
    """An axis figure as the tables write it, without the float noise of 0.1 × 3."""
    return cell_text(float(f"{value:.6g}"))


def _height_px(chart: BarChart, width_px: int, dpi: int) -> int:
    """Half the width for columns; for horizontal bars, room for each category's row (and a legend)."""
    if not chart.horizontal:
        return round(width_px * 0.5)
    bars_per_row = 1 if chart.stacked else max(len(chart.series), 1)
    inches = 1.2 + len(chart.categories) * (0.22 + 0.14 * bars_per_row)
    return max(round(width_px * 0.4), round(inches * dpi))


def _chars_across(width_in: float, font_size: float) -> int:
    """About how many characters of that size fit across that width."""
    return max(8, int(width_in * 72 / (font_size * 0.55)))


def _category_labels(chart: BarChart, width_in: float) -> list[str]:
    """Long names wrapped: down the side of horizontal bars, or under columns within each column's width."""
    if chart.horizontal:
        width = 28
    else:
        width = max(6, _chars_across(width_in * 0.85 / max(len(chart.categories), 1), FONT_SIZE))
    return ["\n".join(textwrap.wrap(name, width, max_lines=4, placeholder="…")) or name for name in chart.categories]


def _colours(series: list[Series]) -> list[str]:
    """Each series' own colour, else the palette's next in turn among those no series has taken."""
    taken = {item.colour.lower() for item in series if item.colour}
    free = iter([colour for colour in PALETTE if colour not in taken] or PALETTE)
    return [item.colour or next(free, PALETTE[index % len(PALETTE)]) for index, item in enumerate(series)]


def _draw_bars(axes, chart: BarChart, width_in: float) -> list:
    """Bars, stacked or side by side, then the line; a None draws no bar (a gap), never a zero. Returns the legend's
    entries in that order (matplotlib would put the line first)."""
    handles = []
    positions = list(range(len(chart.categories)))
    count = max(len(chart.series), 1)
    group = 0.8
    bar = axes.barh if chart.horizontal else axes.bar
    totals = [0.0] * len(positions)
    label_each = not chart.stacked and len(positions) * count <= MAX_LABELLED_BARS
    for index, (series, colour) in enumerate(zip(chart.series, _colours(chart.series), strict=True)):
        present = [i for i in positions if i < len(series.values) and series.values[i] is not None]
        values = [series.values[i] for i in present]
        if chart.stacked:
            where = present
            thickness = group
            base = [totals[i] for i in present]
        else:
            where = [i - group / 2 + group * (index + 0.5) / count for i in present]
            thickness = group / count
            base = [0.0] * len(present)
        size = {"height": thickness} if chart.horizontal else {"width": thickness}
        offset = {"left": base} if chart.horizontal else {"bottom": base}
        bars = bar(where, values, label=series.name, color=colour, **size, **offset)
        handles.append(bars)
        if label_each and values:
            axes.bar_label(bars, labels=[cell_text(value) for value in values], padding=2, fontsize=FONT_SIZE,
                           color=TEXT_COLOUR)
        for i, value in zip(present, values, strict=True):
            totals[i] += value
    if chart.stacked and len(positions) <= MAX_LABELLED_BARS and len(chart.series) > 0:
        _label_totals(axes, chart, positions, totals)
    if chart.line is not None:
        line = [math.nan if value is None else value for value in chart.line.values[: len(positions)]]
        line += [math.nan] * (len(positions) - len(line))
        xy = (line, positions) if chart.horizontal else (positions, line)
        handles += axes.plot(*xy, label=chart.line.name, color=chart.line.colour or LINE_COLOUR, linestyle="--",
                             linewidth=1.5, marker="D", markersize=4)
    set_ticks = axes.set_yticks if chart.horizontal else axes.set_xticks
    set_ticks(positions, _category_labels(chart, width_in))
    return handles


def _label_totals(axes, chart: BarChart, positions: list[int], totals: list[float]) -> None:
    """Each stack's total at its end (none where every series is missing)."""
    for i in positions:
        if all(i >= len(series.values) or series.values[i] is None for series in chart.series):
            continue
        if chart.horizontal:
            axes.annotate(cell_text(totals[i]), (totals[i], i), xytext=(3, 0), textcoords="offset points",
                          ha="left", va="center", fontsize=FONT_SIZE, color=TEXT_COLOUR)
        else:
            axes.annotate(cell_text(totals[i]), (i, totals[i]), xytext=(0, 2), textcoords="offset points",
                          ha="center", va="bottom", fontsize=FONT_SIZE, color=TEXT_COLOUR)
