"""Visit metadata read from what a request or a client declares (clause 3.3)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from privacy.people.visits import clean_text

UTM_KEYS = ("source", "medium", "campaign", "term", "content")
UTM_MAX = 200
# Analytics identifiers of clause 3.3, by cookie name -> Lead field.
ANALYTICS_COOKIES = {"_ga": "ga_client_id", "_ym_uid": "ym_uid", "roistat_visit": "roistat_visit"}
ANALYTICS_ID_MAX = 100


def utm_from_query(query: dict[str, str]) -> dict[str, str]:
    """The utm_* parameters present, cut to length."""
    return {
        key: clean_text(query[f"utm_{key}"], UTM_MAX)
        for key in UTM_KEYS
        if query.get(f"utm_{key}")
    }


def utm_from_url(url: str) -> dict[str, str]:
    """The utm_* parameters of a landing page's address (the widget's host page, say)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return {}
    return utm_from_query(dict(parse_qsl(query)))
