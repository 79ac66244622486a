from __future__ import annotations

import os
import tempfile
import uuid

import pytest
from django.contrib.auth.models import Group

from accounts.roles import GROUP_NAMES, Role
from leads.models import LandingForm, Lead
from privacy.consent.models import ConsentMethod
from privacy.consent.services import ConsentEntry, consent_records_append
from privacy.people.models import Decision, Purpose
from privacy.people.services import person_find_or_create
from tests.support.forms import form_token
from tests.support.staff import PASSWORD, VISIT

# Playwright drives Chromium from its own event loop; live_server tests then touch the ORM
# from that thread's perspective, which Django refuses unless told it is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home:
        os.environ["XDG_CONFIG_HOME"] = home
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def published_documents(db):
    """The first version of each legal document, as `make run` publishes them."""
    from django.core.management import call_command

    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from privacy.documents.models import DocumentKind, DocumentVersion

    return {kind: DocumentVersion.objects.in_force(kind) for kind in DocumentKind}


@pytest.fixture(autouse=True)
def anymail_test_backend(settings):
    """Send through anymail's test backend (Django's test setup swaps in locmem).

    It lands mail in django.core.mail.outbox like locmem, and also runs anymail's own
    processing (metadata, tags, the ESP message id in anymail_status), as a real ESP would.
    """
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters start at zero in every test (the cache has its own Redis db)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _register_guard_forgets():
    """The register's guard caches what it read for a minute: each test starts afresh."""
    from privacy.register.guard import guard_cache_clear

    guard_cache_clear()
    yield
    guard_cache_clear()


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves the request's language active in the thread: reset it."""
    from django.utils import translation

    yield
    translation.deactivate()


# -- Staff, one per role -------------------------------------------------------------------


def _member(django_user_model, email: str, role: Role | None):
    user = django_user_model.objects.create_user(email, PASSWORD, is_staff=True)
    if role is not None:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user


@pytest.fixture
def reviewer(django_user_model):
    return _member(django_user_model, "reviewer@example.com", Role.LEAD_REVIEWER)


@pytest.fixture
def officer(django_user_model):
    return _member(django_user_model, "officer@example.com", Role.PRIVACY_OFFICER)


@pytest.fixture
def publisher(django_user_model):
    return _member(django_user_model, "publisher@example.com", Role.POLICY_PUBLISHER)


@pytest.fixture
def campaign_manager(django_user_model):
    return _member(django_user_model, "campaigns@example.com", Role.CAMPAIGN_MANAGER)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root@example.com", PASSWORD)


@pytest.fixture
def make_lead(published_documents):
    """A lead as a submission stores it: the person, their consent records, the lead."""

    def _make(
        email: str = "anna@example.com",
        phone: str = "+79123456789",
        *,
        marketing: str = Decision.GRANTED,
        account_name: str = "Anna",
        **fields,
    ) -> Lead:
        person = person_find_or_create(email=email, phone=phone)
        policy = published_documents["privacy_policy"]
        consent_records_append(
            entries=[
                ConsentEntry(
                    person=person,
                    purpose=purpose,
                    decision=decision,
                    method=ConsentMethod.WEB_FORM,
                    wording_text=f"I agree: {purpose}",
                    visit=VISIT,
                    policy_version=policy,
                    consent_version=published_documents[f"consent_{purpose}"],
                    source="test",
                )
                for purpose, decision in (
                    (Purpose.PROCESSING, Decision.GRANTED),
                    (Purpose.MARKETING, marketing),
                    (Purpose.ADVERTISING, Decision.NOT_GIVEN),
                )
            ]
        )
        return Lead.objects.create(
            form=fields.pop("form", None) or LandingForm.objects.default(),
            person=person,
            account_name=account_name,
            email=email,
            phone=phone,
            language="en",
            submission_token=uuid.uuid4().hex,
            ip="203.0.113.7",
            user_agent="Mozilla/5.0",
            page_url="https://leadgen.example/?utm_source=yandex",
            utm_source=fields.pop("utm_source", "yandex"),
            **fields,
        )

    return _make


@pytest.fixture
def lead(make_lead):
    return make_lead()


# -- The lead form ---------------------------------------------------------------------------


@pytest.fixture
def valid_data():
    return {
        "account_name": "Acme Trading",
        "phone": "+7 912 345-67-89",
        "email": "ivan@example.com",
        "consent_processing": "on",
    }


@pytest.fixture
def submit(client, published_documents):
    """Open the form like a browser, then post it; returns the POST response."""

    def _submit(
        data: dict,
        *,
        path: str = "/",
        token: str | None = None,
        headers: dict | None = None,
        get_headers: dict | None = None,
        **extra,
    ):
        if token is None:
            token = form_token(client.get(path, headers=get_headers or {}))
        return client.post(path, {**data, "form_token": token}, headers=headers or {}, **extra)

    return _submit
