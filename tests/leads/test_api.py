"""The leads API: a form's texts and token, and submissions with the same proof as our page."""

from __future__ import annotations

import pytest
from django.core import signing

from leads.models import LandingForm, Lead
from leads.services import FORM_TOKEN_SALT
from privacy.consent.models import ConsentRecord
from privacy.consent.verify import consent_log_verify
from privacy.documents.models import DocumentKind
from privacy.people.models import Decision, Purpose
from tests.leads.conftest import PROMO_ORIGIN
from tests.support.documents import publish
from tests.support.forms import table_counts

pytestmark = pytest.mark.django_db

OTHER_ORIGIN = "https://evil.example.net"


def test_the_form_lists_its_fields_and_the_texts_in_force_with_versions_and_hashes(
    api_form, landing_form, published_documents
):
    response = api_form()

    assert response.status_code == 200
    body = response.json()
    assert [field["name"] for field in body["fields"]] == ["account_name", "phone", "email"]
    assert body["fields"][1]["type"] == "tel" and body["fields"][1]["max_length"] == 40
    # The form offers processing and marketing; advertising is absent from it.
    assert [c["purpose"] for c in body["consents"]] == ["processing", "marketing"]
    assert body["consents"][0]["required"] is True and body["consents"][1]["required"] is False
    texts = {text["kind"]: text for text in body["texts"]}
    assert set(texts) == {"privacy_policy", "consent_processing", "consent_marketing"}
    for kind, text in texts.items():
        version = published_documents[kind]
        assert (text["version_id"], text["number"]) == (version.pk, version.number)
        assert text["sha256"] == version.text("en").sha256
        assert text["language"] == "en"
        assert text["url"].endswith(version.get_absolute_url("en"))
    assert body["consents"][0]["wording"] == (
        "I agree to the processing of my personal data "
        "(consent text, version 1, Privacy Policy, version 1)"
    )
    assert body["thank_you"] == {"message": "Thanks from the promo team.", "url": ""}


def test_the_form_speaks_the_requested_language(api_form, landing_form):
    body = api_form(lang="ru").json()

    assert body["language"] == "ru"
    assert body["fields"][0]["label"] == "Название аккаунта"
    assert body["consents"][0]["sentence"] == "Я даю согласие на обработку моих персональных данных"
    assert body["labels"]["submit"] == "Отправить"


def test_texts_in_russian_are_the_russian_texts_and_their_submission_records_them(
    api_form, api_submit, api_data, landing_form, published_documents
):
    body = api_form(lang="ru").json()

    texts = {text["kind"]: text for text in body["texts"]}
    policy = published_documents[DocumentKind.PRIVACY_POLICY]
    assert texts["privacy_policy"]["sha256"] == policy.text("ru").sha256
    assert texts["privacy_policy"]["sha256"] != policy.text("en").sha256
    assert texts["privacy_policy"]["title"] == policy.text("ru").title
    assert texts["privacy_policy"]["language"] == "ru"
    assert api_submit(api_data, token=body["token"]).status_code == 201
    for record in ConsentRecord.objects.all():
        assert record.language == "ru"
        assert record.policy_sha256 == policy.text("ru").sha256
        consent = published_documents[f"consent_{record.purpose}"]
        assert record.consent_sha256 == texts[f"consent_{record.purpose}"]["sha256"]
        assert record.consent_sha256 == consent.text("ru").sha256


def test_an_unknown_language_falls_back_to_the_forms_default(api_form, landing_form):
    landing_form.default_language = "ru"
    landing_form.save()

    assert api_form(lang="xx-YY").json()["language"] == "ru"
    assert api_form(lang="en-GB").json()["language"] == "en"


