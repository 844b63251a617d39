"""Course Markdown to safe HTML: only the tags content needs, links to sibling pages rewritten."""
import re
from collections.abc import Callable

import bleach
import markdown as md

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "blockquote", "a", "br", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "code",
}
ALLOWED_ATTRIBUTES = {"a": ["href"], "th": ["scope"], "td": [], "table": []}
# GOV.UK classes, added after cleaning so content cannot set its own.
CLASSES = {
    "p": "govuk-body", "h2": "govuk-heading-m", "h3": "govuk-heading-s", "h4": "govuk-heading-s",
    "ul": "govuk-list govuk-list--bullet", "ol": "govuk-list govuk-list--number", "a": "govuk-link",
    "blockquote": "govuk-inset-text", "table": "govuk-table", "thead": "govuk-table__head",
    "tbody": "govuk-table__body", "tr": "govuk-table__row", "th": "govuk-table__header",
    "td": "govuk-table__cell", "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
}
_OPEN_TAG = re.compile(r"<(%s)(\s[^>]*)?>" % "|".join(CLASSES))
_HREF = re.compile(r'href="([^"]*)"')


def render(markdown_text: str, page_url: Callable[[str], str | None]) -> str:
    """Render, sanitise, then style. `page_url` maps a sibling page's file name to its address."""
    html = md.markdown(markdown_text, extensions=["tables", "sane_lists"], output_format="html")
    html = bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        protocols={"https", "mailto", "tel"}, strip=True)

    def link(match: re.Match) -> str:
        href = match.group(1)
        if href.startswith(("https://", "mailto:", "tel:")):
            return match.group(0)
        target = page_url(href.split("#")[0])
        return f'href="{target}"' if target else 'href="#"'

    html = _HREF.sub(link, html)
    return _OPEN_TAG.sub(lambda m: f'<{m.group(1)} class="{CLASSES[m.group(1)]}"{m.group(2) or ""}>', html)
