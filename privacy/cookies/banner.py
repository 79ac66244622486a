"""Cookies and statistics scripts by category, and the visitor's choice about them.

Policy clauses 1.1.6 and 3.3 (statistics scripts, only under analytics consent) and 4.1.4
(advertising, only under advertising consent). One configuration drives the banner, the
scripts rendered, the Content Security Policy and the public list at /privacy/cookies/.
"""

from __future__ import annotations

import hashlib
import ipaddress
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.cookies import Morsel

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy.people.models import Purpose

# The first-party cookie that holds the choice and the anonymous visitor id. It is strictly
# necessary: without it the banner could not remember a refusal.
CHOICE_COOKIE = "cookie_consent"
CHOICE_SALT = "privacy.cookie-choice"
# When this site's GPC behaviour last changed (the "lastUpdate" of /.well-known/gpc.json).
GPC_LAST_UPDATE = date(2026, 11, 25)

NECESSARY = "necessary"
ANALYTICS = Purpose.ANALYTICS.value
ADVERTISING = Purpose.ADVERTISING.value
OPTIONAL_CATEGORIES = (ANALYTICS, ADVERTISING)

CATEGORY_LABELS: dict[str, Promise] = {
    NECESSARY: _("Strictly necessary"),
    ANALYTICS: _("Analytics"),
    ADVERTISING: _("Advertising"),
}
CATEGORY_DESCRIPTIONS: dict[str, Promise] = {
    NECESSARY: _(
        "Keep the site working and secure: protection of forms against forgery, the staff "
        "session, your language and this choice itself. Always on."
    ),
    ANALYTICS: _(
        "Visit statistics (clause 3.3 of the Privacy Policy): how visitors find and use the "
        "site, so that we can improve it."
    ),
    ADVERTISING: _(
        "Advertising (clause 4.1.4 of the Privacy Policy): measuring and showing our "
        "advertisements to people who visited the site."
    ),
}


@dataclass(frozen=True)
class CookieInfo:
    name: str
    provider: str
    purpose: Promise
    lifetime: Promise
    # True when the name is a prefix (e.g. Google Analytics' "_ga_<container>").
    prefix: bool = False

    def matches(self, name: str) -> bool:
        return name.startswith(self.name) if self.prefix else name == self.name


@dataclass(frozen=True)
class Script:
    """A third-party script, rendered only when its id is configured and its category granted."""

    key: str
    name: str | Promise
    category: str
    setting: str
    template: str
    # CSP directive -> the hosts the script needs, allowed only in responses that render it.
    hosts: dict[str, tuple[str, ...]]
    cookies: tuple[CookieInfo, ...] = field(default=())
    # Served by the site itself and sending nothing anywhere (the demo's stand-ins): no
    # processor receives data through it, so the processing register has nothing to list.
    local: bool = False

    @property
    def config_id(self) -> str:
        value = getattr(settings, self.setting, "")
        # A switch rather than an id (the demo's stand-ins): on, the script's key stands in.
        if isinstance(value, bool):
            return self.key if value else ""
        return value


NECESSARY_COOKIES = (
    CookieInfo(
        "csrftoken",
        "leadgen",
        _("Protects forms against cross-site request forgery."),
        _("1 year"),
    ),
    CookieInfo(
        CHOICE_COOKIE,
        "leadgen",
        _(
            "Remembers your cookie choice and an anonymous visitor number that links it to the "
            "consent log."
        ),
        _("12 months (configurable)"),
    ),
    CookieInfo("django_language", "leadgen", _("Remembers the language you chose."), _("session")),
    CookieInfo(
        "sessionid",
        "leadgen",
        _("Keeps staff signed in (staff only)."),
        _("until the browser closes"),
    ),
)

