"""The catalogue in Urdu: items' Urdu titles (required by the seed's validator, marked as translations where shown),
agencies', pillars' and frameworks' Urdu names, the enums' labels, and the catalogue and coverage pages in Urdu."""
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from conftest import csrf_token, replace_in
from tracker.enums import AuditEventKind, Status
from tracker.extensions import db
from tracker.models import ActionItem, Agency, AuditEvent
from tracker.seeding.validate import main

PAPER_A_TITLE = 'title_ur = "اسمگلنگ اور اس کے بنیادی اسباب پر ریاستی سطح کی عوامی آگاہی مہم"\n'


def assert_urdu_page(response, *present: str):
    """An Urdu page: served, right to left, with the given Urdu text, and no stack trace."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert re.search(r'<html[^>]*lang="ur"[^>]*dir="rtl"', html), html[:300]
    assert "Traceback" not in html
    for text in present:
        assert text in html, text
    return html


@pytest.mark.parametrize("edit, message", [
    ("", "item PAPER-a: title_ur is required"),
    ('title_ur = "State-level mass awareness campaign"\n', "item PAPER-a: title_ur must be written in Urdu"),
    ('title_ur = "ریاستی سطح کی awareness مہم"\n', "item PAPER-a: title_ur holds Latin words ['awareness']"),
])
def test_the_validator_wants_an_urdu_title_for_every_item(seed_copy, capsys, edit, message):
    replace_in(seed_copy / "items/paper.toml", PAPER_A_TITLE, edit)
    assert main(["validate", str(seed_copy)]) == 1
    assert f"items/paper.toml: {message}" in capsys.readouterr().out


def test_acronyms_stay_in_latin_letters_in_an_urdu_title(seed_copy, capsys):
    replace_in(seed_copy / "items/paper.toml", PAPER_A_TITLE, 'title_ur = "FIA اور NADRA کے ATUs کی مہم (PC-I)"\n')
    assert main(["validate", str(seed_copy)]) == 0, capsys.readouterr().out


def test_an_agency_s_urdu_name_is_checked_like_a_title(seed_copy, capsys):
    replace_in(seed_copy / "agencies.toml", 'name_ur = "وزارتِ داخلہ"', 'name_ur = "Wazarat-e-Dakhla"')
    assert main(["validate", str(seed_copy)]) == 1
    assert "agencies.toml: agency 'Ministry of Interior': name_ur must be written in Urdu" in capsys.readouterr().out


def test_a_seed_without_an_urdu_title_writes_nothing(app, runner, seed_copy):
    replace_in(seed_copy / "items/paper.toml", PAPER_A_TITLE, "")
    result = runner.invoke(args=["seed", "--seed-dir", str(seed_copy)])
    assert result.exit_code != 0
    assert "title_ur is required" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == 0


def test_the_seed_loads_every_urdu_title_and_name(seeded):
    assert db.session.scalar(sa.select(sa.func.count()).where(ActionItem.title_ur == "")) == 0
    interior = db.session.scalar(sa.select(Agency).where(Agency.short_name == "MoI"))
    assert interior.name_ur == "وزارتِ داخلہ"


def test_titles_and_names_follow_the_request_s_language(seeded, app):
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-a"))
    # Each in an app context of its own, as each request has (the fixture's context keeps the locale it chose).
    with app.app_context(), app.test_request_context("/?lang=ur"):
        assert item.shown_title == item.title_ur and item.title_translated
        assert item.pillar.shown_name == "روک تھام"
        assert item.framework.shown_name == "تحقیقی مقالے کی سفارشات"
        assert str(Status.IN_PROGRESS.label) == "جاری"
    with app.app_context(), app.test_request_context("/?lang=en"):
        assert item.shown_title == item.title and not item.title_translated
        assert item.pillar.shown_name == "Prevention"
        assert str(Status.IN_PROGRESS.label) == "In progress"
    with app.app_context():  # outside a request (the CLI, jobs): English
        assert str(Status.NOT_STARTED.label) == "Not started" and item.shown_title == item.title


def test_an_item_without_an_urdu_title_shows_the_english_one(seeded, as_role):
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "NAP05-PROT-SH-i"))
    item.title_ur = ""
    db.session.commit()
    html = assert_urdu_page(as_role("coordinator").get("/pillars/protection?lang=ur"))
    row = html.split('href="/items/NAP05-PROT-SH-i"', 1)[1].split("</tr>", 1)[0]
    assert "Establish shelters for trafficking victims" in row and "translation-mark" not in row


def test_the_urdu_pillar_page_shows_urdu_titles_marked_as_translations(seeded, as_role):
    html = assert_urdu_page(as_role("coordinator").get("/pillars/prevention?lang=ur"), "روک تھام",
                            "اقدامات کی فہرست کو اس ستون کے لحاظ سے فلٹر کریں")
    row = html.split('href="/items/PAPER-a"', 1)[1].split("</tr>", 1)[0]
    urdu = "اسمگلنگ اور اس کے بنیادی اسباب پر ریاستی سطح کی عوامی آگاہی مہم"
    english = "State-level mass awareness campaign on trafficking and its root causes"
    assert f'<span lang="ur" class="item-title-ur">{urdu}</span>' in row
    # The mark says it is a translation and keeps the English title at hand, for the eye and for a screen reader.
    assert "(ترجمہ" in row and f'title="{english}"' in row
    assert f'؛ انگریزی میں: <span lang="en">{english}</span>' in row


@pytest.mark.parametrize("path", ["/items?framework=PAPER&lang=ur", "/items/PAPER-g?lang=ur", "/?lang=ur"])
def test_the_item_list_the_item_page_and_the_agency_home_show_the_urdu_title_marked(seeded, as_role, path):
    html = as_role("agency", "NADRA").get(path).get_data(as_text=True)
    assert '<span lang="ur" class="item-title-ur">اسمگلروں کے مجرمانہ ریکارڈ کا NADRA سے انضمام</span>' in html
    assert 'title="Integrate traffickers&#39; criminal records with NADRA"' in html


def test_the_english_pillar_page_is_unchanged(seeded, as_role):
    html = as_role("coordinator").get("/pillars/prevention?lang=en").get_data(as_text=True)
    assert "State-level mass awareness campaign on trafficking and its root causes" in html
    assert "translation-mark" not in html and "ریاستی" not in html


@pytest.mark.parametrize("path, urdu", [
    ("/agencies", "ادارے اور ان کے اقدامات"),
    ("/pillars", "چار ستون (4P)"),
    ("/frameworks", "وہ منصوبے اور سفارشات کے مجموعے جن پر ٹریکر نظر رکھتا ہے"),
    ("/frameworks/PAPER", "حکومت کے جوابات"),
    ("/frameworks/NAP21", "چار ستونوں کا ماخذ"),
    ("/context", "پس منظر: چیلنج، کامیابیاں اور قوانین"),
    ("/sources", "ماخذ دستاویزات"),
    ("/challenges/A", "اس کا تدارک کرنے والے اقدامات"),
    ("/laws/PTPA-2018", "دائرۂ اختیار"),
    ("/coverage", "سفارشات کا احاطہ"),
    ("/coverage?gaps=1", "خلا، ایک ایک کر کے"),
])
def test_catalogue_and_coverage_pages_render_in_urdu(seeded, as_role, path, urdu):
    assert_urdu_page(as_role("coordinator").get(path + ("&" if "?" in path else "?") + "lang=ur"), urdu)


def test_the_urdu_agency_pages_give_agencies_their_urdu_names(seeded, as_role):
    client = as_role("coordinator")
    html = assert_urdu_page(client.get("/agencies?lang=ur"), "وزارتِ داخلہ", "وفاقی وزارت یا ڈویژن")
    interior = db.session.scalar(sa.select(Agency).where(Agency.short_name == "MoI"))
    html = assert_urdu_page(client.get(f"/agencies/{interior.id}?lang=ur"), "<h1 class=\"h3\">وزارتِ داخلہ",
                            '<p class="small text-body-secondary" lang="en">Ministry of Interior</p>')
    # A body whose Urdu name is not known keeps its English one.
    assert_urdu_page(client.get("/agencies?lang=ur"), ">Sahil</a>")
    assert "Traceback" not in html


def test_a_refused_coverage_link_shows_its_errors_in_urdu(seeded, as_role):
    client = as_role("coordinator")
    token = csrf_token(client.get("/items/PAPER-g?lang=ur").get_data(as_text=True))
    response = client.post("/items/PAPER-g/coverage?lang=ur", data={"csrf_token": token, "action": "NAP05-NOPE",
                                                                      "reason": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'lang="ur"' in html
    assert "حوالہ “NAP05-NOPE” کا کوئی اقدام موجود نہیں۔" in html
    assert "ایک سطر میں بتائیں کہ اقدام سفارش پر کس طرح عمل کرتا ہے۔" in html


def test_the_agency_picker_speaks_the_page_s_language(seeded, as_role):
    html = as_role("coordinator").get("/items?lang=ur").get_data(as_text=True)
    assert 'data-picker-text="' in html and "اس نام کا کوئی ادارہ نہیں۔" in html
    # An option shows the Urdu name; its English name still finds it.
    assert re.search(r'data-aliases="Ministry of Interior[^"]*"[^>]*>وزارتِ داخلہ \(MoI\)</option>', html)


def test_the_audit_log_keeps_english_whatever_the_page_s_language(seeded, as_role):
    client = as_role("rapporteur")
    token = csrf_token(client.get("/items/PAPER-a?lang=ur").get_data(as_text=True))
    response = client.post("/items/PAPER-a/assessments?lang=ur", data={
        "csrf_token": token, "year": "2026", "rating": "limited", "reason": "Little done."})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    detail = db.session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.event == AuditEventKind.ASSESSMENT))
    assert detail == "PAPER-a 2026: limited, beside the official status not started: “Little done.”"


def test_enum_labels_are_english_under_force_locale(app):
    with app.test_request_context("/?lang=ur"), force_locale("en"):
        assert str(Status.BLOCKED.label) == "Blocked"


def test_a_templates_messages_follow_the_language_of_the_moment_even_when_forced(app):
    """Templates find their catalogue in one step (i18n.PageTranslations), keyed by the locale Flask-Babel gives:
    an e-mail written in its recipient's language in the middle of a page keeps to it, and the page to its own."""
    from flask import render_template_string

    words = "{{ _('Items') }} · {{ ngettext('%(num)d item', '%(num)d items', 2) }}"
    # Each request in an app context of its own: Flask-Babel keeps the locale it chose in `g`.
    with app.app_context(), app.test_request_context("/?lang=ur"):
        urdu = render_template_string(words)
        assert urdu.startswith("اقدامات")
        with force_locale("en"):
            assert render_template_string(words) == "Items · 2 items"
        assert render_template_string(words) == urdu
    with app.app_context(), app.test_request_context("/"):
        assert render_template_string(words) == "Items · 2 items"
        with force_locale("ur"):
            assert render_template_string(words) == urdu
