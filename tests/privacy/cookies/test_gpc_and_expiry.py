"""Global Privacy Control, the choice's expiry and re-asking, the cookie list, caches, links."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime

import pytest

from leads.models import Lead
from privacy.consent.models import ConsentMethod, ConsentRecord
from privacy.cookies.banner import CHOICE_COOKIE, CookieChoice, choice_encode
from privacy.cookies.models import VisitorLink, visitor_source
from privacy.people.models import Decision
from tests.support.cookies import METRICA_ID

pytestmark = pytest.mark.django_db

GPC = {"HTTP_SEC_GPC": "1"}
METRICA = "https://mc.yandex.ru/metrika/tag.js"
VK = "https://top-fwz1.mail.ru/js/code.js"
HIDDEN_BANNER = re.compile(r'<section id="cookie-banner"[^>]* hidden>')


def test_gpc_is_honoured_as_a_refusal_of_advertising(client, all_scripts, choose):
    page = client.get("/", **GPC)
    assert "Global Privacy Control signal" in page.text
    assert re.search(r'id="cookie-category-advertising"[^>]*disabled', page.text, re.S)

    choose("accept_all", **GPC)
    page = client.get("/", **GPC)

    assert METRICA in page.text
    assert VK not in page.text
    assert "top-fwz1.mail.ru" not in page["Content-Security-Policy"]
    assert list(ConsentRecord.objects.values_list("purpose", "decision", "method")) == [
        ("analytics", Decision.GRANTED, ConsentMethod.COOKIE_BANNER),
        ("advertising", Decision.DENIED, ConsentMethod.GPC),
    ]


def test_a_gpc_signal_sent_later_still_stops_advertising(client, all_scripts, choose):
    choose("accept_all")

    assert VK in client.get("/").text
    assert VK not in client.get("/", **GPC).text


def test_gpc_can_be_configured_to_refuse_analytics_too(client, all_scripts, choose):
    all_scripts.GPC_REFUSES_ANALYTICS = True

    choose("accept_all", **GPC)
    page = client.get("/", **GPC)

    assert "refusal of advertising and analytics" in page.text
    assert METRICA not in page.text and VK not in page.text
    assert set(ConsentRecord.objects.values_list("decision", "method")) == {
        (Decision.DENIED, ConsentMethod.GPC)
    }


def test_gpc_json_is_served_as_the_specification_describes(client):
    response = client.get("/.well-known/gpc.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["gpc"] is True
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["lastUpdate"])


def _choice_cookie(*, scripts: set[str], version: str = "1") -> str:
    chosen = datetime.fromtimestamp(time.time(), tz=UTC)
    return choice_encode(
        CookieChoice(
            visitor_id=uuid.uuid4(),
            granted=frozenset({"analytics", "advertising"}),
            scripts=frozenset(scripts),
            banner_version=version,
            chosen_at=chosen,
        )
    )


def test_the_choice_expires_after_the_configured_period(
    client, all_scripts, published_documents, monkeypatch
):
    all_scripts.COOKIE_CONSENT_MAX_AGE_DAYS = 30
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 31 * 86400)
    value = _choice_cookie(scripts={"yandex_metrica", "google_analytics", "roistat", "vk_ads"})
    monkeypatch.setattr(time, "time", real_time)
    client.cookies[CHOICE_COOKIE] = value

    page = client.get("/")

    assert METRICA not in page.text
    assert not HIDDEN_BANNER.search(page.text)


def test_a_choice_within_the_period_is_kept(client, all_scripts, published_documents):
    client.cookies[CHOICE_COOKIE] = _choice_cookie(
        scripts={"yandex_metrica", "google_analytics", "roistat", "vk_ads"}
    )

    page = client.get("/")

    assert METRICA in page.text
    assert HIDDEN_BANNER.search(page.text)


def test_a_new_script_asks_again_and_stays_off_until_chosen(client, settings, choose):
    settings.YANDEX_METRICA_ID = METRICA_ID
    choose("accept_all")
    settings.GOOGLE_ANALYTICS_ID = "G-NEWSCRIPT"

    page = client.get("/")

    assert not HIDDEN_BANNER.search(page.text), "the banner asks again"
    assert METRICA in page.text, "what was consented to stays"
    assert "G-NEWSCRIPT" not in page.text


def test_a_new_banner_version_asks_again(client, all_scripts, choose):
    choose("reject_all")
    assert HIDDEN_BANNER.search(client.get("/").text)

    all_scripts.COOKIE_BANNER_VERSION = "2"

    assert not HIDDEN_BANNER.search(client.get("/").text)


def test_the_cookie_page_lists_each_cookie_from_the_configuration(client, all_scripts):
    page = client.get("/privacy/cookies/")

    assert page.status_code == 200
    for text in (
        "Strictly necessary",
        "csrftoken",
        "cookie_consent",
        "Yandex.Metrica",
        "_ym_uid",
        "Google Analytics",
        "_ga",
        "Roistat",
        "roistat_visit",
        "VK Ads pixel",
        "2 years",
    ):
        assert text in page.text
    assert 'action="/privacy/cookies/choice/"' in page.text


def test_the_cookie_page_says_when_only_necessary_cookies_are_used(client, db):
    page = client.get("/privacy/cookies/")

    assert "only strictly necessary cookies" in page.text
    assert "_ym_uid" not in page.text
    assert 'id="cookie-banner"' not in client.get("/privacy/cookies/").text


def test_the_footer_links_to_the_cookie_settings_from_every_page(client, published_documents):
    page = client.get("/privacy/")

    assert 'href="/privacy/cookies/?next=/privacy/#cookie-settings"' in page.text


def test_a_cached_page_is_not_revalidated_across_a_change_of_choice(client, all_scripts, choose):
    first = client.get("/privacy/")
    assert client.get("/privacy/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert "Cookie" in first["Vary"] and "Sec-GPC" in first["Vary"]

    choose("accept_all", next_url="/privacy/")
    again = client.get("/privacy/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert METRICA in again.text


def test_the_lead_form_links_the_browsers_choices_to_the_person(
    client, all_scripts, choose, submit, valid_data
):
    choose("accept_all")
    choose("save", ("analytics",))

    submit(valid_data)

    person = Lead.objects.get().person
    link = VisitorLink.objects.get()
    assert link.person == person
    sources = [visitor_source(link.visitor_id)]
    records = ConsentRecord.objects.filter(source__in=sources).order_by("seq")
    assert [(r.purpose, r.decision) for r in records] == [
        ("analytics", "granted"),
        ("advertising", "granted"),
        ("analytics", "granted"),
        ("advertising", "denied"),
    ]
    assert all(r.person_id is None for r in records), "the log itself is never updated"


def test_the_banner_speaks_russian(client, all_scripts, published_documents):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")

    assert "Принять все" in page.text
    assert "Отклонить все" in page.text
