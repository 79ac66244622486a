"""The processing register (152-FZ Arts. 18.1, 22): the operator, purposes, processors,
cross-border notices, and the history of every change with the notices filed about it."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.documents.models import DocumentKind
from privacy.people.integrity import ImmutableRecordError
from privacy.register.vocabulary import HOME_COUNTRY, METHOD_CHOICES, MIXED, country_codes

REGISTER_HISTORY_IS_APPEND_ONLY = "The register's history is append-only."

CONSENT_KINDS = [
    (kind.value, kind.label) for kind in DocumentKind if kind != DocumentKind.PRIVACY_POLICY
]


def validate_inn(value: str) -> None:
    """A legal entity's INN: 10 digits, the last a check digit."""
    if not re.fullmatch(r"[0-9]{10}", value):
        raise ValidationError(_("An INN of a legal entity has 10 digits."))
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(value[:9], weights, strict=True)) % 11 % 10
    if check != int(value[9]):
        raise ValidationError(_("This INN's check digit is wrong; check for a typo."))


def validate_ogrn(value: str) -> None:
    """A legal entity's OGRN: 13 digits, the last a check digit."""
    if not re.fullmatch(r"[0-9]{13}", value):
        raise ValidationError(_("An OGRN has 13 digits."))
    if int(value[:12]) % 11 % 10 != int(value[12]):
        raise ValidationError(_("This OGRN's check digit is wrong; check for a typo."))


def validate_countries(value: str) -> None:
    for code in country_codes(value):
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValidationError(
                _("Give countries as two-letter ISO codes separated by commas, e.g. US, IE.")
            )


