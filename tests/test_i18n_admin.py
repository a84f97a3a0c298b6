"""The admin's pages, logging in, tokens, reminders, the audit log, imports and the API's errors in Urdu; e-mails and
notifications in their recipient's language, whatever the sender's."""
import io
import re
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from conftest import body, csrf_token, fresh_item
from tracker.auth.services import check_password_policy
from tracker.catalogue.services import find_agency
from tracker.enums import AuditEventKind
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import AuditEvent, Notification, User
from tracker.reminders.delivery import run_reminders

TODAY = date.today()
RTL = re.compile(r'<html lang="ur" dir="rtl">')


def assert_urdu_page(response, *urdu: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert RTL.search(html), "the page is not marked Urdu and right to left"
    for text in urdu:
        assert text in html, text
    assert "Traceback" not in html
    return html


def subject(message) -> str:
    return str(message_from_bytes(message.as_bytes(), policy=policy.default)["Subject"]).strip()


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def agency_id(name: str) -> int:
    return find_agency(name).id


# --- Pages -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "urdu"), [
    ("/admin/users", ["صارفین", "نیا اکاؤنٹ", "اکاؤنٹ بنائیں", "تمام کردار"]),
    ("/admin/agencies", ["اداروں کا انتظام", "نیا ادارہ", "ادارہ محفوظ کریں", "مختصر نام"]),
    ("/admin/agencies?q=zzzz-nothing", ["کوئی ادارہ ان فلٹرز سے مطابقت نہیں رکھتا۔"]),
    ("/admin/agencies?kind=nonsense", ["نظر انداز کیا گیا:", "نامعلوم قسم &#39;nonsense&#39;"]),
    ("/admin/reminders", ["یاد دہانیاں", "ترتیبات محفوظ کریں", "پیر", "ٹائم زون"]),
    ("/admin/reminders/log", ["یاد دہانیوں کا لاگ", "ابھی تک کوئی یاد دہانی نہیں دی گئی۔"]),
    ("/admin/audit", ["آڈٹ لاگ", "تمام واقعات", "CSV ڈاؤن لوڈ کریں"]),
    ("/admin/import", ["منصوبہ درآمد کریں", "منصوبے کی فائل (CSV)", "ٹیمپلیٹ ڈاؤن لوڈ کریں"]),
    ("/account/tokens", ["API ٹوکن", "ٹوکن بنائیں", "آپ کے پاس ابھی کوئی ٹوکن نہیں۔"]),
    ("/notifications", ["اطلاعات", "ابھی کوئی اطلاع نہیں۔"]),
    ("/api/v1/docs", ["API کی دستاویزات", "آپ کے API ٹوکنز"]),
])
def test_the_admin_pages_read_in_urdu(as_role, path, urdu):
    admin = as_role("admin")
    assert_urdu_page(admin.get(path + ("&" if "?" in path else "?") + "lang=ur"), *urdu)


def test_an_account_and_an_agency_page_read_in_urdu(as_role, make_user):
    admin = as_role("admin")
    focal = make_user("agency", email="focal@nadra.example", agency="NADRA")
    assert_urdu_page(admin.get(f"/admin/users/{focal.id}?lang=ur"), "ای میل کے ذریعے پاس ورڈ ری سیٹ کریں",
                     "فعال (لاگ ان کر سکتا ہے)")
    assert_urdu_page(admin.get(f"/admin/agencies/{agency_id('NADRA')}?lang=ur"), "دوسرے نام", "اس میں ضم کریں")


def test_the_login_and_password_pages_read_in_urdu(seeded, client):
    assert_urdu_page(client.get("/login?lang=ur"), "لاگ ان", "پاس ورڈ بھول گئے؟", "اس کمپیوٹر پر مجھے لاگ ان رکھیں")
    assert_urdu_page(client.get("/password/forgot"), "مجھے لنک ای میل کریں")  # the choice is remembered
    response = client.get("/password/set/not-a-link")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert RTL.search(html) and "یہ لنک درست نہیں: شاید کاپی کرتے وقت یہ ادھورا رہ گیا۔" in html


def test_the_browser_language_chooses_urdu_before_login(seeded, client):
    html = client.get("/login", headers={"Accept-Language": "ur-PK,ur;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert RTL.search(html) and "پاس ورڈ بھول گئے؟" in html


# --- Refusals, in Urdu -----------------------------------------------------------------------------------------------


def test_a_refused_login_says_why_in_urdu(seeded, client, make_user):
    make_user("coordinator", email="nc@interior.example")
    page = client.get("/login?lang=ur").get_data(as_text=True)
    response = client.post("/login?lang=ur", data={"csrf_token": csrf_token(page), "email": "nc@interior.example",
                                                   "password": "not the password at all"})
    html = response.get_data(as_text=True)
    assert RTL.search(html)
    assert "یہ ای میل اور پاس ورڈ کسی فعال اکاؤنٹ سے مطابقت نہیں رکھتے۔" in html
    # The audit log keeps its own words, in English, whatever the page's language.
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == AuditEventKind.LOGIN_FAILED)).all()[-1]
    assert event.detail == "wrong password"


