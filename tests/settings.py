"""Test settings: the production settings, read from the same environment, plus test doubles.

`make test` sets DATABASE_URL and REDIS_URL to the local PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadgen")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# The cache in its own Redis database, so tests can clear it without touching the broker.
# (An empty REDIS_URL, as bench/consent_log.py sets, means no Redis: in-process everything.)
if os.environ["REDIS_URL"]:
    _broker_db = int(os.environ["REDIS_URL"].rsplit("/", 1)[1] or 0)
    os.environ.setdefault(
        "REDIS_CACHE_URL", os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{_broker_db + 8}"
    )
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ.setdefault("MAIL_BACKEND", "anymail.backends.test.EmailBackend")
# Tests run tasks in-process unless a test starts a real worker.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from leadgen.settings import *  # noqa: F403

# Hashing passwords slowly is a production virtue and a test-suite cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files straight from the app folders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
