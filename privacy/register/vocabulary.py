"""The words of the register: data items, actions, methods, channels and countries, in Russian
and English, each as the consent texts and notices print it and as the checker looks for it.

The data items are what this software collects (policy clauses 3.2 and 3.3), so a purpose
can only name data the code really holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

RU = "ru"
EN = "en"
LANGUAGES = (RU, EN)


@dataclass(frozen=True)
class Term:
    """One term in both languages, with other ways a text may say it."""

    ru: str
    en: str
    ru_synonyms: tuple[str, ...] = field(default=())
    en_synonyms: tuple[str, ...] = field(default=())

    def label(self, language: str) -> str:
        return self.ru if language == RU else self.en

    def needles(self, language: str) -> tuple[str, ...]:
        if language == RU:
            return (self.ru, *self.ru_synonyms)
        return (self.en, *self.en_synonyms)


# Art. 9 part 4 item 5, Art. 22 part 3 item 3: what a purpose processes.
DATA_ITEMS: dict[str, Term] = {
    "account_name": Term("название аккаунта", "account name"),
    "phone": Term(
        "номер контактного телефона",
        "contact phone number",
        ("номер телефона", "телефон"),
        ("phone number",),
    ),
    "email": Term(
        "адрес электронной почты",
        "e-mail address",
        ("электронная почта", "e-mail"),
        ("email address",),
    ),
    "ip": Term("IP-адрес", "IP address"),
    "user_agent": Term(
        "сведения о браузере (user agent)",
        "browser information (user agent)",
        ("user agent",),
        ("user agent",),
    ),
    "access_time": Term("время доступа", "access time"),
    "page_url": Term("адрес страницы", "page address", (), ("page url",)),
    "referrer": Term("адрес предыдущей страницы (referrer)", "referrer", ("referrer",)),
    "utm": Term("метки utm_*", "utm_* tags", ("utm",), ("utm",)),
    "analytics_ids": Term(
        "идентификаторы из файлов cookie (_ga, _ym_uid, roistat_visit)",
        "cookie identifiers (_ga, _ym_uid, roistat_visit)",
        ("идентификаторы файлов cookie",),
        ("cookie identifiers",),
    ),
    "consents": Term("сведения о данных согласиях", "consent records"),
    "messages": Term("сведения о направленных сообщениях", "messages sent"),
}

# Art. 3 point 3: the actions with personal data, in the statute's words.
ACTIONS: dict[str, Term] = {
    "collection": Term("сбор", "collection"),
    "recording": Term("запись", "recording"),
    "systematisation": Term("систематизация", "systematisation"),
    "accumulation": Term("накопление", "accumulation"),
    "storage": Term("хранение", "storage"),
    "clarification": Term(
        "уточнение (обновление, изменение)",
        "updating and alteration",
        ("уточнение",),
        ("updating",),
    ),
    "extraction": Term("извлечение", "retrieval"),
    "use": Term("использование", "use"),
    "transfer": Term(
        "передача (предоставление, доступ)",
        "transfer (provision, access)",
        ("передача",),
        ("transfer",),
    ),
    "distribution": Term("распространение", "distribution"),
    "depersonalisation": Term("обезличивание", "depersonalisation"),
    "blocking": Term("блокирование", "blocking"),
    "deletion": Term("удаление", "deletion"),
    "destruction": Term("уничтожение", "destruction"),
}

# Art. 9 part 4 item 7: the general description of the methods.
AUTOMATED = "automated"
NON_AUTOMATED = "non_automated"
MIXED = "mixed"
METHODS: dict[str, Term] = {
    AUTOMATED: Term(
        "обработка с использованием средств автоматизации",
        "processing by automated means",
        ("с использованием средств автоматизации",),
        ("by automated means", "automated processing"),
    ),
    NON_AUTOMATED: Term(
        "обработка без использования средств автоматизации",
        "processing without automated means",
        ("без использования средств автоматизации",),
        ("without automated means",),
    ),
    MIXED: Term(
        "смешанная обработка (с использованием средств автоматизации и без них), с передачей "
        "по сети «Интернет»",
        "mixed processing (by automated means and without them), with transfer over the Internet",
        ("смешанн",),
        ("mixed processing",),
    ),
}
METHOD_CHOICES = [
    (AUTOMATED, _("automated")),
    (NON_AUTOMATED, _("without automation")),
    (MIXED, _("mixed")),
]

# 152-FZ Art. 15 part 1 and 38-FZ Art. 18 part 1: how direct marketing reaches a person.
CHANNELS: dict[str, Term] = {
    "email": Term("по электронной почте", "by e-mail", ("электронная почта",), ("by email",)),
    "sms": Term("SMS-сообщения", "SMS", ("sms",)),
    "phone": Term("телефонные звонки", "phone calls", ("телефонн",), ("phone call",)),
}

# Countries a register is likely to name, as the texts print them; others print their code.
COUNTRIES: dict[str, Term] = {
    "RU": Term("Российская Федерация", "Russian Federation", ("Россия",), ("Russia",)),
    "US": Term(
        "США", "USA", ("Соединённые Штаты Америки", "Соединенные Штаты Америки"), ("United States",)
    ),
    "IE": Term("Ирландия", "Ireland"),
    "DE": Term("Германия", "Germany"),
    "NL": Term("Нидерланды", "Netherlands"),
    "FI": Term("Финляндия", "Finland"),
    "FR": Term("Франция", "France"),
    "GB": Term("Великобритания", "United Kingdom"),
    "BE": Term("Бельгия", "Belgium"),
    "KZ": Term("Казахстан", "Kazakhstan"),
    "BY": Term("Беларусь", "Belarus"),
    "AM": Term("Армения", "Armenia"),
    "AE": Term("ОАЭ", "UAE"),
    "SG": Term("Сингапур", "Singapore"),
    "CN": Term("Китай", "China"),
    "IN": Term("Индия", "India"),
    "TR": Term("Турция", "Turkey"),
}
HOME_COUNTRY = "RU"


def country_term(code: str) -> Term:
    return COUNTRIES.get(code, Term(code, code))


def country_codes(value: str) -> list[str]:
    """Parse "US, ie" into ["US", "IE"] (ISO 3166-1 alpha-2, order kept, no repeats)."""
    codes: list[str] = []
    for part in value.replace(";", ",").split(","):
        code = part.strip().upper()
        if code and code not in codes:
            codes.append(code)
    return codes


def choices_of(terms: dict[str, Term]) -> list[tuple[str, str]]:
    """Admin choices showing both languages: the register is kept for a Russian regulator."""
    return [(key, f"{term.ru} / {term.en}") for key, term in terms.items()]