def test_cors_answers_the_forms_own_origin_and_no_other(client, api_form, landing_form):
    allowed = api_form(origin=PROMO_ORIGIN)
    refused = api_form(origin=OTHER_ORIGIN)

    assert allowed["Access-Control-Allow-Origin"] == PROMO_ORIGIN
    assert refused.status_code == 403
    assert refused.json()["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in refused
    preflight = client.options(
        "/api/v1/forms/promo/submissions/",
        headers={"Origin": OTHER_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in preflight
    preflight = client.options(
        "/api/v1/forms/promo/submissions/",
        headers={
            "Origin": PROMO_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight["Access-Control-Allow-Origin"] == PROMO_ORIGIN
    assert "content-type" in preflight["Access-Control-Allow-Headers"]
    # Keys are for servers: a browser may not send one across origins.
    assert "authorization" not in preflight["Access-Control-Allow-Headers"]


def test_an_unknown_or_inactive_form_is_not_found(api_form, landing_form):
    assert api_form("nope").status_code == 404
    landing_form.is_active = False
    landing_form.save()

    response = api_form()

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_a_widget_submission_stores_the_lead_with_the_widget_method_page_and_origin(
    api_submit, api_data, landing_form, published_documents
):
    response = api_submit(
        {**api_data, "consent_marketing": True}, headers={"User-Agent": "Mozilla/5.0 Widget"}
    )

    assert response.status_code == 201
    body = response.json()
    lead = Lead.objects.get()
    assert body["id"] == str(lead.public_id) and body["created"] is True
    assert body["receipt_url"].endswith(lead.receipt.get_absolute_url())
    assert (lead.form, lead.channel, lead.origin) == (landing_form, "widget", PROMO_ORIGIN)
    assert lead.source_tag == "spring-promo"
    assert lead.page_url == f"{PROMO_ORIGIN}/spring/?utm_source=vk&utm_campaign=spring"
    assert (lead.utm_source, lead.utm_campaign) == ("vk", "spring")
    assert lead.referrer == "https://vk.com/"
    assert lead.user_agent == "Mozilla/5.0 Widget" and lead.ip == "127.0.0.1"
    assert lead.accessed_at is not None
    records = {r.purpose: r for r in ConsentRecord.objects.filter(person=lead.person)}
    # Only what the form asked: no advertising record for a form without that box.
    assert set(records) == {Purpose.PROCESSING, Purpose.MARKETING}
    assert records[Purpose.MARKETING].decision == Decision.GRANTED
    for record in records.values():
        assert record.method == "widget"
        assert record.page_url == lead.page_url
        assert record.source == f"lead:{lead.public_id}"
        policy = published_documents[DocumentKind.PRIVACY_POLICY]
        assert record.policy_sha256 == policy.text("en").sha256
        assert record.language == "en"
    assert consent_log_verify() is None


def test_a_widget_page_url_on_another_origin_is_recorded_as_the_origin(
    api_submit, api_data, landing_form
):
    api_submit({**api_data, "page_url": "https://elsewhere.example/page"})

    assert Lead.objects.get().page_url == f"{PROMO_ORIGIN}/"


def test_a_browser_on_an_origin_not_allowed_cannot_submit(api_submit, api_data, landing_form):
    token = signing.dumps(
        {**_token_payload(landing_form), "o": OTHER_ORIGIN}, salt=FORM_TOKEN_SALT, compress=True
    )

    response = api_submit(api_data, origin=OTHER_ORIGIN, token=token)

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert table_counts() == (0, 0, 0)


def test_a_token_issued_to_another_origin_is_refused(
    api_form, api_submit, api_data, landing_form
):
    landing_form.allowed_origins += "\nhttps://second.example.com"
    landing_form.save()
    token = api_form(origin="https://second.example.com").json()["token"]

    response = api_submit(api_data, token=token)

    assert response.status_code == 400
    assert response.json()["fields"]["token"][0]["code"] == "mismatch"
    assert table_counts() == (0, 0, 0)


def test_without_a_key_or_an_origin_a_submission_is_unauthorised(
    api_submit, api_data, landing_form
):
    response = api_submit(api_data, origin=None)

    assert response.status_code == 401
    assert table_counts() == (0, 0, 0)


def test_errors_are_the_html_forms_own_field_by_field(api_submit, landing_form):
    response = api_submit(
        {
            "account_name": "Bad\u200bname",
            "phone": "12",
            "email": "not-an-email",
            "consent_processing": False,
            "consent_marketing": True,
        }
    )

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["account_name"][0]["message"] == (
        "The name may not contain control or invisible characters."
    )
    assert fields["phone"][0]["code"]
    assert fields["email"][0]["message"]
    assert fields["consent_processing"][0]["message"] == (
        "Please agree to the processing of your personal data to send the form."
    )
    assert fields["consent_marketing"][0]["code"] == "needs"
    assert table_counts() == (0, 0, 0)


def test_errors_speak_the_language_the_form_was_shown_in(api_form, api_submit, landing_form):
    token = api_form(lang="ru").json()["token"]

    response = api_submit({"account_name": "", "phone": "", "email": ""}, token=token)

    assert response.json()["fields"]["consent_processing"][0]["message"] == (
        "Чтобы отправить форму, дайте согласие на обработку персональных данных."
    )


def test_wrong_types_and_missing_fields_are_field_errors_not_500(
    client, api_form, landing_form
):
    token = api_form().json()["token"]

    response = client.post(
        "/api/v1/forms/promo/submissions/",
        {"token": token, "account_name": 42, "consent_processing": "maybe"},
        content_type="application/json",
        headers={"Origin": PROMO_ORIGIN},
    )

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["account_name"][0]["message"] == "Enter text."
    assert fields["phone"][0]["message"] == "This field is required."
    assert fields["consent_processing"][0]["message"] == "Enter true or false."
    for body in ("not json", "[1, 2]", "null"):
        response = client.post(
            "/api/v1/forms/promo/submissions/",
            body,
            content_type="application/json",
            headers={"Origin": PROMO_ORIGIN},
        )
        assert response.status_code == 400, body
        assert response.json()["error"] == "invalid"
    assert table_counts() == (0, 0, 0)


def test_a_consent_the_form_does_not_ask_for_is_refused(api_submit, api_data, landing_form):
    response = api_submit({**api_data, "consent_advertising": True})

    assert response.status_code == 400
    assert response.json()["fields"]["consent_advertising"][0]["code"] == "not_offered"
    assert table_counts() == (0, 0, 0)


def test_a_forged_token_is_a_field_error(api_submit, api_data, landing_form):
    response = api_submit(api_data, token="forged")

    assert response.status_code == 400
    assert response.json()["fields"]["token"][0]["code"] == "invalid"


def test_texts_changed_since_the_token_answers_409_with_the_new_texts_and_stores_nothing(
    api_form, api_submit, api_data, landing_form
):
    token = api_form().json()["token"]
    new_version = publish(
        "We may also send you our magazine.",
        kind=DocumentKind.CONSENT_MARKETING,
        title="Consent to marketing communications",
    )

    response = api_submit({**api_data, "consent_marketing": True}, token=token)

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "texts_changed"
    assert body["message"].startswith("Our Privacy Policy or consent texts changed")
    texts = {text["kind"]: text for text in body["form"]["texts"]}
    assert texts["consent_marketing"]["version_id"] == new_version.pk
    assert texts["consent_marketing"]["sha256"] == new_version.text("en").sha256
    assert body["form"]["token"] != token
    assert table_counts() == (0, 0, 0)
    # With the new token it goes through, recorded under the new version.
    assert api_submit(api_data, token=body["form"]["token"]).status_code == 201
    record = ConsentRecord.objects.get(purpose=Purpose.MARKETING)
    assert record.consent_version == new_version


def test_an_expired_token_answers_409_with_a_fresh_form(api_submit, api_data, landing_form):
    # signing's max_age counts from the signature's own timestamp: sign in the past.
    with _signed_at(1_000_000):
        token = signing.dumps(_token_payload(landing_form), salt=FORM_TOKEN_SALT, compress=True)

    response = api_submit(api_data, token=token)

    assert response.status_code == 409
    assert response.json()["error"] == "form_expired"
    assert response.json()["form"]["token"]
    assert table_counts() == (0, 0, 0)


def test_the_same_token_twice_returns_the_first_lead(api_form, api_submit, api_data, landing_form):
    token = api_form().json()["token"]

    first = api_submit(api_data, token=token)
    again = api_submit(api_data, token=token)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert Lead.objects.count() == 1


def test_the_honeypot_is_answered_like_success_and_stores_nothing(
    api_submit, api_data, landing_form
):
    response = api_submit({**api_data, "website": "http://spam.example"})

    assert response.status_code == 201
    assert table_counts() == (0, 0, 0)


def test_browser_submissions_share_the_forms_per_ip_rate_limit(
    api_submit, api_data, landing_form, settings
):
    settings.LEAD_RATE_LIMIT = "2/m"
    statuses = [
        api_submit({**api_data, "email": f"p{n}@example.com"}).status_code for n in range(3)
    ]

    assert statuses == [201, 201, 429]
    assert Lead.objects.count() == 2


def test_the_default_form_is_reachable_through_the_api_too(api_form, published_documents):
    response = api_form(LandingForm.objects.default().slug, origin=None)

    assert response.status_code == 200
    assert [c["purpose"] for c in response.json()["consents"]] == [
        "processing",
        "marketing",
        "advertising",
    ]


def _token_payload(form: LandingForm) -> dict:
    from leads.services import documents_in_force, form_versions

    return {
        "n": "nonce-" + form.slug,
        "v": form_versions(form, documents_in_force()),
        "t": 1_900_000_000,
        "u": "",
        "r": "",
        "l": "en",
        "f": form.pk,
        "o": PROMO_ORIGIN,
    }


def _signed_at(seconds_ago: int):
    import time
    from unittest import mock

    return mock.patch("django.core.signing.time.time", return_value=time.time() - seconds_ago)


def test_a_body_over_the_limit_is_refused_in_json_before_it_is_read(client, landing_form):
    response = client.post(
        "/api/v1/forms/promo/submissions/",
        "x" * (64 * 1024 + 1),
        content_type="application/json",
        headers={"Origin": PROMO_ORIGIN},
    )

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert table_counts() == (0, 0, 0)


@pytest.mark.parametrize("page_url", ["http://[::1", "https://promo.example.com:99999/", "\x00"])
def test_a_malformed_page_url_is_recorded_as_the_origin_never_a_500(
    api_submit, api_data, landing_form, page_url
):
    response = api_submit({**api_data, "page_url": page_url})

    assert response.status_code == 201
    assert Lead.objects.get().page_url == f"{PROMO_ORIGIN}/"
