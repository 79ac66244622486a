"""CSRF, honeypot, rate limits, body caps, forged proxy headers and hostile values."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.models import Lead
from privacy.consent.models import ConsentRecord
from tests.support.forms import form_token, table_counts

pytestmark = pytest.mark.django_db


def test_a_post_without_the_csrf_token_is_refused_and_stores_nothing(
    published_documents, valid_data
):
    client = Client(enforce_csrf_checks=True)
    token = form_token(client.get("/"))
    client.cookies.clear()

    response = client.post("/", {**valid_data, "form_token": token})

    assert response.status_code == 403
    assert table_counts() == (0, 0, 0)


def test_submissions_over_the_rate_limit_get_a_friendly_429(submit, valid_data, settings):
    settings.LEAD_RATE_LIMIT = "3/m"
    statuses = [submit({**valid_data, "phone": "1"}).status_code for _ in range(3)]

    response = submit(valid_data)

    assert statuses == [400, 400, 400]
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert table_counts() == (0, 0, 0)


def test_the_rate_limit_is_per_client_address(submit, valid_data, settings):
    settings.LEAD_RATE_LIMIT = "1/m"
    assert submit({**valid_data, "phone": "1"}, REMOTE_ADDR="198.51.100.1").status_code == 400
    assert submit(valid_data, REMOTE_ADDR="198.51.100.1").status_code == 429

    other = submit(valid_data, REMOTE_ADDR="198.51.100.2")

    assert other.status_code == 303


def test_a_forged_forwarded_for_header_neither_changes_the_ip_nor_evades_the_limit(
    client, published_documents, valid_data, settings
):
    settings.LEAD_RATE_LIMIT = "1/m"
    settings.TRUSTED_PROXY_COUNT = 0
    token = form_token(client.get("/"))

    first = client.post(
        "/", {**valid_data, "form_token": token}, headers={"X-Forwarded-For": "203.0.113.9"}
    )
    second = client.post(
        "/", {**valid_data, "form_token": token}, headers={"X-Forwarded-For": "203.0.113.10"}
    )

    assert first.status_code == 303
    assert second.status_code == 429
    assert Lead.objects.get().ip == "127.0.0.1"


def test_behind_one_trusted_proxy_the_address_it_saw_is_recorded(submit, valid_data, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    submit(valid_data, headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.5"})

    assert Lead.objects.get().ip == "203.0.113.5"
    assert set(ConsentRecord.objects.values_list("ip", flat=True)) == {"203.0.113.5"}


def test_a_cache_outage_does_not_cost_the_visitor_the_submission(submit, valid_data, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "leadgen.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    response = submit(valid_data)

    assert response.status_code == 303
    assert Lead.objects.count() == 1


def test_an_oversized_body_gets_413_and_stores_nothing(submit, valid_data):
    response = submit({**valid_data, "account_name": "x" * 70_000})

    assert response.status_code == 413
    assert "larger than this form accepts" in response.text
    assert table_counts() == (0, 0, 0)


def test_long_and_hostile_headers_are_cut_not_rejected(submit, valid_data):
    response = submit(
        valid_data,
        path="/?utm_source=" + "s" * 5000 + "&utm_campaign=%00%01bad",
        headers={"User-Agent": "UA" * 5000 + "\x7f", "X-Forwarded-For": "not-an-ip"},
        get_headers={"Referer": "https://ref.example/" + "r" * 9000},
    )

    assert response.status_code == 303
    lead = Lead.objects.get()
    assert len(lead.user_agent) == 512
    assert len(lead.utm_source) == 200
    assert lead.utm_campaign == "bad"
    assert len(lead.referrer) == 2048


ANALYTICS_CONFIGURED = override_settings(YANDEX_METRICA_ID="98765432")


@ANALYTICS_CONFIGURED
def test_analytics_identifiers_are_recorded_from_cookies_under_analytics_consent(
    client, submit, valid_data
):
    client.post("/privacy/cookies/choice/", {"action": "accept_all", "next": "/"})
    client.cookies["_ga"] = "GA1.1.123.456"
    client.cookies["_ym_uid"] = "1700000000123"
    client.cookies["roistat_visit"] = "42"

    submit(valid_data)

    lead = Lead.objects.get()
    assert (lead.ga_client_id, lead.ym_uid, lead.roistat_visit) == (
        "GA1.1.123.456",
        "1700000000123",
        "42",
    )


@ANALYTICS_CONFIGURED
@pytest.mark.parametrize("choice", [None, "reject_all"])
def test_analytics_identifiers_are_not_recorded_without_analytics_consent(
    client, submit, valid_data, choice
):
    if choice:
        client.post("/privacy/cookies/choice/", {"action": choice, "next": "/"})
    client.cookies["_ga"] = "GA1.1.123.456"
    client.cookies["_ym_uid"] = "1700000000123"
    client.cookies["roistat_visit"] = "42"

    submit(valid_data)

    lead = Lead.objects.get()
    assert (lead.ga_client_id, lead.ym_uid, lead.roistat_visit) == ("", "", "")


FIELD_VALUES = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.sampled_from(["", " ", "\x00", "<script>", "+7", "@", "a@b", "null", "☃" * 200]),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    account_name=FIELD_VALUES,
    phone=FIELD_VALUES,
    email=FIELD_VALUES,
    consent_processing=st.sampled_from(["on", "", "off", "\x00", None]),
    consent_marketing=st.sampled_from(["on", "", None]),
    user_agent=st.text(max_size=100).filter(lambda v: "\n" not in v and "\r" not in v),
)
def test_no_input_causes_a_server_error_and_invalid_input_stores_nothing(
    client,
    published_documents,
    account_name,
    phone,
    email,
    consent_processing,
    consent_marketing,
    user_agent,
    settings,
):
    settings.LEAD_RATE_LIMIT = "1000000/m"
    data = {"account_name": account_name, "phone": phone, "email": email}
    for name, value in (
        ("consent_processing", consent_processing),
        ("consent_marketing", consent_marketing),
    ):
        if value is not None:
            data[name] = value
    data["form_token"] = form_token(client.get("/"))
    before = table_counts()

    response = client.post("/", data, headers={"User-Agent": user_agent})

    assert response.status_code in {303, 400}
    if response.status_code == 400:
        assert table_counts() == before
