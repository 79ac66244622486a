"""A foreign processor gets no data until its cross-border notice is recorded and its wait is
over: `check --deploy` fails in production, and the cookie banner leaves the script out while
telling staff why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from privacy.cookies.banner import scripts_configured
from privacy.register.clocks import cross_border_may_start
from privacy.register.integrations import EMAIL_PROVIDERS, SCRIPT_VENDORS
from privacy.register.selectors import notice_facts
from tests.leadgen.test_settings import PRODUCTION_ENV, manage
from tests.support.cookies import GA_ID, METRICA_ID
from tests.support.database import database_url_of
from tests.support.register import (
    LONG_AGO,
    cross_border_notice,
    integration_processor,
    operator_notified,
)

GA = SCRIPT_VENDORS["google_analytics"]
POSTMARK = EMAIL_PROVIDERS["postmark"]


def _check_deploy(**env: str):
    production = {
        **PRODUCTION_ENV,
        "MAIL_BACKEND": "anymail.backends.unisender_go.EmailBackend",
        "DATABASE_URL": database_url_of(connection),
        **env,
    }
    return manage("check", "--deploy", "--fail-level", "ERROR", env=production)


@pytest.mark.django_db(transaction=True)
def test_check_deploy_fails_while_google_analytics_is_not_notified_and_passes_after_the_wait():
    no_notice = _check_deploy(GOOGLE_ANALYTICS_ID=GA_ID)
    assert no_notice.returncode != 0
    assert "privacy.E305" in no_notice.stderr  # first the operator's own Art. 22 notification

    operator_notified()
    not_notified = _check_deploy(GOOGLE_ANALYTICS_ID=GA_ID)
    assert "privacy.E301" in not_notified.stderr and "Google LLC" in not_notified.stderr

    ga = integration_processor(GA)
    notice = cross_border_notice([ga], received_on=timezone.localdate() - timedelta(days=3))
    start = cross_border_may_start(notice_facts(notice))
    waiting = _check_deploy(GOOGLE_ANALYTICS_ID=GA_ID)
    assert waiting.returncode != 0
    assert "privacy.E302" in waiting.stderr and start.strftime("%d.%m.%Y") in waiting.stderr

    notice.received_by_rkn_on = timezone.localdate() - LONG_AGO
    notice.save()
    released = _check_deploy(GOOGLE_ANALYTICS_ID=GA_ID)
    assert released.returncode == 0, released.stderr


@pytest.mark.django_db(transaction=True)
def test_check_deploy_holds_a_foreign_mail_provider_and_names_an_open_request_or_a_ban():
    operator_notified()
    postmark = integration_processor(POSTMARK)
    notice = cross_border_notice(
        [postmark],
        received_on=timezone.localdate() - LONG_AGO,
        request_received_on=timezone.localdate() - timedelta(days=50),
    )

    asked = _check_deploy(MAIL_BACKEND="anymail.backends.postmark.EmailBackend")
    assert asked.returncode != 0 and "privacy.E303" in asked.stderr

    notice.request_answered_on = timezone.localdate() - timedelta(days=45)
    notice.decision = "ban"
    notice.save()
    banned = _check_deploy(MAIL_BACKEND="anymail.backends.postmark.EmailBackend")
    assert banned.returncode != 0 and "privacy.E304" in banned.stderr

    # Russian integrations need no notice.
    assert _check_deploy(YANDEX_METRICA_ID=METRICA_ID).returncode == 0


def test_check_deploy_fails_when_it_cannot_read_the_register_for_a_foreign_processor():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "ERROR",
        env={**PRODUCTION_ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/none"},
    )

    assert result.returncode != 0 and "privacy.E300" in result.stderr


# -- the cookie banner ----------------------------------------------------------------------


@pytest.fixture
def analytics(settings, db):
    settings.GOOGLE_ANALYTICS_ID = GA_ID
    settings.YANDEX_METRICA_ID = METRICA_ID
    return settings


def test_the_banner_leaves_out_a_script_whose_vendor_abroad_is_not_notified(analytics, client):
    page = client.get("/privacy/cookies/")

    assert [s.key for s in scripts_configured()] == ["yandex_metrica"]
    assert "Yandex.Metrica" in page.text
    assert "Google Analytics" not in page.text
    assert "configured but not loaded" not in page.text  # visitors are not told


def test_staff_see_why_the_script_is_held_back(analytics, client, officer):
    client.force_login(officer)

    page = client.get("/privacy/cookies/")

    assert "configured but not loaded" in page.text
    assert "Google LLC" in page.text and "Art. 12" in page.text


def test_staff_hear_of_a_held_script_even_when_the_banner_has_nothing_to_offer(
    settings, client, officer, published_documents
):
    settings.GOOGLE_ANALYTICS_ID = GA_ID
    client.force_login(officer)

    page = client.get("/")

    assert 'id="cookie-banner"' not in page.text
    assert "configured but not loaded" in page.text


def test_after_the_wait_the_script_is_offered_and_rendered(analytics, client, published_documents):
    from tests.support.register import released

    released("google_analytics")

    assert [s.key for s in scripts_configured()] == ["yandex_metrica", "google_analytics"]
    answer = client.post("/privacy/cookies/choice/", {"action": "accept_all", "next": "/"})
    assert answer.status_code == 303
    page = client.get("/")
    assert "googletagmanager.com" in page["Content-Security-Policy"]
    assert f"gtag/js?id={GA_ID}" in page.text