def test_a_refused_new_account_names_each_problem_in_urdu(as_role):
    admin = as_role("admin")
    html = admin.get("/admin/users?lang=ur").get_data(as_text=True)
    response = admin.post("/admin/users", data={"csrf_token": csrf_token(html), "email": "admin-x@example.org",
                                                "name": "Twice", "role": "agency", "agency": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert RTL.search(html)
    assert "ای میل admin-x@example.org کا اکاؤنٹ پہلے سے موجود ہے۔" in html
    assert "ادارے کے صارف کے لیے ادارہ ضروری ہے" in html


def test_a_refused_agency_and_a_text_over_its_limit_in_urdu(as_role):
    admin = as_role("admin")
    html = admin.get("/admin/agencies?lang=ur").get_data(as_text=True)
    response = admin.post("/admin/agencies", data={"csrf_token": csrf_token(html), "name": "x" * 201,
                                                   "kind": "provincial_body", "province": "", "parent": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "نام 201 حروف پر مشتمل ہے؛ حد 200 حروف ہے۔" in html
    response = admin.post("/admin/agencies", data={"csrf_token": csrf_token(html), "name": "A new body",
                                                   "kind": "provincial_body", "province": "", "parent": ""})
    assert "صوبائی ادارے کے لیے اس کا صوبہ درج کرنا ضروری ہے۔" in response.get_data(as_text=True)


def test_flash_messages_of_the_admin_are_in_urdu(as_role):
    admin = as_role("admin")
    page = admin.get(f"/admin/agencies/{agency_id('NADRA')}?lang=ur").get_data(as_text=True)
    html = admin.post(f"/admin/agencies/{agency_id('NADRA')}/aliases",
                      data={"alias-csrf_token": csrf_token(page), "alias-alias": "Shanakhti Idara"},
                      follow_redirects=True).get_data(as_text=True)
    assert RTL.search(html) and re.search("”Shanakhti Idara“ اب .+ کا بھی نام ہے۔", html)


def test_the_audit_filters_name_their_problems_in_urdu(as_role):
    admin = as_role("admin")
    html = assert_urdu_page(admin.get("/admin/audit?lang=ur&event=nonsense&date_from=2026-02-30"), "نظر انداز کیا گیا:")
    assert "ایسا واقعہ نہیں جو لاگ میں درج ہوتا ہو" in html and "تاریخ نہیں ہے (YYYY-MM-DD)" in html


def test_an_import_error_report_is_in_urdu_and_the_log_keeps_english(as_role):
    admin = as_role("admin")
    page = admin.get("/admin/import?lang=ur").get_data(as_text=True)
    csv = b"ref,title\r\nX-1,Something\r\n"
    response = admin.post("/admin/import", data={"csrf_token": csrf_token(page), "file": (io.BytesIO(csv), "bad.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert RTL.search(html) and "کچھ بھی محفوظ نہیں کیا گیا" in html and "غیر موجود کالم:" in html
    db.session.expire_all()
    refused = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == AuditEventKind.IMPORT_REFUSED)).one()
    assert "the first: row 1: missing columns:" in refused.detail


def test_a_token_made_and_revoked_in_urdu(as_role):
    admin = as_role("admin")
    page = admin.get("/account/tokens?lang=ur").get_data(as_text=True)
    response = admin.post("/account/tokens", data={"csrf_token": csrf_token(page), "name": "monthly script"})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    assert "ٹوکن ”monthly script“ بن گیا۔" in html
    token_id = re.search(r'/account/tokens/(\d+)/revoke', html).group(1)
    html = admin.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(html)},
                      follow_redirects=True).get_data(as_text=True)
    assert "ٹوکن ”monthly script“ منسوخ کر دیا گیا" in html


# --- The API ---------------------------------------------------------------------------------------------------------


def test_an_api_error_has_an_urdu_message_and_the_same_code(seeded, client):
    english = client.get("/api/v1/items")
    urdu = client.get("/api/v1/items", headers={"Accept-Language": "ur"})
    assert english.status_code == urdu.status_code == 401
    assert english.json["error"] == urdu.json["error"] == "unauthorized"
    assert english.json["message"] == "Log in, or send an API token as “Authorization: Bearer <token>”."
    assert urdu.json["message"] == "لاگ ان کریں، یا API ٹوکن ”Authorization: Bearer <token>“ کی صورت میں بھیجیں۔"
    refused = client.get("/api/v1/items?lang=ur", headers={"Authorization": "Bearer trk_nothing"})
    assert refused.status_code == 401 and refused.json["error"] == "unauthorized"
    assert refused.json["message"] == "یہ ٹوکن نامعلوم ہے، منسوخ ہو چکا ہے، یا اس کا صارف غیر فعال ہے۔"


def test_a_routing_error_of_the_api_reads_in_urdu_too(seeded, client):
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "ur"})
    assert response.status_code == 404 and response.json["error"] == "not_found"
    assert response.json["message"].startswith("مطلوبہ URL سرور پر نہیں ملا۔")


# --- E-mails and notifications in the recipient's language ------------------------------------------------------------


@pytest.fixture
def reminders_due(seeded, make_user):
    """NADRA has an item overdue; one focal person reads Urdu, the other English."""
    item = fresh_item("PAPER-g")  # NADRA leads
    item.due_date = TODAY - timedelta(days=10)
    db.session.commit()
    make_user("agency", email="urdu@nadra.example", agency="NADRA").language = "ur"
    make_user("agency", email="english@nadra.example", agency="NADRA")
    db.session.commit()
    return item.ref


def test_reminders_go_out_in_each_recipients_language(reminders_due, smtp):
    run_reminders(TODAY)
    (urdu,) = smtp.to("urdu@nadra.example")
    (english,) = smtp.to("english@nadra.example")
    assert subject(urdu) == "1 اقدام آپ کی توجہ کا منتظر ہے"
    assert subject(english) == "1 item needs your attention"
    text, html = body(urdu), body(urdu, "html")
    assert "محترم/محترمہ Agency،" in text and "تاخیر شدہ:" in text and "مقررہ تاریخ" in text and "10 دن پہلے" in text
    assert f"/items/{reminders_due}" in text
    assert '<html lang="ur" dir="rtl">' in html and "براہِ کرم ہر اقدام کے صفحے پر ثبوت کے ساتھ پیش رفت" in html
    english_text = body(english)
    assert "Dear Agency," in english_text and "Overdue:" in english_text and "10 days ago" in english_text
    assert not re.search("[\u0600-\u06ff]", english_text + subject(english))
    # The copy in the app is kept in the recipient's language as well.
    notes = {note.user_id: note for note in db.session.scalars(sa.select(Notification))}
    assert notes[user("urdu@nadra.example").id].title == "1 اقدام آپ کی توجہ کا منتظر ہے"
    assert notes[user("english@nadra.example").id].title == "1 item needs your attention"


def test_a_reminder_sent_from_an_urdu_page_still_reaches_an_english_reader_in_english(reminders_due, smtp, as_role):
    admin = as_role("admin")
    page = admin.get("/admin/reminders?lang=ur").get_data(as_text=True)  # the admin reads Urdu
    assert "english@nadra.example" in page and "مقررہ تاریخ" in page  # the preview, in the admin's language
    run_reminders(TODAY)
    (english,) = smtp.to("english@nadra.example")
    assert subject(english) == "1 item needs your attention"


def test_the_password_link_email_is_in_its_recipients_language(as_role, make_user, smtp):
    admin = as_role("admin")
    urdu = make_user("agency", email="urdu@nadra.example", agency="NADRA")
    urdu.language = "ur"
    db.session.commit()
    page = admin.get(f"/admin/users/{urdu.id}").get_data(as_text=True)  # the admin reads English
    admin.post(f"/admin/users/{urdu.id}/password", data={"csrf_token": csrf_token(page)})
    (message,) = smtp.to("urdu@nadra.example")
    assert subject(message) == "انسدادِ انسانی اسمگلنگ کے ایکشن پلان ٹریکر پر آپ کا اکاؤنٹ"
    assert "آپ کے لیے اکاؤنٹ بنایا گیا ہے" in body(message)  # it never logged in: the welcome wording
    assert '<html lang="ur" dir="rtl">' in body(message, "html")
    english = make_user("rapporteur", email="nr@example.org")
    admin.post(f"/admin/users/{english.id}/password", data={"csrf_token": csrf_token(page)})
    (message,) = smtp.to("nr@example.org")
    assert subject(message) == "Your account on the anti-trafficking action-plan tracker"
    assert "has been made for you" in body(message)


def test_the_command_line_stays_english(seeded, runner, app):
    result = runner.invoke(args=["users", "create", "a@example.org", "--role", "agency",
                                 "--password", "xkcd-936-horse"])
    assert "An agency user needs an agency" in result.output
    with app.app_context(), pytest.raises(Invalid, match="at least 12 characters"):
        check_password_policy("short")  # a rule's message outside any request: English
