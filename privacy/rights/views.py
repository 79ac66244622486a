"""Public pages of rights requests: the form, the one-time confirmation, the request's page,
the confirmation of a new e-mail and the download of a data export."""

from __future__ import annotations

import json
import logging

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from privacy.documents.models import language_name
from privacy.people.http import HttpResponseSeeOther, page_language
from privacy.people.models import Purpose
from privacy.people.ratelimit import rate_limit_hit
from privacy.people.visits import client_ip, visit_from_request
from privacy.rights.export import person_export
from privacy.rights.export_page import export_sections
from privacy.rights.models import RightsRequest
from privacy.rights.services import (
    DETAILS_MAX,
    DETAILS_REQUIRED,
    DETAILS_TOO_LONG,
    EMAIL_INVALID,
    LINK_INVALID,
    PURPOSE_REQUIRED,
    UNKNOWN_KIND,
    RightsError,
    correction_form,
    export_path,
    request_confirm_new_email,
    request_correct,
    request_for_export,
    request_for_link,
    request_submit,
    request_verify,
)

logger = logging.getLogger(__name__)

# The requests this browser has confirmed by their one-time link: the only key to their pages.
SESSION_KEY = "privacy_rights_requests"
# Which form field a service error belongs under.
FIELD_OF_ERROR = {
    EMAIL_INVALID: "email",
    UNKNOWN_KIND: "kind",
    PURPOSE_REQUIRED: "purpose",
    DETAILS_REQUIRED: "details",
    DETAILS_TOO_LONG: "details",
}


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like to do?"),
        choices=RightsRequest.Kind.choices,
        widget=forms.RadioSelect,
    )
    email = forms.CharField(
        label=_("Your e-mail"),
        max_length=254,
        help_text=_("We send a link to this address to confirm the request is yours."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    purpose = forms.ChoiceField(
        label=_("Which consent do you withdraw?"),
        required=False,
        choices=[
            ("", "—"),
            (Purpose.MARKETING, Purpose.MARKETING.label),
            (Purpose.ADVERTISING, Purpose.ADVERTISING.label),
            (Purpose.PROCESSING, _("Processing of personal data (ends everything)")),
        ],
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=DETAILS_MAX,
        help_text=_("Your claim, question or suggestion, or anything that helps us."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def _remember(request: HttpRequest, rights_request: RightsRequest) -> None:
    confirmed = list(request.session.get(SESSION_KEY, []))
    confirmed.append(str(rights_request.public_id))
    request.session[SESSION_KEY] = confirmed[-20:]


def _invalid(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request, "privacy/requests/invalid.html", {"message": gettext(message)}, status=400
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    # ?kind=withdrawal (from a receipt's "withdraw" link) opens the form with that choice made.
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in RightsRequest.Kind.values else {}
    form = RequestForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if rate_limit_hit(
            scope="rights-request",
            key=client_ip(request) or "-",
            rate=settings.RIGHTS_REQUEST_RATE_LIMIT,
        ):
            return render(request, "privacy/requests/form.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                request_submit(language=get_language() or "en", **form.cleaned_data)
            except RightsError as exc:
                form.add_error(FIELD_OF_ERROR.get(str(exc)), gettext(str(exc)))
            else:
                return HttpResponseSeeOther(reverse("privacy:request_sent"))
        return render(request, "privacy/requests/form.html", {"form": form}, status=400)
    return render(request, "privacy/requests/form.html", {"form": form})


@require_GET
def request_sent(request: HttpRequest) -> HttpResponse:
    # The same page whatever the address: it never says whether we hold data about it.
    return render(request, "privacy/requests/sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def request_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; the POST confirms, so mail scanners opening links confirm nothing."""
    try:
        pending = request_for_link(token)
    except RightsError as exc:
        return _invalid(request, str(exc))
    if request.method == "GET":
        return render(request, "privacy/requests/confirm.html", {"rights_request": pending})
    try:
        confirmed = request_verify(token=token, visit=visit_from_request(request))
    except RightsError as exc:
        return _invalid(request, str(exc))
    _remember(request, confirmed)
    return HttpResponseSeeOther(
        reverse("privacy:request_detail", kwargs={"public_id": confirmed.public_id})
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The request's page, only in the browser that confirmed it by the one-time link."""
    if str(public_id) not in request.session.get(SESSION_KEY, []):
        return _invalid(request, LINK_INVALID)
    rights_request = RightsRequest.objects.filter(public_id=public_id).first()
    if rights_request is None:
        return _invalid(request, LINK_INVALID)
    form = None
    error = ""
    status = 200
    if rights_request.kind == RightsRequest.Kind.CORRECTION and rights_request.is_open:
        form = correction_form(rights_request, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form is not None:
            if form.is_valid():
                try:
                    request_correct(request=rights_request, cleaned=form.cleaned_data)
                except RightsError as exc:
                    error = gettext(str(exc))
                    status = 400
                else:
                    return HttpResponseSeeOther(request.path)
            else:
                status = 400
    rights_request.refresh_from_db()
    # An answered access request links its copy from its own page too (a fresh signed link:
    # this page opens only in the browser that confirmed the request).
    answered_access = (
        rights_request.kind == RightsRequest.Kind.ACCESS
        and rights_request.status == RightsRequest.Status.ANSWERED
        and rights_request.email
    )
    return render(
        request,
        "privacy/requests/detail.html",
        {
            "rights_request": rights_request,
            "form": form,
            "error": error,
            "export_url": export_path(rights_request) if answered_access else "",
            "export_hours": settings.RIGHTS_EXPORT_LINK_HOURS,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_new_email(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        return render(request, "privacy/requests/new_email.html", {"done": False})
    try:
        request_confirm_new_email(token=token)
    except RightsError as exc:
        return _invalid(request, str(exc))
    return render(request, "privacy/requests/new_email.html", {"done": True})


def _export_data(token: str) -> tuple[RightsRequest, dict]:
    rights_request = request_for_export(token)
    return rights_request, person_export(person=rights_request.person, email=rights_request.email)


def _private(response: HttpResponse) -> HttpResponse:
    # The signed link is the only key to the copy: no cache may keep one, no robot index it.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def request_export(request: HttpRequest, token: str) -> HttpResponse:
    """The access export to read and print, behind the signed, expiring link."""
    try:
        rights_request, data = _export_data(token)
    except RightsError as exc:
        return _invalid(request, str(exc))
    language = page_language(request, rights_request.language)
    with translation.override(language):
        response = render(
            request,
            "privacy/requests/export.html",
            {
                "rights_request": rights_request,
                "data": data,
                "sections": export_sections(data),
                "generated_at": timezone.now(),
                "json_url": reverse("privacy:request_export_json", kwargs={"token": token}),
                "hours": settings.RIGHTS_EXPORT_LINK_HOURS,
                "other_languages": [
                    {"code": code, "name": language_name(code), "url": f"?lang={code}"}
                    for code, _name in settings.LANGUAGES
                    if code != language
                ],
            },
        )
    response["Content-Language"] = language
    return _private(response)


@never_cache
@require_GET
def request_export_json(request: HttpRequest, token: str) -> HttpResponse:
    """The same access export, machine-readable: a JSON download behind the same link."""
    try:
        _rights_request, data = _export_data(token)
    except RightsError as exc:
        return _invalid(request, str(exc))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-personal-data.json"'
    return _private(response)
