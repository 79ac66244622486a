"""Markdown of legal documents to HTML that cannot carry script."""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "a",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


class _NoRawHtml(markdown.Extension):
    """Treat raw HTML in the source as text: it is shown escaped, never interpreted."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def render_markdown(source: str) -> SafeString:
    html = markdown.markdown(source, extensions=[_NoRawHtml(), "tables", "sane_lists"])
    # Defence in depth: drop anything outside the allow-list, and javascript: links.
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
    )
    return mark_safe(clean)  # noqa: S308 (sanitised just above)
