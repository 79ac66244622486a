"""Pages reached from links in e-mails: one-click unsubscribe and double opt-in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from privacy.consent.models import ConsentMethod, ConsentReceipt
from privacy.consent.receipts import receipt_as_dict, receipt_page_context
from privacy.consent.services import (
    consent_confirm,
    consent_reconfirm,
    consent_withdraw,
    purpose_state,
)
from privacy.documents.models import DocumentVersion
from privacy.people.http import page_language
from privacy.people.links import CONFIRM_CONSENT, RECONSENT, UNSUBSCRIBE, LinkInvalid, LinkKind
from privacy.people.models import Person, Purpose
from privacy.people.visits import visit_from_request


def _private(response: HttpResponse) -> HttpResponse:
    # The token is the only key to the receipt: no shared cache may keep a copy.
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def receipt_download(request: HttpRequest, token: str) -> HttpResponse:
    receipt = get_object_or_404(ConsentReceipt, token=token)
    response = JsonResponse(receipt_as_dict(receipt), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="consent-receipt-{receipt.receipt_id}.json"'
    )
    return _private(response)


@require_GET
def receipt_page(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt as a person reads and prints it, in the language they consented in."""
    receipt = get_object_or_404(ConsentReceipt, token=token)
    document = receipt_as_dict(receipt)
    language = page_language(request, document.get("language", ""))
    with translation.override(language):
        response = render(request, "privacy/receipt.html", receipt_page_context(receipt, document))
    response["Content-Language"] = language
    return _private(response)


MARKETING_PURPOSES = {Purpose.MARKETING, Purpose.ADVERTISING}


def _read(token: str, kind: LinkKind) -> dict[str, Any] | None:
    try:
        return kind.read(token)
    except LinkInvalid:
        return None


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/link_invalid.html", status=400)


# The link itself is the credential (signed, single-purpose, expiring): mail clients POST to
# it without cookies for RFC 8058 one-click unsubscribe, so CSRF tokens cannot apply.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    payload = _read(token, UNSUBSCRIBE)
    if payload is None or payload["u"] not in MARKETING_PURPOSES:
        return _invalid(request)
    person = Person.objects.filter(pk=payload["p"], erased_at__isnull=True).first()
    if person is None:
        return _invalid(request)
    purpose = Purpose(payload["u"])
    if request.method == "GET":
        return render(request, "privacy/unsubscribe.html", {"purpose": purpose, "done": False})
    if purpose_state(person=person, purpose=purpose).granted:
        consent_withdraw(
            person=person,
            purpose=purpose,
            method=ConsentMethod.EMAIL_LINK,
            visit=visit_from_request(request),
            source="unsubscribe-link",
        )
    return render(request, "privacy/unsubscribe.html", {"purpose": purpose, "done": True})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms, so link scanners confirm nothing."""
    payload = _read(token, CONFIRM_CONSENT)
    purposes = [p for p in (payload or {}).get("u", []) if p in MARKETING_PURPOSES]
    if payload is None or not purposes:
        return _invalid(request)
    person = Person.objects.filter(pk=payload["p"], erased_at__isnull=True).first()
    if person is None:
        return _invalid(request)
    if request.method == "GET":
        return render(request, "privacy/confirm.html", {"done": False})
    consent_confirm(
        person=person,
        purposes=purposes,
        method=ConsentMethod.EMAIL_LINK,
        visit=visit_from_request(request),
        source=f"message:{payload['m']}",
    )
    return render(request, "privacy/confirm.html", {"done": True})


@never_cache
@require_http_methods(["GET", "POST"])
def reconsent(request: HttpRequest, token: str) -> HttpResponse:
    """Keep a marketing or advertising consent under a new, materially changed policy."""
    payload = _read(token, RECONSENT)
    purposes = [p for p in (payload or {}).get("u", []) if p in MARKETING_PURPOSES]
    if payload is None or not purposes:
        return _invalid(request)
    person = Person.objects.filter(pk=payload["p"], erased_at__isnull=True).first()
    version = DocumentVersion.objects.published().filter(pk=payload["v"]).first()
    if person is None or version is None:
        return _invalid(request)
    kept = [p for p in purposes if purpose_state(person=person, purpose=p).granted]
    if request.method == "GET" or not kept:
        return render(
            request,
            "privacy/reconsent.html",
            {"version": version, "done": False, "nothing_to_keep": not kept},
        )
    consent_reconfirm(
        person=person,
        purposes=kept,
        version=version,
        visit=visit_from_request(request),
    )
    return render(request, "privacy/reconsent.html", {"version": version, "done": True})
