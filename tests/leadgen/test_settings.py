"""Configuration comes from the environment; production settings pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.database import database_url_of

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k3v!q9#Zp0xW7eR2tY5uI8oP1aS4dF6gH9jK2lZ5xC8vB3nM6-production-like",
    "ALLOWED_HOSTS": "leads.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://leads.example.com",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadgen"),
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    "SITE_URL": "https://leads.example.com",
    "PRIVACY_CONTACT_EMAIL": "privacy@example.com",
    "TRUSTED_PROXY_COUNT": "1",
    "MAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
    "ANYMAIL_POSTMARK_SERVER_TOKEN": "server-token",
    # The provider's own key also signs its webhook events (Unisender Go): check --deploy
    # wants every key the webhook needs (privacy.E001).
    "ANYMAIL_UNISENDER_GO_API_KEY": "unisender-go-api-key",
    "ANYMAIL_WEBHOOK_SECRET": "provider:9c1d6f0e8b7a4c3d2e1f0a9b8c7d6e5f",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only the basics of the machine: nothing the test settings put in this process leaks in.
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    # Nor a developer's .env from `make run`.
    clean["ENV_FILE"] = os.devnull
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_check_deploy_is_clean_under_production_settings():
    from django.db import connection

    # An e-mail provider in Russia: one abroad is held back until notified (tests/privacy/
    # register/test_guard.py).
    env = {
        **PRODUCTION_ENV,
        "MAIL_BACKEND": "anymail.backends.unisender_go.EmailBackend",
        "DATABASE_URL": database_url_of(connection),
    }
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("extra", "missing"),
    [
        ({"ANYMAIL_WEBHOOK_SECRET": ""}, "ANYMAIL_WEBHOOK_SECRET is not set"),
        (
            {"MAIL_BACKEND": "anymail.backends.mailgun.EmailBackend"},
            "MAILGUN_WEBHOOK_SIGNING_KEY",
        ),
    ],
)
def test_check_deploy_fails_for_a_provider_whose_webhook_cannot_check_signatures(extra, missing):
    result = manage("check", "--deploy", env={**PRODUCTION_ENV, **extra})

    assert result.returncode != 0
    assert "privacy.E001" in result.stderr + result.stdout
    assert missing in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT must be 0 or more"),
        ("CONN_MAX_AGE", "a minute", "CONN_MAX_AGE is malformed"),
        ("RIGHTS_CONFIRM_LINK_HOURS", "1.5h", "RIGHTS_CONFIRM_LINK_HOURS is malformed"),
        ("DEBUG", "perhaps", "DEBUG is malformed"),
        ("LEAD_RATE_LIMIT", "10 per minute", "LEAD_RATE_LIMIT: A rate looks like '10/m'"),
        ("RIGHTS_REQUEST_RATE_LIMIT", "5/week", "RIGHTS_REQUEST_RATE_LIMIT: A rate looks like"),
        ("SECOND_APPROVAL_FOR", "erasure,everything", "SECOND_APPROVAL_FOR may name erasure"),
        ("LEGAL_LANGUAGES", "ru,de", "LEGAL_LANGUAGES: 'de' is not one of the site's languages"),
        ("LEGAL_LANGUAGES", "ru,ru", "LEGAL_LANGUAGES must name one or more languages, each once"),
        ("STANDIN_SCRIPTS", "true", "STANDIN_SCRIPTS is for development: it needs DEBUG on"),
        ("PORT", "eighty", "PORT is malformed"),
    ],
)
def test_a_malformed_value_fails_at_start_up_naming_the_variable(name, value, message):
    result = manage("check", env={**PRODUCTION_ENV, name: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({"DEBUG": "true", "PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"DEBUG": "true"}, "http://127.0.0.1:8000"),
        ({"DEBUG": "true", "PORT": "8123", "SITE_URL": "https://dev.example/"}, "https://dev.example"),
    ],
)
def test_the_sites_address_follows_the_port_unless_it_is_set(env, site_url):
    script = "from django.conf import settings; print(settings.SITE_URL)"
    result = manage("shell", "-c", script, env={"DATABASE_URL": "sqlite:///:memory:", **env})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == site_url


def test_anymail_settings_come_from_the_environment():
    script = "from django.conf import settings; print(settings.ANYMAIL, settings.MAILERS)"
    result = manage("shell", "-c", script, env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "'POSTMARK_SERVER_TOKEN': 'server-token'" in result.stdout
    assert "anymail.backends.postmark.EmailBackend" in result.stdout


def test_env_example_documents_every_setting_the_code_reads():
    settings_source = (ROOT / "leadgen" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()
    import re

    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.M))
    assert read - documented == set()
    lines = example.splitlines()
    for name in read:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}="))
        while lines[index - 1][:1].isupper():  # a group of variables shares one comment
            index -= 1
        assert lines[index - 1].startswith("#"), f"{name} has no comment above it"
