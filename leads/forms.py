"""The public lead form: validation and normalisation of what a visitor types."""

from __future__ import annotations

import unicodedata

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

ACCOUNT_NAME_MAX = 150
EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64  # RFC 5321: servers may refuse longer local parts
PHONE_INPUT_MAX = 40

# Unicode categories that have no place in a name: controls, invisible formatting characters
# (zero-width spaces, bidi overrides), surrogates, private use, unassigned, line separators.
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}

ACCOUNT_NAME_INVISIBLE = _("The name may not contain control or invisible characters.")
EMAIL_INVALID = _("Enter a valid e-mail address, like name@example.com.")
PHONE_INVALID = _("Enter a valid phone number, with the country code if it is not Russian.")
PROCESSING_REQUIRED = _("Please agree to the processing of your personal data to send the form.")
OPTIONAL_NEEDS_PROCESSING = _(
    "This consent can only be given together with the consent to the processing of personal data."
)


def normalise_email(value: str) -> str:
    """Lower-case the domain and write it in Unicode (IDN), keep the local part as typed."""
    local, _at, domain = value.strip().rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower().encode("ascii").decode("idna")
    except UnicodeError as exc:
        raise ValidationError(EMAIL_INVALID, code="invalid") from exc
    return f"{local}@{unicodedata.normalize('NFC', domain)}"


def parse_phone(value: str, region: str) -> str:
    """Return the number in E.164, or raise ValidationError for an impossible number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(PHONE_INVALID, code="invalid") from exc
    if not (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number)):
        raise ValidationError(PHONE_INVALID, code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    return phonenumbers.format_number(
        phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


class LeadForm(forms.Form):
    account_name = forms.CharField(
        label=_("Account name"),
        max_length=ACCOUNT_NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    phone = forms.CharField(
        label=_("Contact phone"),
        max_length=PHONE_INPUT_MAX,
        help_text=_("For example +7 912 345-67-89."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent_processing = forms.BooleanField(
        required=True, error_messages={"required": PROCESSING_REQUIRED}
    )
    consent_marketing = forms.BooleanField(required=False)
    consent_advertising = forms.BooleanField(required=False)
    # Hidden from people (off-screen, not focusable); bots that fill every field fill it too.
    website = forms.CharField(required=False, max_length=200)
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=4096)

    def clean_account_name(self) -> str:
        value = unicodedata.normalize("NFC", self.cleaned_data["account_name"].strip())
        if any(unicodedata.category(ch) in FORBIDDEN_CATEGORIES for ch in value):
            raise ValidationError(ACCOUNT_NAME_INVISIBLE, code="invisible")
        if not value:
            raise ValidationError(forms.Field.default_error_messages["required"], code="required")
        return value

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip()
        if "@" not in value:
            raise ValidationError(EMAIL_INVALID, code="invalid")
        value = normalise_email(value)
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValidationError(EMAIL_INVALID, code="invalid") from exc
        if len(value) > EMAIL_MAX or len(value.rpartition("@")[0]) > EMAIL_LOCAL_MAX:
            raise ValidationError(EMAIL_INVALID, code="invalid")
        return value

    def clean_phone(self) -> str:
        return parse_phone(self.cleaned_data["phone"], settings.PHONE_DEFAULT_REGION)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("consent_processing"):
            for name in ("consent_marketing", "consent_advertising"):
                if cleaned.get(name):
                    self.add_error(name, ValidationError(OPTIONAL_NEEDS_PROCESSING, code="needs"))
        return cleaned

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
