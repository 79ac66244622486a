"""The tags a landing page pastes: the widget's script (with subresource integrity) or the
iframe. Staff copy them from the form's page in the admin."""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .models import LandingForm

WIDGET_SCRIPT = "leads/widget.js"
# Height that fits the form with its three fields and consents at a phone's width.
IFRAME_HEIGHT = 720


@cache
def widget_integrity() -> str:
    """The script's SHA-384 for its integrity attribute (the file changes only on deploy)."""
    path = finders.find(WIDGET_SCRIPT)
    if path:
        with open(path, "rb") as handle:
            content = handle.read()
    else:  # collected static files only, as in a production image
        with staticfiles_storage.open(WIDGET_SCRIPT) as handle:
            content = handle.read()
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def widget_url() -> str:
    """The script's address: a hashed name under the production storage, cached for a year."""
    return f"{settings.SITE_URL}{staticfiles_storage.url(WIDGET_SCRIPT)}"


def widget_snippet(form: LandingForm) -> SafeString:
    return format_html(
        '<script src="{}" integrity="{}" crossorigin="anonymous" data-form="{}" async></script>',
        widget_url(),
        widget_integrity(),
        form.slug,
    )


def iframe_snippet(form: LandingForm) -> SafeString:
    # The page's full address goes with the frame's request (its referrer), so the lead
    # records the page it was left on, not only the site.
    url = settings.SITE_URL + reverse("leads:embed", kwargs={"slug": form.slug})
    return format_html(
        '<iframe src="{}?lang={}" title="{}" width="100%" height="{}" style="border:0" '
        'referrerpolicy="no-referrer-when-downgrade"></iframe>',
        url,
        form.default_language,
        form.name,
        IFRAME_HEIGHT,
    )
