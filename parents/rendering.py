"""Editors write Markdown; readers get sanitised HTML.

Markdown (Python-Markdown) turns the text into HTML, then nh3 (the Rust ammonia sanitiser) keeps only
an allow-list of tags and attributes, so nothing an editor types (a <script>, an onclick, a javascript:
link) ever reaches a parent's page. nh3 was chosen over bleach because bleach is deprecated upstream and
nh3 is its maintained successor with the same allow-list model.
"""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "a", "table", "thead",
    "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render(text: str) -> SafeString:
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)
