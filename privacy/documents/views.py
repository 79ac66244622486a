"""Public pages of legal documents: the version in force, the archive, diffs between versions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from privacy.documents.diffing import text_diff
from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.documents.rendering import render_markdown

# A version's text never changes, but its page also says whether it is in force, which
# changes when a newer version is published. So version pages are fresh for an hour and then
# revalidated with an ETag (a cheap 304); the page in force is revalidated every minute. Both
# are capped so that no cache serves a page past the moment a scheduled version takes effect.
PUBLISHED_VERSION_MAX_AGE = 3600
IN_FORCE_MAX_AGE = 60
# Comparisons of two published versions never change at all.
DIFF_MAX_AGE = 7 * 24 * 3600
# Bump when the templates of these pages change, so that cached copies are revalidated.
PAGE_REVISION = "2"
CONSENT_KINDS = {kind.value for kind in DocumentKind if kind != DocumentKind.PRIVACY_POLICY}


def _published(kind: str, number: int) -> DocumentVersion:
    return get_object_or_404(DocumentVersion.objects.published(), kind=kind, number=number)


def _previous(version: DocumentVersion) -> DocumentVersion | None:
    published = DocumentVersion.objects.of_kind(version.kind).published()
    if version.number is not None:
        published = published.filter(number__lt=version.number)
    return published.order_by("-number").first()


def diff_url(*, new: DocumentVersion, old: DocumentVersion) -> str:
    if new.kind == DocumentKind.PRIVACY_POLICY:
        return reverse("privacy:diff", kwargs={"number": new.number, "other": old.number})
    return reverse(
        "privacy:consent_diff", kwargs={"kind": new.kind, "number": new.number, "other": old.number}
    )


def version_page_context(
    *, version: DocumentVersion, in_force: DocumentVersion | None, in_force_view: bool = False
) -> dict[str, Any]:
    """What privacy/version.html needs; the admin preview renders a draft through it too."""
    previous = _previous(version)
    preview = not version.is_published
    context: dict[str, Any] = {
        "version": version,
        "body_html": render_markdown(version.body),
        "previous": previous,
        "is_in_force": in_force is not None and in_force.pk == version.pk,
        "is_scheduled": version.effective_at is not None and version.effective_at > timezone.now(),
        "in_force_view": in_force_view,
        "is_policy": version.kind == DocumentKind.PRIVACY_POLICY,
        "preview": preview,
        "diff_url": diff_url(new=version, old=previous) if previous and not preview else "",
    }
    if preview:
        context["diff_lines"] = text_diff(
            previous.canonical_text() if previous else "", version.canonical_text()
        )
    return context


def _next_change(kind: str) -> datetime | None:
    """When the next scheduled version of `kind` takes effect, if one is scheduled."""
    return (
        DocumentVersion.objects.of_kind(kind)
        .published()
        .filter(effective_at__gt=timezone.now())
        .order_by("effective_at")
        .values_list("effective_at", flat=True)
        .first()
    )


def _cached_page(
    request: HttpRequest,
    *,
    kind: str,
    state: str,
    last_modified: datetime | None,
    max_age: int,
    render_page: Callable[[], HttpResponse],
) -> HttpResponse:
    """Answer a conditional GET with 304 when `state` is unchanged, else render the page."""
    etag = quote_etag(
        hashlib.sha256(f"{PAGE_REVISION}:{get_language()}:{state}".encode()).hexdigest()[:32]
    )
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = render_page()
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    next_change = _next_change(kind)
    if next_change is not None:
        max_age = max(0, min(max_age, int((next_change - timezone.now()).total_seconds())))
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _version_response(
    request: HttpRequest, version: DocumentVersion, *, in_force_view: bool, max_age: int
) -> HttpResponse:
    in_force = DocumentVersion.objects.in_force(version.kind)
    changed_at = [version.published_at]
    if in_force is not None:
        changed_at.append(in_force.effective_at)
    return _cached_page(
        request,
        kind=version.kind,
        state=f"version:{version.pk}:{version.sha256}:{in_force.pk if in_force else '-'}",
        last_modified=max(moment for moment in changed_at if moment is not None),
        max_age=max_age,
        render_page=lambda: render(
            request,
            "privacy/version.html",
            version_page_context(version=version, in_force=in_force, in_force_view=in_force_view),
        ),
    )


@require_GET
def policy_in_force(request: HttpRequest) -> HttpResponse:
    version = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    if version is None:
        raise Http404("No privacy policy has been published yet.")
    return _version_response(request, version, in_force_view=True, max_age=IN_FORCE_MAX_AGE)


@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    versions = list(
        DocumentVersion.objects.of_kind(DocumentKind.PRIVACY_POLICY).published().order_by("-number")
    )
    in_force = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    state = ",".join(str(version.pk) for version in versions)
    return _cached_page(
        request,
        kind=DocumentKind.PRIVACY_POLICY,
        state=f"list:{state}:{in_force.pk if in_force else '-'}",
        last_modified=versions[0].published_at if versions else None,
        max_age=IN_FORCE_MAX_AGE,
        render_page=lambda: render(
            request, "privacy/version_list.html", {"versions": versions, "in_force": in_force}
        ),
    )


@require_GET
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    version = _published(DocumentKind.PRIVACY_POLICY, number)
    return _version_response(
        request, version, in_force_view=False, max_age=PUBLISHED_VERSION_MAX_AGE
    )


def _diff_response(request: HttpRequest, kind: str, number: int, other: int) -> HttpResponse:
    new = _published(kind, number)
    old = _published(kind, other)
    if (old.number or 0) > (new.number or 0):
        old, new = new, old
    lines = text_diff(old.canonical_text(), new.canonical_text())
    response = render(
        request,
        "privacy/version_diff.html",
        {
            "old": old,
            "new": new,
            "lines": lines,
            "changed": any(line.op in ("added", "removed") for line in lines),
            "is_policy": kind == DocumentKind.PRIVACY_POLICY,
        },
    )
    patch_cache_control(response, public=True, max_age=DIFF_MAX_AGE)
    return response


@require_GET
def version_diff(request: HttpRequest, number: int, other: int) -> HttpResponse:
    return _diff_response(request, DocumentKind.PRIVACY_POLICY, number, other)


def _consent_kind(kind: str) -> str:
    if kind not in CONSENT_KINDS:
        raise Http404("Unknown consent text.")
    return kind


@require_GET
def consent_in_force(request: HttpRequest, kind: str) -> HttpResponse:
    version = DocumentVersion.objects.in_force(_consent_kind(kind))
    if version is None:
        raise Http404("No such consent text has been published yet.")
    return _version_response(request, version, in_force_view=True, max_age=IN_FORCE_MAX_AGE)


@require_GET
def consent_version(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    version = _published(_consent_kind(kind), number)
    return _version_response(
        request, version, in_force_view=False, max_age=PUBLISHED_VERSION_MAX_AGE
    )


@require_GET
def consent_diff(request: HttpRequest, kind: str, number: int, other: int) -> HttpResponse:
    return _diff_response(request, _consent_kind(kind), number, other)
