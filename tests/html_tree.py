"""A page as a tree of elements, to find a field's container and a page's visible text (the standard library's
HTMLParser; no browser needed)."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return " ".join(" ".join(c.text() if isinstance(c, Element) else c for c in self.children).split())

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.walk() if e.attrs.get("id") == element_id), None)

    def enclosing(self, predicate) -> Element | None:
        node = self.parent
        while node is not None and not predicate(node):
            node = node.parent
        return node


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {name: value or "" for name, value in attrs}, parent=self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def field_container(page: Element, field_id: str) -> Element:
    """The block the form macro draws a field in: its label, the field, its help and its errors."""
    element = page.by_id(field_id)
    assert element is not None, f"no element with id {field_id!r}"
    container = element.enclosing(lambda node: "mb-3" in node.classes)
    assert container is not None, f"{field_id!r} is not inside a field's block"
    return container


def field_error(page: Element, field_id: str) -> str:
    """The errors shown beside a field, checked to be inside its block and tied to it for screen readers."""
    container = field_container(page, field_id)
    errors = page.by_id(f"{field_id}-errors")
    assert errors is not None, f"no errors beside {field_id!r}"
    assert errors.enclosing(lambda node: node is container) is container, f"{field_id!r}'s errors are elsewhere"
    element = page.by_id(field_id)
    assert f"{field_id}-errors" in element.attrs.get("aria-describedby", "").split()
    assert "is-invalid" in element.classes
    return errors.text()
