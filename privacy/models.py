"""The authority on personal data: legal documents, people and the consent log."""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
import uuid
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PUBLISHED_VERSION_IS_IMMUTABLE = "A published version never changes; copy it into a new draft."
CONSENT_LOG_IS_APPEND_ONLY = "Consent records are append-only."


class ImmutableRecordError(Exception):
    """Raised when code tries to change something the law asks us to keep as it was."""


def canonical_text(text: str) -> str:
    """Return the text in the one form that is hashed: NFC, LF line ends, no trailing blanks."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip() + "\n"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DocumentKind(models.TextChoices):
    PRIVACY_POLICY = "privacy_policy", _("Privacy Policy")
    CONSENT_PROCESSING = "consent_processing", _("Consent to the processing of personal data")
    CONSENT_MARKETING = "consent_marketing", _("Consent to marketing communications")
    CONSENT_ADVERTISING = "consent_advertising", _("Consent to advertising")


# Every column but the texts (body, change_summary), which stay deferred.
_IN_FORCE_COLUMNS = (
    "id, kind, number, title, status, effective_at, published_at, published_by_id, material, "
    "sha256, created_at, updated_at"
)


class DocumentVersionQuerySet(models.QuerySet["DocumentVersion"]):
    def published(self) -> DocumentVersionQuerySet:
        return self.filter(status=DocumentVersion.Status.PUBLISHED)

    def of_kind(self, kind: str) -> DocumentVersionQuerySet:
        return self.filter(kind=kind)

    def effective(self, at: datetime | None = None) -> DocumentVersionQuerySet:
        """Published versions that have taken effect by `at` (now by default), newest first."""
        return (
            self.published()
            .filter(effective_at__lte=at or timezone.now())
            .order_by("-effective_at", "-number")
        )

    def in_force(self, kind: str, at: datetime | None = None) -> DocumentVersion | None:
        """Return the one version of `kind` in force at `at`: the latest effective one."""
        return self.of_kind(kind).effective(at).first()

    def all_in_force(self, at: datetime | None = None) -> dict[str, DocumentVersion]:
        """Return the version in force of every kind that has one, in a single query.

        The texts are deferred: callers on the hot path (the lead form) need ids and hashes.
        """
        # Hand-written because the lead form asks on every submission, and building this
        # query through the ORM cost four times the round trip. A window function rather than
        # DISTINCT ON, so SQLite (`make run`) answers it too.
        table = connections[self.db].ops.quote_name(self.model._meta.db_table)
        at = connections[self.db].ops.adapt_datetimefield_value(at or timezone.now())
        sql = f"""
            SELECT {_IN_FORCE_COLUMNS} FROM (
                SELECT {_IN_FORCE_COLUMNS}, ROW_NUMBER() OVER (
                    PARTITION BY kind ORDER BY effective_at DESC, number DESC
                ) AS latest
                FROM {table} WHERE status = %s AND effective_at <= %s
            ) AS versions WHERE latest = 1
        """  # noqa: S608 (no value is formatted in: the table name and columns are ours)
        versions = self.model.objects.db_manager(self.db).raw(
            sql, [DocumentVersion.Status.PUBLISHED, at]
        )
        return {version.kind: version for version in versions}

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=DocumentVersion.Status.PUBLISHED).exists():
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=DocumentVersion.Status.PUBLISHED).exists():
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().update(**kwargs)


class DocumentVersion(models.Model):
    """One version of a legal document; published versions are frozen (clauses 9.1, 9.2)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    kind = models.CharField(_("document"), max_length=32, choices=DocumentKind.choices)
    # Assigned on publication, so published numbers run 1, 2, 3 with no gaps from drafts.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    change_summary = models.TextField(_("summary of changes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    effective_at = models.DateTimeField(
        _("takes effect at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to take effect the moment it is published (clause 9.2)."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    material = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_("A material change may call for asking people to consent again."),
    )
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal document version")
        verbose_name_plural = _("legal document versions")
        ordering = ["kind", "-number", "-created_at"]
        permissions = [("publish_documentversion", _("Can publish legal document versions"))]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="document_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(
                    number__isnull=False,
                    effective_at__isnull=False,
                    published_at__isnull=False,
                    sha256__regex=r"^[0-9a-f]{64}$",
                ),
                name="published_version_complete",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status", "effective_at"])]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.get_kind_display()} ({_('draft')})"
        return f"{self.get_kind_display()} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def canonical_text(self) -> str:
        return canonical_text(f"{self.title}\n\n{self.body}")

    def compute_sha256(self) -> str:
        return sha256_hex(self.canonical_text())

    def is_in_force(self, at: datetime | None = None) -> bool:
        current = DocumentVersion.objects.in_force(self.kind, at)
        return current is not None and current.pk == self.pk

    def get_absolute_url(self) -> str:
        if self.kind == DocumentKind.PRIVACY_POLICY:
            return reverse("privacy:version", kwargs={"number": self.number})
        return reverse("privacy:consent_version", kwargs={"kind": self.kind, "number": self.number})

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return DocumentVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not a side effect: the database trigger refuses the same change.
        if self._stored_status() == self.Status.PUBLISHED:
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_status() == self.Status.PUBLISHED:
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().delete(*args, **kwargs)


