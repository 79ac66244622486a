"""The public form stores a lead and its proof of consent, or nothing at all."""

from __future__ import annotations

import pytest
from django.utils import timezone

from leads.models import Lead
from privacy.consent.models import ConsentRecord
from privacy.consent.services import purpose_state
from privacy.consent.verify import consent_log_verify
from privacy.documents.models import DocumentKind
from privacy.people.models import Decision, Person, Purpose
from tests.support.forms import form_token, table_counts

pytestmark = pytest.mark.django_db


def test_the_form_offers_the_three_fields_and_separate_unticked_consents(
    client, published_documents
):
    html = client.get("/").text

    for name in ("account_name", "phone", "email"):
        assert f'name="{name}"' in html
    assert 'type="checkbox" name="consent_processing"' in html
    for optional in ("consent_marketing", "consent_advertising"):
        tag = html[html.index(f'name="{optional}"') - 40 : html.index(f'name="{optional}"') + 80]
        assert "checked" not in tag
    assert "I agree to the processing of my personal data" in html
    assert 'href="/privacy/versions/1/"' in html
    assert 'href="/privacy/consents/consent_processing/1/"' in html
    assert "Privacy Policy, version 1" in html


def test_a_valid_submission_stores_person_lead_and_three_consent_records(
    submit, valid_data, published_documents
):
    response = submit(
        {**valid_data, "consent_marketing": "on"},
        path="/?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
        headers={"User-Agent": "Mozilla/5.0 Test"},
        get_headers={"Referer": "https://search.example/?q=leads"},
    )

    assert response.status_code == 303
    lead = Lead.objects.get()
    assert response["Location"] == f"/thanks/{lead.public_id}/"
    assert lead.account_name == "Acme Trading"
    assert lead.phone == "+79123456789"
    assert lead.email == "ivan@example.com"
    assert lead.utm_source == "newsletter"
    assert lead.utm_campaign == "spring"
    assert lead.referrer == "https://search.example/?q=leads"
    assert lead.page_url.startswith("http://testserver/?utm_source=newsletter")
    assert lead.ip == "127.0.0.1"
    assert lead.user_agent == "Mozilla/5.0 Test"
    assert lead.accessed_at is not None and lead.accessed_at <= lead.created_at
    records = {r.purpose: r for r in ConsentRecord.objects.filter(person=lead.person)}
    assert set(records) == {Purpose.PROCESSING, Purpose.MARKETING, Purpose.ADVERTISING}
    assert records[Purpose.PROCESSING].decision == Decision.GRANTED
    assert records[Purpose.MARKETING].decision == Decision.GRANTED
    assert records[Purpose.ADVERTISING].decision == Decision.NOT_GIVEN
    policy = published_documents[DocumentKind.PRIVACY_POLICY]
    for record in records.values():
        assert record.policy_version == policy
        assert record.policy_sha256 == policy.text("en").sha256
        assert record.language == "en"
        assert record.method == "web_form"
        assert record.ip == "127.0.0.1"
        assert record.user_agent == "Mozilla/5.0 Test"
        assert record.source == f"lead:{lead.public_id}"
    processing = records[Purpose.PROCESSING]
    assert processing.consent_version == published_documents[DocumentKind.CONSENT_PROCESSING]
    assert processing.wording.text.startswith("I agree to the processing of my personal data")
    assert "Privacy Policy, version 1" in processing.wording.text
    assert consent_log_verify() is None


def test_the_thank_you_page_answers_after_the_redirect(client, submit, valid_data):
    response = submit(valid_data)

    page = client.get(response["Location"])

    assert page.status_code == 200
    assert "Thank you" in page.text
    lead = Lead.objects.get()
    assert lead.receipt.get_absolute_url() in page.text
    assert lead.receipt.get_json_url() in page.text
    assert "/privacy/requests/" in page.text
    receipt = client.get(lead.receipt.get_json_url()).json()
    decisions = {entry["purpose"]: entry["decision"] for entry in receipt["purposes"]}
    assert decisions == {
        "processing": "granted",
        "marketing": "not_given",
        "advertising": "not_given",
    }
    assert receipt["policy"]["version"] == 1
    # Each purpose names its record's place in the chain, so the receipt proves against the log.
    stored = {r.purpose: (r.seq, r.record_hash) for r in lead.receipt.records.all()}
    assert {
        e["purpose"]: (e["record"]["seq"], e["record"]["hash"]) for e in receipt["purposes"]
    } == (stored)
    assert len(stored) == 3


