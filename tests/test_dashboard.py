"""The dashboard's numbers against a hand-counted catalogue; its filters, links and query count."""
import json
import re
import shutil
from datetime import date

import plotly.graph_objects as go
import plotly.offline
import plotly.utils
import pytest
import sqlalchemy as sa

from conftest import SEED_DIR, log_in
from factories import synthetic_items
from tracker.dashboard.services import build_dashboard
from tracker.extensions import db
from tracker.items.services import ItemFilters
from tracker.models import ActionItem
from tracker.seeding.loader import seed_catalogue

FIA = "Federal Investigation Agency"
NADRA = "National Database and Registration Authority"
UNODC = "United Nations Office on Drugs and Crime"

MINI = """framework = "PAPER"
{items}
"""
ITEM = """
[[item]]
ref = "{ref}"
label = "{ref}"
section = "Mini"
title = "Item {ref}"
title_ur = "اقدام {ref}"
text = "Text of {ref}."
locator = "Mini, {ref}"
pillar = "{pillar}"
lead = "{lead}"
supporting = {supporting}
status = "{status}"
progress = {progress}
{extra}
"""
# Six items, counted by hand below.
ROWS = [
    ("M-1", "prevention", FIA, [], "completed", 100, 'status_note = "It was done."\nstatus_as_of = 2005-12-31'),
    ("M-2", "prevention", FIA, [NADRA], "in_progress", 50, ""),
    ("M-3", "prosecution", NADRA, [], "not_started", 0, "due_date = 2020-01-01"),
    ("M-4", "protection", FIA, [], "blocked", 20, 'due_date = 2020-06-30\nprovince = "PB"'),
    ("M-5", "partnership", UNODC, [], "not_started", 0, 'province = "SD"'),
    ("M-6", "prevention", NADRA, [], "superseded", 0, "due_date = 2019-01-01"),
]
TODAY = date(2026, 11, 22)


@pytest.fixture
def mini(app, tmp_path):
    seed = tmp_path / "mini-seed"
    (seed / "items").mkdir(parents=True)
    for name in ("catalogue.toml", "agencies.toml"):
        shutil.copy(SEED_DIR / name, seed / name)
    (seed / "indicators.toml").write_text("# none: these tests count items\n")
    items = "".join(
        ITEM.format(ref=ref, pillar=pillar, lead=lead, supporting=repr(supporting).replace("'", '"'), status=status,
                    progress=progress, extra=extra)
        for ref, pillar, lead, supporting, status, progress, extra in ROWS
    )
    (seed / "items" / "mini.toml").write_text(MINI.format(items=items))
    seed_catalogue(str(seed))
    return app


def counts(row) -> dict:
    return {k: v for k, v in row.counts.items() if v}


def test_pillar_status_and_completion(mini):
    data = build_dashboard(ItemFilters(), TODAY)
    by_pillar = {row.key: row for row in data.pillars}
    assert [row.key for row in data.pillars] == ["prevention", "prosecution", "protection", "partnership"]
    assert counts(by_pillar["prevention"]) == {"completed": 1, "in_progress": 1, "superseded": 1}
    assert counts(by_pillar["prosecution"]) == {"not_started": 1}
    assert counts(by_pillar["protection"]) == {"blocked": 1}
    assert counts(by_pillar["partnership"]) == {"not_started": 1}
    assert by_pillar["prevention"].completion == 33.3 and by_pillar["protection"].completion == 0
    assert data.total == 6


def test_agencies_busiest_first_with_progress_and_overdue(mini):
    data = build_dashboard(ItemFilters(), TODAY)
    rows = [(r.agency.name, r.items, r.open, r.overdue, r.completed, r.mean_progress) for r in data.agencies]
    assert rows == [
        (FIA, 3, 2, 1, 1, 56.7),
        (NADRA, 3, 2, 1, 0, 16.7),
        (UNODC, 1, 1, 0, 0, 0.0),
    ]


def test_agency_pillar_heatmap(mini):
    data = build_dashboard(ItemFilters(), TODAY)
    pillars = {p.code: p.id for p in data.heatmap_pillars}
    by_name = {r.agency.name: r.agency.id for r in data.agencies}
    fia, nadra = data.heatmap[by_name[FIA]], data.heatmap[by_name[NADRA]]
    assert fia[pillars["prevention"]] == (1, 0) and fia[pillars["protection"]] == (1, 1)
    assert nadra[pillars["prevention"]] == (1, 0) and nadra[pillars["prosecution"]] == (1, 1)


def test_frameworks_provinces_months_and_overdue(mini):
    data = build_dashboard(ItemFilters(), TODAY)
    assert [(r.label, r.total) for r in data.frameworks] == [("Paper recommendations", 6)]
    provinces = {r.label: counts(r) for r in data.provinces}
    assert provinces == {
        "National (no province)": {"completed": 1, "in_progress": 1, "not_started": 1, "superseded": 1},
        "Punjab": {"blocked": 1},
        "Sindh": {"not_started": 1},
    }
    assert [(m.month, m.completed, m.reported) for m in data.months] == [("2005-12", 1, 0)]
    assert [item.ref for item in data.overdue] == ["M-3", "M-4"]


def test_filters_apply_to_every_chart(mini):
    data = build_dashboard(ItemFilters(province="PB"), TODAY)
    assert data.total == 1 and [r.agency.name for r in data.agencies] == [FIA]
    assert [item.ref for item in data.overdue] == ["M-4"]
    ranged = build_dashboard(ItemFilters(due_from=date(2019, 6, 1), due_to=date(2020, 3, 1)), TODAY)
    assert ranged.total == 1 and [i.ref for i in ranged.overdue] == ["M-3"]
    by_pillar = build_dashboard(ItemFilters(pillar="prevention"), TODAY)
    assert [(r.agency.name, r.items) for r in by_pillar.agencies] == [(FIA, 2), (NADRA, 2)]


