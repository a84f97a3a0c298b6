"""A district focal person reports from a phone: every main page at 390 × 844 in Debian's Chromium.

Each page must fit the viewport (nothing scrolls sideways: a table scrolls inside its own box or turns into
cards); a screenshot of each is saved as an artefact (build/artifacts/phone/, or under $TRACKER_ARTIFACTS).
"""
import os
import re
from pathlib import Path

import pytest

from test_browser import (  # noqa: F401 (the live server, the browser and the logins are fixtures shared with it)
    ADMIN,
    CHROMIUM,
    COORDINATOR,
    FIA,
    NADRA,
    RAPPORTEUR,
    admin_session,
    axe_violations,
    browser,
    live_server,
    log_in,
    sessions,
)

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1400, "height": 1000}
ARTIFACTS = Path(os.environ.get("TRACKER_ARTIFACTS") or Path(__file__).resolve().parent.parent / "build" / "artifacts")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
)

# What sticks out of the viewport, widest first: elements whose box reaches past either edge while no
# ancestor clips them (a box that scrolls or hides its overflow keeps its content from widening the page).
OVERFLOWING = """() => {
  const width = window.innerWidth, found = [];
  // Clipped by a box between it and its containing block's chain: an absolutely positioned element escapes
  // every box that is not positioned (a visually hidden label inside a scrolling table can widen the page).
  function clipped(element) {
    let position = getComputedStyle(element).position;
    if (position === "fixed") { return true; }
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (position === "absolute" && style.position === "static") { continue; }
      if (style.overflowX !== "visible") { return true; }
      position = style.position;
      if (position === "fixed") { return true; }
    }
    return false;
  }
  function name(element) {
    let text = element.tagName.toLowerCase();
    if (element.id) { text += "#" + element.id; }
    if (typeof element.className === "string" && element.className.trim()) {
      text += "." + element.className.trim().split(/\\s+/).slice(0, 3).join(".");
    }
    const words = (element.innerText || element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 50);
    return text + (words ? ` "${words}"` : "");
  }
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || (box.right <= width + 0.5 && box.left >= -0.5)) { continue; }
    if (clipped(element)) { continue; }
    found.push({name: name(element), width: Math.round(box.width), left: Math.round(box.left),
                right: Math.round(box.right)});
  }
  found.sort((a, b) => b.width - a.width);
  return found.slice(0, 5);
}"""


def first_href(page, pattern: str) -> str:
    """The first link on the page whose path matches `pattern`."""
    for href in page.locator("a[href]").evaluate_all("links => links.map(link => link.getAttribute('href'))"):
        if re.fullmatch(pattern, href.split("?")[0]):
            return href
    raise AssertionError(f"no link to {pattern} on {page.url}")



