"""The item pages in Urdu: the list and its filters, an item, the update form and its refusals, the verification
queue and its decisions, the coordinators' forms, the agency home and the overview — right to left, in the words of
the catalogue, while what the history keeps stays as it was written."""
from __future__ import annotations

import html
import io
import re

import sqlalchemy as sa

from conftest import csrf_token
from test_progress import PDF, form_data, post_update
from test_verification import ITEM, decide_on, reports
from tracker.extensions import db
from tracker.models import ActionItem, Update

RTL = '<html lang="ur" dir="rtl">'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def urdu_page(response, *texts: str) -> str:
    """The page, checked to be a whole Urdu page holding each of `texts` (compared unescaped)."""
    page = response.get_data(as_text=True)
    assert RTL in page and "Traceback" not in page
    shown = html.unescape(page)
    for text in texts:
        assert text in shown, text
    return shown


def test_the_item_list_and_its_filters_read_in_urdu(as_role):
    coordinator = as_role("coordinator")
    response = coordinator.get("/items?lang=ur")
    assert response.status_code == 200
    page = urdu_page(response, "<h1 class=\"h3\">اقدامات</h1>", ">تلاش</label>", ">صرف تاخیر شدہ</label>",
                     "منتخب اقدامات پر لاگو کریں", "مرکزی ادارہ")
    assert re.search(r"<strong>\d+</strong> اقدامات", page)
    assert "Action items" not in page and "Overdue only" not in page


def test_a_filter_that_makes_no_sense_is_named_in_urdu(as_role):
    coordinator = as_role("coordinator")
    response = coordinator.get("/items?lang=ur&status=nonsense&cycle=abc&q=the")
    assert response.status_code == 200
    urdu_page(response, "نظر انداز کیا گیا:", "نامعلوم صورتِ حال 'nonsense'", "cycle 'abc' سال نہیں ہے",
              "تلاش “the” میں ڈھونڈنے کے لیے کوئی لفظ نہیں")
    # The same filter in English says it as before.
    english = coordinator.get("/items?lang=en&status=nonsense").get_data(as_text=True)
    assert "Ignored: unknown status &#39;nonsense&#39;." in english


def test_an_item_page_reads_in_urdu(as_role):
    coordinator = as_role("coordinator")
    response = coordinator.get(f"/items/{ITEM}?lang=ur")
    assert response.status_code == 200
    urdu_page(response, "اقدام کی تفصیلات", ">تاریخچہ</h2>", ">ذمہ دار</h2>", "پیش رفت کی رپورٹ دیں",
              "ادارے مقرر کریں", "تصدیق کی منتظر رپورٹیں")
    assert coordinator.get("/items/NO-SUCH?lang=ur").status_code == 404


def test_the_update_form_and_its_refusal_read_in_urdu(as_role):
    focal = as_role("agency", "NADRA")
    response = focal.get(f"/items/{ITEM}/update?lang=ur")
    assert response.status_code == 200
    urdu_page(response, "متاثرین کی شناخت درج نہ کریں۔", "<legend class=\"h5\">ثبوت</legend>",
              "آپ کی رپورٹ کوآرڈینیٹر کے پاس جاتی ہے", "تازہ کاری محفوظ کریں", "منسوخ کریں")
    # The language stays with the account: the refused form comes back in Urdu, every problem beside its field.
    data = form_data(focal, status="completed", progress="40", note="", links="not a link",
                     figure_value="-3", figure_unit="cases")
    data["files"] = [(io.BytesIO(PDF), "minutes.pdf")]
    refused = post_update(focal, data)
    assert refused.status_code == 422
    urdu_page(refused, "تازہ کاری محفوظ نہیں ہوئی: براہِ کرم نیچے نشان زدہ خانے درست کریں۔",
              "مکمل اقدام 100% پورا ہوتا ہے", "“not a link” ویب پتہ نہیں", "بتائیں کہ کیا ہوا۔",
              "-3 cases: گنتی کبھی صفر سے کم نہیں ہوتی۔")
    # A file whose content is not what its name says is refused once the fields are right, in Urdu too.
    data = form_data(focal)
    data["files"] = [(io.BytesIO(PNG), "report.pdf")]
    refused = post_update(focal, data)
    assert refused.status_code == 422
    urdu_page(refused, "“report.pdf” میں وہ مواد نہیں جو اس کا نام ظاہر کرتا ہے (PDF)۔")
    assert reports() == []