SCRIPTS: tuple[Script, ...] = (
    Script(
        key="yandex_metrica",
        name="Yandex.Metrica",
        category=ANALYTICS,
        setting="YANDEX_METRICA_ID",
        template="privacy/scripts/yandex_metrica.html",
        hosts={
            "script-src": ("https://mc.yandex.ru", "https://yastatic.net"),
            "img-src": ("https://mc.yandex.ru", "https://mc.yandex.com"),
            "connect-src": ("https://mc.yandex.ru", "https://mc.yandex.com"),
        },
        cookies=(
            CookieInfo("_ym_uid", "Yandex", _("Distinguishes visitors."), _("1 year")),
            CookieInfo("_ym_d", "Yandex", _("Date of the first visit."), _("1 year")),
            CookieInfo(
                "_ym_",
                "Yandex",
                _("Sessions and visit statistics."),
                _("up to 1 year"),
                prefix=True,
            ),
        ),
    ),
    Script(
        key="google_analytics",
        name="Google Analytics",
        category=ANALYTICS,
        setting="GOOGLE_ANALYTICS_ID",
        template="privacy/scripts/google_analytics.html",
        hosts={
            "script-src": ("https://www.googletagmanager.com",),
            "img-src": ("https://*.google-analytics.com", "https://*.googletagmanager.com"),
            "connect-src": (
                "https://*.google-analytics.com",
                "https://*.analytics.google.com",
                "https://*.googletagmanager.com",
            ),
        },
        cookies=(
            CookieInfo("_ga", "Google", _("Distinguishes visitors."), _("2 years")),
            CookieInfo("_ga_", "Google", _("Keeps the session state."), _("2 years"), prefix=True),
            CookieInfo("_gid", "Google", _("Distinguishes visitors."), _("24 hours")),
        ),
    ),
    Script(
        key="roistat",
        name="Roistat",
        category=ANALYTICS,
        setting="ROISTAT_PROJECT_ID",
        template="privacy/scripts/roistat.html",
        hosts={
            "script-src": ("https://cloud.roistat.com",),
            "img-src": ("https://cloud.roistat.com",),
            "connect-src": ("https://cloud.roistat.com",),
        },
        cookies=(
            CookieInfo("roistat_visit", "Roistat", _("Number of the visit."), _("6 months")),
            CookieInfo(
                "roistat_",
                "Roistat",
                _("Source of the visit and its attribution."),
                _("up to 6 months"),
                prefix=True,
            ),
        ),
    ),
    Script(
        key="vk_ads",
        name="VK Ads pixel",
        category=ADVERTISING,
        setting="VK_ADS_PIXEL_ID",
        template="privacy/scripts/vk_ads.html",
        hosts={
            "script-src": ("https://top-fwz1.mail.ru",),
            "img-src": ("https://top-fwz1.mail.ru",),
            "connect-src": ("https://top-fwz1.mail.ru",),
        },
        cookies=(
            CookieInfo(
                "tmr_",
                "VK",
                _("Measures advertising and builds audiences of visitors."),
                _("up to 1 year"),
                prefix=True,
            ),
        ),
    ),
)


# The demo's stand-ins (STANDIN_SCRIPTS, development only): one script per optional category,
# served by this site, setting a first-party cookie and requesting nothing, so the banner, the
# CSP and the expiry of cookies on withdrawal can be seen working without a real provider.
STANDIN_SCRIPTS = (
    Script(
        key="standin_statistics",
        name=_("Demo statistics (a local stand-in, no network)"),
        category=ANALYTICS,
        setting="STANDIN_SCRIPTS",
        template="privacy/scripts/standin.html",
        hosts={},
        local=True,
        cookies=(
            CookieInfo(
                "demo_statistics",
                "leadgen (demo)",
                _("Counts the pages this browser opens, kept in the browser only (demo)."),
                _("1 year"),
            ),
        ),
    ),
    Script(
        key="standin_advertising",
        name=_("Demo advertising pixel (a local stand-in, no network)"),
        category=ADVERTISING,
        setting="STANDIN_SCRIPTS",
        template="privacy/scripts/standin.html",
        hosts={},
        local=True,
        cookies=(
            CookieInfo(
                "demo_advertising",
                "leadgen (demo)",
                _("Remembers that this browser saw the site, kept in the browser only (demo)."),
                _("1 year"),
            ),
        ),
    ),
)
SCRIPTS = (*SCRIPTS, *STANDIN_SCRIPTS)


# Domains above this one may hold a configured script back (the processing register does,
# while its vendor abroad may not receive data yet): each hold takes the configured scripts
# and returns the keys it holds back, each with the reason shown to staff.
ScriptHold = Callable[[list[Script]], dict[str, str]]
_SCRIPT_HOLDS: list[ScriptHold] = []


def script_hold_register(hold: ScriptHold) -> None:
    if hold not in _SCRIPT_HOLDS:
        _SCRIPT_HOLDS.append(hold)


def scripts_held() -> dict[str, str]:
    """Configured scripts a hold keeps off the site, with the reason, by key."""
    configured = [script for script in SCRIPTS if script.config_id]
    held: dict[str, str] = {}
    for hold in _SCRIPT_HOLDS:
        held.update(hold(configured))
    return held


def scripts_configured() -> list[Script]:
    """The scripts whose id is set and that nothing holds back; the others are never rendered."""
    held = scripts_held()
    return [script for script in SCRIPTS if script.config_id and script.key not in held]


def categories_offered() -> list[str]:
    """The optional categories that have something behind them: a configured script."""
    configured = {script.category for script in scripts_configured()}
    return [category for category in OPTIONAL_CATEGORIES if category in configured]


def gpc_refuses(category: str) -> bool:
    """Whether a Global Privacy Control signal refuses this category."""
    return category == ADVERTISING or (category == ANALYTICS and settings.GPC_REFUSES_ANALYTICS)


@dataclass(frozen=True)
class CookieChoice:
    """What the choice cookie holds: a visitor's decision and what it covered."""

    visitor_id: uuid.UUID
    granted: frozenset[str]
    # The scripts configured when the choice was made: a script added later is not covered.
    scripts: frozenset[str]
    banner_version: str
    chosen_at: datetime


def choice_encode(choice: CookieChoice) -> str:
    return signing.dumps(
        {
            "v": str(choice.visitor_id),
            "g": sorted(choice.granted),
            "s": sorted(choice.scripts),
            "b": choice.banner_version,
            "t": int(choice.chosen_at.timestamp()),
        },
        salt=CHOICE_SALT,
        compress=True,
    )


