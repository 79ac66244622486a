"""The banner's choice on the server: scripts, CSP, records, cookies, without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from privacy.consent.models import ConsentMethod, ConsentRecord
from privacy.consent.verify import consent_log_verify
from privacy.cookies.banner import CHOICE_COOKIE, choice_decode
from privacy.cookies.views import UNKNOWN_CATEGORY
from privacy.people.models import Decision
from tests.support.cookies import GA_ID, METRICA_ID, ROISTAT_ID, VK_ID, csp_nonce

pytestmark = pytest.mark.django_db

SCRIPT_MARKERS = {
    "yandex_metrica": "https://mc.yandex.ru/metrika/tag.js",
    "google_analytics": f"https://www.googletagmanager.com/gtag/js?id={GA_ID}",
    "roistat": f"/api/site/1.0/{ROISTAT_ID}/init",
    "vk_ads": "https://top-fwz1.mail.ru/js/code.js",
}
HOSTS = ["mc.yandex.ru", "googletagmanager.com", "cloud.roistat.com", "top-fwz1.mail.ru"]


def test_no_statistics_script_is_in_the_page_before_consent(
    client, all_scripts, published_documents
):
    response = client.get("/")

    assert 'id="cookie-banner"' in response.text
    assert "hidden" not in re.search(r"<section id=\"cookie-banner\"[^>]*>", response.text).group(0)
    for marker in [*SCRIPT_MARKERS.values(), METRICA_ID, VK_ID]:
        assert marker not in response.text
    for host in HOSTS:
        assert host not in response["Content-Security-Policy"]


def test_accept_all_renders_each_script_with_the_csp_nonce_and_allows_its_host(
    client, all_scripts, choose
):
    answer = choose("accept_all")
    assert answer.status_code == 303 and answer["Location"] == "/"

    page = client.get("/")
    nonce = csp_nonce(page)
    for key, marker in SCRIPT_MARKERS.items():
        tags = re.findall(rf"<script[^>]*data-(?:analytics|advertising)=\"{key}\"[^>]*>", page.text)
        assert tags, f"{key} is rendered"
        assert all(f'nonce="{nonce}"' in tag for tag in tags)
        assert marker in page.text
    for host in HOSTS:
        assert host in page["Content-Security-Policy"]
    assert 'ad_storage:"granted"' in page.text
    # The banner stays in the page, hidden, for the footer link to reopen.
    assert re.search(r'<section id="cookie-banner"[^>]* hidden>', page.text)


def test_a_script_whose_id_is_unset_is_never_rendered(client, settings, choose):
    settings.YANDEX_METRICA_ID = METRICA_ID

    choose("accept_all")
    page = client.get("/")

    assert SCRIPT_MARKERS["yandex_metrica"] in page.text
    for key in ("google_analytics", "roistat", "vk_ads"):
        assert SCRIPT_MARKERS[key] not in page.text
    assert "googletagmanager.com" not in page["Content-Security-Policy"]
    # Advertising has no script behind it, so it is not offered (nor recorded).
    assert 'value="advertising"' not in page.text
    assert list(ConsentRecord.objects.values_list("purpose", flat=True)) == ["analytics"]


def test_every_choice_is_a_chained_consent_record_of_the_anonymous_visitor(
    client, all_scripts, choose
):
    choose("accept_all", HTTP_USER_AGENT="Mozilla/5.0 Test", REMOTE_ADDR="203.0.113.9")
    visitor = choice_decode(client.cookies[CHOICE_COOKIE].value).visitor_id
    choose("reject_all")

    records = list(ConsentRecord.objects.order_by("seq"))
    assert [(r.purpose, r.decision, r.method) for r in records] == [
        ("analytics", Decision.GRANTED, ConsentMethod.COOKIE_BANNER),
        ("advertising", Decision.GRANTED, ConsentMethod.COOKIE_BANNER),
        ("analytics", Decision.DENIED, ConsentMethod.COOKIE_BANNER),
        ("advertising", Decision.DENIED, ConsentMethod.COOKIE_BANNER),
    ]
    assert {r.source for r in records} == {f"visitor:{visitor}"}
    first = records[0]
    assert (first.person, first.ip, first.user_agent) == (None, "203.0.113.9", "Mozilla/5.0 Test")
    assert first.page_url == "http://testserver/"
    assert "Cookie banner, version 1" in first.wording.text
    assert "Yandex.Metrica, Google Analytics, Roistat" in first.wording.text
    assert consent_log_verify() is None


def test_reject_all_leaves_no_analytics_cookie(client, all_scripts, choose):
    client.cookies["_ga"] = "GA1.1.123.456"
    client.cookies["_ga_TEST1234"] = "GS1.1.1700000000"
    client.cookies["_ym_uid"] = "1700000000123"
    client.cookies["roistat_visit"] = "42"
    client.cookies["csrftoken"] = "x" * 32

    answer = choose("reject_all")

    deleted = {m.key for m in answer.cookies.values() if m["max-age"] == 0}
    assert deleted == {"_ga", "_ga_TEST1234", "_ym_uid", "roistat_visit"}
    page = client.get("/")
    assert [
        name for name in ("_ga", "_ym_uid", "roistat_visit") if client.cookies[name].value
    ] == []
    for marker in SCRIPT_MARKERS.values():
        assert marker not in page.text


def test_cookies_set_on_the_parent_domain_are_deleted_there_too(client, all_scripts, choose):
    all_scripts.ALLOWED_HOSTS = ["www.leads.example.com"]
    client.cookies["_ga"] = "GA1.1.123.456"

    answer = choose("reject_all", HTTP_HOST="www.leads.example.com")

    domains = {m["domain"] for m in answer.cookies.values() if m.key == "_ga"}
    assert domains == {"", ".www.leads.example.com", ".leads.example.com", ".example.com"}


def test_choosing_by_category_grants_only_what_was_ticked(client, all_scripts, choose):
    choose("save", ("analytics",))
    page = client.get("/")

    assert SCRIPT_MARKERS["yandex_metrica"] in page.text
    assert SCRIPT_MARKERS["vk_ads"] not in page.text
    assert 'ad_storage:"denied"' in page.text
    assert list(ConsentRecord.objects.values_list("purpose", "decision")) == [
        ("analytics", Decision.GRANTED),
        ("advertising", Decision.DENIED),
    ]


def test_without_javascript_the_banner_form_posts_and_the_page_reloads(
    all_scripts, published_documents
):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/privacy/?utm_source=x")
    form = re.search(
        r'<form method="post" action="([^"]+)" class="cookie-choice">(.*?)</form>', page.text, re.S
    )
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(2)))

    answer = browser.post(form.group(1), {**fields, "action": "accept_all"})

    assert answer.status_code == 303
    assert answer["Location"] == "/privacy/?utm_source=x"
    reloaded = browser.get(answer["Location"])
    assert SCRIPT_MARKERS["yandex_metrica"] in reloaded.text


def test_the_choice_needs_the_csrf_token(all_scripts, published_documents):
    response = Client(enforce_csrf_checks=True).post(
        "/privacy/cookies/choice/", {"action": "accept_all"}
    )

    assert response.status_code == 403
    assert ConsentRecord.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"action": "save", "category": ["analytics", "marketing"]},
        {"action": "save", "category": ["necessary"]},
        {"action": "grant_everything"},
        {},
    ],
)
def test_a_forged_choice_gets_a_clear_error_and_changes_nothing(client, all_scripts, choose, data):
    response = client.post("/privacy/cookies/choice/", data)

    assert response.status_code == 400
    assert "Your choice was not saved" in response.text
    assert ConsentRecord.objects.count() == 0
    assert CHOICE_COOKIE not in response.cookies


def test_an_unknown_category_is_named_in_the_error(client, all_scripts, choose):
    response = client.post("/privacy/cookies/choice/", {"action": "save", "category": "marketing"})

    assert str(UNKNOWN_CATEGORY % {"value": "marketing"}) in response.content.decode()


def test_a_next_address_on_another_site_is_not_followed(client, all_scripts, choose):
    answer = choose("reject_all", next_url="https://evil.example/")

    assert answer["Location"] == "/privacy/cookies/"


def test_a_forged_choice_cookie_counts_as_no_choice(client, all_scripts, published_documents):
    client.cookies[CHOICE_COOKIE] = "eyJ2IjoiMSJ9:forged:signature"

    page = client.get("/")

    assert SCRIPT_MARKERS["yandex_metrica"] not in page.text
    assert not re.search(r'<section id="cookie-banner"[^>]* hidden>', page.text)


def test_without_a_policy_in_force_the_choice_is_not_saved(client, all_scripts, db):
    response = client.post("/privacy/cookies/choice/", {"action": "accept_all", "next": "/"})

    assert response.status_code == 503
    assert CHOICE_COOKIE not in response.cookies


def test_a_page_without_the_scripts_keeps_the_strict_policy_after_consent(
    client, all_scripts, choose
):
    choose("accept_all")

    admin_login = client.get("/admin/login/")

    assert admin_login.status_code == 200
    for host in HOSTS:
        assert host not in admin_login["Content-Security-Policy"]


def test_a_flood_of_choices_is_refused_and_adds_nothing_to_the_log(
    client, all_scripts, choose, settings
):
    settings.COOKIE_CHOICE_RATE_LIMIT = "2/m"
    assert choose("accept_all").status_code == 303
    assert choose("reject_all").status_code == 303
    records = ConsentRecord.objects.count()

    response = choose("accept_all")

    assert response.status_code == 429
    assert ConsentRecord.objects.count() == records


def test_the_demos_stand_ins_show_the_banner_and_are_no_processor_of_the_register(
    client, published_documents, settings
):
    from privacy.register.integrations import integrations_configured

    settings.STANDIN_SCRIPTS = True

    page = client.get("/")

    assert page.status_code == 200
    assert 'id="cookie-banner"' in page.text
    assert "Demo statistics (a local stand-in, no network)" in client.get("/privacy/cookies/").text
    assert [i.key for i in integrations_configured() if "standin" in i.key] == []
