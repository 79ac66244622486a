"""Public pages of legal documents: the version in force, the archive, diffs between versions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from privacy.documents.diffing import text_diff
from privacy.documents.models import (
    DocumentKind,
    DocumentText,
    DocumentVersion,
    language_name,
    legal_languages,
)
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
PAGE_REVISION = "3"
CONSENT_KINDS = {kind.value for kind in DocumentKind if kind != DocumentKind.PRIVACY_POLICY}


def _published(kind: str, number: int) -> DocumentVersion:
    return get_object_or_404(
        DocumentVersion.objects.published().prefetch_related("texts"), kind=kind, number=number
    )


def _previous(version: DocumentVersion) -> DocumentVersion | None:
    published = DocumentVersion.objects.of_kind(version.kind).published()
    if version.number is not None:
        published = published.filter(number__lt=version.number)
    return published.prefetch_related("texts").order_by("-number").first()


def text_language(request: HttpRequest) -> str:
    """The language of the legal text to show: `?lang=` when it names a legal language (links
    in receipts pin the text a person read), else the page's own language."""
    wanted = request.GET.get("lang", "")
    if wanted in legal_languages():
        return wanted
    return get_language() or settings.LANGUAGE_CODE


def _with_language(url: str, language: str) -> str:
    """`url` pinned to the text in `language`, unless that is the page's language anyway."""
    return f"{url}?lang={language}" if language != get_language() else url


def diff_url(*, new: DocumentVersion, old: DocumentVersion, language: str = "") -> str:
    if new.kind == DocumentKind.PRIVACY_POLICY:
        url = reverse("privacy:diff", kwargs={"number": new.number, "other": old.number})
    else:
        url = reverse(
            "privacy:consent_diff",
            kwargs={"kind": new.kind, "number": new.number, "other": old.number},
        )
    return _with_language(url, language) if language else url


def in_force_url(kind: str) -> str:
    if kind == DocumentKind.PRIVACY_POLICY:
        return reverse("privacy:policy")
    return reverse("privacy:consent", kwargs={"kind": kind})


def other_languages(
    version: DocumentVersion, *, shown: str, in_force_view: bool = False
) -> list[dict[str, str]]:
    """Links to the version's text in each other language it has, named in that language."""
    base = in_force_url(version.kind) if in_force_view else version.get_absolute_url()
    return [
        {"code": code, "name": language_name(code), "url": f"{base}?lang={code}"}
        for code in version.languages()
        if code != shown
    ]


def _diff_language(previous: DocumentVersion, text: DocumentText) -> str:
    """The language to compare in: the text's own when the previous version has it too."""
    if text.language in previous.texts_by_language():
        return text.language
    common = [code for code in previous.languages() if code in text.version.texts_by_language()]
    return common[0] if common else text.language


