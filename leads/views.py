from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from privacy.cookies.banner import consent_state
from privacy.documents.models import PURPOSE_DOCUMENT, DocumentKind
from privacy.people.http import HttpResponseSeeOther
from privacy.people.models import Purpose
from privacy.people.ratelimit import rate_limit_hit
from privacy.people.visits import MAX_URL, clean_text, client_ip, visit_from_request

from .forms import LeadForm
from .models import Lead
from .services import (
    DocumentsChanged,
    FormTokenInvalid,
    LeadVisit,
    ShownForm,
    documents_in_force,
    form_token_issue,
    form_token_read,
    lead_submit,
)
from .wording import checkbox_label

UTM_KEYS = ("source", "medium", "campaign", "term", "content")
UTM_MAX = 200
# Analytics identifiers of clause 3.3, by cookie name -> Lead field.
ANALYTICS_COOKIES = {"_ga": "ga_client_id", "_ym_uid": "ym_uid", "roistat_visit": "roistat_visit"}
ANALYTICS_ID_MAX = 100
REQUIRED_DOCUMENTS = {DocumentKind.PRIVACY_POLICY, *PURPOSE_DOCUMENT.values()}


def _form_page(
    request: HttpRequest,
    form: LeadForm | None = None,
    *,
    initial: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    """Render the form under the texts in force now; a fresh token when it is a new form."""
    documents = documents_in_force()
    if set(documents) != REQUIRED_DOCUMENTS:
        return render(request, "leads/unavailable.html", status=503)
    if form is None:
        token = form_token_issue(
            documents=documents,
            landing_url=clean_text(request.build_absolute_uri(), MAX_URL),
            referrer=clean_text(request.META.get("HTTP_REFERER", ""), MAX_URL),
            language=get_language() or settings.LANGUAGE_CODE,
        )
        form = LeadForm(initial={**(initial or {}), "form_token": token})
    consent_fields = [
        (form[f"consent_{purpose}"], checkbox_label(purpose, documents))
        for purpose in (Purpose.PROCESSING, Purpose.MARKETING, Purpose.ADVERTISING)
    ]
    return render(
        request,
        "leads/home.html",
        {"form": form, "consent_fields": consent_fields, "notice": notice},
        status=status,
    )


def _lead_visit(request: HttpRequest, shown: ShownForm) -> LeadVisit:
    landing_url = shown.landing_url or request.build_absolute_uri()
    # The form posts back to the URL it was shown at, so the landing query string is here whole
    # (the landing URL kept in the token may have been cut to length).
    utm = {
        key: clean_text(request.GET[f"utm_{key}"], UTM_MAX)
        for key in UTM_KEYS
        if request.GET.get(f"utm_{key}")
    }
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


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request)

    if rate_limit_hit(
        scope="lead-submit", key=client_ip(request) or "unknown", rate=settings.LEAD_RATE_LIMIT
    ):
        return render(request, "errors/429.html", status=429)

    form = LeadForm(request.POST)
    if form.is_bot:
        # Answered like a success so the bot learns nothing; nothing is stored.
        return HttpResponseSeeOther(reverse("leads:thanks_generic"))
    if not form.is_valid():
        return _form_page(request, form, status=400)

    try:
        shown = form_token_read(form.cleaned_data["form_token"])
        submission = lead_submit(
            cleaned=form.cleaned_data,
            shown=shown,
            lead_visit=_lead_visit(request, shown),
            language=get_language() or settings.LANGUAGE_CODE,
        )
    except FormTokenInvalid:
        notice = _("The form had expired. Please check it and send it again.")
    except DocumentsChanged:
        notice = _(
            "Our Privacy Policy or consent texts changed while you were filling in the form. "
            "Please read the versions now in force and give your consent again."
        )
    else:
        return HttpResponseSeeOther(submission.lead.get_absolute_url())
    # Shown again with the visitor's input but cleared boxes: consent to texts the visitor has
    # not seen must be given anew.
    initial = {name: request.POST.get(name, "") for name in ("account_name", "phone", "email")}
    return _form_page(request, initial=initial, notice=notice, status=409)


@require_GET
@never_cache
def thanks(request: HttpRequest, public_id) -> HttpResponse:
    lead = get_object_or_404(Lead, public_id=public_id)
    return render(request, "leads/thanks.html", {"lead": lead})


@require_GET
@never_cache
def thanks_generic(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/thanks.html", {"lead": None})
