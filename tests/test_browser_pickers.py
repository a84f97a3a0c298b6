"""Choosing among 120 agencies in Debian's Chromium: every agency picker is searchable by name, short name and other
names, a plain click adds to a multiple choice instead of replacing it, the keyboard does everything the mouse does,
axe-core finds nothing serious, and without JavaScript the plain select still works.

Screenshots are saved as artefacts under build/artifacts/pickers/ (or $TRACKER_ARTIFACTS/pickers/).
"""
import os
import re
from pathlib import Path

import pytest

from test_browser import (  # noqa: F401 (the live server, the browser and the logins are fixtures shared with it)
    ADMIN,
    CHROMIUM,
    COORDINATOR,
    NADRA,
    admin_session,
    axe_violations,
    browser,
    live_server,
    log_in,
    sessions,
)

ARTIFACTS = Path(os.environ.get("TRACKER_ARTIFACTS") or Path(__file__).resolve().parent.parent / "build" / "artifacts")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
)


def screenshot(page, name: str) -> None:
    folder = ARTIFACTS / "pickers"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)



@pytest.fixture
def page_as(browser, live_server, sessions, admin_session):  # noqa: F811
    """A fresh page of a logged-in user (JavaScript on unless told); it may reach nothing off the machine, and a
    script error fails the test."""
    contexts, external, errors = [], [], []

    def open_page(email, javascript=True):
        state = admin_session if email == ADMIN else sessions[email]
        context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                      storage_state=state, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: external.append(request.url)
                if not request.url.startswith((live_server, "data:", "blob:")) else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert external == [], f"the page reached out of the machine: {external}"
    assert errors == [], f"errors in the page: {errors}"


def type_into(page, picker_id: str, text: str) -> None:
    """Type into a picker's search box, key by key, and wait for its list to follow (it waits for a pause)."""
    field = page.locator(f"#{picker_id}-ts-control")
    field.focus()
    page.wait_for_function("id => document.activeElement.id === id", arg=f"{picker_id}-ts-control")
    field.press_sequentially(text)
    page.wait_for_function("([id, text]) => document.getElementById(id).tomselect.lastQuery === text",
                           arg=[picker_id, text])


def box(page, picker_id: str):
    """The picker's box, where its chosen agencies and its search field are (a single picker hides the field
    behind its choice until the box is clicked)."""
    return page.locator(f"#{picker_id}-ts-control").locator("xpath=..")


def listed(page, picker_id: str) -> list[str]:
    """The options a picker's open list shows."""
    return page.locator(f"#{picker_id}-ts-dropdown [role=option]").all_inner_texts()


def option(page, picker_id: str, name: str):
    """An option of a picker's open list, by its text."""
    return page.locator(f"#{picker_id}-ts-dropdown [role=option]", has_text=name)


def chips(page, picker_id: str) -> list[str]:
    """The agencies a multiple picker shows as chosen (each chip's text without its remove button)."""
    return box(page, picker_id).locator(".item").evaluate_all(
        "items => items.map(item => item.firstChild.textContent.trim())")


def responsible(page, role: str) -> list[str]:
    """The item page's responsible agencies of a role ("Lead", "Supporting"), by the label of their link."""
    rows = page.locator("h2:has-text('Responsible') + ul li", has=page.locator(".badge", has_text=role))
    return [row.get_by_role("link").first.inner_text().strip() for row in rows.all()]


