"""The public lead form: validation and normalisation of what a visitor types."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from privacy.people.identity import EMAIL_MAX, email_normalise, phone_normalise

ACCOUNT_NAME_MAX = 150
CONSENT_PREFIX = "consent_"
PHONE_INPUT_MAX = 40

# Unicode categories that have no place in a name: controls, invisible formatting characters
# (zero-width spaces, bidi overrides), surrogates, private use, unassigned, line separators.
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}

ACCOUNT_NAME_INVISIBLE = _("The name may not contain control or invisible characters.")
PROCESSING_REQUIRED = _("Please agree to the processing of your personal data to send the form.")
OPTIONAL_NEEDS_PROCESSING = _(
    "This consent can only be given together with the consent to the processing of personal data."
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

    def __init__(self, *args: Any, purposes: tuple[str, ...] | None = None, **kwargs: Any):
        """`purposes`: those the form offers (a form as data may leave out the optional ones)."""
        super().__init__(*args, **kwargs)
        if purposes is not None:
            for name in [n for n in self.fields if n.startswith(CONSENT_PREFIX)]:
                if name.removeprefix(CONSENT_PREFIX) not in purposes:
                    del self.fields[name]

    def clean_account_name(self) -> str:
        value = unicodedata.normalize("NFC", self.cleaned_data["account_name"].strip())
        if any(unicodedata.category(ch) in FORBIDDEN_CATEGORIES for ch in value):
            raise ValidationError(ACCOUNT_NAME_INVISIBLE, code="invisible")
        if not value:
            raise ValidationError(forms.Field.default_error_messages["required"], code="required")
        return value

    def clean_email(self) -> str:
        return email_normalise(self.cleaned_data["email"])

    def clean_phone(self) -> str:
        return phone_normalise(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("consent_processing"):
            for name in ("consent_marketing", "consent_advertising"):
                if name in self.fields and cleaned.get(name):
                    self.add_error(name, ValidationError(OPTIONAL_NEEDS_PROCESSING, code="needs"))
        return cleaned

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
