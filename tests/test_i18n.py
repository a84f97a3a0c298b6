"""The interface's language: chosen by ?lang=, the account, the session or the browser, in that order; Urdu
pages read right to left."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from conftest import csrf_token, log_in
from tracker.extensions import db
from tracker.models import User

SKIP_LINK_UR = "مرکزی مواد پر جائیں"


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


def test_the_browser_preference_chooses_before_login(client):
    assert html_tag(client.get("/login")) == '<html lang="en" dir="ltr">'
    urdu = client.get("/login", headers={"Accept-Language": "ur-PK,ur;q=0.9,en;q=0.8"})
    assert html_tag(urdu) == '<html lang="ur" dir="rtl">' and SKIP_LINK_UR in urdu.get_data(as_text=True)


def test_lang_in_the_address_switches_and_is_remembered(client):
    assert html_tag(client.get("/login?lang=ur")) == '<html lang="ur" dir="rtl">'
    assert html_tag(client.get("/login")) == '<html lang="ur" dir="rtl">'  # the session keeps it
    assert html_tag(client.get("/login?lang=xx")) == '<html lang="ur" dir="rtl">'  # an unknown one changes nothing
    assert html_tag(client.get("/login?lang=en")) == '<html lang="en" dir="ltr">'
    assert html_tag(client.get("/login", headers={"Accept-Language": "ur"})) == '<html lang="en" dir="ltr">'


def test_the_account_remembers_the_language_chosen(as_role, app):
    coordinator = as_role("coordinator")
    assert html_tag(coordinator.get("/items?lang=ur")) == '<html lang="ur" dir="rtl">'
    assert db.session.scalar(sa.select(User.language).where(User.email == "coordinator-x@example.org")) == "ur"
    # Another browser, logged in as the same account, shows Urdu whatever its own preference.
    other = app.test_client()
    assert log_in(other, "coordinator-x@example.org").status_code == 302
    assert html_tag(other.get("/items", headers={"Accept-Language": "en"})) == '<html lang="ur" dir="rtl">'


# The frame in both languages: one Bootstrap (its right-to-left sheet for Urdu), the Nastaliq font, the switch.

def links(response) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)">', response.get_data(as_text=True))


def language_switch(response) -> str:
    return re.search(r'<div class="language-switch".*?</div>', response.get_data(as_text=True), re.S).group(0)


def test_urdu_pages_load_bootstraps_right_to_left_sheet_and_the_nastaliq_font(client):
    english, urdu = links(client.get("/login?lang=en")), links(client.get("/login?lang=ur"))
    assert "/vendor/bootstrap/css/bootstrap.min.css" in english
    assert "/vendor/bootstrap/css/bootstrap.rtl.min.css" in urdu
    assert not any("rtl" in link for link in english)
    for page in (english, urdu):
        assert "/vendor/fonts/noto-nastaliq-urdu/arabic-400.css" in page
    for path in [*urdu, "/vendor/bootstrap/css/bootstrap.min.css", "/vendor/bootstrap/js/bootstrap.bundle.min.js"]:
        assert client.get(path).status_code == 200, path


def test_both_directions_use_the_bootstrap_version_bootstrap_flask_serves(client):
    """Bootstrap-Flask's own files (still served at /bootstrap/static/) and npm's are one version."""
    def version(path):
        return re.search(r"Bootstrap\s+v(\d+\.\d+\.\d+)", client.get(path).get_data(as_text=True)).group(1)

    bundled = version("/bootstrap/static/css/bootstrap.min.css")
    assert version("/vendor/bootstrap/css/bootstrap.min.css") == bundled
    assert version("/vendor/bootstrap/css/bootstrap.rtl.min.css") == bundled
    assert version("/vendor/bootstrap/js/bootstrap.bundle.min.js") == bundled


def test_the_nastaliq_font_is_served_from_the_installed_package(client):
    sheet = client.get("/vendor/fonts/noto-nastaliq-urdu/arabic-400.css").get_data(as_text=True)
    assert "font-family: 'Noto Nastaliq Urdu'" in sheet
    font = re.search(r"url\(\./(files/[^)]+\.woff2)\)", sheet).group(1)
    response = client.get(f"/vendor/fonts/noto-nastaliq-urdu/{font}")
    assert response.status_code == 200 and response.mimetype == "font/woff2" and response.data[:4] == b"wOF2"
    assert client.get("/vendor/fonts/noto-nastaliq-urdu/../../bootstrap/package.json").status_code == 404
    css = client.get("/static/css/tracker.css").get_data(as_text=True)
    assert '--bs-body-font-family: "Noto Nastaliq Urdu"' in css and "--bs-body-line-height: 2.1" in css


def test_the_login_page_offers_both_languages_each_in_its_own(client):
    switch = language_switch(client.get("/login?lang=en"))
    assert re.search(r'<a [^>]*lang="en"[^>]*href="/login\?lang=en" aria-current="true">English</a>', switch)
    assert re.search(r'<a [^>]*lang="ur"[^>]*href="/login\?lang=ur">اردو</a>', switch)
    urdu = language_switch(client.get("/login?lang=ur"))
    assert 'aria-label="زبان"' in urdu and re.search(r'href="/login\?lang=ur" aria-current="true">اردو</a>', urdu)


def test_the_menus_switch_keeps_the_page_and_its_filters(as_role):
    coordinator = as_role("coordinator")
    page = coordinator.get("/items?status=blocked&page=1")
    switch = language_switch(page)
    assert 'href="/items?status=blocked&amp;page=1&amp;lang=ur">اردو</a>' in switch
    urdu = coordinator.get("/items?status=blocked&page=1&lang=ur")
    html = urdu.get_data(as_text=True)
    assert html_tag(urdu) == '<html lang="ur" dir="rtl">'
    for text in ("اقدامات", "ڈیش بورڈ", "لاگ آؤٹ", "زبان اور ہندسے", "انسانی اسمگلنگ کے خلاف پاکستان کے منصوبوں"):
        assert text in html, text
    assert "Traceback" not in html
    # A path that would read as another site in a link stays on this one.
    assert 'href="/evil.example/x?lang=ur"' in language_switch(
        coordinator.get("/", environ_overrides={"PATH_INFO": "//evil.example/x"}))


def test_urdu_error_pages(client, as_role):
    missing = client.get("/no-such-page?lang=ur")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 404 and html_tag(missing) == '<html lang="ur" dir="rtl">'
    assert "صفحہ نہیں ملا" in html and "اس پتے پر کوئی صفحہ نہیں" in html and "خرابی 404۔" in html
    assert "requested URL" not in html
    # Flask-WTF's CSRF refusal: its reason from our catalogue.
    coordinator = as_role("coordinator")
    refused = coordinator.post("/account/language?lang=ur", data={"language": "en", "digits": "latn"})
    assert refused.status_code == 400
    assert "فارم کا حفاظتی ٹوکن (CSRF) موجود نہیں۔" in refused.get_data(as_text=True)
    # Not asked for Urdu: the English page, unchanged.
    english = client.get("/no-such-page?lang=en")
    assert "Page not found" in english.get_data(as_text=True) and "Error 404." in english.get_data(as_text=True)


def test_the_login_pages_message_is_in_the_language_asked_for(client):
    page = client.get("/items?lang=ur", follow_redirects=True)
    assert "یہ صفحہ دیکھنے کے لیے براہِ کرم لاگ ان کریں۔" in page.get_data(as_text=True)


def test_a_user_chooses_urdu_and_urdu_digits_on_the_language_page(as_role):
    coordinator = as_role("coordinator")
    page = coordinator.get("/account/language")
    assert page.status_code == 200 and 'lang="ur">اردو</label>' in page.get_data(as_text=True)
    saved = coordinator.post("/account/language", data={
        "language": "ur", "digits": "arabext", "csrf_token": csrf_token(page.get_data(as_text=True))},
        follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert html_tag(saved) == '<html lang="ur" dir="rtl">' and "آپ کی زبان اور ہندسے محفوظ ہو گئے۔" in html
    user = db.session.scalar(sa.select(User).where(User.email == "coordinator-x@example.org"))
    db.session.refresh(user)
    assert (user.language, user.digits) == ("ur", "arabext")
    # The item list's pages are numbered in Urdu digits (175 items, 50 a page), its links keep Western ones.
    items = coordinator.get("/items").get_data(as_text=True)
    assert '<a class="page-link" href="/items?page=2">۲</a>' in items
    # Back to English: Western digits whatever was chosen for Urdu.
    items = coordinator.get("/items?lang=en").get_data(as_text=True)
    assert re.search(r'<a class="page-link" href="/items\?[^"]*page=2[^"]*">2</a>', items)


def test_a_refused_choice_is_said_in_urdu_and_changes_nothing(as_role):
    coordinator = as_role("coordinator")
    page = coordinator.get("/account/language?lang=ur")
    refused = coordinator.post("/account/language", data={
        "language": "fr", "digits": "roman", "csrf_token": csrf_token(page.get_data(as_text=True))})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    # WTForms' own message, from the tracker's catalogue (WTForms has no Urdu).
    assert html.count("یہ درست انتخاب نہیں۔") == 2 and "Not a valid choice" not in html
    user = db.session.scalar(sa.select(User).where(User.email == "coordinator-x@example.org"))
    db.session.refresh(user)
    assert user.digits is None


def test_dates_and_figures_in_the_pages_language_and_digits(as_role, app):
    from babel.dates import format_date as babel_date

    from tracker.display import format_date, format_moment, format_number
    from tracker.tokens.services import issue_token

    coordinator = as_role("coordinator")
    user = db.session.scalar(sa.select(User).where(User.email == "coordinator-x@example.org"))
    token, _secret = issue_token(user, "reports")
    made = token.created_at
    english, urdu = babel_date(made, "d MMM y", locale="en"), babel_date(made, "d MMM y", locale="ur")
    assert english != urdu  # the month's name differs
    assert english in coordinator.get("/account/tokens").get_data(as_text=True)
    assert urdu in coordinator.get("/account/tokens?lang=ur").get_data(as_text=True)
    user.digits = "arabext"
    db.session.commit()
    digits = urdu.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    page = coordinator.get("/account/tokens").get_data(as_text=True)
    assert digits in page and urdu not in page
    # Outside a request (a job writing a reminder) English, as before.
    with app.app_context():
        assert format_date(date(2026, 11, 30)) == "30 Nov 2026"
        assert format_moment(datetime(2026, 11, 30, 14, 5, 9)) == "30 Nov 2026 14:05:09"
        assert (format_number(1234567), format_number(2.5), format_number(3.0), format_number(None)) == (
            "1,234,567", "2.5", "3", "")


@pytest.mark.parametrize("path, said", [
    ("/assessments?year=abc&lang=ur", "سال &#39;abc&#39; کوئی سال نہیں"),
    ("/assessments?rating=great&lang=ur", "نامعلوم درجہ &#39;great&#39;"),
    ("/changes?preset=decade&lang=ur", "نامعلوم پیشگی انتخاب &#39;decade&#39;"),
])
def test_a_filter_value_that_matches_nothing_is_named_in_urdu(as_role, path, said):
    assert said in as_role("coordinator").get(path).get_data(as_text=True)
