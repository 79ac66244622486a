from __future__ import annotations

import difflib

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_GET

from .models import ConsentReceipt, DocumentKind, DocumentVersion
from .receipts import receipt_as_dict
from .rendering import render_markdown

# A published version never changes, so its page may be cached for a long time. The page
# "in force" changes when a scheduled version takes effect, so it is revalidated often.
PUBLISHED_VERSION_MAX_AGE = 24 * 3600
IN_FORCE_MAX_AGE = 60
CONSENT_KINDS = {kind.value for kind in DocumentKind if kind != DocumentKind.PRIVACY_POLICY}


def _published(kind: str, number: int) -> DocumentVersion:
    return get_object_or_404(DocumentVersion.objects.published(), kind=kind, number=number)


def _render_version(
    request: HttpRequest, version: DocumentVersion, *, in_force_view: bool, max_age: int
) -> HttpResponse:
    in_force = DocumentVersion.objects.in_force(version.kind)
    previous = (
        DocumentVersion.objects.of_kind(version.kind)
        .published()
        .filter(number__lt=version.number)
        .order_by("-number")
        .first()
    )
    response = render(
        request,
        "privacy/version.html",
        {
            "version": version,
            "body_html": render_markdown(version.body),
            "previous": previous,
            "is_in_force": in_force is not None and in_force.pk == version.pk,
            "is_scheduled": version.effective_at > timezone.now(),
            "in_force_view": in_force_view,
            "is_policy": version.kind == DocumentKind.PRIVACY_POLICY,
        },
    )
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_GET
def policy_in_force(request: HttpRequest) -> HttpResponse:
    version = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    if version is None:
        raise Http404("No privacy policy has been published yet.")
    return _render_version(request, version, in_force_view=True, max_age=IN_FORCE_MAX_AGE)


@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    versions = (
        DocumentVersion.objects.of_kind(DocumentKind.PRIVACY_POLICY).published().order_by("-number")
    )
    in_force = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    response = render(
        request, "privacy/version_list.html", {"versions": versions, "in_force": in_force}
    )
    patch_cache_control(response, public=True, max_age=IN_FORCE_MAX_AGE)
    return response


@require_GET
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    version = _published(DocumentKind.PRIVACY_POLICY, number)
    return _render_version(request, version, in_force_view=False, max_age=PUBLISHED_VERSION_MAX_AGE)


@require_GET
def version_diff(request: HttpRequest, number: int, other: int) -> HttpResponse:
    new = _published(DocumentKind.PRIVACY_POLICY, number)
    old = _published(DocumentKind.PRIVACY_POLICY, other)
    if old.number > new.number:
        old, new = new, old
    rows = list(difflib.ndiff(old.canonical_text().splitlines(), new.canonical_text().splitlines()))
    lines = [
        {"op": {"+": "added", "-": "removed"}.get(row[0], "same"), "text": row[2:]}
        for row in rows
        if not row.startswith("?")
    ]
    response = render(
        request,
        "privacy/version_diff.html",
        {
            "old": old,
            "new": new,
            "lines": lines,
            "changed": any(line["op"] != "same" for line in lines),
        },
    )
    patch_cache_control(response, public=True, max_age=PUBLISHED_VERSION_MAX_AGE)
    return response


def _consent_kind(kind: str) -> str:
    if kind not in CONSENT_KINDS:
        raise Http404("Unknown consent text.")
    return kind


@require_GET
def consent_in_force(request: HttpRequest, kind: str) -> HttpResponse:
    version = DocumentVersion.objects.in_force(_consent_kind(kind))
    if version is None:
        raise Http404("No such consent text has been published yet.")
    return _render_version(request, version, in_force_view=True, max_age=IN_FORCE_MAX_AGE)


@require_GET
def consent_version(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    version = _published(_consent_kind(kind), number)
    return _render_version(request, version, in_force_view=False, max_age=PUBLISHED_VERSION_MAX_AGE)


@require_GET
def receipt_download(request: HttpRequest, token: str) -> HttpResponse:
    receipt = get_object_or_404(ConsentReceipt, token=token)
    response = JsonResponse(receipt_as_dict(receipt), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="consent-receipt-{receipt.receipt_id}.json"'
    )
    # The token is the only key to the receipt: no shared cache may keep a copy.
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response