def version_page_context(
    *,
    version: DocumentVersion,
    in_force: DocumentVersion | None,
    language: str,
    in_force_view: bool = False,
) -> dict[str, Any]:
    """What privacy/version.html needs; the admin preview renders a draft through it too."""
    previous = _previous(version)
    preview = not version.is_published
    text = version.text(language)
    if text is None:
        raise Http404("This version has no text.")
    context: dict[str, Any] = {
        "version": version,
        "text": text,
        "sha256": text.sha256 or text.compute_sha256(),
        "body_html": render_markdown(text.body),
        # The page speaks one language; the text may be another (pinned by a link, or the
        # version has no text in the page's language): the text is marked with its own.
        "text_lang": text.language,
        "missing_language": language_name(language) if text.language != language else "",
        "other_languages": other_languages(
            version, shown=text.language, in_force_view=in_force_view
        ),
        "previous": previous,
        "is_in_force": in_force is not None and in_force.pk == version.pk,
        "is_scheduled": version.effective_at is not None and version.effective_at > timezone.now(),
        "in_force_view": in_force_view,
        "is_policy": version.kind == DocumentKind.PRIVACY_POLICY,
        "preview": preview,
        "diff_url": diff_url(new=version, old=previous, language=_diff_language(previous, text))
        if previous and not preview
        else "",
    }
    if preview:
        previous_text = previous.texts_by_language().get(text.language) if previous else None
        context["diff_lines"] = text_diff(
            previous_text.canonical_text() if previous_text else "", text.canonical_text()
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
    language = text_language(request)
    text = version.text(language)
    return _cached_page(
        request,
        kind=version.kind,
        state=(
            f"version:{version.pk}:{language}:{text.sha256 if text else '-'}:"
            f"{version.languages()}:{in_force.pk if in_force else '-'}"
        ),
        last_modified=max(moment for moment in changed_at if moment is not None),
        max_age=max_age,
        render_page=lambda: render(
            request,
            "privacy/version.html",
            version_page_context(
                version=version, in_force=in_force, language=language, in_force_view=in_force_view
            ),
        ),
    )


def _in_force_with_texts(kind: str) -> DocumentVersion | None:
    return (
        DocumentVersion.objects.of_kind(kind).effective().prefetch_related("texts").first()
    )


@require_GET
def policy_in_force(request: HttpRequest) -> HttpResponse:
    version = _in_force_with_texts(DocumentKind.PRIVACY_POLICY)
    if version is None:
        raise Http404("No privacy policy has been published yet.")
    return _version_response(request, version, in_force_view=True, max_age=IN_FORCE_MAX_AGE)


@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    versions = list(
        DocumentVersion.objects.of_kind(DocumentKind.PRIVACY_POLICY)
        .published()
        .prefetch_related("texts")
        .order_by("-number")
    )
    in_force = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    language = text_language(request)
    entries = [(version, version.text(language)) for version in versions]
    state = ",".join(f"{v.pk}:{t.language if t else '-'}" for v, t in entries)
    return _cached_page(
        request,
        kind=DocumentKind.PRIVACY_POLICY,
        state=f"list:{language}:{state}:{in_force.pk if in_force else '-'}",
        last_modified=versions[0].published_at if versions else None,
        max_age=IN_FORCE_MAX_AGE,
        render_page=lambda: render(
            request,
            "privacy/version_list.html",
            {
                "entries": [
                    {
                        "version": version,
                        "text": text,
                        "url": _with_language(version.get_absolute_url(), language),
                    }
                    for version, text in entries
                ],
                "in_force": in_force,
                "language": language,
                "other_languages": [
                    {
                        "code": code,
                        "name": language_name(code),
                        "url": f"{reverse('privacy:versions')}?lang={code}",
                    }
                    for code in legal_languages()
                    if code != language
                ],
            },
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
    if other > number:
        old, new = new, old
    # Texts are compared within one language. A version published before a language was added
    # has nothing to compare in it: without ?lang= the page falls back to a language both
    # versions have; a ?lang= naming a missing one gets a 404 offering the others.
    common = [code for code in new.languages() if code in old.texts_by_language()]
    language = text_language(request)
    if language not in common and common and request.GET.get("lang") != language:
        language = common[0]
    old_text: DocumentText | None = old.texts_by_language().get(language)
    new_text: DocumentText | None = new.texts_by_language().get(language)
    lines = (
        text_diff(old_text.canonical_text(), new_text.canonical_text())
        if old_text and new_text
        else []
    )
    response = render(
        request,
        "privacy/version_diff.html",
        {
            "old": old,
            "new": new,
            "old_text": old_text,
            "new_text": new_text,
            "title": (new_text or new.text(language) or old.text(language)).title,  # type: ignore[union-attr]
            "text_lang": language,
            "language_name": language_name(language),
            "old_url": _with_language(old.get_absolute_url(), language),
            "new_url": _with_language(new.get_absolute_url(), language),
            "other_languages": [
                {
                    "code": code,
                    "name": language_name(code),
                    "url": f"{diff_url(new=new, old=old)}?lang={code}",
                }
                for code in common
                if code != language
            ],
            "lines": lines,
            "changed": any(line.op in ("added", "removed") for line in lines),
            "is_policy": kind == DocumentKind.PRIVACY_POLICY,
        },
        status=200 if old_text and new_text else 404,
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
    version = _in_force_with_texts(_consent_kind(kind))
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
