"""The lead form on our own page and in an iframe on the form's other sites."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.csp import CSP
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from privacy.consent.models import ConsentMethod
from privacy.cookies.banner import consent_state
from privacy.documents.models import PURPOSE_DOCUMENT, DocumentKind, DocumentVersion
from privacy.people.http import HttpResponseSeeOther
from privacy.people.models import Purpose
from privacy.people.ratelimit import rate_limit_hit
from privacy.people.visits import MAX_URL, clean_text, client_ip, visit_from_request

from .forms import LeadForm
from .models import LandingForm, Lead, origin_normalise
from .services import (
    DocumentsChanged,
    FormTokenInvalid,
    LeadSource,
    LeadVisit,
    ShownForm,
    documents_in_force,
    form_token_issue,
    form_token_origin,
    form_token_read,
    form_versions,
    lead_submit,
)
from .texts import text_language
from .visits import ANALYTICS_COOKIES, ANALYTICS_ID_MAX, utm_from_query, utm_from_url
from .wording import checkbox_label

REQUIRED_DOCUMENTS = {DocumentKind.PRIVACY_POLICY, *PURPOSE_DOCUMENT.values()}


@dataclass(frozen=True)
class FormPlace:
    """Where a form is shown: our own page, or an iframe on one of the form's sites."""

    landing_form: LandingForm
    template: str = "leads/home.html"
    method: str = ConsentMethod.WEB_FORM
    # For the iframe: the host page's origin and address, from the Referer of its request.
    origin: str = ""
    host_url: str = ""


def _form_documents(landing_form: LandingForm) -> dict[str, DocumentVersion] | None:
    """The documents `landing_form` shows, in force now; None while one is not published."""
    documents = documents_in_force()
    if set(form_versions(landing_form, documents)) != set(landing_form.document_kinds()):
        return None
    return {kind: documents[kind] for kind in landing_form.document_kinds()}


