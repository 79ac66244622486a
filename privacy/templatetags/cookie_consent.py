"""The cookie banner and the statistics scripts the visitor consented to."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from privacy.cookies.banner import ADVERTISING, consent_state
from privacy.cookies.views import banner_context

register = template.Library()


@register.simple_tag(takes_context=True)
def cookie_banner(context: template.Context) -> SafeString:
    """The banner: open while a choice is needed, hidden (for the footer link) otherwise."""
    request = context.get("request")
    if request is None or context.get("cookie_settings_page"):
        return mark_safe("")
    banner = banner_context(request)
    if not banner["cookie_offered"]:
        if banner["cookie_scripts_held"]:  # staff still hear why a script is not there
            return render_to_string("includes/cookie_staff_notice.html", banner, request=request)
        return mark_safe("")
    return render_to_string(
        "includes/cookie_banner.html",
        banner,
        request=request,
    )


@register.simple_tag(takes_context=True)
def consented_scripts(context: template.Context) -> SafeString:
    """Each configured script whose category the visitor granted, with the CSP nonce."""
    request = context.get("request")
    if request is None:
        return mark_safe("")
    state = consent_state(request)
    parts: list[str] = []
    scripts = state.scripts_allowed
    # The middleware allows these scripts' hosts in this response's CSP, and only these.
    request.consented_scripts_rendered = scripts
    for script in scripts:
        values: dict[str, Any] = {
            "id": script.config_id,
            "nonce": context.get("csp_nonce"),
            "advertising": state.granted(ADVERTISING),
        }
        parts.append(render_to_string(script.template, values))
    return mark_safe("".join(parts))  # noqa: S308 (rendered by autoescaping templates)
