from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from privacy.consent.models import ConsentReceipt
from privacy.consent.receipts import (
    RECEIPT_NEEDS_RECORDS,
    RECEIPT_RECORD_OF_ANOTHER_PERSON,
    SIGNATURE_MISMATCH,
    SIGNATURE_MISSING,
    ReceiptError,
    receipt_as_dict,
    receipt_issue,
)
from privacy.documents.models import DocumentKind
from privacy.people.services import person_find_or_create

pytestmark = pytest.mark.django_db


@override_settings(
    SITE_URL="https://leadgen.example",
    CONTROLLER_NAME="Leadgen LLC",
    PRIVACY_CONTACT_EMAIL="dpo@leadgen.example",
)
def test_a_receipt_names_the_controller_the_policy_and_each_purpose(
    person, submission, published_documents
):
    receipt = receipt_issue(person=person, records=submission)

    document = receipt_as_dict(receipt)
    policy = published_documents[DocumentKind.PRIVACY_POLICY]
    assert document["consentReceiptID"] == str(receipt.receipt_id)
    assert document["jurisdiction"] == "RU"
    assert document["piiControllers"] == [
        {
            "piiController": "Leadgen LLC",
            "email": "dpo@leadgen.example",
            "url": "https://leadgen.example",
        }
    ]
    assert document["language"] == "en"
    assert document["policyUrl"] == "https://leadgen.example/privacy/versions/1/?lang=en"
    assert document["policy"] == {
        "title": "Privacy Policy",
        "version": 1,
        "language": "en",
        "sha256": policy.text("en").sha256,
    }
    assert document["collectionMethod"] == "web_form"
    assert "e-mail address" in document["piiCategories"]
    assert [(p["purpose"], p["decision"]) for p in document["purposes"]] == [
        ("processing", "granted"),
        ("marketing", "granted"),
        ("advertising", "not_given"),
    ]
    marketing = document["purposes"][1]
    assert marketing["wording"] == "Send me news and offers.\n"
    assert marketing["consentText"]["version"] == 1
    assert marketing["consentText"]["sha256"] == (
        published_documents[DocumentKind.CONSENT_MARKETING].text("en").sha256
    )
    assert marketing["consentText"]["language"] == "en"
    assert marketing["consentText"]["url"] == (
        "https://leadgen.example/privacy/consents/consent_marketing/1/?lang=en"
    )
    assert document["signature"]["algorithm"] == "HMAC-SHA256"


def test_a_receipt_carries_no_personal_data(person, submission):
    document = receipt_as_dict(receipt_issue(person=person, records=submission))

    text = json.dumps(document)
    assert "anna@example.com" not in text
    assert "+79161234567" not in text
    assert "203.0.113.7" not in text


def test_a_receipt_covers_the_records_it_was_issued_for(person, submission):
    receipt = receipt_issue(person=person, records=submission)

    assert set(receipt.records.all()) == set(submission)
    assert person.consent_receipts.get() == receipt


def test_a_receipt_without_records_is_refused(person):
    with pytest.raises(ReceiptError, match=RECEIPT_NEEDS_RECORDS):
        receipt_issue(person=person, records=[])

    assert not ConsentReceipt.objects.exists()


def test_a_receipt_cannot_cover_another_persons_records(submission):
    stranger = person_find_or_create(email="boris@example.com", phone="")

    with pytest.raises(ReceiptError, match=RECEIPT_RECORD_OF_ANOTHER_PERSON):
        receipt_issue(person=stranger, records=submission)

    assert not ConsentReceipt.objects.exists()


