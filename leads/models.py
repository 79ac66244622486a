"""A lead is one submission of a form by a person, with its visit metadata; forms are data, and
API keys let a landing page's back end submit to one of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.consent.models import ConsentMethod, ConsentReceipt
from privacy.documents.models import PURPOSE_DOCUMENT, DocumentKind
from privacy.people.identity import phone_display
from privacy.people.models import Person, Purpose
from privacy.people.ratelimit import parse_rate

# The form `/` shows, created with the settings the page had before forms were data.
DEFAULT_FORM_SLUG = "main"
ORIGIN_MAX = 200
ORIGIN_INVALID = _(
    "%(value)s is not an origin: write the scheme, the host and the port if any, "
    "e.g. https://promo.example.com, with no path."
)
RATE_INVALID = _("A rate looks like 120/m: a number, a slash and s, m, h or d.")
THANK_YOU_URL_INVALID = _("The thank-you address must start with https:// or http://.")


def origin_normalise(value: str) -> str | None:
    """'HTTPS://Promo.Example.com:443/' -> 'https://promo.example.com'; None if not an origin.

    The form a browser sends in the Origin header: scheme and host in lower case, the port only
    when it is not the scheme's default, no path, query or user.
    """
    value = value.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or len(value) > ORIGIN_MAX
    ):
        return None
    scheme, host = parts.scheme.lower(), parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets in an origin
        host = f"[{host}]"
    default_port = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" if port in (None, default_port) else f"{scheme}://{host}:{port}"


class LandingFormQuerySet(models.QuerySet["LandingForm"]):
    def default(self) -> LandingForm:
        """The form `/` shows: the one marked default, created as the page was if none is."""
        existing = self.filter(is_default=True).first()
        if existing is not None:
            return existing
        created, _created = self.get_or_create(
            slug=DEFAULT_FORM_SLUG,
            defaults={"name": str(_("Main page")), "is_default": True},
        )
        return created


class LandingForm(models.Model):
    """A lead form as data: what it offers, in which language, and where it may be shown."""

    class Offer(models.TextChoices):
        OPTIONAL = "optional", _("Offered, optional")
        ABSENT = "absent", _("Not offered")

    slug = models.SlugField(
        _("slug"),
        max_length=50,
        help_text=_("The form's name in the API and the widget: /api/v1/forms/<slug>/."),
    )
    name = models.CharField(_("name"), max_length=200)
    # Processing is always required: a lead cannot be stored without it (clauses 2.1-3.1).
    marketing = models.CharField(
        _("marketing consent"), max_length=16, choices=Offer.choices, default=Offer.OPTIONAL
    )
    advertising = models.CharField(
        _("advertising consent"), max_length=16, choices=Offer.choices, default=Offer.OPTIONAL
    )
    default_language = models.CharField(
        _("default language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The widget follows the host page's language when we have it, else this."),
    )
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_(
            "One origin per line, e.g. https://promo.example.com. Only pages on these origins "
            "may show the widget or the iframe and submit through the browser API."
        ),
    )
    thank_you_url = models.URLField(
        _("thank-you address"),
        blank=True,
        max_length=500,
        help_text=_("Where people go after sending; empty shows the thank-you message."),
    )
    thank_you_message = models.TextField(
        _("thank-you message"),
        blank=True,
        help_text=_("Shown after sending; empty shows the standard message."),
    )
    source_tag = models.CharField(
        _("source tag"),
        max_length=64,
        blank=True,
        help_text=_("Recorded on every lead of this form, e.g. tilda-spring-sale."),
    )
    is_default = models.BooleanField(
        _("shown at /"), default=False, help_text=_("The site's own page shows this form.")
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive form accepts no submissions.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = LandingFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="landing_form_slug_unique"),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="landing_form_one_default",
                violation_error_message=_(
                    "Another form is shown at / already: untick “shown at /” there first."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def purposes(self) -> tuple[str, ...]:
        """The purposes this form asks about, processing first."""
        offers = ((Purpose.MARKETING, self.marketing), (Purpose.ADVERTISING, self.advertising))
        optional = (purpose for purpose, offer in offers if offer == self.Offer.OPTIONAL)
        return (Purpose.PROCESSING, *optional)

    def document_kinds(self) -> tuple[str, ...]:
        """The legal documents the form shows: the policy and each offered purpose's text."""
        return (DocumentKind.PRIVACY_POLICY, *(PURPOSE_DOCUMENT[p] for p in self.purposes()))

    def origins(self) -> list[str]:
        return [
            origin
            for line in self.allowed_origins.splitlines()
            if line.strip() and (origin := origin_normalise(line)) is not None
        ]

    def allows_origin(self, origin: str) -> bool:
        normalised = origin_normalise(origin)
        return normalised is not None and normalised in self.origins()

    def clean(self) -> None:
        super().clean()
        bad = [
            line.strip()
            for line in self.allowed_origins.splitlines()
            if line.strip() and origin_normalise(line) is None
        ]
        if bad:
            raise ValidationError(
                {"allowed_origins": [ORIGIN_INVALID % {"value": value} for value in bad]}
            )
        self.allowed_origins = "\n".join(dict.fromkeys(self.origins()))
        if self.thank_you_url and urlsplit(self.thank_you_url).scheme not in ("http", "https"):
            raise ValidationError({"thank_you_url": THANK_YOU_URL_INVALID})


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        REJECTED = "rejected", _("Rejected")

    class Channel(models.TextChoices):
        # The consent method its records carry.
        WEB_FORM = ConsentMethod.WEB_FORM.value, _("Our page")
        WIDGET = ConsentMethod.WIDGET.value, _("Widget or iframe")
        API = ConsentMethod.API.value, _("API (server)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: lead_form_newest leads with it.
    form = models.ForeignKey(
        LandingForm,
        verbose_name=_("form"),
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB_FORM
    )
    # The form's source tag when the lead came in (the form's may change later).
    source_tag = models.CharField(_("source tag"), max_length=64, blank=True)
    api_key = models.ForeignKey(
        "ApiKey",
        verbose_name=_("API key"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    # The host page's origin for the widget and the iframe, as the browser reported it.
    origin = models.CharField(_("origin"), max_length=ORIGIN_MAX, blank=True)
    # No index of its own: lead_person_newest leads with it.
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,
    )
    account_name = models.CharField(_("account name"), max_length=150)
    phone = models.CharField(_("phone (E.164)"), max_length=16)
    email = models.EmailField(_("e-mail"), max_length=254)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    notes = models.TextField(_("notes"), blank=True)
    # Indexed by lead_newest_first, which leads with it.
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # The one-time token of the rendered form: a resubmission of the same page finds this row
    # instead of creating a second lead (unique through Meta.constraints, which adds no
    # pattern-ops twin index).
    submission_token = models.CharField(max_length=64, editable=False)
    receipt = models.OneToOneField(
        ConsentReceipt,
        verbose_name=_("consent receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead",
    )

    # Visit metadata (policy clause 3.3). Values are cut to these lengths, never rejected.
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    accessed_at = models.DateTimeField(_("page opened at"), null=True, blank=True)
    page_url = models.TextField(_("page URL"), blank=True)
    referrer = models.TextField(_("referrer"), blank=True)
    utm_source = models.CharField("utm_source", max_length=200, blank=True, db_index=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    utm_term = models.CharField("utm_term", max_length=200, blank=True)
    utm_content = models.CharField("utm_content", max_length=200, blank=True)
    ga_client_id = models.CharField("_ga", max_length=100, blank=True)
    ym_uid = models.CharField("_ym_uid", max_length=100, blank=True)
    roistat_visit = models.CharField("roistat_visit", max_length=100, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        # For the staff changelist over millions of rows: each filter and search an index.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="lead_newest_first"),
            models.Index(fields=["status", "-created_at", "-id"], name="lead_status_newest"),
            models.Index(fields=["person", "-created_at"], name="lead_person_newest"),
            models.Index(fields=["form", "-created_at", "-id"], name="lead_form_newest"),
            models.Index(fields=["phone"], name="lead_phone"),
            # Serves equality and prefix search ("anna@", "anna") whatever the collation.
            models.Index(
                fields=["email"], name="lead_email_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_token"], name="lead_submission_token_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_name} <{self.email}>"

    def get_absolute_url(self) -> str:
        return reverse("leads:thanks", kwargs={"public_id": self.public_id})

    @property
    def phone_display(self) -> str:
        return phone_display(self.phone)


class ApiKey(models.Model):
    """A key a landing page's back end submits leads to one form with; only its hash is kept."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRING = "expiring", _("Active until the overlap ends")
        EXPIRED = "expired", _("Expired (rotated)")
        REVOKED = "revoked", _("Revoked")

    form = models.ForeignKey(
        LandingForm, verbose_name=_("form"), on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who uses it, e.g. the Tilda site's back end.")
    )
    # The public part of the key (lg_<prefix>_…): its identity in lists and consent records.
    prefix = models.CharField(_("key id"), max_length=16, editable=False)
    # SHA-256 of the whole key. The key has 256 random bits, so a fast hash is enough: nobody
    # can guess a key from its hash, and a lookup by equality needs no per-row salt.
    secret_hash = models.CharField(max_length=64, editable=False)
    rate_limit = models.CharField(
        _("rate limit"),
        max_length=16,
        blank=True,
        help_text=_("Requests allowed, like 120/m (per s, m, h or d); empty: API_KEY_RATE_LIMIT."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set when the key is rotated: it keeps working until then, beside its replacement.
    expires_at = models.DateTimeField(_("works until"), null=True, blank=True, editable=False)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(
        _("last used from"), null=True, blank=True, editable=False
    )
    use_count = models.BigIntegerField(_("uses"), default=0, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["prefix"], name="api_key_prefix_unique"),
            models.UniqueConstraint(fields=["secret_hash"], name="api_key_secret_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (lg_{self.prefix}_…)"

    @property
    def key_id(self) -> str:
        return f"lg_{self.prefix}"

    def state(self, at: datetime | None = None) -> str:
        at = at or timezone.now()
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at is None:
            return self.State.ACTIVE
        return self.State.EXPIRING if self.expires_at > at else self.State.EXPIRED

    def state_label(self, at: datetime | None = None) -> str:
        return str(self.State(self.state(at)).label)

    def works(self, at: datetime | None = None) -> bool:
        return self.state(at) in (self.State.ACTIVE, self.State.EXPIRING)

    def clean(self) -> None:
        super().clean()
        if self.rate_limit:
            try:
                parse_rate(self.rate_limit)
            except ImproperlyConfigured as exc:
                raise ValidationError({"rate_limit": RATE_INVALID}) from exc


class Campaign(models.Model):
    """A marketing or advertising mailing; messages go out through privacy's outbox and gate."""

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("Marketing (product updates, offers, newsletters)")
        ADVERTISING = "advertising", _("Advertising")
        # A legal notice of a material change of the policy or of a consent text to everyone
        # with an active consent it affects, with a link to keep it under the new version.
        RECONSENT = "reconsent", _("Re-consent after a material policy change")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(
        _("body"),
        help_text=_("Plain text; the HTML version, footer and unsubscribe link are added."),
    )
    policy_version = models.ForeignKey(
        "privacy.DocumentVersion",
        verbose_name=_("changed version (re-consent only)"),
        null=True,
        blank=True,
        limit_choices_to={"status": "published", "material": True},
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The purposes whose consent people are asked to keep; empty: every purpose the changed
    # document affects (privacy.documents.reconsent.RECONSENT_PURPOSES).
    reconsent_purposes = models.JSONField(
        _("purposes to keep (re-consent only)"), default=list, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # Keyset cursor: the last person id fanned out, so a resumed campaign continues where it
    # stopped and never loads its audience into memory.
    cursor = models.BigIntegerField(default=0, editable=False)
    # When the fan-out last made progress; a sending campaign silent for long is restarted.
    stepped_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        permissions = [("send_campaign", _("Can start, pause and resume campaigns"))]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (self.purpose == self.Purpose.RECONSENT) != (self.policy_version_id is not None):
            raise ValidationError(
                {
                    "policy_version": _(
                        "A re-consent campaign, and only one, names the policy version."
                    )
                }
            )

    @property
    def dedupe_key(self) -> str:
        return f"campaign:{self.pk}"
