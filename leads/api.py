"""The leads API, version 1: a form's fields and legal texts, and submissions to it.

Two kinds of client, one submission service (`lead_submit`) and the HTML form's own rules
(`LeadForm`), so a lead from any of them carries the same proof:
- a browser on one of the form's allowed origins (the widget): no key, CORS per form, the
  consent method `widget`, the host page's URL and origin recorded;
- a landing page's back end: `Authorization: Bearer <key>`, the consent method `api`, the key's
  id recorded in the consent records, the page URL and the visitor as the client declares them.
"""

from __future__ import annotations

import hashlib
import ipaddress
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Header, NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from pydantic import Field

from privacy.consent.models import ConsentMethod
from privacy.people.ratelimit import rate_limit_hit
from privacy.people.visits import MAX_URL, MAX_USER_AGENT, Visit, clean_text, client_ip

from .forms import LeadForm
from .keys import api_key_authenticate, api_key_over_limit
from .models import ApiKey, LandingForm, origin_normalise
from .services import (
    FORM_TOKEN_MAX_AGE,
    DocumentsChanged,
    FormTokenExpired,
    FormTokenInvalid,
    LeadSource,
    LeadVisit,
    ShownForm,
    documents_in_force,
    form_token_issue,
    form_token_read,
    form_versions,
    lead_submit,
)
from .texts import consents_shown, text_language, texts_shown
from .visits import utm_from_url

DESCRIPTION = """
Submit leads to a form from another site, with the same proof of consent as our own page.

* **Browser** (the widget, or your own script on an allowed origin): `GET /forms/{slug}/`
  returns the fields, the consent texts in force in the requested language with their version
  ids and hashes, and a signed `token`; post the visitor's answers with that token to
  `/forms/{slug}/submissions/`. CORS answers only the form's allowed origins.
* **Server** (a landing page's back end): the same two calls with
  `Authorization: Bearer lg_…` on the POST; declare the visitor's `page_url`, `visitor_ip`
  and `user_agent`. Keys are issued per form in the admin. An `Idempotency-Key` header makes a
  retried POST return the lead it stored the first time.

A token whose texts are no longer in force is answered 409 with the texts now in force and a
new token: show them, ask again, and nothing is stored until then.
"""

API_KEY_HEADER = "Authorization"
IDEMPOTENCY_KEY_MAX = 200
IDEMPOTENCY_KEY = Header(
    default="",
    alias="Idempotency-Key",
    description="Servers: the same key on a retried POST returns the lead stored the first time.",
)
# JSON names that differ from the HTML form's field names.
FIELD_NAMES = {"form_token": "token"}

SECURITY_SCHEMES = {
    "ApiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "A form's API key, lg_<id>_<secret>: servers only, never in a browser.",
    }
}


class LeadsApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Ninja's schema, with the key's scheme (the view reads the key itself, so that a bad
        key is answered like every other refusal, in the client's language)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        return schema


api = LeadsApi(
    title="Leadgen API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs/",
    openapi_url="/openapi.json",
)


# -- Schemas -------------------------------------------------------------------------------


class FieldOut(Schema):
    name: str
    label: str
    type: str = Field(description="The input type: text, tel or email.")
    required: bool
    max_length: int
    autocomplete: str
    help_text: str


class TextOut(Schema):
    kind: str = Field(description="privacy_policy, consent_processing, consent_marketing, …")
    version_id: int
    number: int
    title: str
    language: str = Field(description="The language of the text shown.")
    sha256: str = Field(description="SHA-256 of the exact text, as the consent record names it.")
    url: str


class LinkOut(Schema):
    name: str = Field(description="The link's text, e.g. 'Privacy Policy, version 3'.")
    kind: str = Field(description="Which of `texts` it opens.")


class ConsentOut(Schema):
    purpose: str = Field(description="processing, marketing or advertising.")
    field: str = Field(description="The submission's boolean for it, e.g. consent_marketing.")
    required: bool
    sentence: str
    links: list[LinkOut]
    wording: str = Field(
        description="The exact label: the sentence, then the links' names in brackets. "
        "The consent record stores it; render it whole, never pre-ticked."
    )


class ThankYouOut(Schema):
    message: str
    url: str


class FormOut(Schema):
    slug: str
    name: str
    language: str
    fields: list[FieldOut]
    consents: list[ConsentOut]
    texts: list[TextOut]
    token: str = Field(description="Signed: the versions, language, origin and time shown.")
    token_expires_at: datetime
    thank_you: ThankYouOut
    labels: dict[str, str] = Field(description="The widget's own words, in `language`.")


class SubmissionIn(Schema):
    token: str = Field(description="The token from GET /forms/{slug}/.")
    account_name: str
    phone: str
    email: str
    consent_processing: bool = False
    consent_marketing: bool = False
    consent_advertising: bool = False
    page_url: str = Field("", description="The page the visitor saw the form on.")
    referrer: str = Field("", description="That page's referrer.")
    visitor_ip: str = Field("", description="Servers only: the visitor's IP address.")
    user_agent: str = Field("", description="Servers only: the visitor's browser.")
    website: str = Field("", description="Leave empty (a field only robots fill in).")


class SubmissionOut(Schema):
    id: uuid.UUID
    created: bool = Field(description="False when this submission was stored before.")
    receipt_url: str | None = Field(
        description="The person's consent receipt, to read (its signed JSON is linked there)."
    )
    thank_you: ThankYouOut


class FieldErrorOut(Schema):
    message: str
    code: str


class ErrorOut(Schema):
    error: str
    message: str
    fields: dict[str, list[FieldErrorOut]] = Field(default_factory=dict)


class TextsChangedOut(Schema):
    error: str
    message: str
    form: FormOut = Field(description="The texts in force now, with a new token.")


# -- Errors ----------------------------------------------------------------------------------


class ApiRefusal(Exception):
    """An answer other than success, with its status and body."""

    def __init__(self, status: int, error: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.body = status, {"error": error, "message": message, **extra}


def _refusal(request: HttpRequest, exc: Any) -> HttpResponse:
    return api.create_response(request, exc.body, status=exc.status)


api.add_exception_handler(ApiRefusal, _refusal)


# Pydantic speaks English; these say the same in the visitor's language, by error type.
def _type_message(error_type: str) -> str:
    from django.forms import Field as DjangoField

    messages = {
        "missing": str(DjangoField.default_error_messages["required"]),
        "string_type": _("Enter text."),
        "bool_type": _("Enter true or false."),
        "bool_parsing": _("Enter true or false."),
    }
    return messages.get(error_type, _("This value is not valid."))


def _schema_errors(request: HttpRequest, exc: Any) -> HttpResponse:
    fields: dict[str, list[dict[str, str]]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        name = location[0] if location and location[0] in SubmissionIn.model_fields else "body"
        error_type = str(error.get("type", "invalid"))
        message = _type_message(error_type) if name != "body" else _("Send a JSON object.")
        fields.setdefault(name, []).append({"message": message, "code": error_type})
    body = {"error": "invalid", "message": _("Please correct the errors below."), "fields": fields}
    return api.create_response(request, body, status=400)


api.add_exception_handler(NinjaValidationError, _schema_errors)


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    # Ninja's own refusals, e.g. a body that is not JSON.
    if exc.status_code == 400:
        body = {"error": "invalid", "message": _("The body is not valid JSON."), "fields": {}}
    else:
        body = {"error": "refused", "message": str(exc), "fields": {}}
    return api.create_response(request, body, status=exc.status_code)


api.add_exception_handler(HttpError, _http_error)


def _not_found() -> ApiRefusal:
    return ApiRefusal(404, "not_found", _("There is no such form, or it accepts no submissions."))


def _unavailable() -> ApiRefusal:
    return ApiRefusal(
        503, "unavailable", _("The form is not available right now. Please try again later.")
    )


def _origin_refused() -> ApiRefusal:
    return ApiRefusal(403, "origin_not_allowed", _("This form cannot be used on this site."))


# -- The form --------------------------------------------------------------------------------


def _active_form(request: HttpRequest, slug: str) -> LandingForm:
    form = LandingForm.objects.filter(slug=slug[:50], is_active=True).first()
    if form is None:
        raise _not_found()
    # For leads.cors, which asks about the same form once the view has answered.
    request.landing_form = form  # type: ignore[attr-defined]
    return form


def _request_origin(request: HttpRequest) -> str:
    """The Origin header, normalised; "" when absent (a server, or a same-origin GET)."""
    header = request.headers.get("Origin", "")
    if not header:
        return ""
    return origin_normalise(header) or "null"


def _labels() -> dict[str, str]:
    return {
        "submit": _("Send"),
        "sending": _("Sending…"),
        "consents": _("Your consent"),
        "required": _("required"),
        "errors": _("Please correct the errors below."),
        "network": _("The form could not be sent. Please check your connection and try again."),
        "texts_changed": _texts_changed_message(),
        "thank_you": _("We have received your request and will contact you soon."),
        "receipt": _("Your consent receipt"),
        "rate_limited": _("Too many attempts. Please wait a minute and try again."),
    }


def _texts_changed_message() -> str:
    return _(
        "Our Privacy Policy or consent texts changed while you were filling in the form. "
        "Please read the versions now in force and give your consent again."
    )


def _thank_you(form: LandingForm) -> dict[str, str]:
    return {
        "message": form.thank_you_message
        or _("We have received your request and will contact you soon."),
        "url": form.thank_you_url,
    }


def _fields(form: LandingForm) -> list[dict[str, Any]]:
    lead_form = LeadForm(purposes=form.purposes())
    described = []
    for name in ("account_name", "phone", "email"):
        field = lead_form.fields[name]
        attrs = field.widget.attrs
        described.append(
            {
                "name": name,
                "label": str(field.label),
                "type": attrs.get("type") or getattr(field.widget, "input_type", "text"),
                "required": field.required,
                "max_length": getattr(field, "max_length", None) or 0,
                "autocomplete": attrs.get("autocomplete", ""),
                "help_text": str(field.help_text),
            }
        )
    return described


def form_payload(form: LandingForm, *, language: str, origin: str) -> dict[str, Any]:
    """What a client shows: fields, texts and checkboxes in `language`, and a token for them."""
    documents = documents_in_force()
    if set(form_versions(form, documents)) != set(form.document_kinds()):
        raise _unavailable()
    shown = {kind: documents[kind] for kind in form.document_kinds()}
    with translation.override(language):
        token = form_token_issue(
            documents=shown,
            landing_url="",
            referrer="",
            form=form,
            origin=origin,
            language=language,
        )
        return {
            "slug": form.slug,
            "name": form.name,
            "language": language,
            "fields": _fields(form),
            "consents": [
                {
                    "purpose": consent.purpose,
                    "field": f"consent_{consent.purpose}",
                    "required": consent.required,
                    "sentence": consent.sentence,
                    "links": [{"name": name, "kind": text.kind} for name, text in consent.links],
                    "wording": consent.wording,
                }
                for consent in consents_shown(form, shown, language)
            ],
            "texts": [vars(text) for text in texts_shown(shown, language).values()],
            "token": token,
            "token_expires_at": timezone.now() + timedelta(seconds=FORM_TOKEN_MAX_AGE),
            "thank_you": _thank_you(form),
            "labels": _labels(),
        }


@api.get(
    "/forms/{slug}/",
    response={200: FormOut, 403: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="What a form shows, in one language, and a token to submit it with",
    tags=["forms"],
)
def form_get(request: HttpRequest, slug: str, lang: Query[str] = "") -> Any:
    form = _active_form(request, slug)
    origin = _request_origin(request)
    if origin and not form.allows_origin(origin):
        raise _origin_refused()
    language = text_language(lang, form.default_language)
    return Status(200, form_payload(form, language=language, origin=origin))


# -- Submissions -----------------------------------------------------------------------------


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get(API_KEY_HEADER)
    if header is None:
        return None
    scheme, _sep, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _declared_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()[:64]))
    except ValueError:
        return None


def _page_on_origin(page_url: str, origin: str) -> str:
    """The declared page URL when it lies on the browser's origin; the origin itself if not."""
    page_url = clean_text(page_url, MAX_URL)
    try:
        parts = urlsplit(page_url)
        on_origin = origin_normalise(f"{parts.scheme}://{parts.netloc}") == origin
    except ValueError:  # "http://[::1" and the like: the browser's origin is what we know
        on_origin = False
    return page_url if page_url and on_origin else f"{origin}/"


def _field_errors(lead_form: LeadForm) -> dict[str, list[dict[str, str]]]:
    return {
        FIELD_NAMES.get(name, name): [
            {"message": str(error["message"]), "code": str(error["code"] or "invalid")}
            for error in errors
        ]
        for name, errors in lead_form.errors.get_json_data().items()
    }


def _invalid(fields: dict[str, list[dict[str, str]]]) -> ApiRefusal:
    return ApiRefusal(400, "invalid", _("Please correct the errors below."), fields=fields)


def _submission_body(lead: Any, *, created: bool, form: LandingForm) -> dict[str, Any]:
    receipt = lead.receipt if lead is not None else None
    return {
        "id": lead.public_id if lead is not None else uuid.uuid4(),
        "created": created,
        "receipt_url": f"{settings.SITE_URL}{receipt.get_absolute_url()}" if receipt else None,
        "thank_you": _thank_you(form),
    }


@api.post(
    "/forms/{slug}/submissions/",
    response={
        201: SubmissionOut,
        200: SubmissionOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: TextsChangedOut,
        413: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    summary="Submit a lead with the token of the texts the visitor was shown",
    tags=["forms"],
    openapi_extra={"security": [{}, {"ApiKey": []}]},
)
def submission_create(
    request: HttpRequest,
    slug: str,
    payload: SubmissionIn,
    idempotency_key: str = IDEMPOTENCY_KEY,
) -> Any:
    raw_key = _bearer(request)
    key = _authenticated(request, raw_key) if raw_key is not None else None
    # The key's own form came with it (PostgreSQL): no second query for the usual case.
    if key is not None and key.form.slug == slug and key.form.is_active:
        form = key.form
        request.landing_form = form  # type: ignore[attr-defined]
    else:
        form = _active_form(request, slug)
    caller = _caller(request, form, key)
    # The token names the language the texts were shown in: errors speak it too.
    try:
        shown: ShownForm | None = form_token_read(payload.token)
        token_error = ""
    except FormTokenExpired:
        shown, token_error = None, "expired"
    except FormTokenInvalid:
        shown, token_error = None, "invalid"
    language = text_language(shown.language if shown else "", form.default_language)
    with translation.override(language):
        lead_form = _validated(form, payload, caller, shown, token_error)
        if lead_form is None:
            # The honeypot: answered like a success so the robot learns nothing; nothing stored.
            return Status(201, _submission_body(None, created=True, form=form))
        if shown is None:  # expired: what it showed may no longer be in force, so ask again
            raise _texts_changed(
                form,
                language,
                caller.origin,
                error="form_expired",
                message=_("The form had expired. Please check it and send it again."),
            )
        source, lead_visit, shown = _provenance(
            request, form, payload, caller, shown, idempotency_key
        )
        try:
            submission = lead_submit(
                cleaned=lead_form.cleaned_data,
                shown=shown,
                lead_visit=lead_visit,
                language=language,
                source=source,
            )
        except DocumentsChanged:
            raise _texts_changed(form, language, caller.origin) from None
    status = 201 if submission.created else 200
    return Status(status, _submission_body(submission.lead, created=submission.created, form=form))


@dataclass(frozen=True)
class Caller:
    """Who submits: a server with a key, or a browser on one of the form's origins."""

    key: ApiKey | None
    origin: str


def _authenticated(request: HttpRequest, raw_key: str) -> ApiKey:
    key = api_key_authenticate(raw=raw_key, ip=client_ip(request))
    if key is None:
        raise ApiRefusal(401, "unauthorized", _("The API key is not valid, or no longer."))
    return key


def _caller(request: HttpRequest, form: LandingForm, key: ApiKey | None) -> Caller:
    """Check the key's form or the browser's origin; count the submission against its limit."""
    origin = _request_origin(request)
    if key is not None:
        if key.form_id != form.pk:
            raise ApiRefusal(403, "key_not_for_form", _("This API key is for another form."))
    elif not origin:
        raise ApiRefusal(
            401,
            "unauthorized",
            _("Send an API key, or submit from a browser on one of the form's sites."),
        )
    # A key sent from a browser page is refused too, unless the page is one of the form's.
    if origin and not form.allows_origin(origin):
        raise _origin_refused()
    if key is not None:
        limited = api_key_over_limit(key)
    else:
        # A browser: the per-address limit of our own page, shared with it.
        limited = rate_limit_hit(
            scope="lead-submit", key=client_ip(request) or "unknown", rate=settings.LEAD_RATE_LIMIT
        )
    if limited:
        raise ApiRefusal(
            429, "rate_limited", _("Too many attempts. Please wait a minute and try again.")
        )
    return Caller(key=key, origin=origin)


def _validated(
    form: LandingForm,
    payload: SubmissionIn,
    caller: Caller,
    shown: ShownForm | None,
    token_error: str,
) -> LeadForm | None:
    """The submission checked by the HTML form's own rules; None for the honeypot.

    Raises ApiRefusal(400) with every error, field by field, the token's among them.
    """
    data = {
        "account_name": payload.account_name,
        "phone": payload.phone,
        "email": payload.email,
        "form_token": payload.token,
        "website": payload.website,
        **{f"consent_{p}": getattr(payload, f"consent_{p}") for p in form.purposes()},
    }
    lead_form = LeadForm(data, purposes=form.purposes())
    if lead_form.is_bot:
        return None
    fields = _field_errors(lead_form) if not lead_form.is_valid() else {}
    for purpose in ("marketing", "advertising"):
        if purpose not in form.purposes() and getattr(payload, f"consent_{purpose}"):
            fields[f"consent_{purpose}"] = [
                {"message": _("This form does not ask for this consent."), "code": "not_offered"}
            ]
    if shown is not None and (
        shown.form_id != form.pk or (caller.key is None and shown.origin != caller.origin)
    ):
        fields.setdefault("token", []).append(
            {"message": _("This token was issued for another form or site."), "code": "mismatch"}
        )
    elif token_error == "invalid":  # noqa: S105 (a kind of error, not a password)
        fields.setdefault("token", []).append(
            {"message": _("This token is not one we issued."), "code": "invalid"}
        )
    if fields:
        raise _invalid(fields)
    return lead_form


def _provenance(
    request: HttpRequest,
    form: LandingForm,
    payload: SubmissionIn,
    caller: Caller,
    shown: ShownForm,
    idempotency_key: str,
) -> tuple[LeadSource, LeadVisit, ShownForm]:
    """Where the submission comes from, as its consent records will say."""
    if caller.key is not None:
        # A server speaks for its visitor: the visit is what it declares, the key vouches.
        visit = Visit(
            ip=_declared_ip(payload.visitor_ip),
            user_agent=clean_text(payload.user_agent, MAX_USER_AGENT),
            page_url=clean_text(payload.page_url, MAX_URL),
            referrer=clean_text(payload.referrer, MAX_URL),
        )
        # The client's Idempotency-Key, else a fresh id: a server may reuse one token (the
        # texts it shows) for many visitors, so the token cannot name the submission.
        if idempotency_key:
            named = f"{caller.key.pk}:{idempotency_key[:IDEMPOTENCY_KEY_MAX]}"
            nonce = "k" + hashlib.sha256(named.encode()).hexdigest()[:40]
        else:
            nonce = uuid.uuid4().hex
        shown = replace(shown, nonce=nonce)
        source = LeadSource(form=form, method=ConsentMethod.API, api_key=caller.key)
    else:
        visit = Visit(
            ip=client_ip(request),
            user_agent=clean_text(request.headers.get("User-Agent", ""), MAX_USER_AGENT),
            page_url=_page_on_origin(payload.page_url, caller.origin),
            referrer=clean_text(payload.referrer, MAX_URL),
        )
        source = LeadSource(form=form, method=ConsentMethod.WIDGET, origin=caller.origin)
    lead_visit = LeadVisit(
        visit=visit, accessed_at=shown.rendered_at, utm=utm_from_url(visit.page_url)
    )
    return source, lead_visit, shown


def _texts_changed(
    form: LandingForm,
    language: str,
    origin: str,
    *,
    error: str = "texts_changed",
    message: str = "",
) -> ApiRefusal:
    return ApiRefusal(
        409,
        error,
        message or _texts_changed_message(),
        form=form_payload(form, language=language, origin=origin),
    )