def test_fia_typed_in_the_supporting_picker_and_two_agencies_picked_with_plain_clicks_are_both_saved(page_as):
    page = page_as(COORDINATOR)
    page.goto("/items/PAPER-l/agencies")  # the Ministry of Human Rights leads it; no FIA body is on it
    before = chips(page, "supporting")
    combobox = page.get_by_role("combobox", name="Supporting agencies")
    assert combobox.is_visible()  # the label belongs to the picker's search box
    combobox.click()
    type_into(page, "supporting", "FIA")
    found = listed(page, "supporting")
    # The short name finds the FIA and the units named after it (by their names and other names), and no other.
    assert "Federal Investigation Agency (FIA)" in found
    assert {"Anti Trafficking Units (ATUs)", "FIA Anti-Human Trafficking Circles (FIA AHTC)"} <= set(found)
    assert "National Database and Registration Authority (NADRA)" not in found
    option(page, "supporting", "Anti Trafficking Units (ATUs)").click()  # a plain click: no Ctrl
    option(page, "supporting", "FIA Anti-Human Trafficking Circles").click()
    screenshot(page, "supporting-fia-picked")
    serious = axe_violations(page)  # with the list open and two chips added
    assert chips(page, "supporting") == [*before, "Anti Trafficking Units (ATUs)",
                                         "FIA Anti-Human Trafficking Circles (FIA AHTC)"]
    assert page.locator("#supporting-chosen").inner_text().endswith(
        "Anti Trafficking Units (ATUs); FIA Anti-Human Trafficking Circles (FIA AHTC).")
    page.get_by_role("heading", level=1).click()  # a click beside the list closes it
    page.get_by_role("button", name="Save agencies").click()
    page.wait_for_url("**/items/PAPER-l")
    assert "supporting added: ATUs, FIA AHTC" in page.get_by_role("status").first.inner_text()
    assert {"ATUs", "FIA AHTC"} <= set(responsible(page, "Supporting"))
    screenshot(page, "supporting-saved")
    assert serious == [], "\n".join(serious)


def test_other_names_find_an_agency_and_the_keyboard_alone_assigns_and_removes(page_as):
    page = page_as(COORDINATOR)
    page.goto("/items/PAPER-k/agencies")  # the Ministry of Interior leads it; the FIA and Finance support it
    lead = page.get_by_role("combobox", name="Lead agency")
    lead.focus()
    type_into(page, "lead", "Director General, FIA")  # another name: neither its name nor its short name
    assert listed(page, "lead") == ["Federal Investigation Agency (FIA)"]
    page.keyboard.press("Enter")
    assert page.locator("#lead option:checked").inner_text() == "Federal Investigation Agency (FIA)"
    page.keyboard.press("Tab")
    supporting = page.get_by_role("combobox", name="Supporting agencies")
    assert supporting.evaluate("element => element === document.activeElement")
    before = chips(page, "supporting")
    for typed, wanted in (("interior", "Ministry of Interior (MoI)"),
                          ("nadra", "National Database and Registration Authority (NADRA)")):
        type_into(page, "supporting", typed)
        assert page.locator("#supporting-ts-dropdown .active").inner_text() == wanted
        page.keyboard.press("Enter")  # added beside the others
        supporting.fill("")
    assert chips(page, "supporting") == [*before, "Ministry of Interior (MoI)",
                                         "National Database and Registration Authority (NADRA)"]
    page.keyboard.press("Escape")
    page.keyboard.press("Backspace")  # the last chip goes: NADRA
    assert chips(page, "supporting") == [*before, "Ministry of Interior (MoI)"]
    screenshot(page, "keyboard-only")
    page.keyboard.press("Tab")  # to the Save button
    assert page.evaluate("document.activeElement.value") == "Save agencies"
    page.keyboard.press("Enter")
    page.wait_for_url("**/items/PAPER-k")
    assert responsible(page, "Lead") == ["FIA"]
    assert "MoI" in responsible(page, "Supporting") and "NADRA" not in responsible(page, "Supporting")