@pytest.fixture
def phone_as(browser, live_server, sessions, admin_session):  # noqa: F811
    """A fresh page of a logged-in user on a 390 × 844 phone screen (or the screen given)."""
    contexts = []

    def open_page(email, viewport=PHONE):
        state = admin_session if email == ADMIN else sessions[email]
        # Not `is_mobile`: a mobile viewport widens itself to what overflows, and would hide the overflow.
        context = browser.new_context(base_url=live_server, viewport=viewport, has_touch=viewport == PHONE,
                                      storage_state=state)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def load(page, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if page.locator("[data-chart]").count():
        page.wait_for_function(
            "[...document.querySelectorAll('[data-chart]')].every(c => c.querySelector('.main-svg, .chart-empty'))")


def screenshot(page, name: str) -> None:
    folder = ARTIFACTS / "phone"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def assert_fits(page, label: str) -> None:
    """The document is no wider than the viewport; else name what sticks out."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[1] == PHONE["width"]
    if widths[0] > widths[1]:
        culprits = page.evaluate(OVERFLOWING)
        lines = "\n".join(f"  {c['name']}: {c['width']} px wide, {c['left']}..{c['right']}" for c in culprits)
        raise AssertionError(f"{label} is {widths[0]} px wide on a {widths[1]} px screen; widest first:\n{lines}")


# No hyphen or space to break at: a shared-drive link and a case register's reference, as focal persons paste them.
LONG_LINK = "https://drive.example.org/file/d/1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1oP2qR3/view"
LONG_WORD = "AHTCPUNJABCASEREGISTER2026Q3SERIAL0000123456789LINKEDTONADRARECORDS"


@pytest.fixture(scope="module")
def phone_report(browser, live_server, sessions):  # noqa: F811
    """NADRA's focal person reports on PAPER-g from a phone, with a long link and a long unbroken word: the
    kind of text that widens a page that does not wrap it."""
    context = browser.new_context(base_url=live_server, viewport=PHONE, has_touch=True, storage_state=sessions[NADRA])
    page = context.new_page()
    page.goto("/items/PAPER-g/update")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Progress (%)").fill("20")
    page.get_by_label("What happened").fill(f"Records exchange agreed; see {LONG_WORD}.")
    page.get_by_label("Links, one per line").fill(LONG_LINK)
    page.get_by_label("Figure").fill("12")
    page.get_by_label("Unit").fill("records exchanged")
    page.get_by_label("As of").fill("2026-07-31")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_url("**/items/PAPER-g")
    context.close()
    return "PAPER-g"


AGENCY_PAGES = ["/", "/items", "/items?pillar=protection&status=not_started&q=shelter", "/items/PAPER-g",
                "/items/PAPER-g/update", "/dashboard", "/dashboard?due_from=1900-01-01&due_to=1900-01-02",
                "/indicators", "/indicators/PROT-VICTIMS-IDENTIFIED", "/notifications", "/assessments"]
COORDINATOR_PAGES = ["/", "/queue", "/items", "/items/PAPER-g", "/items/NAP05-PROS-a-ii", "/items/PAPER-g/agencies",
                     "/items/PAPER-g/plan", "/dashboard", "/dashboard?pending=1", "/changes", "/changes?preset=year",
                     "/indicators/rates", "/indicators/new", "/agencies", "/pillars", "/pillars/prevention",
                     "/context", "/laws/PCHTO-2002", "/sources", "/frameworks", "/frameworks/NAP21",
                     "/items/NAP05-ATU-D7", "/account/tokens"]
RAPPORTEUR_PAGES = ["/", "/changes", "/assessments", "/rapporteur/reports", "/items/PAPER-i", "/indicators"]
FIA_PAGES = ["/", "/indicators/PROS-PTPA-INVESTIGATIONS/values", "/indicators/PROS-PTPA-INVESTIGATIONS"]
ADMIN_PAGES = ["/", "/admin/users", "/admin/agencies", "/admin/import", "/admin/reminders", "/admin/reminders/log",
               "/admin/audit"]
PAGES = [(NADRA, path) for path in AGENCY_PAGES] + [(COORDINATOR, path) for path in COORDINATOR_PAGES] + [
    (RAPPORTEUR, path) for path in RAPPORTEUR_PAGES] + [(FIA, path) for path in FIA_PAGES] + [
    (ADMIN, path) for path in ADMIN_PAGES]


def artefact_name(email: str, path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{email.split('@')[0]} {path}").strip("-")


@pytest.mark.parametrize(("email", "path"), PAGES, ids=[f"{email.split('@')[0]}:{path}" for email, path in PAGES])
def test_every_main_page_fits_a_phone(phone_as, phone_report, email, path):
    page = phone_as(email)
    load(page, path)
    screenshot(page, artefact_name(email, path))
    assert_fits(page, path)


def test_pages_reached_by_link_fit_a_phone(phone_as):
    page = phone_as(ADMIN)
    for listing, pattern in (("/agencies", r"/agencies/\d+"), ("/admin/users", r"/admin/users/\d+"),
                             ("/admin/agencies", r"/admin/agencies/\d+")):
        load(page, listing)
        path = first_href(page, pattern)
        load(page, path)
        screenshot(page, artefact_name(ADMIN, path))
        assert_fits(page, path)


def on_screen(page, locator) -> bool:
    """Whether the element lies within the viewport's width (a phone user needs no sideways scrolling to reach it)."""
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]


