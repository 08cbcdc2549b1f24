"""Reading admin pages in tests: their forms as a browser would post them, the text of
their elements, and their inline SVG charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(html: str, chart_id: str) -> ElementTree.Element:
    match = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', html, re.DOTALL)
    assert match, f"the page has no chart {chart_id}"
    return ElementTree.fromstring(match.group(0))


def text_of(element: ElementTree.Element, tag: str) -> str:
    """The text of the first SVG `tag` within the element, depth first."""
    found = element.find(f".//{SVG}{tag}")
    assert found is not None, f"no {tag} with text"
    assert found.text is not None, f"no {tag} with text"
    return found.text


class _Reader(HTMLParser):
    """The text of every element, with the elements around it: a tiny DOM for assertions."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[int, str, dict[str, str]]] = []
        self.count = 0
        self.texts: list[tuple[list[tuple[int, str, dict[str, str]]], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "br", "img", "meta", "link", "hr"):
            return
        self.count += 1
        self.stack.append((self.count, tag, {key: value or "" for key, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[1] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append((list(self.stack), data))


def texts_within(html: str, *, tag: str, cls: str, key: str = "") -> dict[str, str]:
    """The text of every element `tag.cls`, keyed by its `data-<key>` (or its place)."""
    reader = _Reader()
    reader.feed(html)
    found: dict[str, list[str]] = {}
    for stack, data in reader.texts:
        for number, element, attrs in stack:
            if element == tag and cls in attrs.get("class", "").split():
                name = attrs.get(f"data-{key}", "") if key else str(number)
                found.setdefault(name, []).append(data)
                break
    return {name: " ".join(" ".join(parts).split()) for name, parts in found.items()}


class _FormReader(HTMLParser):
    """What a browser would send for one form of the page (its submit buttons aside)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.select: tuple[str, list[str], list[str]] | None = None  # name, options, chosen
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside or "name" not in attributes:
            if tag == "option" and self.select is not None:
                self._option(attributes)
            return
        name, kind = attributes["name"], attributes.get("type", "text")
        if tag == "input" and kind not in ("submit", "button", "file"):
            checkable = kind in ("checkbox", "radio")
            if checkable and "checked" not in attributes:
                return
            default = "on" if checkable else ""
            self.data.setdefault(name, []).append(attributes.get("value", default))
        elif tag == "select":
            self.select = (name, [], [])
        elif tag == "textarea":
            self.textarea = name
            self.data.setdefault(name, []).append("")

    def _option(self, attributes: dict[str, str]) -> None:
        assert self.select is not None
        self.select[1].append(attributes.get("value", ""))
        if "selected" in attributes:
            self.select[2].append(attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, options, chosen = self.select
            self.data[name] = chosen or options[:1]
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.data[self.textarea][-1] += data


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    reader = _FormReader(form_id)
    reader.feed(html)
    # A textarea's content starts after a newline the browser drops.
    return {
        name: [value.removeprefix("\n") for value in values] for name, values in reader.data.items()
    }
