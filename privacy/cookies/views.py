"""The cookie list and settings page, the banner's choice, and /.well-known/gpc.json."""

from __future__ import annotations

import uuid
from typing import cast

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from privacy.cookies.banner import (
    CATEGORY_DESCRIPTIONS,
    CATEGORY_LABELS,
    GPC_LAST_UPDATE,
    NECESSARY,
    NECESSARY_COOKIES,
    OPTIONAL_CATEGORIES,
    SCRIPTS,
    categories_offered,
    choice_cookie_set,
    consent_state,
    cookies_delete,
    gpc_refuses,
    scripts_configured,
    scripts_held,
)
from privacy.cookies.services import CookieChoiceUnavailable, cookie_choice_record
from privacy.people.http import HttpResponseSeeOther
from privacy.people.ratelimit import rate_limit_hit
from privacy.people.visits import MAX_URL, clean_text, client_ip, visit_from_request

ACCEPT_ALL, REJECT_ALL, SAVE = "accept_all", "reject_all", "save"
UNKNOWN_CATEGORY = _("There is no cookie category “%(value)s” to choose.")
UNKNOWN_ACTION = _("Choose “Accept all”, “Reject all” or “Save my choice”.")


class CookieChoiceForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(ACCEPT_ALL, ACCEPT_ALL), (REJECT_ALL, REJECT_ALL), (SAVE, SAVE)],
        error_messages={"invalid_choice": UNKNOWN_ACTION, "required": UNKNOWN_ACTION},
    )
    category = forms.MultipleChoiceField(
        required=False, error_messages={"invalid_choice": UNKNOWN_CATEGORY}
    )
    next = forms.CharField(required=False, max_length=MAX_URL)

    def __init__(self, *args, offered: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["category"]).choices = [(c, c) for c in offered]
        self.offered = offered

    def granted(self) -> set[str]:
        action = self.cleaned_data["action"]
        if action == ACCEPT_ALL:
            return set(self.offered)
        if action == REJECT_ALL:
            return set()
        return set(self.cleaned_data["category"])


def banner_context(request: HttpRequest, *, next_url: str = "") -> dict:
    """What the banner and the settings page show, from the one configuration."""
    state = consent_state(request)
    offered = categories_offered()
    configured = {s.key for s in scripts_configured()}
    categories = []
    for category in (NECESSARY, *OPTIONAL_CATEGORIES):
        scripts = [s for s in SCRIPTS if s.category == category and s.key in configured]
        categories.append(
            {
                "key": category,
                "label": CATEGORY_LABELS[category],
                "description": CATEGORY_DESCRIPTIONS[category],
                "offered": category == NECESSARY or category in offered,
                "checked": category == NECESSARY or state.granted(category),
                "refused_by_gpc": state.gpc and category != NECESSARY and gpc_refuses(category),
                "scripts": scripts,
            }
        )
    return {
        "cookie_state": state,
        "cookie_categories": categories,
        "cookie_offered": offered,
        "cookie_gpc_refuses_analytics": settings.GPC_REFUSES_ANALYTICS,
        "cookie_next": next_url or request.get_full_path(),
        # Why a configured script is held back (e.g. its cross-border notice): for staff only.
        "cookie_scripts_held": _held_for_staff(request),
    }


def _held_for_staff(request: HttpRequest) -> list[dict[str, str]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_staff:
        return []
    names = {s.key: str(s.name) for s in SCRIPTS}
    return [{"name": names[key], "reason": reason} for key, reason in scripts_held().items()]


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("privacy:cookies")


@require_GET
@never_cache
def cookie_list(request: HttpRequest) -> HttpResponse:
    """Every cookie and script by category, and the settings form (also the no-JS banner)."""
    return _cookie_page(request, form=None)


def _cookie_page(
    request: HttpRequest, *, form: CookieChoiceForm | None, status: int = 200
) -> HttpResponse:
    next_url = _safe_next(request, request.GET.get("next", "") or request.POST.get("next", ""))
    context = banner_context(request, next_url=next_url)
    necessary = {"key": NECESSARY, "cookies": NECESSARY_COOKIES}
    context.update(
        {
            "form": form,
            "cookie_settings_page": True,
            "necessary": necessary,
            "all_scripts": [
                {"script": s, "configured": bool(s.config_id), "label": CATEGORY_LABELS[s.category]}
                for s in SCRIPTS
            ],
            "max_age_days": settings.COOKIE_CONSENT_MAX_AGE_DAYS,
        }
    )
    return render(request, "privacy/cookies.html", context, status=status)


@require_POST
@never_cache
def cookie_choice(request: HttpRequest) -> HttpResponse:
    """Record the banner's choice, remember it, and delete what was refused; then go back."""
    # Each choice appends records under the chain's lock: a flood must not queue everyone.
    if rate_limit_hit(
        scope="cookie-choice", key=client_ip(request) or "-", rate=settings.COOKIE_CHOICE_RATE_LIMIT
    ):
        return render(request, "errors/429.html", status=429)
    form = CookieChoiceForm(request.POST, offered=categories_offered())
    if not form.is_valid():
        return _cookie_page(request, form=form, status=400)
    state = consent_state(request)
    next_url = _safe_next(request, form.cleaned_data["next"])
    try:
        choice = cookie_choice_record(
            visitor_id=state.visitor_id or uuid.uuid4(),
            granted=form.granted(),
            gpc=state.gpc,
            visit=visit_from_request(
                request,
                page_url=clean_text(request.build_absolute_uri(next_url), MAX_URL),
            ),
        )
    except CookieChoiceUnavailable:
        return render(request, "privacy/cookies_unavailable.html", status=503)
    response = HttpResponseSeeOther(next_url)
    choice_cookie_set(response, choice=choice)
    refused = [c for c in OPTIONAL_CATEGORIES if c not in choice.granted]
    cookies_delete(request, response, categories=refused)
    return response


@require_GET
def gpc_json(request: HttpRequest) -> JsonResponse:
    """The Global Privacy Control support resource (GPC specification, section 3.2)."""
    response = JsonResponse({"gpc": True, "lastUpdate": GPC_LAST_UPDATE.isoformat()})
    response["Cache-Control"] = "public, max-age=86400"
    return response
