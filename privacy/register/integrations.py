"""The project's own integrations as register entries, so the register cannot forget what the
code does: the e-mail provider chosen in settings and each configured statistics script.

The vendor details are a starting point for the officer, who must check each against the
vendor's current terms (the `verified` box); the guard reads the entry, falling back on the
catalogue's country when there is none yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from privacy.cookies.banner import SCRIPTS
from privacy.register.models import ProcessingPurpose, Processor


@dataclass(frozen=True)
class Integration:
    key: str
    name_en: str
    name_ru: str
    address: str
    # Where the vendor keeps the data, as far as we know; "" when we cannot know (SMTP relay).
    country: str
    why_en: str
    why_ru: str
    data_items: tuple[str, ...]
    # Which purposes' consent texts must name it (ProcessingPurpose.code).
    purpose_codes: tuple[str, ...]


_EMAIL_DATA = ("email", "account_name", "messages")
_EMAIL_WHY_EN = "delivers the e-mails the site sends"
_EMAIL_WHY_RU = "доставка электронных писем, направляемых сайтом"
_EMAIL_PURPOSES = ("processing", "marketing", "advertising")

# Anymail backends by the module name after "anymail.backends.".
EMAIL_PROVIDERS: dict[str, Integration] = {
    "postmark": Integration(
        "email:postmark",
        "ActiveCampaign, LLC (Postmark)",
        "ActiveCampaign, LLC (Postmark)",
        "1 North Dearborn Street, Chicago, IL 60602, USA",
        "US",
        _EMAIL_WHY_EN,
        _EMAIL_WHY_RU,
        _EMAIL_DATA,
        _EMAIL_PURPOSES,
    ),
    "mailgun": Integration(
        "email:mailgun",
        "Mailgun Technologies, Inc.",
        "Mailgun Technologies, Inc.",
        "112 E Pecan St. #1135, San Antonio, TX 78205, USA",
        "US",
        _EMAIL_WHY_EN,
        _EMAIL_WHY_RU,
        _EMAIL_DATA,
        _EMAIL_PURPOSES,
    ),
    "sendgrid": Integration(
        "email:sendgrid",
        "Twilio Inc. (SendGrid)",
        "Twilio Inc. (SendGrid)",
        "101 Spear Street, San Francisco, CA 94105, USA",
        "US",
        _EMAIL_WHY_EN,
        _EMAIL_WHY_RU,
        _EMAIL_DATA,
        _EMAIL_PURPOSES,
    ),
    "unisender_go": Integration(
        "email:unisender_go",
        "Unisender Go",
        "Unisender Go",
        "",
        "RU",
        _EMAIL_WHY_EN,
        _EMAIL_WHY_RU,
        _EMAIL_DATA,
        _EMAIL_PURPOSES,
    ),
}
# Backends that hand mail to nobody: development and tests.
LOCAL_BACKENDS = (
    "django.core.mail.backends.console.",
    "django.core.mail.backends.locmem.",
    "django.core.mail.backends.filebased.",
    "django.core.mail.backends.dummy.",
    "anymail.backends.test.",
)

SCRIPT_VENDORS: dict[str, Integration] = {
    "yandex_metrica": Integration(
        "script:yandex_metrica",
        "YANDEX LLC",
        "ООО «ЯНДЕКС»",
        "ул. Льва Толстого, д. 16, г. Москва, 119021",
        "RU",
        "visit statistics (Yandex.Metrica)",
        "статистика посещений (Яндекс Метрика)",
        ("ip", "user_agent", "page_url", "referrer", "analytics_ids"),
        ("analytics",),
    ),
    "google_analytics": Integration(
        "script:google_analytics",
        "Google LLC",
        "Google LLC",
        "1600 Amphitheatre Parkway, Mountain View, CA 94043, USA",
        "US",
        "visit statistics (Google Analytics)",
        "статистика посещений (Google Analytics)",
        ("ip", "user_agent", "page_url", "referrer", "analytics_ids"),
        ("analytics",),
    ),
    "roistat": Integration(
        "script:roistat",
        "Roistat",
        "Roistat",
        "",
        "RU",
        "attribution of visits to advertising (Roistat)",
        "сквозная аналитика рекламы (Roistat)",
        ("ip", "user_agent", "page_url", "referrer", "utm", "analytics_ids"),
        ("analytics",),
    ),
    "vk_ads": Integration(
        "script:vk_ads",
        "VK LLC",
        "ООО «ВК»",
        "Ленинградский пр-т, д. 39, стр. 79, г. Москва, 125167",
        "RU",
        "measuring advertising (VK Ads pixel)",
        "измерение эффективности рекламы (пиксель VK Ads)",
        ("ip", "user_agent", "page_url", "referrer", "analytics_ids"),
        ("advertising",),
    ),
}


def email_integration() -> Integration | None:
    """The e-mail provider the default mailer sends through, or None when mail stays local."""
    backend = str(settings.MAILERS.get("default", {}).get("BACKEND", ""))
    if not backend or backend.startswith(LOCAL_BACKENDS):
        return None
    if backend.startswith("anymail.backends."):
        name = backend.removeprefix("anymail.backends.").split(".")[0]
        if name in EMAIL_PROVIDERS:
            return EMAIL_PROVIDERS[name]
        return Integration(
            f"email:{name}",
            f"E-mail provider ({name})",
            f"Почтовый сервис ({name})",
            "",
            "",
            _EMAIL_WHY_EN,
            _EMAIL_WHY_RU,
            _EMAIL_DATA,
            _EMAIL_PURPOSES,
        )
    # An SMTP relay or a backend of one's own: the register must say where it runs.
    return Integration(
        f"email:{backend}",
        f"Mail server ({backend.rsplit('.', 2)[-2]})",
        f"Почтовый сервер ({backend.rsplit('.', 2)[-2]})",
        "",
        "",
        _EMAIL_WHY_EN,
        _EMAIL_WHY_RU,
        _EMAIL_DATA,
        _EMAIL_PURPOSES,
    )


def integrations_configured() -> list[Integration]:
    """Every integration the settings switch on now."""
    found = [
        SCRIPT_VENDORS[script.key] for script in SCRIPTS if script.config_id and not script.local
    ]
    email = email_integration()
    return [email, *found] if email else found


def integration_of_script(key: str) -> Integration:
    return SCRIPT_VENDORS[key]


@dataclass(frozen=True)
class PurposeSeed:
    code: str
    title_ru: str
    title_en: str
    document_kind: str
    data_items: tuple[str, ...]
    direct_marketing: bool = False


_VISIT = ("ip", "user_agent", "access_time", "page_url", "referrer")
_ACTIONS = (
    "collection",
    "recording",
    "systematisation",
    "accumulation",
    "storage",
    "clarification",
    "extraction",
    "use",
    "transfer",
    "blocking",
    "deletion",
    "destruction",
)
# The purposes the code itself serves (the lead form's boxes and the cookie banner), with the
# data it collects for each: a starting point the officer completes and confirms.
PURPOSE_SEEDS = (
    PurposeSeed(
        "processing",
        "обработка заявки, направленной через форму на сайте: установление обратной связи, "
        "направление уведомлений и ответов на запросы, клиентская и техническая поддержка",
        "handling a request sent through the form on the site: getting back in touch, sending "
        "notices and answers to requests, customer and technical support",
        "consent_processing",
        ("account_name", "phone", "email", *_VISIT, "utm", "consents", "messages"),
    ),
    PurposeSeed(
        "marketing",
        "направление информации о продуктах, предложениях, ценах и новостях сервиса",
        "sending information about products, offers, prices and news of the service",
        "consent_marketing",
        ("account_name", "email", "phone", "consents", "messages"),
        direct_marketing=True,
    ),
    PurposeSeed(
        "advertising",
        "направление рекламы",
        "sending advertising",
        "consent_advertising",
        ("account_name", "email", "phone", "consents", "messages"),
        direct_marketing=True,
    ),
    PurposeSeed(
        "analytics",
        "сбор статистики посещений сайта",
        "collecting statistics of visits to the site",
        "",
        (*_VISIT, "analytics_ids", "consents"),
    ),
)


def purposes_sync() -> list[ProcessingPurpose]:
    """Add the purposes the code serves that the register lacks; returns those added."""
    from privacy.register.services import register_entry_created

    existing = set(ProcessingPurpose.objects.values_list("code", flat=True))
    taken = set(
        ProcessingPurpose.objects.exclude(document_kind="").values_list("document_kind", flat=True)
    )
    created = []
    for position, seed in enumerate(PURPOSE_SEEDS):
        if seed.code in existing:
            continue
        purpose = ProcessingPurpose.objects.create(
            code=seed.code,
            title_ru=seed.title_ru,
            title_en=seed.title_en,
            document_kind=seed.document_kind if seed.document_kind not in taken else "",
            data_items=list(seed.data_items),
            actions=list(_ACTIONS),
            direct_marketing=seed.direct_marketing,
            channels=["email"] if seed.direct_marketing else [],
            position=position,
        )
        register_entry_created(instance=purpose, staff=None)
        created.append(purpose)
    return created


def integrations_sync() -> list[Processor]:
    """Make each configured integration an entry of the register and mark the others unused.

    New entries take the catalogue's details for the officer to check; existing ones keep
    what the officer wrote. Returns the entries created.
    """
    from privacy.register.history import entry_snapshot
    from privacy.register.services import register_changes_record, register_entry_created

    configured = {item.key: item for item in integrations_configured()}
    created: list[Processor] = []
    with transaction.atomic():
        known = {
            p.integration_key: p
            for p in Processor.objects.select_for_update().filter(integration_key__isnull=False)
            if p.integration_key
        }
        for key, item in configured.items():
            if key in known:
                continue
            processor = Processor.objects.create(
                integration_key=key,
                name_en=item.name_en,
                name_ru=item.name_ru,
                address=item.address,
                country=item.country,
                why_en=item.why_en,
                why_ru=item.why_ru,
                data_items=list(item.data_items),
                enabled=True,
            )
            processor.purposes.set(ProcessingPurpose.objects.filter(code__in=item.purpose_codes))
            register_entry_created(instance=processor, staff=None)
            created.append(processor)
        for key, processor in known.items():
            in_use = key in configured
            if processor.enabled != in_use:
                # Switching an integration on or off in settings is a change of the register.
                before = entry_snapshot(processor)
                processor.enabled = in_use
                processor.save(update_fields=["enabled"])
                register_changes_record(instance=processor, before=before, staff=None)
    return created
