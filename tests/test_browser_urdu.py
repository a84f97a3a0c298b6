"""The browser journey in Urdu (Debian's Chromium via Playwright): a focal person logs in, switches to Urdu from
the menu, then reads the agency home, the update form, the dashboard and an item page, at desktop width and on a
390 px phone.

The frame is what is checked here (the pages' own words are translated part by part): the page is right to left,
its text is set in Noto Nastaliq Urdu (the font face loaded, and used), nothing is wider than the screen, and
axe-core finds no serious or critical violation. Screenshots are saved under build/artifacts/urdu/ (or
$TRACKER_ARTIFACTS/urdu/).
"""
import os
from pathlib import Path

import pytest

from test_browser import (  # noqa: F401 (the live server, the browser and the logins are fixtures shared with it)
    CHROMIUM,
    NADRA,
    axe_violations,
    browser,
    live_server,
    log_in,
)
from test_browser_phone import OVERFLOWING

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(os.environ.get("TRACKER_ARTIFACTS") or Path(__file__).resolve().parent.parent / "build" / "artifacts")
PAGES = {"home": "/", "update-form": "/items/PAPER-g/update", "dashboard": "/dashboard", "item": "/items/PAPER-g"}

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
)

# What the browser made of the page's type: the font family asked for, and whether the Nastaliq face was loaded
# and can draw the page's Urdu (document.fonts.check is true only once a face covering the text is loaded).
FONT_STATE = """async () => {
  await document.fonts.ready;
  const body = getComputedStyle(document.body);
  const faces = [...document.fonts].filter(face => face.family.replace(/["']/g, "") === "Noto Nastaliq Urdu");
  return {
    family: body.fontFamily,
    heading: getComputedStyle(document.querySelector("h1, .h3, main")).fontFamily,
    loaded: faces.filter(face => face.status === "loaded").map(face => face.weight),
    drawn: document.fonts.check('16px "Noto Nastaliq Urdu"', "اردو"),
    lineHeight: parseFloat(body.lineHeight) / parseFloat(body.fontSize),
  };
}"""


@pytest.fixture(scope="module")
def urdu_session(browser, live_server):  # noqa: F811
    """NADRA's focal person logs in (in English), then chooses اردو in the menu: the account keeps it."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    page = context.new_page()
    log_in(page, NADRA)
    assert page.locator("html").get_attribute("dir") == "ltr"
    switch = page.get_by_role("navigation", name="Main").get_by_role("group", name="Language")
    assert switch.get_by_role("link", name="English").get_attribute("aria-current") == "true"
    switch.get_by_role("link", name="اردو").click()
    page.wait_for_url("**/?lang=ur")
    assert page.locator("html").get_attribute("dir") == "rtl"
    state = context.storage_state()
    context.close()
    return state


def screenshot(page, name: str) -> None:
    folder = ARTIFACTS / "urdu"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("name", list(PAGES))
def test_the_journey_reads_right_to_left_in_nastaliq(browser, live_server, urdu_session, name, screen):  # noqa: F811
    viewport = DESKTOP if screen == "desktop" else PHONE
    context = browser.new_context(base_url=live_server, viewport=viewport, has_touch=screen == "phone",
                                  storage_state=urdu_session)
    external = []
    try:
        page = context.new_page()
        page.on("request", lambda request: external.append(request.url)
                if not request.url.startswith((live_server, "data:", "blob:")) else None)
        page.goto(PAGES[name])  # no ?lang=: the account remembers Urdu
        page.wait_for_load_state("networkidle")
        if page.locator("[data-chart]").count():
            page.wait_for_function(
                "[...document.querySelectorAll('[data-chart]')].every(c => c.querySelector('.main-svg, .chart-empty'))")
        html = page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ur", "rtl")
        # The frame in Urdu: the menu's landmark, the switch with Urdu marked as the current language.
        menu = page.get_by_role("navigation", name="مرکزی")
        assert menu.count() == 1
        # (On a phone the switch is folded into the menu with the rest of it.)
        switch = menu.locator('.language-switch[aria-label="زبان"]')
        assert switch.locator('a[lang="ur"]').get_attribute("aria-current") == "true"
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        # Right to left: the brand sits at the right edge of the bar.
        brand = page.locator(".navbar-brand").bounding_box()
        assert brand["x"] + brand["width"] > viewport["width"] / 2
        fonts = page.evaluate(FONT_STATE)
        assert fonts["family"].startswith('"Noto Nastaliq Urdu"'), fonts
        assert fonts["heading"].startswith('"Noto Nastaliq Urdu"'), fonts
        assert fonts["loaded"] and fonts["drawn"], fonts
        assert fonts["lineHeight"] >= 1.9, fonts
        screenshot(page, f"{name}-{screen}")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            culprits = "\n".join(f"  {c['name']}: {c['width']} px, {c['left']}..{c['right']}"
                                 for c in page.evaluate(OVERFLOWING))
            raise AssertionError(f"{PAGES[name]} is {widths[0]} px wide on a {widths[1]} px screen:\n{culprits}")
        serious = axe_violations(page)
        assert serious == [], "\n".join(serious)
    finally:
        context.close()
    assert external == [], f"the page reached out of the machine: {external}"


def test_agency_pickers_read_right_to_left(browser, live_server, urdu_session):  # noqa: F811
    """Tom Select marks its pickers right to left in an Urdu page; its clear button and caret sit on the left."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, storage_state=urdu_session)
    try:
        page = context.new_page()
        page.goto("/items")
        picker = page.locator(".ts-wrapper").first
        picker.wait_for()
        assert "rtl" in picker.get_attribute("class")
        control = page.locator(".ts-wrapper .ts-control").first
        padding = control.evaluate("c => [getComputedStyle(c).paddingLeft, getComputedStyle(c).paddingRight]")
        assert float(padding[0][:-2]) > float(padding[1][:-2]), padding  # the room for the caret is on the left
        control.click()
        page.locator(".ts-dropdown").first.wait_for()
        screenshot(page, "agency-picker-open")
    finally:
        context.close()


def test_the_phone_menu_opens_and_switches_back_to_english(browser, live_server, urdu_session):  # noqa: F811
    context = browser.new_context(base_url=live_server, viewport=PHONE, has_touch=True, storage_state=urdu_session)
    try:
        page = context.new_page()
        page.goto("/items/PAPER-g")
        menu = page.get_by_role("navigation", name="مرکزی")
        menu.get_by_role("button", name="مینو دکھائیں").click()
        english = menu.get_by_role("group", name="زبان").get_by_role("link", name="English")
        english.wait_for()
        screenshot(page, "menu-open-phone")
        english.click()
        page.wait_for_url("**/items/PAPER-g?lang=en")
        assert page.locator("html").get_attribute("dir") == "ltr"
        page.goto("/")
        assert page.locator("html").get_attribute("lang") == "en"  # the account remembers English now
    finally:
        context.close()