def test_without_javascript_the_plain_select_still_assigns(page_as):
    page = page_as(COORDINATOR, javascript=False)
    page.goto("/items/PAPER-m/agencies")
    assert page.locator(".ts-wrapper").count() == 0
    supporting = page.get_by_label("Supporting agencies")
    assert supporting.evaluate("select => select.tagName") == "SELECT"
    assert page.get_by_text("Hold Ctrl (or ⌘) to choose several.").is_visible()
    chosen = supporting.locator("option:checked").all_inner_texts()
    supporting.select_option(label=[*chosen, "Anti Trafficking Units (ATUs)", "Punjab Police (PB Police)"])
    screenshot(page, "without-javascript")
    page.get_by_role("button", name="Save agencies").click()
    page.wait_for_url("**/items/PAPER-m")
    assert {"ATUs", "PB Police"} <= set(responsible(page, "Supporting"))


def test_the_item_filter_finds_an_agency_by_another_name(page_as):
    page = page_as(NADRA)
    page.goto("/items")
    assert page.get_by_role("combobox", name="Agency").count() == 1
    box(page, "agency").click()
    type_into(page, "agency", "DG FIA")
    option(page, "agency", "Federal Investigation Agency (FIA)").click()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*/items\?.*agency=\d+"))
    assert page.locator("table.table-items tbody tr").count() > 0
    # The filter kept shows the agency chosen, in the picker as in the select behind it.
    assert box(page, "agency").inner_text().strip() == "Federal Investigation Agency (FIA)"
    screenshot(page, "items-filtered-by-dg-fia")


def test_the_admin_gives_a_new_account_its_agency_by_short_name(page_as):
    page = page_as(ADMIN)
    page.goto("/admin/users")
    form = page.get_by_role("region", name="New account")
    form.get_by_label("E-mail").fill("focal.ahtc@example.org")
    form.get_by_label("Role").select_option("agency")
    assert form.get_by_role("combobox", name="Agency (agency users only)").count() == 1
    box(page, "agency").click()
    type_into(page, "agency", "AHTC")
    option(page, "agency", "FIA Anti-Human Trafficking Circles").click()
    page.get_by_role("button", name="Create account").click()
    created = page.get_by_text("Account focal.ahtc@example.org created.")
    created.wait_for()  # the answer to the form's post, however long a loaded machine takes
    assert created.is_visible()
    search = page.get_by_role("search", name="Find accounts")
    search.get_by_label("Search name, e-mail, role or agency").fill("focal.ahtc")
    search.get_by_role("button", name="Search").click()
    row = page.locator("table tbody tr", has_text="focal.ahtc@example.org")
    assert "FIA Anti-Human Trafficking Circles" in row.inner_text()


@pytest.mark.parametrize(("email", "path"), [
    (COORDINATOR, "/items/PAPER-g/agencies"), (COORDINATOR, "/items"), (COORDINATOR, "/indicators/new"),
    (COORDINATOR, "/dashboard"), (ADMIN, "/admin/users"), (ADMIN, "/admin/agencies"),
    (ADMIN, "/admin/agencies?q=fia"), (ADMIN, "/admin/users?role=agency")])
def test_pages_with_pickers_pass_axe(page_as, email, path):
    page = page_as(email)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.locator(".ts-wrapper").count() >= 1  # the pickers are there, enhanced
    serious = axe_violations(page)
    screenshot(page, re.sub(r"[^A-Za-z0-9]+", "-", f"{email.split('@')[0]} {path}").strip("-"))
    assert serious == [], "\n".join(serious)


def test_the_supporting_picker_open_on_a_phone_fits_the_screen(browser, live_server, sessions):  # noqa: F811
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, has_touch=True,
                                  storage_state=sessions[COORDINATOR])
    page = context.new_page()
    page.goto("/items/PAPER-g/agencies")
    page.get_by_role("combobox", name="Supporting agencies").tap()
    type_into(page, "supporting", "police")
    assert "Punjab Police (PB Police)" in listed(page, "supporting")
    option(page, "supporting", "Punjab Police (PB Police)").tap()
    assert "Punjab Police (PB Police)" in chips(page, "supporting")
    screenshot(page, "phone-supporting-open")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    context.close()
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen"
