"""Settings for leadgen, read from the environment only (see .env.example).

Every difference between development, test and production is an environment variable.
Production secrets have no default: with DEBUG off, a missing SECRET_KEY fails loudly.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent



class Env(environ.Env):
    """django-environ, with a malformed value named in ImproperlyConfigured at start-up.

    Booleans too: django-environ reads any unknown word as False, so a misspelt "ture" for
    SECURE_SSL_REDIRECT would quietly switch a protection off.
    """

    BOOLEANS = frozenset({"true", "false", "on", "off", "yes", "no", "y", "n", "t", "f", "1", "0"})

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        raw = self.ENVIRON.get(var)
        if cast is bool and raw is not None and raw.strip().lower() not in self.BOOLEANS:
            raise ImproperlyConfigured(f"{var} is malformed: {raw!r} is not true or false.")
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(f"{var} is malformed: {exc}") from exc


env = Env()
# An optional .env beside manage.py, for operators who prefer a file; real environment wins.
# The first `make run` writes one for development (DEBUG on, a generated key), so manage.py
# commands run by hand afterwards work too. ENV_FILE names another file (tests use their own).
ENV_FILE = Path(os.environ.get("ENV_FILE", BASE_DIR / ".env"))
environ.Env.read_env(ENV_FILE, overwrite=False)



def _rate(name: str, *, default: str) -> str:
    """A rate limit like '10/m', checked now rather than on the first request it limits."""
    from privacy.people.ratelimit import parse_rate

    value = env.str(name, default=default)
    try:
        parse_rate(value)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from exc
    return value


DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: `check --deploy` flags this prefix, so it never passes for production.
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The port `make run` serves on (runserver); the site's own address follows it unless SITE_URL
# is set, so every link in e-mails and receipts of a development run opens on that port.
PORT = env.int("PORT", default=8000)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Leadgen")
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="privacy@example.com")
# Controller named in consent receipts and e-mails (clause 1 of the policy: the operator).
CONTROLLER_NAME = env.str("CONTROLLER_NAME", default=SITE_NAME)

# How many reverse proxies in front of the app append to X-Forwarded-For. 0 means the
# header is ignored and REMOTE_ADDR is the client; a header is never trusted blindly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "anymail",
    "axes",
    # The API (leads/api.py): OpenAPI schema and its interactive docs from local static files.
    "ninja",
    "corsheaders",
    "accounts",
    "privacy",
    "leads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that can answer early, so refusals to a browser carry the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The admin links a read-only related object only when the viewer may open its page.
    "accounts.admin_links.AdminViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # After the CSP middleware, so its response hook runs first: it widens the policy for the
    # statistics scripts a response renders under consent, and keeps caches consent-aware.
    "privacy.cookies.middleware.CookieConsentMiddleware",
    # Refusals before any view reads the body, after the security headers' middlewares so
    # their pages carry CSP and X-Frame-Options too (an early answer skips those listed later).
    "leadgen.middleware.RequestBodyLimitMiddleware",
    "leadgen.middleware.FormEncodingMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "leadgen.urls"
# A form posted without a valid CSRF token gets the site's own 403 page, saying what to do.
CSRF_FAILURE_VIEW = "leadgen.views.csrf_failure"
WSGI_APPLICATION = "leadgen.wsgi.application"
ASGI_APPLICATION = "leadgen.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "leadgen.context_processors.site",
            ],
        },
    },
]

# Embedded default: SQLite, so `make run` needs no service. Production and tests: PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Staff login attempts are counted by django-axes, which must come first among the backends.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
# A lockout holds one account from one address: a stranger cannot lock a colleague out from
# elsewhere, and one address cannot guess one account's password beyond the limit.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The admin login form's field; axes would otherwise look for USERNAME_FIELD ("email").
AXES_USERNAME_FORM_FIELD = "username"
# The same client address as everywhere else (X-Forwarded-For only through trusted proxies).
AXES_CLIENT_IP_CALLABLE = "privacy.people.visits.client_ip"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Redis, when configured, is the Celery broker and the cache (rate limits live in the cache,
# so they hold across processes and hosts). Without it: a local-memory cache and tasks that
# run in-process, which is what `make run` needs on a machine with no services.
REDIS_URL = env.str("REDIS_URL", default="")
# Seconds to wait for Redis before giving up: a dead broker must not stall a visitor.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "leadgen.cache.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "leadgen",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_CONNECT_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Messages and their state live in PostgreSQL (the outbox), so no result backend is needed;
# with one, the first publish against a dead Redis hangs ~19 s on result-store retries.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": 5,
    # Longer than the slowest task, so an unacknowledged task is not redelivered while alive.
    "visibility_timeout": 3600,
}
CELERY_BEAT_SCHEDULE = {
    # The outbox's safety net: messages the broker never got (it was down) or lost.
    "sweep-messages": {"task": "privacy.outbox.tasks.sweep_messages", "schedule": 60.0},
    "restart-stalled-campaigns": {
        "task": "leads.tasks.restart_stalled_campaigns",
        "schedule": 60.0,
    },
    # Privacy officers hear every morning of the blocks whose review date has passed.
    "mail-overdue-blocks": {
        "task": "privacy.outbox.tasks.mail_overdue_blocks",
        "schedule": crontab(hour=7, minute=0),
    },
    # Rights requests due soon or overdue, mailed to officers; stale unconfirmed ones purged.
    "mail-due-rights-requests": {
        "task": "privacy.rights.tasks.mail_due_requests",
        "schedule": crontab(hour=7, minute=5),
    },
    # The register's clocks close to due or late: change notices, cross-border, incidents.
    "mail-register-clocks": {
        "task": "privacy.register.tasks.mail_register_clocks",
        "schedule": crontab(hour=7, minute=10),
    },
}
CELERY_TIMEZONE = "UTC"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
# The languages every version of a legal document is published in, the first being the one
# shown when a version has no text in the page's language (one published before a language
# was added). Each must be one of LANGUAGES: the pages around the text speak it too.
LEGAL_LANGUAGES = env.list("LEGAL_LANGUAGES", default=["ru", "en"])
if not LEGAL_LANGUAGES or len(set(LEGAL_LANGUAGES)) != len(LEGAL_LANGUAGES):
    raise ImproperlyConfigured("LEGAL_LANGUAGES must name one or more languages, each once.")
for _code in LEGAL_LANGUAGES:
    if _code not in dict(LANGUAGES):
        raise ImproperlyConfigured(
            f"LEGAL_LANGUAGES: {_code!r} is not one of the site's languages "
            f"({', '.join(code for code, _name in LANGUAGES)})."
        )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# E-mail through Django 6.1 MAILERS and django-anymail. MAIL_BACKEND picks the ESP, e.g.
# anymail.backends.postmark.EmailBackend; every ANYMAIL_* variable becomes an ANYMAIL setting
# (ANYMAIL_POSTMARK_SERVER_TOKEN -> ANYMAIL["POSTMARK_SERVER_TOKEN"]), so any ESP anymail
# supports is configured without code changes.
MAILERS = {
    "default": {
        "BACKEND": env.str(
            "MAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
        ),
    }
}
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_")
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Leadgen <noreply@example.com>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
STAFF_ALERT_EMAILS = env.list("STAFF_ALERT_EMAILS", default=[])

# Phone numbers without a country code are read in this region (ISO 3166-1 alpha-2).
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="RU")

# Security. The secure defaults apply whenever DEBUG is off; each may be relaxed by env.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Only staff have sessions: closing the browser ends one, and none outlives a working day.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain HTTP; the health check must answer there too.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if TRUSTED_PROXY_COUNT:
    # Only a trusted proxy sets this header; without one, a client could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (Django 6 built-in): same-origin only, nonce for inline scripts.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Cookie and analytics consent (clauses 1.1.6, 3.3, 4.1.4) ------------------------------
# Statistics and advertising scripts: each is rendered only when its id is set and the visitor
# consented to its category. The ids land in inline scripts, so their shape is checked here.
YANDEX_METRICA_ID = env.str("YANDEX_METRICA_ID", default="").strip()
GOOGLE_ANALYTICS_ID = env.str("GOOGLE_ANALYTICS_ID", default="").strip()
ROISTAT_PROJECT_ID = env.str("ROISTAT_PROJECT_ID", default="").strip()
VK_ADS_PIXEL_ID = env.str("VK_ADS_PIXEL_ID", default="").strip()
for _name, _value, _pattern in [
    ("YANDEX_METRICA_ID", YANDEX_METRICA_ID, r"[0-9]{1,20}"),
    ("GOOGLE_ANALYTICS_ID", GOOGLE_ANALYTICS_ID, r"G-[A-Z0-9]{4,20}"),
    ("ROISTAT_PROJECT_ID", ROISTAT_PROJECT_ID, r"[0-9A-Za-z]{1,40}"),
    ("VK_ADS_PIXEL_ID", VK_ADS_PIXEL_ID, r"[0-9]{1,20}"),
]:
    if _value and not re.fullmatch(_pattern, _value):
        raise ImproperlyConfigured(f"{_name} must match {_pattern}, not {_value!r}.")
COOKIE_CONSENT_MAX_AGE_DAYS = env.int("COOKIE_CONSENT_MAX_AGE_DAYS", default=365)
if COOKIE_CONSENT_MAX_AGE_DAYS < 1:
    raise ImproperlyConfigured("COOKIE_CONSENT_MAX_AGE_DAYS must be 1 or more.")
GPC_REFUSES_ANALYTICS = env.bool("GPC_REFUSES_ANALYTICS", default=False)
# Bump to ask every visitor again (the banner's wording or meaning changed).
COOKIE_BANNER_VERSION = env.str("COOKIE_BANNER_VERSION", default="1")
# Local stand-ins for a statistics script and an advertising pixel (static/js/standin.js): they
# set a first-party cookie and make no network request, so a demo shows the banner and what
# consent changes without inventing analytics ids. `make run` turns them on; never production.
STANDIN_SCRIPTS = env.bool("STANDIN_SCRIPTS", default=False)
if STANDIN_SCRIPTS and not DEBUG:
    raise ImproperlyConfigured("STANDIN_SCRIPTS is for development: it needs DEBUG on.")
# --- end of cookie consent ----------------------------------------------------------------

# --- Rights requests and incidents: the legal clocks ---------------------------------------
# "ru": 152-FZ clocks in working days of the Russian production calendar; "gdpr": one month
# for every right, extendable by two with notice (GDPR Art. 12(3)).
RIGHTS_CLOCK_MODE = env.str("RIGHTS_CLOCK_MODE", default="ru")
if RIGHTS_CLOCK_MODE not in ("ru", "gdpr"):
    raise ImproperlyConfigured("RIGHTS_CLOCK_MODE must be 'ru' or 'gdpr'.")
RIGHTS_CLOCKS = {
    # Art. 20(3) 152-FZ: 10 working days, once extendable by 5 with a reasoned notice.
    "access_working_days": env.int("RIGHTS_ACCESS_WORKING_DAYS", default=10),
    "access_extension_working_days": env.int("RIGHTS_ACCESS_EXTENSION_WORKING_DAYS", default=5),
    # Art. 21(2): inaccurate data corrected within 7 working days.
    "correction_working_days": env.int("RIGHTS_CORRECTION_WORKING_DAYS", default=7),
    # Art. 21(3): data processed unlawfully destroyed within 10 working days.
    "erasure_working_days": env.int("RIGHTS_ERASURE_WORKING_DAYS", default=10),
    # Art. 21(1): blocking from the moment of the request; one working day to confirm it.
    "blocking_working_days": env.int("RIGHTS_BLOCKING_WORKING_DAYS", default=1),
    # Art. 21(5): data held only on a withdrawn consent destroyed within 30 days.
    "withdrawal_days": env.int("RIGHTS_WITHDRAWAL_DAYS", default=30),
    # Policy clause 8.2: claims answered within 30 calendar days; questions (9.3) likewise.
    "claim_days": env.int("RIGHTS_CLAIM_DAYS", default=30),
    "question_days": env.int("RIGHTS_QUESTION_DAYS", default=30),
    "gdpr_months": env.int("RIGHTS_GDPR_MONTHS", default=1),
    "gdpr_extension_months": env.int("RIGHTS_GDPR_EXTENSION_MONTHS", default=2),
}
if any(value < 0 for value in RIGHTS_CLOCKS.values()):
    raise ImproperlyConfigured("The RIGHTS_* clocks must be 0 or more.")
# Requests due within this many days are highlighted and in the officers' morning reminder.
RIGHTS_DUE_SOON_DAYS = env.int("RIGHTS_DUE_SOON_DAYS", default=3)
RIGHTS_CONFIRM_LINK_HOURS = env.int("RIGHTS_CONFIRM_LINK_HOURS", default=24)
RIGHTS_EXPORT_LINK_HOURS = env.int("RIGHTS_EXPORT_LINK_HOURS", default=72)
RIGHTS_REQUEST_RATE_LIMIT = _rate("RIGHTS_REQUEST_RATE_LIMIT", default="5/h")
# Breach clocks from detection: Russian law (152-FZ Art. 21 part 3.1) 24 h to notify the
# authority, 72 h for the investigation's results; GDPR Art. 33: 72 h to notify.
INCIDENT_AUTHORITY_HOURS = env.int(
    "INCIDENT_AUTHORITY_HOURS", default=72 if RIGHTS_CLOCK_MODE == "gdpr" else 24
)
INCIDENT_INVESTIGATION_HOURS = env.int("INCIDENT_INVESTIGATION_HOURS", default=72)
# Irreversible acts that need a second staff member's approval: "erasure" (a person's data)
# and "material_change" (publishing a material change of a legal document). Off by default.
SECOND_APPROVAL_ACTS = ("erasure", "material_change")
SECOND_APPROVAL_FOR = env.list("SECOND_APPROVAL_FOR", default=[])
if set(SECOND_APPROVAL_FOR) - set(SECOND_APPROVAL_ACTS):
    raise ImproperlyConfigured(
        f"SECOND_APPROVAL_FOR may name {', '.join(SECOND_APPROVAL_ACTS)}, "
        f"not {SECOND_APPROVAL_FOR!r}."
    )
# --- end of rights requests ---------------------------------------------------------------

# --- Forms on other sites: the API, keys and the widget (leads/api.py) ----------------------
# CORS answers only under /api/v1/forms/, and only each form's own allowed origins
# (leads.cors, through django-cors-headers' check_request_enabled signal); nothing is allowed
# site-wide. Keys are for servers: browsers may not send an Authorization header here.
CORS_URLS_REGEX = r"^/api/v1/forms/"
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_ALLOW_METHODS = ["GET", "POST", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "content-type"]
CORS_PREFLIGHT_MAX_AGE = 3600
# Submissions per API key; a key may set its own.
API_KEY_RATE_LIMIT = _rate("API_KEY_RATE_LIMIT", default="120/m")
# How long a rotated key keeps working beside its replacement, unless staff choose otherwise.
API_KEY_ROTATION_OVERLAP_HOURS = env.int("API_KEY_ROTATION_OVERLAP_HOURS", default=24)
if not 0 <= API_KEY_ROTATION_OVERLAP_HOURS <= 24 * 90:
    raise ImproperlyConfigured("API_KEY_ROTATION_OVERLAP_HOURS must be 0 to 2160.")
# --- end of the API --------------------------------------------------------------------------

# Lead form abuse limits.
LEAD_RATE_LIMIT = _rate("LEAD_RATE_LIMIT", default="10/m")
COOKIE_CHOICE_RATE_LIMIT = _rate("COOKIE_CHOICE_RATE_LIMIT", default="30/m")
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=64 * 1024)

ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
