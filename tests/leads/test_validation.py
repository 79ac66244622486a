"""Every bad input gets a clear error next to its field and stores nothing."""

from __future__ import annotations

import pytest

from leads.models import Lead
from tests.support.forms import table_counts

pytestmark = pytest.mark.django_db

# (field, value, the error shown next to it). Real-world mistakes and hostile input.
BAD_INPUTS = [
    ("account_name", "", "This field is required."),
    ("account_name", "   ", "This field is required."),
    ("account_name", "x" * 151, "Ensure this value has at most 150 characters"),
    ("account_name", "Acme\u200bCorp", "control or invisible characters"),  # zero-width space
    ("account_name", "Acme\u202eproC", "control or invisible characters"),  # bidi override
    ("account_name", "Acme\x07", "control or invisible characters"),  # bell
    ("account_name", "Acme\x00Corp", "Null characters are not allowed"),
    ("account_name", "Line\u2028break", "control or invisible characters"),
    ("account_name", "Soft\u00adhyphen", "control or invisible characters"),
    ("email", "", "This field is required."),
    ("email", "ivan", "Enter a valid e-mail address"),
    ("email", "ivan@", "Enter a valid e-mail address"),
    ("email", "@example.com", "Enter a valid e-mail address"),
    ("email", "ivan@@example.com", "Enter a valid e-mail address"),
    ("email", "ivan@example", "Enter a valid e-mail address"),
    ("email", "ivan example@example.com", "Enter a valid e-mail address"),
    ("email", "ivan@exa mple.com", "Enter a valid e-mail address"),
    ("email", "ivan@example..com", "Enter a valid e-mail address"),
    ("email", "a" * 245 + "@example.com", "Ensure this value has at most 254 characters"),
    ("email", "a" * 65 + "@example.com", "Enter a valid e-mail address"),  # local part > 64
    ("email", "ivan@-example.com", "Enter a valid e-mail address"),
    ("email", "<script>@example.com", "Enter a valid e-mail address"),
    # RFC 5322 lets a quoted local part hold control characters; no person's address does.
    ("email", '"a\x01b"@example.org', "Enter a valid e-mail address"),
    ("email", '"a\x7fb"@example.org', "Enter a valid e-mail address"),
    ("email", "ivan\u200b@example.org", "Enter a valid e-mail address"),
    ("phone", "", "This field is required."),
    ("phone", "12", "Enter a valid phone number"),
    ("phone", "abc", "Enter a valid phone number"),
    ("phone", "+7 912 345", "Enter a valid phone number"),
    ("phone", "+7 000 000-00-00", "Enter a valid phone number"),
    ("phone", "+999 1234567", "Enter a valid phone number"),
    ("phone", "8 912 345 67 89 12 34", "Enter a valid phone number"),
    ("phone", "+1 (555) 0100", "Enter a valid phone number"),
    ("phone", "9" * 41, "Ensure this value has at most 40 characters"),
    # libphonenumber drops what follows the digits; we refuse rather than trim.
    ("phone", "+7 912 345-67-89 abc", "Enter a valid phone number"),
    ("phone", "+7 912 345-67-89\U0001f600", "Enter a valid phone number"),
    ("phone", "+7 912 345-67-89 ext. 5", "Enter a valid phone number"),
    ("phone", "+7 912 \u0417\u04275-67-89", "Enter a valid phone number"),  # Cyrillic letters
    ("consent_processing", None, "Please agree to the processing of your personal data"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS)
def test_each_bad_input_gets_a_field_error_and_stores_nothing(
    submit, valid_data, field, value, message
):
    data = dict(valid_data)
    if value is None:
        data.pop(field)
    else:
        data[field] = value

    response = submit(data)

    assert response.status_code == 400
    html = response.text
    assert message in html
    error_at = html.index(message)
    field_at = html.index(f'name="{field}"')
    assert abs(error_at - field_at) < 800, "the error stands next to its field"
    assert table_counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+7 (912) 345-67-89", "+79123456789"),
        ("8 912 345 67 89", "+79123456789"),  # Russian trunk prefix
        ("9123456789", "+79123456789"),  # default region RU
        ("+1 650-253-0000", "+16502530000"),  # USA
        ("+44 20 7946 0958", "+442079460958"),  # UK
        ("+49 30 901820", "+4930901820"),  # Germany
        ("+375 29 123-45-67", "+375291234567"),  # Belarus
        ("+7 727 250 0000", "+77272500000"),  # Kazakhstan (shares +7)
        ("+86 10 6552 9988", "+861065529988"),  # China
        ("+33 1 42 68 53 00", "+33142685300"),  # France
        ("810 33 1 42 68 53 00", "+33142685300"),  # France, dialled with Russia's 810 prefix
    ],
)
def test_phone_numbers_from_several_countries_are_stored_as_e164(submit, valid_data, typed, e164):
    response = submit({**valid_data, "phone": typed})

    assert response.status_code == 303, response.content[:2000]
    assert Lead.objects.get().phone == e164


def test_the_phone_is_shown_formatted(submit, valid_data):
    submit({**valid_data, "phone": "89123456789"})

    assert Lead.objects.get().phone_display == "+7 912 345-67-89"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ivan.Petrov@Example.COM", "Ivan.Petrov@example.com"),
        ("  ivan@example.com  ", "ivan@example.com"),
        ("ivan@ПРИМЕР.РФ", "ivan@пример.рф"),
        ("ivan@xn--e1afmkfd.xn--p1ai", "ivan@пример.рф"),
    ],
)
def test_email_is_stored_normalised(submit, valid_data, typed, stored):
    response = submit({**valid_data, "email": typed})

    assert response.status_code == 303
    assert Lead.objects.get().email == stored


def test_account_name_is_trimmed(submit, valid_data):
    submit({**valid_data, "account_name": "  Acme  "})

    assert Lead.objects.get().account_name == "Acme"