def test_the_receipt_downloads_as_a_private_json_attachment(client, person, submission):
    receipt = receipt_issue(person=person, records=submission)

    response = client.get(receipt.get_json_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="consent-receipt-{receipt.receipt_id}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert response.json() == receipt_as_dict(receipt)


def test_the_download_url_is_unguessable(person, submission):
    receipt = receipt_issue(person=person, records=submission)

    assert receipt.get_absolute_url() == f"/privacy/receipts/{receipt.token}/"
    assert receipt.get_json_url() == f"/privacy/receipts/{receipt.token}.json"
    assert len(receipt.token) >= 43  # 256 random bits


def test_an_unknown_receipt_token_is_not_found(client, person, submission):
    receipt_issue(person=person, records=submission)

    response = client.get("/privacy/receipts/not-a-real-token.json")

    assert response.status_code == 404


@pytest.fixture
def receipt_file(tmp_path, person, submission):
    path = tmp_path / "receipt.json"
    document = receipt_as_dict(receipt_issue(person=person, records=submission))
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2))
    return path


def test_verify_receipt_accepts_a_receipt_as_downloaded(receipt_file, capsys):
    call_command("verify_receipt", str(receipt_file))

    assert "OK: receipt" in capsys.readouterr().out


def test_verify_receipt_rejects_a_tampered_receipt(receipt_file):
    document = json.loads(receipt_file.read_text())
    document["purposes"][2]["decision"] = "granted"
    receipt_file.write_text(json.dumps(document))

    with pytest.raises(CommandError, match=SIGNATURE_MISMATCH):
        call_command("verify_receipt", str(receipt_file))


def test_verify_receipt_rejects_a_receipt_signed_with_another_key(receipt_file):
    with (
        override_settings(SECRET_KEY="another-site-" + "y" * 40),
        pytest.raises(CommandError, match=SIGNATURE_MISMATCH),
    ):
        call_command("verify_receipt", str(receipt_file))


def test_verify_receipt_accepts_receipts_signed_before_a_key_rotation(receipt_file, settings):
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" + "z" * 50

    call_command("verify_receipt", str(receipt_file))


def test_verify_receipt_rejects_an_unsigned_receipt(receipt_file):
    document = json.loads(receipt_file.read_text())
    del document["signature"]
    receipt_file.write_text(json.dumps(document))

    with pytest.raises(CommandError, match=SIGNATURE_MISSING):
        call_command("verify_receipt", str(receipt_file))


def test_verify_receipt_explains_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "receipt.json"
    path.write_text("<html>not a receipt</html>")

    with pytest.raises(CommandError, match="is not a JSON consent receipt"):
        call_command("verify_receipt", str(path))


def test_a_receipt_names_the_language_read_when_two_languages_hold_the_same_text(
    client, published_documents
):
    from privacy.consent.models import ConsentMethod
    from privacy.consent.services import ConsentEntry, consent_records_append
    from privacy.people.models import Decision
    from tests.support.documents import publish
    from tests.support.staff import VISIT

    policy = publish("The same words in both.")  # identical texts: one hash for two languages
    person = person_find_or_create(email="anna@example.com", phone="")
    records = consent_records_append(
        entries=[
            ConsentEntry(
                person=person,
                purpose="processing",
                decision=Decision.GRANTED,
                method=ConsentMethod.WEB_FORM,
                wording_text="Да.",
                visit=VISIT,
                policy_version=policy,
                consent_version=published_documents[DocumentKind.CONSENT_PROCESSING],
                language=language,
            )
            for language in ("ru",)
        ]
    )

    document = receipt_as_dict(receipt_issue(person=person, records=records))

    assert policy.text("ru").sha256 == policy.text("en").sha256
    assert document["policy"]["language"] == "ru"
    assert document["policyUrl"].endswith("?lang=ru")


def test_staff_see_the_receipt_and_the_language_shown_in_admin(admin_client, person, submission):
    receipt = receipt_issue(person=person, records=submission)

    page = admin_client.get(f"/admin/privacy/consentreceipt/{receipt.pk}/change/")
    record = admin_client.get(f"/admin/privacy/consentrecord/{submission[0].pk}/change/")

    assert page.status_code == record.status_code == 200
    assert f'href="{receipt.get_absolute_url()}"' in page.text
    assert "Language shown" in record.text