def test_the_agency_home_shows_every_report_button_on_a_phone(phone_as):
    page = phone_as(NADRA)
    load(page, "/")
    buttons = page.get_by_role("link", name=re.compile(r"^Report on "))
    assert buttons.count() >= 5
    for button in buttons.all():
        assert button.is_visible() and on_screen(page, button), button.inner_text()
    # Each item is a card: its ref, then its title, status and due date under it, as wide as the screen.
    row = page.locator("table.table-items tbody tr").first
    assert row.bounding_box()["width"] <= PHONE["width"]
    assert "Status:" in page.evaluate("row => [...row.cells].map(cell => getComputedStyle(cell, '::before')"
                                      ".content).join(' ')", row.element_handle())
    button = page.get_by_role("link", name="Report on PAPER-g")
    button.click()
    page.wait_for_url("**/items/PAPER-g/update")


def test_the_item_page_shows_the_official_state_before_the_history_on_a_phone(phone_as):
    page = phone_as(NADRA)
    load(page, "/items/PAPER-g")
    facts = page.get_by_role("complementary", name="Item facts")
    history = page.get_by_role("heading", name="History", exact=True)
    above = history.bounding_box()["y"]
    for part in (page.get_by_role("link", name="Report progress"), facts.locator("dt", has_text="Status"),
                 facts.get_by_role("progressbar"), facts.locator("dt", has_text="Due")):
        assert part.bounding_box()["y"] < above, part
        assert on_screen(page, part)
    # On a wide screen the facts stand beside the item, and the history follows the item's text at once.
    wide = phone_as(NADRA, WIDE)
    wide.goto("/items/PAPER-g")
    text = wide.locator("article.item-main").bounding_box()
    aside = wide.get_by_role("complementary", name="Item facts").bounding_box()
    heading = wide.get_by_role("heading", name="History", exact=True).bounding_box()
    assert aside["x"] > heading["x"] + heading["width"] and aside["y"] < heading["y"]
    # The history follows the item's own column (its text, and the coverage section below it) at once:
    # no gap the height of the facts.
    assert heading["y"] - (text["y"] + text["height"]) < 80


def test_an_agency_reports_from_a_phone_and_long_links_wrap(phone_as, phone_report):
    page = phone_as(NADRA)
    load(page, "/items/PAPER-g/update")
    # Every field is within the screen and wide enough to read what it holds (a date field needs room).
    fields = "main form :is(input:not([type=hidden], [type=checkbox], [type=submit]), select, textarea)"
    for field in page.locator(fields).all():
        box = field.bounding_box()
        assert on_screen(page, field) and box["width"] >= 150, (field.get_attribute("name"), box)
    assert on_screen(page, page.get_by_role("button", name="Save update"))
    load(page, "/items/PAPER-g")
    facts = page.get_by_role("complementary", name="Item facts")
    link = facts.get_by_role("link", name=LONG_LINK)
    assert link.is_visible() and on_screen(page, link)
    assert on_screen(page, facts.get_by_text(LONG_WORD, exact=False))
    screenshot(page, "nadra-reported-from-a-phone")
    assert_fits(page, "/items/PAPER-g after a report with a long link")


def test_the_menu_folds_behind_the_toggler_on_a_phone(phone_as):
    page = phone_as(RAPPORTEUR)
    load(page, "/")
    menu = page.get_by_role("navigation", name="Main")
    toggler = menu.get_by_role("button", name="Show the menu")
    assert toggler.is_visible() and not menu.get_by_role("link", name="Dashboard").is_visible()
    toggler.click()
    menu.get_by_role("link", name="Dashboard").wait_for()
    menu.get_by_role("button", name="Review").click()
    report = menu.get_by_role("link", name="The Rapporteur's report")
    report.wait_for()
    assert on_screen(page, report) and on_screen(page, menu.get_by_role("button", name=re.compile("your account")))
    screenshot(page, "rapporteur-menu-open")
    assert_fits(page, "/ with the menu open")
    report.click()
    # Playwright's 30 s was once not enough on a machine loaded by both test processes (alone: 10 s with start-up).
    page.wait_for_url("**/rapporteur/reports", timeout=60_000)


