from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """Expose the site name and the privacy contact address (clause 9.3) to every page."""
    return {
        "site_name": settings.SITE_NAME,
        "privacy_contact_email": settings.PRIVACY_CONTACT_EMAIL,
    }