def test_dashboard_page_has_charts_tables_and_links(mini, client, make_user):
    make_user("rapporteur")
    log_in(client, "rapporteur@example.org")
    response = client.get("/dashboard?pillar=prevention")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for key in ("pillar-status", "pillar-completion", "agency-load", "agency-pillar", "framework-status",
                "province-status", "over-time"):
        assert f'id="{key}-data"' in html
    assert "/vendor/plotly.min.js" in html and 'value="prevention" selected' in html
    # A bar links to the item list with the dashboard's filters and its own.
    assert "items?pillar=prevention\\u0026status=completed" in html  # JSON escapes "/" and "&"
    assert "<caption>Items per pillar and status</caption>" in html
    assert client.get("/vendor/plotly.min.js").status_code == 200


CHART_KEYS = ("pillar-status", "pillar-completion", "agency-load", "agency-pillar", "framework-status",
              "province-status", "over-time")


def said_instead(html: str, key: str) -> str | None:
    """What the page says in place of the chart `key`, if it draws no plot there."""
    found = re.search(rf'<p class="chart-empty" id="{key}">(.*?)</p>', html)
    return found.group(1) if found else None


def test_a_chart_with_nothing_to_show_says_so_instead_of_an_empty_plot(mini, client, make_user):
    make_user("rapporteur")
    log_in(client, "rapporteur@example.org")
    # No item is due in 1900: every chart would be an empty frame of axes.
    html = client.get("/dashboard?due_from=1900-01-01&due_to=1900-01-02").get_data(as_text=True)
    for key in CHART_KEYS:
        assert said_instead(html, key) == "No items match these filters.", key
        assert f'id="{key}-data"' not in html and f'data-chart="{key}-data"' not in html
    assert "No items." in html  # the tables under them say it too
    # Items that match but are all closed: the charts of open items say that; the others draw.
    html = client.get("/dashboard?status=completed").get_data(as_text=True)
    assert said_instead(html, "agency-load") == said_instead(html, "agency-pillar") == \
        "None of the items that match these filters is open."
    assert said_instead(html, "pillar-status") is None and 'id="pillar-status-data"' in html
    # No history in the months chosen: the chart over time says so.
    html = client.get("/dashboard?due_from=2019-01-01&due_to=2020-12-31").get_data(as_text=True)
    assert said_instead(html, "over-time") == "No item was completed or reported on in these months."
    assert said_instead(html, "pillar-status") is None


def test_the_html_report_says_no_items_match_instead_of_empty_charts(mini, client, make_user):
    make_user("rapporteur")
    log_in(client, "rapporteur@example.org")
    html = client.get("/exports/items.html?due_from=1900-01-01&due_to=1900-01-02").get_data(as_text=True)
    assert html.count('<p class="chart-empty">No items match these filters.</p>') == len(CHART_KEYS)
    assert "Plotly.newPlot" not in html.replace(plotly.offline.get_plotlyjs(), "")


def test_long_bar_labels_go_on_two_lines(mini, client, make_user):
    make_user("rapporteur")
    log_in(client, "rapporteur@example.org")
    html = client.get("/dashboard").get_data(as_text=True)
    provinces = re.search(r'<script type="application/json" id="province-status-data">(.*?)</script>', html).group(1)
    labels = json.loads(provinces)["data"][0]["x"]
    assert labels[0] == "National (no<br>province)"  # broken at the space nearest its middle
    assert [label.replace("<br>", " ") for label in labels] == ["National (no province)", "Punjab", "Sindh"]


def add_items(count: int) -> None:
    """Add plain items (with a lead each) to measure the dashboard at size."""
    db.session.add_all(synthetic_items(count))
    db.session.commit()


def count_queries(client, path: str) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_dashboard_query_count_does_not_grow_with_items(mini, client, make_user):
    make_user("rapporteur")
    log_in(client, "rapporteur@example.org")
    add_items(100 - 6)
    small = count_queries(client, "/dashboard")
    add_items(1900)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == 2000
    large = count_queries(client, "/dashboard")
    assert small == large, (small, large)


def figures_on(html: str) -> dict[str, dict]:
    """Each chart's figure as the page hands it to plotly.js."""
    return {key: json.loads(text) for key, text in
            re.findall(r'<script type="application/json" id="([a-z-]+)-data">(.*?)</script>', html)}


@pytest.mark.parametrize("language", ["en", "ur"])
def test_every_figure_is_one_plotly_validates_unchanged(mini, client, make_user, language):
    """The figures are written as plain JSON: Plotly's own validation accepts each, property by property, and gives
    back exactly what the page holds (a misspelt or misplaced property would raise or be changed here)."""
    make_user("rapporteur")
    log_in(client, "rapporteur@example.org")
    figures = figures_on(client.get(f"/dashboard?pending=1&lang={language}").get_data(as_text=True))
    assert set(figures) == set(CHART_KEYS)
    for key, figure in figures.items():
        validated = go.Figure(figure).to_plotly_json()
        assert json.loads(json.dumps(validated, cls=plotly.utils.PlotlyJSONEncoder)) == figure, key
    # The page's direction reaches the charts: right to left in Urdu, the value axis on the right.
    rtl = language == "ur"
    assert (figures["pillar-status"]["layout"]["xaxis"].get("autorange") == "reversed") is rtl
    assert (figures["agency-load"]["layout"]["yaxis"].get("side") == "right") is rtl