def test_the_list_filters_fold_behind_a_button_that_counts_them(phone_as):
    page = phone_as(NADRA)
    load(page, "/items")
    form = page.get_by_role("search", name="Filter items")
    toggle = page.get_by_role("button", name="Filters", exact=True)
    assert toggle.is_visible() and not form.is_visible()
    # The results come first: the first item is on the first screen.
    assert page.locator("table.table-items tbody tr").first.bounding_box()["y"] < PHONE["height"]
    toggle.click()
    form.get_by_label("Pillar").wait_for()
    form.get_by_label("Pillar").select_option("protection")
    form.get_by_label("Status").select_option("not_started")
    form.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/items?*pillar=protection*")
    toggle = page.get_by_role("button", name="Filters 2 set")
    assert toggle.is_visible() and not form.is_visible()
    assert page.locator("table.table-items tbody tr").count() > 0
    screenshot(page, "nadra-items-filtered")
    toggle.click()
    assert form.get_by_label("Pillar").input_value() == "protection"
    # A wide screen shows the filters as they were, with no button.
    wide = phone_as(NADRA, WIDE)
    wide.goto("/items?pillar=protection")
    assert wide.get_by_role("search", name="Filter items").is_visible()
    assert not wide.locator(".filters-toggle").is_visible()


def test_dashboard_charts_fit_a_phone_with_the_legend_below(phone_as):
    page = phone_as(COORDINATOR)
    load(page, "/dashboard")
    charts = page.evaluate("""() => [...document.querySelectorAll('[data-chart]')].map(chart => {
      const svg = chart.querySelector('.main-svg').getBoundingClientRect();
      const legend = chart.querySelector('.legend');
      const labels = [...chart.querySelectorAll('.xtick text, .g-xtitle text')].map(t => t.getBoundingClientRect());
      return {key: chart.id, width: svg.width, room: chart.clientWidth, modebar: !!chart.querySelector('.modebar'),
              legendTop: legend ? legend.getBoundingClientRect().top : null,
              labelsBottom: Math.max(0, ...labels.map(box => box.bottom))};
    })""")
    assert len(charts) == 7
    for chart in charts:
        assert chart["width"] <= chart["room"] <= PHONE["width"], chart
        assert not chart["modebar"], chart  # its buttons would sit on the bars
        if chart["legendTop"] is not None:
            assert chart["legendTop"] >= chart["labelsBottom"], chart  # below the axis, never over its labels


TABLES_FIT = """() => [...document.querySelectorAll('table.table-numbers, table.table-stack')]
  .filter(table => table.offsetParent !== null)
  .map(table => ({caption: (table.caption ? table.caption.innerText : table.id).slice(0, 60),
                  width: table.scrollWidth, room: table.parentElement.clientWidth}))
  .filter(table => table.width > table.room)"""


@pytest.mark.parametrize(("width", "media"), [(390, "screen"), (1200, "screen"), (1400, "screen"), (718, "print")])
def test_the_dashboard_number_tables_fit_their_column(phone_as, width, media):
    """On a phone, beside a chart on a wide screen, and on A4 paper (718 px between the margins)."""
    page = phone_as(COORDINATOR, {"width": width, "height": 900})
    page.emulate_media(media=media)
    too_wide = []
    for path in ("/dashboard", "/dashboard?pending=1"):
        load(page, path)
        page.evaluate("document.querySelectorAll('details').forEach(details => details.open = true)")
        too_wide += [dict(table, page=path) for table in page.evaluate(TABLES_FIT)]
    if media == "print":
        page.pdf(path=str(ARTIFACTS / "phone" / "dashboard-printed.pdf"))  # what "Print or save as PDF" gives
    assert too_wide == []


def test_an_empty_dashboard_says_no_items_match(phone_as):
    page = phone_as(COORDINATOR)
    load(page, "/dashboard?due_from=1900-01-01&due_to=1900-01-02")
    assert page.locator(".main-svg").count() == 0
    for key in ("pillar-status", "pillar-completion", "agency-load", "agency-pillar", "framework-status",
                "province-status", "over-time"):
        assert page.locator(f"#{key}").inner_text() == "No items match these filters."
    screenshot(page, "coordinator-dashboard-empty")


@pytest.mark.parametrize(("email", "path"), [(NADRA, "/"), (NADRA, "/items?pillar=protection"),
                                             (NADRA, "/items/PAPER-g"), (COORDINATOR, "/"),
                                             (COORDINATOR, "/dashboard")])
def test_phone_pages_pass_axe_accessibility_checks(phone_as, email, path):
    page = phone_as(email)
    load(page, path)
    serious = axe_violations(page)
    assert serious == [], "\n".join(serious)
