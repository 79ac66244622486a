from __future__ import annotations

import os
import tempfile

import pytest

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