class Decision(models.TextChoices):
    GRANTED = "granted", _("Granted")
    # An explicit refusal or withdrawal: changes the current state to "no".
    DENIED = "denied", _("Denied or withdrawn")
    # An optional box left unticked on a later submission: proves what was shown, changes
    # nothing. Marketing tools that turn this into a withdrawal silently reset consent.
    NOT_GIVEN = "not_given", _("Not given on this submission")


class Person(models.Model):
    """A data subject, identified by normalised e-mail or E.164 phone."""

    email = models.EmailField(_("e-mail"), max_length=254, null=True, blank=True, unique=True)
    phone = models.CharField(_("phone (E.164)"), max_length=16, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    # The current decision per purpose (the latest granted or denied record), kept by
    # consent_records_append in the same locked step as the log, so staff lists can show and
    # filter a million people without reading the log. The log stays the proof.
    consent_processing = models.CharField(
        _("processing consent"), max_length=16, choices=Decision.choices, blank=True
    )
    consent_marketing = models.CharField(
        _("marketing consent"), max_length=16, choices=Decision.choices, blank=True
    )
    consent_advertising = models.CharField(
        _("advertising consent"), max_length=16, choices=Decision.choices, blank=True
    )
    consent_analytics = models.CharField(
        _("analytics consent"), max_length=16, choices=Decision.choices, blank=True
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["-created_at"]
        permissions = [("export_person", _("Can export people and their leads"))]
        # No index of our own for prefix search on e-mail ("anna@"): the unique e-mail's
        # varchar_pattern_ops index, which Django adds on PostgreSQL, already serves it.

    def __str__(self) -> str:
        return self.email or self.phone or f"#{self.pk}"


class Purpose(models.TextChoices):
    PROCESSING = "processing", _("Processing of personal data")
    MARKETING = "marketing", _("Marketing communications")
    ADVERTISING = "advertising", _("Advertising")
    ANALYTICS = "analytics", _("Analytics")


# The consent text that governs each purpose offered on the lead form.
PURPOSE_DOCUMENT = {
    Purpose.PROCESSING: DocumentKind.CONSENT_PROCESSING,
    Purpose.MARKETING: DocumentKind.CONSENT_MARKETING,
    Purpose.ADVERTISING: DocumentKind.CONSENT_ADVERTISING,
}


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    API = "api", _("API")
    EMAIL_LINK = "email_link", _("E-mail link")
    STAFF = "staff", _("Staff acting on a request")
    REQUEST = "request", _("Rights request")
    COOKIE_BANNER = "cookie_banner", _("Cookie banner")
    GPC = "gpc", _("Global Privacy Control")


class ConsentWording(models.Model):
    """An exact consent wording shown to people, stored once and referenced by its hash."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")

    def __str__(self) -> str:
        return f"{self.text[:60]} ({self.sha256[:12]})"


class ConsentRecordQuerySet(models.QuerySet["ConsentRecord"]):
    def deciding(self) -> ConsentRecordQuerySet:
        """Records that change the state of a purpose (not the 'not given' ones)."""
        return self.exclude(decision=Decision.NOT_GIVEN)

    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecordError(CONSENT_LOG_IS_APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(CONSENT_LOG_IS_APPEND_ONLY)


def personal_digest_of(salt: str, personal: dict[str, str]) -> str:
    """Digest of a record's personal fields; the salt makes it useless once erased."""
    return sha256_hex(salt + json.dumps(personal, sort_keys=True, ensure_ascii=False))


def record_hash_of(payload: dict[str, Any]) -> str:
    """Hash of a record's canonical payload (see ConsentRecord.hashed_payload)."""
    return sha256_hex(json.dumps(payload, sort_keys=True, separators=(",", ":")))


# Stand-ins for the two values only the chain's head can give; JSON-encoded they read
# "\u0000prev_hash\u0000" and "\u0000seq\u0000", which no real value encodes to more than once.
_PREV_HASH_SLOT = "\x00prev_hash\x00"
_SEQ_SLOT = "\x00seq\x00"


def record_hash_template(payload: dict[str, Any]) -> tuple[str, str, str]:
    """The canonical text of a payload cut around prev_hash and seq: (head, middle, tail).

    Everything else is known before the chain is locked, so the locked step only has to hash
    head + prev_hash + middle + seq + tail (record_hash_fill, or the database's
    privacy_consent_append), which equals record_hash_of for the whole payload.
    """
    text = json.dumps(
        {**payload, "prev_hash": _PREV_HASH_SLOT, "seq": _SEQ_SLOT},
        sort_keys=True,
        separators=(",", ":"),
    )
    prev_slot = json.dumps(_PREV_HASH_SLOT)[1:-1]  # inside the string's quotes
    seq_slot = json.dumps(_SEQ_SLOT)  # quotes and all: seq is a number
    if text.count(prev_slot) != 1 or text.count(seq_slot) != 1:
        raise ValueError("A consent record value imitates a hash template slot.")
    head, rest = text.split(prev_slot)
    middle, tail = rest.split(seq_slot)
    return head, middle, tail


def record_hash_fill(template: tuple[str, str, str], *, prev_hash: str, seq: int) -> str:
    head, middle, tail = template
    return sha256_hex(f"{head}{prev_hash}{middle}{seq}{tail}")


# The personal fields of a consent record. They are hashed through a salted digest, so that
# erasure can blank them (and the salt) while the chain over the digest still verifies.
PERSONAL_FIELDS = ("subject_email", "subject_phone", "ip", "user_agent", "page_url", "referrer")


class ConsentRecord(models.Model):
    """One entry of the append-only, hash-chained consent log."""

    seq = models.BigIntegerField(_("position in the log"), unique=True, editable=False)
    # No index of its own: the (person, purpose, -seq) index leads with it.
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consent_records",
        db_index=False,
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    method = models.CharField(_("method"), max_length=16, choices=ConsentMethod.choices)
    policy_version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("privacy policy version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    policy_sha256 = models.CharField(_("SHA-256 of the policy text"), max_length=64)
    consent_version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("consent text version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_sha256 = models.CharField(_("SHA-256 of the consent text"), max_length=64, blank=True)
    wording = models.ForeignKey(
        ConsentWording,
        verbose_name=_("wording shown"),
        on_delete=models.PROTECT,
        db_index=False,  # a plain index in Meta: no pattern-ops twin for a hash
    )
    # What caused the record in a client app, e.g. "lead:42" (privacy never imports leads).
    source = models.CharField(_("source"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("recorded at"), editable=False)

    subject_email = models.CharField(_("e-mail at the time"), max_length=254, blank=True)
    subject_phone = models.CharField(_("phone at the time"), max_length=16, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    page_url = models.TextField(_("page URL"), blank=True)
    referrer = models.TextField(_("referrer"), blank=True)
    personal_salt = models.CharField(max_length=32, blank=True, editable=False)
    personal_digest = models.CharField(max_length=64, editable=False)

    prev_hash = models.CharField(_("previous record's hash"), max_length=64, editable=False)
    # Unique through Meta.constraints: a unique field would get a pattern-ops twin index too.
    record_hash = models.CharField(_("record hash"), max_length=64, editable=False)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["person", "purpose", "-seq"]),
            models.Index(fields=["wording"], name="consent_record_wording"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["record_hash"], name="consent_record_hash_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.purpose} {self.decision}"

    def personal_payload(self) -> dict[str, str]:
        return {name: str(getattr(self, name) or "") for name in PERSONAL_FIELDS}

    def compute_personal_digest(self) -> str:
        return personal_digest_of(self.personal_salt, self.personal_payload())

    def hashed_payload(self) -> dict[str, Any]:
        """The canonical content the record hash covers (personal data only via its digest)."""
        return {
            "seq": self.seq,
            "person": self.person_id,
            "purpose": self.purpose,
            "decision": self.decision,
            "method": self.method,
            "policy_version": self.policy_version_id,
            "policy_sha256": self.policy_sha256,
            "consent_version": self.consent_version_id,
            "consent_sha256": self.consent_sha256,
            "wording_sha256": self.wording_id,
            "source": self.source,
            "created_at": self.created_at.astimezone(UTC).isoformat(),
            "personal_digest": self.personal_digest,
            "prev_hash": self.prev_hash,
        }

    def compute_record_hash(self) -> str:
        return record_hash_of(self.hashed_payload())

    @property
    def is_pseudonymised(self) -> bool:
        return not self.personal_salt

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecordError(CONSENT_LOG_IS_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(CONSENT_LOG_IS_APPEND_ONLY)


class ConsentLogHead(models.Model):
    """The single row holding the chain's tip; appends lock it, so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("consent log head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


GENESIS_HASH = "0" * 64


def receipt_token() -> str:
    """Return an unguessable token: the only key to a receipt's download URL."""
    return secrets.token_urlsafe(32)


class ConsentReceipt(models.Model):
    """A receipt handed to a person for the consent records of one act of consent."""

    receipt_id = models.UUIDField(_("receipt ID"), default=uuid.uuid4, unique=True, editable=False)
    # Unique through Meta.constraints (no pattern-ops twin index: looked up by equality only).
    token = models.CharField(max_length=64, default=receipt_token, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="consent_receipts",
    )
    records = models.ManyToManyField(
        ConsentRecord, verbose_name=_("consent records"), related_name="receipts"
    )
    # The receipt as issued (no personal data in it), so later changes to settings or URLs
    # never alter what the person was given; the signature is computed over it on download.
    content = models.JSONField(_("content"), editable=False)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("consent receipt")
        verbose_name_plural = _("consent receipts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="consent_receipt_token_unique")
        ]

    def __str__(self) -> str:
        return str(self.receipt_id)

    def get_absolute_url(self) -> str:
        return reverse("privacy:receipt", kwargs={"token": self.token})


class BlockRequester(models.TextChoices):
    PERSON = "person", _("The person")
    REPRESENTATIVE = "representative", _("Their legal representative")
    AUTHORITY = "authority", _("An authorised body for the protection of data subjects' rights")
    STAFF = "staff", _("Staff, on finding false data or illegal actions")


class BlockQuerySet(models.QuerySet["Block"]):
    def active(self) -> BlockQuerySet:
        return self.filter(lifted_at__isnull=True)


class Block(models.Model):
    """A person's data frozen for the period of verification (clause 6.2.4)."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Data confirmed")
        CORRECTED = "corrected", _("Data corrected")
        DESTROYED = "destroyed", _("Data destroyed")
        UNCHANGED = "unchanged", _("Block lifted without change")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="blocks"
    )
    requested_by = models.CharField(
        _("requested by"), max_length=16, choices=BlockRequester.choices
    )
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    review_by = models.DateField(_("review by"))
    created_at = models.DateTimeField(_("blocked at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("blocked by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)

    objects = BlockQuerySet.as_manager()

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["-created_at"]
        permissions = [
            ("block_person", _("Can block a person's data")),
            ("lift_block", _("Can lift a block")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_block_per_person",
            )
        ]
        indexes = [
            models.Index(
                fields=["review_by"],
                condition=models.Q(lifted_at__isnull=True),
                name="active_block_review_by",
            )
        ]

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    def __str__(self) -> str:
        return f"{self.person} ({self.get_requested_by_display()})"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_active and self.review_by < (today or timezone.localdate())


class Suppression(models.Model):
    """An address no message may go to: it bounced, complained, or unsubscribed at the ESP."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed at the e-mail provider")
        REJECTED = "rejected", _("Rejected by the e-mail provider")
        STAFF = "staff", _("Suppressed by staff")

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    esp_event_id = models.CharField(_("provider event"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("suppressed at"), default=timezone.now)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"


class MessageKind(models.TextChoices):
    ACKNOWLEDGMENT = "acknowledgment", _("Acknowledgment of a request")
    STAFF_ALERT = "staff_alert", _("Staff alert of a new lead")
    MARKETING = "marketing", _("Marketing")
    ADVERTISING = "advertising", _("Advertising")
    LEGAL_NOTICE = "legal_notice", _("Legal notice")
    DOUBLE_OPT_IN = "double_opt_in", _("Confirmation of consent (double opt-in)")
    # Confirmation links, acknowledgments and answers of rights requests: the person asked.
    RIGHTS = "rights", _("Rights request")


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("No consent")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    UNCONFIRMED = "unconfirmed", _("Consent not confirmed")
    BLOCKED = "blocked", _("Person blocked")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    SUPPRESSED = "suppressed", _("Address suppressed")
    ERASED = "erased", _("Person erased")
    NO_ADDRESS = "no_address", _("No address")
    ALREADY_CONFIRMED = "already_confirmed", _("Consent already confirmed")


class Message(models.Model):
    """One e-mail to one recipient, from the outbox to the ESP, with its fate recorded."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=MessageKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        db_index=False,  # the (person, -created_at) index leads with it
    )
    to_email = models.EmailField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="en")
    # Template context: ids and public values only; personal data is read at send time.
    context = models.JSONField(_("context"), default=dict, blank=True)
    # Groups messages of one campaign or event; with person it makes a resend impossible.
    dedupe_key = models.CharField(_("deduplication key"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    skip_reason = models.CharField(
        _("skipped because"), max_length=20, choices=SkipReason.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    esp_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    enqueued_at = models.DateTimeField(_("handed to the queue at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        permissions = [("retry_message", _("Can retry failed messages"))]
        indexes = [
            models.Index(fields=["status", "enqueued_at"]),
            models.Index(fields=["person", "-created_at"]),
            models.Index(fields=["dedupe_key", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key", "person"],
                condition=~models.Q(dedupe_key=""),
                name="message_once_per_person_and_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_email} ({self.status})"


AUDIT_TRAIL_IS_APPEND_ONLY = "Audit entries are append-only."


class AuditAction(models.TextChoices):
    PERSON_VIEWED = "person_viewed", _("Opened a person's page")
    LEAD_CHANGED = "lead_changed", _("Changed a lead")
    PERSON_BLOCKED = "person_blocked", _("Blocked a person")
    BLOCK_LIFTED = "block_lifted", _("Lifted a block")
    DATA_EXPORTED = "data_exported", _("Exported data")
    VERSION_PUBLISHED = "version_published", _("Published a legal document version")
    MESSAGE_RETRIED = "message_retried", _("Retried a failed message")
    LOGGED_IN = "logged_in", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed to log in")
    REQUEST_ANSWERED = "request_answered", _("Answered a rights request")
    PERSON_ERASED = "person_erased", _("Erased a person's data")
    DATA_CORRECTED = "data_corrected", _("Corrected a person's data")
    INCIDENT_NOTIFIED = "incident_notified", _("Notified people of an incident")
    DISCLOSURE_RECORDED = "disclosure_recorded", _("Recorded a disclosure to an authority")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecordError(AUDIT_TRAIL_IS_APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(AUDIT_TRAIL_IS_APPEND_ONLY)


class AuditEntry(models.Model):
    """Who did what to personal data or legal texts, when and from where (clause 5.4)."""

    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # As typed at the login form for failed attempts; the actor's e-mail otherwise, so the
    # entry still reads right if the account is renamed.
    actor_email = models.CharField(_("staff e-mail"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=24, choices=AuditAction.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_newest_first"),
            models.Index(fields=["person", "-created_at"], name="audit_person_newest"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_newest"),
            models.Index(fields=["action", "-created_at"], name="audit_action_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not a side effect: the database trigger refuses the same change.
        if self.pk is not None:
            raise ImmutableRecordError(AUDIT_TRAIL_IS_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(AUDIT_TRAIL_IS_APPEND_ONLY)


class DataExport(models.Model):
    """One export of personal data by a staff member: who, when, which filter, how many rows."""

    created_at = models.DateTimeField(_("started at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("exported list"), max_length=64)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d %H:%M} ({self.created_by})"


# --- Cookie consent (issue 8) ------------------------------------------------------------


class VisitorLink(models.Model):
    """An anonymous browser linked to the person who later sent the lead form from it.

    The browser's cookie choices are consent records with source "visitor:<id>" and no person;
    the log is append-only, so they are tied to the person here rather than by updating them.
    """

    visitor_id = models.UUIDField(_("anonymous visitor"), db_index=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="visitor_links"
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("visitor link")
        verbose_name_plural = _("visitor links")
        constraints = [
            models.UniqueConstraint(fields=["visitor_id", "person"], name="visitor_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visitor_id} → {self.person_id}"

    @property
    def consent_source(self) -> str:
        return visitor_source(self.visitor_id)


def visitor_source(visitor_id: uuid.UUID) -> str:
    """The `source` of the consent records an anonymous visitor's cookie choices append."""
    return f"visitor:{visitor_id}"


# --- Rights requests, incidents and disclosures (issue 7) ----------------------------------


class DataCategory(models.TextChoices):
    ACCOUNT_NAME = "account_name", _("Account name")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Visit metadata (IP address, browser, pages, referrer)")
    ANALYTICS_IDS = "analytics_ids", _("Analytics identifiers (cookies)")
    CONSENTS = "consents", _("Consent records")
    MESSAGES = "messages", _("Messages sent")


class RightsRequestQuerySet(models.QuerySet["RightsRequest"]):
    def open(self) -> RightsRequestQuerySet:
        """Confirmed by the person and not yet answered or rejected: the clock runs."""
        return self.filter(
            status__in=[RightsRequest.Status.VERIFIED, RightsRequest.Status.IN_PROGRESS]
        )

    def due_by(self, day: date) -> RightsRequestQuerySet:
        return self.open().filter(due_on__lte=day)


class RightsRequest(models.Model):
    """A person's request about their data (clauses 6.1.2, 8.1, 9.3), with its legal clock."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("A copy of my data")
        CORRECTION = "correction", _("Correct or complete my data")
        WITHDRAWAL = "withdrawal", _("Withdraw a consent")
        BLOCKING = "blocking", _("Block my data")
        ERASURE = "erasure", _("Erase my data")
        CLAIM = "claim", _("A claim (a written proposal to settle a dispute)")
        QUESTION = "question", _("A question or a suggestion")

    class Status(models.TextChoices):
        NEW = "new", _("New (address not confirmed)")
        VERIFIED = "verified", _("Confirmed")
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        REJECTED = "rejected", _("Rejected")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # As typed and normalised; blanked on erasure (the digest stays, to show it was handled).
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    email_digest = models.CharField(max_length=64, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rights_requests",
    )
    purpose = models.CharField(
        _("consent withdrawn"), max_length=16, choices=Purpose.choices, blank=True
    )
    details = models.TextField(_("the person's words"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    verified_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    due_on = models.DateField(_("due"), null=True, blank=True, editable=False)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True, editable=False)
    extension_reason = models.TextField(
        _("reason for the extension"),
        blank=True,
        help_text=_("Sent to the person when the deadline is extended."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, editable=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The one-time link: its nonce, spent on first use; the link's signature carries expiry.
    verify_nonce = models.CharField(max_length=64, blank=True, editable=False)
    # A new e-mail asked for in a correction, waiting for its own confirmation.
    new_email = models.CharField(_("new e-mail to confirm"), max_length=254, blank=True)
    new_email_nonce = models.CharField(max_length=64, blank=True, editable=False)

    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering = ["due_on", "-received_at"]
        permissions = [
            ("answer_rightsrequest", _("Can answer, reject and extend rights requests")),
            ("erase_person", _("Can erase a person's data")),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="rights_request_open_due"),
            models.Index(fields=["email_digest"], name="rights_request_email"),
        ]

    def __str__(self) -> str:
        # No address here: admin history and logs keep object names after an erasure.
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.VERIFIED, self.Status.IN_PROGRESS)

    def days_left(self, today: date | None = None) -> int | None:
        if self.due_on is None or not self.is_open:
            return None
        return (self.due_on - (today or timezone.localdate())).days


class DataCorrection(models.Model):
    """One field of a person's data changed at their request: before and after (6.1.2)."""

    request = models.ForeignKey(
        RightsRequest,
        verbose_name=_("rights request"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="corrections"
    )
    field = models.CharField(_("field"), max_length=32)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    created_at = models.DateTimeField(_("changed at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("data correction")
        verbose_name_plural = _("data corrections")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.field} ({self.created_at:%Y-%m-%d})"


class Destruction(models.Model):
    """A destruction record: what of a person's data was destroyed, when, by whom, why."""

    class Ground(models.TextChoices):
        REQUEST = "request", _("The person's request for erasure")
        WITHDRAWAL = "withdrawal", _("Withdrawal of the consent to processing")
        UNLAWFUL = "unlawful", _("Unlawful processing found")
        RETENTION = "retention", _("The retention period ended")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="destructions"
    )
    request = models.ForeignKey(
        RightsRequest,
        verbose_name=_("rights request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="destructions",
    )
    ground = models.CharField(_("ground"), max_length=16, choices=Ground.choices)
    # Counts per kind of row, e.g. {"leads": 2, "consent_records": 6}: never the data itself.
    destroyed = models.JSONField(_("what was destroyed"), default=dict)
    created_at = models.DateTimeField(_("destroyed at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destroyed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} person {self.person_id} ({self.created_at:%Y-%m-%d})"


class Incident(models.Model):
    """A breach of personal data (clause 5.3): the authority clocks and the notice to people."""

    class Audience(models.TextChoices):
        ALL = "all", _("Everyone")
        CREATED_BETWEEN = "created_between", _("People first recorded between two dates")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    occurred_at = models.DateTimeField(_("happened at"), null=True, blank=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    authority_notified_at = models.DateTimeField(
        _("authority notified at"), null=True, blank=True
    )
    investigation_reported_at = models.DateTimeField(
        _("investigation results reported at"), null=True, blank=True
    )
    audience = models.CharField(
        _("people affected"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    affected_from = models.DateField(_("from"), null=True, blank=True)
    affected_to = models.DateField(_("to"), null=True, blank=True)
    notice_subject = models.CharField(_("notice subject"), max_length=200, blank=True)
    notice_body = models.TextField(_("notice text"), blank=True)
    # Keyset cursor of the fan-out, like a campaign's, so a rerun continues where it stopped.
    notice_cursor = models.BigIntegerField(default=0, editable=False)
    notice_started_at = models.DateTimeField(
        _("notice started at"), null=True, blank=True, editable=False
    )
    notice_finished_at = models.DateTimeField(
        _("notice queued in full at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-detected_at"]
        permissions = [("notify_incident", _("Can notify people of an incident"))]

    def __str__(self) -> str:
        return self.title

    @property
    def dedupe_key(self) -> str:
        return f"incident:{self.pk}"


class Disclosure(models.Model):
    """A transfer of personal data to a state authority (clause 5.2)."""

    authority = models.CharField(_("authority"), max_length=300)
    legal_basis = models.TextField(_("legal basis"))
    reference = models.CharField(_("their request reference"), max_length=200, blank=True)
    people = models.ManyToManyField(Person, verbose_name=_("people"), related_name="disclosures")
    data_categories = models.JSONField(_("data categories released"), default=list)
    released_at = models.DateTimeField(_("released at"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-released_at"]

    def __str__(self) -> str:
        return f"{self.authority} ({self.released_at:%Y-%m-%d})"