def test_submitting_the_same_rendered_form_twice_creates_one_lead(client, submit, valid_data):
    token = form_token(client.get("/"))

    first = submit(valid_data, token=token)
    second = submit(valid_data, token=token)

    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert Lead.objects.count() == 1
    assert ConsentRecord.objects.count() == 3


def test_repeat_submissions_by_one_person_attach_to_one_person(submit, valid_data):
    submit(valid_data)
    submit(
        {**valid_data, "email": "IVAN@example.com".replace("IVAN", "ivan"), "phone": "89123456789"}
    )
    submit({**valid_data, "email": "other@example.com"})  # same phone

    assert Lead.objects.count() == 3
    assert Person.objects.count() == 1
    assert ConsentRecord.objects.count() == 9


def test_a_later_unticked_box_does_not_withdraw_marketing_consent(submit, valid_data):
    submit({**valid_data, "consent_marketing": "on"})
    person = Person.objects.get()
    assert purpose_state(person=person, purpose=Purpose.MARKETING).granted

    submit(valid_data)  # marketing left unticked this time

    latest = ConsentRecord.objects.filter(person=person, purpose=Purpose.MARKETING).last()
    assert latest.decision == Decision.NOT_GIVEN
    assert purpose_state(person=person, purpose=Purpose.MARKETING).granted


def test_optional_consent_without_processing_is_refused_and_nothing_is_stored(submit, valid_data):
    data = {**valid_data, "consent_marketing": "on"}
    del data["consent_processing"]

    response = submit(data)

    assert response.status_code == 400
    assert "can only be given together with the consent to the processing" in response.text
    assert "Please agree to the processing of your personal data" in response.text
    assert table_counts() == (0, 0, 0)


def test_errors_are_shown_next_to_their_field_and_other_input_is_kept(submit, valid_data):
    response = submit({**valid_data, "phone": "12"})

    html = response.text
    assert response.status_code == 400
    phone_at = html.index('name="phone"')
    assert html.index("Enter a valid phone number") > phone_at
    assert html.index("Enter a valid phone number") < html.index('name="email"')
    assert 'value="Acme Trading"' in html
    assert 'value="ivan@example.com"' in html
    assert 'aria-invalid="true"' in html[phone_at - 300 : phone_at + 300]


def test_a_policy_published_between_render_and_submit_is_shown_again(
    client, submit, valid_data, published_documents
):
    from tests.support.documents import publish

    token = form_token(client.get("/"))
    publish("Version two.", effective_at=timezone.now())

    response = submit(valid_data, token=token)

    assert response.status_code == 409
    assert "changed while you were filling in the form" in response.text
    assert "Privacy Policy, version 2" in response.text
    assert 'value="Acme Trading"' in response.text
    assert "checked" not in response.text.split('name="consent_processing"')[0][-80:]
    assert table_counts() == (0, 0, 0)

    again = submit(valid_data, token=form_token(response))
    assert again.status_code == 303
    assert ConsentRecord.objects.first().policy_version.number == 2


def test_a_forged_or_expired_token_stores_nothing(submit, valid_data):
    response = submit(valid_data, token="forged:token")

    assert response.status_code == 409
    assert "The form had expired" in response.text
    assert table_counts() == (0, 0, 0)


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(submit, valid_data):
    response = submit({**valid_data, "website": "http://spam.example"})

    assert response.status_code == 303
    assert response["Location"] == "/thanks/"
    assert table_counts() == (0, 0, 0)


def test_the_form_is_unavailable_until_the_texts_are_published(client):
    response = client.get("/")

    assert response.status_code == 503
    assert "temporarily unavailable" in response.text


def test_html_in_fields_is_stored_as_text_and_shown_escaped(submit, valid_data, client):
    name = '<script>alert("x")</script> & Co'

    submit({**valid_data, "account_name": name, "phone": "bad"})
    response = submit({**valid_data, "account_name": name, "phone": "bad"})

    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in response.text
    ok = submit({**valid_data, "account_name": name})
    assert ok.status_code == 303
    assert Lead.objects.get().account_name == name


def test_the_form_page_is_never_cached(client, published_documents):
    response = client.get("/")

    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/privacy/requests/"])
def test_every_aria_describedby_names_an_element_on_the_page(client, submit, valid_data, path):
    import re

    pages = [client.get(path).text]
    if path == "/":
        pages.append(submit({**valid_data, "phone": "12"}).text)  # with errors shown

    for html in pages:
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        described = re.findall(r'aria-describedby="([^"]+)"', html)
        assert described, "the fields are described"
        missing = {name for names in described for name in names.split() if name not in ids}
        assert missing == set()
