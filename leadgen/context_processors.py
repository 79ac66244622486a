from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def site(request: HttpRequest) -> dict[str, str]:
    """Expose the site name, the privacy contact address (clause 9.3) and the rights request
    page (clause 6.1.2: people keep their data up to date, so they must find the way) to every
    page."""
    return {
        "site_name": settings.SITE_NAME,
        "privacy_contact_email": settings.PRIVACY_CONTACT_EMAIL,
        "rights_url": reverse("privacy:requests"),
    }
