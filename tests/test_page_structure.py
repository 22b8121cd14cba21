"""The web page's views are siblings: each <section class="view"> sits directly in <main> and
closes before the next opens. A view left open swallows the views after it, which then stay
invisible however the router shows them."""

from __future__ import annotations

from html.parser import HTMLParser
from importlib import resources

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Views(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.views: list[tuple[str, list[str]]] = []
        self.mismatched: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        found = dict(attrs)
        if tag == "section" and "view" in (found.get("class") or "").split():
            self.views.append((found.get("id") or "", list(self.stack)))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.mismatched.append((tag, self.stack[-1] if self.stack else ""))
            return
        self.stack.pop()


def test_every_view_is_a_direct_child_of_main_and_tags_balance():
    page = resources.files("pingan.web").joinpath("static/index.html").read_text("utf-8")
    parser = _Views()
    parser.feed(page)
    assert parser.mismatched == []
    assert parser.stack == []
    assert len(parser.views) > 10
    misplaced = [view for view, above in parser.views if above != ["html", "body", "main"]]
    assert misplaced == []
