"""The interface's language: chosen by ?lang=, the account, the session or the browser, in that order; Urdu
pages read right to left."""
from __future__ import annotations

import re

import sqlalchemy as sa

from conftest import log_in
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
