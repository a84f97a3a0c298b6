"""Every word of the interface is translatable, and translated: no template text outside gettext, and no
message of the code or the templates without its Urdu translation.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment
from jinja2.ext import i18n

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "tracker" / "templates"
CATALOGUE = ROOT / "translations" / "ur" / "LC_MESSAGES" / "messages.po"


# Words that read the same in an Urdu page: acronyms and names that Urdu text keeps in Latin letters.
KEPT_AS_WRITTEN = {"FIA", "NADRA", "NAP", "API", "CSV", "XLSX", "PDF", "HTML", "JSON", "ID", "URL", "KP", "ICT",
                   "ATU", "ATUs", "NGO", "NGOs", "IOM", "UNODC", "ILO", "OpenAPI", "Excel", "Word", "Swagger"}
# Attributes a reader hears or sees.
READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|aria-description|title|placeholder|alt)="([^"]*)"')
WORDS = re.compile(r"[A-Za-z][A-Za-z'’]+")


def untranslated_words(text: str) -> list[str]:
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return [word for word in WORDS.findall(text) if word not in KEPT_AS_WRITTEN]


def text_outside_gettext(source: str) -> list[str]:
    """The literal words of a template that a reader sees and that no `_()` or `{% trans %}` wraps: text
    between tags, and the attributes read aloud or shown (scripts and styles aside)."""
    env = Environment(extensions=[i18n])
    found: list[str] = []
    in_trans = in_tag = False
    skipping = None  # inside <script> or <style>
    previous_name = None
    for _line, kind, value in env.lex(source):
        if kind == "name" and previous_name == "block_begin" and value in ("trans", "pluralize"):
            in_trans = True
        elif kind == "name" and previous_name == "block_begin" and value == "endtrans":
            in_trans = False
        previous_name = kind if kind in ("block_begin",) else (None if kind != "whitespace" else previous_name)
        if kind != "data" or in_trans:
            continue
        text = []
        i = 0
        while i < len(value):
            if skipping:
                end = value.find(f"</{skipping}", i)
                if end < 0:
                    break
                skipping, i = None, end
                continue
            char = value[i]
            if not in_tag and char == "<":
                in_tag = True
                tag = re.match(r"<(script|style)\b", value[i:])
                if tag:
                    close = value.find(">", i)
                    skipping, i = tag.group(1), (close + 1 if close >= 0 else len(value))
                    in_tag = False
                    continue
                if value.startswith("<!--", i):
                    close = value.find("-->", i)
                    i = close + 3 if close >= 0 else len(value)
                    in_tag = False
                    continue
            elif in_tag and char == ">":
                in_tag = False
            elif not in_tag:
                text.append(char)
            i += 1
        found += untranslated_words("".join(text))
        for attribute in READ_ATTRIBUTES.findall(value):
            found += untranslated_words(attribute)
    return found


def test_the_checker_finds_text_and_read_attributes_and_passes_what_is_wrapped():
    assert text_outside_gettext('<p class="x">Overdue items</p>') == ["Overdue", "items"]
    assert text_outside_gettext('<a href="{{ url }}" aria-label="Item facts">{{ _("Facts") }}</a>') == ["Item", "facts"]
    assert text_outside_gettext('<p>{{ _("Overdue items") }} · FIA</p><script>let x = "Hello";</script>') == []
    assert text_outside_gettext("{% trans n=3 %}{{ n }} items{% endtrans %}<style>.a { color: red }</style>") == []
    assert text_outside_gettext("{# a note #}<!-- a comment --><input value=\"{{ v }}\">") == []


@pytest.mark.parametrize("template", sorted(
    path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html")))
def test_no_template_text_outside_gettext(template):
    assert text_outside_gettext((TEMPLATES / template).read_text()) == [], template


def searched(folder: str) -> bool:
    """The folders whose messages are extracted, as `make translations-update` does: Babel's default would skip
    every folder named _* (templates/_macros/ among them)."""
    return not Path(folder).name.startswith(".") and Path(folder).name not in {"node_modules", "build", "instance"}


def test_the_shared_macros_messages_are_extracted():
    method_map = [("tracker/templates/**.html", "jinja2")]
    files = {file for file, *_rest in extract_from_dir(ROOT, method_map, directory_filter=searched)}
    assert "tracker/templates/_macros/pagination.html" in files


def test_every_message_has_its_urdu_translation():
    method_map = [("tracker/**.py", "python"), ("tracker/templates/**.html", "jinja2"),
                  ("tracker/templates/**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
                "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    messages = {message if isinstance(message, str) else message[0]
                for _file, _line, message, _comments, _context in
                extract_from_dir(ROOT, method_map, keywords=keywords, directory_filter=searched)}
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    missing = sorted(m for m in messages if not (catalogue.get(m) and catalogue.get(m).string))
    assert missing == [], f"{len(missing)} messages have no Urdu translation (make translations-update): {missing[:20]}"


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+![rs]\}")


def test_every_translation_keeps_the_placeholders_of_its_message():
    """A translation that drops or renames a %(name)s would show a hole, or fail when it is filled."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert sorted(PLACEHOLDER.findall(message.string)) == sorted(PLACEHOLDER.findall(message.id)), message.id
        else:  # plural forms: each may leave out the count the plural message names ("one row" for 1)
            wanted = set(PLACEHOLDER.findall(message.id[1]))
            for string in message.string:
                assert set(PLACEHOLDER.findall(string)) <= wanted and string, message.id