def choice_decode(value: str) -> CookieChoice | None:
    """Read a choice cookie; None when it is forged, malformed or older than the period."""
    try:
        payload = signing.loads(value, salt=CHOICE_SALT, max_age=choice_max_age())
        return CookieChoice(
            visitor_id=uuid.UUID(payload["v"]),
            granted=frozenset(payload["g"]) & set(OPTIONAL_CATEGORIES),
            scripts=frozenset(payload["s"]),
            banner_version=str(payload["b"]),
            chosen_at=datetime.fromtimestamp(int(payload["t"]), tz=UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def choice_max_age() -> int:
    return settings.COOKIE_CONSENT_MAX_AGE_DAYS * 24 * 3600


@dataclass(frozen=True)
class ConsentState:
    """The visitor's cookie consent as this request shows it (choice cookie and GPC)."""

    choice: CookieChoice | None
    gpc: bool

    @property
    def visitor_id(self) -> uuid.UUID | None:
        return self.choice.visitor_id if self.choice else None

    def granted(self, category: str) -> bool:
        if self.choice is None or category not in self.choice.granted:
            return False
        return not (self.gpc and gpc_refuses(category))

    @property
    def scripts_allowed(self) -> list[Script]:
        """Configured scripts the choice covered and whose category is granted."""
        if self.choice is None:
            return []
        return [
            script
            for script in scripts_configured()
            if script.key in self.choice.scripts and self.granted(script.category)
        ]

    @property
    def needs_choice(self) -> bool:
        """Ask (again) when there is no choice, or a script or a new banner came since."""
        if not categories_offered():
            return False
        if self.choice is None:
            return True
        configured = {script.key for script in scripts_configured()}
        return (
            not configured <= self.choice.scripts
            or self.choice.banner_version != settings.COOKIE_BANNER_VERSION
        )

    def variant(self) -> str:
        """A short key of everything in this state that changes a rendered page."""
        parts = [
            "gpc" if self.gpc else "",
            "ask" if self.needs_choice else "",
            *sorted(self.choice.granted if self.choice else ()),
            *sorted(script.key for script in self.scripts_allowed),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:10]


def consent_state(request: HttpRequest) -> ConsentState:
    """Read (once per request) the visitor's choice cookie and Global Privacy Control signal."""
    state = getattr(request, "_cookie_consent_state", None)
    if state is None:
        raw = request.COOKIES.get(CHOICE_COOKIE, "")
        state = ConsentState(
            choice=choice_decode(raw) if raw else None,
            gpc=request.headers.get("Sec-GPC", "").strip() == "1",
        )
        request._cookie_consent_state = state  # type: ignore[attr-defined]
    return state


def choice_cookie_set(response: HttpResponse, *, choice: CookieChoice) -> None:
    response.set_cookie(
        CHOICE_COOKIE,
        choice_encode(choice),
        max_age=choice_max_age(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def cookies_of(categories: list[str]) -> list[CookieInfo]:
    return [
        cookie for script in SCRIPTS if script.category in categories for cookie in script.cookies
    ]


def _cookie_domains(host: str) -> list[str | None]:
    """Where a script may have set a cookie for this host: host-only and each parent domain.

    Scripts such as Google Analytics set their cookies on the registrable domain
    (".example.com"); a browser ignores a deletion for a domain it does not match, so trying
    every parent but the top-level one is safe.
    """
    host = host.split(":")[0].strip(".").lower()
    try:
        ipaddress.ip_address(host)
        return [None]
    except ValueError:
        pass
    labels = host.split(".")
    return [None, *("." + ".".join(labels[i:]) for i in range(len(labels) - 1))]


def cookies_delete(
    request: HttpRequest, response: HttpResponse, *, categories: list[str]
) -> list[str]:
    """Expire the cookies of these categories that the browser sent; return their names.

    Cookies that third parties keep on their own domains are out of the site's reach.
    """
    known = cookies_of(categories)
    names = sorted(
        name for name in request.COOKIES if any(cookie.matches(name) for cookie in known)
    )
    for name in names:
        for domain in _cookie_domains(request.get_host()):
            # The cookie jar is keyed by name; distinct keys let one response expire the same
            # name on several domains (http.cookies accepts a ready Morsel under any key).
            morsel: Morsel[str] = Morsel()
            morsel.set(name, "", '""')
            morsel["path"] = "/"
            morsel["max-age"] = 0
            morsel["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
            morsel["samesite"] = "Lax"
            if domain:
                morsel["domain"] = domain
            response.cookies[f"{name} {domain}" if domain else name] = morsel
    return names


def category_wording(category: str) -> str:
    """The text shown for a category on the banner, in the active language; it is logged."""
    scripts = ", ".join(str(s.name) for s in scripts_configured() if s.category == category)
    return "\n".join(
        [
            gettext("Cookie banner, version %(version)s")
            % {"version": settings.COOKIE_BANNER_VERSION},
            f"{CATEGORY_LABELS[category]}: {CATEGORY_DESCRIPTIONS[category]}",
            gettext("Scripts: %(scripts)s") % {"scripts": scripts},
        ]
    )