def _form_page(
    request: HttpRequest,
    place: FormPlace,
    form: LeadForm | None = None,
    *,
    initial: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    """Render the form under the texts in force now; a fresh token when it is a new form."""
    landing_form = place.landing_form
    documents = _form_documents(landing_form)
    if documents is None:
        return render(request, "leads/unavailable.html", status=503)
    if form is None:
        if place.origin:
            landing_url, referrer = place.host_url, ""
        else:
            landing_url = clean_text(request.build_absolute_uri(), MAX_URL)
            referrer = clean_text(request.META.get("HTTP_REFERER", ""), MAX_URL)
        token = form_token_issue(
            documents=documents,
            landing_url=landing_url,
            referrer=referrer,
            form=landing_form,
            origin=place.origin,
            language=get_language() or settings.LANGUAGE_CODE,
        )
        form = LeadForm(
            initial={**(initial or {}), "form_token": token}, purposes=landing_form.purposes()
        )
    consent_fields = [
        (form[f"consent_{purpose}"], checkbox_label(purpose, documents))
        for purpose in landing_form.purposes()
    ]
    return render(
        request,
        place.template,
        {
            "form": form,
            "consent_fields": consent_fields,
            "notice": notice,
            "landing_form": landing_form,
        },
        status=status,
    )


def _lead_visit(request: HttpRequest, shown: ShownForm, place: FormPlace) -> LeadVisit:
    if place.origin:
        # In the iframe: the host page is the landing page; our cookies are not its visitor's.
        return LeadVisit(
            visit=visit_from_request(
                request, page_url=shown.landing_url or f"{shown.origin}/", referrer=""
            ),
            accessed_at=shown.rendered_at,
            utm=utm_from_url(shown.landing_url),
        )
    landing_url = shown.landing_url or request.build_absolute_uri()
    # The form posts back to the URL it was shown at, so the landing query string is here whole
    # (the landing URL kept in the token may have been cut to length).
    utm = utm_from_query(request.GET.dict())
    cookie_consent = consent_state(request)
    # Clause 3.3's identifiers are the statistics scripts' own cookies: kept only when the
    # visitor had consented to analytics at the time, like the scripts themselves.
    analytics_ids = {
        field: clean_text(request.COOKIES[cookie], ANALYTICS_ID_MAX)
        for cookie, field in ANALYTICS_COOKIES.items()
        if request.COOKIES.get(cookie) and cookie_consent.granted(Purpose.ANALYTICS)
    }
    return LeadVisit(
        visit=visit_from_request(request, page_url=landing_url, referrer=shown.referrer),
        accessed_at=shown.rendered_at,
        utm=utm,
        analytics_ids=analytics_ids,
        visitor_id=cookie_consent.visitor_id,
    )


def _token_fits(shown: ShownForm, place: FormPlace) -> bool:
    """Whether a token was issued for this form, here (a token from before forms were data
    is the default form's, on our own page)."""
    if shown.origin != place.origin:
        return False
    if shown.form_id is None:
        return place.landing_form.is_default and not place.origin
    return shown.form_id == place.landing_form.pk


def _submit(request: HttpRequest, place: FormPlace) -> HttpResponse:
    """The POST of a form page: validate with the form's rules, then the one service."""
    if rate_limit_hit(
        scope="lead-submit", key=client_ip(request) or "unknown", rate=settings.LEAD_RATE_LIMIT
    ):
        return render(request, "errors/429.html", status=429)
    landing_form = place.landing_form
    form = LeadForm(request.POST, purposes=landing_form.purposes())
    if form.is_bot:
        # Answered like a success so the bot learns nothing; nothing is stored.
        return HttpResponseSeeOther(_thanks_url(place, None))
    if not form.is_valid():
        return _form_page(request, place, form, status=400)

    try:
        shown = form_token_read(form.cleaned_data["form_token"])
        if not _token_fits(shown, place):
            raise FormTokenInvalid("issued for another form")
        submission = lead_submit(
            cleaned=form.cleaned_data,
            shown=shown,
            lead_visit=_lead_visit(request, shown, place),
            language=get_language() or settings.LANGUAGE_CODE,
            source=LeadSource(form=landing_form, method=place.method, origin=place.origin),
        )
    except FormTokenInvalid:
        notice = _("The form had expired. Please check it and send it again.")
    except DocumentsChanged:
        notice = _(
            "Our Privacy Policy or consent texts changed while you were filling in the form. "
            "Please read the versions now in force and give your consent again."
        )
    else:
        return HttpResponseSeeOther(_thanks_url(place, submission.lead))
    # Shown again with the visitor's input but cleared boxes: consent to texts the visitor has
    # not seen must be given anew.
    initial = {name: request.POST.get(name, "") for name in ("account_name", "phone", "email")}
    return _form_page(request, place, initial=initial, notice=notice, status=409)


def _thanks_url(place: FormPlace, lead: Lead | None) -> str:
    landing_form = place.landing_form
    if place.origin:
        url = reverse("leads:embed_thanks", kwargs={"slug": landing_form.slug})
        lang = get_language() or settings.LANGUAGE_CODE
        return f"{url}?lang={lang}" + (f"&lead={lead.public_id}" if lead is not None else "")
    if landing_form.thank_you_url:
        return landing_form.thank_you_url
    return lead.get_absolute_url() if lead is not None else reverse("leads:thanks_generic")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    place = FormPlace(landing_form=LandingForm.objects.default())
    if request.method != "POST":
        return _form_page(request, place)
    return _submit(request, place)


@require_GET
@never_cache
def thanks(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    lead = get_object_or_404(Lead.objects.select_related("form", "receipt"), public_id=public_id)
    return render(request, "leads/thanks.html", {"lead": lead, "landing_form": lead.form})


@require_GET
@never_cache
def thanks_generic(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/thanks.html", {"lead": None})


# -- The iframe: the form on another site, for pages that allow no scripts -----------------


def _embedded(landing_form: LandingForm, response: HttpResponse) -> HttpResponse:
    """Let only the form's own sites frame the page: frame-ancestors, and no X-Frame-Options."""
    site_policy = cast(dict[str, list[str]], settings.SECURE_CSP)
    policy = {key: list(value) for key, value in site_policy.items()}
    policy["frame-ancestors"] = landing_form.origins() or [CSP.NONE]
    response._csp_config = policy  # type: ignore[attr-defined]
    response.xframe_options_exempt = True
    patch_vary_headers(response, ("Referer",))
    return response


def _embed_place(request: HttpRequest, landing_form: LandingForm) -> FormPlace | None:
    """The iframe's host page, from its Referer; None unless it is on an allowed origin.

    Browsers send at least the origin of the framing page (the default referrer policy), and
    frame-ancestors already stops every other site from framing us: this is the record of
    where the form was shown, and a second check.
    """
    referer = clean_text(request.META.get("HTTP_REFERER", ""), MAX_URL)
    try:
        parts = urlsplit(referer)
        origin = origin_normalise(f"{parts.scheme}://{parts.netloc}") if referer else None
    except ValueError:
        origin = None
    if origin is None or not landing_form.allows_origin(origin):
        return None
    return FormPlace(
        landing_form=landing_form,
        template="leads/embed.html",
        method=ConsentMethod.WIDGET,
        origin=origin,
        host_url=referer,
    )


def _embed_language(request: HttpRequest, landing_form: LandingForm) -> str:
    return text_language(request.GET.get("lang", ""), landing_form.default_language)


# The iframe's form carries no CSRF token: a third-party frame gets no cookies in today's
# browsers, and there is no session to forge a request in. The signed form token (bound to
# this form and the host's origin, once only) is what a submission must carry.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    landing_form = get_object_or_404(LandingForm, slug=slug, is_active=True)
    with translation.override(_embed_language(request, landing_form)):
        if request.method == "POST":
            # The POST comes from our own page in the frame: its Referer is that page, and the
            # host's origin is the one the token was issued for.
            place = _embed_place_for_post(request, landing_form)
            response = (
                _submit(request, place)
                if place is not None
                else render(request, "leads/embed_refused.html", status=403)
            )
        else:
            place = _embed_place(request, landing_form)
            response = (
                _form_page(request, place)
                if place is not None
                else render(
                    request, "leads/embed_refused.html", {"landing_form": landing_form}, status=403
                )
            )
    return _embedded(landing_form, response)


def _embed_place_for_post(request: HttpRequest, landing_form: LandingForm) -> FormPlace | None:
    # An expired token still names its site: the visitor is then asked to send again (409),
    # in the frame, rather than refused.
    origin = form_token_origin(request.POST.get("form_token", "")[:4096])
    if not origin or not landing_form.allows_origin(origin):
        return None
    return FormPlace(
        landing_form=landing_form,
        template="leads/embed.html",
        method=ConsentMethod.WIDGET,
        origin=origin,
    )


@require_GET
@never_cache
def embed_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    landing_form = get_object_or_404(LandingForm, slug=slug)
    lead = None
    with contextlib.suppress(ValueError):
        lead = (
            Lead.objects.select_related("receipt")
            .filter(form=landing_form, public_id=uuid.UUID(request.GET.get("lead", "")))
            .first()
        )
    with translation.override(_embed_language(request, landing_form)):
        response = render(
            request, "leads/embed_thanks.html", {"lead": lead, "landing_form": landing_form}
        )
    return _embedded(landing_form, response)