def test_a_report_saved_in_urdu_says_so_and_its_history_keeps_the_words_typed(as_role):
    focal = as_role("agency", "NADRA")
    focal.get("/?lang=ur")
    data = form_data(focal, note="ریکارڈ کے ربط پر اتفاق ہو گیا۔")
    data["files"] = [(io.BytesIO(PDF), "minutes.pdf")]
    saved = focal.post(f"/items/{ITEM}/update", data=data, content_type="multipart/form-data", follow_redirects=True)
    assert saved.status_code == 200
    urdu_page(saved, "آپ کی رپورٹ محفوظ ہو گئی ہے", "ریکارڈ کے ربط پر اتفاق ہو گیا۔", "تصدیق تک سرکاری نہیں")


def test_the_queue_and_a_decision_read_in_urdu(as_role):
    focal, coordinator = as_role("agency", "NADRA"), as_role("coordinator")
    assert post_update(focal, form_data(focal)).status_code == 302
    queue = coordinator.get("/queue?lang=ur")
    assert queue.status_code == 200
    urdu_page(queue, "<h1 class=\"h3\">میرے فیصلے کے منتظر</h1>", "سب سے زیادہ دیر سے منتظر پہلے۔",
              "0 دن سے منتظر", ">تصدیق کریں</button>", ">واپس کریں</button>")
    pending = reports()[0]
    # Returned without a comment: the decision's own page, its problem in Urdu, nothing decided.
    refused = decide_on(coordinator, pending.id, "send_back")
    assert refused.status_code == 422
    urdu_page(refused, "کوئی فیصلہ نہیں ہوا", "بتائیں کہ رپورٹ کیوں واپس کی جا رہی ہے")
    verified = decide_on(coordinator, pending.id, "verify")
    assert verified.status_code == 302
    urdu_page(coordinator.get(verified.headers["Location"]), "کی رپورٹ کی تصدیق ہو گئی ہے: اب یہی سرکاری صورتِ حال ہے۔")
    # Too late: the second decision is told who decided first, in Urdu.
    late = decide_on(coordinator, pending.id, "send_back", "Again")
    assert late.status_code in (302, 409)
    shown = late if late.status_code == 409 else coordinator.get(late.headers["Location"])
    urdu_page(shown, "پہلے ہی کر چکے ہیں")


def test_a_coordinators_change_is_said_in_urdu_and_kept_in_english(as_role):
    coordinator = as_role("coordinator")
    form = coordinator.get(f"/items/{ITEM}/plan?lang=ur")
    urdu_page(form, "مقررہ تاریخ اور ترجیح", "منصوبہ محفوظ کریں", "مقررہ تاریخ نہ ہو تو خالی چھوڑ دیں۔")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form.get_data(as_text=True)).group(1)
    saved = coordinator.post(f"/items/{ITEM}/plan", data={
        "csrf_token": csrf_token(form.get_data(as_text=True)), "due_date": "2027-03-31", "priority": "high",
        "version": version}, follow_redirects=True)
    urdu_page(saved, "منصوبہ بندی میں تبدیلی — ", "ترجیح: کوئی نہیں ← زیادہ")
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == ITEM))
    note = db.session.scalars(sa.select(Update.note).where(Update.item_id == item.id)
                              .order_by(Update.id.desc())).first()
    assert note == "Planning changed — due date: none → 31 Mar 2027; priority: none → high."
    agencies = coordinator.get(f"/items/{ITEM}/agencies?lang=ur")
    urdu_page(agencies, "مرکزی ادارہ", "معاون ادارے", "ادارے محفوظ کریں")


def test_the_agency_home_reads_in_urdu(as_role):
    focal = as_role("agency", "NADRA")
    response = focal.get("/?lang=ur")
    assert response.status_code == 200
    page = urdu_page(response, "<h1 class=\"h3\">میرے اقدامات", "آپ کا کردار", ">رپورٹ دیں<")
    assert re.search(r"<strong>\d+</strong> اقدامات میں آپ کے ادارے کا نام ہے", page)


def test_the_overview_and_the_first_steps_read_in_urdu(as_role):
    coordinator = as_role("coordinator")
    response = coordinator.get("/?lang=ur")
    assert response.status_code == 200
    urdu_page(response, "<h1 class=\"h3\">جائزہ</h1>", ">تاخیر شدہ اقدامات</h2>", "ستون کے لحاظ سے",
              "تازہ ترین تبدیلیاں", "کوئی چیز آپ کے فیصلے کی منتظر نہیں۔")
    admin = as_role("admin")
    urdu_page(admin.get("/?lang=ur"), ">ابتدائی مراحل</h2>", "قومی رپورٹیئر کا اکاؤنٹ بنائیں", "جانچ شدہ قرار دیں")