class Operator(models.Model):
    """The operator itself: one row (Art. 22 part 3 items 1, 7-11; Art. 22.1)."""

    full_name_ru = models.CharField(_("full name (Russian)"), max_length=300, blank=True)
    short_name_ru = models.CharField(_("short name (Russian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    inn = models.CharField(_("INN"), max_length=10, blank=True, validators=[validate_inn])
    ogrn = models.CharField(_("OGRN"), max_length=13, blank=True, validators=[validate_ogrn])
    legal_address_ru = models.TextField(
        _("address (Russian, as in the state register)"), blank=True
    )
    address_en = models.TextField(_("address (English)"), blank=True)
    postal_address_ru = models.TextField(_("postal address (Russian)"), blank=True)
    responsible_name = models.CharField(
        _("person responsible for processing"),
        max_length=200,
        blank=True,
        help_text=_("152-FZ Art. 22.1: full name."),
    )
    responsible_position = models.CharField(_("their position"), max_length=200, blank=True)
    responsible_phone = models.CharField(_("their phone"), max_length=50, blank=True)
    responsible_email = models.EmailField(_("their e-mail"), blank=True)
    responsible_postal_address = models.TextField(_("their postal address"), blank=True)
    responsible_appointed_by = models.CharField(
        _("appointed by (order number and date)"), max_length=200, blank=True
    )
    subject_contact_email = models.EmailField(
        _("address for data subjects"),
        blank=True,
        help_text=_("Where people withdraw consent; the privacy contact address when empty."),
    )
    rkn_territorial_body = models.CharField(
        _("Roskomnadzor territorial body"), max_length=300, blank=True
    )
    rkn_registry_number = models.CharField(
        _("number in the register of operators"), max_length=100, blank=True
    )
    rkn_notification_sent_on = models.DateField(
        _("Art. 22 notification sent on"), null=True, blank=True
    )
    rkn_notification_number = models.CharField(
        _("Art. 22 notification number"), max_length=100, blank=True
    )
    processing_start_date = models.DateField(_("processing started on"), null=True, blank=True)
    processing_end_condition_ru = models.TextField(
        _("term or condition of the end of processing"), blank=True
    )
    processing_regions = models.TextField(
        _("regions of Russia where data are processed"), blank=True
    )
    security_measures_ru = models.TextField(_("measures under Arts. 18.1 and 19"), blank=True)
    crypto_tools = models.TextField(_("cryptographic tools (names; empty when none)"), blank=True)
    security_level = models.CharField(
        _("protection level (Decree No. 1119)"),
        max_length=8,
        blank=True,
        choices=[("УЗ-1", "УЗ-1"), ("УЗ-2", "УЗ-2"), ("УЗ-3", "УЗ-3"), ("УЗ-4", "УЗ-4")],
    )
    database_locations = models.TextField(
        _("where the databases are"),
        blank=True,
        help_text=_(
            "Art. 18 part 5 and Art. 22 part 3 item 10.1: country, city, hosting provider and "
            "address of each data centre holding the PostgreSQL primary, replicas, backups and "
            "Redis."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("processing register")

    def __str__(self) -> str:
        return self.short_name_ru or self.name_en or str(_("The operator"))

    @classmethod
    def load(cls) -> Operator:
        operator, _created = cls.objects.get_or_create(pk=1)
        return operator

    @property
    def contact_email(self) -> str:
        return self.subject_contact_email or settings.PRIVACY_CONTACT_EMAIL


class ProcessingPurpose(models.Model):
    """One purpose of processing with everything Art. 18.1 part 1 item 2 asks for."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    title_ru = models.TextField(_("purpose (Russian)"))
    title_en = models.TextField(_("purpose (English)"), blank=True)
    document_kind = models.CharField(
        _("consent text"),
        max_length=32,
        choices=CONSENT_KINDS,
        blank=True,
        help_text=_("The legal document that asks for consent to this purpose, if any."),
    )
    legal_basis_ru = models.TextField(_("legal basis"), blank=True)
    data_items = models.JSONField(_("personal data"), default=list, blank=True)
    subject_categories_ru = models.TextField(_("categories of data subjects (Russian)"), blank=True)
    subject_categories_en = models.TextField(_("categories of data subjects (English)"), blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    methods = models.CharField(_("methods"), max_length=16, choices=METHOD_CHOICES, default=MIXED)
    consent_term_ru = models.TextField(_("term of consent (Russian)"), blank=True)
    consent_term_en = models.TextField(_("term of consent (English)"), blank=True)
    retention_ru = models.TextField(_("how long data are kept (Russian)"), blank=True)
    retention_en = models.TextField(_("how long data are kept (English)"), blank=True)
    destruction_ru = models.TextField(_("how data are destroyed (Russian)"), blank=True)
    destruction_en = models.TextField(_("how data are destroyed (English)"), blank=True)
    written_consent_required = models.BooleanField(
        _("needs written consent"),
        default=False,
        help_text=_("Special categories, biometrics, automated decisions: a tick cannot do."),
    )
    direct_marketing = models.BooleanField(
        _("direct marketing"),
        default=False,
        help_text=_("152-FZ Art. 15 and the Advertising Law Art. 18: name the channels."),
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("purpose of processing")
        verbose_name_plural = _("purposes of processing")
        ordering = ["position", "pk"]
        permissions = [("draft_consent_texts", _("Can draft consent texts from the register"))]
        constraints = [
            models.UniqueConstraint(
                fields=["document_kind"],
                condition=~models.Q(document_kind=""),
                name="register_one_purpose_per_consent_text",
            )
        ]

    def __str__(self) -> str:
        return self.title_en or self.title_ru[:80]

    def title(self, language: str) -> str:
        return self.title_ru if language == "ru" else (self.title_en or self.title_ru)


class ProcessorQuerySet(models.QuerySet["Processor"]):
    def for_purpose(self, purpose: ProcessingPurpose) -> ProcessorQuerySet:
        return self.filter(purposes=purpose, enabled=True).order_by("pk")


class Processor(models.Model):
    """Someone who processes data on the operator's instruction, or receives them
    (Art. 6 part 3, Art. 9 part 4 item 6); the project's own integrations appear here
    automatically (integration_key)."""

    class Role(models.TextChoices):
        PROCESSOR = "processor", _("processor on our instruction")
        RECIPIENT = "recipient", _("recipient (an operator of its own)")

    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300)
    address = models.TextField(_("address"), blank=True)
    country = models.CharField(
        _("country of its seat"),
        max_length=2,
        blank=True,
        help_text=_("ISO code, e.g. RU or US. Empty means unknown, treated as abroad."),
    )
    data_locations = models.CharField(
        _("countries where it keeps or processes the data"),
        max_length=200,
        blank=True,
        validators=[validate_countries],
        help_text=_("ISO codes separated by commas, when they differ from its seat."),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.PROCESSOR)
    purposes = models.ManyToManyField(
        ProcessingPurpose, verbose_name=_("purposes"), related_name="processors", blank=True
    )
    data_items = models.JSONField(_("personal data it receives"), default=list, blank=True)
    why_ru = models.TextField(_("what it does (Russian)"), blank=True)
    why_en = models.TextField(_("what it does (English)"), blank=True)
    contract_ref = models.CharField(_("contract reference"), max_length=200, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    integration_key = models.CharField(
        _("integration"), max_length=100, null=True, blank=True, unique=True, editable=False
    )
    enabled = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_("For integrations the settings decide; for others, whether you use it."),
    )
    verified = models.BooleanField(
        _("details checked"),
        default=False,
        help_text=_("The legal entity, address and data locations checked against its terms."),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = ProcessorQuerySet.as_manager()

    class Meta:
        verbose_name = _("processor or recipient")
        verbose_name_plural = _("processors and recipients")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name_en or self.name_ru

    def name(self, language: str) -> str:
        return (self.name_ru or self.name_en) if language == "ru" else self.name_en

    def countries(self) -> list[str]:
        """Every country involved: its seat and where it keeps the data ("" when unknown)."""
        codes = [self.country.upper()] if self.country else [""]
        return codes + [c for c in country_codes(self.data_locations) if c not in codes]

    def foreign_countries(self) -> list[str]:
        return [code for code in self.countries() if code != HOME_COUNTRY]

    @property
    def is_cross_border(self) -> bool:
        """Art. 3 item 11: data reach a foreign state; an unknown country counts as one."""
        return bool(self.foreign_countries())


class CrossBorderNotice(models.Model):
    """A notice of intended cross-border transfer to Roskomnadzor (152-FZ Art. 12 parts 3-4)
    and what came of it: receipt, requests, a decision."""

    class Decision(models.TextChoices):
        NONE = "", _("none")
        BAN = "ban", _("ban")
        RESTRICTION = "restriction", _("restriction")

    processors = models.ManyToManyField(
        Processor, verbose_name=_("processors"), related_name="cross_border_notices"
    )
    countries = models.CharField(
        _("countries"),
        max_length=200,
        validators=[validate_countries],
        help_text=_("ISO codes separated by commas (Art. 12 part 4 item 6)."),
    )
    adequate_countries = models.CharField(
        _("of these, in Roskomnadzor's adequacy list"),
        max_length=200,
        blank=True,
        validators=[validate_countries],
        help_text=_(
            "Only countries the list names when you send the notice; transfer to them may "
            "start once it is sent (Art. 12 part 10). Others wait (part 11)."
        ),
    )
    adequacy_source = models.CharField(_("the list's reference"), max_length=300, blank=True)
    legal_basis_ru = models.TextField(_("legal basis of the transfer"), blank=True)
    purpose_ru = models.TextField(_("purpose of the transfer"), blank=True)
    assessment_date = models.DateField(
        _("recipients assessed on"),
        null=True,
        blank=True,
        help_text=_("Art. 12 part 4 item 7 and part 5: obtained before the notice."),
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    outgoing_number = models.CharField(_("outgoing number"), max_length=100, blank=True)
    received_by_rkn_on = models.DateField(
        _("received by Roskomnadzor on"),
        null=True,
        blank=True,
        help_text=_("The ten working days of Art. 12 part 9 run from this date."),
    )
    rkn_reference = models.CharField(_("Roskomnadzor's reference"), max_length=100, blank=True)
    request_received_on = models.DateField(
        _("Roskomnadzor's request received on"),
        null=True,
        blank=True,
        help_text=_("Art. 12 part 6: consideration stops until you answer."),
    )
    request_answered_on = models.DateField(_("request answered on"), null=True, blank=True)
    decision = models.CharField(
        _("Roskomnadzor's decision"), max_length=16, choices=Decision.choices, blank=True
    )
    decision_on = models.DateField(_("decision dated"), null=True, blank=True)
    decision_ref = models.CharField(_("decision reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("cross-border transfer notice")
        verbose_name_plural = _("cross-border transfer notices")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        sent = self.sent_on.strftime("%d.%m.%Y") if self.sent_on else str(_("not sent"))
        return f"{self.countries} ({sent})"

    def clean(self) -> None:
        extra = set(country_codes(self.adequate_countries)) - set(country_codes(self.countries))
        if extra:
            raise ValidationError(
                {"adequate_countries": _("Only countries the notice names can be in the list.")}
            )
        if self.request_answered_on and not self.request_received_on:
            raise ValidationError(
                {"request_answered_on": _("Record when the request arrived first.")}
            )

    def covers(self) -> list[str]:
        return country_codes(self.countries)


class RegisterRevision(models.Model):
    """One committed change of the register: a revision number the generated documents name."""

    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.CharField(_("what"), max_length=300)

    class Meta:
        verbose_name = _("register revision")
        verbose_name_plural = _("register history")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecordError(REGISTER_HISTORY_IS_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(REGISTER_HISTORY_IS_APPEND_ONLY)


class RegisterChange(models.Model):
    """One field of one register entry, before and after; `item` names the Art. 22 part 3
    item it changes, when it changes one (then a change notice is due, Art. 22 part 7)."""

    revision = models.ForeignKey(
        RegisterRevision,
        verbose_name=_("revision"),
        on_delete=models.PROTECT,
        related_name="changes",
    )
    entity = models.CharField(_("entry"), max_length=32)
    object_id = models.CharField(_("entry id"), max_length=32)
    object_repr = models.CharField(_("entry name"), max_length=300)
    field = models.CharField(_("field"), max_length=64)
    old = models.TextField(_("before"), blank=True)
    new = models.TextField(_("after"), blank=True)
    item = models.CharField(_("Art. 22 part 3 item"), max_length=8, blank=True)
    changed_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    effective_on = models.DateField(
        _("happened on"),
        null=True,
        blank=True,
        help_text=_("When the change happened, if not when it was recorded."),
    )

    class Meta:
        verbose_name = _("register change")
        verbose_name_plural = _("register changes")
        ordering = ["pk"]
        indexes = [models.Index(fields=["item", "changed_at"], name="register_change_notifiable")]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.field}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecordError(REGISTER_HISTORY_IS_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(REGISTER_HISTORY_IS_APPEND_ONLY)


class ChangeNotice(models.Model):
    """A notice of changes filed with Roskomnadzor (Art. 22 part 7): it covers every notifiable
    change of its month recorded before the notice was."""

    month = models.DateField(_("month of the changes"), help_text=_("Its first day."))
    sent_on = models.DateField(_("sent on"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("change notice filed")
        verbose_name_plural = _("change notices filed")
        ordering = ["-month", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.month:%m.%Y} ({self.sent_on:%d.%m.%Y})"
